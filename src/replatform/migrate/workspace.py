"""The files a migration reads: bounded, inside the root, never through a symlink, parsed once per editor.

Targets ask the workspace for an editor of a path; a file that cannot be read or parsed yields None and a
note (the fix becomes manual), never an exception that stops the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from replatform.fsio import UnsafeFile, fs_path, read_regular
from replatform.migrate.editors.dockerfile import DockerfileEditor
from replatform.migrate.editors.hcl import HclEditor
from replatform.migrate.editors.json import JsonEditor
from replatform.migrate.editors.python import PythonEditor
from replatform.migrate.editors.text import Buffer
from replatform.migrate.editors.typescript import TypeScriptEditor
from replatform.migrate.editors.yaml import YamlEditor

#: Files larger than this are not edited (the same bound discovery uses for parsing).
MAX_EDIT_BYTES = 16 * 1024 * 1024

E = TypeVar("E")


class UnsafePath(UnsafeFile):
    """A path migrate will not edit: outside the root, through a symlink, or not a regular file."""


def read_inside(root: str, path: str, limit: int = MAX_EDIT_BYTES) -> bytes:
    """The bytes of the repository file ``path``: no symlink anywhere on the way, a regular file, bounded.

    Reading goes through `fsio.read_regular` (non-blocking, regular files only); a file reached through
    a symlink is refused even when the link stays inside the root, since editing it would write through it.
    """
    real_root = os.path.realpath(root)
    on_disk = fs_path(path)
    if os.path.isabs(on_disk) or ".." in on_disk.split("/"):
        raise UnsafePath(0, "not a relative path inside the root", path)
    absolute = os.path.join(real_root, on_disk)
    if os.path.realpath(absolute) != os.path.normpath(absolute):
        raise UnsafePath(0, "goes through a symlink; not edited", path)
    data = read_regular(absolute, limit + 1, follow=False)
    if len(data) > limit:
        raise UnsafePath(0, f"larger than {limit} bytes; not edited", path)
    return data


class Workspace:
    """Buffers and editors of the files under one root, created on first use."""

    def __init__(self, root: str, walked: tuple[str, ...] = ()) -> None:
        self.root = root
        self.walked = walked
        self.notes: dict[str, str] = {}
        self._buffers: dict[str, Buffer | None] = {}
        self._editors: dict[tuple[str, str], object] = {}

    def exists(self, path: str) -> bool:
        """Whether the scan walked ``path`` (a file we may read)."""
        return path in self.walked if self.walked else os.path.isfile(os.path.join(self.root, path))

    def buffer(self, path: str) -> Buffer | None:
        if path not in self._buffers:
            try:
                self._buffers[path] = Buffer(path, read_inside(self.root, path))
            except OSError as exc:
                self.notes[path] = f"not read: {exc.strerror or exc}"
                self._buffers[path] = None
        return self._buffers[path]

    def _editor(self, path: str, kind: str, make: Callable[[Buffer], E]) -> E | None:
        key = (path, kind)
        if key not in self._editors:
            buffer = self.buffer(path)
            editor: object = None
            if buffer is not None:
                try:
                    editor = make(buffer)
                except Exception as exc:  # a file we cannot parse is a manual fix, never a crash
                    self.notes[path] = f"not editable as {kind}: {type(exc).__name__}: {exc}"
            self._editors[key] = editor
        return self._editors[key]  # type: ignore[return-value]

    def yaml(self, path: str) -> YamlEditor | None:
        return self._editor(path, "yaml", YamlEditor)

    def json(self, path: str) -> JsonEditor | None:
        return self._editor(path, "json", JsonEditor)

    def hcl(self, path: str) -> HclEditor | None:
        return self._editor(path, "hcl", HclEditor)

    def typescript(self, path: str) -> TypeScriptEditor | None:
        return self._editor(path, "typescript", TypeScriptEditor)

    def python(self, path: str) -> PythonEditor | None:
        return self._editor(path, "python", PythonEditor)

    def dockerfile(self, path: str) -> DockerfileEditor | None:
        return self._editor(path, "dockerfile", DockerfileEditor)

    def siblings(self, path: str, suffixes: tuple[str, ...]) -> list[str]:
        """Walked files in the same folder as ``path`` whose names end with one of ``suffixes``."""
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        out = []
        for other in self.walked:
            other_folder = other.rsplit("/", 1)[0] if "/" in other else ""
            if other_folder == folder and other.endswith(suffixes):
                out.append(other)
        return sorted(out)
