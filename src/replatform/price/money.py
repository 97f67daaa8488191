"""The one way a dollar amount is written, in every report: ``$1,234.50``, ``-$21.91``, or "depends on usage".

Savings can be negative (a target that costs more than today); the sign goes
before the dollar sign, as a reader writes it, and an amount that rounds to
zero cents is never shown as ``-$0.00``. ``None`` is a number the cost model
does not know, and is said in words, never shown as ``$0.00``.
"""

from __future__ import annotations

UNKNOWN = "depends on usage"


def money(value: float | None, width: int = 0) -> str:
    """Dollars with thousands separators and cents, right-aligned in ``width`` characters (0: no padding)."""
    if value is None:
        return f"{UNKNOWN:>{width}}"
    cents = round(value, 2)
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}".rjust(width)
