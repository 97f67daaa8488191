resource "aws_instance" "big" {
  # ruleid: ec2-x86-no-same-size
  instance_type = "c5.9xlarge"
}
