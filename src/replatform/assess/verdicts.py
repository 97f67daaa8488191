"""Verdict kinds: what a dependency or image finding says, whatever source decided it.

The knowledge base (offline) and the registries (online) emit different rules
for the same question, so a CI gate would flip with the network if the two
disagreed on severity for the same kind of answer. Each kind has one severity;
a test holds every rule of a kind to it, and reporters use the kinds to leave
"ready" answers out where only problems belong (SARIF).
"""

from __future__ import annotations

from enum import StrEnum

from replatform.model import Finding, Severity


class VerdictKind(StrEnum):
    """The answer a dependency or image verdict gives, and (``SEVERITIES``) how much it matters."""

    READY = "ready"
    DOES_NOT_INSTALL = "does not install on arm64"
    BUILDS_FROM_SOURCE = "builds from source on arm64"
    NOT_CHECKED = "not checked"


SEVERITIES = {
    VerdictKind.READY: Severity.INFO,
    VerdictKind.DOES_NOT_INSTALL: Severity.BLOCKER,
    VerdictKind.BUILDS_FROM_SOURCE: Severity.WARNING,
    VerdictKind.NOT_CHECKED: Severity.INFO,
}

#: Rule id -> kind: the knowledge base's rules beside the registries' for the same answer.
KINDS: dict[str, VerdictKind] = {
    "dependency-arm64-ready": VerdictKind.READY,
    "pypi-arm64-ready": VerdictKind.READY,
    "image-arm64-ready": VerdictKind.READY,
    "npm-arm64-install": VerdictKind.READY,
    "c-x86-code-already-ported": VerdictKind.READY,
    "dependency-below-arm64-minimum": VerdictKind.DOES_NOT_INSTALL,
    "dependency-x86-only": VerdictKind.DOES_NOT_INSTALL,
    "dependency-unsupported-on-arm64": VerdictKind.DOES_NOT_INSTALL,
    "pypi-no-arm64-artifact": VerdictKind.DOES_NOT_INSTALL,
    "base-image-amd64-only": VerdictKind.DOES_NOT_INSTALL,
    "image-no-arm64": VerdictKind.DOES_NOT_INSTALL,
    "image-arm64-mislabelled": VerdictKind.DOES_NOT_INSTALL,
    "npm-no-arm64-variant": VerdictKind.DOES_NOT_INSTALL,
    "dependency-builds-from-source": VerdictKind.BUILDS_FROM_SOURCE,
    "pypi-sdist-only": VerdictKind.BUILDS_FROM_SOURCE,
    "npm-builds-on-arm64": VerdictKind.BUILDS_FROM_SOURCE,
    "dependency-version-unchecked": VerdictKind.NOT_CHECKED,
    "registry-not-consulted": VerdictKind.NOT_CHECKED,
    "image-not-checked": VerdictKind.NOT_CHECKED,
    "npm-install-script": VerdictKind.NOT_CHECKED,
    "npm-not-checked": VerdictKind.NOT_CHECKED,
}


#: Verdict rules whose subject is not a dependency or an image (a note about the source; code already ported).
_NOT_ABOUT_A_DEPENDENCY = frozenset({"registry-not-consulted", "c-x86-code-already-ported"})


def fingerprint_topic(rule_id: str) -> str:
    """What a finding's fingerprint says it is about: the verdict's answer for a dependency or image verdict
    (so a baseline written online matches the same answer found offline), else the rule itself.
    """
    kind = KINDS.get(rule_id)
    if kind is None or rule_id in _NOT_ABOUT_A_DEPENDENCY:
        return rule_id
    return f"arm64 verdict: {kind.value}"


def is_ready(finding: Finding) -> bool:
    """Whether the finding only says that something is ready (nothing to do)."""
    return KINDS.get(finding.rule_id) is VerdictKind.READY
