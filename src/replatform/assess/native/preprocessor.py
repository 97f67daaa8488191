"""Which lines of a C/C++/assembly file an aarch64 Linux build compiles.

The target is Linux on aarch64 with GCC or Clang: ``__aarch64__`` and
``__ARM_NEON`` are set; x86 (``__x86_64__``, ``__SSE2__``, ``__AVX2__``...),
other architectures, Windows/MSVC (``_MSC_VER``, ``_M_ARM64``) and Apple
(``__APPLE__``, ``__arm64__``) are certainly not; optional aarch64 features
(``__ARM_FEATURE_SVE``) and what GCC and Clang disagree on are unknown.

``#if`` expressions are evaluated with the full C grammar (every integer and
character literal, unary/binary/ternary operators with C precedence,
``defined``, ``__has_include``/``__has_builtin``/``__has_attribute``) over
*sets* of possible values, so ``XXH_VECTOR == XXH_AVX512`` is decided when the
file itself sets ``XXH_VECTOR`` to NEON or SVE on aarch64. ``#define`` and
``#undef`` are followed in file order: a macro the file defines is, until
that definition, assumed not given on the command line (the build's default
configuration), which also makes include guards true. A project macro the
file never defines is unknown, unless its name says it is about x86, another
architecture, Windows or Apple (``NPY_HAVE_AVX2``, ``HWY_ARCH_PPC``,
``SZ_USE_HASWELL``, ``HAVE_EMMINTRIN_H``): those are off on aarch64 Linux.
Names are split into ``_``-separated words, so ``LOW_POWER_MODE`` is not
POWER and ``!defined(DISABLE_AVX2)`` (a negative switch) stays unknown.

A line is compiled (True), never compiled (False) or depends on the
configuration (None).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

Tri = bool | None
#: Possible integer values of an expression; None when unknown.
Values = frozenset[int] | None
_MAX_ALTERNATIVES = 16
_MAX_EXPANSION_DEPTH = 24

# Predefined by both GCC and Clang for aarch64 Linux (a set where versions differ).
DEFINED: dict[str, frozenset[int]] = {
    name: frozenset({value})
    for name, value in {
        "__aarch64__": 1,
        "__AARCH64EL__": 1,
        "__AARCH64_CMODEL_SMALL__": 1,
        "__ARM_64BIT_STATE": 1,
        "__ARM_ARCH": 8,
        "__ARM_ARCH_8A": 1,
        "__ARM_ARCH_ISA_A64": 1,
        "__ARM_ARCH_PROFILE": 65,  # 'A'
        "__ARM_NEON": 1,
        "__ARM_FP": 14,
        "__ARM_FEATURE_FMA": 1,
        "__ARM_FEATURE_CLZ": 1,
        "__ARM_FEATURE_IDIV": 1,
        "__ARM_FEATURE_UNALIGNED": 1,
        "__ARM_FEATURE_NUMERIC_MAXMIN": 1,
        "__ARM_FEATURE_DIRECTED_ROUNDING": 1,
        "__ARM_PCS_AAPCS64": 1,
        "__ARM_SIZEOF_WCHAR_T": 4,
        "__ARM_SIZEOF_MINIMAL_ENUM": 4,
        "__ARM_FP16_FORMAT_IEEE": 1,
        "__ARM_FP16_ARGS": 1,
        "__linux__": 1,
        "__linux": 1,
        "__unix__": 1,
        "__unix": 1,
        "__gnu_linux__": 1,
        "__ELF__": 1,
        "__LP64__": 1,
        "_LP64": 1,
        "__CHAR_UNSIGNED__": 1,
        "__WCHAR_UNSIGNED__": 1,
        "__STDC__": 1,
        "__STDC_HOSTED__": 1,
        "__CHAR_BIT__": 8,
        "__SIZEOF_POINTER__": 8,
        "__SIZEOF_LONG__": 8,
        "__SIZEOF_LONG_LONG__": 8,
        "__SIZEOF_INT__": 4,
        "__SIZEOF_SHORT__": 2,
        "__SIZEOF_SIZE_T__": 8,
        "__SIZEOF_WCHAR_T__": 4,
        "__SIZEOF_FLOAT__": 4,
        "__SIZEOF_DOUBLE__": 8,
        "__SIZEOF_LONG_DOUBLE__": 16,
        "__SIZEOF_INT128__": 16,
        "__BYTE_ORDER__": 1234,
        "__ORDER_LITTLE_ENDIAN__": 1234,
        "__ORDER_BIG_ENDIAN__": 4321,
        "__ORDER_PDP_ENDIAN__": 3412,
        "__FLOAT_WORD_ORDER__": 1234,
        # Operators GCC 10+ and Clang answer to with #ifdef.
        "__has_include": 1,
        "__has_include_next": 1,
        "__has_builtin": 1,
        "__has_attribute": 1,
        "__has_cpp_attribute": 1,
    }.items()
}
# GCC 11 (Amazon Linux 2023) to 14; Clang also sets __GNUC__ to 4.
DEFINED["__GNUC__"] = frozenset({4, 11, 12, 13, 14})

# Operating systems and compilers other than Linux with GCC/Clang: certainly not defined there, and not about
# the architecture (an #error behind them stops x86 Linux builds just the same).
_SYSTEM_MACROS = frozenset(
    {
        "_WIN32",
        "_WIN64",
        "__WIN32__",
        "WIN32",
        "__CYGWIN__",
        "__MINGW32__",
        "__MINGW64__",
        "_MSC_VER",
        "_MSC_FULL_VER",
        "__APPLE__",
        "__MACH__",
        "__FreeBSD__",
        "__NetBSD__",
        "__OpenBSD__",
        "__DragonFly__",
        "__sun",
        "_AIX",
        "__ANDROID__",
        "__INTEL_COMPILER",
        "__ICC",
        "__ICL",
        "__INTEL_LLVM_COMPILER",
        "__EMSCRIPTEN__",
    }
)
# Certainly not defined for aarch64 Linux: x86, other architectures, other systems and compilers.
UNDEFINED = (
    frozenset(
        {
            "__x86_64__",
            "__x86_64",
            "__amd64__",
            "__amd64",
            "__i386__",
            "__i386",
            "i386",
            "__i486__",
            "__i586__",
            "__i686__",
            "__IA32__",
            "_M_X64",
            "_M_AMD64",
            "_M_IX86",
            "_M_IX86_FP",
            "__MMX__",
            "__3dNOW__",
            "__3dNOW_A__",
            "__FMA__",
            "__FMA4__",
            "__F16C__",
            "__POPCNT__",
            "__AES__",
            "__PCLMUL__",
            "__SHA__",
            "__LZCNT__",
            "__RDRND__",
            "__RDSEED__",
            "__XOP__",
            "__ADX__",
            "__MOVBE__",
            "__arm__",
            "__thumb__",
            "__thumb2__",
            "__ARMEL__",
            "__ARMEB__",
            "__AARCH64EB__",
            "_M_ARM",
            "_M_ARM64",
            "_M_ARM64EC",
            "__arm64__",
            "__arm64",
            "__powerpc__",
            "__powerpc64__",
            "__powerpc",
            "__PPC__",
            "__PPC64__",
            "__ppc__",
            "__ppc64__",
            "_ARCH_PPC",
            "_ARCH_PPC64",
            "__ALTIVEC__",
            "__VSX__",
            "__POWER8_VECTOR__",
            "__POWER9_VECTOR__",
            "__s390x__",
            "__s390__",
            "__zarch__",
            "__VEC__",
            "__riscv",
            "__riscv_vector",
            "__mips__",
            "__mips",
            "__mips64",
            "__sparc__",
            "__sparc",
            "__loongarch__",
            "__loongarch64",
            "__loongarch_sx",
            "__loongarch_asx",
            "__wasm__",
            "__wasm32__",
            "__wasm64__",
            "__wasm_simd128__",
            "__ia64__",
            "_M_IA64",
            "__e2k__",
            "__BIG_ENDIAN__",
        }
    )
    | _SYSTEM_MACROS
)
_UNDEFINED_PATTERN = re.compile(
    r"^__(?:SSE\w*|AVX\w*|BMI\w*|VPCLMULQDQ|GFNI|VAES|AMX\w*|SHSTK|CLFLUSHOPT|XSAVE\w*|RTM|HLE)__$"
)

# Words of project macro names (split on "_") that tie them to x86, another architecture,
# or another operating system or compiler: such macros are off in an aarch64 Linux build.
_X86_WORD = re.compile(
    r"X86\w*|X64|AMD64|I[3-6]86|IA32|SSE\w*|SSSE3|AVX\w*|BMI\d?|F16C|FMA[34]|AESNI|V?PCLMUL\w*|XOP|SVML|MMX|"
    r"3DNOW\w*|RDRAND|RDRND|RDSEED|RDTSCP?|CPUID|LZCNT|TZCNT|POPCNT|MOVBE|ADX|GFNI|VAES|AMX\w*|KNL|KNM|"
    r"SHANI|V?P?CLMUL\w*|HASWELL|BROADWELL|SKYLAKE\w*|CANNONLAKE|ICELAKE\w*|TIGERLAKE|ALDERLAKE|SAPPHIRERAPIDS|COOPERLAKE|CASCADELAKE|"
    r"WESTMERE|NEHALEM|SANDYBRIDGE|IVYBRIDGE|GOLDMONT\w*|SILVERMONT|TREMONT|ZNVER\d*|BDVER\d*|BTVER\d*|K8|CORE2|PENRYN|"
    r"BULLDOZER|PILEDRIVER|STEAMROLLER|EXCAVATOR|"
    r"PENTIUM\w*|INTEL|ICC|ICX|[A-Z]MMINTRIN|X86INTRIN|IMMINTRIN|IA32INTRIN"
)
_OTHER_ARCH_WORD = re.compile(
    r"PPC\w*|POWERPC\w*|POWER\d+\w*|PWR\d+|VSX\d*|ALTIVEC|RISCV\w*|RVV|S390X?|ZARCH|MIPS\w*|LOONGARCH\w*|LSX|LASX|"
    r"LSXINTRIN|LASXINTRIN|WASM\w*|SIMD128|ARMV[4-7]\w*|ARM32|ARMHF|THUMB\w*|SPARC\w*|IA64|ITANIUM|E2K|ELBRUS|"
    r"HEXAGON|M68K"
)
_OTHER_SYSTEM_WORD = re.compile(
    r"WIN32|WIN64|WINDOWS|MSVC|MSC|MINGW\w*|CYGWIN|VISUAL|VISUALSTUDIO|DARWIN|APPLE|MACOS|OSX|FREEBSD|OPENBSD|NETBSD|"
    r"DRAGONFLY|SOLARIS|AIX|HAIKU|EMSCRIPTEN|INTRIN|DOXYGEN"
)
# A negative switch (DISABLE_AVX2, XXH_NO_SSE) says nothing about whether aarch64 sets it.
_NEGATIVE_WORD = re.compile(
    r"NO|NOT|NON|DISABLE[SD]?|WITHOUT|SKIP|AVOID|EXCLUDE[SD]?|BROKEN|BUGGY|UNSUPPORTED|NO[A-Z]\w*"
)

ARM_MACROS = re.compile(
    r"__aarch64__|__ARM_NEON|__arm64__|_M_ARM64|__ARM_ARCH|__ARM_FEATURE_\w+|\baarch64\b|\bARM64\b|__arm__"
)
X86_MACROS = re.compile(
    r"__x86_64__|__x86_64\b|__amd64|__i386|_M_X64|_M_AMD64|_M_IX86|__SSE\w*__|__AVX\w*__|__BMI\w*__|__FMA__"
)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def _words(name: str) -> list[str]:
    return [word for word in name.upper().split("_") if word]


# MM_PREFETCH, _MM_HINT_T0, MM256_...: names taken from x86 intrinsics (_mm_prefetch), set by x86 compile checks.
_INTRINSIC_NAMED = re.compile(r"_*MM(?:256|512)?_[A-Z0-9]\w*")


@functools.lru_cache(maxsize=8192)
def named_off_target(name: str) -> bool:
    """A project macro whose name ties it to x86, another architecture or another system."""
    if _INTRINSIC_NAMED.fullmatch(name):
        return True
    words = _words(name)
    if any(_NEGATIVE_WORD.fullmatch(word) for word in words):
        return False
    return any(
        _X86_WORD.fullmatch(word) or _OTHER_ARCH_WORD.fullmatch(word) or _OTHER_SYSTEM_WORD.fullmatch(word)
        for word in words
    )


@functools.lru_cache(maxsize=8192)
def _named_x86(name: str) -> bool:
    if _INTRINSIC_NAMED.fullmatch(name):
        return True
    words = _words(name)
    return not any(_NEGATIVE_WORD.fullmatch(word) for word in words) and any(
        _X86_WORD.fullmatch(word) for word in words
    )


_ARM_WORD = re.compile(r"ARM64|AARCH64|NEON|ASIMD|SVE\d*|ARM|ARMV8\w*")


def arm_condition(condition: str) -> bool:
    """A condition about arm64: a predefined Arm macro, or a project macro named after arm64/NEON/SVE."""
    if ARM_MACROS.search(condition):
        return True
    return any(_ARM_WORD.fullmatch(word) for name in _IDENTIFIER.findall(condition) for word in _words(name))


def arch_condition(condition: str) -> bool:
    """Whether a preprocessor condition is about the target architecture or its features.

    Conditions about the operating system or compiler (``_MSC_VER``, ``_WIN32``) are not:
    an ``#error`` behind them stops x86 Linux builds just the same.
    """
    if ARM_MACROS.search(condition) or X86_MACROS.search(condition):
        return True
    for name in _IDENTIFIER.findall(condition):
        if name in _SYSTEM_MACROS:
            continue
        if name in UNDEFINED or _UNDEFINED_PATTERN.match(name):
            return True
        words = _words(name)
        if not any(_NEGATIVE_WORD.fullmatch(w) for w in words) and any(
            _X86_WORD.fullmatch(w) or _OTHER_ARCH_WORD.fullmatch(w) for w in words
        ):
            return True
    return False


def _platform_defined(name: str) -> Tri:
    """Whether the target predefines ``name`` (None when it depends or is a project macro)."""
    if name in DEFINED:
        return True
    if name in UNDEFINED or _UNDEFINED_PATTERN.match(name) or named_off_target(name):
        return False
    return None


# x86 and other platforms' headers that aarch64 Linux compilers do not have.
_HEADERS_ABSENT = re.compile(
    r"(?:[a-z0-9_]*mmintrin|x86intrin|ia32intrin|x86gprintrin|cpuid|[a-z0-9]+intrin|intrin|altivec|vecintrin|"
    r"lsxintrin|lasxintrin|msa|wasm_simd128|windows|arm64_neon|arm64intr)\.h"
)
_STANDARD_HEADERS = frozenset(
    [
        "assert.h",
        "ctype.h",
        "errno.h",
        "float.h",
        "inttypes.h",
        "limits.h",
        "locale.h",
        "math.h",
        "setjmp.h",
        "signal.h",
        "stdalign.h",
        "stdarg.h",
        "stdatomic.h",
        "stdbool.h",
        "stddef.h",
        "stdint.h",
        "stdio.h",
        "stdlib.h",
        "string.h",
        "time.h",
        "wchar.h",
        "unistd.h",
        "pthread.h",
        "arm_neon.h",
        "arm_acle.h",
        "arm_fp16.h",
        "sys/auxv.h",
        "asm/hwcap.h",
    ]
)


def has_include(header: str) -> Tri:
    """``__has_include(<header>)`` on aarch64 Linux: known for standard, Arm and x86/other-platform headers."""
    name = header.strip('<>" ')
    if name in _STANDARD_HEADERS:
        return True
    if _HEADERS_ABSENT.fullmatch(name.rsplit("/", 1)[-1]):
        return False
    return None


def has_builtin(name: str) -> Tri:
    """``__has_builtin(name)``: x86 builtins are absent, Arm builtins present, the rest unknown."""
    if name.startswith("__builtin_ia32_"):
        return False
    if name.startswith(("__builtin_aarch64_", "__builtin_arm_", "__builtin_neon_")):
        return True
    return None


# ----------------------------------------------------------------------------- expressions

_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<number>(?:0[xX][0-9a-fA-F](?:'?[0-9a-fA-F])*|0[bB][01](?:'?[01])*|\d(?:'?\d)*)[uUlLzZ]*(?:wb|WB|uwb|UWB)?)"
    r"|(?P<char>[uUL]?'(?:\\.|[^'\\])+')"
    r"|(?P<string>\"(?:\\.|[^\"\\])*\")"
    r"|(?P<name>[A-Za-z_]\w*)"
    r"|(?P<operator>&&|\|\||==|!=|<=|>=|<<|>>|[!~()<>+\-*/%?:&|^,])"
    r")"
)
_ESCAPES = {"n": 10, "t": 9, "r": 13, "0": 0, "a": 7, "b": 8, "f": 12, "v": 11, "\\": 92, "'": 39, '"': 34, "?": 63}


def tokenize(text: str) -> list[str]:
    """C preprocessor tokens of an ``#if`` expression; ``<header>`` after ``__has_include(`` is one token."""
    tokens: list[str] = []
    position = 0
    length = len(text)
    while position < length:
        if text[position] == "<" and len(tokens) >= 2 and tokens[-1] == "(" and "INCLUDE" in tokens[-2].upper():
            end = text.find(">", position)
            if end != -1:
                tokens.append(text[position : end + 1])
                position = end + 1
                continue
        match = _TOKEN.match(text, position)
        if not match:
            if text[position:].strip():
                raise ValueError(f"unexpected {text[position : position + 10]!r}")
            break
        tokens.append(match.group(match.lastgroup or "name"))
        position = match.end()
    return tokens


