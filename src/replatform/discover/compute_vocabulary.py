"""The attribute names every IaC parser uses for compute components.

Terraform says ``memory_size``, CloudFormation ``MemorySize`` and CDK
``memorySize``; later stages should not care. Each IaC format maps its own
property paths onto these canonical names through a table in its module.
"""

from __future__ import annotations

ARCHITECTURE = "architecture"  # as written: x86_64 / arm64 / X86_64 / ARM64
MEMORY_MB = "memory_mb"
CPU = "cpu"  # ECS CPU units or vCPU string, as written
RUNTIME = "runtime"
TIMEOUT = "timeout"
PACKAGE_TYPE = "package_type"
IMAGE = "image"
HANDLER = "handler"
OS_FAMILY = "os_family"
COMPATIBILITIES = "requires_compatibilities"
LAUNCH_TYPE = "launch_type"
DESIRED_COUNT = "desired_count"
MIN_SIZE = "min_size"
MAX_SIZE = "max_size"
CAPACITY_PROVIDERS = "capacity_providers"  # every provider of the strategy, in order
MARKET = "market"  # how capacity is bought: on_demand | spot | mixed
ON_DEMAND_PERCENTAGE = "on_demand_percentage"  # ASG mixed instances: on-demand share above the base
ON_DEMAND_BASE = "on_demand_base"
PLATFORM_VERSION = "platform_version"
TASK_DEFINITION = "task_definition"
INSTANCE_TYPE = "instance_type"
INSTANCE_TYPES = "instance_types"
INSTANCE_COUNT = "instance_count"
IMAGE_ID = "image_id"
USER_DATA = "user_data"  # the boot script (its text, or the expression that builds it)
AMI_TYPE = "ami_type"
CAPACITY_TYPE = "capacity_type"
MARKET_TYPE = "market_type"
SPOT_PRICE = "spot_price"
COMPUTE_TYPE = "compute_type"
MAX_VCPUS = "max_vcpus"
PLATFORM = "platform"
LOAD_BALANCED = "load_balanced"
STOP_TIMEOUT = "stop_timeout"
COMMAND = "command"  # a container definition's command (replaces the image's CMD)
ENTRY_POINT = "entry_point"  # a container definition's entryPoint (replaces the image's ENTRYPOINT)
INIT_PROCESS = "init_process_enabled"  # linuxParameters.initProcessEnabled: an init forwards signals as PID 1
VISIBILITY_TIMEOUT = "visibility_timeout_seconds"  # SQS queue
RECEIVE_WAIT_SECONDS = "receive_wait_time_seconds"  # SQS queue: long polling for every receive
MAX_RECEIVE_COUNT = "max_receive_count"  # SQS redrive policy: receives before the dead-letter queue
SCALING_MIN = "scaling_min"  # Application Auto Scaling bounds of a service's task count
SCALING_MAX = "scaling_max"
ESSENTIAL = "essential"  # a container whose exit stops the task (ECS default: true)
DEREGISTRATION_DELAY = "deregistration_delay"  # seconds a target group drains a deregistered target
FORCE_NEW_DEPLOYMENT = "force_new_deployment"
