"""Findings for C/C++/CUDA/assembly sources and native build files.

Guard-aware: code an aarch64 build never compiles (``#ifdef __AVX2__``, a file
the build only selects for x86, a header only included under such a guard)
is not a blocker; it is listed as already ported, with the reason. One
finding per file and family, with the number of occurrences and the first
lines, so a file with 3,000 intrinsics is one line in the report. Code in
tests, examples and benchmarks is reported as a warning: it is not part of
the product's build.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from replatform.assess.context import Context
from replatform.assess.native import build_files
from replatform.assess.native.paths import TreeIndex, arm_specific, auxiliary, other_target, x86_specific
from replatform.assess.native.selection import BuildSelection, IncludeSites, Why
from replatform.assess.native.sources import FamilyHits, FileAnalysis, analyze, includes_only, might_match
from replatform.assess.prescan import MAX_SOURCE_BYTES, Extractor
from replatform.discover.formats import native_language
from replatform.discover.source import SourceFile
from replatform.model import ComponentKind, Confidence, Severity

_LANGUAGES = ("c", "cpp", "cuda", "asm")


def _language(path: str) -> str | None:
    language = native_language(path)
    return language if language in _LANGUAGES else None


def _wants_source(path: str) -> bool:
    """C/C++/CUDA/assembly that is not written for another target or for arm64 itself (``xsimd_neon64.hpp``)."""
    return _language(path) is not None and not other_target(path) and not arm_specific(path.rpartition("/")[2])


def _analyze_bytes(path: str, data: bytes) -> FileAnalysis | None:
    """Module-level so worker processes can run it."""
    language = _language(path)
    if language is None or len(data) > MAX_SOURCE_BYTES:
        return None
    return analyze(path, data, language)


def _heavy(source: SourceFile) -> bool:
    return _language(source.path) == "asm" or might_match(source.data)


def _analyze_light(source: SourceFile) -> FileAnalysis | None:
    """A C/C++ file `_heavy` turned down (no rule can match): only its includes, no second prefilter pass."""
    language = _language(source.path)
    if language is None or len(source.data) > MAX_SOURCE_BYTES:
        return None
    return includes_only(source.path, source.data, language)


NATIVE_SOURCES: Extractor[FileAnalysis] = Extractor(
    "native-sources",
    _wants_source,
    _analyze_light,
    heavy=_heavy,
    worker=_analyze_bytes,
)


_UNPARSED_BUILD_FILES = ("setup.py", "configure", "build.rs", "Makefile.am")


def _build_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    if name in (*_UNPARSED_BUILD_FILES, "configure.ac", "configure.in"):
        return True
    return build_files.language(path) in ("cmake", "meson", "make") and not name.endswith(".sh")


def _analyze_build_file(source: SourceFile) -> build_files.BuildAnalysis | None:
    if auxiliary(source.path) and not build_files.passes_flags(source.data):
        return None  # a test's or example's build file names no product source we need to know about
    return build_files.analyze(source)


BUILD_FILES: Extractor[build_files.BuildAnalysis] = Extractor("native-build-files", _build_file, _analyze_build_file)


def _first_lines(lines: tuple[int, ...] | list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:5])
    return shown + (", ..." if len(lines) > 5 else "")


def _occurrences(hits: FamilyHits) -> str:
    count = len(hits.lines)
    plural = "s" if count != 1 else ""
    return f"{count} occurrence{plural} (line{plural} {_first_lines(hits.lines)})"


def check_sources(ctx: Context) -> None:
    tree = _tree(ctx)
    analyses: dict[str, FileAnalysis] = {}
    for component in ctx.components(ComponentKind.SOURCE_FILE):
        path = component.location.path
        if component.get("language") in _LANGUAGES and _wants_source(path):
            analysis = ctx.facts.get(NATIVE_SOURCES, path)
            if analysis is not None:
                analyses[path] = analysis
    shims = frozenset(name for analysis in analyses.values() for name in analysis.shims)
    if shims:
        analyses = {path: _without_shims(analysis, shims) for path, analysis in analyses.items()}
    reached = sorted(path for path, analysis in analyses.items() if analysis.reached)
    excluded = _not_compiled(ctx, tree, analyses, reached)
    by_x86_folder: dict[str, list[FileAnalysis]] = defaultdict(list)
    for path in sorted(analyses):
        analysis = analyses[path]
        why = excluded.get(path)
        _report_unreached(ctx, analysis)
        if not analysis.reached:
            continue
        if why is not None:
            _report_excluded(ctx, analysis, why)
            continue
        folder = path.rpartition("/")[0]
        if x86_specific(folder):
            by_x86_folder[folder].append(analysis)  # reported once per folder below
            continue
        _report_reached(ctx, analysis, tree)
    for folder, members in sorted(by_x86_folder.items()):
        _report_x86_folder(ctx, folder, members)


def _build_paths(ctx: Context) -> list[str]:
    """Build files of the tree: the ones discovery inventoried, plus scripts it does not parse."""
    paths = [c.location.path for c in ctx.components(ComponentKind.SOURCE_FILE) if c.get("build_system") is not None]
    paths += [p for p in ctx.report.walked if p.rsplit("/", 1)[-1] in _UNPARSED_BUILD_FILES]
    return sorted(path for path in set(paths) if _build_file(path) and not other_target(path))


def _build_analyses(ctx: Context) -> list[build_files.BuildAnalysis]:
    return [analysis for path in _build_paths(ctx) if (analysis := ctx.facts.get(BUILD_FILES, path)) is not None]


def _tree(ctx: Context) -> TreeIndex:
    if "native-tree" not in ctx.shared:
        ctx.shared["native-tree"] = TreeIndex(ctx.report.walked)
    tree: TreeIndex = ctx.shared["native-tree"]
    return tree


def _selection(ctx: Context) -> BuildSelection:
    """The tree's build-file references, indexed once for both checks that ask."""
    if "native-build-selection" not in ctx.shared:
        ctx.shared["native-build-selection"] = BuildSelection(_build_analyses(ctx))
    selection: BuildSelection = ctx.shared["native-build-selection"]
    return selection


