"""What a format parser returns, and helpers every parser shares."""

from __future__ import annotations

from dataclasses import dataclass, field

from replatform.discover.source import SourceFile
from replatform.model import (
    Attribute,
    Component,
    ComponentKind,
    Finding,
    Fix,
    Location,
    Severity,
)

PARSE_ERROR = "parse-error"


@dataclass
class ParseResult:
    """Components and findings from one file (mutable while a parser builds it)."""

    components: list[Component] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def add(
        self,
        kind: ComponentKind,
        name: str,
        location: Location,
        attributes: list[Attribute] | None = None,
        parent: str | None = None,
    ) -> Component:
        """Record a component and return it (so children can name it as parent)."""
        component = Component(kind, name, location, tuple(attributes or ()), parent)
        self.components.append(component)
        return component

    def extend(self, other: ParseResult) -> None:
        """Take over everything another result holds."""
        self.components.extend(other.components)
        self.findings.extend(other.findings)

    def parse_error(self, source: SourceFile, message: str, location: Location | None = None) -> None:
        """Record that (part of) a file could not be parsed; the scan goes on."""
        self.findings.append(
            Finding(
                rule_id=PARSE_ERROR,
                severity=Severity.WARNING,
                message=f"could not parse {source.name}: {message}",
                location=location or source.whole(),
                subject=source.path,
                fix=Fix("Fix the syntax error; until then this file is not assessed."),
            )
        )
