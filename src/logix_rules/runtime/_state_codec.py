"""The serial form of a ``ShipmentState``, version 2: everything the kernel keeps, so
reading a state back is a decode, not a replay of its history.

Reading a parcel's state must cost about as much as applying one event to it (a store
reads a state for every parcel a batch touches), so the bulk of it is binary and read
with C loops, and only the rare, irregular parts are JSON.  A body, little-endian::

    head     7 × u32: strings, events, kinds, text bytes, kind text bytes, tail bytes,
             separator
    text     the strings, joined by the separator (a character none of them or of
             the kinds holds), as UTF-8 (lone surrogates kept)
    kinds    the texts of the kinds the events refer to, joined the same way
    ints     i64 × (21 + 3 × events)
    tail     JSON (ASCII): [facts, shipment, trackers, attribute values,
             open incidents, followups, latest event]

The ints, in order: the tracking number and carrier (string refs); ``fired_through``,
``next_due_us``, ``timer_eval``; status, stage, reason (string refs) and final (0/1);
the seven aggregate instants and four counts of ``AGGREGATES``; the index of the latest
event in the history (-1: none; -2: in the tail).  Then each event as (time, id, kind):
the id a string ref, the kind the digest of its text.  A string ref indexes the
strings, -1 is None; an absent instant is ``NONE``.  An event's *kind* (what it says:
status, stage, reason, system, report, country, code, text, attributes) is written once
per state as its compact JSON text (``kind_text``), and named in the events by a 64-bit
BLAKE2b digest of that text: a process keeps the kinds it has read by digest, so a
state whose kinds it has seen before is read without reading their texts.

Every ref, count, instant and enum read back is checked, so a malformed body raises
``StateError`` (or, for ``Kernel.loads`` to turn into one, ``ValueError``,
``IndexError``...), never a state that fails later.  The inputs of a replay (events,
facts, follow-ups, ``fired_through``) are all there too, which is how a state written
under another version of the pack is rebuilt (``inputs``).
"""

from __future__ import annotations

import json
import operator
import struct
import sys
from array import array
from collections.abc import Callable
from typing import Any

from logix_carriers import Reason, Stage, Status

from ..compiler._model import Pack
from ..core._records import EventKind, EventRec, rec_key
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
from ._state_layout import (
    NONE,
    holds_kind,
    ids_end_of,
    instants_of,
    kind_digest,
    nul_inside,
    pairs_of,
    position,
    read_json,
    separator,
)
from ._state_parts import (
    BOUND,
    FACTS,
    INT,
    SCALARS,
    decode_facts,
    decode_followups,
    decode_incident,
    encode_followup,
    encode_incident,
    instants,
    types_in,
)

__all__ = ["AGGREGATES", "NONE", "REUSE_FROM", "Inputs", "Reuse", "StateCodec", "kind_text"]

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
_HEAD = struct.Struct("<7I")
_FIXED = struct.Struct("<21q")  # the ints before the events
_SWAP = sys.byteorder == "big"
_STATUSES = frozenset(s.value for s in Status)
_STAGES = frozenset(s.value for s in Stage)
_REASONS = frozenset(r.value for r in Reason)
_ABSENT = {NONE: None}  # .get(v, v): None for NONE, v otherwise
_TO_NONE: dict[Any, int] = {None: NONE}  # and back
_CLOCK = operator.attrgetter("fired_through", "next_due_us", "timer_eval")
_MOMENTS = operator.attrgetter(*AGGREGATES[:7])
_COUNTS = operator.attrgetter(*AGGREGATES[7:])
_FACT_VALUES = operator.attrgetter(*FACTS)
_TAIL_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False)
_BARE_TAIL: list[Any] = [None, None, None, None, [], {}, None]  # read only
_BARE_TAIL_TEXT = b"[null,null,null,null,[],{},null]"
_KIND_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)
if array("q").itemsize != 8:  # so on every CPython platform
    raise ImportError("the state codec needs 8-byte array('q') items")

#: What a replay needs: tracking number, carrier, the shipment's JSON text (or None), the
#: history in order, the followups and ``fired_through``.
Inputs = tuple[str, str, Any, list[EventRec], dict[str, Any], int | None]
#: What a state remembers of the body it was last read or written as
#: (``ShipmentState.encoded``): the history's records then (the same objects), the bytes
#: the body is in, where it starts, and where its event ids end among its strings (-1:
#: not known yet).
Reuse = tuple[list[EventRec], bytes, int, int]
_ID = operator.itemgetter(1)
# The shortest history a kept state remembers its body for: below it, writing the
# history again costs about what reusing it does (benchmarks/README.md), and the body
# held would cost ~1 KB per cached state for nothing.
REUSE_FROM = 24
_DIGEST = struct.Struct("<q")  # a kind's digest as the events hold it


