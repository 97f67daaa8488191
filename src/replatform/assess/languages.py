"""Go, Rust, Java, Python and .NET sources: architecture-specific code and native loading."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from replatform.assess.context import Context
from replatform.assess.prescan import Extractor
from replatform.discover.source import SourceFile
from replatform.model import ComponentKind, Confidence, Location

_GO_BUILD = re.compile(r"^//\s*go:build\s+(.+)$|^//\s*\+build\s+(.+)$", re.MULTILINE)
_RUST_X86 = re.compile(
    r"\b(?:core|std)::arch::x86(?:_64)?\b|target_arch\s*=\s*\"x86(?:_64)?\"|\basm!\s*\(|is_x86_feature_detected!"
)
_RUST_ARM = re.compile(r"target_arch\s*=\s*\"aarch64\"|\b(?:core|std)::arch::aarch64\b|is_aarch64_feature_detected!")
_JAVA_NATIVE = re.compile(r"\bnative\s+[\w<>\[\], ]+\s+\w+\s*\(|\bSystem\.(?:loadLibrary|load)\s*\(")
_PY_CTYPES = re.compile(r"\b(?:ctypes\.)?(?:CDLL|cdll\.LoadLibrary|PyDLL|cdll\.\w+)\s*\(")
_CS_IMPORT = re.compile(r"\[\s*(?:DllImport|LibraryImport)\s*\(\s*\"([^\"]+)\"")
_GO_SUFFIX = re.compile(r"_(amd64|386)(?:_test)?\.(go|s)$")


def _by_directory(paths: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        grouped[path.rsplit("/", 1)[0] if "/" in path else ""].append(path)
    return grouped


def check_go(ctx: Context) -> None:
    go_files = [p for p in ctx.report.walked if p.endswith((".go", ".s")) and not p.endswith("_test.go")]
    for directory, files in sorted(_by_directory(go_files).items()):
        names = {f.rsplit("/", 1)[-1] for f in files}
        constraints: dict[str, str] = {}
        for path in files:
            if not path.endswith(".go"):
                continue
            source = ctx.read(path)
            if source is None:
                continue
            head = source.text[:2048]
            match = _GO_BUILD.search(head)
            if match:
                constraints[path] = (match.group(1) or match.group(2) or "").strip()
        has_generic = any(
            "!amd64" in c or "arm64" in c or "purego" in c or "!386" in c for c in constraints.values()
        ) or any(re.search(r"_(?:arm64|generic|noasm|other|fallback|purego)(?:_test)?\.(?:go|s)$", n) for n in names)
        for path in sorted(files):
            name = path.rsplit("/", 1)[-1]
            suffix = _GO_SUFFIX.search(name)
            tag = constraints.get(path, "")
            amd64_only = bool(suffix) or (bool(re.fullmatch(r"\(?\s*amd64\s*\)?", tag)) if tag else False)
            if not amd64_only:
                continue
            twin = _GO_SUFFIX.sub(lambda m: f"_arm64.{m.group(2)}", name) if suffix else None
            if has_generic or (twin is not None and twin in names):
                continue
            source = ctx.read(path)
            if source is None:
                continue
            location = source.location_of_line(1)
            ctx.emit(
                "go-amd64-only-file",
                location,
                f"{name} builds only for amd64 and package {directory or '.'} has no arm64 or generic counterpart",
                subject=path,
            )


def check_rust(ctx: Context) -> None:
    for path in (p for p in ctx.report.walked if p.endswith(".rs")):
        source = ctx.read(path)
        if source is None or not _RUST_X86.search(source.text):
            continue
        if _RUST_ARM.search(source.text):
            continue
        lines = [
            n
            for n, line in enumerate(source.lines, start=1)
            if _RUST_X86.search(line) and not line.lstrip().startswith("//")
        ]
        if not lines:
            continue
        ctx.emit(
            "rust-x86-arch-code",
            source.location_of_line(lines[0]),
            f"{source.name}: x86_64-specific code on {len(lines)} line(s) (first {lines[0]}) and no aarch64 branch",
            subject=path,
            count=len(lines),
        )


@dataclass(frozen=True)
class LineHits:
    """Lines of one file that match a check's pattern (taken while discovery holds the bytes)."""

    lines: tuple[int, ...]
    texts: tuple[str, ...]
    first: Location


