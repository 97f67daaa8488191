"""``replatform migrate --target spot``: Fargate -> Fargate Spot per ECS service, in Terraform, CloudFormation
(YAML, JSON) and CDK (TypeScript, Python). Golden diffs (reviewed line by line), the strategy chosen from each
service's redundancy (recomputed here by hand), refusals with their sources, the Terraform replacement warning,
the structural Terraform check, the re-scan expectations, apply and a second run that changes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from replatform import api, cli
from replatform.graph import Graph
from replatform.migrate import apply as applying
from replatform.migrate.apply import MigrateOptions, Outcome
from replatform.migrate.render import patch, render_json, render_text
from replatform.migrate.targets import Expectation, Proposal
from replatform.migrate.targets.capacity.rollout import highest_major
from replatform.migrate.targets.capacity.service import ServiceView
from replatform.migrate.targets.graviton.context import Syntax
from replatform.migrate.targets.spot import redundancy
from replatform.migrate.targets.spot.refusals import partition
from replatform.migrate.terraform_check import NOT_RUN, check_module
from replatform.migrate.validate import Status
from replatform.model import Applicability, Attribute, Component, ComponentKind, Edit, Fix, Location

from .conftest import EXAMPLES, ROOT

GOLDEN = ROOT / "tests" / "golden" / "migrate"
SPOT = ROOT / "tests" / "data" / "migrate" / "spot"
U, M = Applicability.UNSAFE, Applicability.MANUAL

#: Every Spot case: (root, [(component name, label)] of every fix in order, validators that must have passed).
CASES: dict[str, tuple[Path, list[tuple[str, Applicability]], set[str]]] = {
    "aftersales-graph": (EXAMPLES / "aftersales-graph", [("ApiService", U)], set()),
    "rem-transcription": (EXAMPLES / "rem-transcription", [("aws_ecs_service.worker", U)], {"terraform"}),
    "ticket-api": (EXAMPLES / "ticket-api", [("ApiService", U), ("WorkerService", U)], {"cfn-lint"}),
    "terraform-web": (SPOT / "terraform-web", [("aws_ecs_service.web", U)], {"terraform"}),
    "cloudformation-json": (SPOT / "cloudformation-json", [("Service", U)], {"cfn-lint"}),
    "cdk-python": (SPOT / "cdk-python", [("WebService", U)], set()),
    "refusals": (
        SPOT / "refusals",
        [
            ("aws_ecs_service.cache", M),
            ("aws_ecs_service.graviton", U),
            ("aws_ecs_service.legacy", M),
            ("aws_ecs_service.on_ec2", M),
            ("aws_ecs_service.windows", M),
            ("aws_eks_fargate_profile.jobs", M),
        ],
        {"terraform"},
    ),
}


def _copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def _named(migration: applying.Migration) -> list[tuple[str, Applicability]]:
    return [(r.proposal.fix.component.rsplit("#", 1)[1], r.proposal.fix.applicability) for r in migration.results]


def _fix(migration: applying.Migration, name: str) -> Fix:
    return next(r.proposal.fix for r in migration.results if r.proposal.fix.component.endswith(f"#{name}"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_spot_golden_diff(name: str, update_golden: bool, tmp_path: Path) -> None:
    source, labels, validators = CASES[name]
    root = _copy(source, tmp_path)
    migration = api.migrate(str(root), target="spot", unsafe=True)
    rendered = patch(migration)
    golden = GOLDEN / f"spot.{name}.diff"
    if update_golden:
        golden.write_text(rendered)
    assert rendered == golden.read_text(), f"spot diff of {name} changed; rerun with --update-golden and review"
    assert _named(migration) == labels
    assert all(r.outcome in (Outcome.PLANNED, Outcome.MANUAL) for r in migration.results), migration.results
    assert {v.validator for v in migration.validations if v.status is Status.PASSED} == validators
    assert not [v for v in migration.validations if v.status is not Status.PASSED]
    applied = api.migrate(str(root), target="spot", unsafe=True, apply=True)
    assert applied.applied
    again = api.migrate(str(root), target="spot", unsafe=True)
    assert again.changes == ()
    assert all(r.proposal.fix.applicability is M for r in again.results)


def test_nothing_to_do_where_the_service_already_buys_fargate_spot() -> None:
    """ai-studio's service runs on FARGATE_SPOT already, with no target group or long stop timeout."""
    migration = api.migrate(str(EXAMPLES / "ai-studio"), target="spot", unsafe=True)
    assert migration.results == () and migration.changes == ()


