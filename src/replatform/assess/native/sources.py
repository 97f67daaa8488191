"""One C/C++/CUDA or assembly file: which x86 constructs it holds and whether aarch64 compiles them.

`analyze` works on the bytes discovery already read (no second read) and
returns a small, picklable `FileAnalysis` with the locations of the lines it
reports, so the parent process can emit findings without the file. Most
files stop at `might_match`, one pass of a linear-time regex over the raw
bytes that is a superset of every rule pattern below (see `PREFILTER`).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field

import re2

from replatform.assess.native.paths import arm_specific
from replatform.assess.native.preprocessor import CommentMap, GuardMap, Include, arch_condition
from replatform.model import Location

#: Files larger than this are not analysed (generated code, amalgamations beyond any hand-written size).
MAX_SOURCE_BYTES = 4 * 1024 * 1024

# x86 intrinsic headers are GCC/Clang's ``*intrin.h`` family (and ``cpuid.h``); these ``*intrin.h`` are not x86:
# MSVC's generic <intrin.h> (any architecture), LoongArch, s390x and PowerPC ones, and Clang's MSVC Arm shims.
_NOT_X86_HEADERS = frozenset(
    {
        "intrin.h",
        "lsxintrin.h",
        "lasxintrin.h",
        "vecintrin.h",
        "htmintrin.h",
        "htmxlintrin.h",
        "armintr.h",
        "arm64intr.h",
    }
)
_INTRIN_HEADER = re.compile(r"[a-z0-9_]*intrin\.h|mm3dnow\.h")


def x86_header(name: str) -> bool:
    """An x86 SIMD/intrinsics header (``immintrin.h``, ``x86intrin.h``...), by name."""
    base = name.rsplit("/", 1)[-1].lower()
    return base not in _NOT_X86_HEADERS and _INTRIN_HEADER.fullmatch(base) is not None


_FAMILIES: list[tuple[str, re.Pattern[str]]] = [
    ("AVX-512 intrinsics", re.compile(r"\b(?:_mm512_\w+|__m512[dhi]?)\b")),
    ("AVX intrinsics", re.compile(r"\b(?:_mm256_\w+|__m256[dhi]?)\b")),
    ("SSE intrinsics", re.compile(r"\b(?:_mm_\w+|__m128[dhi]?|__m64)\b")),
    ("x86 compiler builtins", re.compile(r"\b__builtin_ia32_\w+")),
    (
        "host CPU checks",
        re.compile(r"\b(?:__builtin_cpu_supports|__builtin_cpu_is|__get_cpuid\w*|__cpuid\w*)\b"),
    ),
    (
        "x86 bit-manipulation intrinsics",
        re.compile(r"\b_(?:pdep|pext|bzhi|blsr|tzcnt|lzcnt|popcnt)_u(?:32|64)\b|\b__rdtscp?\b|\b_rdtsc\b"),
    ),
]
HEADER_FAMILY = "x86 SIMD headers"
_INCLUDE_LINE = re.compile(r"^[ \t]*#[ \t]*include\b")
_INCLUDE_NAME = re.compile(r"#\s*include\s*[<\"]([^>\"]+)[>\"]")
_ARM_HEADER = re.compile(r"#\s*include\s*[<\"](?:arm_neon|arm_sve|arm_acle)\.h[>\"]")
_ASM = re.compile(
    r"\b(?:__asm__|__asm|asm)\b(?:\s+(?:volatile|__volatile__|__volatile|goto|inline))*\s*(\(|\{)|\b__asm\s+[a-z]"
)
_ERROR = re.compile(r"^[ \t]*#[ \t]*error\b")
X86_ASM_TEXT: re.Pattern[str] = re.compile(
    r"%%?[re]?(?:ax|bx|cx|dx|si|di|sp|bp)\b|%%?r\d+[dwb]?\b|%%?[xyz]mm\d+|\b[xyz]mm\d+\b|\b(?:rdtscp?|cpuid|pause|mfence|"
    r"lfence|sfence|xchg|cmpxchg\w*|bswap|popcnt|lzcnt|tzcnt|bsf|bsr|pushf\w?|popf\w?|movdq[au]|vmovdq\w*|vmovap\w*|"
    r"vmovup\w*|xgetbv|int\s+\$?3|shrx|shlx|sarx|rorx|pdep|pext|bzhi|blsr|blsi|andn|adcx|adox|mulx)\b|\b[re][abcd]x\b|\beax\b"
)
_X86_ASM_BYTES = re2.compile(X86_ASM_TEXT.pattern.encode())
_ARM_ASM_TEXT = re.compile(
    r"\b(?:dmb|dsb|isb|yield|wfe|sev|mrs|msr|ldxr\w*|stxr\w*|ldaxr\w*|stlxr\w*|ldar\w*|stlr\w*|cntvct_el0|[xw]\d{1,2}|"
    r"ld1|st1|fmla|casal?|swpal?|ldadd\w*|rbit|rev(?:16|32)?|clz|cls|umulh|smulh|madd|msub|csel|cset|csinc|ldp|stp|"
    r"ldr[bh]?|str[bh]?|uzp\d|zip\d|tbl|tbx|pmull2?|aes[ed]|aesi?mc|sha\d+\w*|prfm|eor3|bcax|uaddlv|addv)\b"
)
# ``asm volatile("" ::: "memory")``: an empty statement, a compiler barrier that is portable.
_EMPTY_ASM = re.compile(r"(?:__asm__|__asm|asm)\b[^(\"]*\(\s*\"\"")
# ``asm volatile("# LLVM-MCA-BEGIN")``: an assembler comment, no instruction.
_ASM_COMMENT = re.compile(r"(?:__asm__|__asm|asm)\b[^(\"]*\(\s*\"\s*(?:#|//|;|/\*)")
_X86_ASM_STRICT = re.compile(
    r"\b(?:rdtscp?|cpuid|pause|mfence|lfence|sfence|xgetbv|[re][abcd]x|[re][sd]i|[re][sb]p)\b|%%?[xyz]mm\d"
)
# NEON intrinsic names: a line naming one next to an x86 intrinsic is a per-architecture table or macro call.
_NEON_INTRINSIC = re.compile(
    r"\bv(?:ld|st|add|sub|mul|and|orr|orn|eor|bic|dup|get|set|cnt|shl|shr|max|min|ceq|cgt|cge|clt|cle|tst|rev|ext|"
    r"zip|uzp|trn|tbl|cvt|mov|comb|abs|neg|mla|mls|pad|bsl|reinterpret|qadd|qsub|rshr|sra|clz|rbit|addv|maxv|minv)"
    r"\w*_[usfpb](?:8|16|32|64)\b"
)
# ``int counter asm("name")``: a GCC assembler label for a symbol, not an instruction.
_ASM_LABEL = re.compile(r"[\w)\]]\s+(?:__asm__|__asm|asm)\s*\(\s*\"[\w.$@]*\"\s*\)")

# Every rule pattern above, on the comment-free text, contains one of these at the same offsets of the raw
# text (blanking comments and strings only removes text): ``#/**/error`` is why ``#`` may be followed by ``/*``.
PREFILTER_PATTERN = (
    r"_mm(?:_|256_|512_)|__m(?:64|128|256|512)|intrin\.h|3dnow|\basm\b|__asm|__builtin_(?:ia32|cpu)|cpuid|"
    r"#[ \t]*(?:error|/\*)|rdtsc|_pdep_|_pext_|_bzhi_|_blsr_|cnt_u"
)
_PREFILTER_BYTES = re2.compile(PREFILTER_PATTERN.encode())
_CANDIDATE = re.compile(PREFILTER_PATTERN)
# Python's engine skips to each "#" at memchr speed here; re2's wrapper pays per match.
_INCLUDES_BYTES = re.compile(rb"#[ \t]*include[ \t]*[<\"]([^>\"\n]+)[>\"]")
# A project's own macro named like an intrinsic (#define _mm_malloc(a, b) memalign(b, a)) is no intrinsic.
_SHIM_DEFINES = re.compile(
    rb"#[ \t]*define[ \t]+(_mm\w*|__m(?:64|128|256|512)\w*|_?_rdtscp?|__cpuid\w*|__get_cpuid\w*|__builtin_ia32\w*|"
    rb"_(?:pdep|pext|bzhi|blsr|tzcnt|lzcnt|popcnt)_u(?:32|64))\b"
)
_INTRINSIC_NAMES = re.compile(
    r"\b(?:_mm(?:256|512)?_\w+|__m(?:64|128|256|512)[dhi]?|_?_rdtscp?|__cpuid\w*|__get_cpuid\w*|__builtin_ia32_\w+|"
    r"__builtin_cpu_\w+|_(?:pdep|pext|bzhi|blsr|tzcnt|lzcnt|popcnt)_u(?:32|64))\b"
)


def _shims(data: bytes) -> tuple[str, ...]:
    return tuple(sorted({name.decode() for name in _SHIM_DEFINES.findall(data)})) if b"define" in data else ()


def might_match(data: bytes) -> bool:
    """False only when no rule pattern can match anywhere in the file (one linear-time pass)."""
    return _PREFILTER_BYTES.search(data) is not None


@dataclass(frozen=True)
class FamilyHits:
    """Occurrences of one family in one file, split by whether aarch64 compiles them."""

    family: str
    reached: bool
    lines: tuple[int, ...]
    certain: bool
    guard: str
    arm_path: bool
    dispatch: bool = False  # behind one arm of a per-architecture #if chain
    macro: str = ""  # inside this macro's definition, which this file never expands (judged where it is)
    names: frozenset[str] = frozenset()  # the intrinsic names seen (a few), to tell a project's own shims


@dataclass(frozen=True)
class ErrorHit:
    """An ``#error`` an architecture chain leads aarch64 to."""

    line: int
    text: str


