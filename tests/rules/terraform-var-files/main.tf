variable "size" {
  default = "t3.small"
}

resource "aws_instance" "app" {
  instance_type = var.size
}
