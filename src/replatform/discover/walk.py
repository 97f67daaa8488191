"""Walk a repository the way its owners see it.

Honours every ``.gitignore`` on the way down, skips version-control folders,
virtualenvs and ``node_modules``, applies the user's include/exclude globs, and
never follows a symlink out of the root or round a loop. Problems become
`ScanError`s; the walk itself does not raise for anything inside the tree.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pathspec

from replatform.model import ScanError

# Folders nobody wants scanned: tool state, dependency caches, build output.
DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        "node_modules",
        "bower_components",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".terraform",
        "cdk.out",
        ".aws-sam",
        ".serverless",
        ".gradle",
        ".idea",
    }
)


@dataclass(frozen=True)
class WalkedFile:
    """A regular file found by the walk: relative path, absolute path, size."""

    path: str
    absolute: str
    size: int


@dataclass(frozen=True)
class WalkOptions:
    """What to skip. Globs use .gitignore syntax, relative to the root."""

    exclude: Sequence[str] = ()
    include: Sequence[str] = ()
    use_gitignore: bool = True


def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def _load_gitignore(directory: str, errors: list[ScanError], rel: str) -> pathspec.PathSpec[Any] | None:
    path = os.path.join(directory, ".gitignore")
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return None
    except OSError as exc:
        errors.append(ScanError(_join(rel, ".gitignore"), f"unreadable: {exc.strerror or exc}"))
        return None
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except (ValueError, TypeError) as exc:  # a malformed pattern must not stop the scan
        errors.append(ScanError(_join(rel, ".gitignore"), f"ignored malformed .gitignore: {exc}"))
        return None


def _join(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name


def walk(root: str, options: WalkOptions, errors: list[ScanError]) -> Iterator[WalkedFile]:
    """Yield the files to scan under ``root`` in sorted order."""
    root = os.path.abspath(root)
    exclude = pathspec.GitIgnoreSpec.from_lines(options.exclude) if options.exclude else None
    include = pathspec.GitIgnoreSpec.from_lines(options.include) if options.include else None
    real_root = os.path.realpath(root)
    seen_dirs: set[str] = {real_root}
    # Each stack entry: (absolute dir, relative dir, active gitignores as (base rel, spec)).
    stack: list[tuple[str, str, tuple[tuple[str, pathspec.PathSpec[Any]], ...]]] = [(root, "", ())]
    while stack:
        directory, rel, ignores = stack.pop()
        if options.use_gitignore:
            spec = _load_gitignore(directory, errors, rel)
            if spec is not None:
                ignores = (*ignores, (rel, spec))
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            errors.append(ScanError(rel or ".", f"unreadable directory: {exc.strerror or exc}"))
            continue
        subdirs: list[tuple[str, str]] = []
        for entry in entries:
            child_rel = _join(rel, entry.name)
            try:
                st = entry.stat(follow_symlinks=True)
            except OSError as exc:
                errors.append(ScanError(child_rel, f"unreadable: {exc.strerror or exc}"))
                continue
            is_dir = stat.S_ISDIR(st.st_mode)
            if _ignored(child_rel, is_dir, ignores, exclude):
                continue
            if is_dir:
                if entry.name in DEFAULT_EXCLUDED_DIRS or _is_virtualenv(entry.path):
                    continue
                if entry.is_symlink():
                    real = os.path.realpath(entry.path)
                    if not (real == real_root or real.startswith(real_root + os.sep)):
                        continue  # never leave the repository
                    if real in seen_dirs:
                        continue  # a loop, or a second way to the same folder
                    seen_dirs.add(real)
                else:
                    seen_dirs.add(os.path.realpath(entry.path))
                subdirs.append((entry.path, child_rel))
            elif stat.S_ISREG(st.st_mode):
                if include is not None and not include.match_file(child_rel):
                    continue
                yield WalkedFile(child_rel, entry.path, st.st_size)
        # Push in reverse so directories pop in sorted order.
        for path, child_rel in reversed(subdirs):
            stack.append((path, child_rel, ignores))


def _ignored(
    rel: str,
    is_dir: bool,
    ignores: tuple[tuple[str, pathspec.PathSpec[Any]], ...],
    exclude: pathspec.PathSpec[Any] | None,
) -> bool:
    candidate = rel + "/" if is_dir else rel
    if exclude is not None and exclude.match_file(candidate):
        return True
    ignored = False
    for base, spec in ignores:
        sub = candidate[len(base) + 1 :] if base else candidate
        result = spec.check_file(sub)
        if result.include is not None:
            ignored = result.include
    return ignored
