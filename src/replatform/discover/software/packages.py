"""One shape for every package dependency, whatever manifest it came from."""

from __future__ import annotations

from replatform.discover.result import ParseResult
from replatform.model import Attribute, ComponentKind, Location


def add_dependency(
    result: ParseResult,
    ecosystem: str,
    name: str,
    location: Location,
    *,
    version: str | None = None,
    specifier: str | None = None,
    scope: str | None = None,
    markers: str | None = None,
    extra: list[Attribute] | None = None,
) -> None:
    """Record a ``package_dependency`` component.

    ``version`` is an exact version when the manifest pins one (``==``, a lock
    entry); ``specifier`` is the requirement as written (``>=1.19,<2``).
    """
    attributes = [Attribute("ecosystem", ecosystem, None)]
    if version:
        attributes.append(Attribute("version", version, location))
    if specifier:
        attributes.append(Attribute("specifier", specifier, location))
    if scope:
        attributes.append(Attribute("scope", scope, None))
    if markers:
        attributes.append(Attribute("markers", markers, None))
    attributes.extend(extra or [])
    result.add(ComponentKind.PACKAGE_DEPENDENCY, name, location, attributes)
