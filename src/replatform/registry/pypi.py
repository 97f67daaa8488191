"""Python packages on the index: which artifact a linux/aarch64 target would install.

Reads the index's JSON simple API (PEP 691) and falls back to the HTML one
(PEP 503), for http(s) and file:// indexes and find-links folders. Wheel tags
are matched with ``packaging.tags`` against the target's platform tags (the
manylinux levels its glibc accepts, or musllinux), never against the host.
"""

from __future__ import annotations

import configparser
import functools
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

from replatform.registry.http import INDEX_LIMIT, Fetcher, Malformed, Unreachable, json_object, read_local
from replatform.registry.target import Target, line_of

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
    url: str  # as the index wrote it (relative to the project page); verdicts need only the file name
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
        path = href.split("#", 1)[0].split("?", 1)[0]
        filename = urllib.parse.unquote(path.rsplit("/", 1)[-1])
        files.append(DistFile(filename, href, attributes.get("data-requires-python"), "data-yanked" in attributes))
    return files


def list_files(fetcher: Fetcher, index_url: str, name: str) -> list[DistFile]:
    """Every file of project ``name`` on the index (JSON simple API, else HTML).

    A ``file://`` index is read from disk; callers pass one only when the user
    named it (an index URL found inside a repository must be https).
    Anything that is not what PEP 691/503 describe raises `Malformed`.
    """
    url = f"{index_url.rstrip('/')}/{canonicalize_name(name)}/"
    if url.startswith("file:"):
        body, content_type = read_local(url)
    else:
        body, content_type = fetcher.get(url, JSON_ACCEPT, limit=INDEX_LIMIT)
    if "json" not in content_type:
        return _from_html(body, url)
    files = json_object(body, url).get("files")
    if not isinstance(files, list):
        raise Malformed(f"{url}: no list of files")
    out = []
    for entry in files:
        if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str):
            raise Malformed(f"{url}: a file entry without a file name")
        href, requires = entry.get("url"), entry.get("requires-python")
        out.append(
            DistFile(
                entry["filename"],
                href if isinstance(href, str) else "",
                requires if isinstance(requires, str) else None,
                bool(entry.get("yanked")),
            )
        )
    return out


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


@functools.lru_cache(maxsize=1 << 16)
def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _version_of(filename: str) -> Version | None:
    """The version in a distribution file name, read without parsing its tags (as packaging splits it)."""
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        return _version(parts[1]) if len(parts) in (5, 6) else None
    for suffix in (".tar.gz", ".zip"):
        if filename.endswith(suffix):
            name, _, version = filename[: -len(suffix)].rpartition("-")
            return _version(version) if name else None
    return None


