# A web app on x86 Fargate behind an ALB: one task, a cluster that already has FARGATE associated.
variable "subnets" {
  type = list(string)
}

variable "vpc_id" {
  type = string
}

resource "aws_ecs_cluster" "web" {
  name = "web"
}

resource "aws_ecs_cluster_capacity_providers" "web" {
  cluster_name       = aws_ecs_cluster.web.name
  capacity_providers = ["FARGATE"]
}

resource "aws_lb_target_group" "web" {
  name        = "web"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id
}

resource "aws_ecs_task_definition" "web" {
  family                   = "web"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 512
  memory                   = 1024

  container_definitions = jsonencode([
    {
      name        = "web"
      image       = "public.ecr.aws/nginx/nginx:1.27"
      essential   = true
      stopTimeout = 180
      portMappings = [{ containerPort = 8080 }]
    },
    {
      name      = "log-router"
      image     = "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"
      essential = false
    }
  ])
}

resource "aws_ecs_service" "web" {
  name            = "web"
  cluster         = aws_ecs_cluster.web.id
  task_definition = aws_ecs_task_definition.web.arn
  desired_count   = 1
  launch_type     = "FARGATE"

  network_configuration {
    subnets = var.subnets
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.web.arn
    container_name   = "web"
    container_port   = 8080
  }
}