@dataclass(frozen=True)
class FileAnalysis:
    """What one C/C++/CUDA or assembly file holds, with the locations of the lines it reports."""

    path: str
    language: str
    lines: int  # the file's line count when something is reported (0 otherwise)
    hits: tuple[FamilyHits, ...] = ()
    errors: tuple[ErrorHit, ...] = ()
    arm_in_file: bool = False
    x86_asm_line: int = 0  # first x86 instruction line aarch64 would assemble (0: none)
    includes: tuple[Include, ...] = ()
    locations: tuple[tuple[int, Location], ...] = ()
    shims: tuple[str, ...] = ()  # intrinsic-like names this file #defines itself

    def location(self, line: int) -> Location:
        """Where a reported line is (the file's first line if it was not recorded)."""
        for number, location in self.locations:
            if number == line:
                return location
        return Location(self.path, 1, 1, 1, 1, 0, 0)

    @property
    def reached(self) -> bool:
        """Something x86-specific that aarch64 compiles (or may)."""
        return bool(self.x86_asm_line) or bool(self.errors) or any(h.reached for h in self.hits)


@dataclass
class _Group:
    names: set[str] = field(default_factory=set)
    lines: list[int] = field(default_factory=list)
    compiled: set[bool | None] = field(default_factory=set)
    guards: dict[str, list[int]] = field(default_factory=dict)  # condition -> its lines, in file order
    arm_path: bool = False
    dispatch: bool = True  # every line is one arm of a per-architecture choice

    @property
    def guard(self) -> str:
        """The condition the lines sit under; with several, each with its lines, so none is misattributed."""
        named = [(guard, lines) for guard, lines in self.guards.items() if guard]
        if len(named) <= 1:
            return named[0][0] if named else ""
        return "; ".join(f"{guard} (line{'s' if len(lines) > 1 else ''} {_lines(lines)})" for guard, lines in named)


