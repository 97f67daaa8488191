"""C/C++/Fortran/CUDA sources, assembly files and native build files.

Guard-aware: code an aarch64 build never compiles (``#ifdef __AVX2__``) is
not a blocker; it is listed as already ported when the chain or a sibling
file/folder provides the arm64 path. One finding per file and family, with
the number of occurrences and the first lines, so a file with 3,000
intrinsics is one line in the report, not 3,000.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from replatform.assess.context import MAX_SOURCE_BYTES, Context
from replatform.assess.preprocessor import GuardMap, arch_condition
from replatform.discover.source import SourceFile
from replatform.fsio import read_in_root
from replatform.model import ComponentKind, Confidence

_FAMILIES: list[tuple[str, re.Pattern[str]]] = [
    (
        "x86 SIMD headers",
        re.compile(r"#\s*include\s*[<\"](?:[a-z]*mmintrin|x86intrin|ia32intrin|x86gprintrin|[a-z0-9]*intrin)\.h[>\"]"),
    ),
    ("AVX-512 intrinsics", re.compile(r"\b(?:_mm512_\w+|__m512[dhi]?)\b")),
    ("AVX intrinsics", re.compile(r"\b(?:_mm256_\w+|__m256[dhi]?)\b")),
    ("SSE intrinsics", re.compile(r"\b(?:_mm_\w+|__m128[dhi]?|__m64)\b")),
    ("x86 compiler builtins", re.compile(r"\b__builtin_ia32_\w+")),
    (
        "host CPU checks",
        re.compile(
            r"\b(?:__builtin_cpu_supports|__builtin_cpu_is|__get_cpuid\w*|__cpuid\w*)\b|#\s*include\s*[<\"]cpuid\.h[>\"]"
        ),
    ),
    (
        "x86 bit-manipulation intrinsics",
        re.compile(r"\b_(?:pdep|pext|bzhi|blsr|tzcnt|lzcnt|popcnt)_u(?:32|64)\b|\b__rdtscp?\b|\b_rdtsc\b"),
    ),
]
_ARM_HEADER = re.compile(r"#\s*include\s*[<\"](?:arm_neon|arm_sve|arm_acle)\.h[>\"]")
_ASM = re.compile(
    r"\b(?:__asm__|__asm|asm)\b(?:\s+(?:volatile|__volatile__|__volatile|goto|inline))*\s*(\(|\{)|\b__asm\s+[a-z]"
)
_X86_ASM_TEXT = re.compile(
    r"%%?[re]?(?:ax|bx|cx|dx|si|di|sp|bp)\b|%%?r\d+[dwb]?\b|%%?[xyz]mm\d+|\b(?:rdtscp?|cpuid|pause|mfence|lfence|sfence|xchg|cmpxchg\w*|"
    r"bswap|popcnt|lzcnt|tzcnt|bsf|bsr|pushf\w?|popf\w?|movdq[au]|vmovdq\w*|vmovap\w*|vmovup\w*|xgetbv|int\s+\$?3)\b|\b[re][abcd]x\b|\beax\b"
)
_ARM_ASM_TEXT = re.compile(
    r"\b(?:dmb|dsb|isb|yield|wfe|sev|mrs|msr|ldxr\w*|stxr\w*|ldaxr\w*|stlxr\w*|ldar\w*|stlr\w*|cntvct_el0|[xw]\d{1,2}|"
    r"ld1|st1|fmla|casal?|swpal?|ldadd\w*)\b"
)
_ERROR = re.compile(r"^\s*#\s*error\b(.*)$")
_X86_PATH = re.compile(
    r"(?:^|[/_.-])(?:x86|x86_64|x64|amd64|i[3-6]86|sse\d?\w*|ssse3|avx\w*|adx|f16c|fma[34]|popcnt|bmi\d?|xop|intel)(?:[/_.-]|$)",
    re.IGNORECASE,
)
# ``asm volatile("" ::: "memory")``: an empty statement, a compiler barrier that is portable.
_EMPTY_ASM = re.compile(r"(?:__asm__|__asm|asm)\b[^(\"]*\(\s*\"\"")
# ``int counter asm("name")``: a GCC assembler label for a symbol, not an instruction.
_ASM_LABEL = re.compile(r"[\w)\]]\s+(?:__asm__|__asm|asm)\s*\(\s*\"[\w.$@]*\"\s*\)")
# Files for other architectures (PowerPC, RISC-V, s390x, MIPS, WebAssembly, 32-bit Arm) are compiled for those
# only, and files for other operating systems (Windows, Apple) are not part of a Linux/aarch64 build.
_OTHER_ARCH_PATH = re.compile(
    r"(?:^|[/_.-])(?:ppc\w*|powerpc|vsx\d*|vxe?\d?|altivec|rvv|riscv\w*|s390x?|mips\w*|loongarch\w*|wasm\w*|emu128|armv[4-7]\w*|"
    r"armhf|arm32|win|win32|win64|windows|msvc|mingw|apple|macos|darwin|ios)(?:[/_.-]|$)",
    re.IGNORECASE,
)
_ARM_PATH = re.compile(r"(?:^|[/_.-])(?:neon|arm|arm64|aarch64|sve\d?|armv8)(?:[/_.-]|$)", re.IGNORECASE)

_FLAG = re.compile(
    r"(?<![\w-])-m(?:avx\w*|sse\w*|fma4?|bmi2?|f16c|popcnt|lzcnt|pclmul|aes|sha|xop|rdrnd|movbe|"
    r"arch=(?:haswell|broadwell|skylake[\w-]*|cascadelake|icelake[\w-]*|sapphirerapids|alderlake|tigerlake|"
    r"znver\d|x86-64(?:-v\d)?|native|core\w*|sandybridge|ivybridge|nehalem|westmere|k8|pentium\w*|i[3-6]86)|"
    r"tune=(?:haswell|broadwell|skylake[\w-]*|cascadelake|icelake[\w-]*|znver\d|intel|core\w*|sandybridge|generic-x86))(?![\w-])"
)
_X86_LIBRARY = re.compile(r"(?<![\w-])-l(?:mkl\w*|iomp5|ipp\w*)\b|\bmkl_rt\b|\bIPP::\w+|\bMKL::\w+")
_MAKE_IF = re.compile(r"^\s*(ifeq|ifneq|ifdef|ifndef)\b(.*)$")
_CMAKE_IF = re.compile(r"^\s*(if|elseif)\s*\((.*)\)\s*$", re.IGNORECASE)
_X86_CONDITION = re.compile(r"x86_64|x86|amd64|AMD64|i[3-6]86|X86|IA32|x64|win32", re.IGNORECASE)


def x86_flags(text: str) -> list[str]:
    """The x86-only compiler flags in a line (``-mavx2``, ``-march=haswell``...)."""
    return sorted(set(_FLAG.findall(text)))


_COMMENT_OR_STRING = re.compile(r"//[^\n]*|/\*.*?(?:\*/|\Z)|\"(?:\\.|[^\"\\\n])*\"?|'(?:\\.|[^'\\\n])*'?", re.DOTALL)


def strip_c_comments_and_strings(text: str, keep_strings: bool = False) -> str:
    """Blank out comments (and, unless asked, string contents) keeping every newline and offset."""

    def blank(match: re.Match[str]) -> str:
        token = match.group(0)
        if token[0] in "\"'":
            if keep_strings:
                return token
            inner = re.sub(r"[^\n]", " ", token[1:-1]) if len(token) >= 2 else ""
            return token[0] + inner + (token[-1] if len(token) >= 2 else "")
        return re.sub(r"[^\n]", " ", token)

    return _COMMENT_OR_STRING.sub(blank, text)


@dataclass
class _Group:
    lines: list[int] = field(default_factory=list)
    compiled: set[bool | None] = field(default_factory=set)
    guard: str = ""
    arm_path: bool = False


class TreeIndex:
    """Files and sub-folders per folder of the walked tree, built once per run."""

    def __init__(self, walked: tuple[str, ...]) -> None:
        self.files: dict[str, list[str]] = defaultdict(list)
        self.folders: dict[str, set[str]] = defaultdict(set)
        for path in walked:
            parent, _, name = path.rpartition("/")
            self.files[parent].append(name)
            while parent:
                grand, _, folder = parent.rpartition("/")
                if folder in self.folders[grand]:
                    break
                self.folders[grand].add(folder)
                parent = grand

    def sibling_arm_path(self, path: str) -> str | None:
        """A sibling file or folder that provides the arm64 version of an x86-specific file."""
        if not _X86_PATH.search(path):
            return None
        parent = path.rpartition("/")[0]
        grand = parent.rpartition("/")[0]
        for base in dict.fromkeys((parent, grand)):
            for folder in sorted(self.folders.get(base, ())):
                if _ARM_PATH.search(folder):
                    return f"{base}/{folder}/" if base else f"{folder}/"
        for name in sorted(self.files.get(parent, ())):
            other = f"{parent}/{name}" if parent else name
            if other != path and _ARM_PATH.search(name):
                return other
        return None

    def twin(self, path: str, stems: tuple[str, ...]) -> str | None:
        """A file in the same folder whose name without extension is one of ``stems``."""
        parent = path.rpartition("/")[0]
        for name in sorted(self.files.get(parent, ())):
            if name.rsplit(".", 1)[0] in stems:
                return f"{parent}/{name}" if parent else name
        return None


def _first_lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:5])
    return shown + (", ..." if len(lines) > 5 else "")


#: Below this many native files the checks run in-process (a worker pool costs more than it saves).
PARALLEL_THRESHOLD = 400


@dataclass(frozen=True)
class FamilyHits:
    """Occurrences of one family in one file, split by whether aarch64 compiles them."""

    family: str
    reached: bool
    lines: tuple[int, ...]
    certain: bool
    guard: str
    arm_path: bool


@dataclass(frozen=True)
class FileAnalysis:
    """What one C/C++/CUDA or assembly file holds; computed in a worker, reported by the parent."""

    path: str
    hits: tuple[FamilyHits, ...] = ()
    errors: tuple[tuple[int, bool], ...] = ()  # (#error line, certainly reached)
    arm_in_file: bool = False
    x86_asm_lines: tuple[int, ...] = ()


# One pass of this over the raw bytes rejects most C files of a big tree; it also finds the candidate lines.
_C_PREFILTER = re.compile(r"_mm|__m\d|intrin|asm|__builtin_|cpuid|#[ \t]*error|rdtsc|_pdep_|_pext_|_bzhi_|_blsr_|cnt_u")
# Substring tests run at memchr speed; a file containing none of them cannot match _C_PREFILTER.
_C_LITERALS = (
    b"_mm",
    b"__m1",
    b"__m2",
    b"__m5",
    b"__m6",
    b"intrin",
    b"asm",
    b"__builtin_",
    b"cpuid",
    b"#error",
    b"# error",
    b"#  error",
    b"#\terror",
    b"rdtsc",
    b"_pdep_",
    b"_pext_",
    b"_bzhi_",
    b"_blsr_",
    b"cnt_u",
)
_C_PREFILTER_BYTES = re.compile(_C_PREFILTER.pattern.encode())
_C_SCAN = re.compile(
    "|".join(f"(?P<f{index}>{pattern.pattern})" for index, (_, pattern) in enumerate(_FAMILIES))
    + f"|(?P<asm>{_ASM.pattern})|(?P<error>^[ \\t]*#[ \\t]*error\\b[^\\n]*)",
    re.MULTILINE,
)


def _read(root: str, path: str) -> bytes | None:
    try:
        data = read_in_root(root, path, MAX_SOURCE_BYTES + 1)
    except OSError:
        return None
    return None if len(data) > MAX_SOURCE_BYTES else data


def analyze_file(root: str, path: str, language: str) -> FileAnalysis | None:
    """Read and analyse one native file (module-level so worker processes can run it)."""
    if _OTHER_ARCH_PATH.search(path):
        return None
    data = _read(root, path)
    if data is None:
        return None
    if language == "asm":
        return _analyze_asm(path, data)
    if not any(literal in data for literal in _C_LITERALS) or not _C_PREFILTER_BYTES.search(data):
        return None
    return _analyze_c(path, data.decode("utf-8", errors="replace"))


def _analyze_c(path: str, text: str) -> FileAnalysis | None:
    code = strip_c_comments_and_strings(text)
    code_lines = code.split("\n")
    line_starts = [0]
    for line in code_lines[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    candidates = sorted({bisect.bisect_right(line_starts, m.start()) for m in _C_PREFILTER.finditer(code)})
    matches = [(number, m) for number in candidates for m in _C_SCAN.finditer(code_lines[number - 1])]
    if not matches:
        return None
    text_lines = text.split("\n")
    guards = GuardMap(code)
    groups: dict[tuple[str, bool], _Group] = defaultdict(_Group)
    seen: set[tuple[str, int]] = set()
    errors: list[tuple[int, bool]] = []
    for number, match in matches:
        state = guards.state(number)
        if state.in_arm_branch:
            continue
        kind = match.lastgroup or ""
        if kind == "error":
            # Only an #error that a chain about the architecture leads aarch64 to; unconditional ones
            # stop every build and are deliberate, and unknown project macros may keep it unreachable.
            if state.compiled is True and any(arch_condition(c) for f in state.frames for c in f.conditions):
                errors.append((number, True))
            continue
        if kind == "asm":
            family = "inline assembly"
            statement = " ".join(text_lines[number - 1 : number + 3])
            x86_text = bool(_X86_ASM_TEXT.search(statement))
            if _ARM_ASM_TEXT.search(statement) and not x86_text:
                continue
            if state.compiled is None and not x86_text:
                continue  # some other architecture's assembly behind a project macro
            if _ASM_LABEL.search(text_lines[number - 1]) or _EMPTY_ASM.search(text_lines[number - 1]):
                continue
        else:
            family = _FAMILIES[int(kind[1:])][0]
        if (family, number) in seen:
            continue  # one occurrence per line and family
        seen.add((family, number))
        group = groups[family, state.compiled is not False]
        group.lines.append(number)
        group.compiled.add(state.compiled)
        group.guard = group.guard or state.guard
        group.arm_path = group.arm_path or state.chain_has_arm_path
    hits = tuple(
        FamilyHits(
            family,
            reached,
            tuple(group.lines),
            all(c is True for c in group.compiled if c is not False),
            group.guard,
            group.arm_path,
        )
        for (family, reached), group in sorted(groups.items())
    )
    return FileAnalysis(path, hits, tuple(errors), bool(_ARM_HEADER.search(code)))


def _analyze_asm(path: str, data: bytes) -> FileAnalysis | None:
    if _ARM_PATH.search(path):
        return None
    code = strip_c_comments_and_strings(data.decode("utf-8", errors="replace"), keep_strings=True)
    guards = GuardMap(code)
    x86_lines = tuple(
        number
        for number, line in enumerate(code.split("\n"), start=1)
        if _X86_ASM_TEXT.search(line)
        and guards.state(number).compiled is not False
        and not guards.state(number).in_arm_branch
    )
    return FileAnalysis(path, x86_asm_lines=x86_lines) if x86_lines else None


def check_sources(ctx: Context) -> None:
    tree = TreeIndex(ctx.report.walked)
    jobs = [
        (c.location.path, str(c.get("language")))
        for c in ctx.components(ComponentKind.SOURCE_FILE)
        if c.get("language") in ("c", "cpp", "cuda", "asm")
    ]
    paths = [path for path, _ in jobs]
    languages = [language for _, language in jobs]
    analyse = functools.partial(analyze_file, ctx.root)
    workers = os.cpu_count() or 1
    if len(jobs) >= PARALLEL_THRESHOLD and workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(analyse, paths, languages, chunksize=64))
    else:
        results = [analyse(path, language) for path, language in jobs]
    by_x86_folder: dict[str, list[FileAnalysis]] = defaultdict(list)
    for analysis in results:
        if analysis is None:
            continue
        folder = analysis.path.rpartition("/")[0]
        x86_folder = _X86_PATH.search(folder) is not None and tree.sibling_arm_path(analysis.path) is None
        if x86_folder and (analysis.x86_asm_lines or any(h.reached for h in analysis.hits)):
            by_x86_folder[folder].append(analysis)  # reported once per folder below
            continue
        source = ctx.read(analysis.path)
        if source is None:
            continue
        if analysis.x86_asm_lines:
            _report_asm(ctx, source, analysis.x86_asm_lines, tree)
        else:
            _report_c(ctx, source, analysis, tree)
    for folder, analyses in sorted(by_x86_folder.items()):
        for rule, members in (
            ("asm-x86-file-without-arm64", [a for a in analyses if a.x86_asm_lines]),
            ("c-x86-intrinsics", [a for a in analyses if not a.x86_asm_lines]),
        ):
            if not members:
                continue
            first = members[0]
            source = ctx.read(first.path)
            if source is None:
                continue
            line = first.x86_asm_lines[0] if first.x86_asm_lines else next(h.lines[0] for h in first.hits if h.reached)
            what = "x86 assembly" if first.x86_asm_lines else "x86 intrinsics or inline assembly"
            ctx.emit(
                rule,
                source.location_of_line(line),
                f"{len(members)} file(s) with {what} in {folder}/, an x86-specific folder with no arm64 counterpart "
                f"(first {source.name}); the build probably selects them only for x86: check a portable path exists",
                subject=f"{folder}/",
                count=len(members),
                confidence=Confidence.LOW,
            )


def _report_c(ctx: Context, source: SourceFile, analysis: FileAnalysis, tree: TreeIndex) -> None:
    x86_specific = _X86_PATH.search(source.path) is not None
    for number, certain in analysis.errors:
        ctx.emit(
            "c-error-on-aarch64",
            source.location_of_line(number),
            f"#error{source.lines[number - 1].split('error', 1)[-1].rstrip()} is reached when compiling for aarch64"
            + (" (in an x86-specific file, which the build may only use on x86)" if x86_specific else ""),
            # the directive's text, not its line number: the fingerprint must survive line shifts
            subject="#error " + source.lines[number - 1].split("error", 1)[-1].strip(),
            confidence=Confidence.LOW if x86_specific else (Confidence.HIGH if certain else Confidence.MEDIUM),
        )
    sibling = tree.sibling_arm_path(source.path) if analysis.hits else None
    for hits in analysis.hits:
        count = len(hits.lines)
        where = source.location_of_line(hits.lines[0])
        occurrences = f"{count} occurrence{'s' if count != 1 else ''} (lines {_first_lines(list(hits.lines))})"
        if not hits.reached:
            why = f"only under {hits.guard}" if hits.guard else "behind x86-only guards"
            arm = "; the chain has an arm64 or generic branch" if hits.arm_path or analysis.arm_in_file else ""
            ctx.emit(
                "c-x86-code-already-ported",
                where,
                f"{hits.family}: {occurrences} are not compiled on aarch64 ({why}{arm})",
                subject=f"{hits.family} (not compiled)",
                count=count,
            )
            continue
        if sibling is not None:
            ctx.emit(
                "c-x86-code-already-ported",
                where,
                f"{hits.family}: {occurrences} in an x86-specific file; {sibling} provides the arm64 path",
                subject=hits.family,
                count=count,
                confidence=Confidence.MEDIUM,
            )
            continue
        rule = "c-inline-asm" if hits.family == "inline assembly" else "c-x86-intrinsics"
        condition = "" if hits.certain else f" unless {hits.guard} is off in the aarch64 build"
        ctx.emit(
            rule,
            where,
            f"{hits.family}: {occurrences} compiled on aarch64{condition}",
            subject=hits.family,
            count=count,
            confidence=Confidence.HIGH if hits.certain else Confidence.MEDIUM,
        )


def _report_asm(ctx: Context, source: SourceFile, x86_lines: tuple[int, ...], tree: TreeIndex) -> None:
    sibling = tree.sibling_arm_path(source.path)
    stem = source.name.rsplit(".", 1)[0]
    for token in ("x86_64", "amd64", "x86", "x64"):
        if token in stem and sibling is None:
            sibling = tree.twin(source.path, (stem.replace(token, "arm64"), stem.replace(token, "aarch64")))
    count = len(x86_lines)
    where = source.location_of_line(x86_lines[0])
    if sibling is not None:
        ctx.emit(
            "c-x86-code-already-ported",
            where,
            f"x86 assembly: {count} lines; {sibling} provides the arm64 path",
            subject="x86 assembly",
            count=count,
            confidence=Confidence.MEDIUM,
        )
        return
    ctx.emit(
        "asm-x86-file-without-arm64",
        where,
        f"{source.name} holds x86 assembly ({count} lines, first at line {x86_lines[0]}) and has no arm64 counterpart",
        subject=source.path,
        count=count,
        fix=f"Add an arm64 version beside it ({source.name.rsplit('.', 1)[0]}_arm64.{source.name.rsplit('.', 1)[-1]}, "
        "or an aarch64/ folder) or a portable C fallback, and pick one by architecture in the build.",
    )


def _python_x86_branch(lines: list[str], number: int) -> bool:
    """Whether line ``number`` of a Python build script sits in an ``if`` that tests for x86."""
    line = lines[number - 1]
    indent = len(line) - len(line.lstrip())
    for previous in reversed(lines[: number - 1]):
        stripped = previous.strip()
        if not stripped or stripped.startswith("#"):
            continue
        level = len(previous) - len(previous.lstrip())
        if level < indent:
            if stripped.startswith(("if ", "elif ")):
                return bool(_X86_CONDITION.search(stripped))
            indent = level
            if level == 0:
                return False
    return False


def check_build_files(ctx: Context) -> None:
    paths = [c.location.path for c in ctx.components(ComponentKind.SOURCE_FILE) if c.get("build_system") is not None]
    paths += [p for p in ctx.report.walked if p.rsplit("/", 1)[-1] in ("setup.py", "configure", "build.rs")]
    for component in ctx.components(ComponentKind.SOURCE_FILE):
        if component.get("build_system") == "config.guess" and component.get("mentions_aarch64") is False:
            ctx.emit(
                "config-guess-without-aarch64",
                component.location,
                f"{component.name} predates aarch64 support: ./configure cannot identify an arm64 build machine",
                subject=component.name,
            )
    for path in sorted(set(paths)):
        if path.endswith(("config.guess", "config.sub")):
            continue
        source = ctx.read(path)
        if source is None:
            continue
        _check_build_file(ctx, source)


def _check_build_file(ctx: Context, source: SourceFile) -> None:
    cmake = source.name == "CMakeLists.txt" or source.name.endswith(".cmake")
    make = not cmake and source.name not in ("setup.py", "meson.build", "build.rs")
    # Stack of (condition is x86-specific, now in its else-branch).
    stack: list[list[bool]] = []
    flags_seen: dict[str, list[int]] = defaultdict(list)
    libraries_seen: dict[str, list[int]] = defaultdict(list)
    for number, raw in enumerate(source.lines, start=1):
        line = raw.split("#", 1)[0]  # Make, CMake, meson and Python all comment with #
        stripped = line.strip()
        lowered = stripped.lower()
        if make:
            opening = _MAKE_IF.match(stripped)
            if opening:
                stack.append([bool(_X86_CONDITION.search(opening.group(2))), False])
                continue
            if lowered.startswith("else") and stack:
                stack[-1][1] = True
                continue
            if lowered.startswith("endif") and stack:
                stack.pop()
                continue
        elif cmake:
            opening = _CMAKE_IF.match(stripped)
            if opening and opening.group(1).lower() == "if":
                stack.append([bool(_X86_CONDITION.search(opening.group(2))), False])
                continue
            if opening and stack:  # elseif
                stack[-1] = [bool(_X86_CONDITION.search(opening.group(2))), False]
                continue
            if lowered.startswith("else(") and stack:
                stack[-1][1] = True
                continue
            if lowered.startswith("endif(") and stack:
                stack.pop()
                continue
        if any(x86 and not in_else for x86, in_else in stack):
            continue  # only used when building for x86
        if source.name.endswith(".py") and _python_x86_branch(source.lines, number):
            continue
        for flag in x86_flags(line):
            flags_seen[flag].append(number)
        for library in _X86_LIBRARY.findall(line):
            libraries_seen[library].append(number)
    if flags_seen:
        first = min(n for lines in flags_seen.values() for n in lines)
        count = sum(len(lines) for lines in flags_seen.values())
        only_native = set(flags_seen) == {"-march=native"}
        note = (
            " (-march=native also works with GCC/Clang on aarch64, but binds the build to its host CPU: "
            "an image built on an x86 host is x86-only)"
            if only_native
            else ""
        )
        in_x86_folder = _X86_PATH.search(source.path.rpartition("/")[0]) is not None
        ctx.emit(
            "build-x86-compiler-flags",
            source.location_of_line(first),
            f"{source.name} passes x86-only compiler flags: {', '.join(sorted(flags_seen))} "
            f"(lines {_first_lines(sorted({n for lines in flags_seen.values() for n in lines}))}){note}"
            + (" in an x86-specific folder" if in_x86_folder else ""),
            subject=",".join(sorted(flags_seen)),
            count=count,
            confidence=Confidence.LOW if only_native or in_x86_folder else Confidence.HIGH,
        )
    if libraries_seen:
        first = min(n for lines in libraries_seen.values() for n in lines)
        ctx.emit(
            "build-x86-only-library",
            source.location_of_line(first),
            f"{source.name} links x86-only libraries: {', '.join(sorted(libraries_seen))}",
            subject=",".join(sorted(libraries_seen)),
            count=sum(len(lines) for lines in libraries_seen.values()),
        )
