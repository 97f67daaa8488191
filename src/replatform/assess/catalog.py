"""The rule catalog (``knowledge/rules.json``): ids, titles, default severity and docs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from replatform.knowledge import load
from replatform.model import Confidence, Severity

#: Where the generated rule pages live, relative to the repository root (SARIF helpUri).
RULE_DOCS = "docs/rules/{id}.md"


@dataclass(frozen=True)
class RuleDocs:
    """The sections every rule page has, in this order."""

    what: str
    why: str
    example: str
    fix: str
    fix_safety: str


@dataclass(frozen=True)
class Rule:
    """One rule: data only; its matcher lives in the assess module of its category."""

    id: str
    title: str
    severity: Severity
    confidence: Confidence
    category: str
    docs: RuleDocs
    references: tuple[str, ...]

    @property
    def why_heading(self) -> str:
        """The heading of the "why" section: arm64, interruption (Spot) and training rules matter for different moves."""
        if self.category == "interruption":
            return "Why it matters for Spot (and every ECS stop)"
        if self.category == "training":
            return "Why it matters on SageMaker"
        return "Why it matters on arm64"

    @property
    def help_uri(self) -> str:
        return RULE_DOCS.format(id=self.id)


@cache
def catalog() -> dict[str, Rule]:
    """Every rule by id."""
    rules = {}
    for entry in load("rules")["rules"]:
        rules[entry["id"]] = Rule(
            entry["id"],
            entry["title"],
            Severity(entry["severity"]),
            Confidence(entry["confidence"]),
            entry["category"],
            RuleDocs(**entry["docs"]),
            tuple(entry["references"]),
        )
    return rules
