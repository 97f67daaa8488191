"""GET for registry answers: pooled connections, hard limits, a validated cache, an offline switch.

Every answer is untrusted (``docs/security.md``). So: only ``http``/``https``
URLs are fetched (a redirect or a bearer realm to ``file://`` is refused, and
so is a step down from https to http); each request has one deadline for
connect + headers + the whole body, enforced by a watchdog that closes the
socket (a server that drips one byte every few seconds is cut off); bodies are
capped by what was asked for; and cache entries are checked (length, SHA-256,
URL) before they are believed.

Speed: one TLS context for the process, kept-alive connections per host, one
DNS lookup per host, HTTP(S) proxies from the environment honoured.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import socket
import ssl
import stat
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_TTL = 24 * 3600
USER_AGENT = "replatform (arm64 readiness; +https://pypi.org/project/replatform/)"
#: Body caps by what is asked for: index pages of huge projects, small metadata documents, tokens, archives.
INDEX_LIMIT = 64 * 1024 * 1024
METADATA_LIMIT = 8 * 1024 * 1024
TOKEN_LIMIT = 64 * 1024
ARCHIVE_LIMIT = 64 * 1024 * 1024
MAX_REDIRECTS = 5
_CACHE_FORMAT = 2
_HEADER_LIMIT = 8192


class Unreachable(Exception):
    """The resource could not be fetched (offline, network error, HTTP error, refused, too big, too slow)."""


class AuthRequired(Unreachable):
    """HTTP 401 with a ``WWW-Authenticate`` challenge (registries hand out anonymous tokens)."""

    def __init__(self, message: str, challenge: str) -> None:
        super().__init__(message)
        self.challenge = challenge


class Malformed(Unreachable):
    """The answer is not what the protocol promises (not JSON, wrong types, missing keys)."""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "replatform"


def json_object(body: bytes, what: str) -> dict[str, Any]:
    """``body`` as a JSON object, or `Malformed` (a list, a string, bad JSON all count as malformed)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise Malformed(f"{what}: not JSON") from exc
    if not isinstance(data, dict):
        raise Malformed(f"{what}: expected a JSON object, got {type(data).__name__}")
    return data


def _loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


@dataclass
class _Pool:
    """Idle keep-alive connections per (scheme, host, port), addresses per host, one TLS context."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    idle: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = field(default_factory=dict)
    addresses: dict[tuple[str, int], tuple[Any, ...]] = field(default_factory=dict)
    _tls: ssl.SSLContext | None = None

    def tls(self) -> ssl.SSLContext:
        with self.lock:
            if self._tls is None:
                self._tls = ssl.create_default_context()
            return self._tls

    def address(self, host: str, port: int, deadline: float) -> tuple[Any, ...]:
        """One DNS lookup per host and port for the life of the pool."""
        with self.lock:
            if (host, port) in self.addresses:
                return self.addresses[host, port]
        if time.monotonic() >= deadline:
            raise Unreachable(f"{host}: deadline passed before the DNS lookup")
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise Unreachable(f"{host}: {exc}") from exc
        if not infos:
            raise Unreachable(f"{host}: no address")
        address = infos[0][4]
        with self.lock:
            self.addresses[host, port] = address
        return address

    def take(self, key: tuple[str, str, int]) -> http.client.HTTPConnection | None:
        with self.lock:
            idle = self.idle.get(key)
            return idle.pop() if idle else None

    def give(self, key: tuple[str, str, int], connection: http.client.HTTPConnection) -> None:
        with self.lock:
            self.idle.setdefault(key, []).append(connection)


_POOL = _Pool()


def _open(connection: http.client.HTTPConnection, address: tuple[Any, ...]) -> str:
    """Connect ``connection`` to ``address`` (and through a proxy tunnel); returns the TLS server name."""
    sock = socket.create_connection(address[:2], connection.timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    connection.sock = sock
    tunnel_host: str | None = getattr(connection, "_tunnel_host", None)
    if tunnel_host:
        getattr(connection, "_tunnel")()  # http.client's CONNECT, for https through a proxy  # noqa: B009
    return tunnel_host or connection.host


class _PlainConnection(http.client.HTTPConnection):
    """A connection to a cached address: no DNS lookup per request."""

    def __init__(self, host: str, port: int, address: tuple[Any, ...], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        _open(self, self._address)


class _TLSConnection(http.client.HTTPSConnection):
    """The same over TLS, with the process's one TLS context (loading CA certificates is slow)."""

    def __init__(self, host: str, port: int, address: tuple[Any, ...], timeout: float) -> None:
        self._tls = _POOL.tls()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        server = _open(self, self._address)
        self.sock = self._tls.wrap_socket(self.sock, server_hostname=server)


def _connection(host: str, port: int, address: tuple[Any, ...], secure: bool, timeout: float) -> Any:
    if secure:
        return _TLSConnection(host, port, address, timeout)
    return _PlainConnection(host, port, address, timeout)


