"""C/C++/assembly and build files as an aarch64 build sees them, and the read-once machinery behind it."""

from __future__ import annotations

import builtins
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replatform import api
from replatform.assess.engine import new_prescan
from replatform.assess.native import build_files
from replatform.assess.native.checks import NATIVE_SOURCES
from replatform.assess.native.selection import BuildSelection
from replatform.assess.native.sources import _analyze_c, analyze, might_match, x86_header
from replatform.discover.run import discover
from replatform.discover.source import SourceFile
from replatform.discover.yaml_documents import worth_parsing

from .conftest import ScanFiles


@pytest.mark.parametrize(
    ("condition", "taken"),
    [
        ('CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64"', False),
        ('NOT CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64"', True),
        ('CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64"', True),
        ("ARGON2_USE_SSE2 AND NOT MSVC", False),
        ("WITH_OPTIM", None),
        ("WIN32 OR APPLE", False),
        ("($(shell uname -m),x86_64)", False),
        ('platform.machine() in ("x86_64", "i686")', False),
        ('platform.machine() not in ("x86_64", "i686")', True),
        ('platform.machine() != "x86_64"', True),
        ("_target_is_x86()", False),
        ("host_machine.cpu_family() == 'aarch64'", True),
        ("cpu_family in ['x86', 'x86_64'] and not get_option('disable-simd')", False),
        ("not is_x86 and fast", None),
    ],
)
def test_build_branch_conditions(condition: str, taken: bool | None) -> None:
    assert build_files.branch_taken(condition) is taken


def _build(path: str, text: str) -> build_files.BuildAnalysis:
    analysis = build_files.analyze(SourceFile(path, text.encode()))
    assert analysis is not None
    return analysis


def test_build_file_flags_follow_branches_probes_and_names() -> None:
    analysis = _build(
        "CMakeLists.txt",
        """include(CheckCCompilerFlag)
check_c_compiler_flag(-mavx2 HAVE_AVX2_FLAG)
set(AVX512FLAG "-mavx512f")
message(STATUS "try -mfma")
if(NOT CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64")
  add_compile_options(-msse4.2)
elseif(HAVE_AVX2_FLAG)
  add_compile_options(-mavx2)
else()
  target_sources(lib PRIVATE src/x86/crc_avx2.c)
endif()
""",
    )
    # Only the flag in the branch aarch64 takes; the probe, the flag variable and the message do not count.
    assert [(f.text, f.line, f.certain) for f in analysis.flags] == [("-msse4", 6, True)]
    assert [(r.text, r.line, r.taken) for r in analysis.references] == [("src/x86/crc_avx2.c", 10, False)]


def test_make_automake_and_shell_branches() -> None:
    make = _build(
        "Makefile",
        "ifneq ($(ARCH),x86_64)\nCFLAGS += -mavx2\nelse ifeq ($(ARCH),i686)\nCFLAGS += -msse2\nendif\n",
    )
    assert [(f.text, f.line) for f in make.flags] == [("-mavx2", 2)]
    automake = _build("Makefile.am", "if HAVE_AVX_ASM\nlib_SOURCES += sandy/ladder.S\nendif\nEXTRA_DIST = sandy/a.S\n")
    assert [(r.text, r.taken) for r in automake.references] == [("sandy/ladder.S", False)]
    shell = _build(
        "configure",
        'case "$host_cpu" in\n  x86_64|i?86) CFLAGS="$CFLAGS -mavx";;\n  *) CFLAGS="$CFLAGS -mpclmul";;\nesac\n'
        'echo "-mfma is not used"\n',
    )
    assert [(f.text, f.line) for f in shell.flags] == [("-mpclmul", 3)]


def test_outer_build_file_decides_over_a_vendored_one() -> None:
    top = _build("CMakeLists.txt", "if(USE_SSE2)\n  set(IMPL opt.c)\nelse()\n  set(IMPL ref.c)\nendif()\n")
    vendored = _build("lib/Makefile", "SRC += src/opt.c\n")
    selection = BuildSelection([top, vendored])
    why = selection.only_for_x86("lib/src/opt.c")
    assert why is not None and (why.path, why.line) == ("CMakeLists.txt", 2)
    assert selection.only_for_x86("lib/src/ref.c") is None


def test_x86_headers_by_name() -> None:
    assert [x86_header(n) for n in ("immintrin.h", "x86intrin.h", "avx512fintrin.h", "mm3dnow.h")] == [True] * 4
    assert [x86_header(n) for n in ("intrin.h", "lsxintrin.h", "lasxintrin.h", "arm_neon.h")] == [False] * 4


def test_x86_assembly_stops_at_the_first_instruction_aarch64_assembles() -> None:
    data = b"#if defined(__aarch64__)\nldr x0, [x1]\n#else\nmovq %rax, %rbx\n#endif\n" + b"movq %rdi, %rax\n" * 1000
    analysis = analyze("lib/copy.S", data, "asm")
    assert analysis is not None and (analysis.x86_asm_line, analysis.lines) == (6, 1006)


