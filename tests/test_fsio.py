"""fsio: `realpath` (the kernel's answer through O_PATH) equals ``os.path.realpath``; outputs never replace a device."""

from __future__ import annotations

import os
import select
import stat
import time
from pathlib import Path

import pytest

from replatform import fsio


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src" / "deep" / "er").mkdir(parents=True)
    (root / "src" / "deep" / "er" / "a.c").write_text("int a;\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret").write_text("x\n")
    os.symlink("src/deep", root / "dirlink")  # a folder link inside
    os.symlink("er/a.c", root / "src" / "deep" / "filelink")  # a file link inside
    os.symlink("filelink", root / "src" / "deep" / "chain")  # a link to a link
    os.symlink("../outside/secret", root / "out")  # a link out of the root
    os.symlink("../outside", root / "outdir")
    os.symlink("missing", root / "dangling")
    os.symlink("loop", root / "loop")
    os.mkfifo(root / "fifo")
    os.symlink("/dev/zero", root / "zero")
    (root / "caf\udce9.txt").write_text("x\n")  # a non-UTF-8 name
    return root


PATHS = [
    "",
    ".",
    "src/deep/er/a.c",
    "dirlink/er/a.c",
    "dirlink/../src",
    "src/deep/filelink",
    "src/deep/chain",
    "out",
    "outdir/secret",
    "dangling",
    "loop",
    "fifo",
    "zero",
    "caf\udce9.txt",
    "no/such/file",
    "src/deep/er/a.c/not-a-folder",
]


@pytest.mark.parametrize("relative", PATHS)
def test_realpath_is_os_realpath(tree: Path, relative: str) -> None:
    path = os.path.join(str(tree), relative)
    assert fsio.realpath(path) == os.path.realpath(path)


def test_realpath_of_a_relative_path(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    for relative in ("src/deep/er/a.c", "dirlink/er", "out", "."):
        assert fsio.realpath(relative) == os.path.realpath(relative)


def test_without_o_path_it_is_os_realpath(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fsio, "_O_PATH", 0)
    path = os.path.join(str(tree), "dirlink/er/a.c")
    assert fsio.realpath(path) == os.path.realpath(path)


def test_links_out_are_still_refused(tree: Path) -> None:
    assert fsio.read_in_root(str(tree), "dirlink/er/a.c", 100) == b"int a;\n"
    assert fsio.read_in_root(str(tree), "src/deep/chain", 100) == b"int a;\n"
    for relative in ("out", "outdir/secret", "zero"):
        with pytest.raises(fsio.UnsafeFile):
            fsio.read_in_root(str(tree), relative, 100)
    with pytest.raises(fsio.UnsafeFile):
        fsio.read_in_root(str(tree), "fifo", 100)


def test_an_output_that_is_a_character_device_is_written_into_not_replaced(tmp_path: Path) -> None:
    # A terminal stands in for /dev/null: renaming over /dev/null (as root) would replace it for the whole machine.
    # Should this regress, devpts refuses the temporary file, so the test fails without harming anything.
    leader, follower = os.openpty()
    try:
        device = os.ttyname(follower)
        fsio.write_file(device, "report\n")
        received = b""
        deadline = time.monotonic() + 5
        while b"report\r\n" not in received and time.monotonic() < deadline:  # a pty may hand the bytes over in parts
            if select.select([leader], [], [], 0.1)[0]:
                received += os.read(leader, 100)
        assert received.replace(b"\r\n", b"\n") == b"report\n"
        assert stat.S_ISCHR(os.stat(device).st_mode)
    finally:
        os.close(leader)
        os.close(follower)
    fsio.write_file(str(tmp_path / "plain.txt"), "x")  # a regular target is still written atomically
    assert (tmp_path / "plain.txt").read_text() == "x"


def test_the_walk_finds_the_same_with_either_realpath(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # discover.walk resolves each folder with fsio.realpath; with os.path.realpath it yields and refuses the same
    from replatform.discover import walk as walk_module
    from replatform.discover.walk import WalkOptions, walk
    from replatform.model import ScanError

    os.symlink("..", tree / "src" / "deep" / "er" / "up")  # a loop back to an ancestor
    os.symlink("src", tree / "again")  # a second way to the same folder
    (tree / "src" / "new\nline").mkdir()
    (tree / "src" / "new\nline" / "b.py").write_text("b = 1\n")

    def run() -> tuple[list[tuple[str, str, int]], list[ScanError]]:
        errors: list[ScanError] = []
        found = [(f.path, f.absolute, f.size) for f in walk(str(tree), WalkOptions(use_gitignore=False), errors)]
        return found, errors

    kernel = run()
    monkeypatch.setattr(walk_module, "realpath", os.path.realpath)
    assert run() == kernel
    # "again" and "dirlink" lead to folders the walk has already reached ("src", "src/deep"): each is read once
    assert [path for path, _absolute, _size in kernel[0]] == [
        "caf\\xe9.txt",
        "again/new\nline/b.py",
        "dirlink/chain",
        "dirlink/filelink",
        "dirlink/er/a.c",
    ]
    assert [(e.path, e.message.split(";")[0]) for e in kernel[1]] == [
        ("dangling", "unreadable: No such file or directory"),
        ("fifo", "not a regular file (FIFO)"),
        ("loop", "unreadable: Too many levels of symbolic links"),
        ("out", "symlink to outside the repository"),
        ("outdir", "symlink to outside the repository"),
        ("zero", "symlink to outside the repository"),
    ]
