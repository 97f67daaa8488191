"""What every check gets: the inventory, file access, settings, and one way to report."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from replatform.assess.catalog import Rule, catalog
from replatform.assess.prescan import MAX_SOURCE_BYTES, Prescan
from replatform.discover.source import SourceFile
from replatform.model import (
    Component,
    ComponentKind,
    Confidence,
    Finding,
    Fix,
    Location,
    Report,
    Severity,
    WorkerSummary,
)

__all__ = ["MAX_SOURCE_BYTES", "RULE_FIX", "Context"]

#: Files `Context.read` keeps for checks that look at the same file twice in a row; never the whole run's.
RECENT_FILES = 16


#: ``emit(fix=RULE_FIX)`` (the default): the rule's own fix text, which then must not depend on the finding.
RULE_FIX = "\x00rule"


def _fix(text: str | None) -> Fix | None:
    """No fix object when there is none, or when the rule's answer is that nothing needs doing."""
    return None if text is None or text.strip().rstrip(".").lower() == "none" else Fix(text)


@dataclass
class Context:
    """Shared by all checks of one run; checks only add findings through `emit`."""

    root: str
    report: Report
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    disabled: frozenset[str] = frozenset()
    findings: list[Finding] = field(default_factory=list)
    #: One per ECS container (and the service running it): SIGTERM handling and SQS use (assess/worker).
    workers: list[WorkerSummary] = field(default_factory=list)
    prescan: Prescan | None = None
    _recent: OrderedDict[str, SourceFile | None] = field(default_factory=OrderedDict)
    #: Results several checks derive from the same facts (built once per run, small).
    shared: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.prescan is None:
            self.prescan = Prescan(self.root, ())

    @property
    def facts(self) -> Prescan:
        """What discovery's bytes already told (see `Prescan`)."""
        assert self.prescan is not None
        return self.prescan

    def components(self, *kinds: ComponentKind) -> list[Component]:
        """Inventory components of the given kinds, in report order."""
        return [c for c in self.report.components if c.kind in kinds]

    def read(self, path: str) -> SourceFile | None:
        """A scanned file by relative path (None when unreadable or too large).

        Only the last few files are kept, so memory does not grow with the
        tree; contents needed across the run are facts in `facts` instead.
        """
        if path in self._recent:
            self._recent.move_to_end(path)
            return self._recent[path]
        source = self.facts.read(path)
        if source is not None:
            self.facts.observe(source)
        self._recent[path] = source
        if len(self._recent) > RECENT_FILES:
            self._recent.popitem(last=False)
        return source

    def rule(self, rule_id: str) -> Rule:
        return catalog()[rule_id]

    def emit(
        self,
        rule_id: str,
        location: Location,
        message: str,
        *,
        subject: str = "",
        fix: str | None = RULE_FIX,
        confidence: Confidence | None = None,
        count: int = 1,
        references: tuple[str, ...] = (),
        severity: Severity | None = None,
    ) -> None:
        """Record a finding for a catalogued rule.

        Severity comes from the configuration, else ``severity`` (a check that
        knows better, e.g. code outside the product build), else the catalog.
        ``fix`` is the finding's own fix text; None means there is no fix that can
        name what to do (it is omitted, never replaced by the rule's generic text).
        """
        if rule_id in self.disabled:
            return
        rule = self.rule(rule_id)
        self.findings.append(
            Finding(
                rule_id=rule_id,
                severity=self.severity_overrides.get(rule_id, severity or rule.severity),
                message=message,
                location=location,
                subject=subject,
                fix=_fix(rule.docs.fix if fix == RULE_FIX else fix),
                references=references or rule.references,
                confidence=confidence or rule.confidence,
                count=count,
            )
        )