def _number(token: str) -> int:
    digits = token.replace("'", "").rstrip("uUlLzZbBwW")
    lowered = digits.lower()
    if lowered.startswith("0x"):
        return int(lowered, 16)
    if lowered.startswith("0b"):
        return int(lowered[2:], 2)
    if len(digits) > 1 and digits.startswith("0"):
        return int(digits, 8)
    return int(digits)


def _character(token: str) -> int | None:
    body = token[token.index("'") + 1 : -1]
    if body.startswith("\\"):
        rest = body[1:]
        if rest[:1] == "x":
            return int(rest[1:], 16) if rest[1:] else None
        if rest[:1].isdigit():
            return int(rest, 8) if all(c in "01234567" for c in rest) else None
        return _ESCAPES.get(rest) if len(rest) == 1 else None
    return ord(body) if len(body) == 1 else None  # multi-character constants are implementation-defined


# Expression tree: tuples tagged by their first element.
Node = tuple[object, ...]
_BINARY_PRECEDENCE = {
    "*": 10,
    "/": 10,
    "%": 10,
    "+": 9,
    "-": 9,
    "<<": 8,
    ">>": 8,
    "<": 7,
    ">": 7,
    "<=": 7,
    ">=": 7,
    "==": 6,
    "!=": 6,
    "&": 5,
    "^": 4,
    "|": 3,
    "&&": 2,
    "||": 1,
}


