"""Relative-path helpers shared by the stages (paths are POSIX, relative to the scan root)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

T = TypeVar("T", bound=Hashable)


def directory_of(path: str) -> str:
    """The folder of a relative path ('' for the root)."""
    return path.rpartition("/")[0]


def nearest(table: Mapping[str, T], directory: str, *, single_fallback: bool = False) -> T | None:
    """The value stated for ``directory`` or its closest ancestor.

    With ``single_fallback``, a repository that states one value anywhere gets
    that value when no ancestor states one.
    """
    while True:
        if directory in table:
            return table[directory]
        if not directory:
            if single_fallback:
                distinct = set(table.values())
                return distinct.pop() if len(distinct) == 1 else None
            return None
        directory = directory_of(directory)