class _Text:
    """Line arithmetic over one decoded file without splitting it."""

    def __init__(self, path: str, data: bytes, text: str) -> None:
        self.path = path
        self.data = data
        self.text = text
        self.ascii = data.isascii()
        self._line, self._position = 1, 0

    def line_at(self, position: int) -> int:
        """1-based line of a character offset (offsets must be asked in increasing order, or restart)."""
        if position < self._position:
            self._line, self._position = 1, 0
        self._line += self.text.count("\n", self._position, position)
        self._position = position
        return self._line

    def offset_of_line(self, line: int, position: int, known: int) -> int:
        """Character offset where 1-based ``line`` starts, counting on from ``position`` on line ``known``."""
        for _ in range(line - known):
            following = self.text.find("\n", position)
            if following == -1:
                return len(self.text)
            position = following + 1
        return position if line > known else self.text.rfind("\n", 0, position) + 1

    def bounds(self, position: int) -> tuple[int, int]:
        start = self.text.rfind("\n", 0, position) + 1
        end = self.text.find("\n", position)
        return start, (len(self.text) if end == -1 else end)

    def location(self, line: int, start: int, end: int) -> Location:
        """The whole line ``[start, end)`` (character offsets) without its ``\\r``, as `SourceFile` would give it."""
        if end > start and self.text[end - 1] == "\r":
            end -= 1
        if self.ascii:
            byte_start, byte_end = start, end
        else:  # the text was decoded with errors="replace": measure on the bytes
            byte_start = self._byte_of_line(line)
            newline = self.data.find(b"\n", byte_start)
            byte_end = len(self.data) if newline == -1 else newline
            if byte_end > byte_start and self.data[byte_end - 1 : byte_end] == b"\r":
                byte_end -= 1
        return Location(self.path, line, 1, line, end - start + 1, byte_start, byte_end)

    def _byte_of_line(self, line: int) -> int:
        position = 0
        for _ in range(line - 1):
            position = self.data.find(b"\n", position) + 1
        return position


