"""A bubblewrap sandbox for the one place replatform runs third-party code: emulated imports.

``verify --emulate`` imports the *packages'* code (wheels downloaded from the
indexes, npm packages from the registry) on emulated aarch64 — never the
repository's. qemu user mode is an emulator, not a sandbox, so each run goes
through Debian's ``bubblewrap`` with: no network (a new, empty network
namespace), new user/PID/IPC/UTS namespaces with an unprivileged uid, only the
emulator, the arm64 sysroot and the installed packages visible (read-only), a
private size-capped ``/tmp``, one writable results folder, a clean
environment, and limits on address space, CPU time, file size and wall time.
Without a working bubblewrap nothing is imported ("not emulated: no sandbox").
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

#: Address space for the emulator and everything it runs (qemu maps guest memory into it).
MEMORY_BYTES = 8 * 1024 * 1024 * 1024
#: Largest file the sandboxed process may write (its results, its private /tmp).
FILE_BYTES = 64 * 1024 * 1024
TMP_BYTES = 256 * 1024 * 1024
#: Where the writable results folder appears inside the sandbox.
OUT = "/out"


class SandboxUnavailable(Exception):
    """bubblewrap is missing or cannot create namespaces here; the message says what to install or enable."""


@functools.lru_cache(maxsize=1)
def bwrap() -> str:
    """The bubblewrap binary, checked once to work (user namespaces may be disabled)."""
    found = shutil.which("bwrap")
    if found is None:
        raise SandboxUnavailable("bubblewrap not found: install the Debian package bubblewrap")
    probe = subprocess.run(
        [found, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if probe.returncode != 0:
        reason = probe.stderr.strip().splitlines()[-1:] or ["unknown error"]
        raise SandboxUnavailable(f"bubblewrap cannot create a sandbox here ({reason[0]}); enable user namespaces")
    return found


def _limits(cpu_seconds: int) -> None:
    """Applied in the child before bubblewrap starts; inherited by everything inside (never raised above
    a limit the caller already has).
    """
    for kind, wanted in (
        (resource.RLIMIT_AS, MEMORY_BYTES),
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_FSIZE, FILE_BYTES),
        (resource.RLIMIT_CORE, 0),
    ):
        _soft, hard = resource.getrlimit(kind)
        value = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(kind, (value, value))


def _host_libraries(program: Path) -> list[str]:
    """Host library folders a dynamically linked emulator needs (none for qemu-*-static)."""
    if program.name.endswith("-static"):
        return []
    return [folder for folder in ("/usr", "/lib", "/lib64", "/lib32") if os.path.isdir(folder)]


def command(
    program: Path,
    arguments: Sequence[str],
    *,
    read_only: dict[str, Path],
    results: Path,
    env: dict[str, str],
) -> list[str]:
    """The bubblewrap command line that runs ``program`` (mounted as ``/emulator``) with ``arguments``."""
    line = [
        bwrap(),
        "--unshare-all",  # user, network, PID, IPC, UTS and cgroup namespaces: no network at all
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--hostname",
        "sandbox",
    ]
    for folder in _host_libraries(program):
        line += ["--ro-bind", folder, folder]
    line += ["--ro-bind", str(program), "/emulator"]
    for inside, host in sorted(read_only.items()):
        line += ["--ro-bind", str(host), inside]
    line += ["--bind", str(results), OUT, "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    line += ["--proc", "/proc", "--dev", "/dev", "--chdir", "/tmp"]
    for key, value in sorted(env.items()):
        line += ["--setenv", key, value]
    return [*line, "/emulator", *arguments]


def run(
    program: Path,
    arguments: Sequence[str],
    *,
    read_only: dict[str, Path],
    results: Path,
    env: dict[str, str],
    timeout: int,
    log: Path,
) -> int:
    """Run in the sandbox with every limit; stdout and stderr go to ``log``; returns the exit status.

    A timeout kills bubblewrap, and ``--die-with-parent`` takes everything inside with it.
    """
    line = command(program, arguments, read_only=read_only, results=results, env=env)
    with open(log, "wb") as output:
        try:
            completed = subprocess.run(
                line,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                preexec_fn=lambda: _limits(timeout),
                check=False,
            )
        except subprocess.TimeoutExpired:
            return -9
    return completed.returncode
