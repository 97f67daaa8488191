"""Terraform, CloudFormation/SAM, CDK, Serverless and task-definition JSON."""

from __future__ import annotations

from replatform.model import ComponentKind, Unknown

from .conftest import ScanFiles, attrs, of_kind


def test_terraform_literals_unknowns_and_spans(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "main.tf": 'variable "size" {}\n'
            'locals { arch = "arm64" }\n'
            'resource "aws_instance" "web" {\n'
            "  instance_type = var.size\n"
            "  count         = 2\n"
            "}\n"
            'resource "aws_lambda_function" "fn" {\n'
            "  architectures = [local.arch]\n"
            "  memory_size   = 512\n"
            '  runtime       = "python3.12"\n'
            "}\n"
            'resource "aws_eks_node_group" "ng" {\n'
            '  instance_types = ["m5.large", "c5.xlarge"]\n'
            '  ami_type       = "AL2_x86_64"\n'
            "  scaling_config {\n"
            "    desired_size = 3\n"
            "  }\n"
            "}\n"
        }
    )
    (instance,) = of_kind(report, ComponentKind.EC2_INSTANCE)
    assert attrs(instance) == {
        "resource_type": "aws_instance",
        "instance_type": Unknown("var.size"),
        "instance_count": 2,
    }
    location = instance.attribute("instance_type").location  # type: ignore[union-attr]
    assert (location.line, location.column, location.end_column) == (4, 19, 27)
    (function,) = of_kind(report, ComponentKind.LAMBDA_FUNCTION)
    assert attrs(function)["architecture"] == "arm64"
    assert attrs(function)["memory_mb"] == 512
    (group,) = of_kind(report, ComponentKind.EKS_NODE_GROUP)
    assert attrs(group)["instance_types"] == ("m5.large", "c5.xlarge")
    assert attrs(group)["desired_count"] == 3
    assert [c.name for c in of_kind(report, ComponentKind.RUNTIME)] == ["python 3.12"]


def test_terraform_tfvars_win_over_defaults_and_tf_json(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "infra/vars.tf": 'variable "size" { default = "m5.large" }\n',
            "infra/prod.auto.tfvars": 'size = "m6i.xlarge"\n',
            "infra/main.tf.json": '{"resource": {"aws_instance": {"db": {"instance_type": "${var.size}"}}}}',
            "infra/other.tf": 'resource "aws_instance" "app" { instance_type = "t3.${var.size}" }\n',
        }
    )
    types = {c.name: attrs(c)["instance_type"] for c in of_kind(report, ComponentKind.EC2_INSTANCE)}
    assert types == {"aws_instance.db": "m6i.xlarge", "aws_instance.app": "t3.m6i.xlarge"}


def test_terraform_ecs_runtime_platform_and_service(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "ecs.tf": 'resource "aws_ecs_task_definition" "t" {\n'
            "  cpu = 256\n  memory = 512\n"
            '  runtime_platform {\n    cpu_architecture = "ARM64"\n    operating_system_family = "LINUX"\n  }\n'
            '  container_definitions = jsonencode([{ name = "app", image = "nginx:1.27" }])\n'
            "}\n"
            'resource "aws_ecs_service" "s" {\n'
            "  desired_count = 2\n"
            '  capacity_provider_strategy {\n    capacity_provider = "FARGATE_SPOT"\n    weight = 1\n  }\n'
            '  load_balancer {\n    target_group_arn = aws_lb_target_group.t.arn\n    container_name = "app"\n    container_port = 80\n  }\n'
            "}\n"
        }
    )
    (task,) = of_kind(report, ComponentKind.ECS_TASK_DEFINITION)
    assert attrs(task)["architecture"] == "ARM64"
    assert attrs(task)["os_family"] == "LINUX"
    (image,) = of_kind(report, ComponentKind.CONTAINER_IMAGE)
    assert (image.name, attrs(image)["image"], image.parent) == ("app", "nginx:1.27", task.id)
    (service,) = of_kind(report, ComponentKind.ECS_SERVICE)
    assert attrs(service)["capacity_providers"] == ("FARGATE_SPOT",)
    assert attrs(service)["market"] == "spot"
    assert attrs(service)["load_balanced"] is True


CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Size:
    Type: String
    Default: c5.large
Globals:
  Function:
    Runtime: python3.12
    Architectures: [x86_64]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      MemorySize: 256
  ArmFn:
    Type: AWS::Serverless::Function
    Properties:
      Architectures:
        - arm64
  Host:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: !Ref Size
      ImageId: !GetAtt Lookup.ImageId
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Cpu: "1024"
      Memory: "2048"
      ContainerDefinitions:
        - Name: web
          Image: !Sub "${AWS::AccountId}.dkr.ecr.us-east-1.amazonaws.com/web:latest"
"""


def test_cloudformation_yaml_with_sam_globals_and_tags(scan_files: ScanFiles) -> None:
    report = scan_files({"template.yaml": CFN})
    functions = {c.name: attrs(c) for c in of_kind(report, ComponentKind.LAMBDA_FUNCTION)}
    assert functions["Fn"]["architecture"] == "x86_64"  # from Globals
    assert functions["Fn"]["memory_mb"] == 256
    assert functions["ArmFn"]["architecture"] == "arm64"
    assert functions["ArmFn"]["runtime"] == "python3.12"
    (host,) = of_kind(report, ComponentKind.EC2_INSTANCE)
    assert attrs(host)["instance_type"] == "c5.large"  # !Ref to a parameter default
    assert attrs(host)["image_id"] == Unknown("Fn::GetAtt Lookup.ImageId")
    (task,) = of_kind(report, ComponentKind.ECS_TASK_DEFINITION)
    assert (attrs(task)["cpu"], attrs(task)["memory_mb"]) == ("1024", "2048")
    (image,) = of_kind(report, ComponentKind.CONTAINER_IMAGE)
    assert image.name == "web" and image.location.line == 34


def test_cloudformation_json_and_task_definition_json(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "stack.template": '{"Resources": {"Fn": {"Type": "AWS::Lambda::Function",\n'
            ' "Properties": {"Architectures": ["arm64"], "Runtime": "nodejs20.x"}}}}',
            "taskdef.json": '{"family": "api", "cpu": "512", "memory": "1024",\n'
            ' "runtimePlatform": {"cpuArchitecture": "X86_64"},\n'
            ' "requiresCompatibilities": ["FARGATE"],\n'
            ' "containerDefinitions": [{"name": "api", "image": "python:3.12-slim", "stopTimeout": 30}]}',
        }
    )
    (function,) = of_kind(report, ComponentKind.LAMBDA_FUNCTION)
    assert attrs(function)["architecture"] == "arm64"
    assert [c.name for c in of_kind(report, ComponentKind.RUNTIME)] == ["node 20"]
    (task,) = of_kind(report, ComponentKind.ECS_TASK_DEFINITION)
    assert task.name == "api"
    assert attrs(task)["architecture"] == "X86_64"
    assert attrs(task)["requires_compatibilities"] == ("FARGATE",)
    (image,) = of_kind(report, ComponentKind.CONTAINER_IMAGE)
    assert (attrs(image)["image"], attrs(image)["stop_timeout"], image.location.line) == ("python:3.12-slim", 30, 4)


CDK_TS = """\
import * as cdk from 'aws-cdk-lib';
const SIZE = 'LARGE';
const fn = new lambda.DockerImageFunction(this, 'Img', {
  code: lambda.DockerImageCode.fromImageAsset('./img', { platform: Platform.LINUX_AMD64 }),
  architecture: lambda.Architecture.ARM_64,
});
new ec2.Instance(this, 'Box', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.COMPUTE5, ec2.InstanceSize.XLARGE2), machineImage: ec2.MachineImage.latestAmazonLinux2({ cpuType: ec2.AmazonLinuxCpuType.X86_64 }) });
new autoscaling.AutoScalingGroup(this, 'Asg', { instanceType: new ec2.InstanceType('m5.large'), minCapacity: 2, maxCapacity: size });
cluster.addFargateProfile('Prof', { selectors: [{ namespace: 'default' }] });
new ecs.ApplicationLoadBalancedFargateService(this, 'Web', { cpu: 512, memoryLimitMiB: 1024, desiredCount: 3,
  taskImageOptions: { image: ecs.ContainerImage.fromRegistry('nginx:1.27') } });
