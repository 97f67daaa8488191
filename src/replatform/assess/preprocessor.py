"""Which lines of a C/C++/assembly file an aarch64 build compiles.

Evaluates ``#if/#ifdef/#ifndef/#elif/#else/#endif`` chains with the macros an
aarch64 Linux GCC/Clang predefines: ``__aarch64__`` and ``__ARM_NEON`` are set,
``__x86_64__`` and every ``__SSE*__/__AVX*__/__BMI*__`` are not. Macros the
project defines itself (``HAVE_AVX2``) are unknown, so a line is compiled
(True), never compiled (False) or depends on the configuration (None).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

Tri = bool | None

# Predefined on aarch64 Linux with GCC/Clang (value where one is compared).
DEFINED: dict[str, int] = {
    "__aarch64__": 1,
    "__ARM_64BIT_STATE": 1,
    "__ARM_ARCH": 8,
    "__ARM_ARCH_8A": 1,
    "__ARM_NEON": 1,
    "__ARM_NEON__": 1,
    "__ARM_FP": 14,
    "__linux__": 1,
    "__linux": 1,
    "__unix__": 1,
    "__unix": 1,
    "__gnu_linux__": 1,
    "__ELF__": 1,
    "__GNUC__": 12,
    "__LP64__": 1,
    "_LP64": 1,
    "__CHAR_UNSIGNED__": 1,
    "__STDC__": 1,
    "__BYTE_ORDER__": 1234,
    "__ORDER_LITTLE_ENDIAN__": 1234,
    "__ORDER_BIG_ENDIAN__": 4321,
}
# Certainly not defined on aarch64 Linux: x86 and other platforms' macros.
UNDEFINED = frozenset(
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
        "_M_X64",
        "_M_AMD64",
        "_M_IX86",
        "_M_IX86_FP",
        "__MMX__",
        "__3dNOW__",
        "__FMA__",
        "__FMA4__",
        "__F16C__",
        "__POPCNT__",
        "__AES__",
        "__PCLMUL__",
        "__SHA__",
        "__LZCNT__",
        "__RDRND__",
        "__XOP__",
        "_WIN32",
        "_WIN64",
        "_MSC_VER",
        "__APPLE__",
        "__MACH__",
        "__arm__",
        "__thumb__",
        "_M_ARM",
        "_M_ARM64",
        "__powerpc__",
        "__powerpc64__",
        "__PPC64__",
        "__s390x__",
        "__riscv",
        "__mips__",
        "__sparc__",
    }
)
_UNDEFINED_PATTERN = re.compile(r"^__(?:SSE\w*|AVX\w*|BMI\w*|AVX512\w*|VPCLMULQDQ|GFNI|VAES)__$")
# Project macros named after x86 features or another architecture (NPY_HAVE_AVX2, LIBDIVIDE_SSE2,
# HAVE_X86_64, HWY_ARCH_PPC, USE_RVV) are assumed off on aarch64: projects set them only for those targets.
_X86_NAMED = re.compile(
    r"(?:^|_)(?:SSE\d*(?:_\d)?|SSSE3|AVX\w*|X86(?:_64)?|AMD64|I[3-6]86|IA32|X64|BMI2?|F16C|AESNI|SVML|PCLMUL\w*|XOP|"
    r"INTEL|PPC\w*|POWER\d*|VSX|ALTIVEC|RISCV\w*|RVV|S390X?|MIPS\w*|LOONGARCH\w*|WASM\w*|ARM_?V7\w*|ARM32)(?:_|$)",
    re.IGNORECASE,
)
ARM_MACROS = re.compile(
    r"__aarch64__|__ARM_NEON|__arm64__|_M_ARM64|__ARM_ARCH|__ARM_FEATURE_\w+|\baarch64\b|\bARM64\b|__arm__"
)
X86_MACROS = re.compile(
    r"__x86_64__|__x86_64\b|__amd64|__i386|_M_X64|_M_AMD64|_M_IX86|__SSE\w*__|__AVX\w*__|__BMI\w*__|__FMA__"
)

_TOKEN = re.compile(
    r"\s*(defined|\d+[uUlL]*|0[xX][0-9a-fA-F]+[uUlL]*|[A-Za-z_]\w*|&&|\|\||==|!=|<=|>=|<<|>>|[!()<>+\-*/%?:])"
)


def arch_condition(condition: str) -> bool:
    """Whether a preprocessor condition is about the target architecture or its features."""
    if ARM_MACROS.search(condition) or X86_MACROS.search(condition):
        return True
    return any(_X86_NAMED.search(name) for name in re.findall(r"[A-Za-z_]\w*", condition))


def _x86_only(name: str) -> bool:
    return name in UNDEFINED or bool(_UNDEFINED_PATTERN.match(name)) or bool(_X86_NAMED.search(name))


def macro_value(name: str) -> int | None:
    """1/value when defined on aarch64, 0 when certainly (or by its x86 name) not, None when unknown."""
    if name in DEFINED:
        return DEFINED[name]
    if _x86_only(name):
        return 0
    return None


def is_defined(name: str) -> Tri:
    if name in DEFINED:
        return True
    if _x86_only(name):
        return False
    return None


def _arithmetic(operator: str, left: int | None, right: int | None) -> int | None:
    """One binary operation; None for unknown operands and for what C leaves undefined."""
    if left is None or right is None:
        return None
    if operator == "+":
        return left + right
    if operator == "-":
        return left - right
    if operator == "*":
        return left * right
    if operator in ("/", "%"):
        if right == 0:
            return None
        return int(left / right) if operator == "/" else left - right * int(left / right)
    if not 0 <= right < 64:  # shifts past the width of intmax_t are undefined
        return None
    return left << right if operator == "<<" else left >> right


class _Parser:
    """Recursive descent over ``#if`` expressions with three-valued results."""

    def __init__(self, text: str) -> None:
        self.tokens: list[str] = []
        position = 0
        while position < len(text):
            match = _TOKEN.match(text, position)
            if not match:
                if text[position:].strip():
                    raise ValueError(text)
                break
            self.tokens.append(match.group(1))
            position = match.end()
        self.index = 0

    def peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> int | None:
        value = self.ternary()
        if self.peek() is not None:
            raise ValueError("trailing tokens")
        return value

    def ternary(self) -> int | None:
        condition = self.logical_or()
        if self.peek() == "?":
            self.take()
            yes = self.ternary()
            if self.take() != ":":
                raise ValueError("expected :")
            no = self.ternary()
            if condition is None:
                return yes if yes == no else None
            return yes if condition else no
        return condition

    def logical_or(self) -> int | None:
        left = self.logical_and()
        while self.peek() == "||":
            self.take()
            right = self.logical_and()
            if left or right:
                left = 1
            elif left is None or right is None:
                left = None
            else:
                left = 0
        return left

    def logical_and(self) -> int | None:
        left = self.comparison()
        while self.peek() == "&&":
            self.take()
            right = self.comparison()
            if left == 0 or right == 0:
                left = 0
            elif left is None or right is None:
                left = None
            else:
                left = 1
        return left

    def comparison(self) -> int | None:
        left = self.shift()
        while self.peek() in ("==", "!=", "<", ">", "<=", ">="):
            operator = self.take()
            right = self.shift()
            if left is None or right is None:
                left = None
                continue
            left = int(
                {
                    "==": left == right,
                    "!=": left != right,
                    "<": left < right,
                    ">": left > right,
                    "<=": left <= right,
                    ">=": left >= right,
                }[operator]
            )
        return left

    def shift(self) -> int | None:
        left = self.additive()
        while self.peek() in ("<<", ">>"):
            operator = self.take()
            left = _arithmetic(operator, left, self.additive())
        return left

    def additive(self) -> int | None:
        left = self.multiplicative()
        while self.peek() in ("+", "-"):
            operator = self.take()
            left = _arithmetic(operator, left, self.multiplicative())
        return left

    def multiplicative(self) -> int | None:
        left = self.unary()
        while self.peek() in ("*", "/", "%"):
            operator = self.take()
            left = _arithmetic(operator, left, self.unary())
        return left

    def unary(self) -> int | None:
        token = self.take()
        if token == "!":
            value = self.unary()
            return None if value is None else int(not value)
        if token == "-":
            value = self.unary()
            return None if value is None else -value
        if token == "(":
            value = self.ternary()
            if self.take() != ")":
                raise ValueError("expected )")
            return value
        if token == "defined":
            parenthesised = self.peek() == "("
            if parenthesised:
                self.take()
            name = self.take()
            if parenthesised and self.take() != ")":
                raise ValueError("expected )")
            defined = is_defined(name)
            return None if defined is None else int(defined)
        if token[0].isdigit():
            return int(token.rstrip("uUlL"), 0)
        if token[0].isalpha() or token[0] == "_":
            if self.peek() == "(":  # a function-like macro call: unknown
                depth = 0
                while self.peek() is not None:
                    part = self.take()
                    depth += part == "("
                    depth -= part == ")"
                    if depth == 0:
                        break
                return None
            return macro_value(token)
        raise ValueError(token)


