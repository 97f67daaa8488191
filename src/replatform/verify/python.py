"""Resolve Python requirements for linux/aarch64 with uv, wheels only, plus an x86_64 control.

The input is rebuilt from validated `packaging` objects (``verify.run.rebuild_requirement``:
name, extras, specifier, marker) and https index options, never the project's
file itself, so editable installs, local paths and URLs (which would run the
project's build code) never reach the resolver; uv runs in a temporary folder
with ``--no-config`` and ``--only-binary :all:``. A failure on aarch64 that the x86_64 control does not
share is attributed to the package uv names and classified from the index.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field

from replatform.registry.target import Target

_CULPRIT = re.compile(r"Because (?:only )?([A-Za-z0-9_.\-\[\]]+?)(?:[=<>!~]=?[^\s]*)? has no (?:usable )?wheels")
_NOT_FOUND = re.compile(r"Because ([A-Za-z0-9_.\-]+) was not found in the package registry")
_NETWORK = re.compile(
    r"failed to lookup address|error sending request|Could not connect|Failed to fetch|connection refused|timed out"
    r"|dns error|network was disabled",
    re.IGNORECASE,
)
_RESOLVED = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", re.MULTILINE)


def uv_binary() -> str:
    """The uv executable shipped in the ``uv`` wheel (a registry package; nothing is downloaded)."""
    from uv import find_uv_bin

    return str(find_uv_bin())


def uv_platform(target: Target) -> str:
    """Uv's ``--python-platform`` for a target (the highest manylinux level the glibc allows)."""
    if target.libc == "musl":
        return f"{target.machine}-unknown-linux-musl"
    minor = int(target.libc_version.split(".")[1])
    for level in (40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 28):
        if minor >= level:
            return f"{target.machine}-manylinux_2_{level}"
    return f"{target.machine}-manylinux2014"


@dataclass(frozen=True)
class Resolution:
    """The outcome of one uv resolution."""

    ok: bool
    packages: tuple[tuple[str, str], ...] = ()
    error: str = ""


@dataclass
class PythonVerification:
    """arm64 resolution of one set of requirements, with the failures found one by one."""

    source: str
    target: Target
    requirements: list[str]
    resolved: tuple[tuple[str, str], ...] = ()
    failures: list[tuple[str, str]] = field(default_factory=list)  # (package, why)
    error: str = ""
    unverified: str = ""  # the network stopped the resolution: not a verdict either way
    not_verified: list[tuple[str, str]] = field(default_factory=list)  # (requirement, why it was left out)
    emulation: object = None  # emulate.ImportResult, or the reason emulation could not run


def _compile(
    lines: list[str],
    platform: str,
    python: str,
    index_url: str | None,
    extras: tuple[str, ...],
    offline: bool,
    cache: str | None,
) -> Resolution:
    with tempfile.TemporaryDirectory(prefix="replatform-uv-") as work:
        path = os.path.join(work, "requirements.in")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        command = [
            uv_binary(), "pip", "compile", path, "--python-platform", platform, "--python-version", python,
            "--only-binary", ":all:", "--no-header", "--no-annotate", "--quiet", "--no-config",
        ]  # fmt: skip
        if index_url:
            command += ["--index-url", index_url]
        for extra in extras:
            command += ["--extra-index-url", extra]
        if offline:
            command.append("--offline")
        if cache:
            command += ["--cache-dir", cache]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
            cwd=work,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    if completed.returncode == 0:
        return Resolution(True, tuple(_RESOLVED.findall(completed.stdout)))
    return Resolution(False, error=completed.stderr.strip())


def verify_requirements(
    source: str,
    requirements: list[str],
    target: Target,
    *,
    index_url: str | None = None,
    extra_index_urls: tuple[str, ...] = (),
    offline: bool = False,
    cache_dir: str | None = None,
    max_rounds: int = 10,
    known_failures: dict[str, str] | None = None,
) -> PythonVerification:
    """Resolve for the target; on failure, name the package, drop it and try again to find the next one.

    ``known_failures`` (direct requirements the index already showed to have no
    arm64 wheel) are reported as they are and left out of the resolution, so
    one uv run usually settles the rest.
    """
    python = target.python or "3.11"
    result = PythonVerification(source, target, list(requirements))
    known = known_failures or {}
    result.failures.extend(
        (name, why) for name, why in sorted(known.items()) if any(_name(r) == name for r in requirements)
    )
    remaining = [r for r in requirements if _name(r) not in known]
    platform = uv_platform(target)
    control = uv_platform(Target(python, target.libc, target.libc_version, "x86_64"))
    for _ in range(max_rounds):
        if not remaining:
            break
        arm = _compile(remaining, platform, python, index_url, extra_index_urls, offline, cache_dir)
        if arm.ok:
            result.resolved = arm.packages
            break
        network = _NETWORK.search(arm.error)
        if network:
            result.unverified = f"an index could not be reached ({network.group(0)}); nothing was resolved for this set"
            break
        match = _CULPRIT.search(arm.error) or _NOT_FOUND.search(arm.error)
        culprit = match.group(1).lower() if match else None
        if culprit is None:
            control_ok = _compile(remaining, control, python, index_url, extra_index_urls, offline, cache_dir).ok
            where = "; x86_64 resolves, so it is arm64-specific" if control_ok else "; x86_64 fails too (a conflict)"
            result.error = (arm.error.splitlines()[-1] if arm.error else "resolution failed") + where
            break
        if _NOT_FOUND.search(arm.error):
            why = "not found on the index"
        else:
            alone = [r for r in remaining if _name(r) == culprit] or [culprit]
            x86 = _compile(alone, control, python, index_url, extra_index_urls, offline, cache_dir).ok
            why = "no wheel for linux/aarch64 (x86_64 has one)" if x86 else "no wheel for linux/aarch64 or x86_64"
        result.failures.append((culprit, why))
        kept = [r for r in remaining if _name(r) != culprit]
        if len(kept) == len(remaining):
            result.error = arm.error.splitlines()[-1]
            break
        remaining = kept
    return result


def x86_64_control(
    check: PythonVerification,
    *,
    index_url: str | None = None,
    extra_index_urls: tuple[str, ...] = (),
    offline: bool = False,
    cache_dir: str | None = None,
) -> tuple[tuple[str, str], ...] | None:
    """The set's requirements (those that resolved for aarch64) resolved for linux/x86_64; None when that fails."""
    python = check.target.python or "3.11"
    failed = {name for name, _why in check.failures}
    lines = [r for r in check.requirements if _name(r) not in failed]
    control = uv_platform(Target(python, check.target.libc, check.target.libc_version, "x86_64"))
    resolution = _compile(lines, control, python, index_url, extra_index_urls, offline, cache_dir)
    return resolution.packages if resolution.ok else None


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")
