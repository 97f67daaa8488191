"""The terminal report: inventory grouped by kind with ``path:line``, then findings.

Every value from the repository goes through `escape.terminal`: control
characters (newlines, ESC/OSC sequences, bidi overrides) are shown, never sent.
"""

from __future__ import annotations

from replatform.model import AttributeValue, Component, ComponentKind, Report, Severity, Unknown
from replatform.report import baseline as baseline_state
from replatform.report.escape import terminal

_COLORS = {Severity.BLOCKER: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_RESET = "\033[0m"
# Attributes worth a glance in the inventory; the JSON report has all of them.
_SHOWN = (
    "architecture",
    "cpu",
    "memory_mb",
    "runtime",
    "instance_type",
    "instance_types",
    "desired_count",
    "launch_type",
    "market",
    "platform",
    "base",
    "image",
    "version",
    "specifier",
    "ecosystem",
    "language",
    "machine",
    "platforms",
    "node_selector_arch",
    "replicas",
    "asset_directory",
    "dockerfile",
    "alias",
)


def _format(value: AttributeValue) -> str:
    if isinstance(value, Unknown):
        return f"<unknown: {terminal(value.expression)}>"
    if isinstance(value, tuple):
        return "[" + ", ".join(_format(v) for v in value) + "]"
    return terminal(str(value))


def _line(component: Component) -> str:
    shown = [f"{a.name}={_format(a.value)}" for a in component.attributes if a.name in _SHOWN]
    detail = f"  ({', '.join(shown)})" if shown else ""
    off = f"  [not deployed: {terminal(str(component.not_deployed))}]" if not component.deployed else ""
    return f"  {terminal(component.location.short())}  {terminal(component.name)}{detail}{off}"


class TextReporter:
    """Human-readable; colour only when asked (the CLI asks when stdout is a TTY)."""

    def __init__(self, *, inventory: bool = True) -> None:
        #: False: findings and summary only (``replatform check``, where the inventory is noise).
        self.inventory = inventory

    def render(self, report: Report, *, color: bool = False) -> str:
        out = [
            f"replatform scan of {terminal(report.root)}: {report.files_scanned} files read, "
            f"{len(report.components)} components, {len(report.findings)} findings"
            if self.inventory
            else f"replatform check of {terminal(report.root)}: {len(report.findings)} finding(s) in the files given"
        ]
        for kind in ComponentKind if self.inventory else ():
            items = [c for c in report.components if c.kind is kind]
            if not items:
                continue
            out.append("")
            out.append(f"{kind.value} ({len(items)})")
            out.extend(_line(c) for c in items)
        if report.findings:
            out.append("")
            out.append("findings (worst first)")
            for finding in report.findings:
                label = finding.severity.value.upper()
                if color:
                    label = f"{_COLORS[finding.severity]}{label}{_RESET}"
                sure = "" if finding.confidence.value == "high" else f" ({finding.confidence.value} confidence)"
                state = f" ({finding.baseline.value})" if finding.baseline is not None else ""
                where, message = terminal(finding.location.short()), terminal(finding.message)
                out.append(f"  {label}{state} {where} [{finding.rule_id}] {message}{sure}")
                if finding.fix is not None:
                    out.append(f"      fix: {terminal(finding.fix.description)}")
        counts = {s: sum(1 for f in report.findings if f.severity is s) for s in Severity}
        out.append("")
        out.append(
            f"summary: {counts[Severity.BLOCKER]} blocker(s), {counts[Severity.WARNING]} warning(s), "
            f"{counts[Severity.INFO]} info"
        )
        if report.baseline is not None:
            numbers = baseline_state.counts(report)
            out.append(
                f"baseline {terminal(str(report.baseline.source))}: {numbers['new']} new, {numbers['unchanged']} unchanged, "
                f"{numbers['fixed']} fixed (--fail-on counts new findings only)"
            )
        if report.errors:
            out.append("")
            out.append("errors")
            out.extend(f"  {terminal(e.path)}: {terminal(e.message)}" for e in report.errors)
        return "\n".join(out) + "\n"