def kind_text(kind: EventKind) -> str:
    """The one-string form of what an event says (its kind), as a state keeps it."""
    return _KIND_JSON.encode([*kind[:8], [list(pair) for pair in kind[8]]])


class StateCodec:
    """Writes and reads version-2 bodies for one pack.

    What events say (their *kinds*) is shared: a kind read is checked once and then
    kept by its text, so every state that holds it points at one tuple, as
    ``Kernel.group`` shares the kinds of new events; and each kind's text is made once.
    """

    def __init__(
        self,
        pack: Pack,
        ntrack: int,
        bare: Callable[[str], tuple[Facts, Any]],
        pool_limit: int = 1 << 16,
    ) -> None:
        self.pack = pack
        self._ntrack = ntrack
        self._zeros: tuple[int, ...] = (0,) * ntrack
        self._nones: tuple[None, ...] = (None,) * ntrack
        self._bare = bare  # the facts and params of a parcel without OMS facts, by carrier
        self._kinds: dict[int, EventKind] = {}  # digest of its text -> kind
        # id(kind) -> (kind, text, digest): the kind is held so its id is not reused
        self._texts: dict[int, tuple[EventKind, str, int]] = {}
        self._pool_limit = pool_limit
        self._actions = pack.actions  # what a followup's log may name, besides ack/resolve

    # -- writing ------------------------------------------------------------------------
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
        strings: dict[str, int] = {}
        ref = strings.setdefault
        texts = self._texts
        kinds: dict[str, None] = {}  # their texts, each once, in order
        events: list[int] = []
        for t, ident, kind in s.history:
            known = texts.get(id(kind)) or self.known(kind)
            kinds[known[1]] = None
            events += (t, ref(ident, len(strings)), known[2])
        fixed, tail = self._rest(s, strings, 0)
        words, kind_texts = list(strings), list(kinds)
        sep = separator(words + kind_texts)
        blob = sep.join(words).encode("utf-8", "surrogatepass")
        kinds_blob = sep.join(kind_texts).encode("utf-8", "surrogatepass")
        numbers = array("q", events)
        if _SWAP:
            numbers.byteswap()
        counts = (len(words), len(s.history), len(kind_texts), len(blob), len(kinds_blob))
        head = _HEAD.pack(*counts, len(tail), ord(sep))
        body = b"".join((head, blob, kinds_blob, _FIXED.pack(*fixed), numbers.tobytes(), tail))
        if keep and len(s.history) >= REUSE_FROM:
            s.encoded = (s.history.copy(), body, 0, -1)
        return body

    def _rest(
        self, s: ShipmentState, strings: dict[str, int], base: int
    ) -> tuple[list[int], bytes]:
        """The fixed ints and the tail of ``s``; ``strings`` holds the strings from
        ``base`` on (a new one takes the next ref)."""
        ref = strings.setdefault
        latest, latest_rec = -1, None
        if s.latest is not None:
            latest = position(s.history, s.latest)
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
            return fixed, _BARE_TAIL_TEXT  # most parcels: nothing irregular to write
        keep = lambda text: ref(text, base + len(strings))  # noqa: E731
        tail = _TAIL_JSON.encode(
            [
                None if held is None else list(_FACT_VALUES(s.facts)),
                None if held is None else ref(held, base + len(strings)),
                None if type(s.cnt) is tuple else [list(s.cnt), list(s.firsts), list(s.lasts)],
                dict(values) if values else None,
                [encode_incident(inc, keep, key != inc.kind) for key, inc in s.open.items()],
                {ident: encode_followup(f) for ident, f in s.followups.items()},
                latest_rec,
            ]
        ).encode("ascii")
        return fixed, tail

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
        _, n_events, n_kinds, n_text, n_kinds_text, _, sep = _HEAD.unpack_from(old, start)
        if sep or n_events != k:
            return None
        text_start = start + _HEAD.size
        kinds_start = text_start + n_text
        kinds_end = kinds_start + n_kinds_text
        events_start = kinds_end + _FIXED.size
        if ids_end < 0:  # a body read: where its first k strings (the ids) end
            refs = array("q")
            refs.frombytes(old[events_start : events_start + 24 * k])
            if _SWAP:
                refs.byteswap()
            if refs[1::3] != array("q", range(k)):  # not as encode orders them: crafted
                return None
            ids_end = ids_end_of(old, text_start, kinds_start, recs)
            if ids_end < 0:
                return None
        new_ids: list[str] = []
        new_kinds: dict[str, None] = {}
        events: list[int] = []
        if m > k:
            events_end = events_start + 24 * k
            texts = self._texts
            for position in range(k, m):
                t, ident, kind = history[position]
                known = texts.get(id(kind)) or self.known(kind)
                if not holds_kind(old, _DIGEST.pack(known[2]), events_start, events_end):
                    new_kinds[known[1]] = None
                new_ids.append(ident)
                events += (t, position, known[2])
        extras: dict[str, int] = {}
        fixed, tail = self._rest(s, extras, m)
        ids = set(map(_ID, history))
        if len(ids) != m or not ids.isdisjoint(extras):
            return None  # refs the full encode would share
        more = "\x00".join(new_ids)
        words = "\x00".join(extras)
        kind_more = "\x00".join(new_kinds)
        if (
            nul_inside(more, len(new_ids))
            or nul_inside(words, len(extras))
            or nul_inside(kind_more, len(new_kinds))
        ):
            return None  # the full encode would pick another separator
        parts = [old[text_start:ids_end]] if k else []
        if new_ids:
            parts.append(more.encode("utf-8", "surrogatepass"))
        ids_size = len(b"\x00".join(parts))
        if extras:
            parts.append(words.encode("utf-8", "surrogatepass"))
        blob = b"\x00".join(parts)
        kind_parts = [old[kinds_start:kinds_end]] if n_kinds else []
        if new_kinds:
            kind_parts.append(kind_more.encode("utf-8", "surrogatepass"))
        kinds_blob = b"\x00".join(kind_parts)
        numbers = array("q", events)
        if _SWAP:
            numbers.byteswap()
        head = _HEAD.pack(
            m + len(extras), m, n_kinds + len(new_kinds), len(blob), len(kinds_blob), len(tail), 0
        )
        body = b"".join(
            (
                head,
                blob,
                kinds_blob,
                _FIXED.pack(*fixed),
                old[events_start : events_start + 24 * k],
                numbers.tobytes(),
                tail,
            )
        )
        if keep:
            s.encoded = (recs if m == k else history.copy(), body, 0, _HEAD.size + ids_size)
        return body

    # -- reading ------------------------------------------------------------------------
    def decode(self, data: bytes, start: int = 0, keep: bool = False) -> ShipmentState:
        """The state of the version-2 body at ``data[start:]`` (written under this pack).
        With ``keep``, the state remembers ``data`` for its next encode to reuse."""
        strings, ints, tail, history, ids = self._read(data, start)
        facts, shipment, trackers, values, incidents, followups, latest_rec = tail
        n = len(strings) - 1  # the last is the None that ref -1 reads
        if not (0 <= ints[0] < n and 0 <= ints[1] < n):
            raise StateError("the tracking number and carrier must be strings")
        tn, carrier = strings[ints[0]], strings[ints[1]]
        cnt: Any = self._zeros
        firsts: Any = self._nones
        lasts: Any = self._nones
        if facts is None:
            if shipment is not None:
                raise StateError("a shipment state has a shipment but no facts")
            known, params = self._bare(carrier)
        else:
            known = decode_facts(facts)
            params = self.pack.params_for(known)
            if type(shipment) is not int or not 0 <= shipment < n:
                raise StateError("a shipment state's shipment refers to nothing")
            shipment = strings[shipment]
        # Absent instants are NONE, below every other: the others must be in range.
        moments: Any = ints[2:5] + ints[9:16]
        present = set(moments)
        present.discard(NONE)
        if present and (min(present) <= -BOUND or max(present) >= BOUND):
            raise StateError("an instant is out of range")
        moments = list(map(_ABSENT.get, moments, moments))
        refs = ints[5:8]
        final = ints[8]
        if min(refs) < -1 or max(refs) >= n or final > 1:
            raise StateError("status, stage, reason or final is out of range")
        status, stage, reason = strings[refs[0]], strings[refs[1]], strings[refs[2]]
        if (
            (status is not None and status not in _STATUSES)
            or (stage is not None and stage not in _STAGES)
            or (reason is not None and reason not in _REASONS)
        ):
            raise StateError("status, stage or reason is not one logix knows")
        counts: Any = ints[16:20]
        if min(counts) < 0 or counts[0] != len(history) or max(counts) >= BOUND:
            raise StateError("the event counts do not match the events held")
        latest: Any = ints[20]
        if latest >= 0:
            latest = history[latest]  # an IndexError when it is not one of them
        elif latest == -2:
            latest = self._latest(latest_rec)
        elif latest == -1:
            latest = None
        else:
            raise StateError("the latest event is out of range")
        if trackers is not None:
            cnt, firsts, lasts = self._trackers(trackers)
        if values is None:
            values = NO_VALUES
        elif type(values) is not dict or not types_in(values.values(), SCALARS):
            raise StateError("attribute values must be an object of scalars")
        live: dict[str, OpenIncident] = NO_OPEN
        if incidents:
            live = {}
            for raw in incidents:
                inc, parked = decode_incident(self.pack, raw, strings)
                key = parked_key(inc.id) if parked else inc.kind
                if key in live:
                    raise StateError(f"two open incidents of kind {inc.kind!r}")
                live[key] = inc
        elif type(incidents) is not list:
            raise StateError("open incidents must be an array")
        if followups:
            followups = decode_followups(followups, self._actions)
        elif type(followups) is dict:
            followups = NO_FOLLOWUPS
        else:
            raise StateError("followups must be an object")
        # The event ids' index (see index_events): a long history's dict now, a short
        # one's filter when the kernel first searches it.
        index = None
        bits = NOT_INDEXED if ids else 0
        if len(ids) >= INDEX_FROM:
            index = dict(zip(ids, history, strict=True))
            bits = 0
        state = ShipmentState(  # in the order of its fields
            tn,
            carrier,
            known,
            params,
            shipment,
            history,
            bits,
            index,
            followups,
            moments[0],
            moments[1],
            moments[2],
            status,
            stage,
            reason,
            final == 1,
            moments[3],
            moments[4],
            moments[5],
            moments[6],
            moments[7],
            moments[8],
            moments[9],
            counts[0],
            counts[1],
            counts[2],
            counts[3],
            cnt,
            firsts,
            lasts,
            values,
            latest,
            live,
        )
        if keep and len(history) >= REUSE_FROM:
            state.encoded = (history.copy(), data, start, -1)
        return state

    def inputs(self, data: bytes, start: int = 0) -> Inputs:
        """What a replay of the version-2 body at ``data[start:]`` needs (a state of
        another version of the pack)."""
        strings, ints, tail, history, _ = self._read(data, start)
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
        self, data: bytes, start: int
    ) -> tuple[list[Any], tuple[int, ...], list[Any], list[EventRec], list[str]]:
        """The strings (with None last), the fixed ints, the tail, the history and the
        events' ids of a body."""
        n_strings, n_events, n_kinds, n_text, n_kinds_text, n_tail, sep = _HEAD.unpack_from(
            data, start
        )
        text_end = start + _HEAD.size + n_text
        fixed_end = text_end + n_kinds_text + _FIXED.size
        events_end = fixed_end + 24 * n_events
        if events_end + n_tail != len(data):
            raise StateError("the parts of a shipment state do not add up to its length")
        strings: list[Any] = []
        if n_strings:
            text = data[start + _HEAD.size : text_end].decode("utf-8", "surrogatepass")
            strings = text.split(chr(sep))
            if len(strings) != n_strings:
                raise StateError("the strings of a shipment state are not as many as it says")
        strings.append(None)
        ints = _FIXED.unpack_from(data, fixed_end - _FIXED.size)
        raw_tail = data[events_end:]
        # Most parcels have no facts, incidents or follow-ups: no JSON to parse then.
        tail = _BARE_TAIL if raw_tail == _BARE_TAIL_TEXT else read_json(raw_tail.decode("ascii"))
        if type(tail) is not list or len(tail) != 7:
            raise StateError("the tail of a shipment state must be an array of 7 parts")
        if not n_events:
            return strings, ints, tail, [], []
        numbers = array("q")
        numbers.frombytes(data[fixed_end:events_end])
        if _SWAP:
            numbers.byteswap()
        events = numbers.tolist()
        times, refs, digests = events[0::3], events[1::3], events[2::3]
        if (
            times[0] <= -BOUND
            or times[-1] >= BOUND
            or min(refs) < 0
            or max(refs) >= n_strings
            or times != sorted(times)
        ):
            raise StateError("the events are out of order, out of range or refer to nothing")
        ids = list(map(strings.__getitem__, refs))
        if len(set(ids)) != n_events:
            raise StateError("two events share one id")
        pool = self._kinds
        try:
            kinds = list(map(pool.__getitem__, digests))
        except KeyError:  # kinds this process has not read yet
            kinds = []
        if not kinds:
            self._learn(data[text_end : text_end + n_kinds_text], n_kinds, chr(sep))
            kinds = list(map(pool.__getitem__, digests))  # a KeyError: an unknown kind
        history = list(zip(times, ids, kinds, strict=True))
        if len(set(times)) != n_events and history != sorted(history, key=rec_key):
            raise StateError("the events at one instant are not in id order")
        return strings, ints, tail, history, ids

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