def evaluate(expression: str) -> Tri:
    """Truth of an ``#if`` expression on aarch64 (None: depends on the configuration)."""
    try:
        value = _Parser(expression).parse()
    except (ValueError, IndexError):
        return None
    return None if value is None else bool(value)


def _not(value: Tri) -> Tri:
    return None if value is None else not value


def _and(left: Tri, right: Tri) -> Tri:
    if left is False or right is False:
        return False
    if left is None or right is None:
        return None
    return True


def _or(left: Tri, right: Tri) -> Tri:
    if left or right:
        return True
    if left is None or right is None:
        return None
    return False


@dataclass
class _Frame:
    parent: Tri
    taken: Tri
    current: Tri
    conditions: list[str] = field(default_factory=list)
    arm_branch: bool = False
    has_else: bool = False


@dataclass(frozen=True)
class LineState:
    """How aarch64 sees one line."""

    compiled: Tri
    in_arm_branch: bool  # inside a branch that exists for arm64 (``#ifdef __aarch64__``)
    guard: str  # the innermost condition, for messages
    frames: tuple[_Frame, ...] = ()

    @property
    def chain_has_arm_path(self) -> bool:
        """An enclosing chain names an arm64 macro or has an ``#else`` (known once the file is read)."""
        return any(any(ARM_MACROS.search(c) for c in f.conditions) or f.has_else for f in self.frames)


_DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|else|endif)\b(.*)$", re.MULTILINE)


def _strip_comment(text: str) -> str:
    return re.sub(r"/\*.*?\*/|//.*$", " ", text).strip()


class GuardMap:
    """Line -> `LineState`, computed from the preprocessor directives only.

    Work is proportional to the number of directives, not lines, so files
    without guards cost one regex scan.
    """

    def __init__(self, code: str) -> None:
        self._starts: list[int] = [1]
        self._states: list[LineState] = [LineState(True, False, "", ())]
        stack: list[_Frame] = []
        position, line = 0, 1
        for match in _DIRECTIVE.finditer(code):
            keyword, rest = match.group(1), match.group(2)
            end = match.end()
            while rest.rstrip().endswith("\\"):  # continued directive
                following = code.find("\n", end + 1)
                following = len(code) if following == -1 else following
                rest = rest.rstrip()[:-1] + " " + code[end + 1 : following]
                end = following
            rest = _strip_comment(rest)
            parent: Tri = True
            for frame in stack:
                parent = _and(parent, frame.current)
            if keyword in ("if", "ifdef", "ifndef"):
                name = rest.split()[0] if rest else ""
                if keyword == "ifdef":
                    condition, text = (is_defined(name) if name else None), f"defined({name})"
                elif keyword == "ifndef":
                    condition, text = (_not(is_defined(name)) if name else None), f"!defined({name})"
                else:
                    condition, text = evaluate(rest), rest
                frame = _Frame(parent, condition, _and(parent, condition), [text])
                frame.arm_branch = condition is True and bool(ARM_MACROS.search(text))
                stack.append(frame)
            elif keyword == "elif" and stack:
                frame = stack[-1]
                condition = evaluate(rest)
                frame.current = _and(frame.parent, _and(_not(frame.taken), condition))
                frame.taken = _or(frame.taken, condition)
                frame.conditions.append(rest)
                frame.arm_branch = frame.current is not False and bool(ARM_MACROS.search(rest))
            elif keyword == "else" and stack:
                frame = stack[-1]
                frame.current = _and(frame.parent, _not(frame.taken))
                frame.conditions.append("#else")
                frame.arm_branch = False
                frame.has_else = True
            elif keyword == "endif" and stack:
                stack.pop()
            compiled: Tri = True
            for frame in stack:
                compiled = _and(compiled, frame.current)
            state = LineState(
                compiled,
                any(frame.arm_branch for frame in stack),
                stack[-1].conditions[-1] if stack else "",
                tuple(stack),
            )
            line += code.count("\n", position, match.start())
            position = match.start()
            self._starts.append(line)
            self._states.append(state)

    def state(self, line: int) -> LineState:
        """How aarch64 sees 1-based ``line``."""
        return self._states[bisect.bisect_right(self._starts, line) - 1]


def line_states(lines: list[str]) -> list[LineState]:
    """One `LineState` per line (directive lines as their own branch sees them)."""
    guards = GuardMap("\n".join(lines))
    return [guards.state(number) for number in range(1, len(lines) + 1)]
