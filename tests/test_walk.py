"""The walk: .gitignore (nested, negation), default skips, include/exclude globs."""

from __future__ import annotations

import os
from pathlib import Path

from replatform import api
from replatform.model import ComponentKind

from .conftest import of_kind


def _deps(root: Path, **kwargs: object) -> list[str]:
    report = api.inventory(str(root), **kwargs)  # type: ignore[arg-type]
    return sorted(c.location.path for c in of_kind(report, ComponentKind.PACKAGE_DEPENDENCY))


def test_gitignore_nested_and_negated(tmp_path: Path) -> None:
    files = {
        ".gitignore": "generated/\n*.lock.txt\n",
        "requirements.txt": "a\n",
        "generated/requirements.txt": "b\n",
        "svc/.gitignore": "requirements-dev.txt\n!requirements-keep.txt\n",
        "svc/requirements-dev.txt": "c\n",
        "svc/requirements-keep.txt": "d\n",
        "node_modules/x/requirements.txt": "e\n",
        ".venv/requirements.txt": "f\n",
        "env/pyvenv.cfg": "home = /usr\n",
        "env/requirements.txt": "g\n",
    }
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    assert _deps(tmp_path) == ["requirements.txt", "svc/requirements-keep.txt"]
    assert "generated/requirements.txt" in _deps(tmp_path, use_gitignore=False)


def test_include_and_exclude_globs(tmp_path: Path) -> None:
    for name in ("a/requirements.txt", "b/requirements.txt", "b/c/requirements.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    assert _deps(tmp_path, exclude=["b/c/"]) == ["a/requirements.txt", "b/requirements.txt"]
    assert _deps(tmp_path, include=["b/**"]) == ["b/c/requirements.txt", "b/requirements.txt"]


def test_non_utf8_names_match_gitignore_include_and_exclude(tmp_path: Path) -> None:
    """re2 (the fast matcher) takes UTF-8 only; a name with a stray byte still matches (pure-Python fallback)."""
    root = bytes(tmp_path)
    for folder in (b"caf\xe9", b"keep", b"skip\xff"):
        os.makedirs(os.path.join(root, folder))
        with open(os.path.join(root, folder, b"requirements.txt"), "wb") as handle:
            handle.write(b"x\n")
    (tmp_path / ".gitignore").write_text("caf?/\n")
    assert _deps(tmp_path) == ["keep/requirements.txt", "skip\\xff/requirements.txt"]
    assert _deps(tmp_path, exclude=["skip*/"]) == ["keep/requirements.txt"]
    assert _deps(tmp_path, include=["skip*/**"]) == ["skip\\xff/requirements.txt"]
