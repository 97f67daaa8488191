# Services Fargate Spot cannot take, and ones it need not touch.
resource "aws_ecs_cluster" "main" {
  name = "main"
}

resource "aws_ecs_task_definition" "windows" {
  family                   = "reports"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 1024
  memory                   = 2048
  container_definitions    = jsonencode([{ name = "reports", image = "mcr.microsoft.com/windows/servercore:ltsc2022" }])

  runtime_platform {
    operating_system_family = "WINDOWS_SERVER_2022_CORE"
    cpu_architecture        = "X86_64"
  }
}

resource "aws_ecs_service" "windows" {
  name            = "reports"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.windows.arn
  desired_count   = 2
  launch_type     = "FARGATE"
}

resource "aws_ecs_task_definition" "legacy" {
  family                   = "legacy"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  container_definitions    = jsonencode([{ name = "legacy", image = "public.ecr.aws/docker/library/busybox:1.36" }])
}

resource "aws_ecs_service" "legacy" {
  name             = "legacy"
  cluster          = aws_ecs_cluster.main.id
  task_definition  = aws_ecs_task_definition.legacy.arn
  desired_count    = 2
  launch_type      = "FARGATE"
  platform_version = "1.2.0"
}

resource "aws_ecs_task_definition" "graviton" {
  family                   = "thumbnails"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  container_definitions    = jsonencode([{ name = "thumbnails", image = "public.ecr.aws/docker/library/python:3.12-slim" }])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "ARM64"
  }
}

resource "aws_ecs_service" "graviton" {
  name            = "thumbnails"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.graviton.arn
  desired_count   = 2
  launch_type     = "FARGATE"
}

resource "aws_ecs_task_definition" "cache" {
  family                   = "cache"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  container_definitions    = jsonencode([{ name = "redis", image = "public.ecr.aws/docker/library/redis:7.2" }])
}

resource "aws_ecs_service" "cache" {
  name            = "cache"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.cache.arn
  desired_count   = 2
  launch_type     = "FARGATE"
}

resource "aws_ecs_service" "on_ec2" {
  name            = "batch"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.legacy.arn
  desired_count   = 1
  launch_type     = "EC2"
}

resource "aws_eks_fargate_profile" "jobs" {
  cluster_name           = "jobs"
  fargate_profile_name   = "jobs"
  pod_execution_role_arn = "arn:aws:iam::123456789012:role/pods"
  subnet_ids             = ["subnet-0abc"]

  selector {
    namespace = "jobs"
  }
}
