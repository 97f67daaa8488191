"""C/C++/Fortran/CUDA/assembly sources and native build files -> source_file components (and a
Makefile's image builds -> ci_build components, as for build scripts).

Discovery only inventories them (language, build system); the assessment
stage reads their contents for intrinsics, inline assembly and flags.
"""

from __future__ import annotations

from replatform.discover.formats import native_build_system, native_language
from replatform.discover.iac import ci
from replatform.discover.result import ParseResult
from replatform.discover.source import SourceFile
from replatform.model import Attribute, ComponentKind


def parse_source(source: SourceFile) -> ParseResult:
    result = ParseResult()
    language = native_language(source.path) or "unknown"
    result.add(
        ComponentKind.SOURCE_FILE,
        source.path,
        source.whole(),
        [Attribute("language", language, None), Attribute("lines", source.data.count(b"\n") + 1, None)],
    )
    return result


def parse_build(source: SourceFile) -> ParseResult:
    result = ParseResult()
    system = native_build_system(source.path) or "unknown"
    attributes = [Attribute("build_system", system, None)]
    if system == "config.guess":
        attributes.append(Attribute("mentions_aarch64", b"aarch64" in source.data, None))
    result.add(ComponentKind.SOURCE_FILE, source.path, source.whole(), attributes)
    if system == "make" and (b"docker" in source.data or b"podman" in source.data):
        result.extend(ci.parse_script(source, "make"))  # image builds in recipes, read like a build script
    return result
