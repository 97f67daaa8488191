"""Fetching with timeouts, retries, an on-disk cache with a TTL, and an offline switch."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_TTL = 24 * 3600
USER_AGENT = "replatform (arm64 readiness; +https://pypi.org/project/replatform/)"


class Unreachable(Exception):
    """The resource could not be fetched (offline, network error, HTTP error)."""


class AuthRequired(Unreachable):
    """HTTP 401 with a ``WWW-Authenticate`` challenge (registries hand out anonymous tokens)."""

    def __init__(self, message: str, challenge: str) -> None:
        super().__init__(message)
        self.challenge = challenge


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "replatform"


@dataclass
class Fetcher:
    """GET with cache; ``offline`` makes no network call at all (cache hits still count)."""

    offline: bool = False
    refresh: bool = False
    ttl: int = DEFAULT_TTL
    timeout: float = 10.0
    retries: int = 2
    cache_dir: Path | None = field(default_factory=default_cache_dir)
    requests: int = 0

    def _cache_path(self, url: str, accept: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(f"{accept}\n{url}".encode()).hexdigest()  # never the credentials
        return self.cache_dir / "http" / key[:2] / f"{key}.json"

    def get(self, url: str, accept: str = "*/*", headers: dict[str, str] | None = None) -> tuple[bytes, str]:
        """(body, content type) of ``url``; file:// URLs are read from disk."""
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme == "file":
            path = urllib.request.url2pathname(parsed.path)
            if os.path.isdir(path):
                path = os.path.join(path, "index.html")
            try:
                with open(path, "rb") as handle:
                    return handle.read(), "text/html" if path.endswith(".html") else "application/octet-stream"
            except OSError as exc:
                raise Unreachable(f"{url}: {exc.strerror or exc}") from exc
        cache = self._cache_path(url, accept)
        if cache is not None and cache.exists() and not self.refresh:
            entry = json.loads(cache.read_text())
            if self.offline or time.time() - entry["stored"] < self.ttl:
                return bytes.fromhex(entry["body"]), entry["type"]
        if self.offline:
            raise Unreachable(f"{url}: offline")
        body, content_type = self._fetch(url, accept, headers or {})
        if cache is not None:
            self._store(cache, body, content_type)
        return body, content_type

    @staticmethod
    def _store(cache: Path, body: bytes, content_type: str) -> None:
        """Best effort: a cache that cannot be written costs a refetch, never the scan."""
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(f"{cache.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps({"stored": time.time(), "type": content_type, "body": body.hex()}))
            tmp.replace(cache)
        except OSError:
            pass

    def _fetch(self, url: str, accept: str, headers: dict[str, str]) -> tuple[bytes, str]:
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": USER_AGENT, **headers})
            try:
                self.requests += 1
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.read(), response.headers.get("Content-Type", "")
            except urllib.error.HTTPError as exc:
                if exc.code == 401 and exc.headers.get("WWW-Authenticate"):
                    raise AuthRequired(f"{url}: HTTP 401", exc.headers["WWW-Authenticate"]) from exc
                if exc.code < 500 and exc.code != 429:
                    raise Unreachable(f"{url}: HTTP {exc.code}") from exc
                last = exc
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                last = exc
            time.sleep(min(0.2 * (2**attempt), 2.0))
        raise Unreachable(f"{url}: {last}")

    def get_json(self, url: str, accept: str = "application/json") -> Any:
        body, _ = self.get(url, accept)
        try:
            return json.loads(body)
        except ValueError as exc:
            raise Unreachable(f"{url}: not JSON ({exc})") from exc
