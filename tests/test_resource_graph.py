"""The resource graph: links per format and relation, deployed marking, and how capacity is bought.

Each test here reproduces a defect measured on the code before the graph existed
(a template that yielded nothing, a link that was guessed or missing, a price for
something switched off) and asserts the exact behaviour now.
"""

from __future__ import annotations

from pathlib import Path

from replatform import api
from replatform.graph import Graph
from replatform.model import Component, ComponentKind, Link, LinkKind, Report, Severity, TargetKind, Unknown
from replatform.price.cost import cost_lines
from replatform.price.snapshot import load
from replatform.price.usage import Usage
from replatform.registry.stage import RegistryOptions, targets_by_directory

from .conftest import ScanFiles, attrs, of_kind

SNAPSHOT = load("us-east-1")


def named(report: Report, name: str) -> Component:
    (found,) = [c for c in report.components if c.name == name]
    return found


def links(report: Report, kind: LinkKind, source: Component) -> list[Link]:
    return [link for link in report.links if link.kind is kind and link.source == source.id]


def costs(report: Report, usage: Usage | None = None) -> dict[tuple[str, str], object]:
    return {(line.name, line.target): line for line in cost_lines(report, SNAPSHOT, usage or Usage())}


# --------------------------------------------------------------------- CloudFormation

CFN_TAGGED = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Env:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/api/
      Runtime: python3.12
      MemorySize: !If
        - IsProd
        - 1024
        - 256
      Environment:
        Variables:
          TABLE: !Join
            - "-"
            - - orders
              - !Ref Env
      Policies:
        - !If
          - IsProd
          - Statement: []
          - !Ref AWS::NoValue
  ProdOnly:
    Type: AWS::Lambda::Function
    Condition: IsProd
    Properties:
      Runtime: nodejs22.x
      Code:
        ZipFile: exports.handler = async () => 1;
"""


def test_cloudformation_tagged_block_sequences_no_longer_lose_the_template(scan_files: ScanFiles) -> None:
    # On main the `!If` / `!Join` tags followed by `- item` lines raised TypeError and the template yielded nothing.
    report = scan_files({"template.yaml": CFN_TAGGED, "src/api/app.py": "def handler(e, c): ...\n"})
    assert not [f for f in report.findings if f.rule_id in ("internal-error", "parse-error")]
    api_fn = named(report, "Api")
    assert attrs(api_fn)["memory_mb"] == 256  # !If IsProd (false with Env's default "dev")
    (code,) = links(report, LinkKind.HAS_CODE, api_fn)
    assert (code.target, code.target_kind, code.expression) == ("src/api", TargetKind.FOLDER, "src/api/")
    prod = named(report, "ProdOnly")
    assert (prod.deployed, prod.not_deployed) == (False, "condition IsProd is false (Env defaults to dev)")
    assert ("ProdOnly", "current") not in costs(report)  # declared but not deployed: never priced


def test_x86_placement_of_compute_not_deployed_is_information(assess_files: ScanFiles) -> None:
    report = assess_files({"template.yaml": CFN_TAGGED, "src/api/app.py": "def handler(e, c): ...\n"})
    # ProdOnly's x86 placement is information, not a warning: nothing runs on x86 until IsProd is true
    (placement,) = [f for f in report.findings if f.rule_id == "lambda-x86" and f.subject == "ProdOnly"]
    assert placement.severity is Severity.INFO
    assert placement.message.endswith(
        "; declared but not deployed (condition IsProd is false (Env defaults to dev)), so nothing runs on it today"
    )
    (deployed,) = [f for f in report.findings if f.rule_id == "lambda-x86" and f.subject == "Api"]
    assert deployed.severity is Severity.WARNING


def test_cloudformation_parameter_override_turns_a_condition_on(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(CFN_TAGGED)
    report = api.inventory(str(tmp_path), parameters=(("Env", "prod"),))
    assert named(report, "ProdOnly").deployed
    assert attrs(named(report, "Api"))["memory_mb"] == 1024


CFN_ECS = """\
AWSTemplateFormatVersion: "2010-09-09"
Mappings:
  Sizes:
    small: {Type: c5.large}
