"""``logix run``'s reader: JSONL lines straight to the kernel's records.

An event line of a feed differs from the lines before it mostly in three values:
the tracking number, the event id and the time; the rest (carrier, codes, location,
source, text) recurs across thousands of lines.  So a line is cut at those three
string values, and the rest, byte for byte, is looked up among the lines already
read the full way (JSON, validation, ``Kernel.group``): on a hit, the line is that
earlier line with three other values, so it decodes to the same event but for them,
and its record is ``(time, event id, the earlier line's shared kind)``.  No dict, no
model and no ``datetime`` is made for it.

What makes the shortcut exact (a test holds it to the full reader):

* a line takes it only if it holds no backslash (no JSON escape anywhere, so every
  key is written as itself) and names each of the three keys exactly once, each
  followed by a plain string: that occurrence is the top-level key;
* the rest of the line must equal, byte for byte, one that the full reader accepted
  and whose three values became the event's fields unchanged (checked then);
* the new values pass checks that are sufficient for validation to accept them
  unchanged (``_event_fast``'s), printable and non-blank; the time is read through
  a cache by everything but its minutes and seconds, whose entries are checked
  against a full parse when made.

Anything else (line 1, which may start with a byte-order mark, escapes, an unusual
value, a line never seen) is read the full way, so every problem and every message
comes from one place.

A reader may keep one shard of the file (``shard=(k, n)``: the parcels whose tracking
number's CRC-32 is ``k`` modulo ``n``), so ``n`` processes can each read the whole
file and keep a part (``logix run --jobs``).  A line is left to another shard without
being parsed only when its tracking number is certain from its bytes: no backslash
in the line, the key ``"tracking_number"`` named once and followed by a plain string
that validation keeps unchanged; if the line is an event at all, that string is its
tracking number.  Every other line is read the full way by every shard, kept as an
event by the shard its tracking number names, and as a problem by shard 0 only; a
line left to another shard still counts in ``lines``, so every shard counts the same.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from datetime import tzinfo
from typing import IO, Final

from logix_carriers import TrackingEvent, personal_names
from logix_carriers._event_fast import instant_of

from ..core._durations import EPOCH, ONE_US
from ..core._records import ID, KIND, EventKind, EventRec, T
from ._io import _EventLines, _lines
from ._kernel import Kernel

__all__ = ["Grouped", "RecordChunks", "shard_of"]

#: One chunk: records by tracking number (file order), each number's carrier, names.
Grouped = tuple[dict[str, list[EventRec]], dict[str, str], int]

_TN: Final = b'"tracking_number"'
_TN_SPACED: Final = b'"tracking_number": "'
_TN_TIGHT: Final = b'"tracking_number":"'
_ID: Final = b'"event_id"'
_AT: Final = b'"occurred_at"'
_TWO_DIGITS: Final = {f"{i:02d}".encode(): i * 1_000_000 for i in range(60)}
_OFFSET_LIMIT: Final = 18 * 60
#: Distinct line shapes (or hours) remembered; past it the memo starts afresh.
_MEMO_LIMIT: Final = 50_000
_UNCACHED: Final = -1


def _slot(raw: bytes, key: bytes, tight: bytes) -> tuple[int, int]:
    """Where the plain string value after the first ``"key": "`` (or ``"key":"``)
    lies, else (0, 0)."""
    at = raw.find(key)
    if at >= 0:
        at += len(key)
    else:
        at = raw.find(tight)
        if at < 0:
            return 0, 0
        at += len(tight)
    return at, raw.find(b'"', at)


def shard_of(tracking_number: str, shards: int) -> int:
    """The shard (of ``shards``) that keeps a parcel: the same in every process."""
    return zlib.crc32(tracking_number.encode()) % shards


def _certain_shard(raw: bytes, at: int, end: int, shards: int) -> int:
    """The shard of the line's parcel when its bytes make it certain (see the module
    docstring; ``raw[at:end]`` is the value after the first ``"tracking_number":``),
    else -1: the line must be read the full way to know."""
    if end <= at or raw.find(b"\\") >= 0 or raw.count(_TN) != 1:
        return -1
    value = raw[at:end]
    # An ASCII letter-and-digit number (the usual one) is plain without decoding it.
    if not (end - at <= 80 and value.isalnum()):
        try:
            number = value.decode()
        except UnicodeDecodeError:
            return -1
        if not _plain(number, 80):
            return -1
    return zlib.crc32(value) % shards


def _plain(value: str, longest: int) -> bool:
    """Non-blank, printable, nothing to strip, at most ``longest`` characters."""
    return 0 < len(value) <= longest and value.isprintable() and value.strip() is value


class _Times:
    """Event times in µs, read through a cache by everything but minutes and seconds."""

    def __init__(self) -> None:
        self.bases: dict[bytes, int] = {}

    def micros(self, value: bytes) -> int | None:
        """The µs of ``value`` as validation reads it, or None to read the line the
        full way (unusual form, out of range, offset beyond ±18 h)."""
        if len(value) >= 19 and value[13] == 58 and value[16] == 58:  # ':'
            minutes = _TWO_DIGITS.get(value[14:16])
            seconds = _TWO_DIGITS.get(value[17:19])
            if minutes is not None and seconds is not None:
                key = value[:13] + value[19:]
                base = self.bases.get(key)
                if base is None:
                    base = self._base(key, value)
                if base != _UNCACHED:
                    return base + minutes * 60 + seconds
        return self._full(value)

    def _base(self, key: bytes, value: bytes) -> int:
        """The µs of the hour (and fraction) of ``key``; ``_UNCACHED`` when the hour is
        not read the same way as ``value`` or leaves the range."""
        if len(self.bases) >= _MEMO_LIMIT:
            self.bases.clear()
        base = self._full(key[:13] + b":00:00" + key[13:])
        whole = self._full(value)
        if base is None or whole is None:
            return _UNCACHED
        if base + 3_599_000_000 != self._full(key[:13] + b":59:59" + key[13:]):
            base = _UNCACHED  # the hour reaches the end of the range
        elif whole != base + _TWO_DIGITS[value[14:16]] * 60 + _TWO_DIGITS[value[17:19]]:
            base = _UNCACHED
        self.bases[key] = base
        return base

    @staticmethod
    def _full(value: bytes) -> int | None:
        try:
            text = value.decode()
        except UnicodeDecodeError:
            return None
        found = instant_of(text)
        if found is None or not -_OFFSET_LIMIT <= found[1] <= _OFFSET_LIMIT:
            return None
        return (found[0] - EPOCH) // ONE_US


class RecordChunks(_EventLines):
    """A JSONL events file as chunks of kernel records (``Grouped``), at most ``size``
    events a chunk, in file order.

    ``problems`` and ``lines`` are complete once the iteration ends, and the file is
    closed then; ``names`` maps each tracking number to the personal names its events'
    attributes hold (see ``names_by_parcel``).  Raises ``InputFileError`` at once when
    the file cannot be opened.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        kernel: Kernel,
        *,
        names: bool = False,
        size: int = 20_000,
        assume_tz: str | tzinfo | None = None,
        progress: IO[str] | None = None,
        stdin: IO[bytes] | None = None,
        shard: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(path, assume_tz, progress, stdin)
        self._kernel = kernel
        self._shard = shard
        self._size = size
        self._want_names = names
        self.names: dict[str, dict[str, None]] = {}
        # The rest of a line (cut at the three values) -> its carrier, kind and names.
        self._shapes: dict[tuple[bytes, ...], tuple[str, EventKind, tuple[str, ...]]] = {}
        self._times = _Times()

    def __iter__(self) -> Iterator[Grouped]:
        try:
            yield from self._chunks()
        finally:
            self._done()

    def _chunks(self) -> Iterator[Grouped]:
        size = self._size
        shapes, micros, found_names = self._shapes, self._times.micros, self.names
        items = self._items
        update = self._bar.update if self._bar.stream is not None else None
        groups: dict[str, list[EventRec]] = {}
        carriers: dict[str, str] = {}
        count = 0
        mine, shards = self._shard if self._shard is not None else (0, 1)
        problems = items.problems
        for number, raw, done, too_long in _lines(self._source):
            if count >= size:
                yield groups, carriers, count
                groups, carriers, count = {}, {}, 0
            owner = mine
            slots = None
            if number != 1 and not too_long:
                a, b = _slot(raw, _TN_SPACED, _TN_TIGHT)
                if shards > 1:
                    owner = _certain_shard(raw, a, b, shards)
                    if owner != mine and owner >= 0:  # another shard's parcel, for certain
                        if update is not None:
                            update(number, done)
                        items.lines += 1
                        continue
                if b > 0:
                    c, d = _slot(raw, b'"event_id": "', b'"event_id":"')
                    e, f = _slot(raw, b'"occurred_at": "', b'"occurred_at":"')
                    if d > 0 and f > 0:
                        slots = (a, b, c, d, e, f)
            elif shards > 1:
                owner = -1
            shape = None
            if slots is not None:
                a, b, c, d, e, f = sorted(slots)
                shape = (raw[:a], raw[b:c], raw[d:e], raw[f:])
                known = shapes.get(shape)
                if known is not None and owner >= 0:
                    tn_bytes = raw[slots[0] : slots[1]]
                    id_bytes = raw[slots[2] : slots[3]]
                    t = micros(raw[slots[4] : slots[5]])
                    # (find, not `in`: `in` first tries the operand as an int, raising)
                    if t is not None and tn_bytes.find(b"\\") < 0 and id_bytes.find(b"\\") < 0:
                        try:
                            tn = tn_bytes.decode()
                            event_id = id_bytes.decode()
                        except UnicodeDecodeError:
                            tn = event_id = ""
                        if (
                            0 < len(tn) <= 80
                            and 0 < len(event_id) <= 200
                            and tn.isprintable()
                            and event_id.isprintable()
                            and tn.strip() is tn
                            and event_id.strip() is event_id
                        ):
                            if update is not None:
                                update(number, done)
                            items.lines += 1
                            count += 1
                            rec = (t, event_id, known[1])
                            recs = groups.get(tn)
                            if recs is None:
                                groups[tn] = [rec]
                                carriers[tn] = known[0]
                            else:
                                recs.append(rec)
                            if known[2]:
                                found_names.setdefault(tn, {}).update(dict.fromkeys(known[2]))
                            continue
            known_problems = len(problems)
            event = items.one(number, raw, done, too_long)
            if owner < 0:  # every shard read this line: one keeps it
                if event is None:
                    if mine != 0:
                        del problems[known_problems:]
                    continue
                if shard_of(event.tracking_number, shards) != mine:
                    continue
            if event is None:
                continue
            count += 1
            found, found_carriers = self._kernel.group((event,))
            ((tn, (rec,)),) = found.items()
            names = self._names(event)
            if names:
                found_names.setdefault(tn, {}).update(dict.fromkeys(names))
            recs = groups.get(tn)
            if recs is None:
                groups[tn] = [rec]
                carriers[tn] = found_carriers[tn]
            else:
                recs.append(rec)
            if shape is not None and slots is not None and self._exact(raw, slots, event, rec):
                if len(shapes) >= _MEMO_LIMIT:
                    shapes.clear()
                shapes[shape] = (found_carriers[tn], rec[KIND], names)
        if count:
            yield groups, carriers, count

    def _exact(
        self,
        raw: bytes,
        slots: tuple[int, int, int, int, int, int],
        event: TrackingEvent,
        rec: EventRec,
    ) -> bool:
        """True when the line's shape may stand for later lines: it holds no escape
        (every key is written as itself), each of the three keys once (so the value cut
        out is the top-level one), and its three values became the event's fields
        unchanged and pass the checks ``_chunks`` makes on a known shape's values."""
        tn = raw[slots[0] : slots[1]].decode()
        event_id = raw[slots[2] : slots[3]].decode()
        return (
            raw.find(b"\\") < 0
            and raw.count(_TN) == raw.count(_ID) == raw.count(_AT) == 1
            and tn == event.tracking_number
            and event_id == rec[ID]
            and self._times.micros(raw[slots[4] : slots[5]]) == rec[T]
            and _plain(tn, 80)
            and _plain(event_id, 200)
        )

    def _names(self, event: TrackingEvent) -> tuple[str, ...]:
        if not self._want_names or not event.attributes:
            return ()
        return personal_names(event.attributes)
