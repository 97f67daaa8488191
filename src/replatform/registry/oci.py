"""Container images: which platforms a base image is published for.

Speaks the OCI Distribution API (Docker Hub, public ECR, GHCR, Quay and any v2
registry): anonymous bearer tokens on a 401 challenge, OCI image indexes and
Docker manifest lists, and a cross-check of each arm64 child's config blob
(an index can claim arm64 for an image that is really amd64). Loopback
registries are spoken to over plain HTTP, as Docker does.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from enum import StrEnum

from replatform.registry.http import (
    TOKEN_LIMIT,
    AuthRequired,
    Fetcher,
    Malformed,
    Unreachable,
    check_realm,
    json_object,
)

INDEX_TYPES = ("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json")
MANIFEST_TYPES = ("application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json")
ACCEPT = ", ".join((*INDEX_TYPES, *MANIFEST_TYPES))
_DOCKER_HUB = "registry-1.docker.io"
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')


class ImageVerdict(StrEnum):
    """What the registry says about linux/arm64 for an image."""

    MULTI_ARCH = "linux/arm64 published"
    NO_ARM64 = "no linux/arm64"
    MISLABELLED = "linux/arm64 entry is not arm64"
    UNKNOWN = "could not check"


@dataclass(frozen=True)
class ImageReference:
    """registry host, repository, and tag or digest."""

    registry: str
    repository: str
    reference: str

    @property
    def base_url(self) -> str:
        host = self.registry.split(":", 1)[0]
        scheme = "http" if host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.") else "https"
        return f"{scheme}://{self.registry}/v2/{self.repository}"


def parse_reference(text: str) -> ImageReference:
    """Docker's rules: a first segment with a dot, a colon or 'localhost' is a registry; else Docker Hub."""
    name, _, digest = text.partition("@")
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = _DOCKER_HUB, name
    if registry in ("docker.io", "index.docker.io"):
        registry = _DOCKER_HUB
    tag = "latest"
    if ":" in path.rsplit("/", 1)[-1]:
        path, tag = path.rsplit(":", 1)
    if registry == _DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    return ImageReference(registry, path, digest or tag)


@dataclass(frozen=True)
class ImageReport:
    """The platforms an image lists and the verdict for linux/arm64."""

    image: str
    verdict: ImageVerdict
    platforms: tuple[str, ...]
    detail: str = ""


class RegistryClient:
    """A small OCI Distribution client on top of `Fetcher` (cache, offline, retries)."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self.tokens: dict[str, str] = {}

    def _get(self, image: ImageReference, path: str, accept: str) -> tuple[bytes, str]:
        url = f"{image.base_url}/{path}"
        headers = {"Authorization": f"Bearer {self.tokens[image.registry]}"} if image.registry in self.tokens else {}
        try:
            return self.fetcher.get(url, accept, headers)
        except AuthRequired as challenge:
            self.tokens[image.registry] = self._token(challenge.challenge, image)
            return self.fetcher.get(url, accept, {"Authorization": f"Bearer {self.tokens[image.registry]}"})

    def _token(self, challenge: str, image: ImageReference) -> str:
        scheme, _, params_text = challenge.partition(" ")
        if scheme.lower() != "bearer":
            raise Unreachable(f"{image.registry}: unsupported authentication {scheme}")
        params = dict(_CHALLENGE.findall(params_text))
        realm = params.pop("realm", "")
        check_realm(realm, image.base_url)  # http(s) only: never a file:// "realm" read from disk
        params.setdefault("scope", f"repository:{image.repository}:pull")
        body, _ = self.fetcher.get(f"{realm}?{urllib.parse.urlencode(params)}", "application/json", limit=TOKEN_LIMIT)
        data = json_object(body, "token answer")
        token = data.get("token") or data.get("access_token")
        if not isinstance(token, str) or not token or any(c in token for c in "\r\n"):
            raise Malformed(f"{image.registry}: no usable token in the answer")
        return token

    def _config_architecture(self, image: ImageReference, manifest: dict[str, object]) -> str | None:
        config = manifest.get("config")
        if not isinstance(config, dict) or not isinstance(config.get("digest"), str):
            return None
        body, _ = self._get(image, f"blobs/{urllib.parse.quote(config['digest'], safe=':@')}", "application/json, */*")
        arch = json_object(body, "image config").get("architecture")
        return arch[:64] if isinstance(arch, str) else None

    def inspect(self, text: str) -> ImageReport:
        """Platforms of ``text`` (e.g. ``python:3.11-slim``) and the arm64 verdict; never raises."""
        try:
            return self._inspect(text)
        except Exception as exc:  # a hostile or broken registry costs this image's verdict, never the scan
            detail = str(exc) if isinstance(exc, Unreachable) else f"{type(exc).__name__}: {exc}"
            return ImageReport(text, ImageVerdict.UNKNOWN, (), detail[:300])

    def _inspect(self, text: str) -> ImageReport:
        image = parse_reference(text)
        body, content_type = self._get(image, f"manifests/{urllib.parse.quote(image.reference, safe=':@')}", ACCEPT)
        manifest = json_object(body, "manifest")
        media = manifest.get("mediaType") or content_type.split(";")[0]
        if media in INDEX_TYPES or "manifests" in manifest:
            return self._from_index(text, image, manifest)
        arch = self._config_architecture(image, manifest)
        platform = f"linux/{arch}" if arch else "unknown"
        verdict = ImageVerdict.MULTI_ARCH if arch == "arm64" else ImageVerdict.NO_ARM64
        return ImageReport(text, verdict, (platform,), "single-platform image")

    def _from_index(self, text: str, image: ImageReference, index: dict[str, object]) -> ImageReport:
        platforms: list[str] = []
        arm_children: list[str] = []
        entries = index.get("manifests")
        for entry in entries if isinstance(entries, list) else []:
            platform = entry.get("platform") if isinstance(entry, dict) else None
            if not isinstance(platform, dict):
                continue
            os_name, arch = str(platform.get("os", "?"))[:64], str(platform.get("architecture", "?"))[:64]
            if os_name == "unknown":
                continue  # attestation manifests
            variant = f"/{platform['variant'][:64]}" if isinstance(platform.get("variant"), str) else ""
            platforms.append(f"{os_name}/{arch}{variant}")
            if os_name == "linux" and arch == "arm64":
                arm_children.append(str(entry.get("digest")))
        listed = tuple(sorted(set(platforms)))
        if not arm_children:
            return ImageReport(text, ImageVerdict.NO_ARM64, listed)
        for digest in arm_children:
            body, _ = self._get(image, f"manifests/{urllib.parse.quote(digest, safe=':@')}", ACCEPT)
            configured = self._config_architecture(image, json_object(body, "manifest"))
            if configured is not None and configured != "arm64":
                return ImageReport(
                    text, ImageVerdict.MISLABELLED, listed, f"the linux/arm64 entry's config says {configured}"
                )
        return ImageReport(text, ImageVerdict.MULTI_ARCH, listed)
