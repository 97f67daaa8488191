"""What the code states is priced from the code: a usage file (edited or not) only adds what the code does not say.

The inputs are an acceptance tester's template (tests/data/price/ecs-on-ec2, defects 11a and 9a): an ASG whose
``DesiredCapacity: "2"`` is a literal string, an always-on Spot instance, and a launch-configuration ASG with
MinSize = MaxSize = 1 and no DesiredCapacity. Every figure below is recomputed by hand from the snapshot's prices.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from replatform import api
from replatform.cli import main
from replatform.model import CostLine
from replatform.plan.run import assess_project, summary
from replatform.price.cost import TargetTotal, cost_lines, target_totals
from replatform.price.money import money
from replatform.price.snapshot import load
from replatform.price.spot_advisor import load_advisor
from replatform.price.usage import Usage, code_count, load_usage, parse_usage
from replatform.report.html.overview import cost_chart

from .conftest import ScanFiles

DATA = Path(__file__).parent / "data" / "price" / "ecs-on-ec2"
SNAPSHOT = load("us-east-1")

# The prices the hand computations use, checked against the snapshot so a new snapshot fails loudly here.
M5_XLARGE, C5_LARGE, T2_MEDIUM = 0.192, 0.085, 0.0464
FARGATE_VCPU, FARGATE_GB = 0.04048, 0.004445
C5_LARGE_SPOT_SAVINGS = 0.59


def test_the_hand_computations_use_the_snapshot_prices() -> None:
    assert (SNAPSHOT.ec2("m5.xlarge"), SNAPSHOT.ec2("c5.large"), SNAPSHOT.ec2("t2.medium")) == (
        M5_XLARGE,
        C5_LARGE,
        T2_MEDIUM,
    )
    assert SNAPSHOT.data["fargate"]["x86_64"] == {"vcpu_hour": FARGATE_VCPU, "gb_hour": FARGATE_GB}
    facts = load_advisor("us-east-1").facts("c5.large")
    assert facts is not None and facts.discount == C5_LARGE_SPOT_SAVINGS
    assert SNAPSHOT.hours == 730


# ASG: 2 (DesiredCapacity "2") x 730 h x $0.192 = $280.32
ASG = round(2 * 730 * M5_XLARGE, 2)
# WorkerService: desired !If [IsProd, 4, 1] -> 1 task, base 1 on FARGATE: 730 h x (1 vCPU x $0.04048 + 2 GB x $0.004445)
WORKER = round(730 * (1 * FARGATE_VCPU + 2 * FARGATE_GB), 2)
# Box: always on, bought as Spot (InstanceMarketOptions.MarketType: spot): 730 h x $0.085 x (1 - 59 %)
BOX = round(730 * C5_LARGE * (1 - C5_LARGE_SPOT_SAVINGS), 2)
# LegacyASG: MinSize = MaxSize = 1, no DesiredCapacity -> exactly 1: 730 h x $0.0464
LEGACY = round(1 * 730 * T2_MEDIUM, 2)
TODAY = round(ASG + WORKER + BOX + LEGACY, 2)


def _today(usage: Usage) -> dict[str, CostLine]:
    lines = cost_lines(api.inventory(str(DATA)), SNAPSHOT, usage)
    return {line.name: line for line in lines if line.target == "current"}


def test_todays_cost_of_the_template_recomputed_by_hand() -> None:
    assert (ASG, WORKER, BOX, LEGACY, TODAY) == (280.32, 36.04, 25.44, 33.87, 375.67)
    today = _today(Usage())
    assert {name: line.monthly for name, line in today.items() if line.monthly is not None} == {
        "ASG": ASG,
        "WorkerService": WORKER,
        "Box": BOX,
        "LegacyASG": LEGACY,
    }
    assert today["ASG"].formula == "2 x 730 h x $0.192 (m5.xlarge)"
    assert (
        today["Box"].formula == "1 x 730 h x $0.085 (c5.large) x (1 - 59% advertised Spot savings, <5% interruptions)"
    )
    assert today["LegacyASG"].formula == (
        "1 (no desired capacity; min size = max size = 1) x 730 h x $0.0464 (t2.medium)"
    )
    assert target_totals(list(today.values()))["current"].monthly == TODAY


def test_usage_init_asks_only_for_what_the_code_does_not_state(tmp_path: Path) -> None:
    # Before: the ASG with DesiredCapacity "2" was "capacity scaled at run time", and the always-on Box and the
    # MinSize = MaxSize = 1 LegacyASG were listed with nulls.
    target = tmp_path / "usage.yaml"
    assert main(["usage", "init", str(DATA), "-o", str(target)]) == 0
    text = target.read_text()
    keys = [line.split('"')[1] for line in text.splitlines() if line.startswith('  "')]
    assert keys == ["lambda_function:template.yaml#Fn", "lambda_function:template.yaml#OldFn"]
    assert "    requests_per_month: null\n    avg_duration_ms: null\n" in text


@pytest.mark.parametrize("skeleton", ["new", "old"])
def test_an_unedited_skeleton_prices_what_the_code_states(tmp_path: Path, skeleton: str) -> None:
    # Before: the old skeleton's nulls overrode the IaC and today's cost fell from $378.41 to $36.04 (the ASG's
    # $280.32 and Box's $62.05 vanished). A null states nothing: the code's numbers stay, lines are never dropped.
    path = tmp_path / "usage.yaml"
    if skeleton == "new":
        assert main(["usage", "init", str(DATA), "-o", str(path)]) == 0
    else:
        path.write_text((DATA / "old-skeleton.yaml").read_text())
    with_file, without = _today(load_usage(str(path))), _today(Usage())
    assert with_file == without
    assert target_totals(list(with_file.values()))["current"].monthly == TODAY == 375.67
    # where the code says nothing, it stays "depends on usage" (never $0)
    assert (with_file["Fn"].monthly, with_file["Fn"].note) == (
        None,
        "depends on usage: requests_per_month and avg_duration_ms",
    )


def test_a_number_in_the_usage_file_overrides_the_code_and_null_falls_back_to_it() -> None:
    text = """\