@dataclass
class Fetcher:
    """GET with cache; ``offline`` makes no network call at all (cache hits still count).

    ``timeout`` is the deadline of one request in seconds: connect, headers and
    the whole body together.
    """

    offline: bool = False
    refresh: bool = False
    ttl: int = DEFAULT_TTL
    timeout: float = 20.0
    retries: int = 1
    cache_dir: Path | None = field(default_factory=default_cache_dir)
    requests: int = 0

    # ------------------------------------------------------------------ cache

    def _cache_path(self, url: str, accept: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(f"{accept}\n{url}".encode()).hexdigest()  # never the credentials
        return self.cache_dir / "http" / key[:2] / key

    def _cached(self, cache: Path, url: str, accept: str, limit: int) -> tuple[bytes, str] | None:
        """A cache entry that passes every check (format, URL, length, hash, freshness), else None."""
        try:
            fd = os.open(cache, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            with os.fdopen(fd, "rb", closefd=False) as handle:
                header_line = handle.readline(_HEADER_LIMIT)
                body = handle.read(limit + 1)
        except OSError:
            return None
        finally:
            os.close(fd)
        try:
            header = json.loads(header_line)
        except ValueError:
            return None
        if not (
            isinstance(header, dict)
            and header.get("format") == _CACHE_FORMAT
            and header.get("url") == url
            and header.get("accept") == accept
            and isinstance(header.get("stored"), (int, float))
            and isinstance(header.get("type"), str)
            and header.get("length") == len(body)
            and header.get("sha256") == hashlib.sha256(body).hexdigest()
        ):
            return None
        if not self.offline and time.time() - header["stored"] >= self.ttl:
            return None
        return body, header["type"]

    @staticmethod
    def _store(cache: Path, url: str, accept: str, body: bytes, content_type: str) -> None:
        """Best effort and atomic: a header line, then the raw bytes; a failed write costs a refetch."""
        header = {
            "format": _CACHE_FORMAT,
            "url": url,
            "accept": accept,
            "stored": time.time(),
            "type": content_type,
            "length": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
        try:
            cache.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=cache.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(json.dumps(header, sort_keys=True).encode() + b"\n" + body)
                os.replace(temporary, cache)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass

    # ------------------------------------------------------------------ GET

    def get(
        self,
        url: str,
        accept: str = "*/*",
        headers: dict[str, str] | None = None,
        *,
        limit: int = METADATA_LIMIT,
    ) -> tuple[bytes, str]:
        """(body, content type) of an ``http(s)`` URL; anything else is refused."""
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            raise Unreachable(f"refusing to fetch a {scheme or 'relative'} URL: only http(s) is fetched")
        cache = self._cache_path(url, accept)
        if cache is not None and not self.refresh:
            hit = self._cached(cache, url, accept, limit)
            if hit is not None:
                return hit
        if self.offline:
            raise Unreachable(f"{url}: offline")
        body, content_type = self._fetch(url, accept, headers or {}, limit)
        if cache is not None:
            self._store(cache, url, accept, body, content_type)
        return body, content_type

    def get_json(self, url: str, accept: str = "application/json", *, limit: int = METADATA_LIMIT) -> dict[str, Any]:
        """A JSON object from ``url`` (`Malformed` when the answer is anything else)."""
        body, _ = self.get(url, accept, limit=limit)
        return json_object(body, url)

    def _fetch(self, url: str, accept: str, headers: dict[str, str], limit: int) -> tuple[bytes, str]:
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            try:
                return self._follow(url, accept, headers, limit)
            except _Retryable as exc:
                last = exc
            time.sleep(min(0.2 * (2**attempt), 2.0))
        raise Unreachable(f"{url}: {last}")

    def _follow(self, url: str, accept: str, headers: dict[str, str], limit: int) -> tuple[bytes, str]:
        """One request with redirects: http(s) only, no https -> http, credentials only to the same host."""
        deadline = time.monotonic() + self.timeout
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            status, response_headers, body = self._request(current, accept, headers, limit, deadline)
            if status in (301, 302, 303, 307, 308) and response_headers.get("location"):
                target = urllib.parse.urljoin(current, response_headers["location"])
                _check_redirect(current, target)
                if urllib.parse.urlsplit(target).netloc != urllib.parse.urlsplit(current).netloc:
                    headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
                current = target
                continue
            if status == 401 and response_headers.get("www-authenticate"):
                raise AuthRequired(f"{url}: HTTP 401", response_headers["www-authenticate"])
            if status >= 500 or status == 429:
                raise _Retryable(f"HTTP {status}")
            if status >= 400:
                raise Unreachable(f"{url}: HTTP {status}")
            if 200 <= status < 300:
                return body, response_headers.get("content-type", "")
            raise Unreachable(f"{url}: unexpected HTTP {status}")
        raise Unreachable(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _request(
        self, url: str, accept: str, headers: dict[str, str], limit: int, deadline: float
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urllib.parse.urlsplit(url)
        secure = parts.scheme == "https"
        host = parts.hostname or ""
        port = parts.port or (443 if secure else 80)
        proxy = _proxy_for(parts.scheme, host)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        if proxy is not None and not secure:
            target = url  # a plain-HTTP proxy takes the absolute URL
        key = (parts.scheme, host, port) if proxy is None else (f"{parts.scheme}+proxy", host, port)
        connection = _POOL.take(key)
        fresh = connection is None
        if connection is None:
            connection = self._connect(host, port, secure, proxy, deadline)
        send = {"Host": parts.netloc, "Accept": accept, "User-Agent": USER_AGENT, **headers}
        self.requests += 1
        watchdog = threading.Timer(max(deadline - time.monotonic(), 0.0), _abort, (connection,))
        watchdog.daemon = True
        watchdog.start()
        try:
            connection.timeout = max(deadline - time.monotonic(), 0.001)
            if connection.sock is not None:
                connection.sock.settimeout(connection.timeout)
            connection.request("GET", target, headers=send)
            response = connection.getresponse()
            body = _read_capped(response, limit, url)
            if time.monotonic() >= deadline or (response.length or 0) > 0:
                raise http.client.IncompleteRead(body)  # cut off by the deadline: never a partial answer
        except (http.client.HTTPException, OSError) as exc:
            connection.close()
            if time.monotonic() >= deadline:
                raise Unreachable(f"{url}: no complete answer within {self.timeout:g} s") from exc
            if not fresh:  # a kept-alive connection the server had closed: one clean retry
                return self._request(url, accept, headers, limit, deadline)
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        except Unreachable:
            connection.close()
            raise
        finally:
            watchdog.cancel()
        if response.will_close:
            connection.close()
        else:
            _POOL.give(key, connection)
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body

    def _connect(
        self, host: str, port: int, secure: bool, proxy: tuple[str, int] | None, deadline: float
    ) -> http.client.HTTPConnection:
        remaining = max(deadline - time.monotonic(), 0.001)
        if proxy is None:
            return _connection(host, port, _POOL.address(host, port, deadline), secure, remaining)  # type: ignore[no-any-return]
        address = _POOL.address(proxy[0], proxy[1], deadline)
        connection: http.client.HTTPConnection = _connection(proxy[0], proxy[1], address, secure, remaining)
        if secure:
            connection.set_tunnel(host, port)
        return connection


class _Retryable(Exception):
    """A failure worth one more try (5xx, 429, a reset connection)."""


def _abort(connection: http.client.HTTPConnection) -> None:
    """The deadline passed: shut the socket so a blocked read returns at once."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _read_capped(response: http.client.HTTPResponse, limit: int, url: str) -> bytes:
    declared = response.getheader("Content-Length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise Unreachable(f"{url}: answer of {int(declared)} bytes is over the {limit}-byte limit")
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read(min(1 << 16, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise Unreachable(f"{url}: answer is over the {limit}-byte limit")
    return b"".join(chunks)


def _check_redirect(source: str, target: str) -> None:
    scheme = urllib.parse.urlsplit(target).scheme.lower()
    if scheme not in ("http", "https"):
        raise Unreachable(f"{source}: refusing a redirect to a {scheme or 'non-http'} URL")
    if urllib.parse.urlsplit(source).scheme == "https" and scheme == "http":
        raise Unreachable(f"{source}: refusing a redirect from https to plain http")


def _proxy_for(scheme: str, host: str) -> tuple[str, int] | None:
    """The proxy (host, port) the environment names for this URL, as urllib would pick it."""
    if _loopback(host):
        return None
    proxies = urllib.request.getproxies()
    proxy = proxies.get(scheme)
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    parts = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if parts.scheme != "http" or not parts.hostname:
        return None  # only plain-HTTP proxies (CONNECT for https), as most CI proxies are
    return parts.hostname, parts.port or 80


def check_realm(realm: str, registry_url: str) -> None:
    """A bearer-token realm must be http(s), and https when the registry itself is spoken to over https."""
    scheme = urllib.parse.urlsplit(realm).scheme.lower()
    if scheme not in ("http", "https"):
        raise Unreachable(f"refusing a token realm with a {scheme or 'relative'} URL")
    if urllib.parse.urlsplit(registry_url).scheme == "https" and scheme == "http":
        raise Unreachable("refusing a plain-http token realm for an https registry")


def read_local(url: str, limit: int = INDEX_LIMIT) -> tuple[bytes, str]:
    """A ``file://`` index page the *user* named (``--index-url file:///...``); never one a repository named."""
    from replatform.fsio import read_regular

    path = urllib.request.url2pathname(urllib.parse.urlsplit(url).path)
    if os.path.isdir(path):
        path = os.path.join(path, "index.html")
    try:
        body = read_regular(path, limit + 1)
    except OSError as exc:
        raise Unreachable(f"{url}: {exc.strerror or exc}") from exc
    if len(body) > limit:
        raise Unreachable(f"{url}: larger than {limit} bytes")
    return body, "text/html" if path.endswith(".html") else "application/octet-stream"
