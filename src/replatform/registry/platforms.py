"""Which operating system (and Python) an image reference, an AMI or a Lambda runtime names.

Everything is read from the sourced tables in ``knowledge/os_releases.json``,
``runtime_releases.json`` and ``lambda_runtimes.json``; nothing is guessed
from the scanning host. For an image the distribution word in the tag wins
over the language image's default: ``python:3.12-alpine`` is musl,
``python:3.11-slim-bullseye`` is Debian 11, ``python:3.11-slim`` is the
python image's default Debian.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from replatform import knowledge
from replatform.knowledge import Distribution
from replatform.registry.target import line_of, resolve_python

_VERSION_WORD = re.compile(r"\d+(?:\.\d+){0,2}")
_ALPINE_WORD = re.compile(r"alpine(\d+\.\d+)?")


@dataclass(frozen=True)
class Platform:
    """What a workload runs on, as far as its definition says: the OS, and the Python when it names one."""

    distribution: Distribution | None
    python: str | None
    why: str


def _release_key(release: str) -> tuple[int, ...]:
    return tuple(int(part) for part in release.split(".") if part.isdigit())


def _alpine(version: str | None) -> Distribution | None:
    """The Alpine line a release (``3.12``) belongs to; the newest line for a bare ``alpine``."""
    lines = sorted(
        (d for d in knowledge.distributions().values() if d.family == "alpine"),
        key=lambda d: _release_key(d.releases[0]),
    )
    if not lines:
        return None
    if version is None:
        return lines[-1]
    fitting = [d for d in lines if _release_key(d.releases[0]) <= _release_key(version)]
    return fitting[-1] if fitting else None


def _by_tag_word(word: str) -> Distribution | None:
    """A distribution named by one dash-separated word of a tag (``bookworm``, ``alpine3.20``, ``al2023``)."""
    alpine = _ALPINE_WORD.fullmatch(word)
    if alpine:
        return _alpine(alpine.group(1))
    for distribution in knowledge.distributions().values():
        if distribution.family != "alpine" and any(
            word == tag_word or word.startswith(f"{tag_word}.") for tag_word in distribution.tag_words
        ):
            return distribution
    return None


def _by_release(family: str, word: str) -> Distribution | None:
    """The release a distribution image's own tag names (``debian:12-slim``, ``ubuntu:jammy``, ``alpine:3.19``)."""
    if family == "alpine":
        return _alpine(word) if _VERSION_WORD.fullmatch(word) else None
    for distribution in knowledge.distributions().values():
        if distribution.family == family and any(
            word == release or word.startswith(f"{release}.") for release in distribution.releases
        ):
            return distribution
    return None


def _last_build(default: Distribution, python: str) -> Distribution:
    """The distribution an end-of-life Python line was last built on: the newest released before its end."""
    line = line_of(python)
    ends = [entry.end_of_life for entry in knowledge.runtime_releases("python").lines if entry.line == line]
    if not ends or ends[0] is None or ends[0] >= default.released:
        return default
    older = [d for d in knowledge.distributions().values() if d.family == default.family and d.released <= ends[0]]
    return max(older, key=lambda d: d.released) if older else default


def _lambda_image(kind: str, tag: str, reference: str) -> Platform | None:
    version = _VERSION_WORD.match(tag)
    if version is None:
        return None
    line = line_of(version.group(0))
    runtime = f"python{line}" if kind == "python" else f"nodejs{line.split('.')[0]}.x"
    fact = knowledge.lambda_runtimes().get(runtime)
    distribution = knowledge.distributions().get(fact.os) if fact is not None else None
    if distribution is None:
        return None
    python = resolve_python(line) if kind == "python" else None
    return Platform(distribution, python, f"{reference} (Lambda {runtime} runs on {distribution.name})")


def of_image(reference: str) -> Platform | None:
    """The OS and Python an image reference names, or None when the tables do not know the image."""
    repository, tag = knowledge.image_repository_and_tag(reference)
    known = knowledge.image_platforms().get(repository)
    if known is not None and known.lambda_runtime is not None:
        return _lambda_image(known.lambda_runtime, tag, reference)
    words = tag.lower().split("-")
    python = None
    if repository == "python":
        stated = _VERSION_WORD.fullmatch(words[0])
        python = resolve_python(stated.group(0) if stated else "3")
    distribution = None
    if known is not None and known.family is not None:  # a distribution's own image: its tag names the release
        distribution = _by_release(known.family, words[0]) or _by_tag_word(words[0])
        if distribution is None and words[0] != "latest":
            return None  # a release the table does not list: unknown, never the default
    for word in words:
        if distribution is not None:
            break
        distribution = _by_tag_word(word)
    if distribution is None and known is not None and known.distribution is not None:
        distribution = knowledge.distributions()[known.distribution]
        if known.last_build_at_end_of_life and python is not None:
            distribution = _last_build(distribution, python)
    if distribution is None:
        return None
    why = f"{reference} is {distribution.name}, {distribution.libc} {distribution.version}"
    return Platform(distribution, python, why + (f", CPython {python} (from its tag)" if python else ""))


def of_ami(text: str) -> Distribution | None:
    """The distribution an AMI name, SSM parameter path or expression names (``al2023-ami-...``)."""
    lowered = text.lower()
    for pattern in knowledge.ami_patterns():
        if re.search(pattern.pattern, lowered):
            return knowledge.distributions().get(pattern.distribution)
    return None


def of_lambda_runtime(runtime: str) -> Platform | None:
    """The OS (and Python) of a Lambda managed runtime such as ``python3.13``."""
    fact = knowledge.lambda_runtimes().get(runtime.strip().lower())
    distribution = knowledge.distributions().get(fact.os) if fact is not None else None
    if fact is None or distribution is None:
        return None
    python = resolve_python(fact.runtime.removeprefix("python")) if fact.runtime.startswith("python") else None
    return Platform(distribution, python, f"Lambda {fact.runtime} runs on {distribution.name} ({fact.source})")


def system_python(distribution: Distribution | None) -> str | None:
    """The full version of the ``python3`` an OS ships (Amazon Linux 2023: 3.9), when the table knows it."""
    if distribution is None or distribution.python3 is None:
        return None
    return resolve_python(distribution.python3)
