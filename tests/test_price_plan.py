"""Prices, the cost model, Spot suitability and the plan, checked against the source documents' numbers."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
from botocore.stub import Stubber

from replatform import api
from replatform.cli import main
from replatform.plan.run import assess_project
from replatform.price.cost import cost_lines, totals
from replatform.price.mapping import graviton_type
from replatform.price.refresh import FILTERS, families, refresh
from replatform.price.snapshot import load
from replatform.price.usage import Usage, load_usage

from .conftest import EXAMPLES, ROOT

SNAPSHOT = load("us-east-1")


def _lines(example: str, usage: Usage | None = None) -> dict[tuple[str, str], float | None]:
    report = api.scan(str(EXAMPLES / example))
    return {(line.name, line.target): line.monthly for line in cost_lines(report, SNAPSHOT, usage or Usage())}


def test_seed_000_api_service_fargate_costs() -> None:
    lines = _lines("aftersales-graph")
    assert lines["ApiService", "current"] == 72.08  # 2 vCPU, 4 GB, 24/7, x86
    assert lines["ApiService", "graviton"] == 57.67  # ARM
    assert lines["ProcessorTask", "current"] is None  # a batch task with no usage: never invented


def test_seed_002_quotes_only_the_vcpu_price() -> None:
    # The guide's "1 vCPU, 2 GB ... $0.04048/hr" row is the vCPU rate alone; with memory the hour costs more.
    fargate = SNAPSHOT.data["fargate"]["x86_64"]
    per_hour = 1 * fargate["vcpu_hour"] + 2 * fargate["gb_hour"]
    assert round(per_hour, 5) == 0.04937
    assert round(per_hour - 0.04048, 5) == 0.00889
    assert round(per_hour * 730, 2) == 36.04  # vs the guide's ~$29.15


def test_seed_001_t3_small_and_derived_savings() -> None:
    assert SNAPSHOT.ec2("t3.small") == 0.0208  # the document's on-demand price
    t3 = graviton_type("t3.small")
    assert t3.target == "t4g.small"
    assert round((SNAPSHOT.ec2("t3.small") - SNAPSHOT.ec2("t4g.small")) * 730, 2) == 2.92  # type: ignore[operator]
    m5 = graviton_type("m5.large")
    assert m5.target == "m7g.large"
    lines = _lines("ec2-mnist")
    assert (lines["TrainingInstance", "current"], lines["TrainingInstance", "graviton"]) == (70.08, 59.57)


def test_mapping_strategies_and_unmapped_shapes() -> None:
    assert graviton_type("m7i.xlarge").target == "m8g.xlarge"  # generation 7 -> Graviton4
    assert graviton_type("c5.large", "price_first").target == "c6g.large"
    assert graviton_type("m5d.2xlarge").target == "m7gd.2xlarge"
    assert graviton_type("c5n.xlarge").target == "c7gn.xlarge"
    no_twin = graviton_type("c5.9xlarge")
    assert no_twin.target is None and "9xlarge" in no_twin.reason
    assert graviton_type("p3.2xlarge").target is None


def test_usage_file_prices_batch_tasks_and_lambdas(tmp_path: Path) -> None:
    usage = tmp_path / "usage.yaml"
    usage.write_text(
        "components:\n  ProcessorTask:\n    hours_per_month: 100\n"
        "  SplitterFunction:\n    requests_per_month: 1000000\n    avg_duration_ms: 1000\n"
    )
    lines = _lines("aftersales-graph", load_usage(str(usage)))
    assert lines["ProcessorTask", "current"] == 91.44  # 100 h x (16 x 0.04048 + 60 x 0.004445)
    # 1M x 1 s x 1 GB = 1,000,000 GB-s: x86 16.67 + 0.20 requests; arm64 13.33 + 0.20
    assert (lines["SplitterFunction", "current"], lines["SplitterFunction", "graviton"]) == (16.87, 13.53)


def test_bad_usage_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "usage.yaml").write_text("components:\n  X:\n    hourz: 3\n")
    assert (
        main(
            [
                "assess",
                str(EXAMPLES / "ec2-mnist"),
                "--usage",
                str(tmp_path / "usage.yaml"),
                "--output-dir",
                str(tmp_path / "out"),
            ]
        )
        == 2
    )
    assert "unknown key(s) hourz" in capsys.readouterr().err


def test_rem_transcription_worker_is_suitable_for_spot(tmp_path: Path) -> None:
    usage = str(EXAMPLES / "rem-transcription" / "usage.yaml")
    assessment = assess_project(str(EXAMPLES / "rem-transcription"), usage_file=usage)
    worker = next(i for i in assessment.plan.items if i.name == "aws_ecs_service.worker")
    assert worker.phase == 1  # the only stage with components is phase 1: phases are numbered from 1, no gaps
    assert assessment.plan.title(worker.phase) == "Batch, async and queue workers"
    # The IaC's evidence says it tolerates interruptions, each reason pointing at the worker's own code; the
    # worker's code (issue 13) adds what to change first: no SIGTERM handler, no dead-letter queue.
    assert worker.spot == "suitable with changes"
    reasons = [r for r in worker.spot_reasons if not r.startswith("change: ")]
    assert reasons[:4] == [
        "consumes queue aws_sqs_queue.transcription_jobs: it scales on the queue's depth "
        "(aws_appautoscaling_policy.queue_depth) (cloud/infra/ecs.tf:94); an interrupted job's message reappears "
        "and is retried",
        "consumes queue aws_sqs_queue.transcription_jobs: its environment variable QUEUE_URL names it "
        "(cloud/infra/ecs.tf:30); an interrupted job's message reappears and is retried",
        "no load balancer sends it traffic (none is linked to it in the IaC) (cloud/infra/ecs.tf:47): "
        "no connections to drain",
        "stopTimeout 120 s fits the 2-minute Spot notice (cloud/infra/ecs.tf:28)",
    ]
    assert [r for r in worker.spot_reasons if r.startswith("change: ")] == [
        "change: SIGTERM not handled in cloud/gpu-worker/worker.py: add a handler that stops taking work "
        "(cloud/gpu-worker/worker.py:33) and finishes or releases the current job within the 2-minute Spot notice",
        "change: no dead-letter queue: add one with maxReceiveCount >= 5",
    ]
    by_target = {line.target: line for line in assessment.plan.costs if line.name == "aws_ecs_service.worker"}
    assert (
        by_target["spot"].resource == "Fargate X86_64 Spot"
        and by_target["graviton+spot"].resource == "Fargate ARM64 Spot"
    )
    # The t3.small capacity is declared with count = var.enable_ec2_capacity ? 1 : 0 (default false): not deployed,
    # so it is never priced even though the usage file gives it an instance (it used to add $15.18 to today's cost).
    assert not [line for line in assessment.plan.costs if line.name == "aws_autoscaling_group.ecs_worker"]
    assert "aws_autoscaling_group.ecs_worker" in assessment.plan.not_deployed
    assert (
        "enable_ec2_capacity = false from default in cloud/infra/variables.tf"
        in (assessment.plan.not_deployed["aws_autoscaling_group.ecs_worker"])
    )
    # Today's total is the Fargate worker alone: 1 task x 486 h x (1 vCPU x $0.04048 + 2 GB x $0.004445) = $23.99.
    assert totals(assessment.plan.costs)["current"] == round(486 * (1 * 0.04048 + 2 * 0.004445), 2) == 23.99


def test_aftersales_plan_orders_lambdas_first_and_api_last() -> None:
    assessment = assess_project(
        str(EXAMPLES / "aftersales-graph"), usage_file=str(EXAMPLES / "aftersales-graph" / "usage.yaml")
    )
    phases = {i.name: i.phase for i in assessment.plan.items}
    assert phases == {
        "SplitterFunction": 1,
        "NotifierFunction": 1,
        "ProcessorTask": 2,
        "IngestionTask": 2,
        "DeletionTask": 2,
        "SplitTask": 2,
        "ApiService": 3,
    }
    assert totals(assessment.plan.costs)["current"] == 254.08  # the case study says ~$252/month
    assert assessment.plan.monthly_saving == 50.75
    assert assessment.plan.payback_months == 39.4  # 20 h x $100 / $50.75


@pytest.mark.parametrize("name", ["aftersales-graph", "ai-studio", "ec2-mnist", "porting-samples", "rem-transcription"])
def test_golden_migration_plans(
    name: str, tmp_path: Path, update_golden: bool, report_schema: dict[str, object]
) -> None:
    usage = EXAMPLES / name / "usage.yaml"
    args = ["assess", str(EXAMPLES / name), "--output-dir", str(tmp_path), "--offline"]
    if usage.exists():
        args += ["--usage", str(usage)]
    main(args)
    data = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(data, report_schema)
    plan = (tmp_path / "MIGRATION-PLAN.md").read_text()
    golden = ROOT / "tests" / "golden" / f"{name}.MIGRATION-PLAN.md"
    if update_golden:
        golden.write_text(plan)
    assert plan == golden.read_text(), f"plan for {name} changed; rerun with --update-golden and review"


def test_usage_init_lists_usage_based_components(tmp_path: Path) -> None:
    target = tmp_path / "usage.yaml"
    assert main(["usage", "init", str(EXAMPLES / "aftersales-graph"), "-o", str(target)]) == 0
    text = target.read_text()
    assert '"lambda_function:src/infrastructure/pipeline/task.ts#SplitterFunction":' in text
    assert '"ecs_task_definition:src/infrastructure/pipeline/task.ts#ProcessorTask":' in text
    assert load_usage(str(target)).components  # the skeleton parses


def _product(instance_type: str, usd: str) -> str:
    return json.dumps(
        {
            "product": {"attributes": {"instanceType": instance_type, "regionCode": "eu-west-1"}},
            "terms": {"OnDemand": {"T1": {"priceDimensions": {"D1": {"unit": "Hrs", "pricePerUnit": {"USD": usd}}}}}},
        }
    )


def test_price_refresh_with_stubbed_price_list(tmp_path: Path, report_schema: dict[str, object]) -> None:
    import boto3

    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    filters = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"}]
    filters += [{"Type": "TERM_MATCH", "Field": f, "Value": v} for f, v in FILTERS.items()]
    with Stubber(client) as stub:
        stub.add_response(
            "get_products",
            {"PriceList": [_product("m5.large", "0.1070000000"), _product("p3.2xlarge", "3.3")], "NextToken": "page2"},
            {"ServiceCode": "AmazonEC2", "Filters": filters, "MaxResults": 100},
        )
        stub.add_response(
            "get_products",
            {"PriceList": [_product("m7g.large", "0.0910000000")]},
            {"ServiceCode": "AmazonEC2", "Filters": filters, "MaxResults": 100, "NextToken": "page2"},
        )
        path = refresh("eu-west-1", tmp_path, client=client, today=datetime.date(2026, 11, 22))
        stub.assert_no_pending_responses()
    data = json.loads(path.read_text())
    schema = json.loads((ROOT / "src/replatform/knowledge/schemas/prices.schema.json").read_text())
    jsonschema.validate(data, schema)
    # p3 has no Graviton mapping but is priced too: today's cost of a GPU fleet is still a cost
    assert data["ec2"]["prices"] == {"m5.large": 0.107, "m7g.large": 0.091, "p3.2xlarge": 3.3}
    assert data["ec2"]["families"] == dict.fromkeys(("m5", "m7g", "p3"), "price-list-api-2026-11-22")
    assert data["snapshot_date"] == "2026-11-22" and data["region"] == "eu-west-1"
    snapshot = load("eu-west-1", tmp_path)
    assert not snapshot.estimated and snapshot.ec2("m7g.large") == 0.091
    assert load("eu-west-1").estimated  # without the refreshed file: us-east-1 figures, labelled
    assert "m7g" in families() and "t3" in families()


def test_price_snapshots_match_their_schema(tmp_path: Path) -> None:
    schema = json.loads((ROOT / "src/replatform/knowledge/schemas/prices.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    for snapshot in (ROOT / "src/replatform/knowledge/prices").glob("*.json"):
        jsonschema.validate(json.loads(snapshot.read_text()), schema)
    broken = dict(SNAPSHOT.data, spot=dict(SNAPSHOT.data["spot"], kind="price"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)  # a Spot figure must stay labelled as an estimate


def test_performance_factor_is_a_separate_labelled_scenario(tmp_path: Path) -> None:
    main(
        [
            "assess",
            str(EXAMPLES / "ec2-mnist"),
            "--offline",
            "--output-dir",
            str(tmp_path),
            "--performance-factor",
            "1.25",
        ]
    )
    plan = (tmp_path / "MIGRATION-PLAN.md").read_text()
    assert "if arm64 does the same work 1.25x faster" in plan and "graviton $47.66" in plan  # 59.57 / 1.25
    assert "saving $10.51 per month" in plan  # the price-only saving is unchanged (70.08 - 59.57)


def test_batch_compute_environment_priced_from_usage(tmp_path: Path) -> None:
    (tmp_path / "batch.tf").write_text(
        'resource "aws_batch_compute_environment" "ce" {\n  type = "MANAGED"\n'
        '  compute_resources {\n    type = "EC2"\n    instance_type = ["c5.xlarge"]\n    max_vcpus = 64\n  }\n}\n'
    )
    (tmp_path / "usage.yaml").write_text(
        "components:\n  aws_batch_compute_environment.ce:\n    instances: 2\n    hours_per_month: 100\n"
    )
    report = api.scan(str(tmp_path))
    lines = {line.target: line for line in cost_lines(report, SNAPSHOT, load_usage(str(tmp_path / "usage.yaml")))}
    assert (lines["current"].monthly, lines["current"].resource) == (34.0, "c5.xlarge")  # 2 x 100 h x $0.17
    assert (lines["graviton"].monthly, lines["graviton"].resource) == (29.0, "c7g.xlarge")  # 2 x 100 h x $0.145
    assert SNAPSHOT.ec2("c7g.xlarge") == 0.145  # seed 000 quotes $0.1445/hour for the c7g.xlarge build host
    without = {line.target: line for line in cost_lines(report, SNAPSHOT, Usage())}
    assert (
        without["current"].monthly is None and "AWS Batch runs instances only while jobs run" in without["current"].note
    )


def test_spot_signals_from_volumes_and_stateful_images(tmp_path: Path) -> None:
    (tmp_path / "ecs.tf").write_text(
        'resource "aws_ecs_task_definition" "db" {\n  cpu = 1024\n  memory = 2048\n'
        '  container_definitions = jsonencode([{ name = "db", image = "postgres:16" }])\n}\n'
        'resource "aws_ecs_task_definition" "cache" {\n  cpu = 256\n  memory = 512\n'
        '  volume {\n    name = "data"\n    host_path = "/var/lib/cache"\n  }\n'
        '  container_definitions = jsonencode([{ name = "c", image = "acme/cache:1", stopTimeout = 30 }])\n}\n'
        'resource "aws_ecs_task_definition" "job" {\n  cpu = 256\n  memory = 512\n'
        '  volume {\n    name = "shared"\n    efs_volume_configuration {\n      file_system_id = "fs-123"\n    }\n  }\n'
        '  container_definitions = jsonencode([{ name = "j", image = "acme/job:1", stopTimeout = 60 }])\n}\n'
    )
    assessment = assess_project(str(tmp_path))
    spot = {i.name: (i.spot, i.spot_reasons) for i in assessment.plan.items}
    assert spot["aws_ecs_task_definition.db"][0] == "unsuitable"
    assert "runs a stateful image (postgres:16)" in spot["aws_ecs_task_definition.db"][1][0]
    assert spot["aws_ecs_task_definition.cache"][0] == "unsuitable"
    assert "mounts a host path (/var/lib/cache)" in spot["aws_ecs_task_definition.cache"][1][0]
    assert spot["aws_ecs_task_definition.job"][0] == "suitable"
    assert any("EFS" in r for r in spot["aws_ecs_task_definition.job"][1])


def test_govcloud_snapshot_prices_graviton2_with_price_first(tmp_path: Path) -> None:
    gov = load("us-gov-west-1")
    assert not gov.estimated and gov.ec2("m5.large") == 0.121 and gov.ec2("m6g.large") == 0.0968
    assert gov.ec2("m7g.large") is None  # Graviton3 is not in this GovCloud table
    report = api.scan(str(EXAMPLES / "ec2-mnist"))
    lines = {line.target: line for line in cost_lines(report, gov, Usage(), "price_first")}
    assert (lines["current"].monthly, lines["graviton"].monthly, lines["graviton"].resource) == (
        88.33,
        70.66,
        "m6g.large",
    )
    parity = {line.target: line for line in cost_lines(report, gov, Usage())}
    assert parity["graviton"].monthly is None and "no price for m7g.large" in parity["graviton"].note


def _table(text: str, heading: str) -> list[list[str]]:
    """The rows of the first Markdown table after ``heading`` (cells stripped, header and rule dropped)."""
    after = text.split(heading, 1)[1]
    block: list[list[str]] = []
    for line in after.splitlines()[1:]:
        if line.startswith("|"):
            block.append([cell.strip() for cell in line.strip("|").split("|")])
        elif block:
            break
    return block[2:]


def _dollars(cell: str) -> float | None:
    return float(cell.replace("$", "").replace(",", "")) if cell.startswith("$") else None


@pytest.mark.parametrize("name", ["aftersales-graph", "ai-studio", "ec2-mnist", "porting-samples", "rem-transcription"])
def test_golden_plan_totals_are_the_sums_of_their_lines(name: str) -> None:
    # Read from the reviewed golden file: each target's total equals the sum of that target's rows below it.
    text = (ROOT / "tests" / "golden" / f"{name}.MIGRATION-PLAN.md").read_text()
    if "## Costs by component" not in text:
        assert "| target | priced components" not in text
        return
    rows = _table(text, "## Costs by component")
    sums: dict[str, float] = {}
    for _component, targets, monthly, *_rest in rows:
        for target in targets.split(", "):
            value = _dollars(monthly)
            sums[target] = round(sums.get(target, 0.0) + (value or 0.0), 2)
    if "| target | priced components" not in text:
        assert not any(sums.values())
        return
    for target, _count, monthly, _today, _saving, _na in _table(text, "## Summary"):
        assert (_dollars(monthly) or 0.0) == sums.get(target, 0.0), target


def test_golden_plans_recomputed_by_hand() -> None:
    golden = ROOT / "tests" / "golden"
    aftersales = (golden / "aftersales-graph.MIGRATION-PLAN.md").read_text()
    api_today = round(730 * (2 * 0.04048 + 4 * 0.004445), 2)  # seed 000: "API Service $72/mo"
    assert f"| ApiService | current | ${api_today} |" in aftersales and api_today == 72.08
    # the five Fargate lines on graviton+spot, the two Lambdas n/a: 23.07 + 41.56 + 8.95 + 0.24 + 0.95
    assert "| graviton+spot | 5 | $74.77 | $233.58 | $158.81 | NotifierFunction, SplitterFunction |" in aftersales
    processor_spot = round(142 * 0.8064 * (1 - 0.52), 2)  # m7i.4xlarge, 52 % advertised Spot savings
    assert f"**ProcessorTask**, ec2-spot: ${processor_spot}" in aftersales and processor_spot == 54.96
    mnist = (golden / "ec2-mnist.MIGRATION-PLAN.md").read_text()
    assert f"| TrainingInstance | spot | ${round(730 * 0.096 * (1 - 0.66), 2)} |" in mnist  # $23.83
    rem = (golden / "rem-transcription.MIGRATION-PLAN.md").read_text()
    worker = "aws\\_ecs\\_service.worker"  # as the plan writes it: "_" escaped like every repository name
    assert f"| {worker} | current | ${round(486 * (1 * 0.04048 + 2 * 0.004445), 2)} |" in rem  # $23.99
    assert f"| {worker} | ec2-spot | ${round(486 * 0.0208 * (1 - 0.65), 2)} |" in rem  # $3.54
    porting = (golden / "porting-samples.MIGRATION-PLAN.md").read_text()
    blockers = porting.split("## Blockers to fix first", 1)[1].split("## Assumptions", 1)[0]
    assert porting.count("- Blockers found: 11;") == 1 and blockers.count("\n- `") == 11
    studio = (golden / "ai-studio.MIGRATION-PLAN.md").read_text()
    assert "- Effort: 0 h x $100/h = $0.00; payback and ROI not computable" in studio
