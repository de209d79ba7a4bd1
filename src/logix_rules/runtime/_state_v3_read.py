"""Reading a version-3 state body (the layout is in ``_state_v3``).

It gives what ``StateReader._read`` gives for a version-2 body, so the rest of a read
(the checks, the state) is shared: the strings (with None last), the fixed ints, the
tail, the history and its ids.  One decode and one ``split`` read the ids and the
strings together (the ids' section ends with the separator), one ``unpack`` every int.
``Kernel.loads`` asks for less (``lazy``): the history is an ``Unread`` (``_state_lazy``)
that ``events3`` reads when it is first needed, so the strings are read without the
ids, and of the events' ints only the last event's are made (one ``Struct`` that skips
the others).  The events before the last are checked (ids, instants, kinds) by what
reads them: ``events3``, ``last3`` and ``kinds3``; a touch in order reads none of them,
and checking them at every load cost ~9,000 instructions of a ~79,000 one (issue 15).
"""

from __future__ import annotations

from typing import Any

from ..core._records import EventKind, EventRec, rec_key
from ._state import StateError
from ._state_layout import BARE_TAIL, BARE_TAIL_TEXT, Structs, read_json, read_tail, tied
from ._state_lazy import Unread
from ._state_parts import BOUND
from ._state_v3 import HEAD3, events3_of, ints3_of

__all__ = ["Read", "V3Reader"]

#: strings (None last), ints, tail, history, ids, the text of the tail's facts (or None)
Read = tuple[list[Any], tuple[int, ...], list[Any], list[EventRec], list[str], str | None]

_BARE_SIZE = len(BARE_TAIL_TEXT)
_N_FIXED = 21
_BYTE = [bytes((i,)) for i in range(128)]  # a separator below 128 as UTF-8
_HELD_NONES = 64
_NONES = [(None,) * n for n in range(_HELD_NONES)]  # what Unread starts from, by count
_UNKNOWN_KIND = "an event of a shipment state names a kind it does not hold"
#: ``ends3_of(n)``: the fixed ints and the last of ``n`` events' (time, kind digest).
ends3_of = Structs(_N_FIXED, 2, last_only=True).__getitem__


