resource "aws_launch_template" "workers" {
  name_prefix   = "workers-"
  image_id      = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
  instance_type = "m5.large"
}