def _without_shims(analysis: FileAnalysis, shims: frozenset[str]) -> FileAnalysis:
    """Drop occurrences that are only the project's own macros named like intrinsics (``_mm_malloc``)."""
    kept = tuple(hits for hits in analysis.hits if not hits.names or not hits.names <= shims)
    return analysis if len(kept) == len(analysis.hits) else replace(analysis, hits=kept)


def _not_compiled(
    ctx: Context, tree: TreeIndex, analyses: dict[str, FileAnalysis], reached: list[str]
) -> dict[str, Why | None]:
    """For each file with x86 code aarch64 may compile: why the build does not compile it at all, if it does not."""
    selection = _selection(ctx)
    excluded: dict[str, Why | None] = {}
    for path in reached:
        excluded[path] = selection.only_for_x86(path) or _port(tree, path, analyses[path])
    sites = IncludeSites(analyses, tree)
    for _ in range(3):  # headers included by headers included only for x86
        changed = False
        for path in reached:
            if excluded[path] is None:
                why = sites.only_for_x86(path, excluded)
                if why is not None:
                    excluded[path] = why
                    changed = True
        if not changed:
            break
    return excluded


def _port(tree: TreeIndex, path: str, analysis: FileAnalysis) -> Why | None:
    """A sibling that provides the arm64 or portable path of an x86-specific (or assembly) file."""
    if not (x86_specific(path) or analysis.language == "asm"):
        return None
    port = tree.port_of(path)
    if port is None and x86_specific(path.rpartition("/")[2]):
        neighbour = tree.arm_neighbour(path)
        if neighbour is not None:
            return Why(f"{neighbour} is the arm64 variant in the same folder", neighbour, 0, weak=True)
    if port is None and analysis.language == "asm":
        stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        for token in ("x86_64", "amd64", "x86", "x64"):
            if token in stem:
                port = tree.twin(path, (stem.replace(token, "arm64"), stem.replace(token, "aarch64")))
                if port:
                    break
    return None if port is None else Why(f"{port} provides the arm64 or portable path", port, 0)


def _report_unreached(ctx: Context, analysis: FileAnalysis) -> None:
    for hits in analysis.hits:
        if hits.reached:
            continue
        why = f"only under {hits.guard}" if hits.guard else "behind x86-only guards"
        arm = "; the chain has an arm64 or generic branch" if hits.arm_path or analysis.arm_in_file else ""
        ctx.emit(
            "c-x86-code-already-ported",
            analysis.location(hits.lines[0]),
            f"{hits.family}: {_occurrences(hits)} are not compiled on aarch64 ({why}{arm})",
            subject=f"{hits.family} (not compiled)",
            count=len(hits.lines),
        )


