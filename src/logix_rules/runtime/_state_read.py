"""Reading a version-2 state body (the layout is in ``_state_codec``'s docstring).

A store reads a state for every parcel a batch touches, so a read is a few C calls
(one ``unpack`` of every int, one ``split`` of the strings, ``map`` and ``zip`` to
build the history) and checks done over whole columns, not a Python loop per event.
Every ref, count, instant and enum read back is checked, so a malformed body raises
``StateError`` (or, for ``Kernel.loads`` to turn into one, ``ValueError``,
``IndexError``...), never a state that fails later; but for the events before the last
of a version-3 body (their ids, instants and kinds), which are read and checked with its
history, when that is first asked for (``_state_lazy``, ``_state_v3_read``).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from typing import Any

from logix_carriers import Reason, Stage, Status

from ..compiler._model import Pack
from ..core._records import EventKind, EventRec, rec_key
from . import _state_layout as layout
from ._state import (
    INDEX_FROM,
    NO_FOLLOWUPS,
    NO_OPEN,
    NO_VALUES,
    NOT_INDEXED,
    Facts,
    OpenIncident,
    ShipmentState,
    StateError,
    parked_key,
)
from ._state_incident import decode_incident
from ._state_layout import (
    BARE_TAIL,
    BARE_TAIL_TEXT,
    FIXED,
    HEAD,
    NONE,
    in_order,
    instants_of,
    ints_of,
    kind_digest,
    pairs_of,
    read_json,
    read_tail,
)
from ._state_parts import (
    BOUND,
    FACTS,
    INT,
    SCALARS,
    TEXT_FACTS,
    decode_facts,
    decode_followups,
    instants,
    types_in,
)

__all__ = ["Inputs", "StateReader", "param_key"]

#: What a replay needs: tracking number, carrier, the shipment's JSON text (or None), the
#: history in order, the followups and ``fired_through``.
Inputs = tuple[str, str, Any, list[EventRec], dict[str, Any], int | None]

_STATUSES = frozenset([*(s.value for s in Status), None])
_STAGES = frozenset([*(s.value for s in Stage), None])
_REASONS = frozenset([*(r.value for r in Reason), None])
_N_MOMENTS = 10  # the instants among the fixed ints
_BARE_SIZE = len(BARE_TAIL_TEXT)
_EVENTS_AT = HEAD.size  # where the strings start, after the head


def param_key(pack: Pack) -> Callable[[Facts], Any] | None:
    """The facts ``pack.params_for`` depends on, fetched in one call: those its
    selectors name (``scope`` is ``cross_border``) and the currency.  None when a
    selector names a fact that is not text or a flag (its text, which params_for
    compares, would not follow from its value: 1 and 1.0), or no fact."""
    names = {"cross_border" if by == "scope" else by for by in pack.selectors}
    names.add("currency")
    if not names <= TEXT_FACTS:
        return None
    return operator.attrgetter(*sorted(names))


class StateReader:
    """The reading half of ``StateCodec`` (which sets these attributes)."""

    pack: Pack
    _ntrack: int
    _zeros: tuple[int, ...]
    _nones: tuple[None, ...]
    _bare: Callable[[str], tuple[Facts, Any]]
    _bares: dict[str, tuple[Facts, Any]]
    _param_key: Callable[[Facts], Any] | None
    _params: dict[Any, Any]
    _kinds: dict[int, EventKind]
    _pool_limit: int
    _actions: frozenset[str]
    remember_facts: Callable[[Facts, str], None]  # the writer's (see StateWriter)
    _read3: Callable[..., Any]  # V3Reader's

    def decode(self, data: bytes, start: int = 0, keep: bool = False) -> ShipmentState:
        """The state of the version-2 body at ``data[start:]`` (written under this pack).
        With ``keep``, the facts' text is kept for a write of the state to reuse."""
        strings, ints, tail, history, ids, facts_text = self._read(data, start, keep)
        return self._state(strings, ints, tail, history, ids, facts_text)

    def decode3(self, data: bytes, start: int = 0, keep: bool = False) -> ShipmentState:
        """The state of the version-3 body at ``data[start:]`` (written under this pack).
        With ``keep``, the state remembers ``data`` for its next encode to reuse.  Its
        history is read from ``data`` when first asked for (``_state_lazy``)."""
        strings, ints, tail, history, ids, facts_text = self._read3(data, start, keep, True)
        state = self._state(strings, ints, tail, history, ids, facts_text)
        if keep and len(history) >= layout.REUSE_FROM:
            # An Unread's records are the body's: its count of them stands for them.
            held = history.copy() if type(history) is list else len(history)
            state.encoded = (held, data, start)
        return state

    def _state(
        self,
        strings: list[Any],
        ints: tuple[int, ...],
        tail: list[Any],
        history: list[EventRec],
        ids: list[str],
        facts_text: str | None,
    ) -> ShipmentState:
        """The state a body's parts (``_read`` or ``_read3``) describe, every part checked."""
        n = len(strings) - 1  # the last is the None that ref -1 reads
        n_events = len(history)
        # The 21 fixed ints as locals (one unpack), checked by chained comparisons:
        # min() and max() parse keyword arguments, ~1,500 instructions a call.
        (
            r_tn, r_carrier, fired, due, timer, r_status, r_stage, r_reason, final,
            delivered, first_ev, last_ev, first_sc, last_sc, status_at, stage_at,
            count, scans, regressions, after, at_latest,
        ) = ints[:21]  # fmt: skip
        if not (0 <= r_tn < n and 0 <= r_carrier < n):
            raise StateError("the tracking number and carrier must be strings")
        tn, carrier = strings[r_tn], strings[r_carrier]
        latest_rec = None
        if tail is BARE_TAIL:  # most parcels: none of the irregular parts
            known, params = self._bares.get(carrier) or self._bare_of(carrier)
            shipment = None
            cnt: Any = self._zeros
            firsts: Any = self._nones
            lasts: Any = self._nones
            values: Any = NO_VALUES
            live: dict[str, OpenIncident] = NO_OPEN
            followups: Any = NO_FOLLOWUPS
        else:
            facts, shipment, trackers, values, incidents, followups, latest_rec = tail
            known, params, shipment = self._facts(facts, shipment, carrier, strings)
            if facts_text is not None and len(facts) == len(FACTS):  # not an older form
                self.remember_facts(known, facts_text)
            cnt, firsts, lasts = self._zeros, self._nones, self._nones
            if trackers is not None:
                cnt, firsts, lasts = self._trackers(trackers)
            if values is None:
                values = NO_VALUES
            elif type(values) is not dict or not types_in(values.values(), SCALARS):
                raise StateError("attribute values must be an object of scalars")
            live = self._incidents(incidents, strings)
            if followups:
                followups = decode_followups(followups, self._actions)
            elif type(followups) is dict:
                followups = NO_FOLLOWUPS
            else:
                raise StateError("followups must be an object")
        # Absent instants are NONE, below every other: the others must be in range.
        # Sorted, the absent ones come first and the lowest present one after them.
        order = sorted(
            (
                fired,
                due,
                timer,
                delivered,
                first_ev,
                last_ev,
                first_sc,
                last_sc,
                status_at,
                stage_at,
            )
        )
        absent = order.count(NONE)
        if order[-1] >= BOUND or (absent < _N_MOMENTS and order[absent] <= -BOUND):
            raise StateError("an instant is out of range")
        if not (-1 <= r_status < n and -1 <= r_stage < n and -1 <= r_reason < n):
            raise StateError("status, stage, reason or final is out of range")
        if final != 0 and final != 1:
            raise StateError("status, stage, reason or final is out of range")
        status, stage, reason = strings[r_status], strings[r_stage], strings[r_reason]
        if status not in _STATUSES or stage not in _STAGES or reason not in _REASONS:
            raise StateError("status, stage or reason is not one logix knows")
        if not (
            count == n_events
            and 0 <= scans < BOUND
            and 0 <= regressions < BOUND
            and 0 <= after < BOUND
        ):
            raise StateError("the event counts do not match the events held")
        latest: EventRec | None
        if at_latest >= 0:
            latest = history[at_latest]  # an IndexError when it is not one of them
        elif at_latest == -1:
            latest = None
        elif at_latest == -2:
            latest = self._latest(latest_rec)
        else:
            raise StateError("the latest event is out of range")
        # The event ids' index (see index_events): a long history's dict now, a short
        # one's filter when the kernel first searches it.
        index = None
        bits = NOT_INDEXED if n_events else 0
        if len(ids) >= INDEX_FROM:
            index = dict(zip(ids, history, strict=True))
            bits = 0
        return ShipmentState(  # in the order of its fields; an absent instant is None
            tn,
            carrier,
            known,
            params,
            shipment,
            history,
            bits,
            index,
            followups,
            None if fired == NONE else fired,
            None if due == NONE else due,
            None if timer == NONE else timer,
            status,
            stage,
            reason,
            final == 1,
            None if delivered == NONE else delivered,
            None if first_ev == NONE else first_ev,
            None if last_ev == NONE else last_ev,
            None if first_sc == NONE else first_sc,
            None if last_sc == NONE else last_sc,
            None if status_at == NONE else status_at,
            None if stage_at == NONE else stage_at,
            count,
            scans,
            regressions,
            after,
            cnt,
            firsts,
            lasts,
            values,
            latest,
            live,
        )

    def _facts(
        self, facts: Any, shipment: Any, carrier: str, strings: list[Any]
    ) -> tuple[Facts, Any, str | None]:
        """The facts, params and shipment text of a tail."""
        if facts is None:
            if shipment is not None:
                raise StateError("a shipment state has a shipment but no facts")
            bare = self._bares.get(carrier) or self._bare_of(carrier)
            return bare[0], bare[1], None
        known = decode_facts(facts)
        if type(shipment) is not int or not 0 <= shipment < len(strings) - 1:
            raise StateError("a shipment state's shipment refers to nothing")
        key = self._param_key
        if key is None:
            return known, self.pack.params_for(known), strings[shipment]
        # Pack.params_for builds its key a selector at a time; the facts it reads are
        # fetched here in one C call (most parcels of a batch share a few lanes).
        found = key(known)
        params = self._params.get(found)
        if params is None:
            if len(self._params) >= self._pool_limit:
                self._params.clear()
            params = self._params[found] = self.pack.params_for(known)
        return known, params, strings[shipment]

    def _bare_of(self, carrier: str) -> tuple[Facts, Any]:
        """The facts and params every parcel of ``carrier`` without OMS facts shares."""
        found = self._bares[carrier] = self._bare(carrier)
        return found

    def _incidents(self, incidents: Any, strings: list[Any]) -> dict[str, OpenIncident]:
        if type(incidents) is not list:
            raise StateError("open incidents must be an array")
        if not incidents:
            return NO_OPEN
        live: dict[str, OpenIncident] = {}
        for raw in incidents:
            inc, parked = decode_incident(self.pack, raw, strings)
            key = parked_key(inc.id) if parked else inc.kind
            if key in live:
                raise StateError(f"two open incidents of kind {inc.kind!r}")
            live[key] = inc
        return live

    def inputs(self, data: bytes, start: int = 0) -> Inputs:
        """What a replay of the version-2 body at ``data[start:]`` needs (a state of
        another version of the pack)."""
        strings, ints, tail, history, _, _ = self._read(data, start)
        return self._inputs(strings, ints, tail, history)

    def inputs3(self, data: bytes, start: int = 0) -> Inputs:
        """What a replay of the version-3 body at ``data[start:]`` needs."""
        strings, ints, tail, history, _, _ = self._read3(data, start)
        return self._inputs(strings, ints, tail, history)

    def _inputs(
        self, strings: list[Any], ints: tuple[int, ...], tail: list[Any], history: list[EventRec]
    ) -> Inputs:
        n = len(strings) - 1
        if not (0 <= ints[0] < n and 0 <= ints[1] < n):
            raise StateError("the tracking number and carrier must be strings")
        tn, carrier = strings[ints[0]], strings[ints[1]]
        facts, shipment = tail[:2]
        if (facts is None) != (shipment is None):
            raise StateError("a shipment state has a shipment without facts, or facts alone")
        if shipment is not None and (type(shipment) is not int or not 0 <= shipment < n):
            raise StateError("a shipment state's shipment refers to nothing")
        return (
            tn,
            carrier,
            None if shipment is None else strings[shipment],
            history,
            dict(decode_followups(tail[5])),
            instants_of([ints[2]])[0],
        )

    def kind(self, text: Any) -> EventKind:
        """The shared kind ``text`` (``kind_text``) holds; checked when first seen."""
        if type(text) is not str:
            raise StateError("an event kind must be a text")
        digest = kind_digest(text)
        shared = self._kinds.get(digest)
        if shared is not None:
            return shared
        raw = json.loads(text)
        if type(raw) is not list or len(raw) != 9:
            raise StateError("an event kind must be an array of 9 parts")
        status, stage, reason, system, report, country, code, desc, pairs = raw
        if (
            type(status) is not str
            or status not in _STATUSES
            or (stage is not None and (type(stage) is not str or stage not in _STAGES))
            or (reason is not None and (type(reason) is not str or reason not in _REASONS))
            or type(system) is not str
            or type(report) is not bool
            or (country is not None and type(country) is not str)
            or (code is not None and type(code) is not str)
            or type(desc) is not str
        ):
            raise StateError("an event kind holds a value of the wrong type")
        kind: EventKind = (
            status,
            stage,
            reason,
            system,
            report,
            country,
            code,
            desc,
            pairs_of(pairs),
        )
        pool = self._kinds
        if len(pool) >= self._pool_limit:
            pool.clear()
        pool[digest] = kind
        return kind

    def _read(
        self, data: bytes, start: int, split: bool = False
    ) -> tuple[list[Any], tuple[int, ...], list[Any], list[EventRec], list[str], str | None]:
        """The strings (with None last), the fixed ints, the tail, the history, the
        events' ids of a version-2 body, and the text of the facts in the tail
        (``read_tail``) when ``split`` asks for it: a state that will be written again
        (``keep``; the split read costs more than it saves otherwise)."""
        n_strings, n_events, n_kinds, n_text, n_kinds_text, n_tail, sep = HEAD.unpack_from(
            data, start
        )
        text_start = start + _EVENTS_AT
        text_end = text_start + n_text
        ints_start = text_end + n_kinds_text
        events_end = ints_start + FIXED.size + 24 * n_events
        if events_end + n_tail != len(data):
            raise StateError("the parts of a shipment state do not add up to its length")
        strings: list[Any] = []
        text = ""
        if n_strings:
            text = data[text_start:text_end].decode("utf-8", "surrogatepass")
            strings = text.split(chr(sep))
            if len(strings) != n_strings:
                raise StateError("the strings of a shipment state are not as many as it says")
        strings.append(None)
        ints = ints_of(n_events).unpack_from(data, ints_start)
        # Most parcels have no facts, incidents or follow-ups: no JSON to parse then.  (Inline,
        # as in ``_read3``: a call here costs more than the lines it would share.)
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
            return strings, ints, tail, [], [], facts_text
        times, refs, digests = ints[21::3], ints[22::3], ints[23::3]
        ties = layout.tied(times)
        if refs == in_order(n_events) and n_events <= n_strings:
            ids = strings[:n_events]
        elif min(refs) < 0 or max(refs) >= n_strings:
            raise StateError("an event's id refers to nothing")
        else:
            ids = list(map(strings.__getitem__, refs))
        if len(set(ids)) != n_events:
            raise StateError("two events share one id")
        pool = self._kinds
        try:
            kinds = list(map(pool.__getitem__, digests))
        except KeyError:  # kinds this process has not read yet
            self._learn(data[text_end:ints_start], n_kinds, chr(sep))
            kinds = list(map(pool.__getitem__, digests))  # a KeyError: an unknown kind
        history = list(zip(times, ids, kinds, strict=True))
        if ties and history != sorted(history, key=rec_key):
            raise StateError("the events at one instant are not in id order")
        return strings, ints, tail, history, ids, facts_text

    def _learn(self, raw: bytes, n_kinds: int, sep: str) -> None:
        """Check and keep the kinds a body holds (their texts, joined by ``sep``)."""
        texts = raw.decode("utf-8", "surrogatepass").split(sep) if n_kinds else []
        if len(texts) != n_kinds:
            raise StateError("the kinds of a shipment state are not as many as it says")
        for text in texts:
            self.kind(text)

    def _latest(self, raw: Any) -> EventRec:
        if type(raw) is not list or len(raw) != 3:
            raise StateError("the latest event must be [time, id, kind]")
        t, ident, text = raw
        if type(t) is not int or not -BOUND < t < BOUND or type(ident) is not str:
            raise StateError("the latest event must be [time, id, kind]")
        return (t, ident, self.kind(text))

    def _trackers(self, raw: Any) -> tuple[list[int], list[int | None], list[int | None]]:
        n = self._ntrack
        if (
            type(raw) is not list
            or len(raw) != 3
            or any(type(part) is not list or len(part) != n for part in raw)
        ):
            raise StateError(f"trackers must be three arrays of {n}")
        cnt, firsts, lasts = raw
        if (
            not types_in(cnt, INT)
            or (cnt and (min(cnt) < 0 or max(cnt) >= BOUND))
            or not instants(firsts)
            or not instants(lasts)
        ):
            raise StateError("tracker counts and instants have the wrong type or range")
        return cnt, firsts, lasts
