"""Quoting bad input in error messages without echoing all of it."""

from __future__ import annotations

from typing import Any

__all__ = ["shown"]


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, for a message about bad input.

    Never raises: the repr of an int of thousands of digits would (Python's
    int-to-str limit), so big numbers are described by their size and other objects
    by their type.
    """
    if value is None or isinstance(value, bool | float | str):
        text = repr(value)
    elif isinstance(value, int):
        digits = int(value.bit_length() * 0.30103) + 1
        text = repr(value) if digits <= 20 else f"an integer of about {digits} digits"
    else:
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."
