"""What ``migrate`` would do, per component: the counts ``assess`` shows in its plan and report."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from replatform.migrate.apply import Migration, Outcome
from replatform.model import Applicability
from replatform.report.escape import markdown as escape_markdown
from replatform.report.escape import markdown_code, terminal


@dataclass(frozen=True)
class ComponentFixes:
    """Fixes for one component (or file): verified safe, verified unsafe, and left to a person."""

    component: str
    safe: int
    unsafe: int
    manual: int


def by_component(migration: Migration) -> list[ComponentFixes]:
    """Counts per component, in component order; a rejected or conflicting fix counts as manual."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for result in migration.results:
        fix = result.proposal.fix
        offered = result.outcome in (Outcome.PLANNED, Outcome.APPLIED, Outcome.SKIPPED_UNSAFE)
        if offered and fix.applicability is Applicability.SAFE:
            counts[fix.component][0] += 1
        elif offered and fix.applicability is Applicability.UNSAFE:
            counts[fix.component][1] += 1
        elif result.outcome is not Outcome.NOT_SELECTED:
            counts[fix.component][2] += 1
    return [ComponentFixes(c, *counts[c]) for c in sorted(counts, key=lambda c: (_name(c), c))]


def _name(component: str) -> str:
    return component.split(":", 1)[-1] if ":" in component else component


def command(root: str) -> str:
    return f"replatform migrate {root}"


def markdown(migration: Migration, root: str) -> str:
    """The plan's section: a table of fixes per component and the commands that make them."""
    rows = by_component(migration)
    lines = ["## What `replatform migrate` would change", ""]
    if not rows:
        return "\n".join([*lines, "No fix applies.", ""])
    totals = [sum(r.safe for r in rows), sum(r.unsafe for r in rows), sum(r.manual for r in rows)]
    lines += [
        f"Verified fixes (re-parsed, re-scanned, validated): {totals[0]} safe, {totals[1]} unsafe; {totals[2]} left to a person.",
        f"See the diff with {markdown_code(command(root))}; write the safe fixes with "
        f"{markdown_code(command(root) + ' --apply')}, and the unsafe ones after review with `--apply --unsafe-fixes`.",
        "",
        "| component | safe | unsafe | manual |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {escape_markdown(_name(r.component))} | {r.safe} | {r.unsafe} | {r.manual} |" for r in rows]
    return "\n".join([*lines, ""])


def to_dict(migration: Migration, root: str) -> dict[str, object]:
    rows = by_component(migration)
    return {
        "command": command(root),
        "components": [
            {"component": r.component, "safe": r.safe, "unsafe": r.unsafe, "manual": r.manual} for r in rows
        ],
    }


def one_line(migration: Migration, root: str) -> str:
    rows = by_component(migration)
    safe, unsafe, manual = (sum(getattr(r, k) for r in rows) for k in ("safe", "unsafe", "manual"))
    return terminal(
        f"migrate: {safe} safe and {unsafe} unsafe fix(es) ready, {manual} manual: run `{command(root)}` to see the diff"
    )
