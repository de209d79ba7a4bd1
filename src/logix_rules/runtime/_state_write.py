"""Writing a version-2 state body (the layout is in ``_state_codec``'s docstring).

A store writes the state of every parcel a batch touches, so a write works on whole
columns of the history (``zip``, ``map``, one ``pack`` of every int), and a state that
remembers the body it was read or written as (``keep``) writes only what changed
since (``_extend``).  Either way the bytes are those a write from scratch gives.
"""

from __future__ import annotations

import operator
from typing import Any

from ..core._records import EventKind, EventRec
from . import _state_layout as layout
from ._state import Facts, ShipmentState
from ._state_layout import (
    AGGREGATES,
    BARE_TAIL_TEXT,
    DIGEST,
    FIXED,
    HEAD,
    NONE,
    events_of,
    holds_kind,
    ids_end_of,
    in_order,
    ints_of,
    kind_digest,
    kind_text,
    position,
    separator,
)
from ._state_parts import FACTS, compact_json, encode_followup, encode_incident

__all__ = ["Reuse", "StateWriter"]

#: What a state remembers of the body it was last read or written as
#: (``ShipmentState.encoded``): the history's records then (the same objects), the bytes
#: the body is in, where it starts, and where its event ids end among its strings (-1:
#: not known yet).
Reuse = tuple[list[EventRec], bytes, int, int]

_TO_NONE: dict[Any, int] = {None: NONE}  # .get(v, v): NONE for None, v otherwise
_CLOCK = operator.attrgetter("fired_through", "next_due_us", "timer_eval")
_MOMENTS = operator.attrgetter(*AGGREGATES[:7])
_COUNTS = operator.attrgetter(*AGGREGATES[7:])
_FACT_VALUES = operator.attrgetter(*FACTS)
_ID = operator.itemgetter(1)
_TAIL_JSON = compact_json(ensure_ascii=True)
_FACT_TEXTS = 4096  # the facts texts kept (a batch's parcels, not every parcel seen)


