"""Today's cost as capacity is bought, n/a targets, totals, the ECS-on-EC2 targets, Spot advisor data and prices."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from replatform import api, knowledge
from replatform.cli import main
from replatform.model import CostLine
from replatform.plan.run import assess_project
from replatform.price import ec2_capacity
from replatform.price.cost import TARGETS, cost_lines, target_totals, totals
from replatform.price.ec2_capacity import Ec2Choice, NoFit, TaskShape
from replatform.price.mapping import graviton_type
from replatform.price.snapshot import Snapshot, load
from replatform.price.spot_advisor import SpotRefreshError, load_advisor, refresh_advisor
from replatform.price.usage import Usage, load_usage

from .conftest import EXAMPLES, ScanFiles
from .http_server import serve

SNAPSHOT = load("us-east-1")
ADVISOR = load_advisor("us-east-1")


def _by(lines: list[CostLine]) -> dict[tuple[str, str], CostLine]:
    return {(line.name, line.target): line for line in lines}


def _example(name: str) -> list[CostLine]:
    usage = EXAMPLES / name / "usage.yaml"
    return cost_lines(api.scan(str(EXAMPLES / name)), SNAPSHOT, load_usage(str(usage) if usage.exists() else None))


# ------------------------------------------------------------------ totals: the sum of their own lines


@pytest.mark.parametrize("name", ["aftersales-graph", "ai-studio", "ec2-mnist", "porting-samples", "rem-transcription"])
def test_every_total_is_the_sum_of_its_own_lines(name: str) -> None:
    lines = _example(name)
    for target, total in target_totals(lines).items():
        own = [line.monthly for line in lines if line.target == target and line.monthly is not None]
        assert total.monthly == round(sum(own), 2), target
        assert not [line for line in lines if line.target == target and not line.applicable and line.monthly]


def test_lambda_is_not_counted_at_its_x86_price_on_spot_targets() -> None:
    # On main, totals() put the Lambdas' x86 price into graviton+spot: $95.27 against its own lines' sum.
    lines = _by(_example("aftersales-graph"))
    splitter = lines["SplitterFunction", "graviton+spot"]
    assert (splitter.applicable, splitter.monthly, splitter.note) == (False, None, "n/a: Lambda has no Spot capacity")
    fargate = ["ApiService", "ProcessorTask", "IngestionTask", "DeletionTask", "SplitTask"]
    by_hand = round(sum(lines[n, "graviton+spot"].monthly or 0.0 for n in fargate), 2)
    assert by_hand == round(23.07 + 41.56 + 8.95 + 0.24 + 0.95, 2) == 74.77
    total = target_totals(list(lines.values()))["graviton+spot"]
    assert (total.monthly, total.today, total.saving) == (74.77, 233.58, 158.81)  # 254.08 - 20.06 - 0.44 today
    assert total.not_applicable == ("NotifierFunction", "SplitterFunction")
    assert totals(list(lines.values()))["graviton"] == 203.33  # Lambdas do take graviton: arm64 lines


def test_switched_off_capacity_is_listed_never_priced() -> None:
    assessment = assess_project(
        str(EXAMPLES / "rem-transcription"), usage_file=str(EXAMPLES / "rem-transcription" / "usage.yaml")
    )
    assert "aws_autoscaling_group.ecs_worker" in assessment.plan.not_deployed
    assert {line.name for line in assessment.plan.costs} == {"aws_ecs_service.worker"}
    assert totals(assessment.plan.costs)["current"] == 23.99  # seed 001: "~$24/month"


TF_COPIES = """\
resource "aws_ecs_task_definition" "app" {
  family = "app"
  requires_compatibilities = ["FARGATE"]
  cpu = 1024
  memory = 2048
  container_definitions = jsonencode([{ name = "app", image = "acme/app:1" }])
}
resource "aws_ecs_service" "app" {
  for_each = toset(["blue", "green"])
  name = "app-${each.key}"
  task_definition = aws_ecs_task_definition.app.arn
  desired_count = 2
  launch_type = "FARGATE"
}
resource "aws_instance" "web" {
  count = 3
  ami = "ami-123"
  instance_type = "m4.large"
}
resource "aws_launch_template" "lt" {
  instance_type = "c4.xlarge"
}
resource "aws_autoscaling_group" "pool" {
  count = 2
  desired_capacity = 4
  min_size = 0
  max_size = 8
  launch_template {
    id = aws_launch_template.lt.id
  }
}
resource "aws_lambda_function" "fn" {
  count = 2
  function_name = "fn-${count.index}"
  runtime = "python3.12"
  handler = "app.handler"
  filename = "fn.zip"
}
"""


def test_count_and_for_each_copies_are_multiplied(scan_files: ScanFiles) -> None:
    # On main only EC2 instances were multiplied by their count.
    report = scan_files({"main.tf": TF_COPIES})
    usage = Usage(components={"aws_lambda_function.fn": {"requests_per_month": 1_000_000, "avg_duration_ms": 1000}})
    lines = _by(cost_lines(report, SNAPSHOT, usage))
    per_task_hour = 1 * 0.04048 + 2 * 0.004445
    service = lines["aws_ecs_service.app", "current"]
    assert service.monthly == round(2 * 2 * 730 * per_task_hour, 2) == 144.16  # 2 copies x 2 tasks
    assert service.formula.startswith("2 copies (count) x 2 task(s) x 730 h")
    assert lines["aws_instance.web", "current"].monthly == round(3 * 730 * 0.1, 2) == 219.0  # m4.large, 3 copies
    assert lines["aws_autoscaling_group.pool", "current"].monthly == round(2 * 4 * 730 * 0.199, 2)  # c4.xlarge
    # 1M x 1 s x 128 MB = 125,000 GB-s x $0.0000166667 + $0.20 = $2.28 a copy, 2 copies
    assert lines["aws_lambda_function.fn", "current"].monthly == round(2 * (125_000 * 0.0000166667 + 0.2), 2)


TF_EC2_SERVICE = """\
resource "aws_ecs_task_definition" "app" {
  family = "app"
  cpu = 1024
  memory = 2048
  container_definitions = jsonencode([{ name = "app", image = "acme/app:1" }])
}
resource "aws_launch_template" "lt" {
  instance_type = "m5.large"
  instance_market_options {
    market_type = "spot"
  }
}
resource "aws_autoscaling_group" "ecs" {
  desired_capacity = 2
  min_size = 0
  max_size = 4
  launch_template {
    id = aws_launch_template.lt.id
  }
}
resource "aws_ecs_capacity_provider" "cp" {
  name = "cp"
  auto_scaling_group_provider {
    auto_scaling_group_arn = aws_autoscaling_group.ecs.arn
  }
}
resource "aws_ecs_service" "app" {
  name = "app"
  task_definition = aws_ecs_task_definition.app.arn
  desired_count = 3
  capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.cp.name
    weight = 1
  }
}
"""


def test_an_ecs_on_ec2_service_is_priced_once_through_its_capacity(scan_files: ScanFiles) -> None:
    lines = _by(cost_lines(scan_files({"main.tf": TF_EC2_SERVICE}), SNAPSHOT, Usage()))
    for target in TARGETS:  # never as Fargate, never twice
        line = lines["aws_ecs_service.app", target]
        assert (line.applicable, line.monthly) == (False, None)
    note = lines["aws_ecs_service.app", "current"].note
    assert note == (
        "n/a: runs on EC2 capacity (aws_ecs_capacity_provider.cp -> aws_autoscaling_group.ecs (spot)): "
        "priced through aws_autoscaling_group.ecs"
    )
    group = lines["aws_autoscaling_group.ecs", "current"]  # Spot today, m5.large's own advertised savings (66 %)
    assert group.monthly == round(2 * 730 * 0.096 * (1 - 0.66), 2) == 47.65
    assert "66% advertised Spot savings, 15-20% interruptions" in group.formula
    assert lines["aws_autoscaling_group.ecs", "ec2"].note.startswith("n/a: already EC2 capacity")


# ------------------------------------------------------------------ the ECS-on-EC2 targets


def test_rem_transcription_ec2_spot_is_seed_001s_band_with_the_formula_shown() -> None:
    lines = _by(_example("rem-transcription"))
    spot = lines["aws_ecs_service.worker", "ec2-spot"]
    # seed 001: "ECS EC2 Spot ~$3-5/month" on a t3.small ($0.0208/h on demand); 486 task-hours as the usage file says
    assert spot.resource == "ECS on EC2 t3.small Spot"
    assert spot.monthly == round(486 * 0.0208 * (1 - 0.65), 2) == 3.54
    assert 3 <= spot.monthly <= 5
    assert spot.formula == (
        "1 instance(s) x 486 h x $0.0208/h (t3.small) x (1 - 65% advertised Spot savings, <5% interruptions)"
    )
    graviton = lines["aws_ecs_service.worker", "ec2-graviton+spot"]
    assert (graviton.resource, graviton.monthly) == ("ECS on EC2 t4g.small Spot", round(486 * 0.0168 * 0.49, 2))
    assert 3 <= (graviton.monthly or 0) <= 5
    details = "\n".join(spot.details)
    assert "the ECS agent and the OS keep 256 MiB (max(256 MiB, 5 %)), leaving 1792 MiB" in details
    assert "break-even: $0.00728/h / (1 task(s) x $0.04937 per Fargate task-hour today) = 15%" in details
    assert "interruptions <5% (Spot Instance Advisor data of 2025-06-28 for us-east-1; an estimate)" in details
    (policy,) = [d for d in spot.details if d.startswith("mixed-instances policy")]
    # each type with its own bucket from the advisor data (us-east-1: r 0 for the first four, r 1 for the last two)
    assert policy.endswith(
        "each with its interruption bucket: t3.small (<5% interruptions), t3.medium (<5% interruptions), "
        "c7i-flex.large (<5% interruptions), c5.large (<5% interruptions), c6i.large (5-10% interruptions), "
        "c5a.large (5-10% interruptions)"
    )
    assert "the choice would be t3.medium at $8.90 a month" in details  # the declared 2048 MiB: 486 x 0.0416 x 0.44
    assert "unlimited mode adds 0.6 vCPU x 486 h x $0.05 = $14.58 (depends on CPU use; not in the total)" in details
    assert lines["aws_ecs_service.worker", "current"].monthly == 23.99


def test_the_cheapest_type_that_fits_after_the_ecs_reserve() -> None:
    task = TaskShape(1, 2048)  # a Fargate 1 vCPU / 2 GB task
    assert ec2_capacity.reserved_mib(2048) == 256 and ec2_capacity.reserved_mib(65536) == 3277  # max(256, 5 %)
    on_demand = ec2_capacity.choose(task, 1, "x86_64", False, SNAPSHOT, ADVISOR)
    assert isinstance(on_demand, Ec2Choice)
    # 2 GiB types (t3.small, t3a.small) keep 256 MiB back and leave 1792 MiB: the task does not fit them
    assert (on_demand.instance_type, on_demand.usable_mib, on_demand.hourly) == ("t3a.medium", 3840, 0.0376)
    spot = ec2_capacity.choose(task, 1, "x86_64", True, SNAPSHOT, ADVISOR)
    assert isinstance(spot, Ec2Choice)
    # t3a.medium is cheaper on Spot (68 %) but in the >20 % interruption bucket: t3.medium (<5 %) is preferred
    assert ADVISOR.facts("t3a.medium") is not None and ADVISOR.facts("t3a.medium").bucket == 4  # type: ignore[union-attr]
    assert (spot.instance_type, round(spot.hourly, 5)) == ("t3.medium", round(0.0416 * 0.44, 5))
    assert len(spot.diversified) >= 3 and spot.diversified[0] == "t3.medium"
    assert all(ADVISOR.facts(t).bucket <= 1 for t in spot.diversified)  # type: ignore[union-attr]
    arm = ec2_capacity.choose(task, 1, "arm64", False, SNAPSHOT, ADVISOR)
    assert isinstance(arm, Ec2Choice) and arm.instance_type == "t4g.medium"
    packed = ec2_capacity.choose(TaskShape(2, 4096), 3, "arm64", True, SNAPSHOT, ADVISOR)
    assert isinstance(packed, Ec2Choice)
    assert (packed.instance_type, packed.tasks_per_instance, packed.instances) == ("c7g.2xlarge", 3, 1)
    assert packed.monthly(730) == pytest.approx(730 * 0.29 * (1 - 0.69))  # 3 tasks on one 8 vCPU / 16 GiB instance
    too_big = ec2_capacity.choose(TaskShape(512, 4096), 1, "x86_64", False, SNAPSHOT, ADVISOR)
    assert isinstance(too_big, NoFit) and "fits 512 vCPU" in too_big.reason


def test_seed_000_api_service_on_ec2() -> None:
    lines = _by(_example("aftersales-graph"))
    api_ec2 = lines["ApiService", "ec2"]  # 2 vCPU / 4 GB: t3a.large (8 GiB) is the cheapest 2 vCPU type that fits
    assert (api_ec2.monthly, api_ec2.resource) == (round(730 * 0.0752, 2), "ECS on EC2 t3a.large")
    assert lines["ApiService", "current"].monthly == 72.08 and lines["ApiService", "graviton"].monthly == 57.67
    assert "the cheapest type without CPU credits is m5a.large at $62.78 a month" in " ".join(api_ec2.details)


def test_ecs_managed_instances_are_priced_only_with_their_fee_table() -> None:
    report = api.scan(str(EXAMPLES / "rem-transcription"))
    usage = load_usage(str(EXAMPLES / "rem-transcription" / "usage.yaml"))
    without = _by(cost_lines(report, SNAPSHOT, usage))
    assert not [d for d in without["aws_ecs_service.worker", "ec2"].details if "Managed Instances" in d]
    data = dict(SNAPSHOT.data, ecs_managed_instances={"source": "https://example.test", "generated": "2026-11-27",
                                                       "fee_per_hour": {"t3a.small": 0.0023}})  # fmt: skip
    lines = _by(cost_lines(report, Snapshot("us-east-1", data), usage))
    (managed,) = [d for d in lines["aws_ecs_service.worker", "ec2"].details if "Managed Instances" in d]
    assert managed.startswith("ECS Managed Instances (AWS provisions, patches and replaces the instances;")
    assert managed.endswith(f"x 486 h x ($0.0188 + $0.0023 fee) (t3a.small) = ${486 * (0.0188 + 0.0023):,.2f}")


def test_ecs_on_ec2_target_in_the_plan_and_cli(tmp_path: Path) -> None:
    example = EXAMPLES / "rem-transcription"
    args = ["assess", str(example), "--usage", str(example / "usage.yaml"), "--offline", "--output-dir", str(tmp_path)]
    assert main([*args, "--target", "ec2-spot"]) == 0
    plan = (tmp_path / "MIGRATION-PLAN.md").read_text()
    assert "Target: **ec2-spot**" in plan
    assert "- On the target (ec2-spot): $3.54 for 1 component(s) that cost $23.99 today -> saving $20.45" in plan
    assert "Operations: ECS on EC2 adds work Fargate does for you" in plan
    assert (
        "ECS Managed Instances (AWS provisions, patches and replaces the instances for a management fee on top" in plan
    )


# ------------------------------------------------------------------ Spot Instance Advisor data


def test_spot_savings_come_from_the_types_advisor_entry() -> None:
    facts = ADVISOR.facts("t3.small")
    assert facts is not None and (facts.savings, facts.bucket, facts.label) == (65, 0, "<5%")  # the README's example
    lines = _by(_example("ec2-mnist"))
    spot = lines["TrainingInstance", "spot"]  # m5.large: 66 % advertised, 15-20 % interruptions (not a flat 60 %)
    assert spot.monthly == round(730 * 0.096 * (1 - 0.66), 2) == 23.83
    assert spot.estimate


def _feed() -> dict[str, object]:
    return {
        "global_rate": "<10%",
        "instance_types": {"t3.small": {"emr": False, "cores": 2, "ram_gb": 2.0}},
        "ranges": [
            {"index": i, "label": label, "dots": i, "max": top}
            for i, (label, top) in enumerate((("<5%", 5), ("5-10%", 11), ("10-15%", 16), ("15-20%", 22), (">20%", 100)))
        ],
        "spot_advisor": {"eu-west-1": {"Linux": {"t3.small": {"s": 70, "r": 1}}, "Windows": {"t3.small": {"s": 9, "r": 4}}}},
    }  # fmt: skip


def test_spot_advisor_refresh_from_the_feed(tmp_path: Path) -> None:
    body = json.dumps(_feed()).encode()
    with serve(lambda path: (body, "application/json") if path == "/feed.json" else None) as base:
        written = refresh_advisor(tmp_path, f"{base}/feed.json", today=datetime.date(2026, 11, 27))
        with pytest.raises(SpotRefreshError, match="could not fetch"):
            refresh_advisor(tmp_path / "other", f"{base}/missing.json")
    data = json.loads(written.read_text())
    assert data["as_of"] == "2026-11-27" and data["regions"] == {"eu-west-1": {"t3.small": {"s": 70, "r": 1}}}
    advisor = load_advisor("eu-west-1", tmp_path)
    assert not advisor.estimated and advisor.facts("t3.small").savings == 70  # type: ignore[union-attr]
    assert load_advisor("eu-west-1").estimated  # the bundled snapshot has us-east-1 only: labelled
    (tmp_path / "spot-advisor.json").write_text(
        '{"kind": "estimate", "as_of": "x", "regions": {"r": {"t": {"s": 300, "r": 0}}}}'
    )
    with pytest.raises(SpotRefreshError, match="not a Spot Instance Advisor snapshot"):
        load_advisor("us-east-1", tmp_path)  # a refreshed folder is untrusted input


def test_prices_spot_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = json.dumps(_feed()).encode()
    with serve(lambda path: (body, "application/json")) as base:
        assert main(["prices", "spot", "--url", f"{base}/feed", "--output-dir", str(tmp_path)]) == 0
    assert "spot-advisor.json" in capsys.readouterr().out
    assert (tmp_path / "spot-advisor.json").is_file()


def test_bundled_advisor_snapshot_keeps_source_and_date() -> None:
    data = knowledge.load("spot_advisor")
    assert (data["kind"], data["as_of"]) == ("estimate", "2025-06-28")
    assert data["source"] == "https://spot-bid-advisor.s3.amazonaws.com/spot-advisor-data.json"
    assert "5eedf20a99614443af215f4aaf09bd10805cac72" in data["source_note"]
    # the README's examples, straight from the copy
    table = data["regions"]["us-east-1"]
    assert [table[t] for t in ("t3.small", "t4g.small", "m5.large", "m7g.large")] == [
        {"s": 65, "r": 0}, {"s": 51, "r": 1}, {"s": 66, "r": 3}, {"s": 64, "r": 2},
    ]  # fmt: skip


# ------------------------------------------------------------------ prices and mappings


def test_previous_generation_families_are_priced_with_source_and_date() -> None:
    # On main: "no price for m4.xlarge in the snapshot" (and c4, r4, i3, t2 ...).
    expected = {"m4.xlarge": 0.2, "c4.large": 0.1, "r4.large": 0.133, "i3.large": 0.156, "t2.micro": 0.0116,
                "m3.medium": 0.067, "c3.large": 0.105, "r3.large": 0.166, "m1.small": 0.044, "p3.2xlarge": 3.06}  # fmt: skip
    for instance_type, price in expected.items():
        assert SNAPSHOT.ec2(instance_type) == price, instance_type
        source, date = SNAPSHOT.ec2_source(instance_type) or ("", "")
        assert source.startswith("https://github.com/aws/karpenter-provider-aws/blob/031e72b6") and date == "2026-01-19"
    table = SNAPSHOT.data["ec2"]
    assert {t.split(".", 1)[0] for t in table["prices"]} == set(table["families"])  # every entry has its source
    known = knowledge.instances()
    for family in table["families"]:  # every family is Graviton, mapped, or unmapped with a reason
        assert family in known.graviton_families or family in known.families or family in known.unmapped, family


def test_previous_generations_map_across_generations_and_say_why() -> None:
    c4 = graviton_type("c4.large")
    assert c4.target == "c7g.large"
    assert "previous generation (fourth generation, Haswell): AWS has no Graviton of that age" in c4.reason
    assert graviton_type("m4.xlarge").target == "m7g.xlarge" and graviton_type("t2.micro").target == "t4g.micro"
    assert graviton_type("i3.large").target == "i4g.large"
    c48 = graviton_type("c4.8xlarge")  # 36 vCPU: c7g.8xlarge has 32
    assert c48.target is None and "has fewer vCPUs than c4.8xlarge (36 vCPU, 60 GiB)" in c48.reason
    assert graviton_type("m4.10xlarge").reason == "m7g has no 10xlarge size: choose the target size by hand"
    gpu = graviton_type("p3.2xlarge")
    assert gpu.target is None and "accelerated computing (NVIDIA GPUs)" in gpu.reason
    c5n = graviton_type("c5n.xlarge")  # mapped, with the memory it lacks said
    assert c5n.target == "c7gn.xlarge" and "less memory (8 GiB against 10.5 GiB)" in c5n.reason


def test_a_previous_generation_fleet_is_priced_today_and_on_graviton(assess_files: ScanFiles) -> None:
    report = assess_files(
        {"main.tf": 'resource "aws_instance" "old" {\n  ami = "ami-1"\n  instance_type = "m4.xlarge"\n}\n'}
    )
    lines = _by(cost_lines(report, SNAPSHOT, Usage()))
    assert lines["aws_instance.old", "current"].monthly == round(730 * 0.2, 2) == 146.0
    graviton = lines["aws_instance.old", "graviton"]
    assert (graviton.monthly, graviton.resource) == (round(730 * 0.1632, 2), "m7g.xlarge")
    assert "maps across generations" in graviton.note
    assert [f.rule_id for f in report.findings if f.rule_id.startswith("ec2-x86")] == ["ec2-x86-instance"]