def _report_excluded(ctx: Context, analysis: FileAnalysis, why: Why) -> None:
    """x86 code in a file the aarch64 build does not compile: already ported, with the evidence."""
    confidence = Confidence.LOW if why.weak else Confidence.MEDIUM
    if analysis.x86_asm_line:
        ctx.emit(
            "c-x86-code-already-ported",
            analysis.location(analysis.x86_asm_line),
            f"x86 assembly from line {analysis.x86_asm_line}; {why.reason}",
            subject="x86 assembly",
            confidence=confidence,
        )
        return
    for hits in analysis.hits:
        if hits.reached:
            ctx.emit(
                "c-x86-code-already-ported",
                analysis.location(hits.lines[0]),
                f"{hits.family}: {_occurrences(hits)} in a file aarch64 does not compile: {why.reason}",
                subject=hits.family,
                count=len(hits.lines),
                confidence=confidence,
            )


def _outside_product(path: str) -> tuple[Severity | None, str]:
    """Tests, examples and benchmarks: a warning, since the product's build does not compile them."""
    marker = auxiliary(path)
    if marker is None:
        return None, ""
    return Severity.WARNING, f" (in {marker}: tests, examples and benchmarks are not part of the product build)"


def _report_reached(ctx: Context, analysis: FileAnalysis, tree: TreeIndex) -> None:
    severity, note = _outside_product(analysis.path)
    name = analysis.path.rsplit("/", 1)[-1]
    for error in analysis.errors:
        ctx.emit(
            "c-error-on-aarch64",
            analysis.location(error.line),
            f"#error{error.text} is reached when compiling for aarch64{note}",
            subject="#error " + error.text.strip(),  # the directive, not its line: fingerprints survive shifts
            confidence=Confidence.LOW if severity else Confidence.HIGH,
            severity=severity,
        )
    if analysis.x86_asm_line:
        ctx.emit(
            "asm-x86-file-without-arm64",
            analysis.location(analysis.x86_asm_line),
            f"{name} holds x86 assembly (from line {analysis.x86_asm_line} of {analysis.lines}) and has no arm64 "
            f"counterpart{note}",
            subject=analysis.path,
            fix=f"Add an arm64 version beside it ({name.rsplit('.', 1)[0]}_arm64.{name.rsplit('.', 1)[-1]}, "
            "or an aarch64/ folder) or a portable C fallback, and pick one by architecture in the build.",
            confidence=Confidence.LOW if severity else None,
            severity=severity,
        )
    for hits in analysis.hits:
        if not hits.reached:
            continue
        where = analysis.location(hits.lines[0])
        if hits.macro:
            ctx.emit(
                "c-inline-asm" if hits.family == "inline assembly" else "c-x86-intrinsics",
                where,
                f"{hits.family}: {_occurrences(hits)} in the definition of {hits.macro}, which this file does not "
                f"expand: a blocker only where aarch64 code expands it{note}",
                subject=f"{hits.family} ({hits.macro})",
                count=len(hits.lines),
                confidence=Confidence.LOW,
                severity=Severity.WARNING,
            )
            continue
        if hits.dispatch:
            how = (
                f"in the x86 arm of a per-architecture chain (only under {hits.guard}); aarch64 takes another arm"
                if hits.guard
                else "in a per-architecture table: the same lines name the NEON intrinsic aarch64 uses"
            )
            ctx.emit(
                "c-x86-code-already-ported",
                where,
                f"{hits.family}: {_occurrences(hits)} {how}",
                subject=hits.family,
                count=len(hits.lines),
                confidence=Confidence.MEDIUM,
            )
            continue
        rule = "c-inline-asm" if hits.family == "inline assembly" else "c-x86-intrinsics"
        condition = "" if hits.certain else f" unless {hits.guard} is off in the aarch64 build"
        confidence = Confidence.HIGH if hits.certain else Confidence.MEDIUM
        ctx.emit(
            rule,
            where,
            f"{hits.family}: {_occurrences(hits)} compiled on aarch64{condition}{note}",
            subject=hits.family,
            count=len(hits.lines),
            confidence=Confidence.LOW if severity else confidence,
            severity=severity,
        )


