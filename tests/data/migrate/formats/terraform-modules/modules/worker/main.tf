resource "aws_launch_template" "lt" {
  name_prefix   = "worker"
  instance_type = var.instance_type
}

resource "aws_ecs_task_definition" "t" {
  family                   = "worker"
  requires_compatibilities = ["FARGATE"]
  cpu                      = 512
  memory                   = 1024
  container_definitions    = jsonencode([{ name = "w", image = "nginx:1.25" }])
  runtime_platform {
    cpu_architecture        = var.arch
    operating_system_family = "LINUX"
  }
}
