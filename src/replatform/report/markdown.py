"""A short Markdown summary for pull requests and ``$GITHUB_STEP_SUMMARY``.

Counts, the top blockers with ``file:line`` links, the monthly saving per
target (``assess`` only) and the next command, then every finding in a
collapsed table. GitHub refuses comments over 65,536 characters, so the text is
cut below ``LIMIT`` at a line boundary with a note saying how much is missing.
Every value that came from the repository is escaped (``report.escape.markdown``):
it can hold ``|``, backticks, HTML, ``@mentions`` and newlines.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING
from urllib.parse import quote

from replatform.model import BaselineState, Finding, Report, Severity
from replatform.price.money import money
from replatform.report.baseline import counts
from replatform.report.escape import markdown as escape
from replatform.report.escape import markdown_code

if TYPE_CHECKING:
    from replatform.plan.run import Assessment

#: GitHub's comment limit is 65,536 characters; stay clearly under it.
LIMIT = 65_000
TOP_BLOCKERS = 10


def migrate_available() -> bool:
    """Whether this installation has ``replatform migrate`` (the command the summary points to)."""
    return importlib.util.find_spec("replatform.migrate") is not None


class MarkdownReporter:
    """The PR summary; ``link_base`` (e.g. ``https://github.com/o/r/blob/<sha>/``) makes locations links."""

    def __init__(self, *, link_base: str = "", path: str = ".", assessment: Assessment | None = None) -> None:
        self.link_base = link_base
        self.path = path
        self.assessment = assessment

    def render(self, report: Report, *, color: bool = False) -> str:
        return render(report, self.assessment, link_base=self.link_base, path=self.path)


def _where(finding: Finding, link_base: str) -> str:
    label = escape(finding.location.short())  # not a code span: a `|` would still end a table cell there
    if not link_base:
        return label
    url = f"{link_base.rstrip('/')}/{quote(finding.location.path)}#L{finding.location.line}"
    return f"[{label}]({url})"


def _state(finding: Finding) -> str:
    return " **new**" if finding.baseline is BaselineState.NEW else ""


def _head(report: Report, assessment: Assessment | None) -> list[str]:
    by = {s: sum(1 for f in report.findings if f.severity is s) for s in Severity}
    out = [
        f"### replatform: {escape(report.root)}",
        "",
        f"**{by[Severity.BLOCKER]} blocker(s)** · {by[Severity.WARNING]} warning(s) · {by[Severity.INFO]} info"
        f" — {len(report.components)} components, {report.files_scanned} files read",
    ]
    if report.baseline is not None:
        numbers = counts(report)
        new_blockers = sum(
            1 for f in report.findings if f.baseline is BaselineState.NEW and f.severity is Severity.BLOCKER
        )
        out += [
            "",
            f"Against the baseline {markdown_code(report.baseline.source)}: **{numbers['new']} new** "
            f"({new_blockers} blocker(s)) · {numbers['unchanged']} unchanged · {numbers['fixed']} fixed. "
            "The gate counts new findings only.",
        ]
    if assessment is not None:
        out += ["", *_costs(assessment)]
    return out


def _costs(assessment: Assessment) -> list[str]:
    from replatform.price.cost import TARGETS, target_totals

    plan = assessment.plan
    by_target = target_totals(plan.costs)
    out = [
        "| target | monthly | saving / month |",
        "|---|---:|---:|",
    ]
    for target in TARGETS:
        total = by_target[target]
        if target != "current" and not total.priced:
            continue
        label = "today" if target == "current" else target + (" (estimate)" if "spot" in target else "")
        saving = "" if target == "current" else money(total.saving)
        out.append(f"| {label} | {money(total.monthly)} | {saving} |")
    out += ["", "Each total is the sum of its own lines; savings compare the same components today."]
    payback = f"payback {plan.payback_months:g} months" if plan.payback_months is not None else "payback not computable"
    phases = len({i.phase for i in plan.items})
    out += [
        "",
        f"Plan: {len(plan.items)} component(s) in {phases} phase(s), effort {plan.effort_hours:g} h, "
        f"saving {money(plan.annual_saving)}/year on {escape(plan.target)}, {payback}. "
        f"Prices: {escape(assessment.snapshot.describe())}; Spot figures are estimates.",
    ]
    return out


def _blockers(report: Report, link_base: str) -> list[str]:
    blockers = [f for f in report.findings if f.severity is Severity.BLOCKER]
    if not blockers:
        return []
    # new ones first when there is a baseline: they are what the gate fails on
    blockers.sort(key=lambda f: (f.baseline is not BaselineState.NEW, f.sort_key()))
    out = ["", "#### Top blockers", ""]
    for n, f in enumerate(blockers[:TOP_BLOCKERS], start=1):
        fix = f" — fix: {escape(f.fix.description)}" if f.fix is not None else ""
        out.append(f"{n}. {_where(f, link_base)} `{f.rule_id}`{_state(f)}: {escape(f.message)}{fix}")
    if len(blockers) > TOP_BLOCKERS:
        out.append(f"\n{len(blockers) - TOP_BLOCKERS} more blocker(s) in the table below.")
    return out


def _next(report: Report, path: str) -> list[str]:
    out = ["", "#### Next"]
    if migrate_available():
        out.append(f"\nPreview the fixes: `replatform migrate {path}` (a dry run); apply the safe ones with `--apply`.")
    out.append(
        "\nThe full report (costs, phases, every finding with its fix): "
        f"`replatform assess {path}` writes MIGRATION-PLAN.md, report.html, report.json and findings.sarif."
    )
    return out


def _table(report: Report, link_base: str) -> list[str]:
    if not report.findings and (report.baseline is None or not report.baseline.fixed):
        return []
    state = report.baseline is not None
    out = ["", f"<details><summary>All {len(report.findings)} finding(s)</summary>", ""]
    out.append("| severity | " + ("baseline | " if state else "") + "rule | where | message |")
    out.append("|---|" + ("---|" if state else "") + "---|---|---|")
    for f in report.findings:
        column = f"{f.baseline.value if f.baseline else ''} | " if state else ""
        out.append(f"| {f.severity.value} | {column}`{f.rule_id}` | {_where(f, link_base)} | {escape(f.message)} |")
    if report.baseline is not None and report.baseline.fixed:
        out += ["", f"Fixed since the baseline ({len(report.baseline.fixed)}):", ""]
        out += [f"- `{f.rule_id}` {escape(f.location.path)}: {escape(f.message)}" for f in report.baseline.fixed]
    out += ["", "</details>"]
    return out


def _fit(lines: list[str], omitted_what: str) -> str:
    """Join ``lines``; past ``LIMIT``, cut at a line boundary and say how many table rows were left out."""
    text = "\n".join(lines) + "\n"
    if len(text) <= LIMIT:
        return text
    kept: list[str] = []
    size = 0
    budget = LIMIT - 400  # room for the note and the closing tag
    for line in lines:
        if size + len(line) + 1 > budget:
            break
        kept.append(line)
        size += len(line) + 1
    rows = sum(1 for line in lines[len(kept) :] if line.startswith("| "))
    note = (
        f"\n_Truncated to stay under GitHub's comment limit: {rows} more {omitted_what} are not shown; "
        "the SARIF and HTML reports have everything._"
    )
    closing = "\n</details>" if any(line.startswith("<details>") for line in kept) else ""
    return "\n".join(kept) + closing + "\n" + note + "\n"


def render(report: Report, assessment: Assessment | None = None, *, link_base: str = "", path: str = ".") -> str:
    """The whole summary, at most ``LIMIT`` characters."""
    lines = [*_head(report, assessment), *_blockers(report, link_base), *_next(report, path)]
    lines += _table(report, link_base)
    return _fit(lines, "finding(s)")
