# An ARM64 thumbnail worker on Fargate, two tasks, everything in one file (no variables.tf).
resource "aws_ecs_cluster" "media" {
  name = "media"
}

resource "aws_ecs_cluster_capacity_providers" "media" {
  cluster_name       = aws_ecs_cluster.media.name
  capacity_providers = ["FARGATE"]
}

resource "aws_ecs_task_definition" "thumbnails" {
  family                   = "thumbnails"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 512
  memory                   = 1024
  container_definitions = jsonencode([
    {
      name      = "thumbnails"
      image     = "public.ecr.aws/docker/library/python:3.12-slim"
      essential = true
    }
  ])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "ARM64"
  }
}

resource "aws_ecs_service" "thumbnails" {
  name            = "thumbnails"
  cluster         = aws_ecs_cluster.media.id
  task_definition = aws_ecs_task_definition.thumbnails.arn
  desired_count   = 2
  launch_type     = "FARGATE"

  network_configuration {
    subnets = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
  }
}
