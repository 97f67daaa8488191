"""SARIF output validated against the official SARIF 2.1.0 schema (fetched by `make`, see the Makefile)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from replatform import api
from replatform.cli import main
from replatform.report.sarif import SarifReporter

from .conftest import EXAMPLES, ROOT

SCHEMA = ROOT / "tests" / ".cache" / "sarif-2.1.0-rtm.5.json"


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, object]:
    if not SCHEMA.exists():
        pytest.fail(f"{SCHEMA} is missing: run `make tests/.cache/sarif-2.1.0-rtm.5.json` (make test does it)")
    return json.loads(SCHEMA.read_text())


@pytest.mark.parametrize("name", ["porting-samples", "aftersales-graph"])
def test_sarif_validates(name: str, sarif_schema: dict[str, object]) -> None:
    log = json.loads(SarifReporter().render(api.scan(str(EXAMPLES / name))))
    jsonschema.Draft4Validator(sarif_schema).validate(log)


def test_sarif_rules_help_and_fingerprints() -> None:
    report = api.scan(str(EXAMPLES / "porting-samples"))
    log = json.loads(SarifReporter().render(report))
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["c-inline-asm"]["helpUri"] == "docs/rules/c-inline-asm.md"
    assert "**Why it matters on arm64.**" in rules["c-inline-asm"]["help"]["markdown"]
    result = next(r for r in run["results"] if r["ruleId"] == "c-inline-asm")
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "c-inline-asm"
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 29
    finding = next(f for f in report.findings if f.rule_id == "c-inline-asm")
    assert result["partialFingerprints"] == {"replatformFingerprint/v2": finding.fingerprint}
    again = json.loads(SarifReporter().render(api.scan(str(EXAMPLES / "porting-samples"))))
    assert again == log


def test_schema_rejects_a_bad_level(sarif_schema: dict[str, object]) -> None:
    log = json.loads(SarifReporter().render(api.scan(str(EXAMPLES / "porting-samples"))))
    log["runs"][0]["results"][0]["level"] = "blocker"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(sarif_schema).validate(log)


def test_ready_verdicts_stay_out_of_sarif_unless_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    demo = ["assess", str(EXAMPLES / "aftersales-graph"), "--usage", str(EXAMPLES / "aftersales-graph" / "usage.yaml")]
    assert main([*demo, "--output-dir", str(tmp_path / "default"), "--fail-on", "never"]) == 0
    assert main([*demo, "--output-dir", str(tmp_path / "all"), "--fail-on", "never", "--sarif-include-ready"]) == 0
    capsys.readouterr()

    def results(folder: str) -> list[str]:
        log = json.loads((tmp_path / folder / "findings.sarif").read_text())
        return sorted(r["ruleId"] for r in log["runs"][0]["results"])

    findings = json.loads((tmp_path / "default" / "report.json").read_text())["findings"]
    ready = ["dependency-arm64-ready"] * 3  # torch, docling and transformers of the processor: nothing to do
    assert sorted(f["rule_id"] for f in findings if f["rule_id"] == "dependency-arm64-ready") == ready
    assert results("all") == sorted(f["rule_id"] for f in findings)  # 17, as report.json has them
    assert len(results("all")) == 17  # with the CDK DocumentQueue's sqs-no-dead-letter-queue warning
    assert results("default") == sorted(r for r in results("all") if r != "dependency-arm64-ready")
    assert len(results("default")) == 17 - 3


def test_scan_sarif_include_ready(tmp_path: Path) -> None:
    ready = ("dependency-arm64-ready", "c-x86-code-already-ported")
    counts = []
    for flags in ([], ["--sarif-include-ready"]):
        out = tmp_path / "scan.sarif"
        main(["scan", str(EXAMPLES / "porting-samples"), "--format", "sarif", "--output", str(out), *flags])
        counts.append(sum(r["ruleId"] in ready for r in json.loads(out.read_text())["runs"][0]["results"]))
    assert counts == [0, 3]  # numpy>=1.21, and two x86 blocks that aarch64 never compiles
