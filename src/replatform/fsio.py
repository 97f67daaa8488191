"""Reading a hostile tree and writing reports without being redirected by it.

A scanned repository decides every name and every link in it. Reads therefore
accept regular files only, inside the root (a symlink is followed only when it
resolves inside), opened non-blocking so a FIFO cannot hang the scan, and
capped in size. Writes go into a folder that is not a symlink, through a fresh
temporary file that is renamed over the target: the rename replaces a symlink
at the target, it never follows one. ``docs/security.md`` states these promises
and names the tests that hold them.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat

#: Marker written into every report folder replatform creates; the walk skips folders holding it.
REPORT_MARKER = ".replatform-report"
_MARKER_TEXT = "Written by replatform. The next scan skips this folder (docs/security.md).\n"
_ESCAPED_BYTE = re.compile(r"\\x(5c|[89a-f][0-9a-f])")  # a backslash, or a byte >= 0x80 (never valid alone)


class UnsafeFile(OSError):
    """A path we refuse to read or write (special file, symlink out of the root, symlinked folder)."""


def display_path(name: str) -> str:
    """A name as reports show it: undecodable bytes (surrogate-escaped by ``os``) become ``\\xNN``.

    A literal backslash becomes ``\\x5c``, so the form is unambiguous and every
    backslash in a report path starts an escape (paths use ``/``). Deterministic,
    printable and encodable in every output format; `fs_path` turns it back.
    """
    if "\\" not in name:
        try:
            name.encode("utf-8")
            return name
        except UnicodeEncodeError:
            pass
    out = []
    for char in name:
        code = ord(char)
        if char == "\\":
            out.append("\\x5c")
        elif 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for an undecodable byte
            out.append(f"\\x{code - 0xDC00:02x}")
        else:
            out.append(char)
    return "".join(out)


def fs_path(display: str) -> str:
    """The on-disk name for a `display_path` (``\\x5c`` back to ``\\``, ``\\xNN`` >= 0x80 to ``os``'s surrogate)."""
    return _ESCAPED_BYTE.sub(_unescape, display)


def _unescape(match: re.Match[str]) -> str:
    value = int(match.group(1), 16)
    return "\\" if value == 0x5C else chr(0xDC00 + value)


def is_inside(real_root: str, real: str) -> bool:
    """True when the resolved path ``real`` is ``real_root`` or below it."""
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def read_regular(path: str, limit: int, *, follow: bool = True) -> bytes:
    """Up to ``limit`` bytes of ``path``, which must be a regular file.

    Opened with ``O_NONBLOCK`` so that a FIFO or a device answers at once
    (and is then refused) instead of blocking or streaming forever.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a symlink
            raise UnsafeFile(exc.errno, "a symlink where a file was expected", path) from exc
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnsafeFile(0, f"not a regular file ({file_kind(mode)}); not read", path)
        chunks: list[bytes] = []
        remaining = limit
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


_O_PATH = getattr(os, "O_PATH", 0)


def realpath(path: str) -> str:
    """``os.path.realpath(path)``, asked of the kernel where it can be.

    One ``O_PATH`` open (which never opens the file itself: no device driver,
    no FIFO) and a readlink of ``/proc/self/fd``, instead of an lstat per path
    component in Python. A symlink at the end, a missing file, or no ``O_PATH``
    or ``/proc`` take ``os.path.realpath``.
    """
    if _O_PATH:
        try:
            fd = os.open(path, _O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            return os.path.realpath(path)
        try:
            if not stat.S_ISLNK(os.fstat(fd).st_mode):
                return os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            pass
        finally:
            os.close(fd)
    return os.path.realpath(path)


def resolve_in_root(root: str, relative: str) -> str:
    """The resolved absolute path of ``relative`` under ``root``; refuses what resolves outside."""
    real_root = realpath(root)
    candidate = os.path.join(root, relative)
    if not os.path.lexists(candidate) and "\\x" in relative:
        candidate = os.path.join(root, fs_path(relative))
    real = realpath(candidate)
    if not is_inside(real_root, real):
        raise UnsafeFile(0, "resolves outside the repository; not read", relative)
    return real


def read_in_root(root: str, relative: str, limit: int) -> bytes:
    """Up to ``limit`` bytes of the regular file ``relative`` (a repository path) under ``root``."""
    return read_regular(resolve_in_root(root, relative), limit, follow=False)


def file_kind(mode: int) -> str:
    """What a non-regular file is, for messages."""
    for test, name in (
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISDIR, "directory"),
        (stat.S_ISLNK, "symlink"),
    ):
        if test(mode):
            return name
    return "special file"


# --------------------------------------------------------------------- writes


def _open_dir(name: str, dir_fd: int | None, create: bool) -> int:
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except FileNotFoundError:
        if not create:
            raise
        os.mkdir(name, 0o755, dir_fd=dir_fd)
        return os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ENOTDIR, errno.ELOOP):  # a file, or a symlink under O_NOFOLLOW
            raise UnsafeFile(exc.errno, "is a symlink or not a folder; refusing to write through it", name) from exc
        raise


def open_folder(folder: str, *, create: bool = True) -> int:
    """A descriptor of the output folder, creating it when missing; never through a symlink.

    A relative path is opened component by component from the working
    directory with ``O_NOFOLLOW`` (a repository cannot plant a symlink on the
    way); for an absolute path the parents are taken as the user wrote them
    and the folder itself must not be a symlink.
    """
    normal = os.path.normpath(folder)
    if os.path.isabs(normal):
        parent, name = os.path.split(normal)
        if not name:
            return os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        if create:
            os.makedirs(parent, exist_ok=True)
        parent_fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            return _open_dir(name, parent_fd, create)
        finally:
            os.close(parent_fd)
    fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    for part in [p for p in normal.split(os.sep) if p not in ("", ".")]:
        try:
            child = _open_dir(part, fd, create)
        finally:
            os.close(fd)
        fd = child
    return fd


def write_at(dir_fd: int, name: str, data: str | bytes) -> None:
    """Write ``name`` inside the open folder atomically: temp file (``O_EXCL``), then rename over."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    temporary = f".{name}.{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(temporary, flags, 0o644, dir_fd=dir_fd)
    try:
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except BaseException:
        os.close(fd)
        os.unlink(temporary, dir_fd=dir_fd)
        raise
    os.close(fd)
    try:
        os.replace(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except OSError:
        os.unlink(temporary, dir_fd=dir_fd)
        raise


def write_file(path: str, data: str | bytes) -> None:
    """Write one output file atomically, never through a symlink (see `open_folder`)."""
    folder, name = os.path.split(path)
    if not name:
        raise UnsafeFile(0, "not a file name", path)
    fd = open_folder(folder or ".")
    try:
        if not _write_device(fd, name, data):
            write_at(fd, name, data)
    finally:
        os.close(fd)


def _write_device(dir_fd: int, name: str, data: str | bytes) -> bool:
    """Write into ``name`` when it is a character device (``-o /dev/null``, a terminal); False when it is not.

    Renaming a file over it would replace the device itself (for root, /dev/null
    becomes a regular file for every process on the machine).
    """
    try:
        if not stat.S_ISCHR(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode):
            return False
        fd = os.open(name, os.O_WRONLY | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC, dir_fd=dir_fd)
    except FileNotFoundError:
        return False
    try:
        if not stat.S_ISCHR(os.fstat(fd).st_mode):
            return False  # replaced since: write it the usual way
        view = memoryview(data.encode("utf-8") if isinstance(data, str) else data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    return True


def write_report_folder(folder: str, files: dict[str, str]) -> list[str]:
    """Write every file into ``folder`` (plus the marker the next scan skips); returns the paths."""
    fd = open_folder(folder)
    try:
        write_at(fd, REPORT_MARKER, _MARKER_TEXT)
        for name, text in files.items():
            write_at(fd, name, text)
    finally:
        os.close(fd)
    return [os.path.join(folder, name) for name in files]