def _line_extractor(name: str, suffix: str, pattern: re.Pattern[str], markers: tuple[str, ...]) -> Extractor[LineHits]:
    encoded = tuple(marker.encode() for marker in markers)

    def extract(source: SourceFile) -> LineHits | None:
        if not any(marker in source.data for marker in encoded):
            return None
        hits = [
            (n, line)
            for n, line in enumerate(source.lines, start=1)
            if pattern.search(line) and not line.lstrip().startswith(("//", "#", "*"))
        ]
        if not hits:
            return None
        return LineHits(tuple(n for n, _ in hits), tuple(t for _, t in hits), source.location_of_line(hits[0][0]))

    return Extractor(name, lambda path: path.endswith(suffix), extract)


CTYPES = _line_extractor("python-ctypes", ".py", _PY_CTYPES, ("CDLL", "cdll", "PyDLL"))
JAVA_NATIVE = _line_extractor("java-native", ".java", _JAVA_NATIVE, ("native", "System.load"))
DOTNET_IMPORTS = _line_extractor("dotnet-imports", ".cs", _CS_IMPORT, ("Import",))


def _line_hits(ctx: Context, extractor: Extractor[LineHits]) -> dict[str, LineHits]:
    hits: dict[str, LineHits] = {}
    for path in ctx.report.walked:
        if extractor.wants(path):
            found = ctx.facts.get(extractor, path)
            if found is not None:
                hits[path] = found
    return hits


def _one_finding_per_file(ctx: Context, extractor: Extractor[LineHits], rule: str, what: str) -> None:
    """One finding per source file that matches the extractor's pattern, at its first match, with the count."""
    for path, found in sorted(_line_hits(ctx, extractor).items()):
        ctx.emit(
            rule,
            found.first,
            f"{path.rsplit('/', 1)[-1]} {what} ({len(found.lines)} place(s))",
            subject=path,
            count=len(found.lines),
        )


def check_java(ctx: Context) -> None:
    what = "declares native methods or loads a native library"
    _one_finding_per_file(ctx, JAVA_NATIVE, "java-native-code", what)


def check_python(ctx: Context) -> None:
    what = "loads shared libraries with ctypes; each must exist for aarch64"
    _one_finding_per_file(ctx, CTYPES, "python-ctypes-native", what)


def check_dotnet(ctx: Context) -> None:
    for runtime in ctx.components(ComponentKind.RUNTIME):
        rids = runtime.get("runtime_identifiers")
        if not isinstance(rids, tuple):
            continue
        names = [str(r) for r in rids]
        if any("x64" in r for r in names) and not any("arm64" in r for r in names):
            attribute = runtime.attribute("runtime_identifiers")
            ctx.emit(
                "dotnet-x64-only-rid",
                attribute.location if attribute is not None and attribute.location else runtime.location,
                f"RuntimeIdentifiers {';'.join(names)} name x64 only",
                subject=";".join(names),
                fix=f"Add {', '.join(sorted({r.replace('x64', 'arm64') for r in names if 'x64' in r}))}.",
            )
    for path, found in sorted(_line_hits(ctx, DOTNET_IMPORTS).items()):
        libraries = sorted({m.group(1) for text in found.texts for m in _CS_IMPORT.finditer(text)})
        ctx.emit(
            "dotnet-dllimport",
            found.first,
            f"{path.rsplit('/', 1)[-1]} calls native libraries {', '.join(libraries)}; each needs a linux-arm64 build",
            subject=path,
            count=len(found.lines),
            confidence=Confidence.LOW,
        )