# ---------------------------------------------------------------- the re-scan: components and links as promised


def _purchases(root: Path, service_id: str) -> list[tuple[str, int, int]]:
    graph = Graph(api.scan(str(root)))
    service = graph.component(service_id)
    assert service is not None
    return sorted((p.provider, p.base, p.weight) for p in graph.purchases(service))


def test_terraform_worker_rescans_as_fargate_spot_on_an_associated_cluster(tmp_path: Path) -> None:
    """Seed 001's worker (scales 0-3 on queue depth, no load balancer): every task on Fargate Spot."""
    root = _copy(EXAMPLES / "rem-transcription", tmp_path)
    service = "ecs_service:cloud/infra/ecs.tf#aws_ecs_service.worker"
    assert _purchases(root, service) == [("FARGATE", 0, 1)]
    assert cli.main(["migrate", str(root), "--target", "spot", "--unsafe-fixes", "--apply", "--offline"]) == 0
    assert _purchases(root, service) == [("FARGATE_SPOT", 0, 1)]
    after = api.scan(str(root))
    cluster = next(c for c in after.components if c.kind is ComponentKind.ECS_CLUSTER)
    assert cluster.get("capacity_providers") == ("FARGATE", "FARGATE_SPOT")
    worker = next(c for c in after.components if c.name == "aws_ecs_service.worker")
    assert worker.get("launch_type") is None and worker.get("force_new_deployment") is True
    text = (root / "cloud" / "infra" / "ecs.tf").read_text()
    assert "depends_on           = [aws_ecs_cluster_capacity_providers.transcription]" in text
    assert check_module("cloud/infra/ecs.tf", text.encode(), _module(root / "cloud" / "infra", "ecs.tf")) == []


def _module(folder: Path, skip: str) -> dict[str, bytes]:
    return {f"cloud/infra/{p.name}": p.read_bytes() for p in folder.glob("*.tf") if p.name != skip}


def test_cloudformation_services_rescan_with_their_strategies_and_the_drain(tmp_path: Path) -> None:
    root = _copy(EXAMPLES / "ticket-api", tmp_path)
    api.migrate(str(root), target="spot", unsafe=True, apply=True)
    # ApiService: 2-6 tasks behind the ALB -> base 1 on FARGATE, then FARGATE 1 : FARGATE_SPOT 3
    assert _purchases(root, "ecs_service:infra/service.yaml#ApiService") == [("FARGATE", 1, 1), ("FARGATE_SPOT", 0, 3)]
    # WorkerService: 2 tasks, no load balancer -> every task on Fargate Spot
    assert _purchases(root, "ecs_service:infra/service.yaml#WorkerService") == [("FARGATE_SPOT", 0, 1)]
    graph = Graph(api.scan(str(root)))
    group = graph.component("lb_target_group:infra/service.yaml#ApiTargetGroup")
    assert group is not None and group.get("deregistration_delay") == 90
    cluster = graph.component("ecs_cluster:infra/service.yaml#Cluster")
    assert cluster is not None and cluster.get("capacity_providers") == ("FARGATE", "FARGATE_SPOT")


# ---------------------------------------------------------------- redundancy, recomputed by hand