def analyze(path: str, data: bytes, language: str) -> FileAnalysis | None:
    """Analyse one native file's bytes; None when it holds nothing x86-specific and includes nothing."""
    if language == "asm":
        return _analyze_asm(path, data)
    if not might_match(data):
        return includes_only(path, data, language)
    return _analyze_c(path, data, language)


def includes_only(path: str, data: bytes, language: str) -> FileAnalysis | None:
    """A file with nothing to report still tells which headers it includes (compiled state unknown)."""
    names = _INCLUDES_BYTES.findall(data)
    shims = _shims(data)
    if not names and not shims:
        return None
    includes = tuple(Include(0, name.decode("utf-8", errors="replace"), None, "") for name in names)
    return FileAnalysis(path, language, 0, includes=includes, shims=shims)  # nothing to report: no line count


def _analyze_c(path: str, data: bytes, language: str) -> FileAnalysis | None:
    raw = data.decode("utf-8", errors="replace")
    comments = CommentMap(raw)
    text = _Text(path, data, raw)
    guards: GuardMap | None = None
    groups: dict[tuple[str, bool, str], _Group] = defaultdict(_Group)
    seen: set[tuple[str, int]] = set()
    errors: list[ErrorHit] = []
    locations: dict[int, Location] = {}
    visited: set[int] = set()
    positions = (
        (m.start() for m in _PREFILTER_BYTES.finditer(data))
        if text.ascii
        else (m.start() for m in _CANDIDATE.finditer(raw))
    )
    for position in positions:
        if comments.in_comment(position):
            continue
        start, end = text.bounds(position)
        if start in visited:
            continue
        visited.add(start)
        number = text.line_at(start)
        line = comments.clean(start, end)
        found = _families(line, raw[start:end])
        if not found:
            continue
        if guards is None:
            guards = GuardMap(raw, comments)
        state = guards.state(number)
        if state.in_arm_branch:
            continue
        macro = guards.macro_lines.get(number, "")
        for family in found:
            if family == "#error":
                # Only an #error that a chain about the architecture leads aarch64 to; unconditional ones
                # stop every build and are deliberate, and unknown project macros may keep it unreachable.
                if state.compiled is True and any(arch_condition(c) for f in state.frames for c in f.conditions):
                    errors.append(ErrorHit(number, raw[start:end].split("error", 1)[-1].rstrip()))
                    locations[number] = text.location(number, start, end)
                continue
            if family == "inline assembly" and not _x86_asm_statement(raw, start, state.compiled, language):
                continue
            if (family, number) in seen:
                continue  # one occurrence per line and family
            seen.add((family, number))
            group = groups[family, state.compiled is not False, macro]
            if not group.lines:
                locations[number] = text.location(number, start, end)
            group.lines.append(number)
            if len(group.names) < 64:
                group.names.update(_INTRINSIC_NAMES.findall(line))
            group.compiled.add(state.compiled)
            group.guards.setdefault(state.off if state.compiled is False else state.guard, []).append(number)
            group.arm_path = group.arm_path or state.chain_has_arm_path
            # One arm of a per-architecture chain, or a table naming the NEON intrinsic next to the x86 one.
            neon_here = _NEON_INTRINSIC.search(line) is not None
            group.dispatch = group.dispatch and (neon_here or (state.compiled is None and state.dispatch))
    if guards is None:
        return includes_only(path, data, language)
    expansions = _expansions({macro for _, _, macro in groups if macro}, text, comments, guards)
    hits = tuple(
        _family_hits(family, reached, macro, group, expansions)
        for (family, reached, macro), group in sorted(groups.items())
    )
    return FileAnalysis(
        path,
        language,
        data.count(b"\n") + 1,
        _merge(hits),
        tuple(errors),
        bool(_ARM_HEADER.search(raw)),
        includes=tuple(guards.includes),
        locations=tuple(sorted(locations.items())),
        shims=_shims(data),
    )


