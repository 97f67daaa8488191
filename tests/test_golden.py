"""Whole-report golden files for every example (regenerate with --update-golden, review by eye)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from replatform import api
from replatform.report.json_report import JsonReporter

from .conftest import EXAMPLES, ROOT

EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())


def test_every_example_has_a_golden_file() -> None:
    assert EXAMPLE_NAMES == [
        "aftersales-graph",
        "ai-studio",
        "ec2-mnist",
        "porting-samples",
        "rem-transcription",
        "ticket-api",
    ]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_golden_inventory(name: str, update_golden: bool, report_schema: dict[str, object]) -> None:
    rendered = JsonReporter().render(api.inventory(str(EXAMPLES / name)))
    jsonschema.validate(json.loads(rendered), report_schema)
    golden = ROOT / "tests" / "golden" / f"{name}.json"
    if update_golden:
        golden.write_text(rendered)
    assert rendered == golden.read_text(), f"inventory of {name} changed; rerun with --update-golden and review"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_golden_findings(name: str, update_golden: bool, report_schema: dict[str, object]) -> None:
    data = json.loads(JsonReporter().render(api.scan(str(EXAMPLES / name))))
    jsonschema.validate(data, report_schema)
    rendered = json.dumps(data["findings"], indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    golden = ROOT / "tests" / "golden" / f"{name}.findings.json"
    if update_golden:
        golden.write_text(rendered)
    assert rendered == golden.read_text(), f"findings for {name} changed; rerun with --update-golden and review"


def test_output_is_deterministic() -> None:
    first = JsonReporter().render(api.scan(str(EXAMPLES / "aftersales-graph")))
    second = JsonReporter().render(api.scan(str(EXAMPLES / "aftersales-graph")))
    assert first == second


def test_golden_inventories_show_links_and_deployment() -> None:
    # Read back from the reviewed golden file, not recomputed: the worker service runs its task definition,
    # the ASG launches its template through `[0]`, and both are switched off by count = 0.
    data = json.loads((ROOT / "tests" / "golden" / "rem-transcription.json").read_text())
    links = {(link["kind"], link["source"].rsplit("#", 1)[1], str(link["target"])) for link in data["links"]}
    assert (
        "runs_task",
        "aws_ecs_service.worker",
        "ecs_task_definition:cloud/infra/ecs.tf#aws_ecs_task_definition.worker",
    ) in links
    assert (
        "launches",
        "aws_autoscaling_group.ecs_worker",
        "launch_template:cloud/infra/ecs.tf#aws_launch_template.ecs_worker",
    ) in links
    assert ("buys_capacity", "aws_ecs_service.worker", "FARGATE") in links
    off = sorted(c["name"] for c in data["components"] if c.get("deployed") is False)
    assert off == ["aws_autoscaling_group.ecs_worker", "aws_launch_template.ecs_worker"]