Resources:
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Cpu: "1024"
      Memory: "2048"
      RequiresCompatibilities: [FARGATE]
      ContainerDefinitions:
        - Name: web
          Image: !Sub "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/web:1"
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      DesiredCount: 2
      TaskDefinition: !Ref TaskDef
      CapacityProviderStrategy:
        - CapacityProvider: FARGATE
          Base: 1
          Weight: 1
        - CapacityProvider: FARGATE_SPOT
          Weight: 3
  Cluster:
    Type: AWS::ECS::Cluster
  LT:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        InstanceType: !FindInMap [Sizes, small, Type]
  LC:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties:
      InstanceType: m5.large
      ImageId: ami-123
  FromTemplate:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "0"
      MaxSize: "4"
      DesiredCapacity: 2
      LaunchTemplate:
        LaunchTemplateId: !Ref LT
        Version: !GetAtt LT.LatestVersionNumber
  FromConfig:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "1"
      MaxSize: "1"
      DesiredCapacity: 1
      LaunchConfigurationName: !Ref LC
  Mixed:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "0"
      MaxSize: "10"
      DesiredCapacity: 4
      MixedInstancesPolicy:
        InstancesDistribution:
          OnDemandPercentageAboveBaseCapacity: 25
        LaunchTemplate:
          LaunchTemplateSpecification:
            LaunchTemplateId: !Ref LT
            Version: "3"
          Overrides:
            - InstanceType: m5.large
            - InstanceType: m5a.large
  Provider:
    Type: AWS::ECS::CapacityProvider
    Properties:
      AutoScalingGroupProvider:
        AutoScalingGroupArn: !Ref Mixed
  Dangling:
    Type: AWS::ECS::Service
    Properties:
      TaskDefinition: !Ref NoSuchTask
      LaunchType: EC2
"""


def test_cloudformation_links_services_groups_templates_and_providers(scan_files: ScanFiles) -> None:
    report = scan_files({"stack.yaml": CFN_ECS})
    graph = Graph(report)
    service, task = named(report, "Service"), named(report, "TaskDef")
    assert graph.task_of(service) == task  # `TaskDefinition: !Ref TaskDef` (not linked on main)
    strategy = {(p.provider, p.base, p.weight, p.market) for p in graph.purchases(service)}
    assert strategy == {("FARGATE", 1, 1, "on_demand"), ("FARGATE_SPOT", 0, 3, "spot")}
    assert attrs(service)["market"] == "mixed"
    (template_link,) = links(report, LinkKind.LAUNCHES, named(report, "FromTemplate"))
    assert template_link.target == named(report, "LT").id and template_link.expression == "Ref LT"
    assert graph.instance_types(named(report, "FromTemplate")) == ("c5.large",)  # through !FindInMap
    assert graph.instance_types(named(report, "FromConfig")) == ("m5.large",)
    mixed = named(report, "Mixed")
    (mixed_link,) = links(report, LinkKind.LAUNCHES, mixed)
    assert mixed_link.get("overrides") == ("m5.large", "m5a.large") and mixed_link.get("version") == "3"
    assert (attrs(mixed)["on_demand_percentage"], attrs(mixed)["market"]) == (25, "mixed")
    assert graph.targets(named(report, "Provider"), LinkKind.SCALES) == [mixed]
    (dangling,) = links(report, LinkKind.RUNS_TASK, named(report, "Dangling"))
    assert dangling.target == Unknown("Ref NoSuchTask")  # never a guess
    (image,) = of_kind(report, ComponentKind.CONTAINER_IMAGE)
    (image_link,) = links(report, LinkKind.RUNS_IMAGE, image)
    assert isinstance(image_link.target, Unknown) and image_link.target_kind is TargetKind.IMAGE


def test_cloudformation_service_and_groups_are_priced_through_their_links(scan_files: ScanFiles) -> None:
    lines = costs(scan_files({"stack.yaml": CFN_ECS}))
    # 2 tasks: base 1 on FARGATE, the other split 1:3 -> 0.75 on Spot: 37.5 % of the task-hours on Spot.
    service = lines["Service", "current"]
    assert service.resource == "Fargate X86_64 (38% Spot)"  # type: ignore[attr-defined]
    per_hour = 1 * 0.04048 + 2 * 0.004445
    assert service.monthly == round(2 * 730 * per_hour * (1 - 0.6 * 0.375), 2) == 55.86  # type: ignore[attr-defined]
    assert ("TaskDef", "current") not in lines  # carried by its service, not priced again as a run-on-demand task
    assert lines["FromTemplate", "current"].monthly == round(2 * 730 * 0.085, 2)  # type: ignore[attr-defined]
    assert lines["FromConfig", "current"].resource == "m5.large"  # type: ignore[attr-defined]
    dangling = lines["Dangling", "current"]  # priced through its capacity, which is not linked: n/a, never as Fargate
    assert dangling.note == "n/a: runs on EC2 capacity (EC2): priced through the cluster's instances (not linked)"  # type: ignore[attr-defined]
    assert dangling.applicable is False  # type: ignore[attr-defined]


# --------------------------------------------------------------------- Terraform

TF_MAIN = """\
variable "enabled" {
  type    = bool
  default = false
}
variable "ami_id" { default = "" }
variable "ami_type" { default = "AL2_ARM_64" }
variable "size" { default = "t3.small" }
variable "zones" { default = ["a", "b"] }

