"""Shell command lines (CI ``run``/``script``/``commands``, build scripts): the ``--platform`` of an image build.

The same command grammar discovery reads (``docker build``, ``docker buildx build``, ``podman build``);
edits touch only the flag's value, or add the flag right after the build verb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from replatform.migrate.editors.text import Buffer

_BUILD = re.compile(r"\b(?:docker|podman)\s+(buildx\s+build|build|image\s+build)\b")
_PLATFORM = re.compile(r"--platform(=|\s+)([\"']?)([^\s\"']+)\2")
_END = re.compile(r"(?<!\\)(?:\n|$|&&|\|\||;)")


@dataclass(frozen=True)
class BuildCommand:
    """One image build command in a file: where its verb ends, its platform flag (if any) and how it pushes."""

    verb_end: int  # byte offset just after ``build`` (where a new flag goes)
    buildx: bool
    platform_span: tuple[int, int] | None  # byte span of the flag's value
    platforms: tuple[str, ...]
    pushes: bool
    loads: bool


def build_commands(buffer: Buffer, start: int, end: int) -> list[BuildCommand]:
    """Image build commands written in ``[start, end)`` of the file (continuation lines joined)."""
    text = buffer.text(start, end)
    found = []
    for match in _BUILD.finditer(text):
        stop = _END.search(text, match.end())
        command_end = stop.start() if stop else len(text)
        # a backslash-continued command goes on to the next line
        while command_end < len(text) and text[command_end - 1 : command_end] == "\\":
            stop = _END.search(text, command_end + 1)
            command_end = stop.start() if stop else len(text)
        command = text[match.end() : command_end]
        flag = _PLATFORM.search(command)
        span = None
        platforms: tuple[str, ...] = ()
        if flag is not None:
            value_start = match.end() + flag.start(3)
            span = (start + _bytes(text[:value_start]), start + _bytes(text[: value_start + len(flag.group(3))]))
            platforms = tuple(p for p in flag.group(3).split(",") if p)
        found.append(
            BuildCommand(
                verb_end=start + _bytes(text[: match.end()]),
                buildx="buildx" in match.group(1),
                platform_span=span,
                platforms=platforms,
                pushes=bool(re.search(r"(?<![\w-])--push\b|--output[= ][^ ]*push=true", command)),
                loads=bool(re.search(r"(?<![\w-])--load\b", command)),
            )
        )
    return found


def _bytes(text: str) -> int:
    return len(text.encode("utf-8"))
