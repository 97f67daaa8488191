"""GitLab Code Quality (the Code Climate issue format), for merge-request widgets.

GitLab reads a JSON array of issues, each with ``description``, ``check_name``,
``fingerprint``, ``severity`` and ``location.path`` / ``location.lines.begin``;
``type`` and ``categories`` keep it valid Code Climate JSON too. GitLab uses
the fingerprint to tell new issues from old ones between the target branch and
the merge request, so it must not change when lines move: ours are rule, path
and subject. A fingerprint that occurs twice gets ``:2``, ``:3``... so every
issue stays distinct.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from replatform.model import Finding, Report, Severity

SEVERITIES = {Severity.BLOCKER: "blocker", Severity.WARNING: "major", Severity.INFO: "info"}


def _issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    description = f"[{finding.rule_id}] {finding.message}"
    issue: dict[str, Any] = {
        "type": "issue",
        "check_name": finding.rule_id,
        "description": description,
        "categories": ["Compatibility"],
        "severity": SEVERITIES[finding.severity],
        "fingerprint": fingerprint,
        "location": {"path": finding.location.path, "lines": {"begin": finding.location.line}},
    }
    if finding.fix is not None:
        issue["content"] = {"body": f"Fix: {finding.fix.description}"}
    return issue


class CodeClimateReporter:
    """One issue per finding, in report order (worst first)."""

    def render(self, report: Report, *, color: bool = False) -> str:
        seen: Counter[str] = Counter()
        issues = []
        for finding in report.findings:
            seen[finding.fingerprint] += 1
            n = seen[finding.fingerprint]
            issues.append(_issue(finding, finding.fingerprint if n == 1 else f"{finding.fingerprint}:{n}"))
        return json.dumps(issues, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
