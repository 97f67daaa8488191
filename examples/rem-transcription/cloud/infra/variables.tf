variable "environment" {
  description = "Deployment environment name"
  type        = string
  default     = "dev"
}

variable "enable_ecs_worker" {
  description = "Run the transcription worker on ECS"
  type        = bool
  default     = false
}

variable "enable_ec2_capacity" {
  description = "Provide EC2 capacity for the worker (for a later move to Spot)"
  type        = bool
  default     = false
}

variable "ecs_instance_type" {
  description = "EC2 instance type for ECS capacity"
  type        = string
  default     = "t3.small"
}

variable "ecs_max_instances" {
  description = "Maximum EC2 instances"
  type        = number
  default     = 3
}

variable "worker_cpu" {
  description = "Fargate task CPU units"
  type        = number
  default     = 1024
}

variable "worker_memory" {
  description = "Fargate task memory (MiB)"
  type        = number
}

variable "worker_image" {
  description = "Worker image URI in ECR"
  type        = string
}
