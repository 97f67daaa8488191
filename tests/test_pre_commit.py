"""The pre-commit hook (.pre-commit-hooks.yaml) with the real `pre-commit`, in a temporary git repository.

pre-commit clones the hook repository at a revision and pip-installs it into
its own virtualenv, exactly as for a user; here the hook repository is a git
copy of this source tree and pip installs from the wheelhouse `make test`
downloads into tests/.cache/wheels (no network while testing).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from replatform.discover.formats import Format, classify

from .conftest import ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"
WHEELS = ROOT / "tests" / ".cache" / "wheels"
#: What the hook runs on: every text format a parser reads (archives and binaries are never in a commit's diff to check).
HOOK_FORMATS = set(Format) - {Format.ARCHIVE, Format.MAYBE_BINARY}
BLOCKER = "FROM --platform=linux/amd64 python:3.12-slim\nRUN pip install flask\n"
TRICKY_NAMES = [
    "main.TF", "vars.tfvars.hcl", "stack.template", "types.d.ts", "lib.d.mts", "app.ts", "App.TS", "Dockerfile",
    "Dockerfile.arm64", "api.Dockerfile", "Containerfile", "dockerfile", "requirements-dev.txt", "requirements.in",
    "constraints.txt", "reqs/requirements/base.txt", "requirements/prod.TXT", "notes.txt", "pom.xml", "x.pom",
    "build.gradle.kts", "go.mod", "go.sum", "Cargo.lock", "Gemfile", "Gemfile.lock", "App.csproj", ".nvmrc",
    ".tool-versions", "runtime.txt", "Makefile", "rules.mk", "x.MK", "CMakeLists.txt", "a.S", "b.s", "c.C", ".c",
    "..c", "kernel.cu", "x.c++", "lib.so", "app.jar", "README.md", "package.json", "pnpm-lock.yaml", "yarn.lock",
    "setup.py", "setup.cfg", "uv.lock", "a/b/.python-version", "image.png",
]  # fmt: skip


def _hook() -> dict[str, object]:
    hooks: list[dict[str, object]] = YAML(typ="safe").load(HOOKS.read_text())
    assert [h["id"] for h in hooks] == ["replatform"]
    return hooks[0]


def test_hook_runs_on_exactly_the_files_replatform_reads() -> None:
    pattern = re.compile(str(_hook()["files"]))
    paths = [
        p.relative_to(ROOT).as_posix()
        for top in ("examples", "tests", "src", "docs", "bench", "tools")
        for p in (ROOT / top).rglob("*")
        if p.is_file() and ".cache" not in p.parts and "__pycache__" not in p.parts
    ]
    paths += TRICKY_NAMES
    wrong = [p for p in paths if bool(pattern.search(p)) != (classify(p) in HOOK_FORMATS)]
    assert wrong == []
    assert pattern.search("infra/main.tf") and not pattern.search("README.md")


def test_hook_entry_is_the_offline_check() -> None:
    hook = _hook()
    assert hook["entry"] == "replatform check" and hook["language"] == "python"
    assert hook["require_serial"] is True  # one scan per commit, not one per batch of files


def _git(cwd: Path, *args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=check, capture_output=True, text=True)


def _hook_repository(target: Path, env: dict[str, str]) -> str:
    """A git repository holding this source tree (what a user's pre-commit clones); returns its revision."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, target / name)
    shutil.copytree(ROOT / "src", target / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    _git(target, "init", "-q", env=env)
    _git(target, "add", ".", env=env)
    _git(target, "commit", "-q", "-m", "replatform", env=env)
    return _git(target, "rev-parse", "HEAD", env=env).stdout.strip()


def _environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "GIT_", "PRE_COMMIT"))}
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(WHEELS),
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.invalid",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        REPLATFORM_OFFLINE="1",
    )
    return env


def test_pre_commit_blocks_only_a_new_blocker(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is not installed")
    if not any(WHEELS.glob("tree_sitter-*.whl")):
        pytest.fail(f"no wheelhouse at {WHEELS}: `make test` downloads it (pip download . setuptools)")
    env = _environment(tmp_path)
    rev = _hook_repository(tmp_path / "hook", env)
    project = tmp_path / "project"
    (project / "old").mkdir(parents=True)
    (project / "old" / "Dockerfile").write_text(BLOCKER)
    (project / "README.md").write_text("# shop\n")
    _git(project, "init", "-q", env=env)
    subprocess.run(
        [sys.executable, "-m", "replatform", "baseline", "write", ".", "-o", "replatform-baseline.json", "--offline"],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    hook_config = (
        f"repos:\n  - repo: {tmp_path / 'hook'}\n    rev: {rev}\n    hooks:\n      - id: replatform\n"
        "        args: [--baseline, replatform-baseline.json]\n"
    )
    (project / ".pre-commit-config.yaml").write_text(hook_config)
    _git(project, "add", ".", env=env)
    _git(project, "commit", "-q", "-m", "start", env=env)
    pre_commit = [sys.executable, "-m", "pre_commit"]
    subprocess.run([*pre_commit, "install"], cwd=project, env=env, check=True, capture_output=True)

    # an old blocker that moved down the file is not new: the commit goes through
    (project / "old" / "Dockerfile").write_text("# build for the API\n\n" + BLOCKER)
    _git(project, "add", ".", env=env)
    done = _git(project, "commit", "-m", "comment", env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"replatform \(arm64 blockers\)\.+Passed", done.stdout + done.stderr)

    # a commit without files the hook reads skips it
    (project / "README.md").write_text("# shop\n\nmore\n")
    _git(project, "add", ".", env=env)
    done = _git(project, "commit", "-m", "docs", env=env, check=False)
    assert done.returncode == 0 and "(no files to check)Skipped" in done.stdout + done.stderr

    # a newly added blocker stops the commit, and the output says where and why
    (project / "new").mkdir()
    (project / "new" / "Dockerfile").write_text(BLOCKER.replace("python:3.12", "node:20"))
    _git(project, "add", ".", env=env)
    done = _git(project, "commit", "-m", "new service", env=env, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "BLOCKER (new) new/Dockerfile:1 [dockerfile-platform-amd64]" in output
    assert "old/Dockerfile" not in output  # findings in files the commit does not touch are not reported
    assert _git(project, "log", "--format=%s", env=env).stdout.split() == ["docs", "comment", "start"]

    # without the baseline, the old blocker in a touched file fails too
    (project / ".pre-commit-config.yaml").write_text(hook_config.replace(
        "        args: [--baseline, replatform-baseline.json]\n", ""
    ))  # fmt: skip
    done = subprocess.run(
        [*pre_commit, "run", "replatform", "--files", "old/Dockerfile"], cwd=project, env=env, capture_output=True,
        text=True,
    )  # fmt: skip
    assert done.returncode == 1 and "BLOCKER old/Dockerfile:3 [dockerfile-platform-amd64]" in done.stdout
