"""How a migration is shown: unified diffs (a ``git apply``-able patch), a summary table, JSON."""

from __future__ import annotations

import difflib
import json
from typing import Any

from replatform.migrate.apply import FileChange, FixResult, Migration, Outcome
from replatform.migrate.validate import Status
from replatform.report.escape import CONTROLS, terminal

_RED, _GREEN, _CYAN, _BOLD, _DIM, _RESET = "\033[31m", "\033[32m", "\033[36m", "\033[1m", "\033[2m", "\033[0m"


def _lines(data: bytes) -> list[str]:
    lines = data.decode("utf-8", errors="replace").splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def file_diff(change: FileChange) -> str:
    """A git-style unified diff of one change (three lines of context)."""
    old_name = "/dev/null" if change.new_file else f"a/{change.path}"
    header = f"diff --git a/{change.path} b/{change.path}\n"
    if change.new_file:
        header += "new file mode 100644\n"
    body = difflib.unified_diff(_lines(change.before), _lines(change.after), old_name, f"b/{change.path}", n=3)
    return header + "".join(line if line.endswith("\n") else line + "\n" for line in body)


def patch(migration: Migration) -> str:
    """Every change as one patch, in path order (``git apply`` takes it)."""
    return "".join(file_diff(c) for c in sorted(migration.changes, key=lambda c: c.path))


def _shown(line: str) -> str:
    """A diff line safe on a terminal: controls (ESC, bidi, ...) become visible, tabs and the line end stay."""
    body, end = (
        (line[:-2], "\r\n") if line.endswith("\r\n") else (line[:-1], "\n") if line.endswith("\n") else (line, "")
    )
    return CONTROLS.sub(lambda m: "\t" if m.group() == "\t" else terminal(m.group()), body) + end


def _colour(diff: str) -> str:
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---", "diff --git", "new file")):
            out.append(f"{_BOLD}{line.rstrip()}{_RESET}\n")
        elif line.startswith("@@"):
            out.append(f"{_CYAN}{line.rstrip()}{_RESET}\n")
        elif line.startswith("+"):
            out.append(f"{_GREEN}{line.rstrip(chr(10))}{_RESET}\n")
        elif line.startswith("-"):
            out.append(f"{_RED}{line.rstrip(chr(10))}{_RESET}\n")
        else:
            out.append(line)
    return "".join(out)


def _where(result: FixResult, migration: Migration) -> str:
    fix = result.proposal.fix
    if result.proposal.findings:
        return result.proposal.findings[0].location.short()
    if result.proposal.where is not None:
        return result.proposal.where.short()
    if fix.edits:
        edit = fix.edits[0]
        before = next((c.before for c in migration.changes if c.path == edit.path), b"")
        line = before[: edit.start_byte].count(b"\n") + 1
        return f"{edit.path}:{line}"
    return fix.component


def _component_name(result: FixResult) -> str:
    component = result.proposal.fix.component
    return component.rsplit("#", 1)[-1] if "#" in component else component


def render_text(migration: Migration, *, color: bool = False) -> str:
    """Diffs, then one row per fix (what, where, component, safety, why), what is left, validators."""
    out = []
    for change in sorted(migration.changes, key=lambda c: c.path):
        diff = "".join(_shown(line) for line in file_diff(change).splitlines(keepends=True))
        out.append(_colour(diff) if color else diff)
    offered = migration.offered
    if offered:
        out.append("\n" + ("Applied" if migration.applied else "Would apply") + f" {len(offered)} fix(es):\n")
        out += [_row(r, migration) for r in offered]
    later = [r for r in migration.remaining]
    if later:
        out.append(f"\nLeft to do ({len(later)}):\n")
        out += [_row(r, migration) for r in later]
    if migration.validations:
        out.append("\nValidators:\n")
        for validation in migration.validations:
            detail = f" ({validation.detail})" if validation.detail else ""
            mark = {Status.PASSED: "ok", Status.FAILED: "FAILED", Status.NOT_RUN: "not run"}[validation.status]
            out.append(f"  {validation.validator:<9} {mark:<8} {terminal(validation.path)}{terminal(detail)}\n")
    out.append("\n" + _summary(migration) + "\n")
    return "".join(out)


def _row(result: FixResult, migration: Migration) -> str:
    fix = result.proposal.fix
    label = fix.applicability.value
    state = "" if result.outcome in (Outcome.PLANNED, Outcome.APPLIED) else f" [{result.outcome.value}]"
    why = result.detail if result.outcome in (Outcome.CONFLICT, Outcome.REJECTED) else fix.why
    where, name = terminal(_where(result, migration)), terminal(_component_name(result))
    return (
        f"  {fix.rule_id:<32} {where:<48} {name:<28} {label:<6}{state}\n"
        f"      {terminal(fix.description)}\n      why: {terminal(why)}\n"
    )


def _summary(migration: Migration) -> str:
    counts = {o: len(migration.with_outcome(o)) for o in Outcome}
    done = counts[Outcome.APPLIED] if migration.applied else counts[Outcome.PLANNED]
    parts = [f"{done} fix(es) {'applied' if migration.applied else 'to apply'} in {len(migration.changes)} file(s)"]
    for outcome in (Outcome.SKIPPED_UNSAFE, Outcome.MANUAL, Outcome.CONFLICT, Outcome.REJECTED):
        if counts[outcome]:
            parts.append(f"{counts[outcome]} {outcome.value}")
    hint = ""
    if not migration.applied and done:
        hint = "; run with --apply to write them"
    if counts[Outcome.SKIPPED_UNSAFE]:
        hint += "; review and add --unsafe-fixes for the unsafe ones"
    if not done and not migration.remaining:
        return "Nothing to do: no fix applies."
    return ", ".join(parts) + hint + "."


def render_json(migration: Migration) -> str:
    """Every fix with its edits, outcome and safety; the changed files; validator verdicts."""
    document: dict[str, Any] = {
        "target": migration.target,
        "applied": migration.applied,
        "fixes": [_fix_json(r) for r in migration.results if r.outcome is not Outcome.NOT_SELECTED],
        "files": sorted(c.path for c in migration.changes),
        "validations": [
            {"validator": v.validator, "path": v.path, "status": v.status.value, "detail": v.detail}
            for v in migration.validations
        ],
    }
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def _fix_json(result: FixResult) -> dict[str, Any]:
    fix = result.proposal.fix
    return {
        "rule_id": fix.rule_id,
        "component": fix.component,
        "description": fix.description,
        "applicability": fix.applicability.value,
        "why": fix.why,
        "outcome": result.outcome.value,
        "detail": result.detail,
        "findings": [f.fingerprint for f in result.proposal.findings],
        "edits": [
            {
                "path": e.path,
                "start_byte": e.start_byte,
                "end_byte": e.end_byte,
                "replacement": e.replacement,
                "new_file": e.new_file,
            }
            for e in fix.edits
        ],
    }
