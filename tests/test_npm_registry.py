"""npm registry verdicts from recorded version documents and a synthetic tarball, served on 127.0.0.1."""

from __future__ import annotations

import io
import json
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from replatform.registry.http import Fetcher
from replatform.registry.npm import NpmVerdict, inspect

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


class _Registry(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body: bytes | None = None
        if self.path in TARBALLS:
            body, kind = TARBALLS[self.path], "application/octet-stream"
        elif self.path in DOCUMENTS:
            body, kind = json.dumps(DOCUMENTS[self.path]).encode(), "application/json"
        else:
            recorded = RECORDED / f"{self.path.strip('/').replace('/', '-')}.json"
            if recorded.exists():
                body, kind = recorded.read_bytes(), "application/json"
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def registry() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for document in DOCUMENTS.values():
        dist = document["dist"]
        assert isinstance(dist, dict)
        dist["tarball"] = base + str(dist["tarball"])
    yield base
    server.shutdown()


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