locals {
  prefix = "${local.env}-worker"
  env    = "dev"
  type   = lower(upper(var.size))
}

resource "aws_launch_template" "worker" {
  count         = var.enabled ? 1 : 0
  name_prefix   = local.prefix
  instance_type = local.type
}

resource "aws_autoscaling_group" "worker" {
  count            = var.enabled ? 1 : 0
  desired_capacity = 2
  launch_template {
    id      = aws_launch_template.worker[0].id
    version = "$Latest"
  }
}

resource "aws_autoscaling_group" "mixed" {
  for_each         = toset(var.zones)
  desired_capacity = 1
  mixed_instances_policy {
    instances_distribution {
      on_demand_percentage_above_base_capacity = 0
    }
    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.shared[each.key].id
      }
      override {
        instance_type = "c5.large"
      }
      override {
        instance_type = "c5a.large"
      }
    }
  }
}

resource "aws_launch_template" "shared" {
  for_each      = toset(var.zones)
  instance_type = "c5.large"
}

resource "aws_eks_node_group" "ng" {
  ami_type       = var.ami_id != "" ? null : var.ami_type
  capacity_type  = "SPOT"
  instance_types = ["m6g.large"]
  scaling_config {
    desired_size = 2
  }
}

resource "aws_instance" "spot" {
  instance_type = "m5.large"
  instance_market_options {
    market_type = "spot"
  }
}

resource "aws_ecs_service" "on_ec2" {
  task_definition = aws_ecs_task_definition.app.arn
  launch_type     = "EC2"
  desired_count   = 1
}

resource "aws_ecs_service" "dangling" {
  task_definition = aws_ecs_task_definition.missing.arn
  desired_count   = 1
}

