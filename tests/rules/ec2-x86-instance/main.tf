resource "aws_instance" "a" {
  # ruleid: ec2-x86-instance
  instance_type = "m5.large"
}
resource "aws_instance" "b" {
  # ok: ec2-x86-instance
  instance_type = "m7g.large"
}
resource "aws_eks_node_group" "ng" {
  # ruleid: ec2-x86-instance
  instance_types = ["c6i.xlarge"]
}
resource "aws_instance" "gpu" {
  # ok: ec2-x86-instance
  instance_type = "p3.2xlarge"
}
