"""What every check gets: the inventory, file access, settings, and one way to report."""

from __future__ import annotations

from dataclasses import dataclass, field

from replatform.assess.catalog import Rule, catalog
from replatform.discover.source import SourceFile
from replatform.fsio import read_in_root
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

#: Source files larger than this are not read by checks (generated code, amalgamations).
MAX_SOURCE_BYTES = 4 * 1024 * 1024


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
    _files: dict[str, SourceFile | None] = field(default_factory=dict)

    def components(self, *kinds: ComponentKind) -> list[Component]:
        """Inventory components of the given kinds, in report order."""
        return [c for c in self.report.components if c.kind in kinds]

    def read(self, path: str) -> SourceFile | None:
        """A scanned file by relative path (cached; None when unreadable or too large)."""
        if path not in self._files:
            try:
                data = read_in_root(self.root, path, MAX_SOURCE_BYTES + 1)
            except OSError:
                data = None
            self._files[path] = None if data is None or len(data) > MAX_SOURCE_BYTES else SourceFile(path, data)
        return self._files[path]

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
    ) -> None:
        """Record a finding for a catalogued rule (severity from the catalog or the config).

        ``fix`` is the finding's own fix text; None means there is no fix that can
        name what to do (it is omitted, never replaced by the rule's generic text).
        """
        if rule_id in self.disabled:
            return
        rule = self.rule(rule_id)
        self.findings.append(
            Finding(
                rule_id=rule_id,
                severity=self.severity_overrides.get(rule_id, rule.severity),
                message=message,
                location=location,
                subject=subject,
                fix=_fix(rule.docs.fix if fix == RULE_FIX else fix),
                references=references or rule.references,
                confidence=confidence or rule.confidence,
                count=count,
            )
        )