class V3Reader:
    """The version-3 half of ``StateCodec``'s reading (which sets these attributes)."""

    _kinds: dict[int, EventKind]
    kind: Any  # StateReader.kind: a kind's text checked and shared

    def _read3(self, data: bytes, start: int, split: bool = False, lazy: bool = False) -> Read:
        """The parts of the version-3 body at ``data[start:]``; the text of the facts in
        the tail (``read_tail``) only when ``split`` asks (a state kept to be written
        again).  With ``lazy``, the history may be an ``Unread`` (and the ids empty)."""
        n_events, n_strings, n_kinds, n_ids, n_words, n_kind_bytes, n_tail, sep = HEAD3.unpack_from(
            data, start
        )
        text_start = start + HEAD3.size
        ids_end = text_start + n_ids
        kinds_start = ids_end + n_words
        ints_start = kinds_start + n_kind_bytes
        events_end = ints_start + 8 * (_N_FIXED + 2 * n_events)
        if events_end + n_tail != len(data) or not n_strings:
            raise StateError("the parts of a shipment state do not add up to its length")
        # An Unread history (see _state_lazy) when its ids end with NULs and the latest
        # event is the last: then only the fixed ints and the last event are made (the
        # events before it are read, and checked, with the history: events3, last3, kinds3).
        lazy = lazy and not sep and n_events > 0
        ints = (ends3_of if lazy else ints3_of)(n_events).unpack_from(data, ints_start)
        if lazy and ints[20] != n_events - 1:  # the latest event is not the last (rare)
            lazy = False
            ints = ints3_of(n_events).unpack_from(data, ints_start)
        if lazy:
            # The ids' section must end where the head says (a write that reuses it
            # copies that many bytes): n_events ids, each followed by its NUL.
            if data[ids_end - 1] != 0 or data.count(0, text_start, ids_end) != n_events:
                raise StateError("the ids of a shipment state are not as many as it says")
            parts: list[Any] = (
                data[ids_end:kinds_start].decode("utf-8", "surrogatepass").split("\x00")
            )
            if len(parts) != n_strings:
                raise StateError("the strings of a shipment state are not as many as it says")
        else:
            char = chr(sep)
            parts = data[text_start:kinds_start].decode("utf-8", "surrogatepass").split(char)
            if len(parts) != n_events + n_strings:
                raise StateError("the strings of a shipment state are not as many as it says")
        facts_text = None
        if n_tail == _BARE_SIZE and data.endswith(BARE_TAIL_TEXT):
            tail = BARE_TAIL
        else:
            tail_text = data[events_end:].decode("ascii")
            if split:
                tail, facts_text = read_tail(tail_text)
            else:
                tail = read_json(tail_text)
            if type(tail) is not list or len(tail) != 7:
                raise StateError("the tail of a shipment state must be an array of 7 parts")
        if not n_events:
            if n_ids:
                raise StateError("the ids of a shipment state are not as many as it says")
            parts.append(None)
            return parts, ints, tail, [], [], facts_text
        if lazy:
            offsets = text_start, ids_end, kinds_start, ints_start, n_kinds
            return self._unread(data, start, offsets, parts, ints, tail, facts_text, n_events)
        times, digests = ints[_N_FIXED::2], ints[_N_FIXED + 1 :: 2]
        ties = tied(times)
        ids = parts[:n_events]
        strings = parts[n_events:]
        strings.append(None)
        # The ids' section must end where the head says (a write that reuses it copies
        # that many bytes): exactly the first n_events parts, each with its separator.
        if sep < 128:
            whole = data[ids_end - 1] == sep and data.count(_BYTE[sep], text_start, ids_end)
        else:
            size = len((char.join(ids) + char).encode("utf-8", "surrogatepass"))
            whole = n_events if size == n_ids else -1
        if whole != n_events:
            raise StateError("the ids of a shipment state are not as many as it says")
        raw_kinds = data, kinds_start, ints_start, n_kinds, char
        history = self._events3(ids, times, digests, ties, raw_kinds)
        return strings, ints, tail, history, ids, facts_text

    def _unread(
        self,
        data: bytes,
        start: int,
        offsets: tuple[int, int, int, int, int],
        strings: list[Any],
        ints: tuple[int, ...],
        tail: list[Any],
        facts_text: str | None,
        n_events: int,
    ) -> Read:
        """``_read3``'s parts with an ``Unread`` history: ``ints`` are the fixed ints and
        the last event's time and kind digest (``_read3`` checked the NULs of the ids).
        The last event is made and checked here; the events before it, their ids, times
        and kinds, are read and checked with the history (``events3``; ``last3`` and
        ``kinds3`` check what they read), which an in-order touch never reads (a write
        copies their bytes).  ``offsets``: where the ids, the strings, the kinds and the
        ints start, and the kinds' count, as ``_read3`` found them from the head."""
        ids_start, ids_end, kinds_start, ints_start, n_kinds = offsets
        t = ints[-2]
        if not -BOUND < t < BOUND:
            raise StateError("the events are out of order or out of range")
        kind = self._kinds.get(ints[-1])
        if kind is None:  # a kind this process has not read yet
            self._learn3(data[kinds_start:ints_start], n_kinds, "\x00")
            kind = self._kinds.get(ints[-1])
            if kind is None:
                raise StateError(_UNKNOWN_KIND)
        at = data.rfind(0, ids_start, ids_end - 1)
        last_id = data[ids_start if at < 0 else at + 1 : ids_end - 1]
        last = (t, last_id.decode("utf-8", "surrogatepass"), kind)
        strings.append(None)
        before = n_events - 1
        # The body's events but its last, not read: a list of Nones copied from a tuple
        # (cheaper than from an iterator of them), then that last one.
        history = Unread(_NONES[before] if before < _HELD_NONES else (None,) * before)  # type: ignore[arg-type]
        history.append(last)
        history.before = before
        history.body = data
        history.start = start
        history.stop = ids_end
        history.codec = self
        return strings, ints, tail, history, [], facts_text

    def events3(self, data: bytes, start: int) -> list[EventRec]:
        """The history of the version-3 body at ``data[start:]``, which ``_unread`` read
        the rest of (the events' times are in order, and the kinds known)."""
        n_events, _, n_kinds, n_ids, n_words, n_kind_bytes, _, _ = HEAD3.unpack_from(data, start)
        ids_start = start + HEAD3.size
        ids = data[ids_start : ids_start + n_ids].decode("utf-8", "surrogatepass").split("\x00")
        ids.pop()  # after the last NUL
        kinds_start = ids_start + n_ids + n_words
        ints_start = kinds_start + n_kind_bytes
        events = events3_of(n_events).unpack_from(data, ints_start + 8 * _N_FIXED)
        times = events[0::2]
        raw_kinds = data, kinds_start, ints_start, n_kinds, "\x00"
        return self._events3(ids, times, events[1::2], tied(times), raw_kinds)

    def last3(self, data: bytes, start: int, count: int) -> list[EventRec]:
        """The ``count`` events before the last of the version-3 body at ``data[start:]``
        (``Unread.last``; ``count`` below the events it holds): their ids found back from
        the end of the ids' section, their times and kinds at the end of the ints."""
        n_events, _, n_kinds, n_ids, n_words, n_kind_bytes, _, _ = HEAD3.unpack_from(data, start)
        ids_start = start + HEAD3.size
        end = data.rfind(0, ids_start, ids_start + n_ids - 1)  # the NUL before the last id
        at = end
        for _ in range(count):
            at = data.rfind(0, ids_start, at)
        begin = ids_start if at < 0 else at + 1  # -1: the first id's start
        ids = data[begin:end].decode("utf-8", "surrogatepass").split("\x00")
        if end < 0 or len(ids) != count:
            raise StateError("the ids of a shipment state are not as many as it says")
        kinds_start = ids_start + n_ids + n_words
        ints_start = kinds_start + n_kind_bytes
        first = ints_start + 8 * (_N_FIXED + 2 * (n_events - 1 - count))
        # These events and the last: in order, no two at one instant (else their order
        # is their ids', which the whole history's read checks: rare).
        events = events3_of(count + 1).unpack_from(data, first)
        times = events[0::2]
        if tied(times):
            return self.events3(data, start)[-1 - count : -1]
        raw_kinds = data, kinds_start, ints_start, n_kinds, "\x00"
        return self._events3(ids, times[:-1], events[1:-2:2], False, raw_kinds)

    def kinds3(self, data: bytes, start: int) -> list[EventKind]:
        """The kinds of the version-3 body's events at ``data[start:]``, in order
        (``Unread.kinds``: ``_unread`` checked it holds every one)."""
        n_events, _, n_kinds, n_ids, n_words, n_kind_bytes, _, _ = HEAD3.unpack_from(data, start)
        kinds_start = start + HEAD3.size + n_ids + n_words
        ints_start = kinds_start + n_kind_bytes
        events = events3_of(n_events).unpack_from(data, ints_start + 8 * _N_FIXED)
        if tied(events[0::2]):  # two at one instant: their order is their ids' (rare)
            return [rec[2] for rec in self.events3(data, start)]
        return self._kinds_of(events[1::2], (data, kinds_start, ints_start, n_kinds, "\x00"))

    def _kinds_of(
        self, digests: tuple[int, ...], raw_kinds: tuple[bytes, int, int, int, str]
    ) -> list[EventKind]:
        """The kinds the ``digests`` name: from the pool, else after reading the body's
        kinds (``raw_kinds``: the body, where its kinds' texts start and end, their count
        and separator) when this process has not read them yet, or the pool was emptied
        since (``StateCodec``'s pool_limit); one the body does not hold is a
        ``StateError``."""
        pool = self._kinds
        try:
            return list(map(pool.__getitem__, digests))
        except KeyError:
            data, kinds_start, ints_start, n_kinds, sep = raw_kinds
            self._learn3(data[kinds_start:ints_start], n_kinds, sep)
            try:
                return list(map(pool.__getitem__, digests))
            except KeyError:
                raise StateError(_UNKNOWN_KIND) from None

    def _events3(
        self,
        ids: list[str],
        times: tuple[int, ...],
        digests: tuple[int, ...],
        ties: bool,
        raw_kinds: tuple[bytes, int, int, int, str],
    ) -> list[EventRec]:
        """The events of a body, from their columns (times in order), checked."""
        if len(set(ids)) != len(ids):
            raise StateError("two events share one id")
        history = list(zip(times, ids, self._kinds_of(digests, raw_kinds), strict=True))
        if ties and history != sorted(history, key=rec_key):
            raise StateError("the events at one instant are not in id order")
        return history

    def _learn3(self, raw: bytes, n_kinds: int, sep: str) -> None:
        """Check and keep the kinds a body holds (their texts, each followed by ``sep``)."""
        texts = raw.decode("utf-8", "surrogatepass").split(sep)
        if len(texts) != n_kinds + 1 or texts[-1]:
            raise StateError("the kinds of a shipment state are not as many as it says")
        for text in texts[:-1]:
            self.kind(text)
