"""The per-shipment kernel: ``step(state, event)`` and ``fire(state, now)``.

Semantics, which everything else (``Engine``, ``evaluate``, a stream processor's
keyed state) inherits:

* A shipment's state is a function of its distinct events (by ``event_id``), its
  shipment facts, its follow-ups (acknowledge/resolve) and the instant up to which
  timers have fired (``fired_through``).  It does not depend on the order in which
  events arrived, on duplicates, or on how they were batched.
* Rules are evaluated only at *evaluation points*: each event's time (after all
  events at that instant) and each due time.  A time rule is due at exactly
  ``anchor + after`` (thresholds are inclusive).  An incident opens at the
  evaluation point where its condition first holds, so a 24 h stall opens at the
  last scan + 24 h whenever ``advance`` happens to be called.
* The fast path appends an event that sorts after everything seen and after
  ``fired_through``: it first fires every timer due before the event, then applies
  it.  Any other event (late, or older than a timer already fired) is inserted into
  the history and the state is rebuilt by replaying it; the changes reported are
  the difference.  A long history keeps checkpoints (``_checkpoints``), so the
  replay (``_replay``) starts at the latest one before the first change: a late
  event costs about the events after it, not the whole history.
* The current status/stage come from the latest carrier scan in event time, so an
  out-of-date scan that arrives late changes counts but not the status.  Reports
  (``source.system`` customer, warehouse...) never move status, stage or the scan
  clock.

State mutates in place; ``step`` and ``fire`` return it together with the changes so
a host can treat them as ``state -> (state, changes)``.
"""

from __future__ import annotations

import functools
import json
import zlib
from collections.abc import Iterable
from typing import Any

from logix_carriers import (
    REPORT_SYSTEMS,
    Reason,
    Shipment,
    Stage,
    Status,
    TrackingEvent,
    default_stage,
    implies_stage,
)

from ..compiler._model import Pack
from ..compiler._namespace import ESTIMATE
from ..core._durations import EPOCH, ONE_US, from_micros
from ..core._errors import UnknownIncident
from ..core._records import (
    ID,
    EventKind,
    EventRec,
    T,
    rec_key,
)
from ._actions import ACKNOWLEDGED, RESOLVED, Action, action_of
from ._frames import DAMAGED, STATE3_MAGIC, STATE_MAGIC, stored_crc, unseal
from ._incidents import (
    Change,
    ChangeType,
    Incident,
    IncidentState,
)
from ._replay import Replay
from ._snapshots import (
    snapshot,
)
from ._state import (
    NO_FOLLOWUPS,
    Facts,
    Followup,
    OpenIncident,
    ShipmentState,
    StateError,
    index_events,
)
from ._state_codec import Inputs, StateCodec
from ._state_v1 import v1_inputs
from ._step_loop import step_loop

__all__ = ["Kernel", "StateError"]

STATE_VERSION = 3
_DAWN = -(2**62)  # an instant before any event: where a fresh state's timers are primed
# What a malformed state can raise on its way through json and the decoder; every one
# of them becomes a StateError.
_MALFORMED = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    RecursionError,
    OverflowError,
)


