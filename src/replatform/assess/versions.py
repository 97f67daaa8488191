"""Version ordering per ecosystem, and the lowest version a specifier admits.

PyPI versions follow PEP 440 (``packaging``); Maven, Go, npm and the rest are
compared by their leading numeric components (``4.1.50.Final`` -> 4.1.50,
``v0.0.0-2020...`` -> 0.0.0), which is what arm64 minimums need.
"""

from __future__ import annotations

import re

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

_NUMBER = re.compile(r"\d+")
_NPM_BOUND = re.compile(r"^\s*(?:\^|~|>=|=|v)?\s*(\d+(?:\.(?:\d+|x|\*)){0,2})")


def numeric(text: str) -> tuple[int, ...] | None:
    """Leading numeric components of a version string, or None if it has none."""
    parts: list[int] = []
    for piece in re.split(r"[.\-+_]", text.strip().lstrip("vV")):
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts) if parts else None


def _pad(left: tuple[int, ...], right: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    width = max(len(left), len(right))
    return left + (0,) * (width - len(left)), right + (0,) * (width - len(right))


def is_older(ecosystem: str, version: str, minimum: str) -> bool | None:
    """True when ``version`` sorts before ``minimum``; None when either cannot be read."""
    if ecosystem == "pypi":
        try:
            return Version(version) < Version(minimum)
        except InvalidVersion:
            pass
    left, right = numeric(version), numeric(minimum)
    if left is None or right is None:
        return None
    a, b = _pad(left, right)
    return a < b


def lower_bound(ecosystem: str, specifier: str) -> str | None:
    """The lowest version ``specifier`` admits, when it names one (``>=1.19`` -> 1.19)."""
    text = specifier.strip()
    if not text or text in ("*", "latest", "x"):
        return None
    if ecosystem == "pypi":
        try:
            specs = SpecifierSet(text)
        except InvalidSpecifier:
            return None
        bounds = [s.version for s in specs if s.operator in (">=", "==", "~=", "===", ">") and "*" not in s.version]
        if not bounds:
            return None
        try:
            return str(max(bounds, key=Version))
        except InvalidVersion:
            return bounds[0]
    if "||" in text:
        return None
    match = _NPM_BOUND.match(text)
    if not match:
        return None
    return re.sub(r"\.(x|\*)", ".0", match.group(1))
