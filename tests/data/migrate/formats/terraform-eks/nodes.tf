resource "aws_eks_node_group" "workers" {
  cluster_name    = "main"
  node_group_name = "workers"
  node_role_arn   = "arn:aws:iam::123456789012:role/nodes"
  subnet_ids      = ["subnet-1"]
  ami_type        = "AL2_x86_64"
  instance_types  = ["m5.large", "c5.xlarge"]

  scaling_config {
    desired_size = 2
    max_size     = 4
    min_size     = 1
  }
}
