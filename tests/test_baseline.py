"""Baselines: new / unchanged / fixed by fingerprint, fingerprints that survive line shifts, the gate on new only."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from replatform import api
from replatform.cli import main
from replatform.model import BaselineState, Finding, Location, Report, Severity
from replatform.registry.stage import RegistryOptions
from replatform.report import baseline
from replatform.report.sarif import SarifReporter

from .conftest import EXAMPLES

SAMPLES = Path(__file__).resolve().parent / "rules"
#: Every rule sample folder and every example: the corpus every rule we have fires on.
CORPORA = sorted([*(p for p in SAMPLES.iterdir() if p.is_dir()), *(p for p in EXAMPLES.iterdir() if p.is_dir())])
SHIFT = 7


def _shift_lines(root: Path) -> int:
    """Push every text file's content down by SHIFT blank lines (after an XML declaration or a shebang)."""
    shifted = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        if b"\0" in data or path.name == "ANNOTATIONS":
            continue
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        newline = b"\r\n" if b"\r\n" in data else b"\n"
        head = b""
        if data.startswith((b"<?xml", b"#!", b"# syntax=")):
            head, _, data = data.partition(newline)
            head += newline
        path.write_bytes(head + newline * SHIFT + data)
        shifted += 1
    return shifted


@pytest.mark.parametrize("corpus", CORPORA, ids=lambda p: p.name)
def test_fingerprints_survive_line_shifts(corpus: Path, tmp_path: Path) -> None:
    before = api.scan(str(corpus))
    copy = tmp_path / corpus.name
    shutil.copytree(corpus, copy, symlinks=True)
    _shift_lines(copy)
    after = api.scan(str(copy))
    assert Counter(f.fingerprint for f in after.findings) == Counter(f.fingerprint for f in before.findings)
    if any(f.location.line > 1 for f in before.findings):  # the shift really moved findings (not a vacuous pass)
        assert sorted(f.location.line for f in after.findings) != sorted(f.location.line for f in before.findings)
    compared = baseline.compare(after, [baseline.Recorded(f.fingerprint, f) for f in before.findings], "b.json")
    assert {f.baseline for f in compared.findings} <= {BaselineState.UNCHANGED}
    assert compared.baseline is not None and compared.baseline.fixed == ()


def _finding(rule: str, path: str, subject: str, line: int = 1, severity: Severity = Severity.BLOCKER) -> Finding:
    return Finding(rule, severity, f"{rule} in {path}", Location(path, line), subject)


def test_compare_counts_duplicates_and_lists_fixed() -> None:
    old = [_finding("c-inline-asm", "a.c", "x86 asm"), _finding("c-inline-asm", "a.c", "x86 asm", 9)]
    gone = _finding("lambda-x86", "main.tf", "fn", severity=Severity.WARNING)
    recorded = [baseline.Recorded(f.fingerprint, f) for f in [*old, gone]]
    now = Report("r", findings=(*old, _finding("c-inline-asm", "a.c", "x86 asm", 20), _finding("c-x", "b.c", "s")))
    result = baseline.compare(now, recorded, "dir/old.json")
    assert [f.baseline for f in result.findings] == [
        BaselineState.UNCHANGED,
        BaselineState.UNCHANGED,
        BaselineState.NEW,  # a third occurrence of the same fingerprint is new
        BaselineState.NEW,
    ]
    assert result.baseline is not None and result.baseline.source == "old.json"
    assert [(f.rule_id, f.baseline) for f in result.baseline.fixed] == [("lambda-x86", BaselineState.FIXED)]
    assert baseline.counts(result) == {"new": 2, "unchanged": 2, "fixed": 1}
    assert [f.location.line for f in baseline.gated(result)] == [20, 1]


def test_baseline_files_report_json_and_sarif_load_the_same(tmp_path: Path) -> None:
    report = api.scan(str(EXAMPLES / "porting-samples"))
    fingerprints = Counter(f.fingerprint for f in report.findings)
    (tmp_path / "baseline.json").write_text(baseline.render(report))
    (tmp_path / "report.json").write_text(json.dumps({"findings": [_json(f) for f in report.findings]}))
    # ready verdicts are in SARIF only when asked for; a SARIF baseline needs them to match them
    (tmp_path / "findings.sarif").write_text(SarifReporter(include_ready=True).render(report))
    for name in ("baseline.json", "report.json", "findings.sarif"):
        recorded = baseline.load(str(tmp_path / name))
        assert Counter(r.fingerprint for r in recorded) == fingerprints, name
        assert {r.finding.rule_id for r in recorded} == {f.rule_id for f in report.findings}