def _view(syntax: Syntax, *attributes: Attribute, balanced: bool = False) -> ServiceView:
    service = Component(ComponentKind.ECS_SERVICE, "svc", Location("x"), tuple(attributes))
    view = ServiceView(service, syntax, None)
    if balanced:
        view.target_groups.append(Component(ComponentKind.LB_TARGET_GROUP, "tg", Location("x")))
    return view


def _shares(choice: redundancy.Choice) -> list[tuple[str, int, int]]:
    return [(s.provider, s.base, s.weight) for s in choice.shares]


def test_a_single_task_keeps_base_one_on_fargate_and_says_why() -> None:
    choice = redundancy.choose(_view(Syntax.CDK_TYPESCRIPT, Attribute("desired_count", 1), balanced=True))
    assert _shares(choice) == [("FARGATE", 1, 0), ("FARGATE_SPOT", 0, 1)]
    assert "a single task stays on FARGATE (base 1)" in choice.why and "saves nothing" in choice.why
    # CDK starts one task when desiredCount is left out: the same rule
    default = redundancy.choose(_view(Syntax.CDK_TYPESCRIPT))
    assert _shares(default) == [("FARGATE", 1, 0), ("FARGATE_SPOT", 0, 1)]
    assert default.why.startswith("desired count not set (1 by default)")


def test_a_balanced_service_keeps_one_task_and_a_quarter_of_the_rest_on_fargate() -> None:
    view = _view(
        Syntax.CFN_YAML,
        Attribute("desired_count", 3),
        Attribute("scaling_min", 5),
        Attribute("scaling_max", 9),
        balanced=True,
    )
    choice = redundancy.choose(view)
    assert _shares(choice) == [("FARGATE", 1, 1), ("FARGATE_SPOT", 0, 3)]
    # at the minimum of 5 tasks: 1 base + 4 split 1:3 -> 4 * 3/4 = 3 on Spot
    assert "auto scaling 5-9 tasks" in choice.why and "at 5 tasks about 3 run on Fargate Spot" in choice.why


def test_a_worker_with_no_load_balancer_runs_every_task_on_spot() -> None:
    choice = redundancy.choose(_view(Syntax.TERRAFORM, Attribute("scaling_min", 0), Attribute("scaling_max", 3)))
    assert _shares(choice) == [("FARGATE_SPOT", 0, 1)]
    assert "queue message becomes visible again" in choice.why


def test_an_unknown_task_count_keeps_one_task_on_fargate() -> None:
    from replatform.model import Unknown

    choice = redundancy.choose(_view(Syntax.TERRAFORM, Attribute("desired_count", Unknown("var.n"))))
    assert _shares(choice) == [("FARGATE", 1, 0), ("FARGATE_SPOT", 0, 1)]
    assert choice.why.startswith("desired count is not a literal")


# ---------------------------------------------------------------- refusals, with their sources


def test_refusals_say_why_and_cite_the_aws_source() -> None:
    migration = api.migrate(str(SPOT / "refusals"), target="spot", unsafe=True)
    windows = _fix(migration, "aws_ecs_service.windows")
    assert windows.applicability is M and not windows.edits
    assert "WINDOWS_SERVER_2022_CORE" in windows.why
    assert "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html" in windows.why
    legacy = _fix(migration, "aws_ecs_service.legacy").why
    assert "pins platform version 1.2.0; Fargate Spot needs 1.3.0 or later for X86_64 tasks" in legacy
    assert "API_CapacityProviderStrategyItem.html, checked 2026-11-27" in legacy
    assert "stateful image (public.ecr.aws/docker/library/redis:7.2)" in _fix(migration, "aws_ecs_service.cache").why
    assert "it buys EC2, not Fargate" in _fix(migration, "aws_ecs_service.on_ec2").why
    eks = _fix(migration, "aws_eks_fargate_profile.jobs").why
    assert "https://github.com/aws/containers-roadmap/issues/622" in eks
    # ARM64 on Fargate Spot: supported in the commercial regions (platform version 1.4.0+) since 2024-09-06
    graviton = _fix(migration, "aws_ecs_service.graviton")
    assert graviton.applicability is U and graviton.edits


