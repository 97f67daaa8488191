"""Committed executables and archives, and Maven natives split by classifier."""

from __future__ import annotations

import re

from replatform.assess.context import Context
from replatform.model import ComponentKind

_X86 = {"x86_64", "x86"}
_ARM = {"aarch64", "arm64"}
_ARM_NAME = re.compile(r"arm64|aarch64|aarch_64|arm", re.IGNORECASE)


def _twin_exists(path: str, walked: frozenset[str]) -> bool:
    """An arm64 build of the same file: ``tool-arm64`` next to ``tool``, or ``arm64/tool``."""
    parent, _, name = path.rpartition("/")
    stem = re.sub(r"[-_.]?(?:x86_64|amd64|x64|x86)", "", name, flags=re.IGNORECASE)
    for other in walked:
        other_parent, _, other_name = other.rpartition("/")
        if other == path or not _ARM_NAME.search(other):
            continue
        if (
            other_parent == parent
            and re.sub(r"[-_.]?(?:arm64|aarch64|aarch_64)", "", other_name, flags=re.IGNORECASE) == stem
        ):
            return True
        if other_name in (name, stem) and other_parent.rsplit("/", 1)[0] == parent.rsplit("/", 1)[0]:
            return True
    return False


def check_binaries(ctx: Context) -> None:
    walked = frozenset(ctx.report.walked)
    for binary in ctx.components(ComponentKind.BINARY):
        fmt = binary.get("format")
        if fmt == "archive":
            machines = binary.get("machines")
            found = {str(m) for m in machines} if isinstance(machines, tuple) else set()
            if found & _X86 and not found & _ARM:
                natives = binary.get("native_libraries")
                listed = [str(n) for n in natives] if isinstance(natives, tuple) else []
                ctx.emit(
                    "archive-native-x86-only",
                    binary.location,
                    f"{binary.name} bundles native libraries for {', '.join(sorted(found - {'unknown'}))} only: "
                    + ", ".join(listed[:3])
                    + (", ..." if len(listed) > 3 else ""),
                    subject=binary.name,
                    count=len(listed),
                )
            continue
        machine = binary.get("machine")
        if not isinstance(machine, str) or not set(machine.split("+")) & _X86 or set(machine.split("+")) & _ARM:
            continue
        if _twin_exists(binary.name, walked):
            continue
        ctx.emit(
            "binary-x86-only",
            binary.location,
            f"{binary.name} is a {fmt} executable for {machine} with no arm64 build beside it",
            subject=binary.name,
            fix=f"Rebuild {binary.name} for aarch64 (or fetch its arm64 release) and pick the binary by architecture "
            "(uname -m, or TARGETARCH in a Dockerfile).",
        )


def check_maven_classifiers(ctx: Context) -> None:
    deps = [c for c in ctx.components(ComponentKind.PACKAGE_DEPENDENCY) if c.get("ecosystem") == "maven"]
    arm = {
        (c.location.path, c.name)
        for c in deps
        if isinstance(c.get("classifier"), str) and re.search(r"aarch_64|aarch64|arm64", str(c.get("classifier")))
    }
    for dep in deps:
        classifier = dep.get("classifier")
        if not isinstance(classifier, str) or not re.search(r"x86_64|amd64|x64", classifier):
            continue
        if (dep.location.path, dep.name) in arm:
            continue
        ctx.emit(
            "archive-native-x86-only",
            dep.location,
            f"{dep.name} is pulled with classifier {classifier} only: its native library is x86-64",
            subject=f"{dep.name}:{classifier}",
            fix=f"Add the {classifier.replace('x86_64', 'aarch_64')} classifier (or use the uber jar without a classifier).",
        )