class StateWriter:
    """The writing half of ``StateCodec`` (which sets these attributes)."""

    _texts: dict[int, tuple[EventKind, str, int]]
    _pool_limit: int
    # id(facts) -> (facts, their JSON text): the facts are held so the id is not reused
    _fact_texts: dict[int, tuple[Facts, str]]

    def facts_text(self, facts: Facts) -> str:
        """The JSON text of ``facts`` in a tail, made once per facts object (they are
        frozen; a state written at every event keeps the same one)."""
        found = self._fact_texts.get(id(facts))
        if found is not None and found[0] is facts:
            return found[1]
        text = _TAIL_JSON(_FACT_VALUES(facts))
        self.remember_facts(facts, text)
        return text

    def remember_facts(self, facts: Facts, text: str) -> None:
        """Keep ``text`` as what ``facts`` are written as (the reader gives the text it
        read them from, so a state read and written again does not encode them)."""
        held = self._fact_texts
        if len(held) >= _FACT_TEXTS:
            held.clear()
        held[id(facts)] = (facts, text)

    def known(self, kind: EventKind) -> tuple[EventKind, str, int]:
        """``kind`` with its text and digest (made once per kind object)."""
        found = self._texts.get(id(kind))
        if found is None:
            texts = self._texts
            if len(texts) >= self._pool_limit:
                texts.clear()
            text = kind_text(kind)
            found = texts[id(kind)] = (kind, text, kind_digest(text))
        return found

    def encode(self, s: ShipmentState, keep: bool = False) -> bytes:
        """The version-2 body of ``s``.  With ``keep``, ``s`` remembers it, and the next
        encode of ``s`` writes only what changed since (see ``_extend``)."""
        reuse = s.encoded
        if reuse is not None:
            body = self._extend(s, reuse, keep)
            if body is not None:
                return body
        history = s.history
        m = len(history)
        strings: dict[str, int] = {}
        ref = strings.setdefault
        texts = self._texts
        kinds: dict[str, None] = {}  # their texts, each once, in order
        events: list[int] = []
        for t, ident, kind in history:
            known = texts.get(id(kind)) or self.known(kind)
            kinds[known[1]] = None
            events += (t, ref(ident, len(strings)), known[2])
        fixed, tail = self._rest(s, strings, 0)
        words, kind_texts = list(strings), list(kinds)
        sep = separator(words + kind_texts)
        blob = sep.join(words).encode("utf-8", "surrogatepass")
        kinds_blob = sep.join(kind_texts).encode("utf-8", "surrogatepass")
        counts = (len(words), m, len(kind_texts), len(blob), len(kinds_blob))
        head = HEAD.pack(*counts, len(tail), ord(sep))
        body = b"".join((head, blob, kinds_blob, ints_of(m).pack(*fixed, *events), tail))
        if keep and m >= layout.REUSE_FROM:
            s.encoded = (history.copy(), body, 0, -1)
        return body

    def _rest(
        self, s: ShipmentState, strings: dict[str, int], base: int
    ) -> tuple[list[int], bytes]:
        """The fixed ints and the tail of ``s``; ``strings`` holds the strings from
        ``base`` on (a new one takes the next ref)."""
        ref = strings.setdefault
        latest, latest_rec = -1, None
        if s.latest is not None:
            history = s.history
            latest = len(history) - 1
            if not history or history[latest] is not s.latest:
                latest = position(history, s.latest)
            if latest < 0:  # not among the events (never so today): kept in the tail
                t, ident, kind = s.latest
                latest_rec = [t, ident, self.known(kind)[1]]
                latest = -2
        to_none = _TO_NONE.get
        fixed = [
            ref(s.tracking_number, base + len(strings)),
            ref(s.carrier, base + len(strings)),
            *map(to_none, clock := _CLOCK(s), clock),
            -1 if s.status is None else ref(s.status, base + len(strings)),
            -1 if s.stage is None else ref(s.stage, base + len(strings)),
            -1 if s.reason is None else ref(s.reason, base + len(strings)),
            1 if s.final else 0,
            *map(to_none, moments := _MOMENTS(s), moments),
            *_COUNTS(s),
            latest,
        ]
        held = s.shipment_text()
        values = s.attr_values
        if (
            held is None
            and type(s.cnt) is tuple
            and not values
            and not s.open
            and not s.followups
            and latest_rec is None
        ):
            return fixed, BARE_TAIL_TEXT  # most parcels: nothing irregular to write
        keep = lambda text: ref(text, base + len(strings))  # noqa: E731
        rest = _TAIL_JSON(
            [
                None if held is None else ref(held, base + len(strings)),
                None if type(s.cnt) is tuple else [list(s.cnt), list(s.firsts), list(s.lasts)],
                dict(values) if values else None,
                [encode_incident(inc, keep, key != inc.kind) for key, inc in s.open.items()],
                {ident: encode_followup(f) for ident, f in s.followups.items()},
                latest_rec,
            ]
        )
        # The facts first: what the same encode of all seven parts writes.
        facts = "null" if held is None else self.facts_text(s.facts)
        return fixed, ("[" + facts + "," + rest[1:]).encode("ascii")

    def _extend(self, s: ShipmentState, reuse: Reuse, keep: bool) -> bytes | None:
        """The body of ``s`` made from the body it was last read or written as: its
        history's part (ids, kinds, events) is a function of the event records alone, so
        while those it held are still the history's first ones, in place, only the
        events after them, the fixed ints and the tail are written.  None when that
        does not hold (a late event, a replay) or the body would differ otherwise (a
        separator other than NUL, an id that is also another string of the state)."""
        recs, old, start, ids_end = reuse
        history = s.history
        k, m = len(recs), len(history)
        if m < k or not all(map(operator.is_, recs, history)):
            return None
        _, n_events, n_kinds, n_text, n_kinds_text, _, sep = HEAD.unpack_from(old, start)
        if sep or n_events != k:
            return None
        text_start = start + HEAD.size
        kinds_start = text_start + n_text
        kinds_end = kinds_start + n_kinds_text
        events_start = kinds_end + FIXED.size
        events_end = events_start + 24 * k
        if ids_end < 0:  # a body read: where its first k strings (the ids) end
            refs = ints_of(k).unpack_from(old, kinds_end)[22::3]
            if refs != in_order(k):  # not as encode orders them: crafted
                return None
            ids_end = ids_end_of(old, text_start, kinds_start, recs)
            if ids_end < 0:
                return None
        new_ids: list[str] = []
        new_kinds: dict[str, None] = {}
        events: list[int] = []
        if m > k:
            texts = self._texts
            for at in range(k, m):
                t, ident, kind = history[at]
                known = texts.get(id(kind)) or self.known(kind)
                if not holds_kind(old, DIGEST.pack(known[2]), events_start, events_end):
                    new_kinds[known[1]] = None
                new_ids.append(ident)
                events += (t, at, known[2])
        extras: dict[str, int] = {}
        fixed, tail = self._rest(s, extras, m)
        ids = set(map(_ID, history))
        if len(ids) != m or not ids.isdisjoint(extras):
            return None  # refs the full encode would share
        if "\x00" in "".join((*new_ids, *extras, *new_kinds)):
            return None  # the full encode would pick another separator
        view = memoryview(old)
        blob: list[bytes | memoryview] = [view[text_start:ids_end]] if k else []
        if new_ids:
            blob.append("\x00".join(new_ids).encode("utf-8", "surrogatepass"))
        ids_size = sum(map(len, blob)) + len(blob) - 1 if blob else 0
        if extras:
            blob.append("\x00".join(extras).encode("utf-8", "surrogatepass"))
        kind_blob: list[bytes | memoryview] = [view[kinds_start:kinds_end]] if n_kinds else []
        if new_kinds:
            kind_blob.append("\x00".join(new_kinds).encode("utf-8", "surrogatepass"))
        n_blob = sum(map(len, blob)) + len(blob) - 1 if blob else 0
        n_kind_blob = sum(map(len, kind_blob)) + len(kind_blob) - 1 if kind_blob else 0
        head = HEAD.pack(
            m + len(extras), m, n_kinds + len(new_kinds), n_blob, n_kind_blob, len(tail), 0
        )
        body = b"".join(
            (
                head,
                b"\x00".join(blob),
                b"\x00".join(kind_blob),
                FIXED.pack(*fixed),
                view[events_start:events_end],
                events_of(m - k).pack(*events),
                tail,
            )
        )
        if keep:
            s.encoded = (recs if m == k else history.copy(), body, 0, HEAD.size + ids_size)
        return body
