"""The platform a verdict is judged for: CPU, C library and level, Python version.

Derived from the project (base image OS, stated Python version) and
overridable in config or on the command line. Every verdict names its target.
"""

from __future__ import annotations

from dataclasses import dataclass

from replatform import knowledge

DEFAULT_GLIBC = "2.26"  # Amazon Linux 2: the oldest glibc a Graviton workload is likely to meet


@dataclass(frozen=True)
class Target:
    """linux/aarch64 with a C library level and (optionally) a Python version."""

    python: str | None = None
    libc: str = "glibc"
    libc_version: str = DEFAULT_GLIBC
    machine: str = "aarch64"
    origin: str = "default"

    def describe(self) -> str:
        python = f"CPython {self.python}, " if self.python else ""
        return f"{python}linux/{self.machine} {self.libc} {self.libc_version}"

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


def libc_of_image(reference: str) -> tuple[str, str, str] | None:
    """(libc, version, why) for a base image reference (see `knowledge.libc_of_image`)."""
    return knowledge.libc_of_image(reference)