def _report_x86_folder(ctx: Context, folder: str, members: list[FileAnalysis]) -> None:
    """x86-specific folders with no arm64 counterpart and no build evidence: once per folder, low confidence."""
    severity, note = _outside_product(folder + "/x")
    for rule, group in (
        ("asm-x86-file-without-arm64", [a for a in members if a.x86_asm_line]),
        ("c-x86-intrinsics", [a for a in members if not a.x86_asm_line]),
    ):
        if not group:
            continue
        first = group[0]
        line = first.x86_asm_line or next(
            (h.lines[0] for h in first.hits if h.reached), first.errors[0].line if first.errors else 1
        )
        what = "x86 assembly" if first.x86_asm_line else "x86 intrinsics or inline assembly"
        ctx.emit(
            rule,
            first.location(line),
            f"{len(group)} file(s) with {what} in {folder}/, an x86-specific folder with no arm64 counterpart "
            f"(first {first.path.rsplit('/', 1)[-1]}); the build probably selects them only for x86: check a "
            f"portable path exists{note}",
            subject=f"{folder}/",
            count=len(group),
            confidence=Confidence.LOW,
            severity=severity,
        )


def check_build_files(ctx: Context) -> None:
    for component in ctx.components(ComponentKind.SOURCE_FILE):
        if component.get("build_system") == "config.guess" and component.get("mentions_aarch64") is False:
            ctx.emit(
                "config-guess-without-aarch64",
                component.location,
                f"{component.name} predates aarch64 support: ./configure cannot identify an arm64 build machine",
                subject=component.name,
            )
    tree = _tree(ctx)
    selection = _selection(ctx)
    for analysis in _build_analyses(ctx):
        _report_build_file(ctx, analysis, tree, selection)


def _report_build_file(
    ctx: Context, analysis: build_files.BuildAnalysis, tree: TreeIndex, selection: BuildSelection
) -> None:
    name = analysis.path.rsplit("/", 1)[-1]
    folder = analysis.path.rpartition("/")[0]
    port: str | None = None
    if x86_specific(folder):
        why = selection.only_for_x86(analysis.path)
        port = why.reason if why is not None else tree.port_of(analysis.path)
        if why is None and port is not None:
            port = f"{port} provides the arm64 or portable path"
    severity, note = _outside_product(analysis.path)
    if analysis.flags:
        flags = sorted({use.text for use in analysis.flags})
        lines = sorted({use.line for use in analysis.flags})
        certain = any(use.certain for use in analysis.flags)
        if port is not None:
            ctx.emit(
                "c-x86-code-already-ported",
                analysis.location(lines[0]),
                f"{name} passes x86-only compiler flags ({', '.join(flags)}) in an x86-specific folder; {port}",
                subject=",".join(flags),
                count=len(analysis.flags),
                confidence=Confidence.MEDIUM,
            )
        else:
            in_x86_folder = " in an x86-specific folder" if x86_specific(folder) else ""
            condition = "" if certain else " (in a branch aarch64 may take: check its condition)"
            ctx.emit(
                "build-x86-compiler-flags",
                analysis.location(lines[0]),
                f"{name} passes x86-only compiler flags: {', '.join(flags)} (lines {_first_lines(lines)})"
                f"{in_x86_folder}{condition}{note}",
                subject=",".join(flags),
                count=len(analysis.flags),
                confidence=Confidence.LOW
                if severity or in_x86_folder
                else (Confidence.HIGH if certain else Confidence.MEDIUM),
                severity=severity,
            )
    if analysis.libraries and port is not None:
        ctx.emit(
            "c-x86-code-already-ported",
            analysis.location(min(use.line for use in analysis.libraries)),
            f"{name} links x86-only libraries ({', '.join(sorted({u.text for u in analysis.libraries}))}) in an "
            f"x86-specific folder; {port}",
            subject="libraries",
            count=len(analysis.libraries),
            confidence=Confidence.MEDIUM,
        )
    elif analysis.libraries:
        libraries = sorted({use.text for use in analysis.libraries})
        first = min(use.line for use in analysis.libraries)
        ctx.emit(
            "build-x86-only-library",
            analysis.location(first),
            f"{name} links x86-only libraries: {', '.join(libraries)}{note}",
            subject=",".join(libraries),
            count=len(analysis.libraries),
            confidence=Confidence.LOW if severity else None,
            severity=severity,
        )


__all__ = [
    "BUILD_FILES",
    "NATIVE_SOURCES",
    "check_build_files",
    "check_sources",
]
