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
