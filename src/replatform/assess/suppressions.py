"""``replatform: ignore[RULE-ID] reason`` comments, in any comment syntax.

A suppression applies to findings on its own line or the line below. A reason
is required: a bare suppression still suppresses, and is itself reported.
"""

from __future__ import annotations

import re

from replatform.assess.context import Context
from replatform.model import Finding

_SUPPRESSION = re.compile(r"replatform:\s*ignore\[([A-Za-z0-9,\s-]+)\]\s*(.*)")
_CLOSERS = re.compile(r"\s*(?:\*/|-->|#\}|\*\)|\}\})\s*$")


def apply(ctx: Context, findings: list[Finding]) -> list[Finding]:
    """Findings minus the suppressed ones, plus a warning for each suppression without a reason."""
    kept: list[Finding] = []
    bare_reported: set[tuple[str, int]] = set()
    extra: list[Finding] = []
    for finding in findings:
        source = ctx.read(finding.location.path) if b"replatform" in _peek(ctx, finding.location.path) else None
        suppressed = False
        if source is not None:
            for line in (finding.location.line, finding.location.line - 1):
                if line < 1 or line > len(source.lines):
                    continue
                match = _SUPPRESSION.search(source.lines[line - 1])
                if not match:
                    continue
                rules = {r.strip() for r in match.group(1).split(",") if r.strip()}
                if finding.rule_id not in rules and "all" not in rules:
                    continue
                suppressed = True
                reason = _CLOSERS.sub("", match.group(2)).strip()
                if not reason and (finding.location.path, line) not in bare_reported:
                    bare_reported.add((finding.location.path, line))
                    before = len(ctx.findings)
                    ctx.emit(
                        "suppression-without-reason",
                        source.location_of_line(line),
                        f"suppression of {', '.join(sorted(rules))} gives no reason",
                        subject=f"ignore[{','.join(sorted(rules))}]",  # not the line: fingerprints survive shifts
                    )
                    extra.extend(ctx.findings[before:])
                break
        if not suppressed:
            kept.append(finding)
    return kept + extra


def _peek(ctx: Context, path: str) -> bytes:
    source = ctx.read(path)
    return source.data if source is not None else b""