class _Parser:
    """Precedence climbing over preprocessor tokens into a small expression tree."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> str:
        if self.index >= len(self.tokens):
            raise ValueError("unexpected end")
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, token: str) -> None:
        if self.take() != token:
            raise ValueError(f"expected {token}")

    def parse(self) -> Node:
        node = self.comma()
        if self.peek() is not None:
            raise ValueError("trailing tokens")
        return node

    def comma(self) -> Node:
        node = self.ternary()
        while self.peek() == ",":
            self.take()
            node = ("comma", node, self.ternary())
        return node

    def ternary(self) -> Node:
        condition = self.binary(1)
        if self.peek() != "?":
            return condition
        self.take()
        yes = self.comma()
        self.expect(":")
        return ("?", condition, yes, self.ternary())

    def binary(self, minimum: int) -> Node:
        left = self.unary()
        while True:
            operator = self.peek()
            precedence = _BINARY_PRECEDENCE.get(operator or "")
            if precedence is None or precedence < minimum:
                return left
            self.take()
            left = ("bin", operator, left, self.binary(precedence + 1))

    def unary(self) -> Node:
        token = self.take()
        if token in ("!", "~", "-", "+"):
            return ("unary", token, self.unary())
        if token == "(":
            node = self.comma()
            self.expect(")")
            return node
        if token == "defined":
            parenthesised = self.peek() == "("
            if parenthesised:
                self.take()
            name = self.take()
            if not _IDENTIFIER.fullmatch(name):
                raise ValueError("defined needs a name")
            if parenthesised:
                self.expect(")")
            return ("defined", name)
        if token[0].isdigit():
            return ("num", frozenset({_number(token)}))
        if "'" in token:
            value = _character(token)
            return ("num", None if value is None else frozenset({value}))
        if _IDENTIFIER.fullmatch(token):
            if self.peek() == "(":
                return ("call", token, self.arguments())
            return ("id", token)
        raise ValueError(f"unexpected {token}")

    def arguments(self) -> tuple[tuple[str, ...], ...]:
        """The raw token lists of a macro call's arguments."""
        self.expect("(")
        arguments: list[tuple[str, ...]] = []
        current: list[str] = []
        depth = 0
        while True:
            token = self.take()
            if token == "(":
                depth += 1
            elif token == ")":
                if depth == 0:
                    break
                depth -= 1
            elif token == "," and depth == 0:
                arguments.append(tuple(current))
                current = []
                continue
            current.append(token)
        if current or arguments:
            arguments.append(tuple(current))
        return tuple(arguments)


