"""Python packages on the index: which artifact a linux/aarch64 target would install.

Reads the index's JSON simple API (PEP 691) and falls back to the HTML one
(PEP 503), for http(s) and file:// indexes and find-links folders. Wheel tags
are matched with ``packaging.tags`` against the target's platform tags (the
manylinux levels its glibc accepts, or musllinux), never against the host.
"""

from __future__ import annotations

import configparser
import html.parser
import os
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from packaging import tags
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from replatform.registry.http import Fetcher, Unreachable
from replatform.registry.target import Target

JSON_ACCEPT = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"


class Verdict(StrEnum):
    """What pip would find for the target."""

    ARM64_WHEEL = "aarch64 wheel"
    PURE = "pure Python"
    SDIST_ONLY = "sdist only"
    NO_ARM64 = "no arm64 artifact"
    NOT_FOUND = "version not found"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DistFile:
    """One file of a project on the index."""

    filename: str
    url: str
    requires_python: str | None = None
    yanked: bool = False


@dataclass(frozen=True)
class PackageVerdict:
    """The verdict for one requirement on one target, and where it came from."""

    name: str
    version: str | None
    verdict: Verdict
    target: Target
    detail: str
    first_ready: str | None = None
    index: str = ""


def configured_index_url() -> str | None:
    """The index pip is configured with: PIP_INDEX_URL, then pip's config files ([global] index-url)."""
    if os.environ.get("PIP_INDEX_URL"):
        return os.environ["PIP_INDEX_URL"]
    candidates = [os.environ.get("PIP_CONFIG_FILE", ""), "/etc/pip.conf", "/etc/xdg/pip/pip.conf"]
    home = os.path.expanduser("~")
    candidates += [os.path.join(home, ".config", "pip", "pip.conf"), os.path.join(home, ".pip", "pip.conf")]
    found: str | None = None
    for path in candidates:
        if not path or not os.path.isfile(path):
            continue
        parser = configparser.ConfigParser()
        try:
            parser.read(path)
        except configparser.Error:
            continue
        if parser.has_option("global", "index-url"):
            found = parser.get("global", "index-url")  # later files win, as in pip
    return found


def default_index_url() -> str | None:
    """The index to use when the user names none: pip's configuration, else pip's own default."""
    configured = configured_index_url()
    if configured:
        return configured
    try:
        from pip._internal.models.index import PyPI  # pip's default, without naming it here twice
    except ImportError:
        return None
    return str(PyPI.simple_url)


class _LinkParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            attributes = dict(attrs)
            href = attributes.get("href")
            if href:
                self.links.append((href, attributes))


def _from_html(body: bytes, base: str) -> list[DistFile]:
    parser = _LinkParser()
    parser.feed(body.decode("utf-8", errors="replace"))
    files = []
    for href, attributes in parser.links:
        url = urllib.parse.urljoin(base, href)
        filename = urllib.parse.unquote(urllib.parse.urlparse(url).path.rsplit("/", 1)[-1])
        files.append(DistFile(filename, url, attributes.get("data-requires-python"), "data-yanked" in attributes))
    return files


def list_files(fetcher: Fetcher, index_url: str, name: str) -> list[DistFile]:
    """Every file of project ``name`` on the index (JSON simple API, else HTML)."""
    url = f"{index_url.rstrip('/')}/{canonicalize_name(name)}/"
    body, content_type = fetcher.get(url, JSON_ACCEPT)
    if "json" in content_type:
        import json

        data = json.loads(body)
        return [
            DistFile(
                f["filename"],
                urllib.parse.urljoin(url, f["url"]),
                f.get("requires-python"),
                bool(f.get("yanked")),
            )
            for f in data.get("files", [])
        ]
    return _from_html(body, url)


def find_links_files(directory: str, name: str) -> list[DistFile]:
    """Files for ``name`` in a find-links folder."""
    wanted = canonicalize_name(name)
    out = []
    try:
        entries = sorted(os.listdir(directory))
    except OSError:
        return []
    for entry in entries:
        parsed = _parse(entry)
        if parsed is not None and parsed[0] == wanted:
            out.append(DistFile(entry, "file://" + os.path.join(os.path.abspath(directory), entry)))
    return out


def _parse(filename: str) -> tuple[str, Version, frozenset[tags.Tag] | None] | None:
    """(name, version, wheel tags or None for an sdist) of a distribution file name."""
    try:
        if filename.endswith(".whl"):
            name, version, _build, wheel_tags = parse_wheel_filename(filename)
            return str(name), version, wheel_tags
        if filename.endswith((".tar.gz", ".zip")):
            name, version = parse_sdist_filename(filename)
            return str(name), version, None
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return None


def supported_tags(target: Target) -> set[tags.Tag] | None:
    """Tags the target installs; None when the Python version is unknown (any CPython counts)."""
    if target.python is None:
        return None
    version = tuple(int(part) for part in target.python.split(".")[:2])
    platforms = target.platform_tags()
    return set(tags.cpython_tags(python_version=version, platforms=platforms)) | set(
        tags.compatible_tags(python_version=version, platforms=platforms)
    )


