"""Native build files: which x86-only flags and libraries an aarch64 build really gets, and which sources
the build picks only for x86.

Make, CMake, meson, autoconf/shell and Python build scripts are read as
statements inside branches, the way their tools read them: ``ifeq``/``ifneq``/
``else``, ``if(NOT ...)``/``elseif``/``else()``, ``if``/``elif``/``else``, shell
``if``/``case``. Each branch condition is judged for aarch64 (`branch_taken`):
a test for x86 (``x86_64``, ``AMD64``, ``HAVE_AVX2``, ``not is_arm``...) is
False, a test for aarch64 is True, anything else unknown; a negation flips it.
Flags in branches aarch64 never takes are not reported; flags only probed
(``check_c_compiler_flag``, ``cc.has_argument``, ``AX_CHECK_COMPILE_FLAG``) or
stored in an x86-named variable (``set(AVX2FLAG -mavx2)``) are not passed to
an aarch64 compiler by themselves. A source path written inside a branch
aarch64 never takes is a file the build selects only for x86.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import re2

from replatform.assess.native.preprocessor import Tri, named_off_target, tri_and, tri_not, tri_or
from replatform.discover.source import SourceFile
from replatform.model import Location

_FLAG = re.compile(
    r"(?<![\w-])-m(?:avx\w*|sse\w*|fma4?|bmi2?|f16c|popcnt|lzcnt|pclmul|aes|sha|xop|rdrnd|movbe|"
    r"arch=(?:haswell|broadwell|skylake[\w-]*|cascadelake|icelake[\w-]*|sapphirerapids|alderlake|tigerlake|"
    r"znver\d|x86-64(?:-v\d)?|core\w*|sandybridge|ivybridge|nehalem|westmere|k8|pentium\w*|i[3-6]86)|"
    r"tune=(?:haswell|broadwell|skylake[\w-]*|cascadelake|icelake[\w-]*|znver\d|intel|core\w*|sandybridge|generic-x86))(?![\w-])"
)
_X86_LIBRARY = re.compile(r"(?<![\w-])-l(?:mkl\w*|iomp5|ipp\w*)\b|\bmkl_rt\b|\bIPP::\w+|\bMKL::\w+")
# A file with none of these has no flag or library for the two patterns above (checked once, at memchr-like speed).
_FLAG_OR_LIBRARY = re2.compile(
    rb"-m(?:avx|sse|fma|bmi|f16c|popcnt|lzcnt|pclmul|aes|sha|xop|rdrnd|movbe|arch=|tune=)|-l(?:mkl|iomp5|ipp)|mkl_rt|IPP::|MKL::"
)


def passes_flags(data: bytes) -> bool:
    """Whether a file can hold an x86-only flag or library at all (one linear-time pass)."""
    return _FLAG_OR_LIBRARY.search(data) is not None


def x86_flags(text: str) -> list[str]:
    """The x86-only compiler flags in a line (``-mavx2``, ``-march=haswell``...).

    ``-march=native`` is not one: GCC and Clang accept it on aarch64 too.
    """
    return sorted(set(_FLAG.findall(text)))


# Commands and functions that only ask whether the compiler takes a flag.
_PROBE = re.compile(
    r"check_(?:c|cxx|fortran)?_?compiler_flag|check_compiler_flag|CMAKE_REQUIRED_FLAGS|check_\w*_source_compiles|"
    r"has_argument|has_multi_arguments|get_supported_arguments|first_supported_argument|has_link_argument|"
    r"AX_CHECK_COMPILE_FLAG|AX_CHECK_LINK_FLAG|AX_APPEND_COMPILE_FLAGS|CC_CHECK_CFLAGS\w*|CHECK_CFLAG|has_flag|"
    r"try_compile|_test_flag|check_flag|\$\{?test\}?\.c\b|conftest|\$\(shell\s+\$\(CC\)|-o\s+/dev/null",
    re.IGNORECASE,
)
# Text for people, not the compiler: echo "... -mavx2 ...", message(...), $(info ...).
_MESSAGE = re.compile(
    r"^\s*@?(?:echo|printf|print|message|warning|error|summary|AC_MSG_\w+|\$\((?:info|warning|error))\b", re.IGNORECASE
)
# Files listed for distribution or as headers are shipped, not compiled (automake).
_NOT_COMPILED_LIST = re.compile(r"^\s*(?:\w+_HEADERS|EXTRA_DIST|\w+_DIST|\w+_DATA)\s*\+?=")
_ASSIGNMENT = re.compile(
    r"^\s*(?:set|list\s*\(\s*APPEND|string\s*\(\s*APPEND)\s*\(\s*([A-Za-z_]\w*)"  # CMake set(NAME ...)
    r"|^\s*(?:export\s+)?([A-Za-z_][\w.]*)\s*(?:\+|:|\?|::)?=",  # Make/shell/Python/meson NAME = ...
    re.IGNORECASE,
)
_LIST_APPEND = re.compile(r"\blist\s*\(\s*APPEND\s+([A-Za-z_]\w*)", re.IGNORECASE)
_ARM_TEST = re.compile(r"(?<![a-z0-9])(?:aarch64|arm64|armv8\w*|graviton)(?![a-z0-9])", re.IGNORECASE)
_X86_TEST = re.compile(
    r"(?<![a-z0-9])(?:x86(?:_64|-64)?|amd64|x64|i[3-6x]86|ia32|win32|win64|msvc|windows|darwin|apple|emscripten)(?![a-z0-9])",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"^\s*(?:not\b|NOT\b|!(?!=))\s*")
_NEGATED_COMPARISON = re.compile(r"!=|\bnot\s+in\b|\s-ne\s|\bNOT\s+(?:STREQUAL|MATCHES)\b")
_WORD = re.compile(r"[A-Za-z_][\w.]*")
_SOURCE_REFERENCE = re.compile(
    r"[\w${}()./+-]*/[\w${}()./+-]*|[\w${}()+-]+\.(?:c|cc|cpp|cxx|S|s|asm|h|hpp|cu)\b",
)


def _split_top(text: str, operators: re.Pattern[str]) -> list[str]:
    """Split on boolean operators outside parentheses and brackets."""
    if operators.search(text) is None:
        return [text]
    if not any(bracket in text for bracket in "([{"):
        return operators.split(text)
    parts: list[str] = []
    depth = 0
    start = 0
    position = 0
    while position < len(text):
        char = text[position]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0:
            match = operators.match(text, position)
            if match and (position == 0 or not text[position - 1].isalnum()):
                parts.append(text[start:position])
                start = position = match.end()
                continue
        position += 1
    parts.append(text[start:])
    return parts


_OR = re.compile(r"\|\||\bor\b|\bOR\b|\s-o\s")
_AND = re.compile(r"&&|\band\b|\bAND\b|\s-a\s")


@dataclass
class Names:
    """Build variables whose value on aarch64 the file itself decides (``use_svml = cpu == 'x86_64'``)."""

    false: set[str] = field(default_factory=set)
    true: set[str] = field(default_factory=set)


def branch_taken(condition: str, names: Names | None = None) -> Tri:
    """Whether an aarch64 Linux build takes a build-file branch with this condition."""
    names = names if names is not None else Names()
    alternatives = _split_top(condition, _OR)
    if len(alternatives) > 1:
        results = [branch_taken(a, names) for a in alternatives]
        return True if True in results else (None if None in results else False)
    conjuncts = _split_top(condition, _AND)
    if len(conjuncts) > 1:
        results = [branch_taken(c, names) for c in conjuncts]
        return False if False in results else (None if None in results else True)
    atom = condition.strip()
    negated = False
    while True:
        match = _NEGATION.match(atom)
        if not match:
            break
        negated = not negated
        atom = atom[match.end() :].strip()
    if atom.startswith("(") and atom.endswith(")") and atom.count("(") == atom.count(")"):
        inner = branch_taken(atom[1:-1], names)
        return _flip(inner, negated)
    if _NEGATED_COMPARISON.search(atom):
        negated = not negated
    return _flip(_atom(atom, names), negated)


def _flip(value: Tri, negated: bool) -> Tri:
    return value if value is None or not negated else not value


def _atom(atom: str, names: Names) -> Tri:
    if _ARM_TEST.search(atom):
        return True  # a pattern or comparison that aarch64 satisfies
    if _X86_TEST.search(atom):
        return False
    words = [w.rstrip(".") for w in _WORD.findall(atom)]
    if any(w in names.false or named_off_target(w.replace(".", "_")) for w in words):
        return False
    if any(w in names.true for w in words):
        return True
    return None


@dataclass(frozen=True)
class FlagUse:
    """An x86-only flag or library passed where an aarch64 build may go."""

    text: str
    line: int
    certain: bool  # the branch is certainly taken on aarch64 (else: unknown)


@dataclass(frozen=True)
class Reference:
    """A path written in a build file, and whether aarch64 takes the branch it is in."""

    text: str
    line: int
    taken: Tri


@dataclass(frozen=True)
class BuildAnalysis:
    """What one build file passes to the compiler and which sources it names, per branch."""

    path: str
    flags: tuple[FlagUse, ...] = ()
    libraries: tuple[FlagUse, ...] = ()
    references: tuple[Reference, ...] = ()
    locations: tuple[tuple[int, Location], ...] = ()

    def location(self, line: int) -> Location:
        for number, location in self.locations:
            if number == line:
                return location
        return Location(self.path, line)


def language(path: str) -> str | None:
    """The build language of a file, by name."""
    name = path.rsplit("/", 1)[-1]
    if name == "CMakeLists.txt" or name.endswith(".cmake"):
        return "cmake"
    if name == "meson.build":
        return "meson"
    if (
        name in ("Makefile", "makefile", "GNUmakefile")
        or name.endswith((".mk", ".mak"))
        or name.startswith("Makefile.")
    ):
        return "make"
    if name.endswith(".py"):
        return "python"
    if name in ("configure", "configure.ac", "configure.in") or name.endswith((".sh", ".bash")):
        return "shell"
    return None


@dataclass
class _Frame:
    parent: Tri
    taken: Tri  # some earlier branch of the chain was taken
    current: Tri
    indent: int = -1  # Python only
    kind: str = ""


@dataclass
class _Branches:
    """The chain of branches open at a point of a build file."""

    frames: list[_Frame] = field(default_factory=list)

    @property
    def state(self) -> Tri:
        state: Tri = True
        for frame in self.frames:
            state = tri_and(state, frame.current)
        return state

    def open(self, taken: Tri, indent: int = -1, kind: str = "") -> None:
        parent = self.state
        self.frames.append(_Frame(parent, taken, tri_and(parent, taken), indent, kind))

    def alternative(self, taken: Tri) -> None:
        """``elif``/``elseif``/``else ifeq``/another ``case`` pattern (``taken`` None means plain else)."""
        if not self.frames:
            return
        frame = self.frames[-1]
        own = tri_and(tri_not(frame.taken), taken) if taken is not None else tri_not(frame.taken)
        frame.taken = tri_or(frame.taken, taken if taken is not None else True)
        frame.current = tri_and(frame.parent, own)

    def otherwise(self) -> None:
        """``else``: taken when no earlier branch was."""
        if not self.frames:
            return
        frame = self.frames[-1]
        frame.current = tri_and(frame.parent, tri_not(frame.taken))
        frame.taken = True

    def close(self) -> None:
        if self.frames:
            self.frames.pop()


def _statements(source: SourceFile, kind: str) -> Iterator[tuple[int, str]]:
    """(first line, text) of each statement: continuations, open brackets and long strings joined, comments dropped."""
    bracketed = kind in ("cmake", "meson", "python")
    lines = source.lines
    index = 0
    while index < len(lines):
        start = index
        text, depth, quote = _scan(lines[index], kind, 0, "")
        while index + 1 < len(lines) and (
            text.rstrip().endswith("\\") or (bracketed and (depth > 0 or len(quote) == 3))
        ):
            index += 1
            following, depth, quote = _scan(lines[index], kind, depth, quote)
            text = (text.rstrip()[:-1] if text.rstrip().endswith("\\") else text) + "\n" + following
        index += 1
        if text.strip():
            yield start + 1, text


_LONG_QUOTES = ("'" * 3, '"' * 3)


_SPECIAL = re.compile(r"[#\"'()\[\]{}\\]")


def _scan(line: str, kind: str, depth: int, quote: str) -> tuple[str, int, str]:
    """One line without its comment; bracket depth and an open long string carried over from earlier lines."""
    position = 0
    length = len(line)
    while position < length:
        if quote:
            end = line.find(quote, position)
            escape = line.find("\\", position)
            if escape != -1 and (end == -1 or escape < end) and len(quote) == 1:
                position = escape + 2
                continue
            if end == -1:
                break
            position = end + len(quote)
            quote = ""
            continue
        match = _SPECIAL.search(line, position)
        if match is None:
            break
        char = match.group(0)
        position = match.end()
        if char in "\"'":
            triple = line[position - 1 : position + 2]
            quote = triple if kind in ("meson", "python") and triple in _LONG_QUOTES else char
            position += len(quote) - 1
        elif char == "#":
            start = position - 1
            if kind != "shell" or start == 0 or line[start - 1] in " \t(;,[":
                return line[:start], depth, ""
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "\\":
            position += 1
    return line, depth, (quote if len(quote) == 3 else "")


_CMAKE_COMMAND = re.compile(r"^\s*(\w+)\s*\((.*)\)\s*$", re.DOTALL)
_MAKE_CONDITIONAL = re.compile(r"^\s*(?:(else)\s*)?(ifeq|ifneq|ifdef|ifndef)\b(.*)$", re.DOTALL)
_AUTOMAKE_IF = re.compile(r"^if\s+(!?)\s*([A-Za-z_]\w*)\s*$")
_MESON_BRANCH = re.compile(r"^\s*(if|elif|else|endif)\b(.*)$", re.DOTALL)
_PYTHON_BRANCH = re.compile(r"^(\s*)(if|elif|else)\b(.*?):\s*(.*)$", re.DOTALL)
_SHELL_IF = re.compile(r"^\s*(if|elif)\b(.*?);?\s*then\b", re.DOTALL)
_SHELL_CASE = re.compile(r"^\s*case\s+(.*?)\s+in\b")
_SHELL_PATTERN = re.compile(r"^\s*\(?([^()]*?)\)\s*(.*)$", re.DOTALL)


def analyze(source: SourceFile) -> BuildAnalysis | None:
    """Flags, libraries and source references of one build file, each with the branch it sits in."""
    kind = language(source.path)
    if kind is None:
        return None
    branches = _Branches()
    names = Names()
    flags: list[FlagUse] = []
    libraries: list[FlagUse] = []
    references: list[Reference] = []
    in_case = 0
    flagged = passes_flags(source.data)
    for number, statement in _statements(source, kind):
        body = _branch(kind, statement, branches, names)
        if kind == "shell":
            in_case, body = _shell_case(statement, branches, in_case, body)
        if body is None:
            # A path in a branch condition (``if use_x86 and fs.exists('x86/...')``) belongs to that branch.
            _references(statement, number, branches.state, references)
            continue
        state = branches.state
        _track_assignment(body, state, names)
        if (
            flagged
            and state is not False
            and not _PROBE.search(body)
            and not _MESSAGE.match(body)
            and not _x86_named_assignment(body)
        ):
            for offset, line_text in enumerate(body.split("\n")):
                for flag in x86_flags(line_text):
                    flags.append(FlagUse(flag, number + offset, state is True))
                for library in _X86_LIBRARY.findall(line_text):
                    libraries.append(FlagUse(library, number + offset, state is True))
        if not _NOT_COMPILED_LIST.match(body):
            _references(body, number, state, references)
    if not flags and not libraries and not references:
        return None
    lines = sorted({use.line for use in (*flags, *libraries)})
    return BuildAnalysis(
        source.path,
        tuple(flags),
        tuple(libraries),
        tuple(references),
        tuple((line, source.location_of_line(line)) for line in lines),
    )


def _references(text: str, number: int, state: Tri, references: list[Reference]) -> None:
    if ("/" not in text and "." not in text) or _PROBE.search(text):
        return  # a compile probe names a file to test the compiler, not to build it
    for offset, line_text in enumerate(text.split("\n")):
        for token in _SOURCE_REFERENCE.findall(line_text):
            cleaned = _clean_reference(token)
            if cleaned:
                references.append(Reference(cleaned, number + offset, state))


def _branch(kind: str, statement: str, branches: _Branches, names: Names) -> str | None:
    """Update the branches for a branch statement; the text left to inspect (None when nothing is)."""
    if kind == "cmake":
        command = _CMAKE_COMMAND.match(statement)
        if command:
            name, arguments = command.group(1).lower(), command.group(2)
            if name == "if":
                branches.open(branch_taken(arguments, names))
                return None
            if name == "elseif":
                branches.alternative(branch_taken(arguments, names))
                return None
            if name == "else":
                branches.otherwise()
                return None
            if name == "endif":
                branches.close()
                return None
        return statement
    if kind == "make":
        automake = _AUTOMAKE_IF.match(statement)
        if automake:  # automake's own conditionals (Makefile.am): if NAME / if !NAME
            taken = _make_condition("ifdef", automake.group(2), names)
            branches.open(tri_not(taken) if automake.group(1) else taken)
            return None
        conditional = _MAKE_CONDITIONAL.match(statement)
        if conditional:
            taken = _make_condition(conditional.group(2), conditional.group(3), names)
            if conditional.group(1):
                branches.alternative(taken)
            else:
                branches.open(taken)
            return None
        stripped = statement.strip()
        if stripped == "else":
            branches.otherwise()
            return None
        if stripped == "endif":
            branches.close()
            return None
        return statement
    if kind == "meson":
        match = _MESON_BRANCH.match(statement)
        if match:
            keyword = match.group(1)
            if keyword == "if":
                branches.open(branch_taken(match.group(2), names))
            elif keyword == "elif":
                branches.alternative(branch_taken(match.group(2), names))
            elif keyword == "else":
                branches.otherwise()
            else:
                branches.close()
            return None
        return statement
    if kind == "python":
        indent = len(statement) - len(statement.lstrip())
        match = _PYTHON_BRANCH.match(statement)
        keyword = match.group(2) if match else ""
        while branches.frames and (
            indent < branches.frames[-1].indent
            or (indent == branches.frames[-1].indent and keyword not in ("elif", "else"))
        ):
            branches.close()
        if match:
            condition, rest = match.group(3), match.group(4)
            if keyword == "if":
                branches.open(branch_taken(condition, names), indent)
            elif keyword == "elif":
                branches.alternative(branch_taken(condition, names))
            else:
                branches.otherwise()
            return rest or None
        return statement
    # shell and autoconf
    match = _SHELL_IF.match(statement)
    if match:
        taken = branch_taken(match.group(2).replace("[", " ").replace("]", " ").replace("test ", " "), names)
        if match.group(1) == "if":
            branches.open(taken, kind="if")
        else:
            branches.alternative(taken)
        rest = statement[match.end() :]
        if re.search(r"\bfi\s*$", rest):
            content = re.sub(r"\bfi\s*$", "", rest)
            branches.close()
            return _with_state(content, taken, branches)
        return rest or None
    stripped = statement.strip()
    if stripped in ("else", "else;"):
        branches.otherwise()
        return None
    if stripped.startswith("fi") and stripped[2:3] in ("", ";", " "):
        branches.close()
        return None
    return statement


def _with_state(content: str, taken: Tri, branches: _Branches) -> str | None:
    """A one-line ``if ...; then ...; fi``: inspect its body only when aarch64 may run it."""
    return None if tri_and(branches.state, taken) is False else content


def _shell_case(statement: str, branches: _Branches, in_case: int, body: str | None) -> tuple[int, str | None]:
    """``case WORD in`` ... ``PATTERN)`` ... ``;;`` ... ``esac``: each pattern is a branch."""
    if body is None:
        return in_case, body
    if _SHELL_CASE.match(statement):
        branches.open(False, kind="case")
        return in_case + 1, None
    stripped = statement.strip()
    if in_case and stripped.startswith("esac"):
        branches.close()
        return in_case - 1, None
    if in_case and branches.frames and branches.frames[-1].kind == "case":
        pattern = _SHELL_PATTERN.match(statement)
        if pattern and not stripped.startswith(("#", "if ", "for ", "while ")) and "=" not in pattern.group(1):
            words = pattern.group(1).strip()
            taken: Tri = None if words in ("*", '"*"') else _case_taken(words)
            frame = branches.frames[-1]
            frame.current = tri_and(frame.parent, taken if words not in ("*", '"*"') else tri_not(frame.taken))
            frame.taken = tri_or(frame.taken, taken if taken is not None else None)
            rest = pattern.group(2)
            return in_case, (rest.replace(";;", "") or None)
    return in_case, body


# What `uname -m`, $host_cpu or $host say on aarch64 Linux, and on machines that are not aarch64.
_ARM_MACHINE = ("aarch64", "arm64", "aarch64-unknown-linux-gnu", "aarch64-linux-gnu")
_OTHER_MACHINES = (
    "x86_64",
    "amd64",
    "i386",
    "i686",
    "x86",
    "x86_64-pc-linux-gnu",
    "i686-pc-linux-gnu",
    "ppc64le",
    "powerpc64le",
    "s390x",
    "riscv64",
    "armv7l",
    "arm",
    "mips64",
    "loongarch64",
)


def _case_taken(patterns: str) -> Tri:
    """A shell ``case`` pattern list (globs) matched against the machine name aarch64 reports."""
    globs = [p.strip().strip("\"'") for p in patterns.split("|") if p.strip()]
    if any(fnmatch.fnmatchcase(machine, glob) for glob in globs for machine in _ARM_MACHINE):
        return True
    if any(fnmatch.fnmatchcase(machine, glob) for glob in globs for machine in _OTHER_MACHINES):
        return False
    return None


def _make_condition(keyword: str, arguments: str, names: Names) -> Tri:
    if keyword in ("ifdef", "ifndef"):
        name = arguments.strip()
        defined: Tri = False if (name in names.false or named_off_target(name)) else None
        return tri_not(defined) if keyword == "ifndef" else defined
    equal = branch_taken(arguments, names)
    if keyword == "ifneq":
        return tri_not(equal)
    return equal


_CMAKE_OPTION = re.compile(r"^\s*option\s*\(\s*([A-Za-z_]\w*)\s+(?:\"[^\"]*\"\s*)?(ON|OFF|TRUE|FALSE)?", re.IGNORECASE)
_CMAKE_LITERAL_SET = re.compile(r"^\s*set\s*\(\s*([A-Za-z_]\w*)\s+(ON|OFF|TRUE|FALSE|YES|NO|1|0)\s*\)", re.IGNORECASE)


def _track_assignment(body: str, state: Tri, names: Names) -> None:
    """Names set by an arch test, or to true only inside x86 branches, have a known value on aarch64.

    CMake ``option(X "..." OFF)`` and ``set(X OFF)`` give the default configuration's value.
    """
    literal = _CMAKE_OPTION.match(body) or _CMAKE_LITERAL_SET.match(body)
    if literal and state is True:
        value = (literal.group(2) or "OFF").upper()
        (names.true if value in ("ON", "TRUE", "YES", "1") else names.false).add(literal.group(1))
        (names.false if value in ("ON", "TRUE", "YES", "1") else names.true).discard(literal.group(1))
        return
    match = _ASSIGNMENT.match(body)
    if not match:
        return
    name = match.group(1) or match.group(2)
    value = body[match.end() :]
    if len(value) > 600 or not _may_decide(value, names):
        value = ""  # a list of sources or anything else that is no test of the architecture
    if state is False:
        if re.search(r"\b(?:ON|TRUE|YES|true|True|1)\b", value) and name not in names.true:
            names.false.add(name)
        return
    names.false.discard(name)
    names.true.discard(name)
    if match.group(2) is None:
        return  # CMake set(): the value is a string, not a test
    taken = branch_taken(value, names)
    if taken is False:
        names.false.add(name)
    elif taken is True and state is True:
        names.true.add(name)


def _may_decide(value: str, names: Names) -> bool:
    """Cheap test that `branch_taken` could return True or False for this text."""
    if _ARM_TEST.search(value) or _X86_TEST.search(value):
        return True
    return any(
        w in names.false or w in names.true or named_off_target(w.replace(".", "_")) for w in _WORD.findall(value)
    )


def _x86_named_assignment(body: str) -> bool:
    """``set(COMPILE_FLAGS_AVX2 "-mavx2")``, ``avx2flag="-mavx2"``: a name for a flag, passed only where used."""
    match = _ASSIGNMENT.match(body) or _LIST_APPEND.search(body)
    if not match:
        return False
    name = match.group(1) or (match.group(2) if match.lastindex and match.lastindex >= 2 else None) or ""
    return bool(name) and named_off_target(name.replace(".", "_"))


def _clean_reference(token: str) -> str:
    """A path literal without variables (``${ROOT}/src/x86/a.c`` -> ``src/x86/a.c``)."""
    text = re.sub(r"\$[({][^)}]*[)}]/?", "", token).strip("/.\"'()")
    if len(text) < 3 or not re.search(r"[A-Za-z]", text):
        return ""
    return text
