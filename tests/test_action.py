"""The composite GitHub Action (action.yml), its steps' commands run locally the way a runner runs them.

A runner evaluates ``${{ }}`` expressions in ``env``/``with``/``if``, runs each
``run`` script with ``bash --noprofile --norc -eo pipefail {0}`` in the workspace, and passes step outputs
through ``$GITHUB_OUTPUT``. This test does the same for every ``run`` step with
a small evaluator that knows exactly the expression forms action.yml uses (an
unknown form fails the test, which keeps the action simple). Replaced here:
``actions/setup-python`` and the install step (this test's own environment has
replatform installed; tests/test_pre_commit.py installs it from source the way
the install step does), ``upload-sarif`` (its input is checked instead) and the
``gh`` CLI (a stand-in records the comment).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from .conftest import ROOT

ACTION = ROOT / "action.yml"
BLOCKER = "FROM --platform=linux/amd64 python:3.12-slim\nRUN pip install flask\n"
_EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def _action() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(ACTION.read_text())
    return data


@dataclass
class Run:
    """One simulated workflow run of the action."""

    workspace: Path
    inputs: dict[str, str]
    event: str = "pull_request"
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def context(self, name: str) -> str:
        parts = name.split(".")
        if parts[0] == "inputs":
            declared = _action()["inputs"][parts[1]]
            return self.inputs.get(parts[1], str(declared.get("default", "")))
        if parts[0] == "steps":
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        github = {
            "action_path": str(ROOT),
            "server_url": "https://github.com",
            "repository": "acme/shop",
            "sha": "0123abc",
            "event_name": self.event,
            "token": "test-token",
            "event.pull_request.head.sha": "feed42" if self.event == "pull_request" else "",
            "event.pull_request.number": "7" if self.event == "pull_request" else "",
        }
        return github[".".join(parts[1:])]

    def value(self, expression: str) -> str:
        for alternative in expression.split("||"):
            value = self.context(alternative.strip())
            if value:
                return value
        return ""

    def substitute(self, text: str) -> str:
        return _EXPRESSION.sub(lambda m: self.value(m.group(1)), text)

    def condition(self, text: str) -> bool:
        for term in (t.strip() for t in text.split("&&")):
            if term == "always()":
                continue
            match = re.fullmatch(r"([\w.-]+) (==|!=) '([^']*)'", term)
            assert match, f"expression form the test does not know: {term!r}"
            equal = self.context(match.group(1)) == match.group(3)
            if equal != (match.group(2) == "=="):
                return False
        return True


def run_action(run: Run, tmp: Path) -> int:
    """Run the action's steps; returns the exit code of the last step run (the gate)."""
    runner_temp = tmp / "runner-temp"
    runner_temp.mkdir(parents=True, exist_ok=True)
    fake_bin = tmp / "fake-bin"
    fake_bin.mkdir(exist_ok=True)
    gh = fake_bin / "gh"
    gh.write_text(
        '#!/bin/sh\nprintf "%s\\n" "$*" >> "$RUNNER_TEMP/gh-calls"\n'
        'while [ $# -gt 0 ]; do if [ "$1" = --body-file ]; then cat "$2" > "$RUNNER_TEMP/comment.md"; fi; shift; done\n'
    )
    gh.chmod(0o755)
    summary = tmp / "step-summary.md"
    code = 0
    for step in _action()["runs"]["steps"]:
        if "if" in step and not run.condition(step["if"]):
            run.log.append(f"skipped: {step['name']}")
            continue
        if "uses" in step:
            run.log.append(f"uses {step['uses']} with {run.substitute(json.dumps(step.get('with', {})))}")
            continue
        if step.get("id") == "install":
            run.log.append("install: this environment")
            continue
        assert step["shell"] == "bash" and "${{" not in step["run"], "inputs reach scripts through env only"
        output = tmp / f"output-{step.get('id', len(run.log))}"
        output.write_text("")
        env = {
            **os.environ,
            "PATH": f"{fake_bin}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "RUNNER_TEMP": str(runner_temp),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_WORKSPACE": str(run.workspace),
            **{k: run.substitute(str(v)) for k, v in step.get("env", {}).items()},
        }
        script = tmp / "step.sh"
        script.write_text(step["run"])
        done = subprocess.run(  # the runner's own command line for `shell: bash`
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=run.workspace,
            env=env,
            capture_output=True,
            text=True,
        )
        run.log.append(f"{step['name']}: exit {done.returncode}\n{done.stdout}{done.stderr}")
        if "id" in step:
            run.outputs[step["id"]] = dict(
                line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
            )
        code = done.returncode
        if code != 0:
            break
    return code