def _wheel_fits(wheel_tags: frozenset[tags.Tag], target: Target, supported: set[tags.Tag] | None) -> str | None:
    """'pure' or 'binary' when the wheel installs on the target, else None."""
    platforms = set(target.platform_tags())
    for tag in wheel_tags:
        if supported is not None and tag not in supported:
            continue
        if tag.platform == "any":
            if supported is None and not tag.interpreter.startswith(("py3", "py2.py3", "cp3")):
                continue
            return "pure"
        if tag.platform in platforms:
            return "binary"
    return None


def _python_ok(file: DistFile, target: Target) -> bool:
    if not file.requires_python or target.python is None:
        return True
    try:
        return SpecifierSet(file.requires_python).contains(target.python, prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return True


def classify(files: Iterable[DistFile], version: Version, target: Target) -> tuple[Verdict, str]:
    """The verdict for one version of a project, with the file that decided it."""
    supported = supported_tags(target)
    has_sdist = False
    other_wheels: list[str] = []
    found = False
    for file in files:
        parsed = _parse(file.filename)
        if parsed is None or parsed[1] != version:
            continue
        found = True
        if not _python_ok(file, target):
            continue
        if parsed[2] is None:
            has_sdist = True
            continue
        fit = _wheel_fits(parsed[2], target, supported)
        if fit == "binary":
            return Verdict.ARM64_WHEEL, file.filename
        if fit == "pure":
            return Verdict.PURE, file.filename
        other_wheels.append(file.filename)
    if not found:
        return Verdict.NOT_FOUND, ""
    if has_sdist:
        return Verdict.SDIST_ONLY, "only a source distribution matches the target"
    shown = ", ".join(sorted(other_wheels)[:3]) + (", ..." if len(other_wheels) > 3 else "")
    return Verdict.NO_ARM64, f"wheels only for other platforms or Pythons: {shown}"


def versions_of(files: Iterable[DistFile]) -> list[Version]:
    """Every version with at least one non-yanked file, ascending."""
    found = set()
    for file in files:
        parsed = _parse(file.filename)
        if parsed is not None and not file.yanked:
            found.add(parsed[1])
    return sorted(found)


def first_ready(files: list[DistFile], after: Version, target: Target) -> str | None:
    """The lowest version above ``after`` with an aarch64 wheel (or pure Python) for the target."""
    for version in versions_of(files):
        if version <= after or version.is_prerelease:
            continue
        verdict, _ = classify(files, version, target)
        if verdict in (Verdict.ARM64_WHEEL, Verdict.PURE):
            return str(version)
    return None


def judge(
    name: str,
    version: str | None,
    specifier: str | None,
    target: Target,
    fetcher: Fetcher,
    index_url: str,
    find_links: tuple[str, ...] = (),
    extra_index_urls: tuple[str, ...] = (),
) -> PackageVerdict:
    """The verdict for a requirement: the pinned version, else the newest the specifier admits.

    Files from the main index, ``--extra-index-url`` indexes and find-links
    folders are merged, as pip merges them. When a version is missing and one
    of the indexes could not be read, the verdict is unknown, not "not found".
    """
    files: list[DistFile] = []
    unreachable: list[str] = []
    for url in (index_url, *extra_index_urls):
        try:
            files.extend(list_files(fetcher, url, name))
        except Unreachable as exc:
            unreachable.append(str(exc))
    for directory in find_links:
        files.extend(find_links_files(directory, name))
    if not files:
        detail = "; ".join(unreachable) if unreachable else "not on the index"
        return PackageVerdict(name, version, Verdict.UNKNOWN, target, detail, index=index_url)
    chosen: Version | None = None
    try:
        if version is not None:
            chosen = Version(version)
        else:
            admitted = SpecifierSet(specifier or "")
            # Like pip: the newest admitted release that has a file this Python may install.
            usable = {p[1] for f in files if _python_ok(f, target) and (p := _parse(f.filename)) is not None}
            candidates = [v for v in versions_of(files) if not v.is_prerelease and v in admitted and v in usable]
            chosen = candidates[-1] if candidates else None
    except (InvalidVersion, InvalidSpecifier):
        chosen = None
    if chosen is None:
        return PackageVerdict(name, version, Verdict.UNKNOWN, target, "no version to judge", index=index_url)
    verdict, detail = classify(files, chosen, target)
    if verdict is Verdict.NOT_FOUND and unreachable:
        return PackageVerdict(
            name,
            str(chosen),
            Verdict.UNKNOWN,
            target,
            f"not on the readable indexes; {'; '.join(unreachable)}",
            index=index_url,
        )
    ready = first_ready(files, chosen, target) if verdict in (Verdict.NO_ARM64, Verdict.SDIST_ONLY) else None
    return PackageVerdict(name, str(chosen), verdict, target, detail, ready, index_url)
