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

CASES: dict[str, tuple[Path, list[tuple[str, Applicability]]]] = {
    "rem-transcription": (EXAMPLES / "rem-transcription", [("aws_ecs_service.worker", U)]),
    "terraform-arm64": (DATA / "ec2_spot" / "terraform-arm64", [("aws_ecs_service.thumbnails", U)]),
    "terraform-web": (DATA / "spot" / "terraform-web", [("aws_ecs_service.web", U)]),
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
    source, labels = CASES[name]
    root = _copy(source, tmp_path)
    migration = api.migrate(str(root), target="ec2-spot", unsafe=True)
    rendered = patch(migration)
    golden = GOLDEN / f"ec2-spot.{name}.diff"
    if update_golden:
        golden.write_text(rendered)
    assert rendered == golden.read_text(), f"ec2-spot diff of {name} changed; rerun with --update-golden and review"
    assert _named(migration) == labels
    assert [r.outcome for r in migration.results] == [Outcome.PLANNED]
    assert migration.validations and all(v.status is Status.PASSED for v in migration.validations)
    assert {v.validator for v in migration.validations} == {"terraform"}
    assert all(NOT_RUN in v.detail for v in migration.validations)
    assert api.migrate(str(root), target="ec2-spot", unsafe=True, apply=True).applied
    again = api.migrate(str(root), target="ec2-spot", unsafe=True)
    assert again.changes == () and [r.proposal.fix.applicability for r in again.results] == [M]
    assert "already runs on EC2 capacity" in again.results[0].proposal.fix.why


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
    assert "its scaling maximum of 3 task(s), 1 per t3.small: 3 instance(s)" in why
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
