"""Base-image platforms from a real registry (Debian's docker-registry) on 127.0.0.1.

The fixture starts the CNCF distribution server with filesystem storage and
pushes synthetic images over the HTTP API: an OCI index (amd64 + arm64), a
Docker manifest list, a single-arch amd64 image and a mislabelled index whose
arm64 entry's config says amd64.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import socket
import subprocess
import tarfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from replatform import api
from replatform.registry.http import Fetcher
from replatform.registry.oci import ImageVerdict, RegistryClient, parse_reference
from replatform.registry.stage import RegistryOptions

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(method: str, url: str, data: bytes = b"", content_type: str = "application/octet-stream") -> str:
    request = urllib.request.Request(url, data=data or None, method=method, headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(response.headers.get("Location", ""))


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Pusher:
    def __init__(self, base: str) -> None:
        self.base = base

    def blob(self, repository: str, data: bytes) -> dict[str, object]:
        location = _request("POST", f"{self.base}/v2/{repository}/blobs/uploads/")
        if location.startswith("/"):
            location = self.base + location
        separator = "&" if "?" in location else "?"
        _request("PUT", f"{location}{separator}digest={_digest(data)}", data)
        return {"digest": _digest(data), "size": len(data)}

    def image(self, repository: str, architecture: str, media: str = OCI_MANIFEST) -> dict[str, object]:
        config = json.dumps(
            {"architecture": architecture, "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}
        ).encode()
        layer_tar = io.BytesIO()
        with tarfile.open(fileobj=layer_tar, mode="w"):
            pass
        layer = gzip.compress(layer_tar.getvalue(), mtime=0)
        config_ref = self.blob(repository, config)
        layer_ref = self.blob(repository, layer)
        config_type = (
            "application/vnd.oci.image.config.v1+json"
            if media == OCI_MANIFEST
            else "application/vnd.docker.container.image.v1+json"
        )
        layer_type = (
            "application/vnd.oci.image.layer.v1.tar+gzip"
            if media == OCI_MANIFEST
            else "application/vnd.docker.image.rootfs.diff.tar.gzip"
        )
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": media,
                "config": {"mediaType": config_type, **config_ref},
                "layers": [{"mediaType": layer_type, **layer_ref}],
            }
        ).encode()
        _request("PUT", f"{self.base}/v2/{repository}/manifests/{_digest(manifest)}", manifest, media)
        return {"mediaType": media, "digest": _digest(manifest), "size": len(manifest)}

    def index(
        self, repository: str, tag: str, entries: list[tuple[dict[str, object], str]], media: str = OCI_INDEX
    ) -> None:
        manifests = [{**ref, "platform": {"os": "linux", "architecture": arch}} for ref, arch in entries]
        body = json.dumps({"schemaVersion": 2, "mediaType": media, "manifests": manifests}).encode()
        _request("PUT", f"{self.base}/v2/{repository}/manifests/{tag}", body, media)

    def tag(self, repository: str, tag: str, architecture: str) -> None:
        ref = self.image(repository, architecture, DOCKER_MANIFEST)
        body = self._manifest_bytes(repository, str(ref["digest"]))
        _request("PUT", f"{self.base}/v2/{repository}/manifests/{tag}", body, DOCKER_MANIFEST)

    def _manifest_bytes(self, repository: str, digest: str) -> bytes:
        request = urllib.request.Request(
            f"{self.base}/v2/{repository}/manifests/{digest}", headers={"Accept": DOCKER_MANIFEST}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return bytes(response.read())


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("docker-registry")
    if binary is None:
        pytest.fail("docker-registry is not installed: `make test` installs it (Debian package docker-registry)")
    root = tmp_path_factory.mktemp("registry")
    port = _free_port()
    config = root / "config.yml"
    config.write_text(
        f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    process = subprocess.Popen([binary, "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/v2/", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        pusher = Pusher(base)
        amd, arm = pusher.image("oci/app", "amd64"), pusher.image("oci/app", "arm64")
        pusher.index("oci/app", "1.0", [(amd, "amd64"), (arm, "arm64")])
        damd = pusher.image("docker/app", "amd64", DOCKER_MANIFEST)
        darm = pusher.image("docker/app", "arm64", DOCKER_MANIFEST)
        pusher.index("docker/app", "2.0", [(damd, "amd64"), (darm, "arm64")], DOCKER_LIST)
        pusher.tag("single/app", "3.0", "amd64")
        lie_amd = pusher.image("lie/app", "amd64")
        pusher.index("lie/app", "4.0", [(lie_amd, "amd64"), (pusher.image("lie/app", "amd64"), "arm64")])
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    ("image", "verdict", "platforms"),
    [
        ("oci/app:1.0", ImageVerdict.MULTI_ARCH, ("linux/amd64", "linux/arm64")),
        ("docker/app:2.0", ImageVerdict.MULTI_ARCH, ("linux/amd64", "linux/arm64")),
        ("single/app:3.0", ImageVerdict.NO_ARM64, ("linux/amd64",)),
        ("lie/app:4.0", ImageVerdict.MISLABELLED, ("linux/amd64", "linux/arm64")),
        ("missing/app:9", ImageVerdict.UNKNOWN, ()),
    ],
)
def test_registry_verdicts(
    registry: str, tmp_path: Path, image: str, verdict: ImageVerdict, platforms: tuple[str, ...]
) -> None:
    report = RegistryClient(Fetcher(cache_dir=tmp_path)).inspect(f"{registry}/{image}")
    assert (report.verdict, report.platforms) == (verdict, platforms)


def test_unreachable_registry_is_unknown_never_a_blocker(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens here
    report = RegistryClient(Fetcher(cache_dir=None, retries=0, timeout=1)).inspect(f"127.0.0.1:{port}/x/y:1")
    assert report.verdict is ImageVerdict.UNKNOWN


def test_references_follow_docker_rules() -> None:
    assert parse_reference("python:3.11-slim") == parse_reference("docker.io/library/python:3.11-slim")
    assert parse_reference("python:3.11-slim").repository == "library/python"
    ecr = parse_reference("public.ecr.aws/docker/library/node:20-slim")
    assert (ecr.registry, ecr.repository, ecr.reference) == ("public.ecr.aws", "docker/library/node", "20-slim")
    local = parse_reference("127.0.0.1:5000/team/app@sha256:abc")
    assert (local.registry, local.reference, local.base_url) == (
        "127.0.0.1:5000",
        "sha256:abc",
        "http://127.0.0.1:5000/v2/team/app",
    )


def test_scan_supersedes_knowledge_with_registry(registry: str, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {registry}/single/app:3.0 AS build\nFROM {registry}/oci/app:1.0\n")
    report = api.scan(
        str(tmp_path), registry=RegistryOptions(cache_dir=tmp_path / "cache", index_url="file:///nonexistent")
    )
    rules = sorted((f.rule_id, f.location.line) for f in report.findings if f.rule_id.startswith("image-"))
    assert rules == [("image-arm64-ready", 2), ("image-no-arm64", 1)]


class _TokenRegistry(BaseHTTPRequestHandler):
    """A registry that demands an anonymous bearer token, like Docker Hub, GHCR and public ECR."""

    port = 0
    config = json.dumps({"architecture": "arm64", "os": "linux"}).encode()
    manifest = json.dumps(
        {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": {"digest": _digest(config), "size": len(config)}}
    ).encode()
    token_requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        if self.path.startswith("/token"):
            type(self).token_requests.append(self.path)
            self._send(200, json.dumps({"token": "t0ken"}).encode(), "application/json")
        elif self.headers.get("Authorization") != "Bearer t0ken":
            realm = f"http://127.0.0.1:{self.port}/token"
            self.send_response(401)
            self.send_header(
                "WWW-Authenticate", f'Bearer realm="{realm}",service="test",scope="repository:team/app:pull"'
            )
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/v2/team/app/manifests/1":
            self._send(200, self.manifest, OCI_MANIFEST)
        elif self.path == f"/v2/team/app/blobs/{_digest(self.config)}":
            self._send(200, self.config, "application/octet-stream")
        else:
            self._send(404, b"", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_anonymous_token_flow(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenRegistry)
    _TokenRegistry.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        report = RegistryClient(Fetcher(cache_dir=None)).inspect(f"127.0.0.1:{_TokenRegistry.port}/team/app:1")
    finally:
        server.shutdown()
    assert (report.verdict, report.platforms) == (ImageVerdict.MULTI_ARCH, ("linux/arm64",))
    assert _TokenRegistry.token_requests == ["/token?service=test&scope=repository%3Ateam%2Fapp%3Apull"]