class Kernel(Replay):
    """The kernel for one compiled pack.  Stateless itself: all state is in ``ShipmentState``."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self._rules = pack.rules
        self._kinds = pack.kinds
        self._ntrack = len(pack.trackers)
        self._absorb = pack.absorb
        self._step_many = step_loop(pack)
        self._scan = pack.scan
        self._attr_types = dict(pack.attr_types)
        self._severity = pack.severities
        self._supersedes = pack.supersedes
        self._actions = pack.deadline_actions
        self._revisit = pack.revisit
        self._anchored_deadlines = any(
            step.deadline_from for rule in pack.rules for step in rule.steps
        )
        self._said: dict[tuple[Any, ...], EventKind] = pack._said  # see group
        self._said_limit = _SHARED_KINDS
        self._bare: dict[str, tuple[Facts, Any, int | None]] = {}  # by carrier, for new_state
        self._zeros: tuple[int, ...] = (0,) * self._ntrack
        self._nones: tuple[None, ...] = (None,) * self._ntrack
        self._codec = StateCodec(pack, self._ntrack, self._bare_facts)
        fingerprint = pack.fingerprint.encode()
        self._fingerprint = bytes([len(fingerprint)]) + fingerprint  # what a state body starts with
        self._fingerprint_crc = zlib.crc32(self._fingerprint)

    # -- construction ------------------------------------------------------------------
    def new_state(
        self, tracking_number: str, carrier: str, shipment: Shipment | None = None
    ) -> ShipmentState:
        bare = None if shipment is not None else self._bare.get(carrier)
        if bare is not None:
            facts, params, due = bare
        elif shipment is not None:
            facts = Facts.from_shipment(shipment)
            params = self.pack.params_for(facts)
        else:
            facts = Facts(carrier)
            params = self.pack.params_for(facts)
        # The field defaults are the reset state, but for the aggregates' size.
        state = ShipmentState(tracking_number, carrier, facts, params, shipment)
        state.cnt = self._zeros
        state.firsts = state.lasts = self._nones
        if bare is not None:
            state.next_due_us = due  # what _prime gives every fresh state of these facts
        else:
            self._prime(state)
            if shipment is None:
                self._bare[carrier] = (facts, params, state.next_due_us)
        return state

    def _bare_facts(self, carrier: str) -> tuple[Facts, Any]:
        """The facts and params every parcel of ``carrier`` without OMS facts shares."""
        bare = self._bare.get(carrier)
        if bare is None:
            self.new_state("", carrier)
            bare = self._bare[carrier]
        return bare[0], bare[1]

    def _prime(self, state: ShipmentState) -> None:
        """Before any event, only the facts can make a rule due (e.g. a promised date)."""
        _, state.next_due_us = self._scan(state, state.facts, state.params, _DAWN)

    def record(self, event: TrackingEvent) -> EventRec:
        """The compact record of a validated event (attributes the pack reads only)."""
        return self.group((event,))[0][event.tracking_number][0]

    def group(
        self, events: Iterable[TrackingEvent], *, ordered: bool = False
    ) -> tuple[dict[str, list[EventRec]], dict[str, str]]:
        """The records of validated events by tracking number, in input order (with
        ``ordered``, each number's in ``(time, id)`` order, ties in input order: what
        ``step_many`` takes), and the carrier of each tracking number (as its first
        event there names it).

        This is where every event enters the kernel, so it reads each field once:
        pydantic keeps a model's field values in its ``__dict__``, and a dict lookup is
        a third of the cost of an attribute of a model.
        """
        groups: dict[str, list[EventRec]] = {}
        carriers: dict[str, str] = {}
        unsorted: list[list[EventRec]] = []
        said_before = self._said
        wanted = self._attr_types
        keeps_estimate = ESTIMATE in wanted
        for event in events:
            fields = event.__dict__
            source = fields["source"].__dict__
            loc = fields["location"]
            attributes = fields["attributes"]
            kept: tuple[tuple[str, Any], ...] = ()
            if attributes and wanted:  # most events have no attributes
                kept = tuple(
                    (name, _coerce(wanted[name], value))
                    for name, value in attributes.items()
                    if name in wanted
                )
            if keeps_estimate and fields["estimated_delivery"] is not None:
                estimate = (fields["estimated_delivery"] - EPOCH) // ONE_US
                kept = (*kept, (ESTIMATE, estimate))
            said = (
                fields["status"],
                fields["reason"],
                fields["stage"],
                source["system"],
                None if loc is None else loc.country,
                source["code"] or source["status"],
                fields["description"],
                kept,
            )
            kind = said_before.get(said)
            if kind is None:
                kind = self._share(said)
            # (occurred_at - EPOCH) // ONE_US without turning ONE_US into µs each time.
            d = fields["occurred_at"] - EPOCH
            t = d.days * 86_400_000_000 + d.seconds * 1_000_000 + d.microseconds
            event_id = fields["event_id"]
            tn = fields["tracking_number"]
            recs = groups.get(tn)
            if recs is None:
                groups[tn] = [(t, event_id, kind)]
                carriers[tn] = fields["carrier"]
            else:
                if ordered:  # a sort only where the input is not in order already
                    last = recs[-1]
                    before = last[T]
                    # One compare when the event comes after the last one (nearly always).
                    if t <= before and (t < before or event_id < last[ID]):
                        unsorted.append(recs)
                recs.append((t, event_id, kind))
        for recs in unsorted:  # rare: a number's events out of order in one call
            recs.sort(key=rec_key)
        return groups, carriers

    def _share(self, said: tuple[Any, ...]) -> EventKind:
        """The one ``EventKind`` of what an event ``said`` (a key of ``_said``)."""
        said_before = self._said
        if len(said_before) >= self._said_limit:
            said_before.clear()  # free text without end: sharing is a saving, not a need
        status, reason, stage, system, country, code, desc, kept = said
        codes = _codes(status, reason, stage)
        kind: EventKind = (*codes, system, system in REPORT_SYSTEMS, country, code, desc, kept)
        said_before[said] = kind
        return kind

    # -- the two kernel functions ------------------------------------------------------
    def step(self, state: ShipmentState, rec: EventRec) -> tuple[ShipmentState, list[Change]]:
        """Apply one event.  Duplicates (same ``event_id``) change nothing.

        Two *different* events under one id (a carrier re-sending a scan with more
        detail) are settled deterministically: the richer variant
        is kept (more attributes, then more text), whatever the order they arrived in.
        """
        return state, self.step_many(state, [rec])

    def step_many(self, state: ShipmentState, recs: list[EventRec]) -> list[Change]:
        """Apply a batch of one shipment's events, sorted by (time, id).

        In-order events take the fast path one by one; from the first that does not,
        the rest of the batch is inserted at once and the state replayed a single time,
        so the changes reported are the net effect of the batch, never an incident that
        exists only between two of its late events.

        Events at an instant are applied before the timers of that instant, so an
        event is "in order" only if it sorts after every event and after the last
        evaluation a timer caused.  Firing through a quiet period does not count.
        """
        # The loop is generated per pack with the pack's absorb written in (see
        # compiler/_codegen_step.py, runtime/_step_loop.py): in order, each event is
        # checked for a duplicate (find_event), appended, remembered (its id), timers
        # due before it fired, absorbed, evaluated if a rule holds or an incident is
        # open, checkpointed, and fired_through moved; from the first late one, the
        # rest go to _insert_all and one _replay.
        return self._step_many(self, state, recs)

    def fire(self, state: ShipmentState, now: int) -> tuple[ShipmentState, list[Change]]:
        """Fire every time rule and follow-up deadline due at or before ``now``."""
        return state, self._fire(state, now)

    def set_shipment(self, state: ShipmentState, shipment: Shipment) -> list[Change]:
        """New OMS facts: rebuild the state under them and report the difference."""
        state.shipment = shipment
        state.facts = Facts.from_shipment(shipment)
        state.params = self.pack.params_for(state.facts)
        if state.fired_through is None:
            self._prime(state)  # nothing was evaluated under the old facts
            return []
        return self._replay(state, clock=state.fired_through)

    def _fire(self, state: ShipmentState, now: int) -> list[Change]:
        changes: list[Change] = []
        while state.next_due_us is not None and state.next_due_us <= now:
            state.timer_eval = state.next_due_us
            changes.extend(self._evaluate(state, state.next_due_us))
        if state.fired_through is None or now > state.fired_through:
            state.fired_through = now
        return changes

    def incidents(
        self, s: ShipmentState, at: int | None = None, *, include_resolved: bool = False
    ) -> list[Incident]:
        """The live incidents as of ``at`` (default: the state's own clock)."""
        when = at if at is not None else (s.fired_through or 0)
        out = []
        for inc in s.open.values():
            snap = snapshot(self.pack, s, inc, when)
            if include_resolved or snap.state is not IncidentState.RESOLVED:
                out.append(snap)
        return out

    # -- follow-up -------------------------------------------------------------------------
    def acknowledge(self, s: ShipmentState, incident_id: str, by: str, at: int) -> Change:
        inc = self._find(s, incident_id)
        follow = self._followup(s, incident_id)
        follow.ack_at, follow.ack_by = at, by
        follow.log.append((ACKNOWLEDGED, by, at, None, None))
        self._refresh_due(s)
        return Change(ChangeType.ACKNOWLEDGED, snapshot(self.pack, s, inc, at), from_micros(at))

    def resolve(
        self,
        s: ShipmentState,
        incident_id: str,
        by: str,
        at: int,
        note: str | None,
        cause: str | None = None,
    ) -> Change:
        inc = self._find(s, incident_id)
        follow = self._followup(s, incident_id)
        follow.resolved_at, follow.resolved_by, follow.note = at, by, note
        if follow.ack_at is None:
            follow.ack_at, follow.ack_by = at, by
        follow.log.append((RESOLVED, by, at, note, cause))
        self._refresh_due(s)
        return Change(ChangeType.RESOLVED, snapshot(self.pack, s, inc, at), from_micros(at))

    def record_action(
        self,
        s: ShipmentState,
        incident_id: str,
        action: str,
        by: str,
        at: int,
        note: str | None,
        cause: str | None,
    ) -> Action:
        """Log a follow-up action (``documents_supplied``...) that meets the deadlines
        it names; an incident resolved and closed since takes its revisit too."""
        if not any(inc.id == incident_id for inc in s.open.values()):
            raise UnknownIncident(f"no incident {incident_id!r} on {s.tracking_number!r}")
        entry = (action, by, at, note, cause)
        self._followup(s, incident_id).log.append(entry)
        self._refresh_due(s)
        return action_of(incident_id, entry)

    @staticmethod
    def _followup(s: ShipmentState, incident_id: str) -> Followup:
        if s.followups is NO_FOLLOWUPS:
            s.followups = {}
        return s.followups.setdefault(incident_id, Followup())

    def _find(self, s: ShipmentState, incident_id: str) -> OpenIncident:
        for inc in s.open.values():
            if inc.id == incident_id:
                follow = s.followups.get(inc.id)
                if follow is not None and follow.resolved_at is not None:
                    raise UnknownIncident(f"incident {incident_id!r} is already resolved")
                return inc
        raise UnknownIncident(f"no open incident {incident_id!r} on {s.tracking_number!r}")

    def _refresh_due(self, s: ShipmentState) -> None:
        """Recompute ``next_due`` after a follow-up cancelled some deadlines."""
        if s.fired_through is None:
            return
        ids = {inc.id: [*inc.escalations] for inc in s.open.values()}
        changes = self._evaluate(s, s.fired_through, refresh=True)
        # Re-evaluating at the same instant emits nothing new except escalations
        # that were already recorded; keep the recorded lists as they were.
        for inc in s.open.values():
            inc.escalations = ids.get(inc.id, inc.escalations)
        del changes

    # -- serialization -----------------------------------------------------------------
    def dumps(self, s: ShipmentState, *, keep: bool = False) -> bytes:
        """The state as checksummed bytes (version 3: everything the kernel keeps, so
        ``loads`` decodes it instead of replaying its history).  With ``keep``, ``s``
        remembers them, and its next ``dumps`` copies the part for the events it held
        and encodes only the events added since (a host that writes states at every
        event: a store, Spark's rows)."""
        body = self._codec.encode3(s, keep)
        # The frame of _frames.seal in one copy: the CRC-32 of fingerprint and body.
        crc = zlib.crc32(body, self._fingerprint_crc).to_bytes(4, "little")
        data = b"".join((STATE3_MAGIC, crc, self._fingerprint, body))
        held = s.encoded
        if held is not None and held[1] is body:
            # What s remembers points into the bytes returned, which a host keeps anyway
            # (a store's row, Spark's state): no second copy of the body.
            s.encoded = (held[0], data, len(data) - len(body))
        return data

    def loads(self, data: bytes, *, keep: bool = False) -> ShipmentState:
        """The state ``dumps`` wrote; ``StateError`` for anything else.  With ``keep``,
        the state remembers ``data`` for its next ``dumps`` to reuse.

        A state written under another version of the pack, or by a logix that wrote
        version 1, is rebuilt from its events, facts and follow-ups by a replay; one
        of version 2 is decoded as it is.
        """
        try:
            if type(data) is not bytes:
                data = bytes(data)
            # The common case inline (see _frames): a state of this pack, version 3.
            mine = self._fingerprint
            start = 8 + len(mine)
            if data[:4] == STATE3_MAGIC and data[8:start] == mine:
                # (A copy of the body and a struct read of the sum: a memoryview and
                # int.from_bytes cost ~1,800 instructions more at 1.4 KB.)
                if zlib.crc32(data[8:]) != stored_crc(data, 4)[0]:
                    raise StateError(DAMAGED)
                return self._codec.decode3(data, start, keep)
            return self._loads(data, keep)
        except StateError:
            raise
        except _MALFORMED as exc:
            raise StateError(f"corrupt shipment state: {type(exc).__name__}: {exc}") from None

    def _loads(self, data: bytes, keep: bool) -> ShipmentState:
        body = unseal(STATE3_MAGIC, data, "shipment state")
        if body is not None:  # of another version of the pack (this pack's: loads, inline)
            size = body[0] if body else 0
            return self.rebuild(self._codec.inputs3(body, 1 + size))
        body = unseal(STATE_MAGIC, data, "shipment state")
        if body is None:
            if data[:1] != b"{":
                raise StateError("not a shipment state (see Kernel.dumps)")
            doc = json.loads(data)
            version = doc.get("v") if isinstance(doc, dict) else "?"
            if version != 1:
                raise StateError(
                    f"shipment state version {version!r} is not supported "
                    f"(this logix reads versions 1 to {STATE_VERSION})"
                )
            return self.rebuild(v1_inputs(self._codec, doc))
        size = body[0] if body else 0
        fingerprint, core = body[1 : 1 + size], body[1 + size :]
        if fingerprint == self._fingerprint[1:]:  # version 2 of this pack: decoded
            return self._codec.decode(core, 0, keep)
        return self.rebuild(self._codec.inputs(core))

    def state_body(self, s: ShipmentState) -> bytes:
        """The body of a state without its frame (what ``Engine.dump`` concatenates)."""
        return self._codec.encode(s)

    def state_from_body(self, body: bytes, *, same_pack: bool = True) -> ShipmentState:
        """A state from ``state_body``; ``same_pack=False`` rebuilds it by a replay (it
        was written under another version of the pack).  Raises ``StateError`` or, for
        the caller to turn into one, a ``ValueError``, ``IndexError``..."""
        if same_pack:
            return self._codec.decode(body)
        return self.rebuild(self._codec.inputs(body))

    def rebuild(self, inputs: Inputs) -> ShipmentState:
        """A state from its inputs alone (events, facts, follow-ups), by a replay."""
        tn, carrier, text, history, followups, fired_through = inputs
        shipment = None if text is None else Shipment.model_validate_json(text)
        state = self.new_state(tn, carrier, shipment)
        state.history = history
        index_events(state)
        if followups:
            state.followups = followups
        if fired_through is not None:
            self._replay(state, clock=fired_through)
            state.fired_through = fired_through
        return state


_SHARED_KINDS = 1 << 16


@functools.cache
def _codes(
    status: Status, reason: Reason | None, stage: Stage
) -> tuple[str, str | None, str | None]:
    """(status, stage, reason) as plain strings, the stage None when it is only the
    fallback of a status that says nothing of position (a weather delay)."""
    code: str | None = stage.value
    if not implies_stage(status, reason) and stage == default_stage(status, reason):
        code = None
    return (status.value, code, None if reason is None else reason.value)


def _coerce(kind: str, value: Any) -> Any:
    """An attribute value as the type the pack reads it as, or None when it is not one."""
    if kind == "number":
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return value
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                return None
            # Only what validation admits as a number: finite and below 1e15 ("1e400",
            # "nan" and "inf" parse as floats, and JSON output cannot spell them).
            return number if abs(number) < 1e15 else None
        return None
    if kind == "str":
        return value if isinstance(value, str) else None
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if kind == "datetime":
        return None  # only the kernel keeps one (the estimate), never an attribute
    return value
