"""A package index and an OCI registry run by an attacker, on 127.0.0.1.

Paths name the misbehaviour: ``/simple/<case>/`` for the index, ``/v2/<case>/...``
for the registry. Every answer is what a hostile or broken server really sends.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JSON_INDEX = "application/vnd.pypi.simple.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
GIGABYTE = 1 << 30


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True
    secret_path = ""
    wheel = b""
    hits: Counter[str]


class _Handler(BaseHTTPRequestHandler):
    server: HostileServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        """uv probes wheel files with HEAD before it reads them; no range support is offered."""
        self.send_response(200 if self.path.startswith("/files/") else 404)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(self.server.wheel)))
        self.end_headers()

    def do_GET(self) -> None:
        self.server.hits[self.path.split("?")[0]] += 1
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        case = parts[1] if len(parts) > 1 else ""
        if parts[:1] == ["files"]:
            self._send(200, self.server.wheel, "application/octet-stream")
        elif parts[:1] == ["simple"]:
            self._index(case)
        elif parts[:1] == ["v2"]:
            self._registry(case)
        else:
            self._send(404, b"", "text/plain")

    def _index(self, case: str) -> None:
        if case == "goodpkg":
            digest = hashlib.sha256(self.server.wheel).hexdigest()
            name = "goodpkg-1.0-py3-none-any.whl"
            files = [{"filename": name, "url": f"/files/{name}", "hashes": {"sha256": digest}}]
            self._send(200, json.dumps({"meta": {"api-version": "1.0"}, "files": files}).encode(), JSON_INDEX)
        else:
            self._misbehave(case, JSON_INDEX)

    def _registry(self, case: str) -> None:
        if case == "realmfile":
            self._challenge(f"file://{self.server.secret_path}")
        elif case == "realmzero":
            self._challenge("file:///dev/zero")
        elif case == "realmhttp":
            self._challenge("ftp://127.0.0.1/token")
        elif case == "emptylist":
            self._send(200, b"[]", OCI_INDEX)
        else:
            self._misbehave(case, OCI_INDEX)

    def _misbehave(self, case: str, content_type: str) -> None:
        if case == "drip":
            self._drip(content_type)
        elif case == "garbage":
            self._send(200, b"{this is not json", content_type)
        elif case == "wrongtypes":
            self._send(200, json.dumps({"files": "not a list", "manifests": {"a": 1}}).encode(), content_type)
        elif case == "listbody":
            self._send(200, b"[]", content_type)
        elif case == "huge":
            self._stream(content_type, declared=True)
        elif case == "hugenolen":
            self._stream(content_type, declared=False)
        elif case == "redirect":
            self.send_response(302)
            self.send_header("Location", f"file://{self.server.secret_path}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(404, b"", "text/plain")

    def _challenge(self, realm: str) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", f'Bearer realm="{realm}",service="evil"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _drip(self, content_type: str) -> None:
        """One byte every half second, for a minute: a per-read timeout never fires."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", "120")
        self.end_headers()
        try:
            for _ in range(120):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.5)
        except OSError:
            pass

    def _stream(self, content_type: str, *, declared: bool) -> None:
        """A gigabyte of answer (declared or not) until the client hangs up."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if declared:
            self.send_header("Content-Length", str(GIGABYTE))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"[" * (1 << 20)
        try:
            for _ in range(GIGABYTE // len(chunk)):
                self.wfile.write(chunk)
        except OSError:
            pass
        self.close_connection = True

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def hostile_server(secret_path: str, wheel: bytes = b"") -> Iterator[HostileServer]:
    """Serve on a free loopback port; ``server.server_address[1]`` is the port."""
    server = HostileServer(("127.0.0.1", 0), _Handler)
    server.secret_path = secret_path
    server.wheel = wheel
    server.hits = Counter()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
