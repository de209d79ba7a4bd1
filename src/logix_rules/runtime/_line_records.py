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
number's CRC-32 falls to ``k`` in ``shard_table(n)``, shard 0 a smaller share), so
``n`` processes can each read the whole file and keep a part (``logix run --jobs``).
A line is left to another shard without being parsed only when its tracking number
is certain from its bytes: no backslash in the line, the key ``"tracking_number"``
named once and followed by a plain string that validation keeps unchanged; if the
line is an event at all, that string is its tracking number.  Every other line is
read the full way by every shard, kept as an event by the shard its tracking number
names, and as a problem by shard 0 only; a line left to another shard still counts
in ``lines``, so every shard counts the same.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from datetime import tzinfo
from functools import cache, partial
from itertools import count as numbered
from typing import IO, Final

from logix_carriers import TrackingEvent, personal_names
from logix_carriers._event_fast import instant_of

from ..core._durations import EPOCH, ONE_US
from ..core._records import ID, KIND, EventKind, EventRec, T
from ._io import MAX_LINE_BYTES, _drained, _EventLines
from ._kernel import Kernel

__all__ = ["FIRST_SHARE", "Grouped", "RecordChunks", "shard_of", "shard_table"]

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
#: Shard 0's share of the parcels, against each other shard's: its process also
#: starts the run (imports, the pack: ~1 CPU s) and merges and writes the output, so
#: with an equal share it would end last and the others wait for it.
FIRST_SHARE: Final = 0.9
_SLOT_MASK: Final = 1023
#: An event id that validation keeps unchanged (``_plain``), the usual way: printable
#: ASCII, no backslash (so no escape), no space at either end, at most 200 characters.
_PLAIN_ID: Final = re.compile(rb"[!-\[\]-~](?:[ -\[\]-~]{0,198}[!-\[\]-~])?")
#: ``b"MM:SS"`` (minutes and seconds 00-59) to its µs: what the hour cache adds.
_MINUTE_SECOND: Final = {
    b"%02d:%02d" % (m, s): (m * 60 + s) * 1_000_000 for m in range(60) for s in range(60)
}


def shard_of(tracking_number: str, shards: int) -> int:
    """The shard (of ``shards``) that keeps a parcel: the same in every process."""
    return shard_table(shards)[zlib.crc32(tracking_number.encode()) & _SLOT_MASK]


@cache
def shard_table(shards: int) -> tuple[int, ...]:
    """The shard of each of ``_SLOT_MASK + 1`` slots, a parcel's slot being the low
    bits of its tracking number's CRC-32: shard 0 has ``FIRST_SHARE`` of the slots of
    each other shard, the others as many each (within one)."""
    slots = _SLOT_MASK + 1
    first = round(slots * FIRST_SHARE / (shards - 1 + FIRST_SHARE)) if shards > 1 else slots
    return (0,) * first + tuple(1 + i % (shards - 1) for i in range(slots - first))


def _plain_shard(value: bytes, table: tuple[int, ...]) -> int:
    """The shard of the tracking number ``value`` when validation keeps it unchanged,
    else -1 (``_chunks`` has found the line free of backslashes, its key once)."""
    try:
        number = value.decode()
    except UnicodeDecodeError:
        return -1
    return table[zlib.crc32(value) & _SLOT_MASK] if _plain(number, 80) else -1


