"""The knowledge base is schema-valid data with provenance, and the rule docs are current."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from replatform import knowledge
from replatform.assess.catalog import catalog

from .conftest import ROOT

KNOWLEDGE = ROOT / "src" / "replatform" / "knowledge"


@pytest.mark.parametrize(
    "name",
    [
        "packages",
        "runtimes",
        "runtime_releases",
        "images",
        "instances",
        "services",
        "rules",
        "os_packages",
        "os_releases",
        "lambda_runtimes",
        "graviton_moves",
        "fargate_spot",
        "spot_advisor",
        "ecs_on_ec2",
        "ecs_ec2_spot",
    ],
)
def test_data_file_matches_its_schema(name: str) -> None:
    schema = json.loads((KNOWLEDGE / "schemas" / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads((KNOWLEDGE / f"{name}.json").read_text()), schema)


def test_porting_advisor_python_rules_are_all_covered() -> None:
    facts = knowledge.packages()
    python = [f for f in facts.values() if f.ecosystem == "pypi" and f.status == "min_version"]
    assert len(python) == 154
    numpy = facts[knowledge.package_key("pypi", "NumPy")]
    assert (numpy.min_version, numpy.recommended_version) == ("1.19.0", "1.21.1")


def test_every_entry_names_a_source_and_a_date() -> None:
    for fact in knowledge.packages().values():
        assert fact.source.startswith("https://") and len(fact.verified) == 10, fact


def test_instance_mapping_is_generation_aware() -> None:
    known = knowledge.instances()
    assert known.families["m5"].targets["performance_parity"] == "m7g"
    assert known.families["m7i"].targets["performance_parity"] == "m8g"
    assert known.families["c5n"].targets["performance_parity"] == "c7gn"
    assert known.families["m5d"].targets["performance_parity"] == "m7gd"
    assert known.families["t3"].targets["price_first"] == "t4g"
    assert not knowledge.services()["eks_fargate"].arm64


def test_image_facts_match_mirrors_and_tags() -> None:
    mysql57 = knowledge.image_fact("public.ecr.aws/docker/library/mysql:5.7.44")
    assert mysql57 is not None and mysql57.arm64 is False
    mysql8 = knowledge.image_fact("mysql:8.4")
    assert mysql8 is not None and mysql8.arm64 is True
    assert knowledge.image_fact("ghcr.io/acme/app:1") is None


def test_rule_catalog_has_documented_sections() -> None:
    for rule in catalog().values():
        assert all((rule.docs.what, rule.docs.why, rule.docs.example, rule.docs.fix, rule.docs.fix_safety)), rule.id


def test_rule_docs_are_current() -> None:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_rule_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (ROOT / "docs" / "rules" / "c-inline-asm.md").read_text().splitlines()[4:6] == ["## What it detects", ""]


def test_stale_docs_are_detected(tmp_path: Path) -> None:
    page = ROOT / "docs" / "rules" / "lambda-x86.md"
    original = page.read_text()
    try:
        page.write_text(original + "edited by hand\n")
        completed = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "gen_rule_docs.py"), "--check"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 1 and "lambda-x86.md" in completed.stdout
    finally:
        page.write_text(original)