def _family_hits(
    family: str, reached: bool, macro: str, group: _Group, expansions: dict[str, bool | str | None]
) -> FamilyHits:
    """One family's occurrences; inside a ``#define`` they count where the macro is expanded."""
    certain = all(c is True for c in group.compiled if c is not False)
    dispatch = group.dispatch and reached
    hits = FamilyHits(
        family, reached, tuple(group.lines), certain, group.guard, group.arm_path, dispatch, "", frozenset(group.names)
    )
    if not macro or not reached:
        return hits
    expanded = expansions.get(macro)
    if expanded is None:  # never expanded in this file: judged where it is
        return FamilyHits(
            family, True, hits.lines, False, f"the expansion of {macro}", hits.arm_path, False, macro, hits.names
        )
    if expanded is False:
        guard = f"{macro}, only expanded where aarch64 does not go"
        return FamilyHits(family, False, hits.lines, False, guard, True, names=hits.names)
    guard = hits.guard or (f"the expansions of {macro}" if expanded == "maybe" else "")
    return FamilyHits(
        family, True, hits.lines, certain and expanded is True, guard, hits.arm_path, dispatch, names=hits.names
    )


def _expansions(macros: set[str], text: _Text, comments: CommentMap, guards: GuardMap) -> dict[str, bool | str | None]:
    """Per macro: whether aarch64 compiles a use of it in this file (True, "maybe", False; absent: no use)."""
    found: dict[str, bool | str | None] = {}
    raw = text.text
    starts: list[int] = []
    for name in sorted(macros):
        position = raw.find(name)
        while position != -1 and found.get(name) is not True:
            end = position + len(name)
            whole = (position == 0 or not (raw[position - 1].isalnum() or raw[position - 1] == "_")) and (
                end == len(raw) or not (raw[end].isalnum() or raw[end] == "_")
            )
            if whole and not comments.in_comment(position):
                if not starts:
                    starts = [0, *itertools.accumulate(len(line) + 1 for line in raw.split("\n"))]
                number = bisect.bisect_right(starts, position)
                if number not in guards.macro_lines:  # not the definition itself, nor another macro's body
                    compiled = guards.state(number).compiled
                    if compiled is True:
                        found[name] = True
                    elif compiled is None:
                        found[name] = "maybe"
                    elif name not in found:
                        found[name] = False
            position = raw.find(name, end)
    return found


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:3])
    return shown + (f" and {len(lines) - 3} more" if len(lines) > 3 else "")


def _merge(hits: tuple[FamilyHits, ...]) -> tuple[FamilyHits, ...]:
    """One entry per family and reachability, whatever macros the occurrences sat in."""
    merged: dict[tuple[str, bool, bool], FamilyHits] = {}
    for hit in hits:
        key = (hit.family, hit.reached, bool(hit.macro))
        previous = merged.get(key)
        if previous is None:
            merged[key] = hit
            continue
        merged[key] = FamilyHits(
            hit.family,
            hit.reached,
            tuple(sorted((*previous.lines, *hit.lines))),
            previous.certain and hit.certain,
            previous.guard or hit.guard,
            previous.arm_path or hit.arm_path,
            previous.dispatch and hit.dispatch,
            hit.macro,
            previous.names | hit.names,
        )
    return tuple(sorted(merged.values(), key=lambda h: (h.family, not h.reached, h.lines)))


