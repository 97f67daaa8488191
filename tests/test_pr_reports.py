"""The Markdown PR summary, GitLab Code Quality JSON, and several outputs from one scan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from replatform.assess.verdicts import KINDS, VerdictKind
from replatform.cli import main
from replatform.model import Finding, Location, Report, Severity
from replatform.report import escape, markdown
from replatform.report.codeclimate import CodeClimateReporter

from .conftest import EXAMPLES
from .hostile_names import write_hostile_repository

LINK = "https://github.com/o/r/blob/abc123/"


def _scan_json(path: Path, tmp_path: Path) -> dict[str, object]:
    out = tmp_path / "scan.json"
    main(["scan", str(path), "--format", "json", "-o", str(out), "--fail-on", "never"])
    data: dict[str, object] = json.loads(out.read_text())
    return data


def test_assess_markdown_summary_has_costs_per_target(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    example = EXAMPLES / "aftersales-graph"
    args = ["assess", str(example), "--usage", str(example / "usage.yaml"), "--output-dir", str(tmp_path)]
    assert main([*args, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    # 8 warnings: 5 x86 task definitions, 2 x86 Lambdas, and DocumentQueue without a redrive policy (task.ts:18)
    assert out.startswith("### replatform: aftersales-graph\n\n**0 blocker(s)** · 8 warning(s) · 9 info")
    # each total is the sum of its own lines; a saving compares the same components today: 254.08 - 203.33 = 50.75;
    # on graviton+spot the two Lambdas are n/a, so 74.77 (the five Fargate lines) against 233.58 today = 158.81
    assert "| today | $254.08 |  |\n| graviton | $203.33 | $50.75 |\n" in out
    assert "| graviton+spot (estimate) | $74.77 | $158.81 |" in out
    assert "effort 20 h, saving $609.00/year on graviton, payback 39.4 months" in out
    assert (tmp_path / "report.html").is_file()  # the folder is written either way


def test_scan_markdown_links_top_blockers(tmp_path: Path) -> None:
    out = tmp_path / "summary.md"
    code = main(
        ["scan", str(EXAMPLES / "porting-samples"), "--format", "markdown", "-o", str(out), "--link-base", LINK]
    )
    assert code == 1
    text = out.read_text()
    data = _scan_json(EXAMPLES / "porting-samples", tmp_path)
    findings = data["findings"]
    assert isinstance(findings, list)
    blockers = [f for f in findings if f["severity"] == "blocker"]
    first = blockers[0]
    assert (
        f"1. [{first['path']}:{first['line']}]({LINK}{first['path']}#L{first['line']}) `{first['rule_id']}`: " in text
    )
    assert f"**{len(blockers)} blocker(s)**" in text
    assert text.count("\n| blocker |") == len(blockers)
    assert f"<summary>All {len(findings)} finding(s)</summary>" in text
    # this installation has the command, so the summary offers it
    assert f"Preview the fixes: `replatform migrate {EXAMPLES / 'porting-samples'}` (a dry run)" in text


def test_markdown_offers_migrate_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "migrate_available", lambda: True)
    text = markdown.render(Report("r"), path="services/api")
    assert "Preview the fixes: `replatform migrate services/api` (a dry run)" in text


def test_markdown_stays_under_githubs_limit_and_says_so() -> None:
    findings = tuple(
        Finding("c-inline-asm", Severity.BLOCKER, "x" * 300, Location(f"src/file{n:05d}.c", n + 1), f"s{n}")
        for n in range(2000)
    )
    text = markdown.render(Report("big", findings=findings))
    assert len(text) <= markdown.LIMIT
    assert "_Truncated to stay under GitHub's comment limit:" in text
    assert text.rstrip().endswith("the SARIF and HTML reports have everything._")
    assert text.count("<details>") == text.count("</details>") == 1
    shown = text.count("\n| blocker |")
    assert 100 < shown < 2000
    assert f"comment limit: {2000 - shown} more finding(s) are not shown" in text


def test_markdown_escapes_repository_values(tmp_path: Path) -> None:
    write_hostile_repository(tmp_path / "repo")
    out = tmp_path / "s.md"
    main(["scan", str(tmp_path / "repo"), "--format", "markdown", "-o", str(out), "--link-base", LINK])
    text = out.read_text()
    assert "<img" not in text and "<svg" not in text
    assert "&lt;img src=x onerror=window.pwned=1&gt;" in text
    # the folder name is a link label and a URL: escaped in one, percent-encoded in the other
    assert 'svc/"&gt;&lt;svg onload=window.pwned=1&gt;/Dockerfile:1](' in text
    assert f"({LINK}svc/%22%3E%3Csvg%20onload%3Dwindow.pwned%3D1%3E/Dockerfile#L1)" in text
    for row in (line for line in text.splitlines() if line.startswith("| ")):
        assert row.count("|") - row.count("\\|") == 5  # no value opens an extra table cell


def test_markdown_escape_neutralises_markup() -> None:
    # the one Markdown escaper (report.escape.markdown), as the PR summary uses it: a newline is a visible escape
    assert markdown.escape("a|b`c`*d*_e_[x](javascript:y) @team <b>&\nnext") == (
        "a\\|b\\`c\\`\\*d\\*\\_e\\_\\[x\\](javascript:y) &#64;team &lt;b&gt;&amp;\\\\x0anext"
    )
    assert markdown.escape is escape.markdown


def test_codeclimate_for_gitlab(tmp_path: Path) -> None:
    out = tmp_path / "gl-code-quality.json"
    main(["scan", str(EXAMPLES / "porting-samples"), "--format", "codeclimate", "-o", str(out)])
    issues = json.loads(out.read_text())
    findings = _scan_json(EXAMPLES / "porting-samples", tmp_path)["findings"]
    assert isinstance(findings, list) and len(issues) == len(findings)
    for issue, finding in zip(issues, findings, strict=True):
        assert issue["type"] == "issue" and issue["categories"] == ["Compatibility"]
        assert issue["check_name"] == finding["rule_id"]
        assert issue["description"] == f"[{finding['rule_id']}] {finding['message']}"
        assert issue["severity"] == {"blocker": "blocker", "warning": "major", "info": "info"}[finding["severity"]]
        assert issue["location"] == {"path": finding["path"], "lines": {"begin": finding["line"]}}
        assert issue["fingerprint"] == finding["fingerprint"]
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_codeclimate_fingerprints_stay_distinct() -> None:
    twice = Finding("c-inline-asm", Severity.BLOCKER, "m", Location("a.c", 3), "asm")
    issues = json.loads(CodeClimateReporter().render(Report("r", findings=(twice, twice))))
    assert [i["fingerprint"] for i in issues] == [twice.fingerprint, f"{twice.fingerprint}:2"]


def test_one_scan_writes_several_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sarif, summary, page = tmp_path / "f.sarif", tmp_path / "s.md", tmp_path / "r.html"
    args = ["scan", str(EXAMPLES / "ec2-mnist"), "--format", "json"]
    assert (
        main([*args, "--sarif-output", str(sarif), "--markdown-output", str(summary), "--html-output", str(page)]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert [r["partialFingerprints"]["replatformFingerprint/v2"] for r in results] == [
        f["fingerprint"] for f in data["findings"] if KINDS.get(f["rule_id"]) is not VerdictKind.READY
    ]  # SARIF leaves the "ready" verdicts out (--sarif-include-ready adds them)
    assert summary.read_text().startswith("### replatform: ec2-mnist\n")
    assert page.read_text().startswith("<!DOCTYPE html>")
