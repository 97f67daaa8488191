resource "aws_eks_node_group" "ng" {
  # ruleid: eks-ami-x86
  ami_type = "AL2_x86_64"
}
resource "aws_eks_node_group" "arm" {
  # ok: eks-ami-x86
  ami_type = "AL2023_ARM_64_STANDARD"
}
