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
    r"x86\w*|x64|amd64|i[3-6]86|ia32|sse\w*|ssse3|avx\w*|aesni|v?pclmul\w*|adx|f16c|fma[34]|popcnt|bmi\d?|xop|"
    r"mmx|intel|svml|sandy2x|[xyz]mm\d*\w*|haswell|broadwell|skylake\w*|skx|cannonlake|icelake\w*|icl|tigerlake|"
    r"alderlake|sapphirerapids|spr|cooperlake|cascadelake|westmere|nehalem|sandybridge|ivybridge|goldmont\w*|"
    r"silvermont|tremont|znver\d*|zen\d+|knl|nasm|yasm|masm"
)
_ARM_WORD = re.compile(r"neon\d*|arm|arm64|aarch64|armv8\w*|a64|sve\d*|asimd|pmull|crypto_arm\w*|apple_m\d")
# A portable implementation next to the x86 one: the build falls back to it elsewhere.
_FALLBACK_WORD = re.compile(r"generic|fallback|scalar|portable|ref|reference|plain|noasm|nosimd|purec|emulated|c")
_OTHER_ARCH_WORD = re.compile(
    r"ppc\w*|powerpc|power\d*|vsx\d*|vxe?\d?|altivec|rvv|riscv\w*|s390x?|zarch|mips\w*|loongarch\w*|lsx|lasx|"
    r"wasm\w*|emscripten|emu128|armv[4-7]\w*|armhf|arm32|neon32|sparc\w*|ia64|alpha|hppa|m68k|e2k"
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


def x86_specific(path: str) -> bool:
    """A file or folder named after x86 or one of its micro-architectures."""
    return _has(_X86_WORD, path)


def arm_specific(path: str) -> bool:
    """A file or folder named after arm64/NEON/SVE."""
    return _has(_ARM_WORD, path)


def fallback_named(name: str) -> bool:
    """A file or folder named as the portable implementation (``generic``, ``scalar``, ``ref.c``)."""
    return _has(_FALLBACK_WORD, name)


def _without_x86_words(stem: str) -> str | None:
    """``crc32_sse42`` -> ``crc32``: the name a portable twin of an x86 variant would have."""
    pieces = re.split(r"([_.\-])", stem)
    kept: list[str] = []
    removed = False
    for piece in pieces:
        if _X86_WORD.fullmatch(piece.lower()):
            removed = True
            if kept and kept[-1] in "_.-":
                kept.pop()
            continue
        kept.append(piece)
    text = "".join(kept).strip("_.-")
    return text if removed and text else None


def other_target(path: str) -> bool:
    """A file or folder for another architecture (PowerPC, RISC-V...) or system (Windows, Apple)."""
    return _has(_OTHER_ARCH_WORD, path) or _has(_OTHER_SYSTEM_WORD, path)


_AUXILIARY_WORD = re.compile(r"tests?|unittests?|bench|benchmarks?|examples?|demos?|fuzz|fuzzer|fuzzing")


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
        for base in dict.fromkeys((parent, grand)):
            for folder in sorted(self.folders.get(base, ())):
                if arm_specific(folder) or (x86_folder and base == grand and fallback_named(folder)):
                    return self._join(base, folder) + "/"
        own = path.rpartition("/")[2]
        portable = _without_x86_words(own.rsplit(".", 1)[0])
        for name in sorted(self.files.get(parent, ())):
            if name == own or not name.endswith(_SOURCE_SUFFIXES):
                continue
            stem = name.rsplit(".", 1)[0]
            if arm_specific(stem) or (x86_specific(own) and (fallback_named(stem) or stem == portable)):
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
