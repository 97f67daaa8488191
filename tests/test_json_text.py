"""The fast JSON writer is byte-identical to the standard encoder, whatever the values."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from replatform.report.json_text import pretty

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
_VALUES = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4), max_leaves=30
)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_pretty_matches_json_dumps(data: Any) -> None:
    assert pretty(data) == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)


def test_values_orjson_writes_differently_use_the_standard_encoder() -> None:
    for value in (1e-05, 2.5e-07, 1e16, float("nan"), 2**64, "\udcff"):
        assert pretty({"v": value}) == json.dumps({"v": value}, indent=2, sort_keys=True, ensure_ascii=False)


def test_keys_subclasses_and_tuples_are_written_as_json_writes_them() -> None:
    import enum

    class Colour(enum.StrEnum):
        RED = "red"

    class Level(enum.IntEnum):
        HIGH = 3

    for data in (
        {1: "int key", 2: "sorted as json sorts"},
        {"c": Colour.RED, "l": Level.HIGH},
        {"t": (1, "two", (3.5, None))},
        [True, False, None, 0],
        "a top-level string",
        1.5,
    ):
        assert pretty(data) == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