def _json(finding: Finding) -> dict[str, object]:
    from replatform.report.json_report import finding_to_dict

    return finding_to_dict(finding)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ('{"something": 1}', "neither a replatform report/baseline"),
        ('{"findings": [{"rule_id": 3}]}', "malformed finding"),
        ('{"runs": [{"results": [{"ruleId": "x"}]}]}', "malformed finding"),
    ],
)
def test_bad_baseline_is_a_one_line_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    (tmp_path / "b.json").write_text(content)
    assert main(["scan", str(EXAMPLES / "ec2-mnist"), "--baseline", str(tmp_path / "b.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_missing_baseline_says_how_to_make_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(EXAMPLES / "ec2-mnist"), "--baseline", str(tmp_path / "none.json")]) == 2
    assert "replatform baseline write" in capsys.readouterr().err


BLOCKER_DOCKERFILE = "FROM --platform=linux/amd64 python:3.12-slim\nRUN pip install flask\n"


def test_cli_gate_fails_only_on_a_new_blocker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], report_schema: dict[str, object]
) -> None:
    repo = tmp_path / "repo"
    (repo / "old").mkdir(parents=True)
    (repo / "old" / "Dockerfile").write_text(BLOCKER_DOCKERFILE)
    base = tmp_path / "replatform-baseline.json"
    assert main(["baseline", "write", str(repo), "-o", str(base)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {base}: 2 finding(s)")
    assert main(["scan", str(repo)]) == 1  # without the baseline the old blocker fails
    (repo / "old" / "Dockerfile").write_text("# moved down\n\n" + BLOCKER_DOCKERFILE)
    assert main(["scan", str(repo), "--baseline", str(base)]) == 0
    assert "baseline replatform-baseline.json: 0 new, 2 unchanged, 0 fixed" in capsys.readouterr().out

    (repo / "new").mkdir()
    (repo / "new" / "Dockerfile").write_text(BLOCKER_DOCKERFILE.replace("python:3.12-slim", "node:20-slim"))
    out_json = tmp_path / "r.json"
    code = main(["scan", str(repo), "--baseline", str(base), "--format", "json", "-o", str(out_json)])
    assert code == 1
    data = json.loads(out_json.read_text())
    jsonschema.validate(data, report_schema)
    states = {(f["path"], f["rule_id"]): f["baseline"] for f in data["findings"]}
    assert states[("new/Dockerfile", "dockerfile-platform-amd64")] == "new"
    assert states[("old/Dockerfile", "dockerfile-platform-amd64")] == "unchanged"
    assert data["baseline"] == {"source": "replatform-baseline.json", "new": 2, "unchanged": 2, "fixed": []}
    # a new warning alone does not fail the default gate; --fail-on warning does
    (repo / "new" / "Dockerfile").unlink()
    (repo / "main.tf").write_text('resource "aws_lambda_function" "f" {\n  architectures = ["x86_64"]\n}\n')
    assert main(["scan", str(repo), "--baseline", str(base)]) == 0
    assert main(["scan", str(repo), "--baseline", str(base), "--fail-on", "warning"]) == 1

    (repo / "old" / "Dockerfile").unlink()
    main(["scan", str(repo), "--baseline", str(base), "--format", "json", "-o", str(out_json)])
    fixed = json.loads(out_json.read_text())["baseline"]["fixed"]
    assert sorted(f["rule_id"] for f in fixed) == ["dockerfile-platform-amd64", "image-not-checked"]


def test_sarif_carries_baseline_state(tmp_path: Path) -> None:
    base = tmp_path / "b.json"
    main(["scan", str(EXAMPLES / "ec2-mnist"), "--format", "json", "-o", str(base)])
    data = json.loads(base.read_text())
    base.write_text(json.dumps({**data, "findings": data["findings"][1:]}))  # as if the first were added since
    out = tmp_path / "f.sarif"
    main(["scan", str(EXAMPLES / "ec2-mnist"), "--baseline", str(base), "--format", "sarif", "-o", str(out)])
    results = json.loads(out.read_text())["runs"][0]["results"]
    assert [r["baselineState"] for r in results] == ["new"] + ["unchanged"] * (len(results) - 1)


V1 = Path(__file__).resolve().parent / "data" / "baseline"


@pytest.mark.parametrize("name", ["v1-baseline.json", "v1.sarif"])
def test_files_written_with_version_1_fingerprints_still_match(name: str) -> None:
    """v1 fingerprints were over the rule id (files written by replatform before 15a, committed as they were):
    read as a baseline, they are recomputed from rule, path and subject, so nothing turns new on upgrade."""
    report = api.scan(str(V1 / "repo"), registry=RegistryOptions(offline=True))
    stored = json.loads((V1 / name).read_text())
    numpy = next(f for f in report.findings if f.subject == "numpy")
    v1_numpy = (
        next(f["fingerprint"] for f in stored["findings"] if f["subject"] == "numpy")
        if "findings" in stored
        else next(
            r["partialFingerprints"]["replatformFingerprint/v1"]
            for r in stored["runs"][0]["results"]
            if r["ruleId"] == numpy.rule_id
        )
    )
    assert v1_numpy == "2403004dcad8527d486feeb554a2ee0b" != numpy.fingerprint  # the scheme did change
    compared = api.compare_with_baseline(report, str(V1 / name))
    assert [(f.rule_id, f.baseline) for f in compared.findings] == [
        ("dockerfile-platform-amd64", BaselineState.UNCHANGED),
        ("dependency-below-arm64-minimum", BaselineState.UNCHANGED),
        ("image-not-checked", BaselineState.UNCHANGED),
        ("registry-not-consulted", BaselineState.UNCHANGED),
    ]
    assert compared.baseline is not None and compared.baseline.fixed == ()
