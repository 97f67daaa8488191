"""What a verification proved: counts of verified, failed and not verified, the verdict and the exit code.

Every thing ``verify`` was asked to check is one unit: a requirements set
resolved for arm64, a module imported or a package required under emulation,
a base image looked up. A unit that could not be checked (an unreachable
index, an emulation that did not run or crashed) is "not verified", never a
pass, so the verdict says "installs" only about what was checked and worked.

Exit codes: 0 everything asked for was verified and works (or there was
nothing to verify); 1 something failed; 3 nothing failed but something could
not be verified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from replatform.verify.run import VerifyReport

EXIT_VERIFIED, EXIT_FAILED, EXIT_NOT_VERIFIED = 0, 1, 3

_IMAGE_FAILED = ("image-no-arm64", "image-arm64-mislabelled", "base-image-amd64-only", "npm-no-arm64-variant")


@dataclass
class Tally:
    """Units by outcome, and by what they are (``requirement sets``, ``modules``...)."""

    verified: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    not_verified: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: dict[str, int], what: str, count: int = 1) -> None:
        if count:
            outcome[what] = outcome.get(what, 0) + count

    @property
    def counts(self) -> tuple[int, int, int]:
        return sum(self.verified.values()), sum(self.failed.values()), sum(self.not_verified.values())


def _emulation(tally: Tally, emulation: object, asked: bool, what: str) -> None:
    """Per module / package: imported (verified), failed, or the whole run not done (not verified)."""
    if not asked:
        return
    results = getattr(emulation, "results", None)
    if not isinstance(results, dict):
        tally.add(tally.not_verified, f"{what} (emulation did not run)")
        return
    undeclared: frozenset[str] = getattr(emulation, "undeclared", frozenset())
    failed = sum(1 for module, error in results.items() if error is not None and module not in undeclared)
    tally.add(tally.failed, what, failed)
    tally.add(tally.failed, f"{what} importing a dependency they do not declare", len(undeclared))
    tally.add(tally.verified, what, len(results) - failed - len(undeclared))


def tally(report: VerifyReport) -> Tally:
    """Count every unit of a verification by outcome."""
    counted = Tally()
    for check in report.python:
        if check.failures or check.error:
            counted.add(counted.failed, "requirement sets")
        elif check.unverified:
            counted.add(counted.not_verified, "requirement sets")
        else:
            counted.add(counted.verified, "requirement sets")
        counted.add(counted.not_verified, "requirements left out (local or direct references)", len(check.not_verified))
        _emulation(counted, check.emulation, report.emulate, "Python modules")
    for node in report.node:
        counted.add(counted.not_verified, "npm dependencies not from the registry", len(node.not_verified))
        _emulation(counted, node.emulation, report.emulate, "npm packages")
    for finding in report.findings("image-", "base-image-amd64-only", "npm-no-arm64"):
        if finding.rule_id in _IMAGE_FAILED:
            counted.add(counted.failed, "images and npm platform packages")
        elif finding.rule_id == "image-not-checked":
            counted.add(counted.not_verified, "images and npm platform packages")
        else:
            counted.add(counted.verified, "images and npm platform packages")
    return counted


def exit_code(counted: Tally) -> int:
    _verified, failed, not_verified = counted.counts
    if failed:
        return EXIT_FAILED
    return EXIT_NOT_VERIFIED if not_verified else EXIT_VERIFIED


def verdict_lines(counted: Tally) -> list[str]:
    """The summary (counts, with what they count) and the verdict."""
    verified, failed, not_verified = counted.counts
    if not (verified or failed or not_verified):
        return ["verdict: nothing to verify (no requirements, npm dependencies or base images found)"]
    parts = []
    for label, outcome in (
        ("verified", counted.verified),
        ("failed", counted.failed),
        ("not verified", counted.not_verified),
    ):
        detail = ", ".join(f"{n} {what}" for what, n in sorted(outcome.items()))
        parts.append(f"{sum(outcome.values())} {label}" + (f" ({detail})" if detail else ""))
    only_undeclared = all("do not declare" in what for what in counted.failed)
    if failed and only_undeclared:
        verdict = (
            "an import fails on any platform (a dependency the package does not declare); "
            "nothing failed because of linux/arm64"
        )
    elif failed:
        verdict = "something does not install or run on linux/arm64"
    elif not_verified:
        verdict = "nothing failed, but not everything could be verified (see NOT VERIFIED and EMULATION)"
    else:
        verdict = "everything checked installs on linux/arm64"
    return [f"summary: {'; '.join(parts)}", f"verdict: {verdict}"]
