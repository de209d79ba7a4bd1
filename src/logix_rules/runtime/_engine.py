"""``Engine``: the in-process host of the kernel, and ``evaluate``, its batch twin.

The engine keeps one ``ShipmentState`` per tracking number and a due-time heap, so
``advance`` touches only the shipments with something due: its cost grows with the
number of due shipments, not with the number tracked.
"""

from __future__ import annotations

import heapq
import json
import warnings
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from ..compiler._load import load_pack
from ..compiler._model import Pack
from ..core._durations import from_micros, to_micros
from ..core._errors import InputProblem, UnknownIncident
from ..core._records import EventRec, rec_key
from ._explain import explain_state
from ._explanation import Explanation
from ._incidents import Change, Incident
from ._inputs import EventInput, ShipmentInput, aware_micros, parse_events, parse_shipment
from ._kernel import Kernel, StateError
from ._state import ShipmentState

__all__ = ["Engine", "evaluate"]

ENGINE_DUMP_VERSION = 1


def _rank(pack: Pack) -> Callable[[Incident], tuple[Any, ...]]:
    ranks = {name: level.rank for name, level in pack.severities.items()}

    def key(incident: Incident) -> tuple[Any, ...]:
        return (
            ranks.get(incident.severity, 99),
            incident.opened_at,
            incident.tracking_number,
            incident.kind,
        )

    return key


