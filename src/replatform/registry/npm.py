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
import zlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from replatform.registry.http import ARCHIVE_LIMIT, Fetcher, Malformed, Unreachable


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
        return _inspect(fetcher, registry, name, version, libc)
    except Exception as exc:  # a hostile or broken answer costs this package's verdict, never the scan
        detail = str(exc) if isinstance(exc, Unreachable) else f"could not check: {type(exc).__name__}: {exc}"
        return NpmReport(name, version, NpmVerdict.UNKNOWN, detail[:300])


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Malformed(f"{key} is not an object")
    return value


def _inspect(fetcher: Fetcher, registry: str, name: str, version: str, libc: str) -> NpmReport:
    data = fetcher.get_json(_metadata_url(registry, name, version))
    optional = [str(k) for k in _table(data, "optionalDependencies")]
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
    scripts = _table(data, "scripts")
    install = " ".join(str(scripts.get(k, "")) for k in ("preinstall", "install", "postinstall"))
    if "node-gyp-build" in install or "prebuild-install" in install:
        tarball = _table(data, "dist").get("tarball")
        if not isinstance(tarball, str):
            return NpmReport(name, version, NpmVerdict.UNKNOWN, "no tarball URL in the metadata")
        try:
            body, _ = fetcher.get(tarball, "application/octet-stream", limit=ARCHIVE_LIMIT)
            names = _tar_names(body)
        except (Unreachable, tarfile.TarError, OSError, EOFError, zlib.error) as exc:
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


#: Entries listed from a package tarball (the biggest real ones hold a few thousand).
MAX_TAR_ENTRIES = 50_000
#: Bytes a tarball may unpack to in memory (a gzip bomb is cut off here, not unpacked to the end).
MAX_UNPACKED = 256 * 1024 * 1024


def _tar_names(body: bytes) -> list[str]:
    """Member names of a gzipped tarball read in memory (never extracted); bounded in size and count."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    raw = inflater.decompress(body, MAX_UNPACKED)
    if inflater.unconsumed_tail:
        raise tarfile.TarError(f"unpacks to more than {MAX_UNPACKED // (1024 * 1024)} MiB; not listed")
    names = []
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as archive:
        for member in archive:
            names.append("/" + member.name)
            if len(names) >= MAX_TAR_ENTRIES:
                break
    return names
