"""C/C++/Fortran/CUDA sources, assembly files and native build files.

Guard-aware: code an aarch64 build never compiles (``#ifdef __AVX2__``) is
not a blocker; it is listed as already ported when the chain or a sibling
file/folder provides the arm64 path. One finding per file and family, with
the number of occurrences and the first lines, so a file with 3,000
intrinsics is one line in the report, not 3,000.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from replatform.assess.context import Context
from replatform.assess.preprocessor import line_states
from replatform.discover.source import SourceFile
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
    r"bswap|popcnt|lzcnt|tzcnt|bsf|bsr|pushf\w?|popf\w?|movdqu|vmov\w+|xgetbv|int\s+\$?3)\b|\b[re][abcd]x\b|\beax\b"
)
_ARM_ASM_TEXT = re.compile(
    r"\b(?:dmb|dsb|isb|yield|wfe|sev|mrs|msr|ldxr\w*|stxr\w*|ldaxr\w*|stlxr\w*|ldar\w*|stlr\w*|cntvct_el0|[xw]\d{1,2}|"
    r"ld1|st1|fmla|casal?|swpal?|ldadd\w*)\b"
)
_ERROR = re.compile(r"^\s*#\s*error\b(.*)$")
_X86_PATH = re.compile(r"(?:^|[/_.-])(?:x86|x86_64|x64|amd64|i386|sse\d?\w*|avx\w*|intel)(?:[/_.-]|$)", re.IGNORECASE)
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
_X86_CONDITION = re.compile(r"x86_64|x86|amd64|AMD64|i[3-6]86|X86|IA32|x64", re.IGNORECASE)


def x86_flags(text: str) -> list[str]:
    """The x86-only compiler flags in a line (``-mavx2``, ``-march=haswell``...)."""
    return sorted(set(_FLAG.findall(text)))


def strip_c_comments_and_strings(text: str, keep_strings: bool = False) -> str:
    """Blank out comments (and, unless asked, string contents) keeping every newline and offset."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch == "/" and nxt == "/":
            end = text.find("\n", i)
            end = n if end == -1 else end
            out.append(" " * (end - i))
            i = end
        elif ch == "/" and nxt == "*":
            end = text.find("*/", i + 2)
            end = n if end == -1 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(text[i:j] if keep_strings else ch + " " * max(0, j - i - 2) + (ch if j - i >= 2 else ""))
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@dataclass
class _Group:
    lines: list[int] = field(default_factory=list)
    compiled: set[bool | None] = field(default_factory=set)
    guard: str = ""
    arm_path: bool = False


def _sibling_arm_path(path: str, walked: frozenset[str], directories: frozenset[str]) -> str | None:
    """A sibling file or folder that provides the arm64 version of an x86-specific file."""
    if not _X86_PATH.search(path):
        return None
    parent = path.rsplit("/", 1)[0] if "/" in path else ""
    grand = parent.rsplit("/", 1)[0] if "/" in parent else ""
    for candidate in sorted(directories):
        base = candidate.rsplit("/", 1)[0] if "/" in candidate else ""
        if base in (parent, grand) and _ARM_PATH.search(candidate.rsplit("/", 1)[-1]):
            return candidate + "/"
    for other in sorted(walked):
        other_parent = other.rsplit("/", 1)[0] if "/" in other else ""
        if other_parent == parent and other != path and _ARM_PATH.search(other.rsplit("/", 1)[-1]):
            return other
    return None


def _directories(walked: tuple[str, ...]) -> frozenset[str]:
    dirs = set()
    for path in walked:
        while "/" in path:
            path = path.rsplit("/", 1)[0]
            dirs.add(path)
    return frozenset(dirs)


def _first_lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:5])
    return shown + (", ..." if len(lines) > 5 else "")


def check_sources(ctx: Context) -> None:
    walked = frozenset(ctx.report.walked)
    directories = _directories(ctx.report.walked)
    for component in ctx.components(ComponentKind.SOURCE_FILE):
        language = component.get("language")
        if language not in ("c", "cpp", "cuda", "asm", "fortran"):
            continue
        source = ctx.read(component.location.path)
        if source is None:
            continue
        if language == "asm":
            _check_asm_file(ctx, source, walked, directories)
        else:
            _check_c_file(ctx, source, walked, directories)


