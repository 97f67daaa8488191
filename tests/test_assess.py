"""Assessment as users meet it: the seed's Porting Advisor walkthrough, the Fargate case study, outputs and control."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from replatform import api
from replatform.cli import main
from replatform.model import Severity
from replatform.report.csv_report import CsvReporter

from .conftest import EXAMPLES, ScanFiles


def _by_rule(report: object) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    for f in report.findings:  # type: ignore[attr-defined]
        out.setdefault(f.rule_id, []).append((f.location.path, f.location.line))
    return out


def test_porting_samples_match_the_porting_advisor_walkthrough() -> None:
    report = api.scan(str(EXAMPLES / "porting-samples"))
    messages = {(f.rule_id, f.location.path, f.location.line): f.message for f in report.findings}
    pom = "java-samples/pom.xml"
    reqs = "python-samples/incompatible/requirements.txt"
    assert ("dependency-unsupported-on-arm64", pom, 27) in messages  # leveldbjni-all
    assert "1.1.3 is older than 1.1.4" in messages["dependency-below-arm64-minimum", pom, 32]  # snappy-java
    assert "1.1.0 is older than 1.2.0" in messages["dependency-below-arm64-minimum", pom, 37]  # zstd-jni
    assert ("dependency-needs-manual-build", pom, 41) in messages  # hadoop-lzo
    assert "numpy 1.18.5 is older than 1.19.0" in messages["dependency-below-arm64-minimum", reqs, 5]
    assert "openblas 0.3.16 is older than 0.3.17" in messages["dependency-below-arm64-minimum", reqs, 3]
    assert (
        "go 1.15" in messages["runtime-below-arm64-minimum", "go-samples/go.mod", 3]
    )  # the project's Go, not the host's
    assert "java 8" in messages["runtime-below-recommended", pom, 11]
    assert ("dockerfile-remote-installer", "docker/Dockerfile", 5) in messages
    assert (
        "c-inline-asm",
        "c-samples/checksum.c",
        29,
    ) in messages  # __asm__ __volatile__, which Porting Advisor misses
    assert ("build-x86-compiler-flags", "c-samples/Makefile", 2) in messages
    # the AVX2 block is guarded and has a scalar fallback: not a blocker
    assert messages["c-x86-code-already-ported", "c-samples/checksum.c", 12].startswith("AVX intrinsics: 4 occurrences")
    assert not any(f.rule_id == "c-x86-intrinsics" for f in report.findings)


def test_porting_samples_findings_are_ranked_blockers_first() -> None:
    report = api.scan(str(EXAMPLES / "porting-samples"))
    ranks = [f.severity.rank for f in report.findings]
    assert ranks == sorted(ranks, reverse=True)
    assert report.findings[0].severity is Severity.BLOCKER


def test_aftersales_x86_compute_and_ready_ml_stack() -> None:
    report = api.scan(str(EXAMPLES / "aftersales-graph"))
    found = _by_rule(report)
    assert found["lambda-x86"] == [
        ("src/infrastructure/pipeline/task.ts", 27),
        ("src/infrastructure/pipeline/task.ts", 78),
    ]
    assert sorted(found["ecs-task-x86"]) == [
        ("infra/lib/api-stack.ts", 15),
        ("src/infrastructure/pipeline/task.ts", 33),
        ("src/infrastructure/pipeline/task.ts", 44),
        ("src/infrastructure/pipeline/task.ts", 53),
        ("src/infrastructure/pipeline/task.ts", 62),
    ]
    lambda_fix = next(f for f in report.findings if f.rule_id == "lambda-x86").fix
    assert lambda_fix is not None and "lambda.Architecture.ARM_64" in lambda_fix.description
    ready = {f.subject for f in report.findings if f.rule_id == "dependency-arm64-ready"}
    assert ready == {"torch", "docling", "transformers"}
    assert not any(f.severity is Severity.BLOCKER for f in report.findings)


def test_suppression_and_config(assess_files: ScanFiles) -> None:
    report = assess_files(
        {
            "Dockerfile": "# replatform: ignore[dockerfile-platform-amd64] vendor binary is amd64 only\n"
            "FROM --platform=linux/amd64 node:20\n",
            "requirements.txt": "numpy==1.18.5  # replatform: ignore[dependency-below-arm64-minimum]\n",
            ".replatform.toml": '[severity]\nruntime-below-recommended = "off"\nlambda-x86 = "blocker"\n',
            "main.tf": 'resource "aws_lambda_function" "f" {\n  runtime = "java8.al2"\n}\n',
        }
    )
    rules = sorted((f.rule_id, f.location.path, f.location.line, f.severity.value) for f in report.findings)
    assert rules == [
        ("lambda-x86", "main.tf", 1, "blocker"),
        ("suppression-without-reason", "requirements.txt", 1, "warning"),
    ]


def test_bad_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".replatform.toml").write_text('[severity]\nno-such-rule = "off"\n')
    assert main(["scan", str(tmp_path)]) == 2
    assert "unknown rule 'no-such-rule'" in capsys.readouterr().err


def test_fail_on_levels(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("numpy\n")  # only an info finding
    assert main(["scan", str(tmp_path)]) == 0
    assert main(["scan", str(tmp_path), "--fail-on", "info"]) == 1
    (tmp_path / ".replatform.toml").write_text('fail-on = "info"\n')
    assert main(["scan", str(tmp_path)]) == 1
    assert main(["scan", str(tmp_path), "--fail-on", "never"]) == 0


def test_csv_rows() -> None:
    report = api.scan(str(EXAMPLES / "ec2-mnist"))
    rows = list(csv.DictReader(io.StringIO(CsvReporter().render(report))))
    assert [(r["severity"], r["rule_id"], r["path"], r["line"]) for r in rows] == [
        ("warning", "ec2-x86-instance", "infra/training-instance.yaml", "17"),
        ("warning", "sagemaker-runtime-download", "train.py", "106"),
        ("warning", "sagemaker-no-checkpoint", "train.py", "117"),
        ("warning", "sagemaker-model-not-servable", "train.py", "124"),
        ("info", "dependency-arm64-ready", "requirements.txt", "1"),
        ("info", "dependency-arm64-ready", "requirements.txt", "2"),
        ("info", "dependency-arm64-ready", "requirements.txt", "3"),
        ("info", "sagemaker-local-path", "train.py", "18"),
        ("info", "sagemaker-local-path", "train.py", "19"),
        ("info", "sagemaker-hardcoded-hyperparameter", "train.py", "20"),
        ("info", "sagemaker-gpu-training", "train.py", "94"),
        ("info", "sagemaker-training-script", "train.py", "131"),
    ]
    assert "m7g.large" in rows[0]["message"]


def test_text_summary(capsys: pytest.CaptureFixture[str]) -> None:
    # offline (the test environment): two registry-not-consulted notes and one image-not-checked note
    assert main(["scan", str(EXAMPLES / "porting-samples")]) == 1
    out = capsys.readouterr().out
    # go 1.15 is below the arm64 minimum for performance only: a warning, not a blocker
    assert out.rstrip().endswith("summary: 11 blocker(s), 2 warning(s), 7 info")
    assert "[dependency-below-arm64-minimum] numpy 1.18.5 is older than 1.19.0" in out


def test_json_findings_carry_confidence_and_count(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    main(["scan", str(EXAMPLES / "porting-samples"), "--format", "json", "-o", str(target)])
    data = json.loads(target.read_text())
    ported = next(f for f in data["findings"] if f["rule_id"] == "c-x86-code-already-ported" and f["line"] == 12)
    assert (ported["count"], ported["confidence"]) == (4, "high")


def test_target_settings(tmp_path: Path) -> None:
    from replatform.config import ConfigError, load_config

    (tmp_path / "pyproject.toml").write_text(
        '[tool.replatform.target]\ngraviton = "graviton4"\nos = "al2023"\nglibc = "2.34"\n'
    )
    config = load_config(str(tmp_path))
    assert (config.graviton, config.os, config.glibc, config.source) == (
        "graviton4",
        "al2023",
        "2.34",
        "pyproject.toml [tool.replatform]",
    )
    (tmp_path / ".replatform.toml").write_text('[target]\nglibc = "new"\n')
    with pytest.raises(ConfigError, match=r"target\.glibc"):
        load_config(str(tmp_path))


def test_deprecated_runtime_already_on_arm64_is_no_arm64_blocker(tmp_path: Path) -> None:
    """16a: Runtime python3.9 with Architectures [arm64] (CloudFormation, SAM Globals, serverless per function and
    per provider, Terraform, CDK TypeScript and Python): the move is done, so the runtime's end of support is a
    warning of its own; the same runtime on x86_64 still blocks the move (the update Lambda refuses)."""
    report = api.scan(str(Path(__file__).parent / "rules" / "lambda-runtime-end-of-support"))
    found = sorted(
        (f.location.path, f.location.line, f.rule_id, f.severity.value, f.subject)
        for f in report.findings
        if f.rule_id.startswith("lambda-")
    )
    end = "lambda-runtime-end-of-support"
    assert found == [
        ("app.py", 12, end, "warning", "Py"),
        ("main.tf", 4, end, "warning", "aws_lambda_function.tf"),
        ("provider/serverless.yml", 6, end, "warning", "one"),
        ("serverless.yml", 5, end, "warning", "perFunction"),
        ("stack.ts", 9, end, "warning", "Ts"),
        ("template.yaml", 11, end, "warning", "Fn"),
        ("template.yaml", 22, end, "warning", "FromGlobals"),
        ("template.yaml", 27, "lambda-runtime-deprecated", "blocker", "StillX86"),
        ("template.yaml", 28, "lambda-x86", "warning", "StillX86"),
    ]
    fn = next(f for f in report.findings if f.subject == "Fn")
    assert fn.message == (
        "Lambda function Fn is on arm64 already; its runtime python3.9 is deprecated since 2025-12-15, and Lambda "
        "blocks creating and then updating functions on deprecated runtimes"
    )
    assert fn.fix is not None and fn.fix.description == "Move to python3.13 (it has arm64 too)."
    # The acceptance input: one arm64 function on python3.9 is no longer a blocker (exit 0 at --fail-on blocker).
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.9\n"
        "      Architectures: [arm64]\n      Handler: i.h\n"
    )
    assert main(["scan", str(tmp_path), "--offline", "--format", "json", "--fail-on", "blocker"]) == 0
    assert main(["scan", str(tmp_path), "--offline", "--format", "json", "--fail-on", "warning"]) == 1
