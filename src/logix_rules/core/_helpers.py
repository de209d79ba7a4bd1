"""Helpers the generated rule code calls: null-safe operators and small functions.

Generated code uses plain operators wherever the type checker proved both operands
present; these helpers appear only around values that may be missing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RUNTIME_GLOBALS"]


def _lt(a: Any, b: Any) -> bool:
    try:
        return a is not None and b is not None and a < b
    except TypeError:  # attributes of undeclared type; a mismatch is simply not a match
        return False


def _le(a: Any, b: Any) -> bool:
    try:
        return a is not None and b is not None and a <= b
    except TypeError:
        return False


def _gt(a: Any, b: Any) -> bool:
    try:
        return a is not None and b is not None and a > b
    except TypeError:
        return False


def _ge(a: Any, b: Any) -> bool:
    try:
        return a is not None and b is not None and a >= b
    except TypeError:
        return False


def _add(a: Any, b: Any) -> Any:
    return None if a is None or b is None else a + b


def _sub(a: Any, b: Any) -> Any:
    return None if a is None or b is None else a - b


def _mul(a: Any, b: Any) -> Any:
    return None if a is None or b is None else a * b


def _div(a: Any, b: Any) -> Any:
    return None if a is None or b is None or b == 0 else a / b


def _neg(a: Any) -> Any:
    return None if a is None else -a


def _abs(a: Any) -> Any:
    return None if a is None else abs(a)


def _round(a: Any, places: int) -> Any:
    return None if a is None else round(a, places)


# What a non-finite duration becomes: about 3 million years, beyond any instant, so a
# rule due after it never fires (the instants around it are plain ints: no overflow).
_DUR_SATURATED = 10**20


def _dur(a: Any) -> int | None:
    # Durations are whole microseconds; products and quotients are rounded back.
    if a is None:
        return None
    try:
        micros: int = round(a)
    except (OverflowError, ValueError):  # inf, or nan: a product of absurd operands
        return -_DUR_SATURATED if a < 0 else _DUR_SATURATED
    return micros


def _min(*values: Any) -> Any:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _max(*values: Any) -> Any:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _coalesce(*values: Any) -> Any:
    for value in values:
        if value is not None:
            return value
    return None


RUNTIME_GLOBALS: dict[str, Any] = {
    name: value for name, value in globals().items() if name.startswith("_") and callable(value)
}