def _families(line: str, raw_line: str) -> list[str]:
    """The families one comment-free line holds (``#error`` and inline assembly included)."""
    found: list[str] = []
    if _INCLUDE_LINE.match(line):
        name = _INCLUDE_NAME.search(raw_line)
        if name and (x86_header(name.group(1)) or name.group(1).rsplit("/", 1)[-1] == "cpuid.h"):
            found.append(HEADER_FAMILY if name.group(1).rsplit("/", 1)[-1] != "cpuid.h" else "host CPU checks")
        return found
    if _ERROR.match(line):
        return ["#error"]
    for family, pattern in _FAMILIES:
        if pattern.search(line):
            found.append(family)
    if _ASM.search(line):
        found.append("inline assembly")
    return found


def _x86_asm_statement(raw: str, start: int, compiled: bool | None, language: str) -> bool:
    """Whether an ``asm`` statement holds x86 instructions that matter on aarch64."""
    following = start
    for _ in range(4):
        nxt = raw.find("\n", following)
        if nxt == -1:
            following = len(raw)
            break
        following = nxt + 1
    statement = raw[start:following]
    first = statement.split("\n", 1)[0]
    if _ASM_LABEL.search(first) or _EMPTY_ASM.search(first) or _ASM_COMMENT.search(first):
        return False
    opening = _ASM.search(statement)
    if opening is None or '"' not in statement[opening.end() : opening.end() + 400]:
        return False  # no instruction text here (a label or an operand built by a macro)
    if language == "cuda":  # PTX for the GPU unless it names x86 registers or instructions outright
        return _X86_ASM_STRICT.search(statement) is not None
    x86_text = bool(X86_ASM_TEXT.search(statement))
    if _ARM_ASM_TEXT.search(statement) and not x86_text:
        return False
    return x86_text or compiled is True


_NASM_INCLUDE = re.compile(r"^[ \t]*%include[ \t]+[\"<]([^\">\n]+)[\">]", re.MULTILINE)


def _analyze_asm(path: str, data: bytes) -> FileAnalysis | None:
    """The first x86 instruction an aarch64 build would assemble: enough to judge the file, so stop there."""
    if arm_specific(path.rpartition("/")[2]):
        return None  # vpaes-armv8-linux.S: Arm assembly, whatever registers its comments name
    raw = data.decode("utf-8", errors="replace")
    # %include is NASM/YASM syntax: assemblers for x86 only, so what they include is x86-only too.
    nasm = tuple(
        Include(raw.count("\n", 0, m.start()) + 1, m.group(1), False, "an x86 assembler's %include")
        for m in _NASM_INCLUDE.finditer(raw)
    )
    preprocessed = path.endswith(".S")  # .s and .asm are not run through the C preprocessor
    comments = CommentMap(raw, lazy=not preprocessed)
    guards = GuardMap(raw, comments) if preprocessed and "#" in raw else None
    text = _Text(path, data, raw)
    position = 0
    while True:
        # ASCII: byte offsets are character offsets, and re2 searches the bytes in linear time.
        match = _X86_ASM_BYTES.search(data, position) if text.ascii else X86_ASM_TEXT.search(raw, position)
        if match is None:  # no x86 instruction aarch64 would assemble; what it includes still matters
            includes = (*(guards.includes if guards is not None else ()), *nasm)
            return FileAnalysis(path, "asm", 0, includes=includes) if includes else None
        if comments.in_comment(match.start()):
            position = match.end()
            continue
        number = text.line_at(match.start())
        if guards is not None:
            state = guards.state(number)
            if state.compiled is False or state.in_arm_branch:
                # Nothing in this region counts: resume at the next directive (x86-only files end here).
                following = guards.next_change(number)
                if following is None:
                    return None
                position = text.offset_of_line(following, match.start(), number)
                continue
        start, end = text.bounds(match.start())
        return FileAnalysis(
            path,
            "asm",
            data.count(b"\n") + 1,
            x86_asm_line=number,
            includes=(*(guards.includes if guards is not None else ()), *nasm),
            locations=((number, text.location(number, start, end)),),
        )
