locals {
  name = "rem-transcription-worker-${var.environment}"
}

resource "aws_ecs_cluster" "transcription" {
  name = "rem-transcription-cluster-${var.environment}"
}

resource "aws_cloudwatch_log_group" "worker" {
  name              = "/ecs/${local.name}"
  retention_in_days = 14
}

resource "aws_ecs_task_definition" "worker" {
  family                   = local.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.worker_cpu
  memory                   = var.worker_memory
  execution_role_arn       = aws_iam_role.task_execution.arn
  task_role_arn            = aws_iam_role.worker.arn

  container_definitions = jsonencode([
    {
      name        = "worker"
      image       = "${var.worker_image}:latest"
      essential   = true
      stopTimeout = 120
      environment = [
        { name = "QUEUE_URL", value = aws_sqs_queue.transcription_jobs.url },
        { name = "BUCKET", value = aws_s3_bucket.transcripts.bucket },
        { name = "TABLE", value = aws_dynamodb_table.transcripts.name },
        { name = "WHISPER_MODEL", value = "base" },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.worker.name
          awslogs-region        = "us-east-1"
          awslogs-stream-prefix = "worker"
        }
      }
    }
  ])
}

resource "aws_ecs_service" "worker" {
  count           = var.enable_ecs_worker ? 1 : 0
  name            = local.name
  cluster         = aws_ecs_cluster.transcription.id
  task_definition = aws_ecs_task_definition.worker.arn
  desired_count   = 0
  launch_type     = "FARGATE"

  network_configuration {
    subnets          = data.aws_subnets.private.ids
    assign_public_ip = false
  }

  lifecycle {
    ignore_changes = [desired_count]
  }
}

# Scale the worker on queue depth: one task per visible message, 0..3.
resource "aws_appautoscaling_target" "worker" {
  count              = var.enable_ecs_worker ? 1 : 0
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.transcription.name}/${local.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = 0
  max_capacity       = var.ecs_max_instances
}

resource "aws_appautoscaling_policy" "queue_depth" {
  count              = var.enable_ecs_worker ? 1 : 0
  name               = "${local.name}-queue-depth"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = "ecs"
  resource_id        = aws_appautoscaling_target.worker[0].resource_id
  scalable_dimension = "ecs:service:DesiredCount"

  target_tracking_scaling_policy_configuration {
    target_value       = 1
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    customized_metric_specification {
      metric_name = "ApproximateNumberOfMessagesVisible"
      namespace   = "AWS/SQS"
      statistic   = "Average"
      dimensions {
        name  = "QueueName"
        value = aws_sqs_queue.transcription_jobs.name
      }
    }
  }
}

# EC2 capacity for a later move to Spot (declared, off by default).
resource "aws_launch_template" "ecs_worker" {
  count         = var.enable_ec2_capacity ? 1 : 0
  name_prefix   = "rem-ecs-worker-"
  image_id      = data.aws_ssm_parameter.ecs_ami.value
  instance_type = var.ecs_instance_type
}

resource "aws_autoscaling_group" "ecs_worker" {
  count            = var.enable_ec2_capacity ? 1 : 0
  name             = "rem-ecs-worker-${var.environment}"
  min_size         = 0
  max_size         = var.ecs_max_instances
  desired_capacity = 0

  launch_template {
    id      = aws_launch_template.ecs_worker[0].id
    version = "$Latest"
  }
}

data "aws_ssm_parameter" "ecs_ami" {
  name = "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id"
}

data "aws_subnets" "private" {
  filter {
    name   = "tag:Tier"
    values = ["private"]
  }
}
