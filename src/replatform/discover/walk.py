"""Walk a repository the way its owners see it, without letting it lead us astray.

Honours every ``.gitignore`` on the way down, skips version-control folders,
virtualenvs, ``node_modules`` and replatform's own report folders, applies the
user's include/exclude globs, and in a git work tree still yields tracked
files that match ``.gitignore`` (git's own semantics: ignoring applies to
untracked files only). It yields regular files only; symlinks that resolve
outside the root, FIFOs, devices and sockets are listed as `ScanError`s and
never read. Undecodable file names are shown surrogate-escaped (``\\xNN``).
The walk itself does not raise for anything inside the tree.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pathspec
from pathspec.util import CheckResult

from replatform.fsio import REPORT_MARKER, UnsafeFile, display_path, file_kind, is_inside, read_in_root, realpath
from replatform.model import ScanError

#: A .gitignore larger than this is not read (real ones are a few KiB).
MAX_GITIGNORE_BYTES = 1024 * 1024
#: git ls-files gets this long; a hostile .git must not hang the scan.
GIT_TIMEOUT = 30.0

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
    """A regular file found by the walk: relative path (as reports show it), absolute path, size."""

    path: str
    absolute: str
    size: int


@dataclass(frozen=True)
class WalkOptions:
    """What to skip. Globs use .gitignore syntax, relative to the root."""

    exclude: Sequence[str] = ()
    include: Sequence[str] = ()
    use_gitignore: bool = True


Ignores = tuple[tuple[str, "pathspec.PathSpec[Any]"], ...]


def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def _is_report_folder(path: str) -> bool:
    """A folder replatform wrote a report into (it holds the marker file)."""
    try:
        return stat.S_ISREG(os.lstat(os.path.join(path, REPORT_MARKER)).st_mode)
    except OSError:
        return False


def tracked_files(root: str) -> frozenset[str] | None:
    """Paths (relative to ``root``) that git tracks, or None outside a git work tree.

    ``git ls-files`` runs without a shell, with the repository's own
    ``core.fsmonitor`` overridden (a hostile ``.git/config`` could otherwise
    make git run a program) and without the caller's ``GIT_*`` variables.
    """
    git = shutil.which("git")
    if git is None:
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")
    command = [git, "-c", "core.fsmonitor=false", "-c", "core.untrackedCache=false", "ls-files", "-z", "--cached"]
    try:
        completed = subprocess.run(
            command,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    return frozenset(os.fsdecode(name) for name in completed.stdout.split(b"\0") if name)


def _folders_of(files: frozenset[str]) -> frozenset[str]:
    folders: set[str] = set()
    for path in files:
        parts = path.split("/")[:-1]
        for end in range(1, len(parts) + 1):
            folders.add("/".join(parts[:end]))
    return frozenset(folders)


def _load_gitignore(root: str, rel: str, errors: list[ScanError]) -> pathspec.PathSpec[Any] | None:
    path = _join(rel, ".gitignore")
    if not os.path.lexists(os.path.join(root, path)):
        return None
    try:
        data = read_in_root(root, path, MAX_GITIGNORE_BYTES)
    except UnsafeFile:
        return None  # a FIFO, device or link out of the root: the walk lists the entry itself
    except OSError as exc:
        errors.append(ScanError(display_path(path), f"unreadable: {exc.strerror or exc}"))
        return None
    try:
        return pathspec.GitIgnoreSpec.from_lines(data.decode("utf-8", errors="replace").splitlines())
    except (ValueError, TypeError) as exc:  # a malformed pattern must not stop the scan
        errors.append(ScanError(display_path(path), f"ignored malformed .gitignore: {exc}"))
        return None


def _join(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name


@dataclass
class _Walk:
    """State shared by one walk: the root, the user's globs, git's view, the errors list."""

    root: str
    real_root: str
    options: WalkOptions
    errors: list[ScanError]
    exclude: pathspec.PathSpec[Any] | None
    include: pathspec.PathSpec[Any] | None
    tracked: frozenset[str]
    tracked_folders: frozenset[str]

    def skip(self, rel: str, is_dir: bool, ignores: Ignores, only_tracked: bool) -> tuple[bool, bool]:
        """(skip it, descend into it in tracked-only mode)."""
        candidate = rel + "/" if is_dir else rel
        if self.exclude is not None and _check(self.exclude, candidate).include:
            return True, False
        hidden = only_tracked or (self.options.use_gitignore and _gitignored(candidate, ignores))
        if not hidden:
            return False, False
        known = self.tracked_folders if is_dir else self.tracked
        return rel not in known, True

    def refuse(self, rel: str, message: str) -> None:
        self.errors.append(ScanError(display_path(rel), message))


def walk(root: str, options: WalkOptions, errors: list[ScanError]) -> Iterator[WalkedFile]:
    """Yield the files to scan under ``root`` in sorted order."""
    root = os.path.abspath(root)
    tracked = (tracked_files(root) if options.use_gitignore else None) or frozenset()
    state = _Walk(
        root,
        realpath(root),
        options,
        errors,
        pathspec.GitIgnoreSpec.from_lines(options.exclude) if options.exclude else None,
        pathspec.GitIgnoreSpec.from_lines(options.include) if options.include else None,
        tracked,
        _folders_of(tracked),
    )
    seen_dirs: set[str] = {state.real_root}
    # Each stack entry: (absolute dir, relative dir, active gitignores, only files git tracks).
    stack: list[tuple[str, str, Ignores, bool]] = [(root, "", (), False)]
    while stack:
        directory, rel, ignores, only_tracked = stack.pop()
        if options.use_gitignore and not only_tracked:
            spec = _load_gitignore(root, rel, errors)
            if spec is not None:
                ignores = (*ignores, (rel, spec))
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            errors.append(ScanError(display_path(rel) or ".", f"unreadable directory: {exc.strerror or exc}"))
            continue
        subdirs: list[tuple[str, str, bool]] = []
        for entry in entries:
            child_rel = _join(rel, entry.name)
            try:
                st = entry.stat(follow_symlinks=True)
            except OSError as exc:
                state.refuse(child_rel, f"unreadable: {exc.strerror or exc}")
                continue
            is_dir = stat.S_ISDIR(st.st_mode)
            skipped, tracked_only = state.skip(child_rel, is_dir, ignores, only_tracked)
            if skipped:
                continue
            real = realpath(entry.path) if entry.is_symlink() else None
            if real is not None and not is_inside(state.real_root, real):
                state.refuse(child_rel, "symlink to outside the repository; not followed")
                continue
            if is_dir:
                if entry.name in DEFAULT_EXCLUDED_DIRS or _is_virtualenv(entry.path):
                    continue
                if _is_report_folder(entry.path):
                    if child_rel not in state.tracked_folders:
                        continue
                    tracked_only = True
                real = real or realpath(entry.path)  # once per folder: one O_PATH open, not an lstat per component
                if real in seen_dirs:
                    continue  # a loop, or a second way to the same folder
                seen_dirs.add(real)
                subdirs.append((entry.path, child_rel, tracked_only))
            elif stat.S_ISREG(st.st_mode):
                if state.include is not None and not _check(state.include, child_rel).include:
                    continue
                yield WalkedFile(display_path(child_rel), entry.path, st.st_size)
            else:
                state.refuse(child_rel, f"not a regular file ({file_kind(st.st_mode)}); not read")
        # Push in reverse so directories pop in sorted order.
        for path, child_rel, tracked_only in reversed(subdirs):
            stack.append((path, child_rel, ignores, tracked_only))


def _check(spec: pathspec.PathSpec[Any], path: str) -> CheckResult[str]:
    """``spec.check_file``, also for a non-UTF-8 name (surrogates), which re2 refuses.

    re2 is pathspec's fast matcher; such a name uses the pure-Python matcher of the same patterns.
    """
    try:
        return spec.check_file(path)
    except UnicodeEncodeError:
        return pathspec.GitIgnoreSpec(spec.patterns, backend="simple").check_file(path)


def _gitignored(candidate: str, ignores: Ignores) -> bool:
    ignored = False
    for base, spec in ignores:
        sub = candidate[len(base) + 1 :] if base else candidate
        result = _check(spec, sub)
        if result.include is not None:
            ignored = result.include
    return ignored
