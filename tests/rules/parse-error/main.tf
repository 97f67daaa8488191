resource "aws_instance" "a" {
  instance_type = "t3.micro"
  # ruleid: parse-error
  ami =
}
