"""The layout of a version-2 state body (see ``_state_codec``) and small helpers over
it and version 3 (``_state_v3``): the fixed parts, the JSON tail read without its
wrapper, kind digests, the separator the strings are joined by.
"""

from __future__ import annotations

import hashlib
import json
import operator
import struct
import sys
from collections.abc import Callable
from typing import Any

from ..core._records import EventKind, EventRec
from ._state import StateError
from ._state_parts import BOUND, scalar

NONE = -(1 << 63)  # an absent instant among the ints
AGGREGATES = (  # the instants, then the counts, in the order of the ints
    "delivered_at",
    "first_event",
    "last_event",
    "first_scan",
    "last_scan",
    "status_entered",
    "stage_entered",
    "n_events",
    "n_scans",
    "regressions",
    "after_delivery",
)
# The format of n signed 64-bit little-endian ints.  Where a C long is that (64-bit
# little-endian Linux and macOS), the native 'l' writes the same bytes as '<q' and is
# packed through PyLong_AsLong: CPython 3.11 packs an int of more than one digit (an
# instant in microseconds, a kind's digest) as a 'q' through _PyLong_AsByteArray,
# several times slower, and a state's ints are mostly such ints.
I64 = "@{}l" if struct.calcsize("@l") == 8 and sys.byteorder == "little" else "<{}q"
HEAD = struct.Struct("<7I")  # strings, events, kinds, text, kind text, tail bytes, separator
N_FIXED = 21  # the ints before the events
FIXED = struct.Struct(I64.format(N_FIXED))
BARE_TAIL_TEXT = b"[null,null,null,null,[],{},null]"  # a parcel with nothing irregular
# That tail as read: one shared list (never changed), which the reader of every version
# returns, so that ``StateReader._state`` knows a bare parcel by identity.
BARE_TAIL: list[Any] = [None, None, None, None, [], {}, None]
# The shortest history a kept state remembers its body for.  Version 3 appends to the
# body without reading it back, which costs less than writing the history again from
# one event on (benchmarks/HISTORY.md, eighth session).  (Read as layout.REUSE_FROM, so a
# test can change it in one place.)
REUSE_FROM = 1

__all__ = [
    "AGGREGATES",
    "BARE_TAIL",
    "BARE_TAIL_TEXT",
    "FIXED",
    "HEAD",
    "I64",
    "NONE",
    "N_FIXED",
    "REUSE_FROM",
    "Structs",
    "in_order",
    "instants_of",
    "ints_of",
    "kind_digest",
    "kind_text",
    "pairs_of",
    "position",
    "read_json",
    "read_tail",
    "separator",
    "tied",
]


class Structs(dict[int, struct.Struct]):
    """The ``Struct`` of ``fixed`` ints then n events of ``per_event`` ints each, by n,
    made when first asked for (at most 4096 kept).  Looked up through the dict's own
    ``__getitem__``: a read of a state asks for one, and a Python function around the
    lookup cost more than the lookup.  With ``last_only``, the events but the last are
    skipped (pad bytes: no int made for them)."""

    __slots__ = ("fixed", "last_only", "per_event")

    def __init__(self, fixed: int, per_event: int, last_only: bool = False) -> None:
        super().__init__()
        self.fixed = fixed
        self.per_event = per_event
        self.last_only = last_only

    def __missing__(self, n_events: int) -> struct.Struct:
        if len(self) >= 4096:
            self.clear()
        if self.last_only and n_events:
            skipped = 8 * self.per_event * (n_events - 1)
            order, code = I64[0], I64[-1]  # (8-byte aligned: no padding added)
            found = struct.Struct(f"{order}{self.fixed}{code}{skipped}x{self.per_event}{code}")
        else:
            found = struct.Struct(I64.format(self.fixed + self.per_event * n_events))
        self[n_events] = found
        return found


#: ``ints_of(n)``: the fixed ints and ``n`` events' (time, id ref, kind digest), packed.
ints_of = Structs(N_FIXED, 3).__getitem__


def in_order(n_events: int) -> tuple[int, ...]:
    """The id refs of ``n_events`` events as encode writes them: 0, 1, ..."""
    return _IN_ORDER[n_events] if n_events < len(_IN_ORDER) else tuple(range(n_events))


_IN_ORDER = [tuple(range(n)) for n in range(256)]


def kind_text(kind: EventKind) -> str:
    """The one-string form of what an event says (its kind), as a state keeps it."""
    return _KIND_JSON.encode([*kind[:8], [list(pair) for pair in kind[8]]])


_KIND_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


def read_json(text: str) -> Any:
    """``json.loads`` of a text that logix wrote, without its Python wrapper."""
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:  # what the scanner raises for no value
        raise StateError("the tail of a shipment state is not JSON") from None
    if end != len(text):
        raise StateError("the tail of a shipment state has extra data")
    return value


_SCAN: Callable[[str, int], tuple[Any, int]] = getattr(json.JSONDecoder(), "scan_once")  # noqa: B009


def read_tail(text: str) -> tuple[Any, str | None]:
    """``read_json`` of a state's tail, and the text of its first part (the facts) when
    that is an array followed by a comma, as logix writes it (else None): a state read
    to be written again (a touch) writes that text back instead of encoding its facts."""
    if text[:2] != "[[":
        return read_json(text), None
    try:
        facts, end = _SCAN(text, 1)
    except StopIteration:
        raise StateError("the tail of a shipment state is not JSON") from None
    if text[end : end + 1] != ",":
        return read_json(text), None
    rest = read_json("[" + text[end + 1 :])  # the other parts, as an array of their own
    if type(rest) is not list:
        raise StateError("the tail of a shipment state must be an array of 7 parts")
    return [facts, *rest], text[1:end]


def kind_digest(text: str) -> int:
    """The 64-bit name of a kind's text (signed, to fit the ints)."""
    raw = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(raw, "little", signed=True)


def separator(texts: list[str]) -> str:
    """A character none of ``texts`` holds, to join them by."""
    joined = "".join(texts)
    for candidate in "\x00\x1f\x1e\x1d":
        if candidate not in joined:
            return candidate
    present = set(joined)
    return next(c for c in map(chr, range(0x110000)) if c not in present)


def position(history: list[EventRec], latest: EventRec) -> int:
    for index in range(len(history) - 1, -1, -1):
        if history[index] is latest or history[index] == latest:
            return index
    return -1


def instants_of(values: list[int]) -> list[int | None]:
    out: list[int | None] = [None if v == NONE else v for v in values]
    found = [v for v in out if v is not None]
    if found and (min(found) <= -BOUND or max(found) >= BOUND):
        raise StateError("an instant is out of range")
    return out


def pairs_of(raw: Any) -> tuple[tuple[str, Any], ...]:
    if type(raw) is not list:
        raise StateError("an event's attributes must be an array of pairs")
    pairs = []
    for pair in raw:
        if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
            raise StateError("event attributes must be [name, value] pairs")
        scalar(pair[1], "attribute value")
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def tied(times: tuple[int, ...]) -> bool:
    """Whether two of the events' ``times`` are one instant (then the ids order them);
    a ``StateError`` when they are out of order or out of range."""
    following = times[1:]
    ties = not all(map(operator.lt, times, following))
    if (
        times[0] <= -BOUND
        or times[-1] >= BOUND
        or (ties and not all(map(operator.le, times, following)))
    ):
        raise StateError("the events are out of order or out of range")
    return ties
