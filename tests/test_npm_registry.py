"""npm registry verdicts from recorded version documents and a synthetic tarball, served on 127.0.0.1."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from replatform.registry.http import Fetcher
from replatform.registry.npm import NpmVerdict, inspect

from .http_server import serve

RECORDED = Path(__file__).resolve().parent / "data" / "npm"


def _tarball(folders: list[str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for folder in folders:
            data = b"\x7fELF"
            info = tarfile.TarInfo(f"package/prebuilds/{folder}/node.napi.node")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


DOCUMENTS: dict[str, dict[str, object]] = {
    "/ws-native/1.0.0": {
        "name": "ws-native",
        "version": "1.0.0",
        "scripts": {"install": "node-gyp-build"},
        "dist": {"tarball": "/tarballs/ws-native-1.0.0.tgz"},
    },
    "/ws-native/2.0.0": {
        "name": "ws-native",
        "version": "2.0.0",
        "scripts": {"install": "node-gyp-build"},
        "dist": {"tarball": "/tarballs/ws-native-2.0.0.tgz"},
    },
    "/gyp-only/1.0.0": {
        "name": "gyp-only",
        "version": "1.0.0",
        "scripts": {"install": "node-gyp rebuild"},
        "dist": {"tarball": "/x.tgz"},
    },
}
TARBALLS = {
    "/tarballs/ws-native-1.0.0.tgz": _tarball(["linux-x64", "darwin-arm64"]),
    "/tarballs/ws-native-2.0.0.tgz": _tarball(["linux-x64", "linux-arm64", "linuxmusl-arm64"]),
}


def _route(path: str) -> tuple[bytes, str] | None:
    if path in TARBALLS:
        return TARBALLS[path], "application/octet-stream"
    if path in DOCUMENTS:
        return json.dumps(DOCUMENTS[path]).encode(), "application/json"
    recorded = RECORDED / f"{path.strip('/').replace('/', '-')}.json"
    return (recorded.read_bytes(), "application/json") if recorded.exists() else None


@pytest.fixture(scope="module")
def registry() -> Iterator[str]:
    with serve(_route) as base:
        for document in DOCUMENTS.values():
            dist = document["dist"]
            assert isinstance(dist, dict)
            dist["tarball"] = base + str(dist["tarball"])
        yield base


@pytest.mark.parametrize(
    ("name", "version", "libc", "verdict", "detail"),
    [
        (
            "bcrypt",
            "5.1.1",
            "glibc",
            NpmVerdict.DOWNLOADS,
            "node-pre-gyp downloads from https://github.com/kelektiv/node.bcrypt.js",
        ),
        ("sharp", "0.33.5", "glibc", NpmVerdict.PREBUILT, "@img/sharp-linux-arm64"),
        ("sharp", "0.33.5", "musl", NpmVerdict.PREBUILT, "@img/sharp-linuxmusl-arm64"),
        ("ws-native", "1.0.0", "glibc", NpmVerdict.NO_PREBUILD, "prebuilds in the tarball: darwin-arm64, linux-x64"),
        ("ws-native", "2.0.0", "musl", NpmVerdict.PREBUILT, "prebuilds/linuxmusl-arm64 is in the tarball"),
        ("gyp-only", "1.0.0", "glibc", NpmVerdict.COMPILES, "needs python3, make and a C++ compiler"),
        ("missing", "1.0.0", "glibc", NpmVerdict.UNKNOWN, "HTTP 404"),
    ],
)
def test_npm_verdicts(registry: str, name: str, version: str, libc: str, verdict: NpmVerdict, detail: str) -> None:
    result = inspect(Fetcher(cache_dir=None, retries=0), registry, name, version, libc)
    assert result.verdict is verdict
    assert detail in result.detail


@pytest.mark.online
def test_real_npm_registry_bcrypt() -> None:
    result = inspect(Fetcher(cache_dir=None), "https://registry.npmjs.org", "bcrypt", "5.1.1")
    assert result.verdict is NpmVerdict.DOWNLOADS and "node-pre-gyp" in result.detail