@functools.lru_cache(maxsize=16384)
def parse_expression(text: str) -> Node:
    """The expression tree of ``text`` (raises ValueError when it is not a C constant expression)."""
    return _Parser(tokenize(text)).parse()


# ----------------------------------------------------------------------------- macros


@dataclass(frozen=True)
class Definition:
    """A ``#define``: replacement text, and parameters for a function-like macro."""

    body: str
    parameters: tuple[str, ...] | None = None


#: What a macro may be at a point of the file: each alternative is a definition, or None (not defined).
Alternatives = frozenset[Definition | None]
_NOT_DEFINED: Alternatives = frozenset({None})


#: The undecided branches a definition depends on: (frame id, branch number) pairs.
Conditions = tuple[tuple[int, int], ...]


class Macros:
    """The macro environment while a file is read top to bottom.

    Each ``#define``/``#undef`` is kept with the branches aarch64 may or may
    not take that it sits in. Looked up later inside those same branches, it
    is certain (the section as a whole may not be compiled, but then nothing
    in it matters); in a branch that excludes it, it never happened; anywhere
    else it is one alternative among the earlier ones.

    Before any definition: a macro in the ``#ifndef X`` ... ``#define X``
    idiom (include guards, defaults the command line may override) is not
    defined, the build's default configuration; a macro the file defines
    before anything tests it is the file's own; a macro tested first is
    configuration an includer or the command line may set: unknown, unless
    the platform tables or its name decide it.
    """

    def __init__(self, defaults: Iterable[str] = ()) -> None:
        self.entries: dict[str, list[tuple[Conditions, Definition | None]]] = {}
        self.defaults = frozenset(defaults)
        self.tested: set[str] = set()
        self.context: dict[int, int] = {}  # open frames: id -> branch number

    def define(self, name: str, definition: Definition | None, conditions: Conditions) -> None:
        """Record ``#define``/``#undef`` (``definition`` None) under the undecided branches it sits in."""
        entries = self.entries.setdefault(name, [])
        if not conditions:
            entries.clear()
        elif not entries and (name in self.tested or name in DEFINED or name in UNDEFINED):
            entries.append(((), _UNKNOWN_DEFINITION))  # configuration or a platform macro before it
        entries.append((conditions, definition))
        if len(entries) > _MAX_ALTERNATIVES:
            del entries[: len(entries) - _MAX_ALTERNATIVES]
            entries[0] = ((), _UNKNOWN_DEFINITION)

    def lookup(self, name: str) -> Alternatives | None:
        """What the macro may be here (empty: unknown), or None when the file never set it (ask the platform)."""
        entries = self.entries.get(name)
        if not entries:
            if name in self.defaults:
                return _NOT_DEFINED
            self.tested.add(name)
            return None
        first = entries[0][1]
        if first is not None and _CONSTANT.fullmatch(first.body) and all(d == first for _, d in entries):
            return frozenset({first})  # a named constant (#define XXH_AVX512 3): its value wherever it is used
        alternatives: set[Definition | None] = set()
        context = self.context
        for conditions, definition in reversed(entries):
            if any(frame in context and context[frame] != branch for frame, branch in conditions):
                continue  # set in a branch that excludes this one
            if definition is _UNKNOWN_DEFINITION:
                return frozenset()
            alternatives.add(definition)
            if all(frame in context for frame, _ in conditions):
                return frozenset(alternatives)  # certain here
        alternatives.add(None)  # before the file's first definition
        return frozenset(alternatives)