class Engine:
    """Incremental exception detection over a stream of tracking events.

    >>> from logix_rules import Engine, load_pack
    >>> engine = Engine(load_pack("default"))

    ``ingest`` and ``advance`` return the changes they caused; ``open_incidents``
    gives the current picture.  Events may arrive in any order and more than once:
    the result is the same as evaluating all of them at once (see ``evaluate``).
    """

    def __init__(self, pack: Pack | str, *, assume_tz: str | None = None) -> None:
        self.pack: Pack = load_pack(pack) if isinstance(pack, str) else pack
        self._kernel = Kernel(self.pack)
        self._states: dict[str, ShipmentState] = {}
        self._heap: list[tuple[int, str]] = []
        self._now: int | None = None  # the latest `advance(to=...)`
        self._assume_tz = assume_tz
        self._order = _rank(self.pack)

    def __repr__(self) -> str:
        return f"<Engine pack={self.pack.name!r} shipments={len(self._states)}>"

    def __len__(self) -> int:
        return len(self._states)

    # -- input -----------------------------------------------------------------------
    def upsert_shipment(self, shipment: ShipmentInput) -> list[Change]:
        """Add or replace the OMS facts of a shipment (promised date, values, lane...)."""
        parsed = parse_shipment(shipment, assume_tz=self._assume_tz)
        state = self._states.get(parsed.tracking_number)
        if state is None:
            state = self._kernel.new_state(parsed.tracking_number, parsed.carrier, parsed)
            self._states[parsed.tracking_number] = state
            changes: list[Change] = []
            if self._now is not None:
                changes = self._kernel.fire(state, self._now)[1]
        else:
            changes = self._kernel.set_shipment(state, parsed)
            if self._now is not None:
                changes.extend(self._kernel.fire(state, self._now)[1])
        self._schedule(state)
        return changes

    def ingest(
        self,
        events: Iterable[EventInput],
        *,
        on_invalid: Callable[[InputProblem], None] | None = None,
    ) -> list[Change]:
        """Apply events (``TrackingEvent`` objects or plain dicts) and return the changes.

        Invalid items: with ``on_invalid=None`` every item is validated first and
        ``InvalidEvents`` (listing all of them) is raised before anything is applied;
        with a callback, each invalid item is passed to it and the rest are applied.
        """
        parsed = parse_events(events, assume_tz=self._assume_tz, on_invalid=on_invalid)
        groups, carriers = self._kernel.group(parsed)
        return self._apply(groups, carriers)

    def _apply(self, groups: dict[str, list[EventRec]], carriers: dict[str, str]) -> list[Change]:
        # Each shipment's events in time order keep the kernel on its fast path; the
        # result does not depend on it, nor on the order the shipments are taken in.
        changes: list[Change] = []
        states = self._states
        kernel = self._kernel
        now = self._now
        heap = self._heap
        for tn, recs in groups.items():
            state = states.get(tn)
            if state is None:
                state = kernel.new_state(tn, carriers[tn])
                states[tn] = state
            before = state.next_due_us
            if len(recs) > 1:
                recs.sort(key=rec_key)
            stepped = kernel.step_many(state, recs)
            if stepped:
                changes.extend(stepped)
            due = state.next_due_us
            if due is not None and now is not None and due <= now:
                changes.extend(kernel.fire(state, now)[1])
                due = state.next_due_us
            # The heap already holds an unchanged due time (see advance and next_due).
            if due is not None and due != before:
                heapq.heappush(heap, (due, tn))
        changes.sort(key=_change_time)
        return changes

    def _schedule(self, state: ShipmentState) -> None:
        if state.next_due_us is not None:
            heapq.heappush(self._heap, (state.next_due_us, state.tracking_number))

    # -- time ------------------------------------------------------------------------
    def advance(self, *, to: datetime) -> list[Change]:
        """Fire every time rule and follow-up deadline due at or before ``to``."""
        now = aware_micros(to, "to")
        if self._now is None or now > self._now:
            self._now = now
        heap = self._heap
        changes: list[Change] = []
        fired: set[str] = set()
        while heap and heap[0][0] <= now:
            due, tn = heapq.heappop(heap)
            state = self._states[tn]
            if state.next_due_us != due or tn in fired:
                continue  # a stale entry: the shipment's due time moved since
            changes.extend(self._kernel.fire(state, now)[1])
            fired.add(tn)
            self._schedule(state)
        changes.sort(key=_change_time)
        return changes

    def next_due(self) -> datetime | None:
        """The earliest instant at which ``advance`` would fire something, or None."""
        heap = self._heap
        while heap:
            due, tn = heap[0]
            if self._states[tn].next_due_us == due:
                return from_micros(due)
            heapq.heappop(heap)
        return None

    # -- output ----------------------------------------------------------------------
    def open_incidents(self, tracking_number: str | None = None) -> list[Incident]:
        """Open and acknowledged incidents, most severe first, then oldest first."""
        at, incidents = self._now, self._kernel.incidents
        if tracking_number is not None:
            state = self._states.get(tracking_number)
            found = [] if state is None else incidents(state, at)
        else:
            found = [
                inc for state in self._states.values() if state.open for inc in incidents(state, at)
            ]
        found.sort(key=self._order)
        return found

    def shipment_state(self, tracking_number: str) -> ShipmentState:
        """The kernel state of one shipment (read it, do not change it)."""
        try:
            return self._states[tracking_number]
        except KeyError:
            raise KeyError(f"no shipment {tracking_number!r} in this engine") from None

    # -- follow-up -------------------------------------------------------------------
    def _locate(self, incident_id: str) -> ShipmentState:
        for state in self._states.values():
            for inc in state.open.values():
                if inc.id == incident_id:
                    return state
        raise UnknownIncident(f"no open incident {incident_id!r}; open_incidents() lists the ids")

    def _at(self, at: datetime | None) -> int:
        if at is not None:
            return aware_micros(at, "at")
        if self._now is not None:
            return self._now
        raise ValueError(
            "pass at=datetime: the engine has no clock yet (advance() was never called)"
        )

    def acknowledge(self, incident_id: str, *, by: str, at: datetime | None = None) -> Change:
        """Record that ``by`` took ownership; stops the ``respond`` escalation."""
        state = self._locate(incident_id)
        change = self._kernel.acknowledge(state, incident_id, by, self._at(at))
        self._schedule(state)
        return change

    def resolve(
        self, incident_id: str, *, by: str, at: datetime | None = None, note: str | None = None
    ) -> Change:
        """Record that ``by`` resolved the incident; it leaves ``open_incidents``."""
        state = self._locate(incident_id)
        change = self._kernel.resolve(state, incident_id, by, self._at(at), note)
        self._schedule(state)
        return change

    # -- persistence -----------------------------------------------------------------
    def dump(self) -> bytes:
        """The whole engine as bytes; ``Engine.load(pack, data)`` restores it."""
        dumps = self._kernel.dumps
        doc = {
            "v": ENGINE_DUMP_VERSION,
            "pack": self.pack.fingerprint,
            "now": self._now,
            "shipments": [json.loads(dumps(state)) for state in self._states.values()],
        }
        return json.dumps(doc, separators=(",", ":")).encode()

    @classmethod
    def load(cls, pack: Pack | str, data: bytes) -> Engine:
        """Restore an engine dumped by ``dump``; nothing is lost or reported twice."""
        engine = cls(pack)
        try:
            doc = json.loads(data)
        except ValueError as exc:
            raise StateError(f"not an engine dump: {exc}") from exc
        if not isinstance(doc, dict) or doc.get("v") != ENGINE_DUMP_VERSION:
            raise StateError("not an engine dump of a version this logix reads")
        if doc.get("pack") != engine.pack.fingerprint:
            warnings.warn(
                f"the dump was made with a different version of pack {engine.pack.name!r}; "
                "incidents are re-derived under the current one",
                stacklevel=2,
            )
        engine._now = doc.get("now")
        for raw in doc.get("shipments", []):
            state = engine._kernel.loads(json.dumps(raw).encode())
            engine._states[state.tracking_number] = state
            engine._schedule(state)
        return engine

    # -- explanation -----------------------------------------------------------------
    def explain(self, tracking_number: str, *, at: datetime | None = None) -> Explanation:
        """Why each rule of the pack holds, or not, for one shipment at ``at``.

        ``at`` defaults to the engine's clock (the latest ``advance``), else the
        shipment's latest event.  The answer uses the events the engine holds with a
        time at or before ``at``, whatever order they arrived in; the engine's own
        state is left untouched.
        """
        state = self.shipment_state(tracking_number)
        if at is not None:
            when = aware_micros(at, "at")
        elif self._now is not None:
            when = self._now
        elif state.last_event is not None:
            when = state.last_event
        else:
            raise ValueError(
                f"pass at=datetime: shipment {tracking_number!r} has no events and the "
                "engine has no clock yet"
            )
        return explain_state(self._kernel, state, when)


def _change_time(change: Change) -> datetime:
    return change.at


def evaluate(
    pack: Pack | str,
    events: Iterable[EventInput],
    *,
    at: datetime,
    shipment: ShipmentInput | None = None,
    shipments: Iterable[ShipmentInput] = (),
    assume_tz: str | None = None,
) -> list[Incident]:
    """The incidents open at ``at``, given all events at once (pure batch evaluation).

    Events after ``at`` are ignored: this is the picture as of ``at``.  For any
    arrival order, duplicates and ``advance`` calls, an ``Engine`` that saw the same
    events reports the same open incidents after ``advance(to=at)``.
    """
    engine = Engine(pack, assume_tz=assume_tz)
    for fact in ([shipment] if shipment is not None else []) + list(shipments):
        engine.upsert_shipment(fact)
    cutoff = aware_micros(at, "at")
    parsed = [
        event
        for event in parse_events(events, assume_tz=assume_tz)
        if to_micros(event.occurred_at) <= cutoff
    ]
    engine.ingest(parsed)
    engine.advance(to=at)
    return engine.open_incidents()
