"""``replatform: ignore[RULE-ID] reason`` comments, in any comment syntax.

A suppression applies to findings on its own line or the line below. A reason
is required: a bare suppression still suppresses, and is itself reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from replatform.assess.context import Context
from replatform.assess.prescan import Extractor
from replatform.discover.source import SourceFile
from replatform.model import Finding, Location

_SUPPRESSION = re.compile(r"replatform:\s*ignore\[([A-Za-z0-9,\s-]+)\]\s*(.*)")
_CLOSERS = re.compile(r"\s*(?:\*/|-->|#\}|\*\)|\}\})\s*$")


@dataclass(frozen=True)
class Suppression:
    """One ``replatform: ignore[...]`` comment."""

    line: int
    rules: frozenset[str]
    reason: str
    location: Location


def _suppressions(source: SourceFile) -> tuple[Suppression, ...] | None:
    """The suppression comments of a file (taken while discovery holds its bytes)."""
    if b"replatform" not in source.data:
        return None
    found = []
    for number, line in enumerate(source.lines, start=1):
        match = _SUPPRESSION.search(line)
        if match:
            rules = frozenset(r.strip() for r in match.group(1).split(",") if r.strip())
            reason = _CLOSERS.sub("", match.group(2)).strip()
            found.append(Suppression(number, rules, reason, source.location_of_line(number)))
    return tuple(found) or None


SUPPRESSIONS: Extractor[tuple[Suppression, ...]] = Extractor("suppressions", lambda path: True, _suppressions)


def apply(ctx: Context, findings: list[Finding]) -> list[Finding]:
    """Findings minus the suppressed ones, plus a warning for each suppression without a reason."""
    kept: list[Finding] = []
    bare_reported: set[tuple[str, int]] = set()
    extra: list[Finding] = []
    for finding in findings:
        comments = ctx.facts.get(SUPPRESSIONS, finding.location.path) or ()
        suppressed = False
        for line in (finding.location.line, finding.location.line - 1):
            comment = next((c for c in comments if c.line == line), None)
            if comment is None or line < 1:
                continue
            if finding.rule_id not in comment.rules and "all" not in comment.rules:
                continue
            suppressed = True
            if not comment.reason and (finding.location.path, line) not in bare_reported:
                bare_reported.add((finding.location.path, line))
                before = len(ctx.findings)
                ctx.emit(
                    "suppression-without-reason",
                    comment.location,
                    f"suppression of {', '.join(sorted(comment.rules))} gives no reason",
                    subject=f"ignore[{','.join(sorted(comment.rules))}]",  # not the line: fingerprints survive shifts
                )
                extra.extend(ctx.findings[before:])
            break
        if not suppressed:
            kept.append(finding)
    return kept + extra