_UNKNOWN_DEFINITION = Definition("\x00unknown")
_CONSTANT = re.compile(r"\(?\s*-?\s*(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*\)?")


class _Unknown(Exception):
    """An expression whose value cannot be known (used to unwind cheaply)."""


def _combine(left: Values, right: Values, operation: Callable[[int, int], int]) -> Values:
    if left is None or right is None:
        return None
    results: set[int] = set()
    for a in left:
        for b in right:
            try:
                results.add(operation(a, b))
            except (ZeroDivisionError, ValueError, OverflowError):
                return None
            if len(results) > _MAX_ALTERNATIVES:
                return None
    return frozenset(results)


def _divide(a: int, b: int) -> int:
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b >= 0) else -quotient


def _shift(a: int, b: int, left: bool) -> int:
    if not 0 <= b < 64:
        raise ValueError("shift out of range")
    return a << b if left else a >> b


_ARITHMETIC: dict[str, Callable[[int, int], int]] = {
    "*": lambda a, b: a * b,
    "/": _divide,
    "%": lambda a, b: a - b * _divide(a, b),
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "<<": lambda a, b: _shift(a, b, True),
    ">>": lambda a, b: _shift(a, b, False),
    "<": lambda a, b: int(a < b),
    ">": lambda a, b: int(a > b),
    "<=": lambda a, b: int(a <= b),
    ">=": lambda a, b: int(a >= b),
    "==": lambda a, b: int(a == b),
    "!=": lambda a, b: int(a != b),
    "&": lambda a, b: a & b,
    "^": lambda a, b: a ^ b,
    "|": lambda a, b: a | b,
}
_UNARY: dict[str, Callable[[int], int]] = {
    "!": lambda a: int(a == 0),
    "-": lambda a: -a,
    "+": lambda a: a,
    "~": lambda a: ~a,
}
_ZERO = frozenset({0})
_ONE = frozenset({1})


def _truth(values: Values) -> Tri:
    if values is None:
        return None
    if 0 not in values:
        return True
    return False if values == _ZERO else None


def _tri_values(value: Tri) -> Values:
    return None if value is None else (_ONE if value else _ZERO)


