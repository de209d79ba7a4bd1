"""Writing a version-3 state body: what ``Kernel.dumps`` writes.

Version 3 holds what version 2 holds (``_state_codec``), laid out so that a state's
history is appended to without being read back: a stream host or a store reads a
parcel's state, applies one event and writes it again (a *touch*), and the part of the
body for the events it held is then copied as bytes.  A body, little-endian::

    head     8 × u32: events, strings, kinds, id bytes, string bytes, kind bytes,
             tail bytes, separator
    ids      the events' ids, in order, each followed by the separator (a character
             none of the ids, strings or kinds holds), as UTF-8 (lone surrogates kept)
    strings  the state's other strings, joined by the separator
    kinds    the texts of the kinds the events name, each followed by the separator,
             in the order the events first name them
    ints     i64 × (21 + 2 × events): the fixed ints of version 2, then each event as
             (time, kind digest)
    tail     JSON (ASCII), as in version 2

An event's id is its position among the ids (no refs); the string refs of the fixed
ints and the tail index the strings alone.  Only the ids, kinds and events grow with
the history, each at its end, so a body for the events a state held, followed by new
events, is that body's sections with the new ids, kinds and events added, and the
strings, fixed ints and tail written afresh (``_append``).  Either way the bytes are
those a write from scratch gives.  Reading is in ``_state_v3_read``.
"""

from __future__ import annotations

import operator
import struct
from typing import Any

from ..core._records import EventKind, EventRec
from . import _state_layout as layout
from ._state import ShipmentState
from ._state_layout import I64, N_FIXED, Structs, separator
from ._state_lazy import Unread
from ._state_write import Reuse

__all__ = ["HEAD3", "V3Writer", "events3_of", "ints3_of", "kinds_hold"]

#: events, strings, kinds, id bytes, string bytes, kind bytes, tail bytes, separator
HEAD3 = struct.Struct("<8I")
FIXED3 = struct.Struct(I64.format(N_FIXED))
_HEAD_SIZE = HEAD3.size
_FIXED_SIZE = FIXED3.size
DIGEST3 = struct.Struct(I64.format(1))
_PAIR = struct.Struct(I64.format(2))  # one event: (time, kind digest)

_ID = operator.itemgetter(1)
_TIME = operator.itemgetter(0)
_KIND = operator.itemgetter(2)
_TEXT = operator.itemgetter(1)
_DIGEST = operator.itemgetter(2)


#: ``ints3_of(n)``: the fixed ints and ``n`` events' (time, kind digest), packed.
ints3_of = Structs(N_FIXED, 2).__getitem__
#: ``events3_of(n)``: ``n`` events' (time, kind digest), packed.
events3_of = Structs(0, 2).__getitem__


def kinds_hold(body: bytes, digest: int, begin: int, end: int) -> bool:
    """Whether the events ``body[begin:end]`` (16 bytes each) name the kind ``digest``."""
    packed = DIGEST3.pack(digest)
    found = body.find(packed, begin, end)
    while found >= 0:
        if (found - begin) % 16 == 8:
            return True
        found = body.find(packed, found + 1, end)
    return False