components:
  ASG:
    instances: 3          # overrides DesiredCapacity "2"
    hours_per_month: null # the code: always on
  LegacyASG:
    instances: null       # the code: MinSize = MaxSize = 1
    hours_per_month: 100
  Box:
    hours_per_month: 200
"""
    today = _today(parse_usage(text, "usage.yaml"))
    assert today["ASG"].formula == "3 x 730 h x $0.192 (m5.xlarge)"
    assert today["ASG"].monthly == round(3 * 730 * M5_XLARGE, 2) == 420.48
    assert (
        today["LegacyASG"].formula == "1 (no desired capacity; min size = max size = 1) x 100 h x $0.0464 (t2.medium)"
    )
    assert today["LegacyASG"].monthly == round(100 * T2_MEDIUM, 2) == 4.64
    assert today["Box"].monthly == round(200 * C5_LARGE * (1 - C5_LARGE_SPOT_SAVINGS), 2) == 6.97
    # defaults apply to what a component's null leaves open, exactly as to an absent key
    with_default = _today(
        parse_usage("defaults:\n  hours_per_month: 10\ncomponents:\n  ASG:\n    hours_per_month: null\n", "u")
    )
    assert with_default["ASG"].monthly == round(2 * 10 * M5_XLARGE, 2) == 3.84


# ------------------------------------------------------------------ 9a: the count of a group with no desired capacity

CFN_GROUPS = """\
Resources:
  LC:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties: {InstanceType: t2.medium, ImageId: ami-1}
  Fixed:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties: {MinSize: "1", MaxSize: "1", LaunchConfigurationName: !Ref LC}
  FromMin:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties: {MinSize: "2", MaxSize: "4", LaunchConfigurationName: !Ref LC}
  FromZero:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties: {MinSize: "0", MaxSize: "4", LaunchConfigurationName: !Ref LC}
  Pinned:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties: {MinSize: 3, MaxSize: 3, DesiredCapacity: !Ref Wanted, LaunchConfigurationName: !Ref LC}