@dataclass
class _Evaluation:
    """One evaluation of a tree against the macro environment."""

    macros: Macros
    expanding: set[str] = field(default_factory=set)
    depth: int = 0

    def value(self, node: Node) -> tuple[Values, bool]:
        """(possible values, whether this is the assumed-off value of an x86-named project constant)."""
        kind = node[0]
        if kind == "num":
            return node[1], False  # type: ignore[return-value]
        if kind == "id":
            return self.identifier(str(node[1]))
        if kind == "defined":
            return _tri_values(self.defined(str(node[1]))), False
        if kind == "call":
            return self.call(str(node[1]), node[2]), False  # type: ignore[arg-type]
        if kind == "unary":
            operand, _ = self.value(node[2])  # type: ignore[arg-type]
            operator = node[1]
            if operand is None:
                return None, False
            function = _UNARY[str(operator)]
            return frozenset(function(a) for a in operand), False
        if kind == "?":
            condition = _truth(self.value(node[1])[0])  # type: ignore[arg-type]
            if condition is True:
                return self.value(node[2])  # type: ignore[arg-type]
            if condition is False:
                return self.value(node[3])  # type: ignore[arg-type]
            yes, no = self.value(node[2])[0], self.value(node[3])[0]  # type: ignore[arg-type]
            return (None if yes is None or no is None else yes | no), False
        if kind == "comma":
            self.value(node[1])  # type: ignore[arg-type]
            return self.value(node[2])  # type: ignore[arg-type]
        return self.binary(str(node[1]), node[2], node[3])  # type: ignore[arg-type]

    def binary(self, operator: str, left_node: Node, right_node: Node) -> tuple[Values, bool]:
        if operator in ("&&", "||"):
            first = _truth(self.value(left_node)[0])
            if operator == "&&" and first is False:
                return _ZERO, False
            if operator == "||" and first is True:
                return _ONE, False
            second = _truth(self.value(right_node)[0])
            if operator == "&&":
                result: Tri = False if second is False else (None if first is None or second is None else True)
            else:
                result = True if second is True else (None if first is None or second is None else False)
            return _tri_values(result), False
        left, left_x86 = self.value(left_node)
        right, right_x86 = self.value(right_node)
        if operator in ("==", "!=", "<", ">", "<=", ">=") and (
            (left_x86 and right is None) or (right_x86 and left is None)
        ):
            # An unknown project selector compared with an x86-named target constant (HWY_TARGET <= HWY_AVX3):
            # an x86 dispatch test, which aarch64 never passes.
            return (_ONE if operator == "!=" else _ZERO), False
        return _combine(left, right, _ARITHMETIC[operator]), False

    def identifier(self, name: str) -> tuple[Values, bool]:
        alternatives = self.macros.lookup(name)
        if alternatives is None:
            if name in DEFINED:
                return DEFINED[name], False
            if name in UNDEFINED or _UNDEFINED_PATTERN.match(name):
                return _ZERO, False
            if named_off_target(name):
                return _ZERO, _named_x86(name)
            return None, False
        if not alternatives:
            return None, False
        results: set[int] = set()
        for definition in alternatives:
            if definition is None or definition.parameters is not None:
                results.add(0)  # undefined, or a function-like macro named without arguments
                continue
            values = self.expand(name, definition.body)
            if values is None:
                return None, False
            results |= values
        return frozenset(results), False

    def expand(self, name: str, body: str, extra: tuple[str, ...] = ()) -> Values:
        """The value of a macro's replacement text (None when it is not an expression we can read)."""
        if name in self.expanding or self.depth > _MAX_EXPANSION_DEPTH:
            return None
        self.expanding.add(name)
        self.depth += 1
        try:
            text = body + (" " + " ".join(extra) if extra else "")
            return self.value(parse_expression(text))[0]
        except (ValueError, IndexError, RecursionError):
            return None
        finally:
            self.depth -= 1
            self.expanding.discard(name)

    def defined(self, name: str) -> Tri:
        alternatives = self.macros.lookup(name)
        if alternatives is None:
            return _platform_defined(name)
        if not alternatives:
            return None
        kinds = {definition is not None for definition in alternatives}
        return kinds.pop() if len(kinds) == 1 else None

    def call(self, name: str, arguments: tuple[tuple[str, ...], ...]) -> Values:
        first = " ".join(arguments[0]) if arguments else ""
        if name in ("__has_include", "__has_include_next"):
            return _tri_values(has_include(first))
        if name == "__has_builtin":
            return _tri_values(has_builtin(first))
        alternatives = self.macros.lookup(name)
        if not alternatives:
            return None  # unknown function-like macros, __has_attribute, __has_feature...
        results: set[int] = set()
        for definition in alternatives:
            if definition is None:
                return None
            if definition.parameters is None:
                # An object-like alias of a function-like operator: XXH_HAS_INCLUDE -> __has_include.
                if _IDENTIFIER.fullmatch(definition.body.strip()) and name not in self.expanding:
                    self.expanding.add(name)
                    try:
                        values = self.call(definition.body.strip(), arguments)
                    finally:
                        self.expanding.discard(name)
                else:
                    call = "(" + ",".join(" ".join(a) for a in arguments) + ")"
                    values = self.expand(name, definition.body, (call,))
            else:
                values = self.expand(name, _substitute(definition, arguments))
            if values is None:
                return None
            results |= values
        return frozenset(results)


def _substitute(definition: Definition, arguments: tuple[tuple[str, ...], ...]) -> str:
    parameters = definition.parameters or ()
    mapping = {p: " ".join(a) for p, a in zip(parameters, arguments, strict=False)}
    if parameters and parameters[-1] == "...":
        mapping["__VA_ARGS__"] = ",".join(" ".join(a) for a in arguments[len(parameters) - 1 :])
    return _IDENTIFIER.sub(
        lambda m: f"({mapping[m.group(0)]})" if m.group(0) in mapping else m.group(0), definition.body
    )


def evaluate(expression: str, macros: Macros | None = None) -> Tri:
    """Truth of an ``#if`` expression on aarch64 (None: depends on the configuration)."""
    try:
        values, _ = _Evaluation(macros or Macros()).value(parse_expression(expression.strip()))
    except (ValueError, IndexError, RecursionError):
        return None
    return _truth(values)


# ----------------------------------------------------------------------------- directives


def tri_not(value: Tri) -> Tri:
    """Three-valued (Kleene) logic: None is "unknown on aarch64"; the build-file branches use it too."""
    return None if value is None else not value


def tri_and(left: Tri, right: Tri) -> Tri:
    if left is False or right is False:
        return False
    if left is None or right is None:
        return None
    return True


def tri_or(left: Tri, right: Tri) -> Tri:
    if left or right:
        return True
    if left is None or right is None:
        return None
    return False


@dataclass
class _Frame:
    identity: int
    parent: Tri
    taken: Tri
    current: Tri
    conditions: list[str] = field(default_factory=list)
    branch: str = ""  # how the current branch reads in a message
    own: Tri = True  # whether aarch64 takes the current branch, given the chain (parents aside)
    arm_branch: bool = False
    has_else: bool = False
    number: int = 0  # which branch of the chain: 0 for #if, then one more per #elif/#else


@dataclass(frozen=True)
class LineState:
    """How aarch64 sees one line."""

    compiled: Tri
    in_arm_branch: bool  # inside a branch that exists for arm64 (``#ifdef __aarch64__``)
    guard: str  # the innermost condition aarch64 cannot decide (never an include guard), for messages
    frames: tuple[_Frame, ...] = ()
    guard_chain: Sequence[str] = ()  # the conditions of the guard's #if chain (complete once the file is read)
    off: str = ""  # the innermost branch aarch64 certainly does not take, for messages

    @property
    def dispatch(self) -> bool:
        """The undecided branch is one arm of a per-architecture chain (another arm tests PowerPC, Arm...)."""
        return any(c != "#else" and _display(c) != self.guard and arch_condition(c) for c in self.guard_chain)

    @property
    def chain_has_arm_path(self) -> bool:
        """An enclosing chain names an arm64 macro or has an ``#else`` (known once the file is read)."""
        return any(any(ARM_MACROS.search(c) for c in f.conditions) or f.has_else for f in self.frames)