resource "aws_ecs_task_definition" "app" {
  cpu    = 256
  memory = 512
  container_definitions = jsonencode([{ name = "app", image = "nginx:1.27" }])
}
"""


def test_terraform_count_for_each_and_links(scan_files: ScanFiles) -> None:
    report = scan_files({"infra/main.tf": TF_MAIN})
    graph = Graph(report)
    group, template = named(report, "aws_autoscaling_group.worker"), named(report, "aws_launch_template.worker")
    for switched_off in (group, template):
        assert not switched_off.deployed
        assert switched_off.not_deployed == (
            "count = var.enabled ? 1 : 0 is 0 (enabled = false from default in infra/main.tf)"
        )
    (link,) = links(report, LinkKind.LAUNCHES, group)  # `aws_launch_template.worker[0].id`
    assert link.target == template.id and link.get("version") == "$Latest"
    assert attrs(template)["instance_type"] == "t3.small"  # lower(upper(var.size)) through a chain of locals
    mixed = named(report, "aws_autoscaling_group.mixed")
    assert attrs(mixed)["count"] == 2  # for_each over two zones
    (mixed_link,) = links(report, LinkKind.LAUNCHES, mixed)  # `aws_launch_template.shared[each.key].id`
    assert mixed_link.target == named(report, "aws_launch_template.shared").id
    assert mixed_link.get("overrides") == ("c5.large", "c5a.large")  # both repeated blocks kept
    assert attrs(mixed)["instance_type"] == ("c5.large", "c5a.large")
    assert attrs(mixed)["market"] == "spot"  # 0 % on demand above the base
    node_group = named(report, "aws_eks_node_group.ng")
    assert attrs(node_group)["ami_type"] == "AL2_ARM_64"  # a conditional with literal operands
    assert attrs(node_group)["market"] == "spot"
    assert attrs(named(report, "aws_instance.spot"))["market"] == "spot"
    assert graph.task_of(named(report, "aws_ecs_service.on_ec2")) == named(report, "aws_ecs_task_definition.app")
    (dangling,) = links(report, LinkKind.RUNS_TASK, named(report, "aws_ecs_service.dangling"))
    assert dangling.target == Unknown("aws_ecs_task_definition.missing.arn")
    (default_launch,) = links(report, LinkKind.BUYS_CAPACITY, named(report, "aws_ecs_service.dangling"))
    assert (default_launch.target, default_launch.expression) == (
        "EC2",
        "launch_type not set (Terraform defaults to EC2)",
    )


def test_terraform_costs_follow_how_capacity_is_bought(scan_files: ScanFiles) -> None:
    report = scan_files({"infra/main.tf": TF_MAIN})
    lines = costs(report, Usage(components={"aws_autoscaling_group.worker": {"instances": 1}}))
    assert ("aws_autoscaling_group.worker", "current") not in lines  # count = 0: never priced, usage or not
    on_ec2 = lines["aws_ecs_service.on_ec2", "current"]
    assert on_ec2.monthly is None and on_ec2.resource == "ECS on EC2 (EC2)"  # type: ignore[attr-defined]
    # bought as Spot today: 730 h x $0.096 x (1 - 66 %), m5.large's own advertised savings in the Spot Instance Advisor
    spot = lines["aws_instance.spot", "current"]
    assert (spot.monthly, spot.resource) == (round(730 * 0.096 * 0.34, 2), "m5.large")  # type: ignore[attr-defined]
    assert "66% advertised Spot savings, 15-20% interruptions" in spot.formula  # type: ignore[attr-defined]
    assert lines["aws_instance.spot", "spot"].monthly == spot.monthly  # type: ignore[attr-defined]  # nothing left to save
    assert "app" not in {name for name, _t in lines}  # the task definition is carried by its service


def test_terraform_var_files_as_terraform_loads_them(scan_files: ScanFiles, tmp_path: Path) -> None:
    files = {
        "infra/main.tf": 'variable "size" { default = "t3.small" }\n'
        'variable "arch" { default = "x86_64" }\n'
        'resource "aws_instance" "app" { instance_type = var.size }\n'
        'resource "aws_lambda_function" "fn" { architectures = [var.arch] }\n',
        "infra/prod.tfvars": 'size = "m5.4xlarge"\n',
        "infra/a.tfvars": 'size = "c5.large"\n',
        "infra/terraform.tfvars.json": '{"arch": "arm64"}',
        "infra/x.auto.tfvars": 'size = "m6i.large"\n',
        "infra/y.auto.tfvars.json": '{"size": "m7i.large"}',
    }
    report = scan_files(files)
    # terraform.tfvars.json applies; *.auto.tfvars(.json) in lexical order (y wins); prod.tfvars and a.tfvars do not.
    assert attrs(named(report, "aws_instance.app"))["instance_type"] == "m7i.large"
    assert attrs(named(report, "aws_lambda_function.fn"))["architecture"] == "arm64"
    (note,) = [f for f in report.findings if f.rule_id == "terraform-var-files"]
    assert note.message == (
        "Terraform variables for infra/ come from terraform.tfvars.json, x.auto.tfvars, y.auto.tfvars.json; "
        "not applied: a.tfvars, prod.tfvars (Terraform loads them only with -var-file; pass --var-file)"
    )
    chosen = api.inventory(str(tmp_path), var_files=("infra/prod.tfvars",))
    assert attrs(named(chosen, "aws_instance.app"))["instance_type"] == "m5.4xlarge"  # --var-file comes last


def test_terraform_local_modules_are_followed_with_their_inputs(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "envs/prod/main.tf": 'module "api" {\n  source = "../../modules/service"\n  arch   = "X86_64"\n  cpu    = 512\n}\n',
            "modules/service/variables.tf": 'variable "arch" { default = "ARM64" }\nvariable "cpu" {}\n',
            "modules/service/main.tf": 'resource "aws_ecs_task_definition" "this" {\n  cpu    = var.cpu\n  memory = 1024\n'
            "  runtime_platform {\n    cpu_architecture = var.arch\n  }\n}\n",
        }
    )
    # The module folder is only ever called, so it is not a root of its own: one task definition, from the call.
    (task,) = of_kind(report, ComponentKind.ECS_TASK_DEFINITION)
    assert task.name == "module.api.aws_ecs_task_definition.this"
    assert (attrs(task)["architecture"], attrs(task)["cpu"], attrs(task)["module"]) == ("X86_64", 512, "module.api")
    where = task.attribute("architecture").location  # type: ignore[union-attr]
    assert (where.path, where.line) == ("envs/prod/main.tf", 3)  # the module call is the place to change


def test_terraform_module_outputs_link_to_the_resources_inside(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "main.tf": 'module "task" {\n  source = "./modules/task"\n}\n'
            'module "capacity" {\n  source = "./modules/capacity"\n}\n'
            'resource "aws_ecs_service" "worker" {\n  task_definition = module.task.arn\n'
            "  capacity_provider_strategy {\n    capacity_provider = module.capacity.provider_name\n"
            "    weight            = 1\n  }\n}\n",
            "modules/task/main.tf": 'resource "aws_ecs_task_definition" "this" {\n  family = "w"\n  cpu = 256\n'
            '  memory = 512\n}\noutput "arn" { value = aws_ecs_task_definition.this.arn }\n',
            # an output that passes a nested module's output on
            "modules/capacity/main.tf": 'module "asg" {\n  source = "../asg"\n}\n'
            'resource "aws_ecs_capacity_provider" "this" {\n  name = "spot"\n'
            "  auto_scaling_group_provider {\n    auto_scaling_group_arn = module.asg.arn\n  }\n}\n"
            'output "provider_name" { value = aws_ecs_capacity_provider.this.name }\n',
            "modules/asg/main.tf": 'resource "aws_autoscaling_group" "this" {\n  min_size = 0\n  max_size = 3\n}\n'
            'output "arn" { value = aws_autoscaling_group.this.arn }\n',
        }
    )
    service = named(report, "aws_ecs_service.worker")
    (runs,) = links(report, LinkKind.RUNS_TASK, service)
    assert (runs.target, runs.expression, runs.location.line) == (
        "ecs_task_definition:modules/task/main.tf#module.task.aws_ecs_task_definition.this",
        "module.task.arn",
        8,
    )
    (bought,) = links(report, LinkKind.BUYS_CAPACITY, service)
    provider = named(report, "module.capacity.aws_ecs_capacity_provider.this")
    assert (bought.target, bought.target_kind) == (provider.id, TargetKind.COMPONENT)
    (scales,) = links(report, LinkKind.SCALES, provider)
    assert (
        scales.target == "autoscaling_group:modules/asg/main.tf#module.capacity.module.asg.aws_autoscaling_group.this"
    )


def test_each_module_instance_has_its_own_containers(scan_files: ScanFiles) -> None:
    module = (
        'variable "image" {}\nresource "aws_ecs_task_definition" "this" {\n  family = "t"\n  cpu = 256\n'
        '  memory = 512\n  container_definitions = jsonencode([{ name = "w", image = var.image }])\n}\n'
    )
    report = scan_files(
        {
            "main.tf": 'module "a" {\n  source = "./modules/task"\n  image  = "acme/a:1"\n}\n'
            'module "b" {\n  source = "./modules/task"\n  image  = "acme/b:1"\n}\n',
            "modules/task/main.tf": module,
        }
    )
    containers = sorted((c.name, c.parent, c.get("image")) for c in of_kind(report, ComponentKind.CONTAINER_IMAGE))
    # on main both were container_image:modules/task/main.tf#w, so each task saw both images
    assert containers == [
        ("module.a.w", "ecs_task_definition:modules/task/main.tf#module.a.aws_ecs_task_definition.this", "acme/a:1"),
        ("module.b.w", "ecs_task_definition:modules/task/main.tf#module.b.aws_ecs_task_definition.this", "acme/b:1"),
    ]
    assert len({c.id for c in report.components}) == len(report.components)


def test_two_task_definitions_with_a_container_of_the_same_name_keep_apart(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "main.tf": 'resource "aws_ecs_task_definition" "a" {\n  family = "a"\n'
            '  container_definitions = jsonencode([{ name = "app", image = "acme/a:1" }])\n}\n'
            'resource "aws_ecs_task_definition" "b" {\n  family = "b"\n'
            '  container_definitions = jsonencode([{ name = "app", image = "acme/b:1" }])\n}\n',
        }
    )
    containers = sorted((c.id, c.get("image")) for c in of_kind(report, ComponentKind.CONTAINER_IMAGE))
    # on main both were container_image:main.tf#app; the second is named after its task definition now
    assert containers == [
        ("container_image:main.tf#app", "acme/a:1"),
        ("container_image:main.tf#aws_ecs_task_definition.b/app", "acme/b:1"),
    ]
    images = {(link.source, link.expression) for link in report.links if link.kind is LinkKind.RUNS_IMAGE}
    assert images == {
        ("container_image:main.tf#app", "acme/a:1"),
        ("container_image:main.tf#aws_ecs_task_definition.b/app", "acme/b:1"),
    }


# --------------------------------------------------------------------- CDK


def test_cdk_values_read_from_constants_record_where_the_constant_is_set(scan_files: ScanFiles, tmp_path: Path) -> None:
    """`Attribute.origin`: the assignment a prop's value comes from (module and class constants, a chain of
    names), so migrate edits the value there; a value written in place, or an if/else, has none."""
    report = scan_files(
        {
            "app.py": "import aws_cdk as cdk\nfrom aws_cdk import aws_ec2 as ec2, aws_lambda as _lambda\n"
            'ARCH = _lambda.Architecture.X86_64\nBASE = "m5.large"\nSIZE = BASE\n'
            "class S(cdk.Stack):\n"
            '    TYPE = "c5.large"\n'
            "    def __init__(self, scope, id):\n"
            '        ec2.Instance(self, "A", instance_type=ec2.InstanceType(SIZE))\n'
            '        ec2.Instance(self, "B", instance_type=ec2.InstanceType(self.TYPE))\n'
            '        ec2.Instance(self, "C", instance_type=ec2.InstanceType("t3.micro"))\n'
            '        _lambda.Function(self, "F", runtime=_lambda.Runtime.PYTHON_3_12, handler="i.h", '
            "architecture=ARCH)\n",
            "lib/stack.ts": "import * as ec2 from 'aws-cdk-lib/aws-ec2';\nconst INSTANCE = 'c5.xlarge';\n"
            "export class S {\n  constructor() {\n"
            "    new ec2.Instance(this, 'D', { instanceType: new ec2.InstanceType(INSTANCE) });\n  }\n}\n",
        }
    )

    def origin(name: str, attribute: str) -> tuple[str, int, str] | None:
        (component,) = [c for c in report.components if c.name == name]
        found = component.attribute(attribute)
        assert found is not None and found.location is not None
        where = found.origin
        if where is None:
            return None
        text = (tmp_path / where.path).read_bytes()[where.start_byte : where.end_byte].decode()
        return where.path, where.line, text

    assert origin("A", "instance_type") == ("app.py", 4, '"m5.large"')  # SIZE = BASE = "m5.large"
    assert origin("B", "instance_type") == ("app.py", 7, '"c5.large"')
    assert origin("C", "instance_type") is None
    assert origin("F", "architecture") == ("app.py", 3, "_lambda.Architecture.X86_64")
    assert origin("D", "instance_type") == ("lib/stack.ts", 2, "'c5.xlarge'")


CDK_PY = """\
import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2, aws_ecs as ecs, aws_ecs_patterns as ecs_patterns, aws_batch as batch

