"""report.html without a browser: structure, accessibility, escaping, CSP and what it reads from the model."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import lxml.html

from replatform import api
from replatform.cli import main
from replatform.model import Applicability, Edit, Fix
from replatform.plan.run import Assessment, assess_project
from replatform.report import baseline
from replatform.report.html import render

from .conftest import EXAMPLES
from .hostile_names import LAMBDA_NAME, write_hostile_repository


def _assessment(name: str = "aftersales-graph") -> Assessment:
    usage = EXAMPLES / name / "usage.yaml"
    return assess_project(str(EXAMPLES / name), usage_file=str(usage) if usage.exists() else None)


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_page_is_self_contained_and_its_policy_allows_only_its_own_code() -> None:
    assessment = _assessment()
    page = render(assessment.report, assessment)
    tree = lxml.html.fromstring(page)
    policy = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    scripts, styles = tree.xpath("//script"), tree.xpath("//style")
    assert len(scripts) == 1 and len(styles) == 1 and not scripts[0].get("src")
    assert f"script-src 'sha256-{_sha256(scripts[0].text)}'" in policy
    assert f"style-src 'sha256-{_sha256(styles[0].text)}'" in policy
    assert policy.startswith("default-src 'none';")
    assert not tree.xpath("//link | //img | //iframe | //@style")  # nothing loaded, no inline style to allow
    assert not tree.xpath("//@src")  # links to references are followed on a click, never loaded
    for attribute in tree.xpath("//@*"):
        assert not attribute.attrname.startswith("on")
    assert render(assessment.report, assessment) == page  # deterministic


def test_links_are_anchors_that_exist_or_http() -> None:
    assessment = _assessment("porting-samples")
    tree = lxml.html.fromstring(render(assessment.report, assessment))
    ids = set(tree.xpath("//@id"))
    for href in tree.xpath("//a/@href"):
        if href.startswith("#"):
            assert href[1:] in ids, href
        else:
            assert href.startswith(("https://", "http://")), href


def test_headings_tables_and_labels_are_accessible() -> None:
    assessment = _assessment()
    tree = lxml.html.fromstring(render(assessment.report, assessment))
    levels = [int(h.tag[1]) for h in tree.iter("h1", "h2", "h3", "h4")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in pairwise(levels))  # no skipped level
    assert tree.xpath("/html/@lang") == ["en"]
    for table in tree.iter("table"):
        assert table.find("caption") is not None
        assert all(th.get("scope") in ("col", "row") for th in table.iter("th"))
    for select in tree.xpath("//select | //input"):
        assert select.getparent().tag == "label"
    for svg in tree.iter("svg"):
        assert svg.get("role") == "img" and svg.find("title") is not None
    # severity and readiness are words, not only colours
    badges = [b.text_content() for b in tree.xpath("//table[@id='findings']//span[contains(@class, 'badge')]")]
    assert badges and all(b.split()[-1] in ("blocker", "warning", "info") for b in badges)


def test_cards_show_fixes_with_their_edits_when_migrate_provides_them() -> None:
    assessment = _assessment()
    report = assessment.report
    target = next(f for f in report.findings if f.rule_id == "lambda-x86" and f.subject == "SplitterFunction")
    fix = Fix(
        "Set the architecture to arm64",
        (Edit("src/infrastructure/pipeline/task.ts", 812, 830, "lambda.Architecture.ARM_64 </pre><b>"),),
        Applicability.SAFE,
        "lambda-x86",
        "lambda_function:src/infrastructure/pipeline/task.ts#SplitterFunction",
        "the function's code has no native blockers",
    )
    findings = tuple(replace(f, fix=fix) if f is target else f for f in report.findings)
    page = render(replace(report, findings=findings), assessment)
    card = lxml.html.fromstring(page).xpath("//article[@data-component=$c]", c=fix.component)[0]
    text = card.text_content()
    assert "fix: safe" in text and "the function's code has no native blockers" in text
    assert "replace bytes 812-830 of src/infrastructure/pipeline/task.ts with:" in text
    assert card.xpath(".//pre[@class='edit']")[0].text == "lambda.Architecture.ARM_64 </pre><b>"
    assert not card.xpath(".//b")  # the replacement is text, not markup


def test_baseline_states_and_fixed_findings_are_shown(tmp_path: Path) -> None:
    report = api.scan(str(EXAMPLES / "porting-samples"))
    old = replace(report, findings=report.findings[2:])
    recorded = [baseline.Recorded(f.fingerprint, f) for f in old.findings]
    gone = replace(report, findings=report.findings[:-1])
    compared = baseline.compare(gone, recorded, "base.json")
    tree = lxml.html.fromstring(render(compared))
    assert (
        tree.xpath("//p[@id='baseline-summary']")[0]
        .text_content()
        .startswith("Compared with the baseline base.json: 2 new, ")
    )
    states = tree.xpath("//table[@id='findings']/tbody/tr/@data-baseline")
    assert states == [f.baseline.value for f in compared.findings if f.baseline]
    assert tree.xpath("//select[@id='filter-baseline']/option/@value") == ["", "new", "unchanged"]
    fixed_rows = tree.xpath("//table[@id='fixed']/tbody/tr")
    assert len(fixed_rows) == 1 and report.findings[-1].location.path in fixed_rows[0].text_content()


def test_hostile_names_are_text_in_every_part_of_an_assessment(tmp_path: Path) -> None:
    write_hostile_repository(tmp_path / "repo")
    main(["assess", str(tmp_path / "repo"), "--output-dir", str(tmp_path / "out"), "--offline"])
    page = (tmp_path / "out" / "report.html").read_text()
    tree = lxml.html.fromstring(page)
    assert len(tree.xpath("//script")) == 1 and not tree.xpath("//img | //svg[@onload] | //@onerror | //@onload")
    card_titles = [h.text_content() for h in tree.xpath("//article[@class='card']/h3")]
    assert card_titles == [f"aws_lambda_function.{LAMBDA_NAME}"]
    assert "&lt;img src=x onerror=window.pwned=1&gt;" in page
