"""SARIF output validated against the official SARIF 2.1.0 schema (fetched by `make`, see the Makefile)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from replatform import api
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
    assert result["partialFingerprints"] == {"replatformFingerprint/v1": finding.fingerprint}
    again = json.loads(SarifReporter().render(api.scan(str(EXAMPLES / "porting-samples"))))
    assert again == log


def test_schema_rejects_a_bad_level(sarif_schema: dict[str, object]) -> None:
    log = json.loads(SarifReporter().render(api.scan(str(EXAMPLES / "porting-samples"))))
    log["runs"][0]["results"][0]["level"] = "blocker"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(sarif_schema).validate(log)