def test_arm64_is_refused_where_the_price_data_region_has_no_graviton_fargate_spot(tmp_path: Path) -> None:
    china = api.migrate(str(SPOT / "refusals"), target="spot", unsafe=True, region="cn-north-1")
    why = _fix(china, "aws_ecs_service.graviton").why
    assert why.startswith("Not moved: its task is ARM64 and, in cn-north-1, Linux tasks with the ARM64 architecture")
    assert "https://docs.amazonaws.cn/en_us/AmazonECS/latest/developerguide/fargate-capacity-providers.html" in why
    assert _fix(china, "aws_ecs_service.graviton").applicability is M
    gov = api.migrate(str(SPOT / "refusals"), target="spot", unsafe=True, region="us-gov-west-1")
    assert (
        "partition aws-us-gov): Fargate Spot support in this partition is not stated"
        in _fix(gov, "aws_ecs_service.graviton").why
    )
    assert [partition(r) for r in ("us-east-1", "cn-northwest-1", "us-gov-east-1", "us-iso-east-1")] == [
        "aws",
        "aws-cn",
        "aws-us-gov",
        "aws-iso",
    ]
    # an ARM64 task pinned to 1.3.0 in us-east-1: Graviton Fargate Spot needs 1.4.0
    root = _copy(SPOT / "refusals", tmp_path)
    main = root / "main.tf"
    main.write_text(
        main.read_text().replace(
            "task_definition = aws_ecs_task_definition.graviton.arn\n",
            'task_definition = aws_ecs_task_definition.graviton.arn\n  platform_version = "1.3.0"\n',
        )
    )
    pinned = api.migrate(str(root), target="spot", unsafe=True)
    assert "Fargate Spot needs 1.4.0 or later for ARM64 tasks" in _fix(pinned, "aws_ecs_service.graviton").why