@functools.lru_cache(maxsize=1024)
def _specifier(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


@functools.lru_cache(maxsize=64)
def supported_tags(target: Target) -> frozenset[tags.Tag] | None:
    """Tags the target installs (a free-threaded one: cp313t); None when the Python is unknown (see `_judge`)."""
    if target.python is None:
        return None
    version = tuple(int(part) for part in target.python.split(".")[:2])
    platforms = target.platform_tags()
    abis = [f"cp{version[0]}{version[1]}t"] if target.free_threaded else None
    return frozenset(tags.cpython_tags(python_version=version, abis=abis, platforms=platforms)) | frozenset(
        tags.compatible_tags(python_version=version, platforms=platforms)
    )


def _wheel_fits(wheel_tags: frozenset[tags.Tag], target: Target, supported: frozenset[tags.Tag] | None) -> str | None:
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
    specifier = _specifier(file.requires_python)
    try:
        return specifier is None or specifier.contains(target.python, prereleases=True)
    except InvalidVersion:
        return True


class _Releases:
    """A project's files grouped by version once, so each file name is split once and tags are
    parsed only for the versions a verdict looks at (a big project lists thousands of files).
    """

    def __init__(self, files: Iterable[DistFile]) -> None:
        self.files: dict[Version, list[DistFile]] = {}
        for file in files:
            version = _version_of(file.filename)
            if version is not None:
                self.files.setdefault(version, []).append(file)
        self._verdicts: dict[tuple[Version, Target], tuple[Verdict, str]] = {}

    def versions(self) -> list[Version]:
        """Every version with at least one non-yanked file, ascending."""
        return sorted(v for v, group in self.files.items() if any(not f.yanked for f in group))

    def usable(self, target: Target) -> set[Version]:
        """Versions with a file this Python may install (its Requires-Python admits it)."""
        return {v for v, group in self.files.items() if any(_python_ok(f, target) for f in group)}

    def classify(self, version: Version, target: Target) -> tuple[Verdict, str]:
        """The verdict for one version, with the file that decided it."""
        key = (version, target)
        if key not in self._verdicts:
            self._verdicts[key] = _classify(self.files.get(version, []), target)
        return self._verdicts[key]

    def first_ready(self, after: Version, target: Target) -> str | None:
        """The lowest version above ``after`` with an aarch64 wheel (or pure Python) for the target."""
        for version in self.versions():
            if version <= after or version.is_prerelease:
                continue
            if self.classify(version, target)[0] in (Verdict.ARM64_WHEEL, Verdict.PURE):
                return str(version)
        return None


def _classify(group: list[DistFile], target: Target) -> tuple[Verdict, str]:
    if not group:
        return Verdict.NOT_FOUND, ""
    supported = supported_tags(target)
    has_sdist = False
    other_wheels: list[str] = []
    for file in group:
        if not _python_ok(file, target):
            continue
        parsed = _parse(file.filename)
        if parsed is None:
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
    if has_sdist:
        return Verdict.SDIST_ONLY, "only a source distribution matches the target"
    shown = ", ".join(sorted(other_wheels)[:3]) + (", ..." if len(other_wheels) > 3 else "")
    return Verdict.NO_ARM64, f"wheels only for other platforms or Pythons: {shown}"


def classify(files: Iterable[DistFile], version: Version, target: Target) -> tuple[Verdict, str]:
    """The verdict for one version of a project, with the file that decided it."""
    return _Releases(files).classify(version, target)


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
    Never raises: anything unexpected in an answer is "unknown" for this
    requirement, and the scan goes on.
    """
    try:
        return _judge(name, version, specifier, target, fetcher, index_url, find_links, extra_index_urls)
    except Exception as exc:  # a hostile or broken answer must cost one verdict, never the scan
        detail = f"could not check: {type(exc).__name__}: {exc}"
        return PackageVerdict(name, version, Verdict.UNKNOWN, target, detail[:300], index=index_url)


def _judge(
    name: str,
    version: str | None,
    specifier: str | None,
    target: Target,
    fetcher: Fetcher,
    index_url: str,
    find_links: tuple[str, ...],
    extra_index_urls: tuple[str, ...],
) -> PackageVerdict:
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
    asked = _Asked(name, version, specifier, _Releases(files), unreachable, index_url)
    return _judge_any_python(asked, target) if target.python is None else _judge_release(asked, target)


@dataclass(frozen=True)
class _Asked:
    """A requirement and the releases the indexes list for it."""

    name: str
    version: str | None
    specifier: str | None
    releases: _Releases
    unreachable: list[str]
    index_url: str


def _judge_release(asked: _Asked, target: Target) -> PackageVerdict:
    """The verdict for one concrete Python: the pinned version, else the newest the specifier admits."""
    name, version, specifier, releases = asked.name, asked.version, asked.specifier, asked.releases
    unreachable, index_url = asked.unreachable, asked.index_url
    chosen: Version | None = None
    if version is not None:
        chosen = _version(version)
    else:
        admitted = _specifier(specifier or "")
        if admitted is not None:
            # Like pip: the newest admitted release that has a file this Python may install.
            usable = releases.usable(target)
            candidates = [v for v in releases.versions() if not v.is_prerelease and v in admitted and v in usable]
            chosen = candidates[-1] if candidates else None
    if chosen is None:
        return PackageVerdict(name, version, Verdict.UNKNOWN, target, "no version to judge", index=index_url)
    verdict, detail = releases.classify(chosen, target)
    if verdict is Verdict.NOT_FOUND and unreachable:
        return PackageVerdict(
            name,
            str(chosen),
            Verdict.UNKNOWN,
            target,
            f"not on the readable indexes; {'; '.join(unreachable)}",
            index=index_url,
        )
    ready = releases.first_ready(chosen, target) if verdict in (Verdict.NO_ARM64, Verdict.SDIST_ONLY) else None
    return PackageVerdict(name, str(chosen), verdict, target, detail, ready, index_url)


#: Worst first: the verdict for "any CPython" is the worst one a supported line gets.
_WORST_FIRST = (Verdict.NO_ARM64, Verdict.SDIST_ONLY, Verdict.NOT_FOUND, Verdict.UNKNOWN)


def _admits(releases: _Releases, version: str | None, target: Target) -> bool:
    """Whether the pinned release (or any release) has a file the target's Python may install."""
    if version is None:
        return bool(releases.usable(target))
    wanted = _version(version)
    return any(_python_ok(f, target) for f in releases.files.get(wanted, [])) if wanted is not None else True


def _judge_any_python(asked: _Asked, target: Target) -> PackageVerdict:
    """No Python stated: judge for every supported CPython line; ready only when each one gets a wheel.

    Lines the release cannot be installed on at all (its requires-python leaves
    them out) are not held against it: that is not an arm64 question.
    """
    name, version, index_url = asked.name, asked.version, asked.index_url
    judged = [
        (each.python or "", _judge_release(asked, each))
        for each in target.for_each_python()
        if _admits(asked.releases, version, each)
    ]
    if not judged:
        return PackageVerdict(
            name, version, Verdict.UNKNOWN, target, "no release for a supported CPython", index=index_url
        )
    lines = ", ".join(line_of(python) for python, _ in judged)
    failing = [
        (python, verdict) for python, verdict in judged if verdict.verdict not in (Verdict.ARM64_WHEEL, Verdict.PURE)
    ]
    newest = judged[-1][1]
    if not failing:
        kind = Verdict.PURE if all(v.verdict is Verdict.PURE for _, v in judged) else Verdict.ARM64_WHEEL
        versions = sorted({v.version for _, v in judged if v.version}, key=Version)
        picked = f" (pip picks {', '.join(versions)} by Python)" if len(versions) > 1 else ""
        detail = f"{newest.detail}; a wheel for every supported CPython: {lines}{picked}"
        return PackageVerdict(name, newest.version, kind, target, detail, index=index_url)
    worst = min(failing, key=lambda item: _WORST_FIRST.index(item[1].verdict))[1]
    bad = ", ".join(line_of(python) for python, verdict in failing if verdict.verdict is worst.verdict)
    good = [line_of(python) for python, verdict in judged if verdict.verdict in (Verdict.ARM64_WHEEL, Verdict.PURE)]
    detail = f"{worst.detail} for CPython {bad}" + (f"; aarch64 wheels for {', '.join(good)}" if good else "")
    readies = [verdict.first_ready for _, verdict in failing if verdict.first_ready]
    ready = max(readies, key=Version) if len(readies) == len(failing) else None  # every failing line must get one
    return PackageVerdict(name, worst.version, worst.verdict, target, detail, ready, index_url)
