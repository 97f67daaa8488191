"""SARIF 2.1.0, for code-scanning dashboards: rules with help and helpUri, stable fingerprints.

Code scanning shows every result as an alert, so "ready" verdicts (a
dependency or image that needs nothing) are left out unless asked for; they
stay in the JSON report.
"""

from __future__ import annotations

from typing import Any

from replatform import __version__
from replatform.assess.catalog import Rule, catalog
from replatform.assess.verdicts import is_ready
from replatform.model import Edit, Finding, Fix, Report, Severity
from replatform.report.escape import sarif_uri
from replatform.report.json_text import pretty

#: The key of our fingerprint in ``partialFingerprints`` (v2: over a verdict's answer, not its source; v1 was
#: over the rule id, and a v1 log read as a baseline has its fingerprints recomputed).
FINGERPRINT_KEY = "replatformFingerprint/v2"

_LEVELS = {Severity.BLOCKER: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(rule: Rule) -> dict[str, Any]:
    docs = rule.docs
    markdown = (
        f"**What it detects.** {docs.what}\n\n**{rule.why_heading}.** {docs.why}\n\n"
        f"**Example.** `{docs.example}`\n\n**Fix.** {docs.fix}\n\n**Fix safety.** {docs.fix_safety}"
    )
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": docs.what},
        "help": {"text": f"{docs.why} Fix: {docs.fix}", "markdown": markdown},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {
            "tags": ["arm64", rule.category],
            "precision": {"high": "high", "medium": "medium", "low": "low"}[rule.confidence.value],
        },
    }


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    loc = finding.location
    region = {"startLine": loc.line, "startColumn": loc.column, "endLine": max(loc.end_line, loc.line)}
    if loc.end_line > loc.line or loc.end_column > loc.column:
        region["endColumn"] = loc.end_column
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": sarif_uri(loc.path), "uriBaseId": "SRCROOT"},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"confidence": finding.confidence.value, "count": finding.count, "subject": finding.subject},
    }
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    if finding.fix is not None:
        result["properties"]["fix"] = finding.fix.description
        if finding.fix.edits:
            result["properties"]["fixSafety"] = finding.fix.applicability.value
            result["fixes"] = [_fix(finding.fix)]
    if finding.baseline is not None:
        result["baselineState"] = finding.baseline.value  # SARIF's own names: "new" / "unchanged"
    return result


def _fix(fix: Fix) -> dict[str, Any]:
    """A fix's edits as SARIF ``artifactChanges`` (byte regions of the original files)."""
    by_path: dict[str, list[Edit]] = {}
    for edit in fix.edits:
        by_path.setdefault(edit.path, []).append(edit)
    return {
        "description": {"text": f"{fix.description} ({fix.applicability.value}: {fix.why})"},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": sarif_uri(path), "uriBaseId": "SRCROOT"},
                "replacements": [
                    {
                        "deletedRegion": {"byteOffset": e.start_byte, "byteLength": e.end_byte - e.start_byte},
                        "insertedContent": {"text": e.replacement},
                    }
                    for e in edits
                ],
            }
            for path, edits in sorted(by_path.items())
        ],
    }


def report_to_sarif(report: Report, *, include_ready: bool = False) -> dict[str, Any]:
    """The report as a SARIF log with one run ("ready" verdicts only with ``include_ready``)."""
    rules = catalog()
    used = sorted({f.rule_id for f in report.findings} | set(rules))
    ordered = [rules[rule_id] for rule_id in used if rule_id in rules]
    index = {rule.id: position for position, rule in enumerate(ordered)}
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "replatform",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(rule) for rule in ordered],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index) for f in report.findings if include_ready or not is_ready(f)],
            }
        ],
    }


class SarifReporter:
    """Deterministic SARIF: sorted keys, findings in report order."""

    def __init__(self, *, include_ready: bool = False) -> None:
        self.include_ready = include_ready

    def render(self, report: Report, *, color: bool = False) -> str:
        log = report_to_sarif(report, include_ready=self.include_ready)
        return pretty(log) + "\n"
