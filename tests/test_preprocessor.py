"""The aarch64 view of preprocessor conditions."""

from __future__ import annotations

import pytest

from replatform.assess.native.preprocessor import evaluate, line_states


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("defined(__aarch64__)", True),
        ("defined __x86_64__ || defined(_M_X64)", False),
        ("!defined(__SSE2__)", True),
        ("defined(__AVX512BW__)", False),
        ("HAVE_CONFIG_H", None),
        ("defined(NPY_HAVE_AVX2)", False),  # a project macro named after an x86 feature
        ("HWY_ARCH_PPC && HWY_COMPILER_GCC", False),
        ("__GNUC__ >= 4 && __ARM_ARCH >= 8", True),
        ("UNKNOWN / 0", None),
        ("1 + 2 * 3 == 7", True),
        ("7 / 2 == 3 && -7 / 2 == -3 && 7 % 3 == 1", True),
        ("1 << 200", None),
        ("defined(A) ? 1 : 1", True),
        ("(((", None),
        # every integer literal: hex (no longer lost to the decimal rule), octal, binary, suffixes, separators
        ("defined(__x86_64__) && PY_VERSION_HEX >= 0x03080000", False),
        ("0x1Fu == 31 && 017 == 15 && 0b101 == 5 && 10ULL == 10 && 1'000 == 1000", True),
        # character literals and the bitwise operators
        ("'a' == 97 && '\\n' == 10 && '\\x41' == 65", True),
        ("(6 & 3) == 2 && (6 | 1) == 7 && (6 ^ 3) == 5 && ~0 == -1 && +1 == 1", True),
        ("1 ? 2 : 0", True),
        ("(1, 0)", False),
        ("1 || 1 / 0", True),
        ("0 && 1 / 0", False),
        # GCC/Clang on aarch64 Linux: Apple, MSVC and other architectures are certainly off
        ("defined(__arm64__) || defined(_M_ARM64) || defined(_MSC_VER)", False),
        ("defined(__ARM_FEATURE_SVE)", None),
        ("__GNUC__ >= 4", True),
        ("__GNUC__ >= 13", None),
        # unknown-but-parsed operators
        ("__has_include(<arm_neon.h>) && !__has_include(<immintrin.h>)", True),
        ("__has_builtin(__builtin_ia32_pause)", False),
        ("__has_attribute(noinline) || 0", None),
        # project macros, judged by whole words of their names
        ("defined(SZ_USE_HASWELL) || defined(HAVE_TMMINTRIN_H) || CROARING_REGULAR_VISUAL_STUDIO", False),
        ("defined(LOW_POWER_MODE)", None),
        ("USE_POWER_OF_TWO_TABLES", None),
        ("!defined(DISABLE_AVX2)", None),
        ("defined(HWY_ARCH_PPC) || defined(USE_POWER8)", False),
        # an unknown selector compared with an x86-named constant is an x86 dispatch test
        ("HWY_TARGET <= HWY_AVX3", False),
        ("HWY_TARGET != HWY_AVX3", True),
        ("FOO_AVX2 != 0", False),
    ],
)
def test_evaluate(expression: str, expected: bool | None) -> None:
    assert evaluate(expression) is expected


def test_line_states_follow_chains() -> None:
    lines = [
        "#if defined(__x86_64__)",
        "x86();",
        "#elif defined(__aarch64__)",
        "arm();",
        "#else",
        "generic();",
        "#endif",
        "#ifdef USE_FAST",
        "fast();",
        "#endif",
    ]
    states = line_states(lines)
    assert [s.compiled for s in states] == [False, False, True, True, False, False, True, None, None, True]
    assert states[1].chain_has_arm_path and states[3].in_arm_branch and not states[5].in_arm_branch
    assert states[8].guard == "defined(USE_FAST)"


def _compiled(source: str) -> dict[str, bool | None]:
    """Compiled state of each line holding a marker ``mark_x`` (the marker's name as the key)."""
    lines = source.strip("\n").split("\n")
    states = line_states(lines)
    return {line.split()[-1]: state.compiled for line, state in zip(lines, states, strict=True) if "mark_" in line}


def test_macros_set_per_architecture_decide_later_tests() -> None:
    source = """
#ifdef XXH_DOXYGEN
#  define XXH_VECTOR XXH_SCALAR
#endif
#define XXH_SCALAR 0
#define XXH_AVX512 3
#define XXH_NEON 4
#ifndef XXH_VECTOR
#  if defined(__ARM_NEON)
#    define XXH_VECTOR XXH_NEON
#  elif defined(__AVX512F__)
#    define XXH_VECTOR XXH_AVX512
#  else
#    define XXH_VECTOR XXH_SCALAR
#  endif
#endif
#if XXH_VECTOR == XXH_AVX512
int mark_avx512
#elif XXH_VECTOR == XXH_NEON
int mark_neon
#endif
#undef XXH_VECTOR
#if defined(XXH_VECTOR)
int mark_undefined
#endif
"""
    assert _compiled(source) == {"mark_avx512": False, "mark_neon": True, "mark_undefined": False}


def test_definitions_count_inside_the_section_that_made_them() -> None:
    # Inside an unknown section, a define made there is certain there (the section as a whole may not
    # be compiled, but then nothing in it matters); a configuration macro tested first stays unknown.
    source = """
#if defined(LIB_IMPLEMENTATION)
#  if defined(__x86_64__)
#    define LIB_SIMD 1
#  else
#    define LIB_SIMD 0
#  endif
#  if LIB_SIMD
int mark_simd
#  endif
#endif
#ifdef LIB_OPTION
int mark_option
#endif
#define LIB_OPTION 1
"""
    assert _compiled(source) == {"mark_simd": False, "mark_option": None}


def test_elifdef_elifndef_and_include_guards() -> None:
    source = """
#ifndef SIMD_H
#define SIMD_H
#ifdef __AVX2__
int mark_avx2
#elifdef __ARM_NEON
int mark_neon
#elifndef SOMETHING_ELSE
int mark_else
#endif
#if defined(PROJECT_FAST)
int mark_fast
#endif
#endif
"""
    lines = source.strip("\n").split("\n")
    states = line_states(lines)
    assert _compiled(source) == {"mark_avx2": False, "mark_neon": True, "mark_else": False, "mark_fast": None}
    # The include guard is true, so it is never the condition a message blames.
    assert states[lines.index("int mark_fast")].guard == "defined(PROJECT_FAST)"


def test_directives_inside_comments_do_not_count() -> None:
    source = """
/*
#if 0
*/
int mark_live
/* #endif */
"""
    assert _compiled(source) == {"mark_live": True}
