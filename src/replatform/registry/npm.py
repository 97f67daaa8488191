"""npm packages with install scripts: does an arm64 binary exist, or will it compile on arm64.

For each locked package that runs an install script, the registry's version
metadata says how it gets its native code:
- ``node-gyp-build`` / prebuildify: prebuilt binaries ship inside the tarball;
  the tarball is listed (read in memory, never unpacked or run) for
  ``prebuilds/linux-arm64``;
- ``node-pre-gyp`` (a ``binary`` section): the binary is downloaded from a third
  party at install time; its URL pattern is reported, the download is not made;
- a plain ``node-gyp rebuild`` or a ``binding.gyp``: it compiles on the target.
"""

from __future__ import annotations

import io
import tarfile
import urllib.parse
from dataclasses import dataclass
from enum import StrEnum

from replatform.registry.http import Fetcher, Unreachable


class NpmVerdict(StrEnum):
    PREBUILT = "linux-arm64 prebuild in the package"
    NO_PREBUILD = "no linux-arm64 prebuild in the package"
    DOWNLOADS = "downloads its binary at install time"
    COMPILES = "compiles on the target at install time"
    UNKNOWN = "could not check"


@dataclass(frozen=True)
class NpmReport:
    name: str
    version: str
    verdict: NpmVerdict
    detail: str


def _metadata_url(registry: str, name: str, version: str) -> str:
    return f"{registry.rstrip('/')}/{urllib.parse.quote(name, safe='@')}/{version}"


def inspect(fetcher: Fetcher, registry: str, name: str, version: str, libc: str = "glibc") -> NpmReport:
    """How ``name@version`` gets native code for linux/arm64 (never raises)."""
    try:
        data = fetcher.get_json(_metadata_url(registry, name, version))
    except Unreachable as exc:
        return NpmReport(name, version, NpmVerdict.UNKNOWN, str(exc))
    optional = [str(k) for k in (data.get("optionalDependencies") or {})]
    wanted_suffix = "linuxmusl-arm64" if libc == "musl" else "linux-arm64"
    platform_packages = [
        p for p in optional if wanted_suffix in p or (libc != "musl" and p.endswith("linux-arm64-gnu"))
    ]
    if platform_packages:
        return NpmReport(
            name,
            version,
            NpmVerdict.PREBUILT,
            f"published as the optional package(s) {', '.join(sorted(platform_packages))}",
        )
    scripts = data.get("scripts") or {}
    install = " ".join(str(scripts.get(k, "")) for k in ("preinstall", "install", "postinstall"))
    if "node-gyp-build" in install or "prebuild-install" in install:
        tarball = (data.get("dist") or {}).get("tarball")
        if not isinstance(tarball, str):
            return NpmReport(name, version, NpmVerdict.UNKNOWN, "no tarball URL in the metadata")
        try:
            body, _ = fetcher.get(tarball, "application/octet-stream")
            names = _tar_names(body)
        except (Unreachable, tarfile.TarError, OSError) as exc:
            return NpmReport(name, version, NpmVerdict.UNKNOWN, f"tarball: {exc}")
        wanted = "linuxmusl-arm64" if libc == "musl" else "linux-arm64"
        found = sorted({n.split("/prebuilds/", 1)[1].split("/", 1)[0] for n in names if "/prebuilds/" in n})
        if any(folder.startswith(wanted) for folder in found):
            return NpmReport(name, version, NpmVerdict.PREBUILT, f"prebuilds/{wanted} is in the tarball")
        shown = ", ".join(found) or "none"
        return NpmReport(
            name, version, NpmVerdict.NO_PREBUILD, f"prebuilds in the tarball: {shown}; it falls back to compiling"
        )
    binary = data.get("binary")
    if isinstance(binary, dict) and binary.get("host"):
        where = f"{binary.get('host')}/{binary.get('remote_path', '')}".rstrip("/")
        return NpmReport(
            name, version, NpmVerdict.DOWNLOADS, f"node-pre-gyp downloads from {where} (falls back to compiling)"
        )
    if "node-gyp" in install or data.get("gypfile"):
        return NpmReport(
            name, version, NpmVerdict.COMPILES, "needs python3, make and a C++ compiler in the arm64 build"
        )
    return NpmReport(name, version, NpmVerdict.UNKNOWN, f"install script: {install.strip()[:80] or 'none declared'}")


def _tar_names(body: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
        return ["/" + member.name for member in archive.getmembers()]