def _plain_value(value: bytes, longest: int) -> str | None:
    """``value`` as the text validation keeps unchanged (no escape, ``_plain``), else
    None."""
    if 0 < len(value) <= longest and value.isalnum():  # ASCII letters and digits
        return value.decode()
    if value.find(b"\\") >= 0:  # (find, not `in`: `in` first tries an int, raising)
        return None
    try:
        text = value.decode()
    except UnicodeDecodeError:
        return None
    return text if _plain(text, longest) else None


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
        # One loop, no call per line but the byte searches: a line costs a few
        # hundred nanoseconds of bookkeeping, so helpers and generators would show.
        size = self._size
        shapes, micros, found_names = self._shapes, self._times.micros, self.names
        bases, minute_second = self._times.bases, _MINUTE_SECOND
        items = self._items
        update = self._bar.update if self._bar.stream is not None else None
        groups: dict[str, list[EventRec]] = {}
        carriers: dict[str, str] = {}
        count = 0
        mine, shards = self._shard if self._shard is not None else (0, 1)
        table = shard_table(shards)
        problems = items.problems
        readline = self._source.handle.readline
        limit = MAX_LINE_BYTES + 1
        plain_id = _PLAIN_ID.fullmatch
        done = 0
        quick = 0  # lines read here rather than by items.one: counted at the end
        try:
            for number, raw in zip(numbered(1), iter(partial(readline, limit), b"")):
                too_long = len(raw) > MAX_LINE_BYTES and raw[-1] != 10  # no b"\n"
                if too_long:
                    done += len(raw) + _drained(readline)
                elif update is not None:
                    done += len(raw)
                a = b = c = d = e = f = 0
                if number == 1 or too_long:
                    owner = -1 if shards > 1 else mine
                else:
                    # The value after the first "tracking_number": ", or ":".
                    at = raw.find(_TN_SPACED)
                    if at >= 0:
                        a = at + 20
                        b = raw.find(b'"', a)
                    else:
                        at = raw.find(_TN_TIGHT)
                        if at >= 0:
                            a = at + 19
                            b = raw.find(b'"', a)
                    if shards == 1:
                        owner = mine
                    else:
                        # The parcel's shard when the line's bytes make it certain
                        # (module docstring), else -1: read the full way to know.
                        owner = -1
                        if b > a and raw.find(b"\\") < 0 and raw.count(_TN) == 1:
                            value = raw[a:b]
                            # An ASCII letter-and-digit number is plain undecoded.
                            if b - a <= 80 and value.isalnum():
                                owner = table[zlib.crc32(value) & 1023]  # (_SLOT_MASK)
                            else:
                                owner = _plain_shard(value, table)
                        if owner != mine and owner >= 0:  # another shard's parcel
                            if update is not None:
                                update(number, done)
                            quick += 1
                            continue
                if count >= size:
                    yield groups, carriers, count
                    groups, carriers, count = {}, {}, 0
                shape = None
                if owner >= 0 and b > 0:  # (b > 0: not line 1, not too long)
                    c = raw.find(b'"event_id": "')
                    if c >= 0:
                        c += 13
                    else:
                        c = raw.find(b'"event_id":"')
                        c = c + 12 if c >= 0 else -1
                    if c >= 0:
                        d = raw.find(b'"', c)
                        e = raw.find(b'"occurred_at": "')
                        if e >= 0:
                            e += 16
                        else:
                            e = raw.find(b'"occurred_at":"')
                            e = e + 15 if e >= 0 else -1
                        if e >= 0 and d > 0:
                            f = raw.find(b'"', e)
                            if f > 0:
                                if b <= e and f <= c:  # the usual key order
                                    shape = (raw[:a], raw[b:e], raw[f:c], raw[d:])
                                else:
                                    s = sorted((a, b, c, d, e, f))
                                    shape = (
                                        raw[: s[0]],
                                        raw[s[1] : s[2]],
                                        raw[s[3] : s[4]],
                                        raw[s[5] :],
                                    )
                if shape is not None:
                    known = shapes.get(shape)
                    if known is not None:
                        # The time, by the cache of its hour (``_Times.micros``).
                        t = None
                        # ``"MM:SS"`` in one lookup (its ':' and two-digit fields
                        # checked by the table's keys), the hour's ':' by hand.  (A
                        # shorter value cannot hit: its key would hold the closing
                        # quote, which no learned hour has; the length test says so.)
                        step = minute_second.get(raw[e + 14 : e + 19])
                        if step is not None and f - e >= 19 and raw[e + 13] == 58:  # ':'
                            base = bases.get(raw[e : e + 13] + raw[e + 19 : f])
                            if base is not None and base != _UNCACHED:
                                t = base + step
                        if t is None:
                            t = micros(raw[e:f])
                        # ``_plain_value`` inline for the usual values.
                        tn: str | None
                        event_id: str | None
                        value = raw[a:b]
                        if b - a <= 80 and value.isalnum():  # ASCII letters and digits
                            tn = value.decode()
                        else:
                            tn = _plain_value(value, 80)
                        value = raw[c:d]
                        # Letters, digits and ``_-.:`` (the usual ids) in two C
                        # calls; ``_PLAIN_ID`` for any other plain ASCII id.
                        usual_id = d - c <= 200 and value.translate(None, b"_-.:").isalnum()
                        if usual_id or plain_id(raw, c, d) is not None:
                            event_id = value.decode()
                        else:
                            event_id = _plain_value(value, 200)
                        if t is not None and tn is not None and event_id is not None:
                            if update is not None:
                                update(number, done)
                            quick += 1
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
                if shape is not None and self._exact(raw, (a, b, c, d, e, f), event, rec):
                    if len(shapes) >= _MEMO_LIMIT:
                        shapes.clear()
                    shapes[shape] = (found_carriers[tn], rec[KIND], names)
            if count:
                yield groups, carriers, count
        finally:
            items.lines += quick

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