def _repo(tmp_path: Path) -> Path:
    workspace = tmp_path / "workspace"
    (workspace / "services" / "old").mkdir(parents=True)
    (workspace / "services" / "old" / "Dockerfile").write_text(BLOCKER)
    return workspace


def test_action_inputs_and_steps_are_what_the_docs_say() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {
        "command", "path", "fail-on", "baseline", "offline", "usage", "output-dir", "upload-sarif", "pr-comment",
        "python-version", "version", "args",
    }  # fmt: skip
    uses = [s["uses"] for s in action["runs"]["steps"] if "uses" in s]
    assert uses == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]
    docs = (ROOT / "docs" / "ci.md").read_text()
    for name in action["inputs"]:
        assert f"`{name}`" in docs, f"input {name} is not documented in docs/ci.md"


def test_action_gates_on_new_blockers_only(tmp_path: Path) -> None:
    workspace = _repo(tmp_path)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "replatform",
            "baseline",
            "write",
            "services",
            "-o",
            "replatform-baseline.json",
            "--offline",
        ],
        cwd=workspace,
        check=True,
        capture_output=True,
    )
    inputs = {"baseline": "replatform-baseline.json", "offline": "true", "pr-comment": "true", "path": "./services"}
    (workspace / "services" / "old" / "Dockerfile").write_text("# a comment moves every line down\n" + BLOCKER)
    run = Run(workspace, inputs)
    assert run_action(run, tmp_path / "first") == 0, run.log
    step_summary = (tmp_path / "first" / "step-summary.md").read_text()
    assert "**1 blocker(s)**" in step_summary
    assert "**0 new** (0 blocker(s)) · 2 unchanged · 0 fixed" in step_summary
    sarif = json.loads(Path(run.outputs["run"]["sarif"]).read_text())
    assert {r["baselineState"] for r in sarif["runs"][0]["results"]} == {"unchanged"}
    assert any('"sarif_file": "' + run.outputs["run"]["sarif"] + '"' in line for line in run.log)
    comment = (tmp_path / "first" / "runner-temp" / "comment.md").read_text()
    assert comment == step_summary
    assert (tmp_path / "first" / "runner-temp" / "gh-calls").read_text().startswith("pr comment 7 --body-file")

    (workspace / "services" / "new").mkdir()
    (workspace / "services" / "new" / "Dockerfile").write_text(BLOCKER.replace("python:3.12", "node:20"))
    run = Run(workspace, inputs)
    assert run_action(run, tmp_path / "second") == 1, run.log
    step_summary = (tmp_path / "second" / "step-summary.md").read_text()
    assert "**2 new** (1 blocker(s))" in step_summary
    link = "https://github.com/acme/shop/blob/feed42/services/new/Dockerfile#L1"  # the scanned folder is in the link
    assert f"1. [new/Dockerfile:1]({link}) `dockerfile-platform-amd64` **new**:" in step_summary
    assert run.outputs["run"]["exit-code"] == "1"


def test_action_assess_writes_the_report_folder(tmp_path: Path) -> None:
    workspace = _repo(tmp_path)
    run = Run(workspace, {"command": "assess", "offline": "true", "fail-on": "never"}, event="push")
    assert run_action(run, tmp_path / "run") == 0, run.log
    folder = workspace / "replatform-report"
    # the marker file makes the next scan skip the folder (docs/security.md)
    assert sorted(p.name for p in folder.iterdir()) == [
        ".replatform-report", "MIGRATION-PLAN.md", "findings.sarif", "report.html", "report.json",
    ]  # fmt: skip
    assert run.outputs["run"]["sarif"] == "replatform-report/findings.sarif"
    assert "skipped: Comment on the pull request" in run.log  # not a pull request
    summary = (tmp_path / "run" / "step-summary.md").read_text()
    assert "| target | monthly | saving / month |" in summary


def test_action_reports_a_bad_command_as_an_error(tmp_path: Path) -> None:
    run = Run(_repo(tmp_path), {"command": "deploy", "upload-sarif": "true"}, event="push")
    assert run_action(run, tmp_path / "run") == 2
    assert "skipped: Upload SARIF to code scanning" in run.log  # no SARIF was written
    assert any("command must be scan or assess" in line for line in run.log)
