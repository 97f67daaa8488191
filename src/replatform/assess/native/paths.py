"""What a file's path says about the build that uses it.

Projects name files and folders after the target they are for: ``x86/``,
``avx2/``, ``haswell.h``, ``*_x86dispatch.c`` next to ``neon/``, ``arm64/``,
``generic/`` or ``ref.c``. Words are the path's pieces split on ``/ _ . -``
and matched whole, so ``sse41`` is x86 but ``essence`` is not.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict

_SPLIT = re.compile(r"[/_.\-\s]+")
_X86_WORD = re.compile(
    r"x86\w*|x64|amd64|i[3-6]86|ia32|sse\w*|ssse3|avx\w*|aesni|v?p?clmul\w*|shani|adx|f16c|fma[34]|popcnt|bmi\d?|xop|"
    r"mmx|intel|svml|sandy2x|[xyz]mm\d*\w*|haswell|broadwell|skylake\w*|skx|cannonlake|icelake\w*|icl|tigerlake|"
    r"alderlake|sapphirerapids|spr|cooperlake|cascadelake|westmere|nehalem|sandybridge|ivybridge|goldmont\w*|"
    r"silvermont|tremont|znver\d*|zen\d*|bulldozer|piledriver|steamroller|excavator|penryn|dunnington|conroe|"
    r"wolfdale|merom|yonah|core2|knl|nasm|yasm|masm"
)
_ARM_WORD = re.compile(
    r"neon\d*|arm|arm64|aarch64|armv8\w*|armv9\w*|armsve|a64|a64fx|sve\d*|asimd|pmull|crypto_arm\w*|apple_m\d|"
    r"firestorm|thunderx\d*|cortexa(?:5[3-9]|7\d)|cortexx\d|neoverse\w*|graviton\d*"
)
# A portable implementation next to the x86 one: the build falls back to it elsewhere.
_FALLBACK_WORD = re.compile(r"generic|fallback|scalar|portable|ref|reference|plain|noasm|nosimd|purec|emulated|c")
_OTHER_ARCH_WORD = re.compile(
    r"ppc\w*|powerpc|power\d*|vsx\d*|vxe?\d?|altivec|rvv|riscv\w*|s390x?|zarch|mips\w*|loongarch\w*|lsx|lasx|"
    r"wasm\w*|emscripten|emu128|armv[4-7]\w*|armhf|arm32|neon32|sparc\w*|ia64|alpha|hppa|m68k|e2k|msa|zvector"
)
_OTHER_SYSTEM_WORD = re.compile(r"win|win32|win64|windows|msvc|mingw|cygwin|apple|macos|darwin|ios|osx|vs20\d\d")
# Folders of code that is not part of the product's build: tests, examples, benchmarks, docs, contributions.
_AUXILIARY_FOLDER = re.compile(
    r"tests?|testing|testdata|test cases|test_cases|unit_?tests?|examples?|samples?|demos?|bench|benchmarks?|"
    r"fuzz|fuzzing|fuzzers?|docs?|contrib",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(word for word in _SPLIT.split(text.lower()) if word)


def _has(pattern: re.Pattern[str], text: str) -> bool:
    return any(pattern.fullmatch(word) for word in _words(text))


@functools.lru_cache(maxsize=65536)
def x86_specific(path: str) -> bool:
    """A file or folder named after x86 or one of its micro-architectures."""
    return _has(_X86_WORD, path)


@functools.lru_cache(maxsize=65536)
def arm_specific(path: str) -> bool:
    """A file or folder named after arm64/NEON/SVE."""
    return _has(_ARM_WORD, path)


@functools.lru_cache(maxsize=65536)
def fallback_named(name: str) -> bool:
    """A file or folder named as the portable implementation (``generic``, ``scalar``, ``ref.c``)."""
    return _has(_FALLBACK_WORD, name)


def _without_x86_words(stem: str) -> str | None:
    """``crc32_sse42`` -> ``crc32``: the name a portable twin of an x86 variant would have."""
    text = _without_words(stem, (_X86_WORD,))
    return None if text == stem or not text else text


def _without_words(stem: str, patterns: tuple[re.Pattern[str], ...]) -> str:
    """``stem`` without the ``_``/``.``/``-``-separated words that match ``patterns``."""
    pieces = re.split(r"([_.\-])", stem)
    kept: list[str] = []
    for piece in pieces:
        if any(pattern.fullmatch(piece.lower()) for pattern in patterns):
            if kept and kept[-1] in "_.-":
                kept.pop()
            continue
        kept.append(piece)
    return "".join(kept).strip("_.-")


def other_target(path: str) -> bool:
    """A file or folder for another architecture (PowerPC, RISC-V...) or system (Windows, Apple)."""
    folder, _, name = path.rpartition("/")  # words never span a "/": each folder is judged once
    return _other_target_words(folder) or _other_target_words(name)


@functools.lru_cache(maxsize=65536)
def _other_target_words(text: str) -> bool:
    return _has(_OTHER_ARCH_WORD, text) or _has(_OTHER_SYSTEM_WORD, text)


_AUXILIARY_WORD = re.compile(r"tests?|unittests?|bench|benchmarks?|examples?|demos?|fuzz|fuzzer|fuzzing")


@functools.lru_cache(maxsize=65536)
def auxiliary(path: str) -> str | None:
    """The folder (or file name) that marks a file as a test, example, benchmark or contribution, if one does."""
    *folders, name = path.split("/")
    for folder in folders:
        if _AUXILIARY_FOLDER.fullmatch(folder):
            return folder + "/"
    stem = name.rsplit(".", 1)[0]
    if _has(_AUXILIARY_WORD, stem):
        return name
    return None


class TreeIndex:
    """Files and sub-folders per folder of the walked tree, built once per run."""

    def __init__(self, walked: tuple[str, ...] | list[str]) -> None:
        self.files: dict[str, list[str]] = defaultdict(list)
        self.folders: dict[str, set[str]] = defaultdict(set)
        self.by_name: dict[str, list[str]] = defaultdict(list)
        for path in walked:
            parent, _, name = path.rpartition("/")
            self.files[parent].append(name)
            self.by_name[name].append(path)
            while parent:
                grand, _, folder = parent.rpartition("/")
                if folder in self.folders[grand]:
                    break
                self.folders[grand].add(folder)
                parent = grand

    def _join(self, base: str, name: str) -> str:
        return f"{base}/{name}" if base else name

    def port_of(self, path: str) -> str | None:
        """A sibling file or folder that provides the arm64 (or portable) path of an x86-specific file.

        Looked for next to the file, next to its folder, and inside its folder
        (``crc/crc32.asm`` with ``crc/aarch64/``).
        """
        parent = path.rpartition("/")[0]
        grand = parent.rpartition("/")[0]
        x86_folder = x86_specific(parent.rpartition("/")[2]) if parent else False
        # Next to the file, next to its folder, and next to the nearest folder named after x86
        # (kernels/zen/3/f.c with kernels/armv8a/).
        bases = [parent, grand]
        folders = parent.split("/") if parent else []
        for index in range(len(folders) - 1, -1, -1):
            if x86_specific(folders[index]):
                bases.append("/".join(folders[:index]))
                break
        for base in dict.fromkeys(bases):
            for folder in sorted(self.folders.get(base, ())):
                if arm_specific(folder) or (x86_folder and base == grand and fallback_named(folder)):
                    return self._join(base, folder) + "/"
        twin = self._twin(path)
        if twin is not None:
            return twin
        return None

    def _twin(self, path: str) -> str | None:
        """``ghash_clmul.c`` next to ``ghash.c``, ``ghash_pmull.c``, ``ghash_portable.c`` or ``aarch64_ghash.c``."""
        parent, _, own = path.rpartition("/")
        portable = _without_x86_words(own.rsplit(".", 1)[0])
        if portable is None:
            return None
        for name in sorted(self.files.get(parent, ())):
            if name == own or not name.endswith(_SOURCE_SUFFIXES):
                continue
            stem = name.rsplit(".", 1)[0]
            if _without_words(stem, (_ARM_WORD, _FALLBACK_WORD)) == portable:
                return self._join(parent, name)
        return None

    def arm_neighbour(self, path: str) -> str | None:
        """An arm64-named source file in the same folder: the folder holds per-target variants (weaker evidence)."""
        parent, _, own = path.rpartition("/")
        for name in sorted(self.files.get(parent, ())):
            if name != own and name.endswith(_SOURCE_SUFFIXES) and arm_specific(name.rsplit(".", 1)[0]):
                return self._join(parent, name)
        return None

    def twin(self, path: str, stems: tuple[str, ...]) -> str | None:
        """A file in the same folder whose name without extension is one of ``stems``."""
        parent = path.rpartition("/")[0]
        for name in sorted(self.files.get(parent, ())):
            if name.rsplit(".", 1)[0] in stems:
                return self._join(parent, name)
        return None

    def resolve_include(self, includer: str, target: str) -> list[str]:
        """Tree files an ``#include`` of ``target`` from ``includer`` may name (relative first, then by suffix)."""
        if ".." in target.split("/"):
            parts: list[str] = includer.rpartition("/")[0].split("/") if "/" in includer else []
            for piece in target.split("/"):
                if piece == "..":
                    if parts:
                        parts.pop()
                elif piece != ".":
                    parts.append(piece)
            candidate = "/".join(parts)
            return [candidate] if candidate in self.by_name.get(candidate.rpartition("/")[2], ()) else []
        name = target.rpartition("/")[2]
        relative = self._join(includer.rpartition("/")[0], target)
        matches = self.by_name.get(name, [])
        if relative in matches:
            return [relative]
        return [p for p in matches if p == target or p.endswith("/" + target)]


_SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".inl", ".S", ".s", ".asm", ".cu")
