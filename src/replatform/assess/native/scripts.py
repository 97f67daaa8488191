"""Image builds in shell scripts and Makefiles: ``docker build --platform linux/amd64`` makes an x86-only image.

Command lines are read with the same parser as CI steps (`discover.ci`), after
joining backslash continuations; a platform list with no arm64 entry (and no
variable) is reported at its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from replatform.discover.ci import parse_build_command
from replatform.discover.source import SourceFile
from replatform.model import Location

_SCRIPT = re.compile(r"(?:^|/)(?:[^/]+\.(?:sh|bash)|Makefile|makefile|GNUmakefile|[^/]+\.mk)$")
_X86_PLATFORM = re.compile(r"(?:^|/)(?:amd64|x86_64|386)(?:/|$)")


def wants(path: str) -> bool:
    """Shell scripts and Makefiles."""
    return _SCRIPT.search(path) is not None


@dataclass(frozen=True)
class ScriptBuild:
    """One image build pinned to x86 platforms."""

    tool: str
    platforms: tuple[str, ...]
    location: Location


@dataclass(frozen=True)
class ScriptBuilds:
    """The x86-only image builds of one script."""

    builds: tuple[ScriptBuild, ...]


def analyze(source: SourceFile) -> ScriptBuilds | None:
    if b"build" not in source.data or (b"docker" not in source.data and b"podman" not in source.data):
        return None
    builds: list[ScriptBuild] = []
    lines = source.lines
    index = 0
    while index < len(lines):
        start = index
        text = lines[index]
        while text.rstrip().endswith("\\") and index + 1 < len(lines):
            index += 1
            text = text.rstrip()[:-1] + " " + lines[index]
        index += 1
        if text.lstrip().startswith("#"):
            continue
        parsed = parse_build_command(text)
        if parsed is None or parsed[1] is None:
            continue
        platforms = parsed[1]
        if platforms and all(not p.startswith("$") and _X86_PLATFORM.search(p.lower()) for p in platforms):
            builds.append(ScriptBuild(parsed[0], platforms, source.location_of_line(start + 1)))
    return ScriptBuilds(tuple(builds)) if builds else None
