# ruleid: eks-fargate-no-arm64
resource "aws_eks_fargate_profile" "default" {
  fargate_profile_name = "default"
}