"""

TF_GROUPS = """\
resource "aws_launch_template" "lt" {
  instance_type = "t2.medium"
}
resource "aws_autoscaling_group" "Fixed" {
  min_size = 1
  max_size = 1
  launch_template {
    id = aws_launch_template.lt.id
  }
}
resource "aws_autoscaling_group" "FromMin" {
  min_size = 2
  max_size = 4
  launch_template {
    id = aws_launch_template.lt.id
  }
}
resource "aws_autoscaling_group" "FromZero" {
  min_size = 0
  max_size = 4
  launch_template {
    id = aws_launch_template.lt.id
  }
}
resource "aws_autoscaling_group" "Pinned" {
  min_size = 3
  max_size = 3
  desired_capacity = var.wanted
  launch_template {
    id = aws_launch_template.lt.id
  }
}
"""

CDK_GROUPS = """\
import * as cdk from 'aws-cdk-lib';
const t = new ec2.InstanceType('t2.medium');
new autoscaling.AutoScalingGroup(this, 'Fixed', { instanceType: t, minCapacity: 1, maxCapacity: 1 });
new autoscaling.AutoScalingGroup(this, 'FromMin', { instanceType: t, minCapacity: 2, maxCapacity: 4 });
new autoscaling.AutoScalingGroup(this, 'FromZero', { instanceType: t, minCapacity: 0, maxCapacity: 4 });
new autoscaling.AutoScalingGroup(this, 'Pinned', { instanceType: t, minCapacity: 3, maxCapacity: 3, desiredCapacity: wanted });
"""

SCALED = (
    "depends on usage: desired capacity is 0 or not a literal (scaled at run time): give instances in the usage file"
)


@pytest.mark.parametrize(
    ("name", "text"),
    [("template.yaml", CFN_GROUPS), ("main.tf", TF_GROUPS), ("lib/stack.ts", CDK_GROUPS)],
)
def test_a_group_without_desired_capacity_runs_its_min_size(scan_files: ScanFiles, name: str, text: str) -> None:
    # Before: MinSize = MaxSize = 1 with no DesiredCapacity was "depends on usage: desired capacity is 0 or not a
    # literal"; AWS sets desired to MinSize when it is absent, and min = max fixes the count.
    report = scan_files({name: text})
    today = {
        line.name.rsplit(".", 1)[-1]: line for line in cost_lines(report, SNAPSHOT, Usage()) if line.target == "current"
    }
    assert (today["Fixed"].monthly, today["Fixed"].formula) == (
        round(730 * T2_MEDIUM, 2),
        "1 (no desired capacity; min size = max size = 1) x 730 h x $0.0464 (t2.medium)",
    )
    assert today["Fixed"].monthly == 33.87
    assert (today["FromMin"].monthly, today["FromMin"].formula) == (
        round(2 * 730 * T2_MEDIUM, 2),
        "2 (no desired capacity: AWS starts the group at its min size 2) x 730 h x $0.0464 (t2.medium)",
    )
    assert today["FromMin"].monthly == 67.74
    assert (today["Pinned"].monthly, today["Pinned"].formula) == (
        round(3 * 730 * T2_MEDIUM, 2),
        "3 (desired capacity not a literal; min size = max size = 3) x 730 h x $0.0464 (t2.medium)",
    )
    assert (today["FromZero"].monthly, today["FromZero"].note) == (None, SCALED)  # min 0: scaled from zero
    # the skeleton asks only for the group whose count the code does not state
    groups = [c for c in report.components if c.kind.value == "autoscaling_group"]
    assert [c.name.rsplit(".", 1)[-1] for c in groups if code_count(c)[0] is None] == ["FromZero"]


def test_node_group_desired_defaults_only_when_min_equals_max(scan_files: ScanFiles) -> None:
    # EKS's own default desired size is not its min size: only min = max fixes a node group's count.
    report = scan_files(
        {
            "main.tf": """\