"""


def test_cdk_typescript_constructs(scan_files: ScanFiles) -> None:
    report = scan_files({"lib/stack.ts": CDK_TS})
    (function,) = of_kind(report, ComponentKind.LAMBDA_FUNCTION)
    assert attrs(function) == {"construct": "DockerImageFunction", "architecture": "arm64"}
    images = {c.name: attrs(c) for c in of_kind(report, ComponentKind.CONTAINER_IMAGE)}
    assert images["asset:./img/Dockerfile"]["platform"] == "linux/amd64"
    assert images["nginx:1.27"]["image"] == "nginx:1.27"
    (instance,) = of_kind(report, ComponentKind.EC2_INSTANCE)
    assert attrs(instance)["instance_type"] == "c5.2xlarge"
    assert attrs(instance)["ami_cpu_type"] == "x86_64"
    (group,) = of_kind(report, ComponentKind.AUTOSCALING_GROUP)
    assert attrs(group)["instance_type"] == "m5.large"
    assert attrs(group)["max_size"] == Unknown("size")
    assert [c.name for c in of_kind(report, ComponentKind.EKS_FARGATE_PROFILE)] == ["Prof"]
    (service,) = of_kind(report, ComponentKind.ECS_SERVICE)
    assert (attrs(service)["cpu"], attrs(service)["desired_count"], attrs(service)["load_balanced"]) == (512, 3, True)


def test_cdk_typescript_ignored_without_cdk_import(scan_files: ScanFiles) -> None:
    report = scan_files({"src/app.ts": "new Function('return 1');\nconst x = new Instance(a, 'b', {});\n"})
    assert report.components == ()


CDK_PY = """\
from aws_cdk import aws_lambda as _lambda, aws_ecs as ecs, aws_eks as eks
MEMORY = 3008
class Stack:
    def __init__(self):
        _lambda.Function(self, "Py", runtime=_lambda.Runtime.PYTHON_3_11, memory_size=MEMORY,
                         architecture=_lambda.Architecture.X86_64)
        td = ecs.FargateTaskDefinition(self, "Td", cpu=2048, memory_limit_mib=4096,
            runtime_platform=ecs.RuntimePlatform(cpu_architecture=ecs.CpuArchitecture.ARM64))
        td.add_container("c", image=ecs.ContainerImage.from_registry("redis:7"))
        cluster.add_nodegroup_capacity("ng", instance_types=[ec2.InstanceType("c6i.large")],
                                       ami_type=eks.NodegroupAmiType.AL2_X86_64)
"""


def test_cdk_python_constructs(scan_files: ScanFiles) -> None:
    report = scan_files({"app/stack.py": CDK_PY})
    (function,) = of_kind(report, ComponentKind.LAMBDA_FUNCTION)
    assert attrs(function)["memory_mb"] == 3008
    assert attrs(function)["architecture"] == "x86_64"
    (task,) = of_kind(report, ComponentKind.ECS_TASK_DEFINITION)
    assert (attrs(task)["cpu"], attrs(task)["memory_mb"], attrs(task)["architecture"]) == (2048, 4096, "ARM64")
    (image,) = of_kind(report, ComponentKind.CONTAINER_IMAGE)
    assert (image.name, image.parent) == ("c", task.id)
    (group,) = of_kind(report, ComponentKind.EKS_NODE_GROUP)
    assert attrs(group)["instance_types"] == ("c6i.large",)
    assert attrs(group)["ami_type"] == "AL2_X86_64"


def test_serverless_provider_defaults(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: nodejs18.x\n  architecture: x86_64\n"
            "functions:\n  a:\n    handler: a.h\n  b:\n    handler: b.h\n    architecture: arm64\n"
        }
    )
    arches = {c.name: attrs(c)["architecture"] for c in of_kind(report, ComponentKind.LAMBDA_FUNCTION)}
    assert arches == {"a": "x86_64", "b": "arm64"}