MEMORY = 2048


class Stack(cdk.Stack):
    CPU = 1024

    def __init__(self, scope, id, prod):
        super().__init__(scope, id)
        task = ecs.FargateTaskDefinition(self, "Task", cpu=Stack.CPU, memory_limit_mib=MEMORY)
        task.add_container(id="web", image=ecs.ContainerImage.from_registry("nginx:1.27"))
        if prod:
            size = ec2.InstanceType("m5.xlarge")
        else:
            size = ec2.InstanceType("m5.large")
        ec2.Instance(self, "Host", instance_type=size)
        ecs_patterns.ApplicationLoadBalancedFargateService(
            self, "Web", cpu=512, memory_limit_mib=1024,
            task_image_options=ecs_patterns.ApplicationLoadBalancedTaskImageOptions(
                image=ecs.ContainerImage.from_registry("nginx:1.27")
            ),
        )
        batch.CfnComputeEnvironment(
            self, "Batch", type="MANAGED",
            compute_resources=batch.CfnComputeEnvironment.ComputeResourcesProperty(
                type="SPOT", instance_types=["c5.xlarge"], maxv_cpus=64
            ),
        )
"""


def test_cdk_python_keywords_branches_patterns_constants_and_l1(assess_files: ScanFiles) -> None:
    report = assess_files({"app/stack.py": CDK_PY})
    assert not [f for f in report.findings if f.rule_id in ("internal-error", "parse-error")]
    task = named(report, "Task")
    assert (attrs(task)["cpu"], attrs(task)["memory_mb"]) == (1024, 2048)  # class and module constants
    (web,) = [c for c in of_kind(report, ComponentKind.CONTAINER_IMAGE) if c.name == "web"]
    assert web.parent == task.id  # add_container(id=..., image=...) raised IndexError on main
    host = named(report, "Host")
    assert attrs(host)["instance_type"] == Unknown("size")  # assigned in both branches: never the last one
    service, implicit = named(report, "Web"), named(report, "Web/TaskDef")
    assert Graph(report).task_of(service) == implicit
    assert (attrs(implicit)["cpu"], attrs(implicit)["memory_mb"]) == (512, 1024)
    assert implicit.location == service.location  # the construct is the place to change
    (x86,) = [f for f in report.findings if f.rule_id == "ecs-task-x86" and f.subject == "Web/TaskDef"]
    assert "the default, as no runtime platform is set" in x86.message
    batch_env = named(report, "Batch")
    assert batch_env.kind is ComponentKind.BATCH_COMPUTE_ENVIRONMENT
    assert (attrs(batch_env)["instance_types"], attrs(batch_env)["market"]) == (("c5.xlarge",), "spot")


CDK_TS = """\
import * as cdk from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as path from 'path';