def test_cli_fail_on_manual_counts_the_refusals(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["migrate", str(SPOT / "refusals"), "--target", "spot", "--offline", "--fail-on", "manual"]) == 1
    out = capsys.readouterr().out
    assert "Keep aws_ecs_service.windows off Fargate Spot" in out and "[needs --unsafe-fixes]" in out
    assert cli.main(["migrate", str(SPOT / "refusals"), "--target", "spot", "--offline", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["target"] == "spot"
    assert {f["rule_id"] for f in document["fixes"]} == {"fargate-spot"}


# ---------------------------------------------------------------- Terraform: replacement and rollout


def test_a_provider_pinned_to_5x_is_said_to_replace_the_service() -> None:
    fix = _fix(api.migrate(str(SPOT / "terraform-web"), target="spot", unsafe=True), "aws_ecs_service.web")
    assert (
        "hashicorp/aws is pinned to ~> 5.40, so terraform apply destroys and re-creates aws_ecs_service.web" in fix.why
    )
    assert "terraform apply -target=aws_ecs_cluster_capacity_providers.web, then aws ecs update-service" in fix.why
    assert (
        "--capacity-provider-strategy capacityProvider=FARGATE,base=1,weight=0 capacityProvider=FARGATE_SPOT,weight=1"
        in fix.why
    )
    assert "https://github.com/hashicorp/terraform-provider-aws/pull/43533" in fix.why


def test_an_unpinned_provider_gets_both_paths() -> None:
    fix = _fix(api.migrate(str(EXAMPLES / "rem-transcription"), target="spot", unsafe=True), "aws_ecs_service.worker")
    assert "Here no hashicorp/aws version is pinned: with a release that has #43533 this is a rolling update" in fix.why
    # the worker's code (issue 13's checks): what it must do before its tasks become interruptible
    assert (
        "From the worker's code, before moving: SIGTERM not handled in cloud/gpu-worker/worker.py: add a handler "
        "that stops taking work (cloud/gpu-worker/worker.py:33)"
    ) in fix.why
    assert fix.applicability is U
    assert "issues #22408, #22823" in fix.why


def test_cloudformation_rollout_is_in_place() -> None:
    fix = _fix(api.migrate(str(EXAMPLES / "ticket-api"), target="spot", unsafe=True), "WorkerService")
    assert (
        "Rollout: Since 2025-06-12 ECS updates a service from a launch type to a capacity provider strategy" in fix.why
    )


@pytest.mark.parametrize(
    ("constraint", "major"),
    [
        ("~> 5.40", 5),
        ("~> 6.0", 6),
        (">= 4.0, < 6.0", 5),
        ("< 6.2", 6),
        ("= 5.9.0", 5),
        (">= 5.0", None),
        ("~> 5", None),
    ],
)
def test_highest_provider_major_a_constraint_allows(constraint: str, major: int | None) -> None:
    assert highest_major(constraint) == major


# ---------------------------------------------------------------- the structural Terraform check


def test_structural_check_finds_what_terraform_validate_would_on_references() -> None:
    module = {
        "vars.tf": b'variable "size" {\n  type = number\n}\n',
        "main.tf": b"""locals {
  names = [for s in var.subnets : s.id]
}

resource "aws_thing" "a" {
  size = var.size
  other = aws_thing.b.id
  data_ref = data.aws_ami.x.id
  maybe = var.flag ? aws_thing.a.id : module.net.id

  dynamic "setting" {
    for_each = local.names
    content {
      value = setting.value
    }
  }
}
""",
    }
    problems = [text for _key, text in check_module("main.tf", module["main.tf"], {"vars.tf": module["vars.tf"]})]
    assert problems == [
        "main.tf:2: var.subnets is not declared in this module",
        "main.tf:7: aws_thing.b is not declared in this module",
        "main.tf:8: data.aws_ami.x is not declared in this module",
        "main.tf:9: var.flag is not declared in this module",
        "main.tf:9: module.net is not declared in this module",
    ]
    duplicate = b'resource "aws_thing" "a" {}\nresource "aws_thing" "a" {}\n'
    assert [t for _k, t in check_module("d.tf", duplicate, {})] == ["aws_thing.a is declared 2 times"]
    assert [t for _k, t in check_module("e.tf", b'resource "x" {\n', {})] == [
        "e.tf:2: does not parse"
    ]  # the missing brace, at the end


def test_a_change_leaving_a_dangling_reference_is_rejected_and_no_binary_is_claimed(tmp_path: Path) -> None:
    root = _copy(SPOT / "terraform-web", tmp_path)
    text = (root / "main.tf").read_bytes()
    offset = text.index(b"  desired_count   = 1\n")
    dangling = Proposal(
        Fix("dangling", (Edit("main.tf", offset, offset, "  depends_on = [aws_thing.gone]\n"),), U, "r", "c")
    )
    fine = Proposal(Fix("fine", (Edit("main.tf", 0, 0, "# managed by terraform\n"),), U, "r", "c"))
    report = api.scan(str(root))
    migration = applying.plan(str(root), report, "t", [dangling, fine], MigrateOptions(unsafe=True), None)
    outcomes = {r.proposal.fix.description: (r.outcome, r.detail) for r in migration.results}
    assert outcomes["dangling"] == (
        Outcome.REJECTED,
        "terraform on main.tf: main.tf:54: aws_thing.gone is not declared in this module",
    )
    assert outcomes["fine"] == (Outcome.PLANNED, "")
    (validation,) = migration.validations
    assert (validation.validator, validation.status, validation.detail) == ("terraform", Status.PASSED, NOT_RUN)
    assert "no terraform binary was run" in render_text(migration)
    assert json.loads(render_json(migration))["validations"][0]["detail"] == NOT_RUN


# ---------------------------------------------------------------- the re-scan must show what the fix promises


def test_a_fix_whose_rescan_does_not_show_its_promise_is_rejected(tmp_path: Path) -> None:
    root = _copy(SPOT / "terraform-web", tmp_path)
    never = Expectation("aws_ecs_service.web buying FARGATE_SPOT weight 1", lambda graph: False)
    comment = Proposal(Fix("comment", (Edit("main.tf", 0, 0, "# spot\n"),), U, "r", "c"), expects=(never,))
    migration = applying.plan(
        str(root), api.scan(str(root)), "t", [comment], MigrateOptions(unsafe=True), lambda p: api.scan(p)
    )
    (result,) = migration.results
    assert result.outcome is Outcome.REJECTED
    assert result.detail == "the re-scan does not show aws_ecs_service.web buying FARGATE_SPOT weight 1"


def test_draining_alone_when_the_service_is_already_on_spot(tmp_path: Path) -> None:
    root = _copy(SPOT / "terraform-web", tmp_path)
    main = root / "main.tf"
    main.write_text(
        main.read_text().replace(
            '  launch_type     = "FARGATE"\n',
            '\n  capacity_provider_strategy {\n    capacity_provider = "FARGATE_SPOT"\n    weight            = 1\n  }\n',
        )
    )
    migration = api.migrate(str(root), target="spot", unsafe=True)
    (result,) = migration.offered
    fix = result.proposal.fix
    assert fix.description == (
        "Fit aws_ecs_service.web's draining into the Fargate Spot notice: containers stop within 120 s; "
        "aws_lb_target_group.web deregisters in 90 s, not 300 s (the default)"
    )
    text = patch(migration)
    assert "-      stopTimeout = 180\n+      stopTimeout = 120\n" in text
    assert "+\n+  deregistration_delay = 90\n" in text  # longer than the group's alignment: a group of its own
    assert "capacity_provider_strategy" not in text.replace(" capacity_provider_strategy {\n", "")


def test_cdk_patterns_without_a_cluster_are_manual_and_their_own_target_group_is_said(tmp_path: Path) -> None:
    alone = api.migrate(
        str(ROOT / "tests" / "data" / "migrate" / "formats" / "cdk-patterns"), target="spot", unsafe=True
    )
    (result,) = alone.results
    assert result.proposal.fix.applicability is M
    assert "has no cluster prop, so CDK creates a cluster without FARGATE_SPOT" in result.proposal.fix.why
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "web.ts").write_text(
        "import * as ecs from 'aws-cdk-lib/aws-ecs';\n"
        "import * as ecs_patterns from 'aws-cdk-lib/aws-ecs-patterns';\n"
        "import { Construct } from 'constructs';\n\n"
        "export class Web extends Construct {\n"
        "  constructor(scope: Construct, id: string, cluster: ecs.Cluster) {\n"
        "    super(scope, id);\n"
        "    const shared = new ecs.Cluster(this, 'Shared', { enableFargateCapacityProviders: true });\n"
        "    new ecs_patterns.ApplicationLoadBalancedFargateService(this, 'Web', {\n"
        "      cluster: shared,\n"
        "      desiredCount: 4,\n"
        "      taskImageOptions: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27') },\n"
        "    });\n"
        "  }\n"
        "}\n"
    )
    migration = api.migrate(str(tmp_path), target="spot", unsafe=True)
    (offered,) = migration.offered
    fix = offered.proposal.fix
    # 4 tasks behind the pattern's load balancer: 1 + 3 split 1:3 -> about 2 on Spot; the cluster already has both
    assert (
        fix.description
        == "Run Web on Fargate Spot (FARGATE base 1 weight 1, FARGATE_SPOT weight 3); associate FARGATE_SPOT with Shared"
    )
    assert "at 4 tasks about 2 run on Fargate Spot" in fix.why
    assert "By hand: Web creates its own target group: add `<service>.targetGroup.setAttribute(" in fix.why
    text = patch(migration)
    assert (
        "+      capacityProviderStrategies: [\n+        { capacityProvider: 'FARGATE', base: 1, weight: 1 },\n" in text
    )
    assert "enableFargateCapacityProviders" not in "".join(line for line in text.splitlines() if line.startswith("+"))


def test_a_launch_type_in_the_wrong_case_is_said_not_moved(tmp_path: Path) -> None:
    """Found on cfn-lint 0.87.7's fixtures: ``LaunchType: Fargate`` is not FARGATE (cfn-lint 1.x: E3030)."""
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  S:\n    Type: AWS::ECS::Service\n    Properties:\n      LaunchType: Fargate\n      Cluster: c\n"
    )
    (result,) = api.migrate(str(tmp_path), target="spot", unsafe=True).results
    assert result.proposal.fix.applicability is M
    assert result.proposal.fix.why.startswith("Not changed: its launch type is written Fargate, but the allowed values")


