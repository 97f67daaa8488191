"""Pretty JSON the way ``json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`` writes it, faster.

orjson writes the same bytes for the values reports hold (strings, 64-bit
integers, booleans, null, and floats between 1e-4 and 1e16, which both print
in plain decimal); anything else (tiny or huge floats, NaN, integers past 64
bits, lone surrogates) is left to the standard encoder, so the output never
depends on which encoder ran.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def _orjson_writes_the_same(data: Any) -> bool:
    """No float that orjson prints differently, and no type but the plain JSON ones (subclasses included).

    Only floats need looking at: what else orjson cannot write the same
    (non-string keys, integers past 64 bits, lone surrogates) it refuses, and
    `pretty` falls back then. One pass over the containers, leaves by exact type.
    """
    stack: list[Any] = [(data,)]
    while stack:
        container = stack.pop()
        for item in container.values() if type(container) is dict else container:
            kind = type(item)
            if kind is str or kind is int or kind is bool or item is None:
                continue
            if kind is dict or kind is list or kind is tuple:
                stack.append(item)
            elif kind is not float or not math.isfinite(item) or (item != 0 and not 1e-4 <= abs(item) < 1e16):
                return False
    return True


def pretty(data: Any) -> str:
    """``data`` as indented, key-sorted JSON (no trailing newline), byte-identical to the standard encoder."""
    if _orjson_writes_the_same(data):
        try:
            return orjson.dumps(data, option=_OPTIONS).decode()
        except (orjson.JSONEncodeError, TypeError):
            pass  # integers past 64 bits, lone surrogates
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