def _check_c_file(ctx: Context, source: SourceFile, walked: frozenset[str], directories: frozenset[str]) -> None:
    text = source.text
    if not any(
        marker in text
        for marker in ("_mm", "__m", "intrin", "asm", "__builtin_", "cpuid", "#error", "_rdtsc", "_u32", "_u64")
    ):
        return
    code = strip_c_comments_and_strings(text).split("\n")
    with_strings = strip_c_comments_and_strings(text, keep_strings=True).split("\n")
    states = line_states(code)
    arm_in_file = any(_ARM_HEADER.search(line) for line in code)
    sibling = _sibling_arm_path(source.path, walked, directories)
    groups: dict[tuple[str, bool], _Group] = defaultdict(_Group)
    for number, (line, state) in enumerate(zip(code, states, strict=False), start=1):
        if state.in_arm_branch:
            continue
        reached = state.compiled is not False
        for family, pattern in _FAMILIES:
            if pattern.search(line):
                group = groups[family, reached]
                group.lines.append(number)
                group.compiled.add(state.compiled)
                group.guard = group.guard or state.guard
                group.arm_path = group.arm_path or state.chain_has_arm_path
                break
        if _ASM.search(line):
            statement = " ".join(with_strings[number - 1 : number + 3])
            if _ARM_ASM_TEXT.search(statement) and not _X86_ASM_TEXT.search(statement):
                continue
            group = groups["inline assembly", reached]
            group.lines.append(number)
            group.compiled.add(state.compiled)
            group.guard = group.guard or state.guard
            group.arm_path = group.arm_path or state.chain_has_arm_path
        error = _ERROR.match(line)
        if error and (state.compiled is True or (state.compiled is None and state.chain_has_arm_path)):
            ctx.emit(
                "c-error-on-aarch64",
                source.location_of_line(number),
                f"#error{with_strings[number - 1].split('error', 1)[-1].rstrip()} is reached when compiling for aarch64",
                subject=f"#error:{number}",
                confidence=Confidence.HIGH if state.compiled else Confidence.MEDIUM,
            )
    for family, reached_group in sorted(groups):
        group = groups[family, reached_group]
        first = group.lines[0]
        count = len(group.lines)
        where = source.location_of_line(first)
        occurrences = f"{count} occurrence{'s' if count != 1 else ''} (lines {_first_lines(group.lines)})"
        compiled_states = [c for c in group.compiled if c is not False]
        if not reached_group:
            why = f"only under {group.guard}" if group.guard else "behind x86-only guards"
            arm = "; the chain has an arm64 or generic branch" if group.arm_path or arm_in_file else ""
            ctx.emit(
                "c-x86-code-already-ported",
                where,
                f"{family}: {occurrences} are not compiled on aarch64 ({why}{arm})",
                subject=f"{family} (not compiled)",
                count=count,
            )
            continue
        if sibling is not None:
            ctx.emit(
                "c-x86-code-already-ported",
                where,
                f"{family}: {occurrences} in an x86-specific file; {sibling} provides the arm64 path",
                subject=family,
                count=count,
                confidence=Confidence.MEDIUM,
            )
            continue
        rule = "c-inline-asm" if family == "inline assembly" else "c-x86-intrinsics"
        certain = all(c is True for c in compiled_states)
        condition = "" if certain else f" unless {group.guard} is off in the aarch64 build"
        ctx.emit(
            rule,
            where,
            f"{family}: {occurrences} compiled on aarch64{condition}",
            subject=family,
            count=count,
            confidence=Confidence.HIGH if certain else Confidence.MEDIUM,
        )


def _check_asm_file(ctx: Context, source: SourceFile, walked: frozenset[str], directories: frozenset[str]) -> None:
    if _ARM_PATH.search(source.path):
        return
    code = strip_c_comments_and_strings(source.text, keep_strings=True).split("\n")
    states = line_states(code)
    x86_lines = [
        number
        for number, (line, state) in enumerate(zip(code, states, strict=False), start=1)
        if state.compiled is not False and not state.in_arm_branch and _X86_ASM_TEXT.search(line)
    ]
    if not x86_lines:
        return
    sibling = _sibling_arm_path(source.path, walked, directories)
    stem = source.name.rsplit(".", 1)[0]
    for token in ("x86_64", "amd64", "x86", "x64"):
        if token in stem and sibling is None:
            twin_stem = stem.replace(token, "arm64"), stem.replace(token, "aarch64")
            parent = source.path.rsplit("/", 1)[0] + "/" if "/" in source.path else ""
            for other in walked:
                if other.startswith(parent) and other.rsplit("/", 1)[-1].rsplit(".", 1)[0] in twin_stem:
                    sibling = other
                    break
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
    )


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
        for flag in x86_flags(line):
            flags_seen[flag].append(number)
        for library in _X86_LIBRARY.findall(line):
            libraries_seen[library].append(number)
    if flags_seen:
        first = min(n for lines in flags_seen.values() for n in lines)
        count = sum(len(lines) for lines in flags_seen.values())
        ctx.emit(
            "build-x86-compiler-flags",
            source.location_of_line(first),
            f"{source.name} passes x86-only compiler flags: {', '.join(sorted(flags_seen))} "
            f"(lines {_first_lines(sorted({n for lines in flags_seen.values() for n in lines}))})",
            subject=",".join(sorted(flags_seen)),
            count=count,
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