_FRAGMENTS = st.sampled_from(
    [
        "_mm_add_ps(a, b)",
        "__m256i",
        "#include <immintrin.h>",
        '#include "emmintrin.h"',
        "# error x",
        "#/* c */error x",
        "#   error y",
        'asm volatile("pause")',
        '__asm__ __volatile__("rdtsc")',
        "__builtin_ia32_pause()",
        '__builtin_cpu_supports("avx2")',
        "__get_cpuid(1, &a)",
        "_pdep_u64(x, m)",
        "__rdtsc()",
        "/* _mm_add_ps */",
        '"asm"',
        "// rdtsc",
        "#if defined(__x86_64__)",
        "#endif",
        "int x;",
        "\n",
        " ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_FRAGMENTS, min_size=1, max_size=12))
def test_the_prefilter_is_a_superset_of_every_rule_pattern(pieces: list[str]) -> None:
    data = "\n".join(pieces).encode()
    full = _analyze_c("x.c", data, "c")  # the analysis without the prefilter
    if full is not None and (full.hits or full.errors):
        assert might_match(data)


def test_ci_yaml_is_parsed_only_when_it_mentions_an_image_build() -> None:
    def source(text: str) -> SourceFile:
        return SourceFile(".github/workflows/ci.yml", text.encode())

    assert not worth_parsing(source("jobs:\n  t:\n    steps:\n      - run: docker run --rm alpine true\n"))
    assert worth_parsing(source("jobs:\n  b:\n    steps:\n      - run: docker buildx build .\n"))
    assert worth_parsing(source("jobs:\n  b:\n    steps:\n      - run: >\n          docker\n          build .\n"))
    assert worth_parsing(source("jobs:\n  b:\n    steps:\n      - uses: docker/build-push-action@v6\n"))


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """How many times each file is opened."""
    counts: Counter[str] = Counter()
    real_open = builtins.open

    def counting_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        counts[str(file)] += 1
        return real_open(file, *args, **kwargs)

    real_os_open = os.open

    def counting_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if not flags & getattr(os, "O_PATH", 0):  # an O_PATH open (fsio.realpath) reads nothing
            counts[str(path)] += 1  # fsio reads the tree through os.open
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(os, "open", counting_os_open)
    yield counts


def test_a_scan_reads_each_native_and_build_file_once(tmp_path: Path, opened: Counter[str]) -> None:
    files = {
        "src/simd.c": "#include <immintrin.h>\nint f(void) { return _mm_popcnt_u32(1); }\n",
        "src/plain.c": '#include "util.h"\nint g(void) { return 1; }\n',
        "src/util.h": "int g(void);\n",
        "src/copy.S": "movq %rdi, %rax\n",
        "CMakeLists.txt": "add_compile_options(-mavx2)\nadd_library(x src/simd.c)\n",
        "setup.py": "from setuptools import setup\nsetup(name='x')\n",
        "tool.py": "import ctypes\nlib = ctypes.CDLL('libx.so')\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    opened.clear()
    report = api.scan(str(tmp_path))
    assert {f.rule_id for f in report.findings} >= {"c-x86-intrinsics", "build-x86-compiler-flags"}
    for name in files:
        assert opened[str(tmp_path / name)] == 1, name


def test_the_prescan_keeps_facts_not_file_contents(assess_files: ScanFiles, tmp_path: Path) -> None:
    root = tmp_path / "tree"
    for index in range(30):
        path = root / f"m{index}" / "k.c"
        path.parent.mkdir(parents=True)
        path.write_text("#include <immintrin.h>\n" + "int pad;\n" * 2000)
    prescan = new_prescan(str(root))
    discover(str(root), None, prescan.observe)
    kept = [prescan.get(NATIVE_SOURCES, f"m{index}/k.c") for index in range(30)]
    assert all(analysis is not None and analysis.lines == 2002 for analysis in kept)
    assert not any(isinstance(value, (bytes, str, SourceFile)) for value in prescan._results.values())


@settings(max_examples=500, deadline=None)
@given(st.from_regex(__import__("replatform.assess.native.paths", fromlist=["_X86_WORD"])._X86_WORD, fullmatch=True))
def test_the_x86_folder_shortcut_is_a_superset_of_x86_names(word: str) -> None:
    from replatform.assess.native.paths import x86_specific
    from replatform.assess.native.selection import _MAYBE_X86

    if x86_specific(f"src/{word}/a.c"):
        assert _MAYBE_X86.search(f"src/{word}/a.c")


def test_already_ported_lines_keep_each_their_own_condition(assess_files: ScanFiles) -> None:
    # Line 5 and line 8 are AVX under two different x86-only conditions; on main both were shown under line 5's.
    code = (
        "#if defined(__x86_64__) && PY_VERSION_HEX >= 0x03080000\n"  # 1
        "#include <immintrin.h>\n"  # 2
        "#endif\n"  # 3
        "#if defined(__x86_64__)\n"  # 4
        "static void f1(void){ __m256 v = _mm256_setzero_ps(); (void)v; }\n"  # 5
        "#endif\n"  # 6
        "#if defined(__AVX2__)\n"  # 7
        "static void f3(void){ __m256i v = _mm256_setzero_si256(); (void)v; }\n"  # 8
        "#endif\n"
    )
    report = assess_files({"a.c": code})
    ported = {f.message for f in report.findings if f.rule_id == "c-x86-code-already-ported"}
    assert (
        "AVX intrinsics: 2 occurrences (lines 5, 8) are not compiled on aarch64 (only under defined(__x86_64__) (line 5); defined(__AVX2__) (line 8))"
        in ported
    )
    assert (
        "x86 SIMD headers: 1 occurrence (line 2) are not compiled on aarch64 (only under defined(__x86_64__) && PY_VERSION_HEX >= 0x03080000)"
        in ported
    )