resource "aws_eks_node_group" "fixed" {
  instance_types = ["m5.large"]
  scaling_config {
    min_size = 2
    max_size = 2
    desired_size = var.n
  }
}
resource "aws_eks_node_group" "open" {
  instance_types = ["m5.large"]
  scaling_config {
    min_size = 1
    max_size = 3
    desired_size = var.n
  }
}
"""
        }
    )
    counts = {c.name: code_count(c) for c in report.components if c.kind.value == "eks_node_group"}
    assert counts == {
        "aws_eks_node_group.fixed": (2.0, "desired capacity not a literal; min size = max size = 2"),
        "aws_eks_node_group.open": (None, "desired count is 0 or not a literal (scaled at run time)"),
    }


# ------------------------------------------------------------------ money and targets with nothing priced


@pytest.mark.parametrize(
    ("value", "text"),
    [(-21.91, "-$21.91"), (1234.5, "$1,234.50"), (-0.004, "$0.00"), (0.0, "$0.00"), (None, "depends on usage")],
)
def test_one_money_format(value: float | None, text: str) -> None:
    assert money(value) == text
    assert money(value, 12) == text.rjust(12)


def _lambda_only_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "t.yaml").write_text(
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Lambda::Function\n"
        "    Properties: {Runtime: python3.12, Handler: app.handler, MemorySize: 1024, Code: {S3Bucket: b, S3Key: k}}\n"
    )
    (root / "usage.yaml").write_text("components:\n  Fn:\n    requests_per_month: 1000000\n    avg_duration_ms: 100\n")
    return root


def test_a_target_with_nothing_priced_is_never_shown_as_0_dollars(tmp_path: Path) -> None:
    # Before: "ec2  $0.00  saving $0.00 (0 priced)" for every target that priced nothing.
    root = _lambda_only_repo(tmp_path)
    assessment = assess_project(str(root), usage_file=str(root / "usage.yaml"))
    text = summary(assessment, [])
    # 1 M requests x 0.1 s x 1 GB = 100,000 GB-s x $0.0000166667 + 1 M x $0.20 = $1.666670 + $0.20 = $1.87
    assert "  current                  $1.87   saving      $0.00/month (1 priced)" in text
    # graviton: 100,000 GB-s x $0.0000133334 + $0.20 = $1.33334 + $0.20 = $1.53; saving $0.34
    assert "  graviton                 $1.53   saving      $0.34/month (1 priced)" in text
    assert "  spot               not applicable   n/a: Fn\n" in text
    assert "  ec2-graviton+spot  not applicable   n/a: Fn\n" in text
    assert "(0 priced)" not in text and "$0.00/month (0" not in text
    html = cost_chart(assessment)
    assert '<td id="total-ec2-spot" colspan="4">not applicable</td>' in html


def test_a_target_that_depends_on_usage_says_so(tmp_path: Path) -> None:
    total = TargetTotal("ec2", 0.0, (), 0.0, 0.0, ("Fn",), ("Worker",))
    assert total.nothing_priced() == "nothing priced (depends on usage: Worker)"
    assert TargetTotal("ec2", 0.0, (), 0.0, 0.0, ("Fn",)).nothing_priced() == "not applicable"


BOX_ONLY = """\
Resources:
  Box:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: c5.large
      ImageId: ami-0123456789abcdef0
      InstanceMarketOptions: {MarketType: spot}
"""


def test_a_negative_saving_is_written_minus_dollars(tmp_path: Path) -> None:
    # Before: the HTML report showed "$-21.91". A Spot c5.large maps to c7g.large on graviton, whose advertised
    # Spot savings are smaller: 730 h x $0.0725 x (1 - 49 %) = $26.99 against 730 h x $0.085 x (1 - 59 %) = $25.44.
    root = tmp_path / "repo"
    root.mkdir()
    (root / "t.yaml").write_text(BOX_ONLY)
    out = tmp_path / "out"
    assert main(["assess", str(root), "--offline", "--output-dir", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    box = {line["target"]: line["monthly"] for line in report["costs"]["lines"]}
    assert (box["current"], box["graviton"]) == (BOX, round(730 * 0.0725 * (1 - 0.49), 2)) == (25.44, 26.99)
    html = (out / "report.html").read_text()
    assert '<span class="value" id="summary-saving-graviton">-$1.55</span>' in html
    assert "-$1.55" in (out / "MIGRATION-PLAN.md").read_text()
    assert not re.search(r"\$-\d", html + (out / "MIGRATION-PLAN.md").read_text())
