"""Baselines: compare a run with a previous one by fingerprint (new / unchanged / fixed).

A repository with old findings can still gate CI on *new* ones: ``--baseline
FILE`` marks every finding, and ``--fail-on`` then counts only the new ones.
The file may be a baseline written by ``replatform baseline write``, a
report.json (``scan --format json`` or ``assess``) or a SARIF log of ours.

Fingerprints are what the finding is about, path and subject (never the line),
so a finding that moved down the file is still the same finding. What it is
about is the rule, or for a dependency or image verdict its answer whichever
source gave it (``Finding.fingerprint``): a baseline written online matches
the same answer found offline. Matching is by count: a fingerprint seen twice
in the baseline and three times now is two unchanged findings and one new one.

Versions: baseline files from version 2 on and SARIF's
``replatformFingerprint/v2`` store fingerprints of this kind and are used as
stored; version 1 files, v1-only SARIF and report.json (which has no version)
get their fingerprints recomputed from the recorded rule, path and subject, so
files written before keep matching.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from replatform import __version__
from replatform.errors import UsageError
from replatform.model import Baseline, BaselineState, Confidence, Finding, Location, Report, Severity
from replatform.report.json_report import finding_to_dict
from replatform.report.sarif import FINGERPRINT_KEY as SARIF_FINGERPRINT

#: 2: fingerprints over the verdict's answer, not its source (1: over the rule id; recomputed when read).
BASELINE_VERSION = 2
#: A baseline is data we parse, possibly from a repository under review: bound what we read.
MAX_BASELINE_BYTES = 64 * 1024 * 1024
_SARIF_SEVERITY = {"error": Severity.BLOCKER, "warning": Severity.WARNING, "note": Severity.INFO, "none": Severity.INFO}


@dataclass(frozen=True)
class Recorded:
    """One finding as a baseline file recorded it, keyed by the fingerprint stored with it."""

    fingerprint: str
    finding: Finding


def render(report: Report) -> str:
    """The text of a baseline file: the findings of ``report``, sorted, in the report.json finding shape."""
    data = {
        "baseline_version": BASELINE_VERSION,
        "tool": {"name": "replatform", "version": __version__},
        "root": report.root,
        "findings": [_without_state(finding_to_dict(f)) for f in report.findings],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _without_state(data: dict[str, Any]) -> dict[str, Any]:
    data.pop("baseline", None)
    return data


def load(path: str) -> list[Recorded]:
    """The findings recorded in a baseline, report.json or SARIF file (a usage error when it is none of them)."""
    try:
        if os.path.getsize(path) > MAX_BASELINE_BYTES:
            raise UsageError(f"baseline {path} is larger than {MAX_BASELINE_BYTES // (1024 * 1024)} MiB")
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise UsageError(f"baseline {path} does not exist (create one with: replatform baseline write PATH)") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"baseline {path} is not JSON: {exc}") from None
    try:
        if isinstance(data, dict) and isinstance(data.get("runs"), list):
            return _from_sarif(data)
        if isinstance(data, dict) and isinstance(data.get("findings"), list):
            current = data.get("baseline_version") == BASELINE_VERSION
            return [_from_report(item, stored=current) for item in data["findings"]]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UsageError(f"baseline {path} has a malformed finding: {type(exc).__name__}: {exc}") from None
    raise UsageError(f"baseline {path} is neither a replatform report/baseline (findings[]) nor SARIF (runs[])")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _line(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 1


def _from_report(item: Any, *, stored: bool) -> Recorded:
    finding = Finding(
        rule_id=_text(item["rule_id"]),
        severity=Severity(item["severity"]),
        message=_text(item.get("message", "")),
        location=Location(_text(item["path"]), _line(item.get("line"))),
        subject=_text(item.get("subject", "")),
        confidence=Confidence(item.get("confidence", "high")),
    )
    return Recorded(_text(item.get("fingerprint") or finding.fingerprint) if stored else finding.fingerprint, finding)


def _from_sarif(data: dict[str, Any]) -> list[Recorded]:
    recorded = []
    for run in data["runs"]:
        for result in run.get("results", []):
            if result.get("baselineState") == "absent":
                continue  # a finding that was already gone when that log was written
            physical = result["locations"][0]["physicalLocation"]
            properties = result.get("properties", {})
            finding = Finding(
                rule_id=_text(result["ruleId"]),
                severity=_SARIF_SEVERITY[result.get("level", "warning")],
                message=_text(result.get("message", {}).get("text", "")),
                location=Location(_text(physical["artifactLocation"]["uri"]), _line(physical["region"]["startLine"])),
                subject=_text(properties.get("subject", "")),
            )
            fingerprint = result.get("partialFingerprints", {}).get(SARIF_FINGERPRINT) or finding.fingerprint
            recorded.append(Recorded(_text(fingerprint), finding))
    return recorded


def compare(report: Report, recorded: list[Recorded], source: str) -> Report:
    """``report`` with each finding marked new or unchanged, and the baseline's vanished findings as fixed."""
    remaining = Counter(r.fingerprint for r in recorded)
    marked = []
    for finding in report.findings:
        if remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
            marked.append(replace(finding, baseline=BaselineState.UNCHANGED))
        else:
            marked.append(replace(finding, baseline=BaselineState.NEW))
    fixed = []
    for entry in recorded:
        if remaining[entry.fingerprint] > 0:
            remaining[entry.fingerprint] -= 1
            fixed.append(replace(entry.finding, baseline=BaselineState.FIXED))
    fixed.sort(key=Finding.sort_key)
    return replace(report, findings=tuple(marked), baseline=Baseline(os.path.basename(source), tuple(fixed)))


def gated(report: Report) -> tuple[Finding, ...]:
    """The findings ``--fail-on`` applies to: all of them, or only the new ones when a baseline was given."""
    if report.baseline is None:
        return report.findings
    return tuple(f for f in report.findings if f.baseline is BaselineState.NEW)


def counts(report: Report) -> dict[str, int]:
    """New, unchanged and fixed counts (all zero without a baseline)."""
    states = Counter(f.baseline for f in report.findings)
    fixed = len(report.baseline.fixed) if report.baseline is not None else 0
    return {"new": states[BaselineState.NEW], "unchanged": states[BaselineState.UNCHANGED], "fixed": fixed}
