"""The public library surface. The CLI calls only this."""

from __future__ import annotations

from collections.abc import Sequence

from replatform.assess.engine import assess
from replatform.config import Config, load_config
from replatform.discover.run import DiscoverOptions, discover
from replatform.model import Report


def inventory(
    root: str,
    *,
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
    use_gitignore: bool = True,
) -> Report:
    """Discover the compute and software under ``root`` (no network, no code run)."""
    options = DiscoverOptions(tuple(exclude), tuple(include), use_gitignore)
    return discover(root, options)


def scan(
    root: str,
    *,
    exclude: Sequence[str] = (),
    include: Sequence[str] = (),
    use_gitignore: bool = True,
    config: Config | None = None,
) -> Report:
    """Discover, then assess arm64 readiness (settings from the project unless given)."""
    config = config if config is not None else load_config(root)
    report = inventory(
        root,
        exclude=(*config.exclude, *exclude),
        include=(*config.include, *include),
        use_gitignore=use_gitignore,
    )
    return assess(root, report, config)
