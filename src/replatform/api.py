"""The public library surface. The CLI calls only this."""

from __future__ import annotations

from collections.abc import Sequence

from replatform.discover.run import DiscoverOptions, discover
from replatform.model import Report


def scan(
    root: str,
    *,
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
    use_gitignore: bool = True,
) -> Report:
    """Discover the compute and software under ``root`` (no network, no code run)."""
    options = DiscoverOptions(tuple(exclude), tuple(include), use_gitignore)
    return discover(root, options)