const config = { cpu: 2048, memory: 4096 };

export class Stack extends cdk.Stack {
  static readonly ARCH = ecs.CpuArchitecture.ARM64;
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
    let memory = 128;
    if (process.env.PROD) {
      memory = 1024;
    }
    new lambda.Function(this, 'Fn', {
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: 'app.handler',
      memorySize: memory,
      code: lambda.Code.fromAsset(path.join(__dirname, '../functions/fn')),
    });
    const task = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: config.cpu,
      memoryLimitMiB: config.memory,
      runtimePlatform: { cpuArchitecture: Stack.ARCH },
    });
    task.addContainer('web', { image: ecs.ContainerImage.fromAsset('services/web') });
  }
}
"""


def test_cdk_typescript_constants_branches_and_folders(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "infra/lib/stack.ts": CDK_TS,
            "infra/functions/fn/app.py": "def handler(e, c): ...\n",
            "services/web/Dockerfile": "FROM python:3.12-slim\n",
        }
    )
    function = named(report, "Fn")
    assert attrs(function)["memory_mb"] == Unknown("memory")  # reassigned in an if: no single value
    (code,) = links(report, LinkKind.HAS_CODE, function)
    assert (code.target, code.target_kind) == ("infra/functions/fn", TargetKind.FOLDER)
    task = named(report, "Task")
    assert (attrs(task)["cpu"], attrs(task)["memory_mb"], attrs(task)["architecture"]) == (2048, 4096, "ARM64")
    (web,) = [c for c in of_kind(report, ComponentKind.CONTAINER_IMAGE) if c.name == "web"]
    (image,) = links(report, LinkKind.RUNS_IMAGE, web)
    assert (image.target, image.get("dockerfile")) == ("services/web", "Dockerfile")  # resolved from the app root


def test_cdk_fargate_spot_service_is_reported_as_bought() -> None:
    from .conftest import EXAMPLES

    report = api.inventory(str(EXAMPLES / "ai-studio"))
    service = named(report, "Service")
    (bought,) = links(report, LinkKind.BUYS_CAPACITY, service)
    assert (bought.target, bought.target_kind, bought.get("weight")) == ("FARGATE_SPOT", TargetKind.NAME, 1)
    (line,) = [line for line in cost_lines(report, SNAPSHOT, Usage()) if line.name == "Service"]
    assert line.resource == "bought as FARGATE_SPOT"


# --------------------------------------------------------------------- Serverless, Helm, Lambda


def test_serverless_other_clouds_are_not_lambda(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "azure/serverless.yml": "service: a\nprovider:\n  name: azure\nfunctions:\n  hello:\n    handler: src/h.main\n",
            "aws/serverless.yml": "service: b\nprovider:\n  name: aws\n  runtime: python3.12\n"
            "functions:\n  hello:\n    handler: src/handlers/h.main\n",
            "aws/src/handlers/h.py": "def main(e, c): ...\n",
        }
    )
    (function,) = of_kind(report, ComponentKind.LAMBDA_FUNCTION)
    assert function.location.path == "aws/serverless.yml"
    (code,) = links(report, LinkKind.HAS_CODE, function)
    assert code.target == "aws/src/handlers"
    (note,) = [f for f in report.findings if f.rule_id == "iac-not-aws"]
    assert note.location.path == "azure/serverless.yml" and "'azure'" in note.message


def test_helm_templates_are_not_parse_errors(scan_files: ScanFiles) -> None:
    template = (
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n  {{- if .Values.x }}\n"
    )
    report = scan_files(
        {
            "charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 1.0.0\n",
            "charts/api/values.yaml": "image: nginx:1.27\n",
            "charts/api/templates/deployment.yaml": template,
            "charts/api/templates/service.yaml": template,
        }
    )
    assert not [f for f in report.findings if f.rule_id == "parse-error"]
    (note,) = [f for f in report.findings if f.rule_id == "helm-template"]
    assert (
        note.message
        == "Helm chart api (charts/api/): 2 template(s) not evaluated; values read from charts/api/values.yaml"
    )
    (image,) = of_kind(report, ComponentKind.CONTAINER_IMAGE)
    assert image.name == "nginx:1.27"


def test_lambda_python_target_comes_from_its_runtime_os(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "template.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
            "  New:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: new/\n      Runtime: python3.12\n"
            "  Old:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: old/\n      Runtime: python3.11\n",
            "new/requirements.txt": "numpy==2.1.3\n",
            "old/requirements.txt": "numpy==2.1.3\n",
        }
    )
    targets = targets_by_directory(report, RegistryOptions(offline=True))
    # a runtime's line is its newest patch (knowledge/runtime_releases.json)
    assert (targets["new"].python, targets["new"].libc_version) == ("3.12.14", "2.34")
    assert targets["new"].origin == (
        "Lambda python3.12 runs on Amazon Linux 2023 (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html)"
    )
    assert (targets["old"].python, targets["old"].libc_version) == ("3.11.16", "2.26")


def test_lambda_runtimes_without_arm64_say_so(assess_files: ScanFiles) -> None:
    report = assess_files(
        {
            "main.tf": 'resource "aws_lambda_function" "go" {\n  runtime = "go1.x"\n}\n'
            'resource "aws_lambda_function" "py" {\n  runtime = "python3.7"\n}\n'
        }
    )
    messages = {f.subject: f.message for f in report.findings if f.rule_id == "lambda-runtime-no-arm64"}
    assert messages == {
        "aws_lambda_function.go": "Lambda function aws_lambda_function.go uses go1.x (Amazon Linux), for which Lambda "
        "has no arm64: move to provided.al2023 first",
        "aws_lambda_function.py": "Lambda function aws_lambda_function.py uses python3.7 (Amazon Linux), for which "
        "Lambda has no arm64: move to python3.13 first",
    }
    assert not [f for f in report.findings if f.rule_id == "runtime-below-arm64-minimum"]  # the wrong reason on main


def test_compose_and_kubernetes_link_their_images(scan_files: ScanFiles) -> None:
    report = scan_files(
        {
            "docker-compose.yml": "services:\n  api:\n    build:\n      context: ./api\n      dockerfile: Dockerfile.prod\n"
            "  cache:\n    image: redis:7\n  broken:\n    build: ./missing\n",
            "api/Dockerfile.prod": "FROM python:3.12-slim\n",
            "k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
            "    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n",
        }
    )
    targets = {
        link.source.rsplit("#", 1)[1]: (link.target, link.target_kind)
        for link in report.links
        if link.kind is LinkKind.RUNS_IMAGE
    }
    assert targets == {
        "api": ("api", TargetKind.FOLDER),
        "cache": ("redis:7", TargetKind.IMAGE),
        "broken": (Unknown("./missing"), TargetKind.FOLDER),  # a build folder that is not there
        "nginx:1.27": ("nginx:1.27", TargetKind.IMAGE),
    }


def test_text_report_marks_what_is_not_deployed(scan_files: ScanFiles) -> None:
    from replatform.report.text import TextReporter

    report = scan_files({"infra/main.tf": TF_MAIN})
    text = TextReporter().render(report)
    assert (
        "aws_autoscaling_group.worker  (desired_count=2)  [not deployed: count = var.enabled ? 1 : 0 is 0 "
        "(enabled = false from default in infra/main.tf)]" in text
    )