class V3Writer:
    """The version-3 half of ``StateCodec``'s writing (which sets these attributes)."""

    _texts: dict[int, tuple[EventKind, str, int]]
    known: Any  # StateWriter.known
    _rest: Any  # StateWriter._rest: the fixed ints and the tail

    def encode3(self, s: ShipmentState, keep: bool = False) -> bytes:
        """The version-3 body of ``s``.  With ``keep``, ``s`` remembers it, and its next
        ``encode3`` writes only the events added since (``_append``)."""
        reuse = s.encoded
        held = s._history
        if reuse is None and type(held) is Unread:  # loaded without keep: its body is there
            reuse = (held.before + 1, held.body, held.start)
        if reuse is not None:
            body = self._append(s, reuse, keep)
            if body is not None:
                return body
        history = s.history
        m = len(history)
        texts = self._texts
        known = self.known
        # each kind's (kind, text, digest), made once per kind object
        found = [texts.get(id(kind)) or known(kind) for kind in map(_KIND, history)]
        kind_texts = list(dict.fromkeys(map(_TEXT, found)))
        ids = list(map(_ID, history))
        strings: dict[str, int] = {}
        fixed, tail = self._rest(s, strings)
        words = list(strings)
        sep = separator(ids + words + kind_texts)
        ids_blob = (sep.join(ids) + sep).encode("utf-8", "surrogatepass") if m else b""
        words_blob = sep.join(words).encode("utf-8", "surrogatepass")
        kinds_blob = (
            (sep.join(kind_texts) + sep).encode("utf-8", "surrogatepass") if kind_texts else b""
        )
        events: list[int] = [0] * (2 * m)
        events[0::2] = map(_TIME, history)
        events[1::2] = map(_DIGEST, found)
        head = HEAD3.pack(
            m,
            len(words),
            len(kind_texts),
            len(ids_blob),
            len(words_blob),
            len(kinds_blob),
            len(tail),
            ord(sep),
        )
        body = b"".join(
            (head, ids_blob, words_blob, kinds_blob, ints3_of(m).pack(*fixed, *events), tail)
        )
        if keep and m >= layout.REUSE_FROM:
            s.encoded = (history.copy(), body, 0)
        return body

    def _append(self, s: ShipmentState, reuse: Reuse, keep: bool) -> bytes | None:
        """The body of ``s`` made from the body it was last read or written as: while
        the records that body held are still the history's first ones, in place (the
        same objects), its ids, kinds and events are copied and only the new events'
        are added.  None when that does not hold (a late event, a replay) or the
        separator would differ (not NUL, or a NUL in a new text)."""
        recs, old, start = reuse
        held = s._history
        if isinstance(recs, int):  # the first recs events of an Unread, never read
            if type(held) is not Unread:
                return None
            k = recs
            m = len(held)
            added = held[k:]
            remember: list[EventRec] | int = m
        else:
            history = s.history
            k = len(recs)
            m = len(history)
            # The same objects, not equal ones: an attribute of 1 equals one of 1.0 or
            # True, and writes another text.
            if m < k or not all(map(operator.is_, recs, history)):
                return None
            added = history[k:]
            remember = recs if m == k else history.copy()
        n_events, _, n_kinds, n_ids, n_words, n_kind_bytes, _, sep = HEAD3.unpack_from(old, start)
        if sep or n_events != k:
            return None
        strings: dict[str, int] = {}
        fixed, tail = self._rest(s, strings)
        words = "\x00".join(strings)
        if words.count("\x00") != len(strings) - 1:
            return None  # a string holds a NUL: the full write picks another separator
        ids_start = start + _HEAD_SIZE
        ids_end = ids_start + n_ids
        kinds_start = ids_end + n_words
        kinds_end = kinds_start + n_kind_bytes
        events_start = kinds_end + _FIXED_SIZE
        events_end = events_start + 16 * k
        new_ids = new_kinds = new_events = b""
        if added:
            texts = self._texts
            ids = ""
            fresh: dict[str, None] = {}  # the kinds added, in the order named
            pairs: list[bytes] = []
            for t, ident, kind in added:
                _, text, digest = texts.get(id(kind)) or self.known(kind)
                ids += ident + "\x00"
                # Each event packed on its own (a store's save adds one or two: cheaper
                # than a list of their ints and a Struct for that many).
                pair = _PAIR.pack(t, digest)
                pairs.append(pair)
                # Whether the events held name the kind (most do): its digest where an
                # event's is, at 8 of its 16 bytes.
                at = old.find(pair[8:], events_start, events_end)
                if at < 0 or (
                    (at - events_start) % 16 != 8
                    and not kinds_hold(old, digest, events_start, events_end)
                ):
                    fresh[text] = None  # a kind the body does not hold: added after its own
            if ids.count("\x00") != len(added):
                return None  # an id holds a NUL: the full write picks another separator
            new_ids = ids.encode("utf-8", "surrogatepass")
            # (a kind's text is JSON, which writes a NUL as an escape: no NUL inside)
            if fresh:
                n_kinds += len(fresh)
                new_kinds = ("\x00".join(fresh) + "\x00").encode("utf-8", "surrogatepass")
            new_events = pairs[0] if len(pairs) == 1 else b"".join(pairs)
        words_blob = words.encode("utf-8", "surrogatepass")
        body = b"".join(
            (
                HEAD3.pack(
                    m,
                    len(strings),
                    n_kinds,
                    n_ids + len(new_ids),
                    len(words_blob),
                    n_kind_bytes + len(new_kinds),
                    len(tail),
                    0,
                ),
                old[ids_start:ids_end],
                new_ids,
                words_blob,
                old[kinds_start:kinds_end],
                new_kinds,
                FIXED3.pack(*fixed),
                old[events_start:events_end],
                new_events,
                tail,
            )
        )
        if keep:
            s.encoded = (remember, body, 0)
        return body
