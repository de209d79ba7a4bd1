"""Text made once per object: for frozen values written again and again.

A stream host writes a parcel's state at every event, and the same frozen shipment,
evidence or remedy object is written each time.  Its text is remembered by identity;
the memo holds the object itself, so its id cannot be reused by another object while
the entry lives.  When full, the memo starts afresh (a bound, not an LRU: a miss only
costs the write).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["TextByIdentity"]

V = TypeVar("V")


class TextByIdentity(Generic[V]):
    """``write(value)``, remembered for the object ``value`` (at most ``limit``)."""

    __slots__ = ("_limit", "_texts")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._texts: dict[int, tuple[V, str]] = {}

    def __call__(self, value: V, write: Callable[[V], str]) -> str:
        found = self._texts.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        text = write(value)
        if len(self._texts) >= self._limit:
            self._texts.clear()
        self._texts[id(value)] = (value, text)
        return text