@dataclass(frozen=True)
class Include:
    """An ``#include "file"`` and whether aarch64 reaches it."""

    line: int
    target: str
    compiled: Tri
    guard: str


_DIRECTIVE = re.compile(
    r"^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif|define|undef|include)\b(.*)$", re.MULTILINE
)
_DEFINE = re.compile(r"([A-Za-z_]\w*)(\([^)]*\))?\s*(.*)$", re.DOTALL)
_NOT_DEFINED_TEST = re.compile(r"!\s*defined\s*(?:\(\s*([A-Za-z_]\w*)\s*\)|\s([A-Za-z_]\w*))")
_INCLUDE_TARGET = re.compile(r"\s*[\"<]([^\">]+)[\">]")


def _definition(rest: str) -> tuple[str, Definition] | None:
    match = _DEFINE.match(rest.strip())
    if not match:
        return None
    parameters = match.group(2)
    if parameters is not None:
        names = tuple(p.strip() for p in parameters[1:-1].split(",") if p.strip())
        return match.group(1), Definition(match.group(3).strip(), names)
    return match.group(1), Definition(match.group(3).strip())


def _display(condition: str, negate: bool = False) -> str:
    text = " ".join(condition.split())
    return f"!({text})" if negate else text


_COMMENT_OR_STRING = re.compile(r"//[^\n]*|/\*.*?(?:\*/|\Z)|\"(?:\\.|[^\"\\\n])*\"?|'(?:\\.|[^'\\\n])*'?", re.DOTALL)


class CommentMap:
    """Where a C file's comments and string literals are, found without rewriting the text.

    ``lazy`` lexes from the top only as far as a question needs (the first x86
    instruction of an assembly file is usually near it). Character literals
    are left alone (``#if X == 'a'`` needs them).
    """

    def __init__(self, text: str, lazy: bool = False) -> None:
        self.text = text
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._comment: list[bool] = []
        self._tokens: Iterator[re.Match[str]] | None = None
        self._lexed = len(text) + 1  # everything before this offset is lexed
        if "/" not in text and '"' not in text:
            return
        if lazy:
            self._tokens = _COMMENT_OR_STRING.finditer(text)
            self._lexed = 0
            return
        spans = [(m.start(), m.end()) for m in _COMMENT_OR_STRING.finditer(text) if text[m.start()] != "'"]
        self._starts = [start for start, _ in spans]
        self._ends = [end for _, end in spans]
        self._comment = [text[start] == "/" for start in self._starts]

    def _lex(self, position: int) -> None:
        while self._tokens is not None and self._lexed <= position:
            match = next(self._tokens, None)
            if match is None:
                self._tokens = None
                self._lexed = len(self.text) + 1
                return
            self._lexed = match.end()
            if self.text[match.start()] == "'":
                continue
            self._starts.append(match.start())
            self._ends.append(match.end())
            self._comment.append(self.text[match.start()] == "/")

    def in_comment(self, position: int) -> bool:
        """Whether ``position`` is inside a comment."""
        self._lex(position)
        index = bisect.bisect_right(self._starts, position) - 1
        return index >= 0 and self._comment[index] and position < self._ends[index]

    def clean(self, start: int, end: int, strings: bool = True) -> str:
        """``text[start:end]`` with comments (and, with ``strings``, string contents) blanked, offsets kept."""
        self._lex(end)
        index = max(0, bisect.bisect_right(self._starts, start) - 1)
        pieces: list[str] = []
        position = start
        while index < len(self._starts) and self._starts[index] < end:
            span_start, span_end = self._starts[index], self._ends[index]
            index += 1
            if span_end <= position or (not strings and not self._comment[index - 1]):
                continue
            first, last = max(span_start, position), min(span_end, end)
            pieces.append(self.text[position:first])
            blanked = _blank(self.text[first:last])
            if not self._comment[index - 1]:  # a string: keep its quotes
                closing = span_end - 1 if self.text[span_end - 1] == '"' and span_end - 1 > span_start else -1
                if first == span_start:
                    blanked = '"' + blanked[1:]
                if closing == last - 1:
                    blanked = blanked[:-1] + '"'
            pieces.append(blanked)
            position = last
        pieces.append(self.text[position:end])
        return "".join(pieces)


def _blank(token: str) -> str:
    if "\n" not in token:
        return " " * len(token)
    return "\n".join(" " * len(part) for part in token.split("\n"))


@dataclass(frozen=True)
class _Directive:
    keyword: str
    rest: str
    line: int
    raw: str  # the directive's original text (string contents kept), for #include names
    last: int  # its last line (continuations)


def _directives(text: str, comments: CommentMap) -> list[_Directive]:
    found: list[_Directive] = []
    position, line = 0, 1
    for match in _DIRECTIVE.finditer(text):
        if comments.in_comment(match.start()):
            continue
        keyword = match.group(1)
        start, end = match.start(2), match.end()
        while text[start:end].rstrip().endswith("\\"):  # continued directive
            following = text.find("\n", end + 1)
            end = len(text) if following == -1 else following
        rest = comments.clean(start, end, strings=False).replace("\\\n", " ").replace("\\\r\n", " ")
        line += text.count("\n", position, match.start())
        position = match.start()
        raw = text[start:end] if keyword == "include" else ""
        found.append(_Directive(keyword, rest.strip(), line, raw, line + text.count("\n", start, end)))
    return found


