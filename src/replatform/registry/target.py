"""The platform a verdict is judged for: CPU, C library and level, Python version.

Derived per workload (see `workload`) and overridable in config or on the
command line. Every verdict names its target. A Python version is always a
full version from the release table (``3`` is the newest line at the table's
snapshot date, ``3.7`` is 3.7's last patch); when no Python is stated at all,
the target is "any CPython 3.x" and a wheel counts only when every supported
line gets one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from replatform import knowledge
from replatform.errors import UsageError

#: The glibc of the OS assumed when a workload states none (knowledge/os_releases.json: Amazon Linux 2023).
DEFAULT_GLIBC = knowledge.default_distribution()[0].version

_PYTHON = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(t)?")


class TargetError(UsageError):
    """A Python or glibc version that cannot be a target (one line, said to the user as is)."""


def resolve_python(version: str) -> str:
    """The full version a stated Python means: ``3`` -> newest 3.x, ``3.7`` -> 3.7's last patch.

    Full versions stay as written; a line the table does not know (a release
    candidate, a line newer than the snapshot) stays as written too.
    """
    line = knowledge.runtime_releases("python").line_for(version)
    return line.latest if line is not None else version


def parse_python(text: str) -> tuple[str, bool]:
    """(full version, free-threaded) for ``3``, ``3.12``, ``3.12.4`` or ``3.13t``; `TargetError` otherwise."""
    match = _PYTHON.fullmatch(text.strip())
    if match is None or match.group(1) not in ("2", "3"):
        raise TargetError(f"{text!r} is not a Python version: use 3, 3.12, 3.12.4 or 3.13t")
    major, minor, _patch, threaded = match.groups()
    if threaded and (minor is None or int(major) < 3 or int(minor) < 13):
        raise TargetError(f"{text!r}: free-threaded CPython ('t') exists from 3.13 on, e.g. 3.13t")
    written = text.strip().removesuffix("t")
    return resolve_python(written), bool(threaded)


def supported_lines() -> tuple[str, ...]:
    """CPython 3 lines released and not at end of life on the release table's snapshot date, oldest first."""
    releases = knowledge.runtime_releases("python")
    lines = [
        line.line
        for line in releases.lines
        if line.line.startswith("3.")
        and line.released <= releases.as_of
        and (line.end_of_life is None or releases.as_of < line.end_of_life)
    ]
    return tuple(reversed(lines))


def line_of(version: str) -> str:
    """``3.12.4`` -> ``3.12``."""
    return ".".join(version.split(".")[:2])


@dataclass(frozen=True)
class Target:
    """linux/aarch64 with a C library level and (optionally) a Python version."""

    python: str | None = None
    libc: str = "glibc"
    libc_version: str = DEFAULT_GLIBC
    machine: str = "aarch64"
    origin: str = "default"
    free_threaded: bool = False
    #: The distribution id from knowledge/os_releases.json ("" when none is known).
    os: str = ""

    def describe(self) -> str:
        if self.python is None:
            lines = supported_lines()
            python = f"any CPython 3.x ({lines[0]}-{lines[-1]}), " if lines else "any CPython 3.x, "
        else:
            python = f"CPython {self.python}{' free-threaded' if self.free_threaded else ''}, "
        return f"{python}linux/{self.machine} {self.libc} {self.libc_version}"

    def for_each_python(self) -> tuple[Target, ...]:
        """The target itself, or one per supported CPython line when its Python is not known."""
        if self.python is not None:
            return (self,)
        return tuple(replace(self, python=resolve_python(line)) for line in supported_lines())

    def platform_tags(self) -> list[str]:
        """Wheel platform tags this target installs, most specific first (as pip orders them)."""
        major, minor = (int(part) for part in self.libc_version.split(".")[:2])
        tags: list[str] = []
        if self.libc == "musl":
            for level in range(minor, 0, -1):
                tags.append(f"musllinux_{major}_{level}_{self.machine}")
        else:
            for level in range(minor, 16, -1):
                tags.append(f"manylinux_{major}_{level}_{self.machine}")
                if level == 17:
                    tags.append(f"manylinux2014_{self.machine}")
        tags.append(f"linux_{self.machine}")
        return tags
