"""Dependency manifests (requirements, pyproject, Pipfile, package.json, pom.xml, go.mod, Cargo.toml): a version pin.

Discovery records the line (or element) that declares each dependency; the editor replaces the version as
written there, keeping operators, quotes and a ``v`` prefix. A version held elsewhere (a Maven property, a
variable) is not found in that span, and the caller says so instead of guessing.
"""

from __future__ import annotations

import re

from replatform.migrate.editors.text import Buffer
from replatform.model import Edit


def replace_version(buffer: Buffer, start: int, end: int, name: str, old: str, new: str) -> Edit | None:
    """Replace the version ``old`` written in ``[start, end)`` (after the package name when it is there).

    Returns None when ``old`` is not written exactly once as a whole version in the span.
    """
    # some manifests locate a dependency by line only: search the whole lines the span touches
    start, end = buffer.line_start(start), buffer.line_end(max(start, end - 1))
    text = buffer.text(start, end)
    written = old
    new_written = new
    if old.startswith("v") and not new.startswith("v"):
        new_written = "v" + new
    offset = 0
    name_at = text.lower().find(name.lower().split(":")[-1])
    if name_at != -1:
        offset = name_at + len(name.split(":")[-1])
    pattern = re.compile(r"(?<![\w.+-])" + re.escape(written) + r"(?![\w.+-])")
    matches = [m for m in pattern.finditer(text, offset)]
    if len(matches) != 1:
        matches = [m for m in pattern.finditer(text)]
        if len(matches) != 1:
            return None
    match = matches[0]
    byte_start = start + len(text[: match.start()].encode("utf-8"))
    byte_end = start + len(text[: match.end()].encode("utf-8"))
    return buffer.replace(byte_start, byte_end, new_written)


_MAVEN_DEPENDENCY = re.compile(r"<dependency>(?:(?!</dependency>).)*</dependency>", re.DOTALL)


def replace_maven_version(buffer: Buffer, coordinate: str, old: str, new: str) -> Edit | None:
    """The version of ``group:artifact`` in a pom where it is not on the dependency's own line.

    Follows a ``${property}`` to its ``<properties>`` entry, or finds the ``<dependencyManagement>`` entry
    that pins it. None unless exactly one place holds ``old``.
    """
    group, _, artifact = coordinate.partition(":")
    text = buffer.source.text
    places: list[tuple[int, int]] = []
    for block in _MAVEN_DEPENDENCY.finditer(text):
        body = block.group(0)
        if f"<artifactId>{artifact}</artifactId>" not in body or (group and f"<groupId>{group}</groupId>" not in body):
            continue
        version = re.search(r"<version>\s*([^<]*?)\s*</version>", body)
        if version is None:
            continue
        if version.group(1) == old:
            places.append((block.start() + version.start(1), block.start() + version.end(1)))
        reference = re.fullmatch(r"\$\{([\w.-]+)\}", version.group(1))
        if reference is not None:
            name = re.escape(reference.group(1))
            for match in re.finditer(rf"<{name}>\s*({re.escape(old)})\s*</{name}>", text):
                places.append((match.start(1), match.end(1)))
    unique = sorted(set(places))
    if len(unique) != 1:
        return None
    start, end = unique[0]
    return buffer.replace(len(text[:start].encode()), len(text[:end].encode()), new)
