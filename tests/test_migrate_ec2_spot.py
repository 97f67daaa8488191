"""``replatform migrate --target ec2-spot``: Fargate -> ECS on EC2 Spot, as seed 001's engineer did it.

Golden diffs, reviewed line by line against seed 001's "What Changed" list:
- "EC2 Launch Template with Spot instances": ``aws_launch_template.worker_ec2_spot`` (the Spot purchase is the
  group's mixed-instances policy, since a launch template used by one may not set a market);
- "Auto Scaling Group (0-3 instances)": ``min_size = 0``, ``max_size = var.ecs_max_instances`` (3);
- "ECS Capacity Provider for Spot": managed scaling (target 100 %), termination protection, draining;
- "IAM role for EC2 instances": the role, its two managed policies only, the instance profile;
- "ECS-optimized AMI": from the SSM parameter, Amazon Linux 2023 (the seed's Amazon Linux 2 AMI ends in 2026);
- "Task definition: FARGATE -> EC2": ``requires_compatibilities = ["EC2"]``, network mode awsvpc kept, and the
  memory the plan priced (the usage file's 1536 MiB, so a t3.small holds the task: the seed moved cpu/memory to the
  container for the same reason; ECS reads either on EC2);
- "Service: Use EC2 Spot capacity provider": the strategy replaces ``launch_type``, the cluster associates it;
- variables ``ecs_instance_type`` (t3.small) and ``ecs_max_instances`` (3) are the example's own, kept;
  ``ecs_spot_max_price`` (empty: the on-demand price) is added to variables.tf.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from replatform import api, cli
from replatform.graph import Graph
from replatform.migrate import apply as applying
from replatform.migrate.apply import Outcome
from replatform.migrate.editors.hcl import Block, render_block
from replatform.migrate.render import patch
from replatform.migrate.terraform_check import NOT_RUN, check_module
from replatform.migrate.validate import Status
from replatform.model import Applicability, ComponentKind, Fix
from replatform.plan.run import assess_project
from replatform.price.cost import cost_lines
from replatform.price.snapshot import load as load_snapshot
from replatform.price.usage import load_usage

from .conftest import EXAMPLES, ROOT

GOLDEN = ROOT / "tests" / "golden" / "migrate"
DATA = ROOT / "tests" / "data" / "migrate"
U, M = Applicability.UNSAFE, Applicability.MANUAL
SERVICE = "ecs_service:cloud/infra/ecs.tf#aws_ecs_service.worker"

#: Every case: (root, [(component name, label)] of every fix in order, the validator that must pass).
CASES: dict[str, tuple[Path, list[tuple[str, Applicability]], str]] = {
    "rem-transcription": (EXAMPLES / "rem-transcription", [("aws_ecs_service.worker", U)], "terraform"),
    "terraform-arm64": (DATA / "ec2_spot" / "terraform-arm64", [("aws_ecs_service.thumbnails", U)], "terraform"),
    "terraform-web": (DATA / "spot" / "terraform-web", [("aws_ecs_service.web", U)], "terraform"),
    # two services on one cluster: one new capacity provider per cluster and run, the worker in the next run
    "ticket-api": (EXAMPLES / "ticket-api", [("ApiService", U), ("WorkerService", M)], "cfn-lint"),
    "cloudformation-json": (DATA / "spot" / "cloudformation-json", [("Service", U)], "cfn-lint"),
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
def test_ec2_spot_golden_diff(name: str, update_golden: bool, tmp_path: Path) -> None:
    source, labels, validator = CASES[name]
    root = _copy(source, tmp_path)
    migration = api.migrate(str(root), target="ec2-spot", unsafe=True)
    rendered = patch(migration)
    golden = GOLDEN / f"ec2-spot.{name}.diff"
    if update_golden:
        golden.write_text(rendered)
    assert rendered == golden.read_text(), f"ec2-spot diff of {name} changed; rerun with --update-golden and review"
    assert _named(migration) == labels
    assert [r.outcome for r in migration.results] == [Outcome.PLANNED if a is U else Outcome.MANUAL for _n, a in labels]
    assert migration.validations and all(v.status is Status.PASSED for v in migration.validations)
    assert {v.validator for v in migration.validations} == {validator}
    assert all((NOT_RUN in v.detail) == (validator == "terraform") for v in migration.validations)
    assert api.migrate(str(root), target="ec2-spot", unsafe=True, apply=True).applied
    again = api.migrate(str(root), target="ec2-spot", unsafe=True)
    moved = [n for n, a in labels if a is U]
    assert [(n, a) for n, a in _named(again) if n in moved] == [(n, M) for n in moved]
    assert all("already runs on EC2 capacity" in _fix(again, n).why for n in moved)
    assert again.changes == () or [n for n, a in labels if a is M]  # a service left for the next run moves now


def test_done_when_rem_transcription_rescans_into_a_priced_ec2_spot_worker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(EXAMPLES / "rem-transcription", tmp_path)
    code = cli.main(["migrate", str(root), "--target", "ec2-spot", "--unsafe-fixes", "--apply", "--offline"])
    out = capsys.readouterr().out
    assert code == 0 and "1 fix(es) applied in 2 file(s)" in out
    assert "terraform ok       cloud/infra/ecs.tf (no terraform binary was run" in out
    after = api.scan(str(root))
    graph = Graph(after)
    service = graph.component(SERVICE)
    assert service is not None
    (purchase,) = graph.purchases(service)
    assert purchase.provider == "aws_ecs_capacity_provider.worker_ec2_spot" and purchase.market == "spot"
    group = purchase.capacity
    assert group is not None and group.name == "aws_autoscaling_group.worker_ec2_spot"
    template = graph.launch_template_of(group)
    assert template is not None and template.name == "aws_launch_template.worker_ec2_spot"
    assert graph.instance_types(group) == (
        "t3.small",
        "t3.medium",
        "c7i-flex.large",
        "c5.large",
        "c6i.large",
        "c5a.large",
    )
    assert group.get("min_size") == 0 and group.get("max_size") == 3
    assert group.get("on_demand_percentage") == 0 and group.get("on_demand_base") == 0
    cluster = graph.component("ecs_cluster:cloud/infra/ecs.tf#aws_ecs_cluster.transcription")
    assert cluster is not None
    assert cluster.get("capacity_providers")[1].expression == "aws_ecs_capacity_provider.worker_ec2_spot.name"  # type: ignore[index,union-attr]
    task = graph.task_of(service)
    assert task is not None and task.get("requires_compatibilities") == ("EC2",) and task.get("memory_mb") == 1536
    folder = root / "cloud" / "infra"
    module = {f"cloud/infra/{p.name}": p.read_bytes() for p in folder.glob("*.tf") if p.name != "ecs.tf"}
    assert check_module("cloud/infra/ecs.tf", (folder / "ecs.tf").read_bytes(), module) == []
    # priced as the plan priced it: 1 instance x 486 h x $0.0208 (t3.small) x (1 - 65 % advertised Spot savings)
    lines = cost_lines(after, load_snapshot("us-east-1"), load_usage(str(root / "usage.yaml")))
    by = {(ln.name, ln.target): ln for ln in lines}
    current = by["aws_autoscaling_group.worker_ec2_spot", "current"]
    assert current.monthly == round(1 * 486 * 0.0208 * (1 - 0.65), 2) == 3.54
    assert 3 <= current.monthly <= 5  # seed 001: "~$3-5/month"
    assert current.formula == "1 x 486 h x $0.0208 (t3.small) x (1 - 65% advertised Spot savings, <5% interruptions)"
    assert current.estimate
    assert "1 task(s) of aws_ecs_service.worker (1 vCPU, 1536 MiB), 1 per t3.small" in current.details[0]
    assert by["aws_ecs_service.worker", "current"].monthly is None  # its tasks are priced through the group
    text = (folder / "ecs.tf").read_text()
    assert 'echo "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true" >> /etc/ecs/ecs.config' in text
    assert "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id" in text


def test_the_fix_prices_the_capacity_says_the_buckets_and_what_the_worker_must_add() -> None:
    migration = api.migrate(str(EXAMPLES / "rem-transcription"), target="ec2-spot", unsafe=True)
    fix = _fix(migration, "aws_ecs_service.worker")
    assert fix.applicability is U and fix.rule_id == "ecs-ec2-spot"
    why = fix.why
    assert (
        "Cost (an estimate: Spot prices move; the same formula as the ec2-spot line of the plan): $3.54 a month = "
        "1 instance(s) x 486 h x $0.0208/h (t3.small) x (1 - 65% advertised Spot savings, <5% interruptions)" in why
    )
    assert "c6i.large (5-10% interruptions), c5a.large (5-10% interruptions)" in why
    assert "SIGTERM not handled in cloud/gpu-worker/worker.py: add a handler that stops taking work" in why
    assert "never both" in why and "Rollback: The Fargate revision of the task definition stays registered" in why
    assert "aws_autoscaling_group.ecs_worker (declared, not deployed) is not an ECS capacity provider's group" in why
    assert "its scaling maximum of 3 task(s), 1 per t3.small: 3 instance(s)" in why  # the seed's 0-3
    # a rolling deployment at ECS's default 200 % runs 3 old + 3 new tasks: 6 instances at 1 task each
    assert "starts the new tasks before it stops the old ones and can need 6 instance(s)" in why
    # the CLI command names the provider the way a person fills it in, as it does the cluster and the service
    assert (
        "--capacity-provider-strategy capacityProvider=<name of aws_ecs_capacity_provider.worker_ec2_spot>,weight=1"
        in why
    )
    # the plan's own line for the same service is the same figure
    assessment = assess_project(str(EXAMPLES / "rem-transcription"))
    (line,) = [c for c in assessment.plan.costs if c.name == "aws_ecs_service.worker" and c.target == "ec2-spot"]
    assert line.monthly == 3.54


def test_what_it_will_not_move_says_why(tmp_path: Path) -> None:
    migration = api.migrate(str(DATA / "spot" / "refusals"), target="ec2-spot", unsafe=True)
    assert all(r.proposal.fix.applicability is M and not r.proposal.fix.edits for r in migration.results)
    assert "its task runs Windows (WINDOWS_SERVER_2022_CORE)" in _fix(migration, "aws_ecs_service.windows").why
    assert "it buys EC2, not Fargate: it already runs on EC2 capacity" in _fix(migration, "aws_ecs_service.on_ec2").why
    assert "stateful image (public.ecr.aws/docker/library/redis:7.2)" in _fix(migration, "aws_ecs_service.cache").why
    assert "no network_configuration with subnets" in _fix(migration, "aws_ecs_service.legacy").why
    assert "runs Kubernetes pods, not ECS tasks" in _fix(migration, "aws_eks_fargate_profile.jobs").why
    # no ECS service at all: nothing proposed
    assert api.migrate(str(EXAMPLES / "ec2-mnist"), target="ec2-spot", unsafe=True).results == ()
    # a public IP is Fargate-only
    root = _copy(DATA / "ec2_spot" / "terraform-arm64", tmp_path)
    main = root / "main.tf"
    main.write_text(
        main.read_text().replace('"subnet-4e5f6a7b"]\n', '"subnet-4e5f6a7b"]\n    assign_public_ip = true\n')
    )
    public = api.migrate(str(root), target="ec2-spot", unsafe=True)
    assert "assign_public_ip = true), which ECS supports on Fargate only" in public.results[0].proposal.fix.why


def test_render_block_aligns_as_terraform_fmt() -> None:
    block = Block(
        ("resource", "aws_x", "y"),
        (("a", "1"), ("long_name", '"v"'), Block(("nested",), (("k", "true"),)), ("after", "[\n  1,\n]"), ("z", "2")),
    )
    assert render_block(block) == [
        'resource "aws_x" "y" {',
        "  a         = 1",
        '  long_name = "v"',
        "",
        "  nested {",
        "    k = true",
        "  }",
        "",
        "  after = [",
        "    1,",
        "  ]",
        "  z = 2",
        "}",
    ]


def test_the_plan_has_the_rollout_section() -> None:
    text = (ROOT / "tests" / "golden" / "rem-transcription.MIGRATION-PLAN.md").read_text()
    assert "### Moving to ECS on EC2 Spot (`replatform migrate rem-transcription --target ec2-spot`)" in text
    assert "1. Apply the new capacity first" in text and "Rollback: The Fargate revision" in text
    assert ComponentKind.AUTOSCALING_GROUP.value == "autoscaling_group"


# ---------------------------------------------------------------- CloudFormation (YAML, JSON)


def test_cloudformation_json_rescans_into_a_priced_ec2_spot_service(tmp_path: Path) -> None:
    root = _copy(DATA / "spot" / "cloudformation-json", tmp_path)
    migration = api.migrate(str(root), target="ec2-spot", unsafe=True, apply=True)
    assert [(v.validator, v.status) for v in migration.validations] == [("cfn-lint", Status.PASSED)]
    fix = _fix(migration, "Service")
    assert "(the EcsMaxInstances parameter)" in fix.why and "var.ecs_max_instances" not in fix.why
    after = api.scan(str(root))
    graph = Graph(after)
    service = graph.component("ecs_service:stack.json#Service")
    assert service is not None and service.get("launch_type") is None
    (purchase,) = graph.purchases(service)
    assert (purchase.provider, purchase.market, purchase.fargate) == ("ServiceEc2SpotCapacityProvider", "spot", False)
    group = purchase.capacity
    assert group is not None and group.name == "ServiceEc2SpotAutoScalingGroup"
    template = graph.launch_template_of(group)
    assert template is not None and template.name == "ServiceEc2SpotLaunchTemplate"
    assert template.get("image_id") == "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
    # the first override is the EcsInstanceType parameter, read through its default
    assert graph.instance_types(group) == ("t3.micro", "t3.small", "t3a.micro", "t3a.small")
    assert group.get("min_size") == "0" and group.get("max_size") == 2
    assert group.get("on_demand_percentage") == 0 and group.get("on_demand_base") == 0
    cluster = graph.component("ecs_cluster:stack.json#Cluster")
    assert cluster is not None
    assert cluster.get("capacity_providers")[1].expression == "Ref ServiceEc2SpotCapacityProvider"  # type: ignore[index,union-attr]
    task = graph.task_of(service)
    assert task is not None and task.get("requires_compatibilities") == ("EC2",)
    assert '"NetworkMode": "awsvpc"' in (root / "stack.json").read_text()  # kept
    # 2 tasks of 0.25 vCPU / 512 MiB in awsvpc mode: a t3.micro has 2 network interfaces, so 1 task each;
    # 2 instances x 730 h x $0.0104 (t3.micro) x (1 - 69 % advertised Spot savings)
    lines = cost_lines(after, load_snapshot("us-east-1"), load_usage(None))
    current = next(ln for ln in lines if ln.name == "ServiceEc2SpotAutoScalingGroup" and ln.target == "current")
    assert current.monthly == round(2 * 730 * 0.0104 * (1 - 0.69), 2) == 4.71
    assert current.estimate
    assert "$4.71 a month = 2 instance(s) x 730 h x $0.0104/h (t3.micro)" in fix.why


def test_ticket_api_worker_moves_in_the_next_run_beside_the_api(tmp_path: Path) -> None:
    """The second run extends the association the first added and reuses the parameters whose defaults agree."""
    root = _copy(EXAMPLES / "ticket-api", tmp_path)
    first = api.migrate(str(root), target="ec2-spot", unsafe=True, apply=True)
    assert "Not changed in this run: Cluster gets another service's EC2 Spot" in _fix(first, "WorkerService").why
    second = api.migrate(str(root), target="ec2-spot", unsafe=True)
    assert _named(second) == [("ApiService", M), ("WorkerService", U)]
    assert [v.status for v in second.validations] == [Status.PASSED]  # cfn-lint
    text = patch(second)
    assert "-      LaunchType: FARGATE\n+      CapacityProviderStrategy:\n" in text
    assert (
        "         - !Ref ApiServiceEc2SpotCapacityProvider\n+        - !Ref WorkerServiceEc2SpotCapacityProvider\n"
        in text
    )
    assert "     Type: AWS::ECS::Service\n+    DependsOn: ClusterCapacityProviders\n" in text
    # the AMI and the Spot price agree and are reused; the worker's size and maximum are its own
    assert "+  WorkerServiceEcsInstanceType:\n+    Type: String\n+    Default: t3.small\n" in text
    assert "+  WorkerServiceEcsMaxInstances:\n+    Type: Number\n+    Default: 2\n" in text
    assert "+  EcsAmiId:" not in text and "+  EcsSpotMaxPrice:" not in text
    assert "+        InstanceType: !Ref WorkerServiceEcsInstanceType\n" in text
    applying.write(second)
    graph = Graph(api.scan(str(root)))
    for name in ("ApiService", "WorkerService"):
        service = graph.component(f"ecs_service:infra/service.yaml#{name}")
        assert service is not None
        (purchase,) = graph.purchases(service)
        assert purchase.provider == f"{name}Ec2SpotCapacityProvider" and purchase.market == "spot"
    cluster = graph.component("ecs_cluster:infra/service.yaml#Cluster")
    assert cluster is not None and [str(p) for p in cluster.get("capacity_providers")] == [  # type: ignore[union-attr]
        "FARGATE",
        "Unknown(expression='Ref ApiServiceEc2SpotCapacityProvider')",
        "Unknown(expression='Ref WorkerServiceEc2SpotCapacityProvider')",
    ]


def test_a_cluster_listing_its_providers_itself_is_named_literally_or_left_to_a_person(tmp_path: Path) -> None:
    """After ``--target spot`` the cluster lists FARGATE and FARGATE_SPOT itself: the instances' user data cannot
    name it by Ref (the cluster would depend on the provider, the provider on the cluster)."""
    yaml_root = _copy(EXAMPLES / "ticket-api", tmp_path / "yaml")
    api.migrate(str(yaml_root), target="spot", unsafe=True, apply=True)
    migration = api.migrate(str(yaml_root), target="ec2-spot", unsafe=True)
    assert _named(migration) == [("ApiService", U), ("WorkerService", M)]
    assert [v.status for v in migration.validations] == [Status.PASSED]  # cfn-lint: no W1020 for a Sub with no variable
    text = patch(migration)
    assert "         - FARGATE_SPOT\n+        - !Ref ApiServiceEc2SpotCapacityProvider\n" in text
    assert '+          Fn::Base64: |\n+            #!/bin/bash\n+            echo "ECS_CLUSTER=tickets" >>' in text
    assert "ClusterCapacityProviderAssociations" not in text
    json_root = _copy(DATA / "spot" / "cloudformation-json", tmp_path / "json")
    api.migrate(str(json_root), target="spot", unsafe=True, apply=True)
    (result,) = api.migrate(str(json_root), target="ec2-spot", unsafe=True).results
    assert result.proposal.fix.applicability is M
    assert result.proposal.fix.why.startswith(
        "Not changed: the cluster Cluster lists its capacity providers itself and has no literal ClusterName"
    )


def test_cloudformation_refusals_say_why(tmp_path: Path) -> None:
    root = _copy(DATA / "spot" / "cloudformation-json", tmp_path)
    stack = root / "stack.json"
    stack.write_text(
        stack.read_text().replace(
            '{"Subnets": {"Ref": "Subnets"}}', '{"Subnets": {"Ref": "Subnets"}, "AssignPublicIp": "ENABLED"}'
        )
    )
    (result,) = api.migrate(str(root), target="ec2-spot", unsafe=True).results
    assert "(AssignPublicIp: ENABLED), which ECS supports on Fargate only" in result.proposal.fix.why
    stack.write_text(
        stack.read_text().replace(
            '"Cluster": {"Ref": "Cluster"},\n        "Launch', '"Cluster": "shared",\n        "Launch'
        )
    )
    (result,) = api.migrate(str(root), target="ec2-spot", unsafe=True).results
    assert result.proposal.fix.applicability is M
    assert "its cluster is not declared in this template" in result.proposal.fix.why
