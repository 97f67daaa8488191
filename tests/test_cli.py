"""The command line as users run it: output, files, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from replatform import __version__, cli
from replatform.cli import main

from .conftest import EXAMPLES


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"replatform {__version__}"


def test_text_output_groups_by_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(EXAMPLES / "ec2-mnist")]) == 0
    out = capsys.readouterr().out
    assert "ec2_instance (1)\n  infra/training-instance.yaml:15  TrainingInstance  (instance_type=m5.large)" in out


def test_json_to_file_validates(tmp_path: Path, report_schema: dict[str, object]) -> None:
    target = tmp_path / "report.json"
    # porting-samples has blockers, so the default --fail-on blocker exits 1 (after writing the report)
    assert main(["scan", str(EXAMPLES / "porting-samples"), "--format", "json", "--output", str(target)]) == 1
    data = json.loads(target.read_text())
    jsonschema.validate(data, report_schema)
    assert data["root"] == "porting-samples"
    assert {f["rule_id"] for f in data["findings"]} >= {"dependency-below-arm64-minimum", "runtime-below-arm64-minimum"}


def test_fail_on_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("this is not valid!!\n")
    assert main(["scan", str(tmp_path)]) == 0  # a parse error is a warning; default --fail-on blocker
    assert main(["scan", str(tmp_path), "--fail-on", "warning"]) == 1
    assert main(["scan", str(tmp_path), "--fail-on", "never"]) == 0


def test_usage_errors_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a directory" in err
    assert main(["scan", str(tmp_path), "--format", "yaml"]) == 2
    assert "unknown format 'yaml'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["scan"])
    assert exit_info.value.code == 2


def test_console_script_runs_as_module() -> None:
    completed = subprocess.run(
        # build.sh pins its image build to linux/amd64 (a blocker): --fail-on never keeps this about the entry point
        [
            sys.executable,
            "-m",
            "replatform",
            "scan",
            str(EXAMPLES / "rem-transcription"),
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    kinds = {c["kind"] for c in json.loads(completed.stdout)["components"]}
    assert "ecs_task_definition" in kinds


def test_cli_imports_no_stage_until_a_command_needs_it() -> None:
    # --version and --help must not pay for discovery, assessment or the registry clients.
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, replatform.cli; print(sorted(m for m in sys.modules if 'replatform' in m))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert loaded.strip() == "['replatform', 'replatform.cli', 'replatform.errors']"


def test_the_cli_lists_every_builtin_format_without_importing_them() -> None:
    from replatform import report

    assert report.builtin_names() == cli.BUILTIN_FORMATS


def test_a_scan_imports_only_the_reporter_it_writes_with() -> None:
    code = (
        "import sys; from replatform.cli import main; "
        f"main(['scan', {str(EXAMPLES / 'porting-samples')!r}, '--offline', '--format', 'json', '--fail-on', 'never']); "
        "print(sorted(m for m in sys.modules if m.startswith('replatform.report.') or m == 'importlib.metadata'), "
        "file=sys.stderr)"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stderr
    assert "replatform.report.json_report" in loaded
    for unused in ("replatform.report.html", "replatform.report.sarif", "replatform.report.csv_report"):
        assert unused not in loaded
