resource "aws_eks_node_group" "spot" {
  cluster_name   = "main"
  node_role_arn  = "arn:aws:iam::123456789012:role/nodes"
  subnet_ids     = ["subnet-1"]
  capacity_type  = "SPOT"
  instance_types = ["m5.large", "m5a.large"]
  ami_type       = "AL2023_x86_64_STANDARD"

  scaling_config {
    desired_size = 3
    max_size     = 4
    min_size     = 1
  }
}

resource "aws_launch_template" "workers" {
  name_prefix   = "workers-"
  image_id      = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
  instance_type = "c5.large"
}

resource "aws_autoscaling_group" "workers" {
  min_size         = 1
  max_size         = 4
  desired_capacity = 2

  mixed_instances_policy {
    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.workers.id
      }
      override {
        instance_type = "c5.large"
      }
      override {
        instance_type = "c5a.large"
      }
      override {
        instance_type = "c6i.large"
      }
    }
  }
}