def test_a_separate_association_resource_is_extended_and_the_services_depend_on_it(tmp_path: Path) -> None:
    """CloudFormation: nothing orders an association's update before a service that refers only to the cluster."""
    json_root = _copy(SPOT / "cloudformation-json", tmp_path / "json")
    stack = json_root / "stack.json"
    stack.write_text(
        stack.read_text().replace(
            '      "Type": "AWS::ECS::Cluster"\n    },\n',
            '      "Type": "AWS::ECS::Cluster"\n    },\n    "Providers": {\n'
            '      "Type": "AWS::ECS::ClusterCapacityProviderAssociations",\n      "Properties": {\n'
            '        "Cluster": {"Ref": "Cluster"},\n        "CapacityProviders": ["FARGATE"],\n'
            '        "DefaultCapacityProviderStrategy": [{"CapacityProvider": "FARGATE", "Weight": 1}]\n'
            "      }\n    },\n",
        )
    )
    text = patch(api.migrate(str(json_root), target="spot", unsafe=True, apply=True))
    assert (
        '-        "CapacityProviders": ["FARGATE"],\n+        "CapacityProviders": ["FARGATE", "FARGATE_SPOT"],\n'
        in text
    )
    assert '-      }\n+      },\n+      "DependsOn": "Providers"\n' in text
    cluster = next(c for c in api.inventory(str(json_root)).components if c.kind is ComponentKind.ECS_CLUSTER)
    assert cluster.get("capacity_providers") == ("FARGATE", "FARGATE_SPOT")  # read from the association
    yaml_root = _copy(EXAMPLES / "ticket-api", tmp_path / "yaml")
    template = yaml_root / "infra" / "service.yaml"
    template.write_text(
        template.read_text().replace(
            "      ClusterName: tickets\n",
            "      ClusterName: tickets\n\n  Providers:\n    Type: AWS::ECS::ClusterCapacityProviderAssociations\n"
            "    Properties:\n      Cluster: !Ref Cluster\n      CapacityProviders: [FARGATE]\n"
            "      DefaultCapacityProviderStrategy:\n        - CapacityProvider: FARGATE\n          Weight: 1\n",
        )
    )
    migration = api.migrate(str(yaml_root), target="spot", unsafe=True)
    assert [v.status for v in migration.validations] == [Status.PASSED]  # cfn-lint
    text = patch(migration)
    assert "-      CapacityProviders: [FARGATE]\n+      CapacityProviders: [FARGATE, FARGATE_SPOT]\n" in text
    assert "-    DependsOn: Listener\n+    DependsOn:\n+      - Listener\n+      - Providers\n" in text  # ApiService
    assert "     Type: AWS::ECS::Service\n+    DependsOn: Providers\n" in text  # WorkerService had none
    assert "; associate FARGATE_SPOT with Cluster" in _fix(migration, "WorkerService").description