def _default_idiom(directives: list[_Directive]) -> set[str]:
    """Macros an ``#ifndef X`` (or ``#if !defined(X)``) block defines itself: include guards and defaults."""
    found: set[str] = set()
    for index, directive in enumerate(directives):
        if directive.keyword == "ifndef":
            name = directive.rest.split()[0] if directive.rest.split() else ""
        elif directive.keyword == "if":
            # ``!defined(X)`` alone, or first in an ``||`` (``!defined(X) || X_IS_BAD``): true while X is unset
            match = _NOT_DEFINED_TEST.match(directive.rest)
            after = directive.rest[match.end() :].lstrip() if match else ""
            name = (match.group(1) or match.group(2)) if match and (not after or after.startswith("||")) else ""
        else:
            continue
        if not name:
            continue
        depth = 0
        for inner in directives[index + 1 :]:
            if inner.keyword in ("if", "ifdef", "ifndef"):
                depth += 1
            elif inner.keyword == "endif":
                if depth == 0:
                    break
                depth -= 1
            elif inner.keyword == "define" and inner.rest.split("(", 1)[0].split()[:1] == [name]:
                found.add(name)
                break
    return found


class GuardMap:
    """Line -> `LineState`, computed from the preprocessor directives only.

    Work is proportional to the number of directives, not lines, so files
    without guards cost one regex scan. Directives inside comments do not
    count; ``comments`` may be passed when the caller already has them.
    """

    def __init__(self, text: str, comments: CommentMap | None = None) -> None:
        self._starts: list[int] = [1]
        self._states: list[LineState] = [LineState(True, False, "", ())]
        self.includes: list[Include] = []
        self.macro_lines: dict[int, str] = {}  # every line of a #define, and the macro it defines
        directives = _directives(text, comments if comments is not None else CommentMap(text))
        self._macros = Macros(_default_idiom(directives))
        self._stack: list[_Frame] = []
        self._frames = 0
        for directive in directives:
            keyword = directive.keyword
            if keyword in ("define", "undef", "include"):
                if keyword == "define" and directive.rest:
                    name = directive.rest.split("(", 1)[0].split()[0]
                    for number in range(directive.line, directive.last + 1):
                        self.macro_lines[number] = name
                self._macro_or_include(directive)
            elif self._branch(keyword, directive.rest):
                stack = self._stack
                unknown = [frame for frame in stack if frame.own is None and frame.branch]
                off = [frame.branch for frame in stack if frame.own is False]
                self._starts.append(directive.line)
                self._states.append(
                    LineState(
                        self._compiled(),
                        any(frame.arm_branch for frame in stack),
                        unknown[-1].branch if unknown else "",
                        tuple(stack),
                        unknown[-1].conditions if unknown else (),
                        off[-1] if off else "",
                    )
                )

    def _compiled(self) -> Tri:
        compiled: Tri = True
        for frame in self._stack:
            compiled = tri_and(compiled, frame.current)
        return compiled

    def _enter(self) -> None:
        """Make the macro table see the branches open now."""
        self._macros.context = {frame.identity: frame.number for frame in self._stack}

    def _macro_or_include(self, directive: _Directive) -> None:
        compiled = self._compiled()
        keyword, rest = directive.keyword, directive.rest
        stack = self._stack
        if keyword == "include":  # kept even where aarch64 never goes: "only included for x86" is news
            target = _INCLUDE_TARGET.match(directive.raw)
            if target:
                unknown = [frame.branch for frame in stack if frame.own is None and frame.branch]
                self.includes.append(Include(directive.line, target.group(1), compiled, unknown[-1] if unknown else ""))
            return
        if compiled is False:
            return
        conditions = tuple((frame.identity, frame.number) for frame in stack if frame.own is not True)
        self._enter()
        if keyword == "undef":
            name = rest.split()[0] if rest.split() else ""
            if name:
                self._macros.define(name, None, conditions)
            return
        parsed = _definition(rest)
        if parsed is not None:
            self._macros.define(parsed[0], parsed[1], conditions)

    def _branch(self, keyword: str, rest: str) -> bool:
        stack = self._stack
        if keyword in ("if", "ifdef", "ifndef"):
            parent = self._compiled()
            self._enter()
            condition, text = self._condition(keyword, rest, self._macros)
            self._frames += 1
            frame = _Frame(
                self._frames, parent, condition, tri_and(parent, condition), [text], _display(text), condition
            )
            frame.arm_branch = condition is True and arm_condition(text)
            stack.append(frame)
            return True
        if not stack:
            return False
        frame = stack[-1]
        if keyword == "endif":
            stack.pop()
            return True
        frame.number += 1
        if keyword == "else":
            frame.own = tri_not(frame.taken)
            frame.branch = " && ".join(_display(c, negate=True) for c in frame.conditions)
            frame.conditions.append("#else")
            frame.arm_branch = False
            frame.has_else = True
        else:  # elif, elifdef, elifndef
            self._enter()
            condition, text = self._condition(keyword, rest, self._macros)
            frame.own = tri_and(tri_not(frame.taken), condition)
            frame.branch = _display(text)
            frame.taken = tri_or(frame.taken, condition)
            frame.conditions.append(text)
            frame.arm_branch = frame.own is True and frame.parent is not False and arm_condition(text)
        frame.current = tri_and(frame.parent, frame.own)
        return True

    @staticmethod
    def _condition(keyword: str, rest: str, macros: Macros) -> tuple[Tri, str]:
        if keyword in ("ifdef", "ifndef", "elifdef", "elifndef"):
            name = rest.split()[0] if rest.split() else ""
            defined = _Evaluation(macros).defined(name) if name else None
            negated = keyword.endswith("ndef")
            return (tri_not(defined) if negated else defined), (f"!defined({name})" if negated else f"defined({name})")
        return evaluate(rest, macros), rest

    def state(self, line: int) -> LineState:
        """How aarch64 sees 1-based ``line``."""
        return self._states[bisect.bisect_right(self._starts, line) - 1]

    def next_change(self, line: int) -> int | None:
        """The first line after ``line`` where the state may change (None: it holds to the end)."""
        index = bisect.bisect_right(self._starts, line)
        return self._starts[index] if index < len(self._starts) else None


def line_states(lines: list[str]) -> list[LineState]:
    """One `LineState` per line (directive lines as their own branch sees them)."""
    guards = GuardMap("\n".join(lines))
    return [guards.state(number) for number in range(1, len(lines) + 1)]
