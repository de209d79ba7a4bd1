"""Writing a version-2 state body (the layout is in ``_state_codec``'s docstring), and
what both versions write alike: the fixed ints and the tail (``_rest``), the kinds'
texts and digests, the facts' text.

A store writes the state of every parcel a batch touches, so a write works on whole
columns of the history (``zip``, ``map``, one ``pack`` of every int).  ``Kernel.dumps``
writes version 3 (``_state_v3``), which a kept state appends to; version 2 is what
``Kernel.state_body`` gives.
"""

from __future__ import annotations

import operator

from ..core._records import EventKind, EventRec
from ._state import Facts, ShipmentState
from ._state_incident import encode_incident
from ._state_layout import (
    BARE_TAIL_TEXT,
    HEAD,
    NONE,
    ints_of,
    kind_digest,
    kind_text,
    position,
    separator,
)
from ._state_parts import FACTS, compact_json, encode_followup

__all__ = ["Reuse", "StateWriter"]

#: What a state remembers of the body it was last read or written as
#: (``ShipmentState.encoded``): the history's records then (the same objects), or their
#: count while the history is an ``Unread`` (``_state_lazy``: they are its first ones),
#: the bytes the version-3 body is in (``_state_v3``), and where it starts.
Reuse = tuple[list[EventRec] | int, bytes, int]

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

    def encode(self, s: ShipmentState) -> bytes:
        """The version-2 body of ``s`` (what ``Kernel.state_body`` gives; ``Kernel.dumps``
        writes version 3, ``_state_v3``)."""
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
        fixed, tail = self._rest(s, strings)
        words, kind_texts = list(strings), list(kinds)
        sep = separator(words + kind_texts)
        blob = sep.join(words).encode("utf-8", "surrogatepass")
        kinds_blob = sep.join(kind_texts).encode("utf-8", "surrogatepass")
        counts = (len(words), m, len(kind_texts), len(blob), len(kinds_blob))
        head = HEAD.pack(*counts, len(tail), ord(sep))
        return b"".join((head, blob, kinds_blob, ints_of(m).pack(*fixed, *events), tail))

    def _rest(self, s: ShipmentState, strings: dict[str, int]) -> tuple[list[int], bytes]:
        """The fixed ints and the tail of ``s``; ``strings`` holds the strings written so
        far (a new one takes the next ref, its position there)."""
        ref = strings.setdefault
        latest, latest_rec = -1, None
        if s.latest is not None:
            history = s._history  # not read for this test (an Unread's last is its own)
            latest = len(history) - 1
            if latest < 0 or history[-1] is not s.latest:
                latest = position(s.history, s.latest)
            if latest < 0:  # not among the events (never so today): kept in the tail
                t, ident, kind = s.latest
                latest_rec = [t, ident, self.known(kind)[1]]
                latest = -2
        # An absent instant is NONE, each tested here: a map of a dict's get over them
        # costs ~600 instructions an instant (a bound method's arguments parsed).  The
        # fields read one by one, in AGGREGATES' order (an attrgetter's call costs more).
        fired, due, timer = s.fired_through, s.next_due_us, s.timer_eval
        delivered, first_ev, last_ev = s.delivered_at, s.first_event, s.last_event
        first_sc, last_sc = s.first_scan, s.last_scan
        status_at, stage_at = s.status_entered, s.stage_entered
        fixed = [
            ref(s.tracking_number, len(strings)),
            ref(s.carrier, len(strings)),
            NONE if fired is None else fired,
            NONE if due is None else due,
            NONE if timer is None else timer,
            -1 if s.status is None else ref(s.status, len(strings)),
            -1 if s.stage is None else ref(s.stage, len(strings)),
            -1 if s.reason is None else ref(s.reason, len(strings)),
            1 if s.final else 0,
            NONE if delivered is None else delivered,
            NONE if first_ev is None else first_ev,
            NONE if last_ev is None else last_ev,
            NONE if first_sc is None else first_sc,
            NONE if last_sc is None else last_sc,
            NONE if status_at is None else status_at,
            NONE if stage_at is None else stage_at,
            s.n_events,
            s.n_scans,
            s.regressions,
            s.after_delivery,
            latest,
        ]
        # A bare parcel's shipment is None: read here, not through a call of shipment_text.
        held = s._shipment
        if held is not None and type(held) is not str:
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
        keep = lambda text: ref(text, len(strings))  # noqa: E731
        if type(s.cnt) is tuple and not values and not s.followups and latest_rec is None:
            # Open incidents (a parcel's usual irregular part), with or without facts: the
            # encoder writes them alone.  Each value it writes costs ~700 instructions, and
            # the others' text is known here.  (What the encode of all seven parts writes.)
            ship = "null" if held is None else str(ref(held, len(strings)))
            incidents = _TAIL_JSON(
                [encode_incident(inc, keep, key != inc.kind) for key, inc in s.open.items()]
            )
            facts = "null" if held is None else self.facts_text(s.facts)
            return fixed, f"[{facts},{ship},null,null,{incidents},{{}},null]".encode("ascii")
        rest = _TAIL_JSON(
            [
                None if held is None else ref(held, len(strings)),
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
