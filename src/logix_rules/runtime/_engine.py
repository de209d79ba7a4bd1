"""``Engine``: the kernel over many shipments, and ``evaluate``, its batch twin.

The engine steps the kernel; a host keeps the states (``_host.py``): in memory, one
``ShipmentState`` per tracking number and a due-time heap, so ``advance`` touches only
the shipments with something due (its cost grows with the number of due shipments,
not with the number tracked), or a store's tables.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path

from ..compiler._load import load_pack
from ..compiler._model import Pack
from ..compiler._suggest import suggest
from ..core._durations import from_micros, to_micros
from ..core._errors import ErrorCode, InputProblem, UnknownIncident
from ..core._records import EventRec, rec_key
from ._actions import Action, FollowUpError, check_cause
from ._engine_dump import read_dump, states_of, write_atomically, write_dump
from ._explain import explain_state
from ._explanation import Explanation
from ._gc_settle import Settler, quiet
from ._host import Host, MemoryHost, Store, Unit
from ._incidents import Change, Incident, change_instant
from ._inputs import EventInput, ShipmentInput, aware_micros, parse_events, parse_shipment
from ._kernel import Kernel, StateError
from ._masked_state import masked_state
from ._state import ShipmentState
from ._unit_retry import retried

__all__ = ["Engine", "evaluate"]

_DUE_BATCH = 1024  # states ``advance`` takes from the host at a time


class Engine:
    """Incremental exception detection over a stream of tracking events.

    >>> from logix_rules import Engine, load_pack
    >>> engine = Engine(load_pack("default"))

    ``ingest`` and ``advance`` return the changes they caused; ``open_incidents``
    gives the current picture.  Events may arrive in any order and more than once:
    the result is the same as evaluating all of them at once (see ``evaluate``).

    Without ``store`` the engine keeps its states in this process; with one, it keeps
    nothing of its own and asks ``store.attach(kernel)`` for the host that keeps them
    (``runtime/_host.py`` is that contract).  Either way every call that changes
    state is one transaction, and the engine is safe to share between threads.

    An in-memory engine that holds 10,000 shipments or more tunes the process's
    garbage collector while it is alive (docs/engine.md, "The garbage collector");
    ``settle_gc=False`` leaves the collector alone.
    """

    def __init__(
        self,
        pack: Pack | str,
        *,
        assume_tz: str | None = None,
        store: Store | None = None,
        settle_gc: bool = True,
    ) -> None:
        self.pack: Pack = load_pack(pack) if isinstance(pack, str) else pack
        self._kernel = Kernel(self.pack)
        self._host: Host = MemoryHost(self._kernel) if store is None else store.attach(self._kernel)
        # Which errors let ingest and advance run their unit again (a store's host:
        # PostgreSQL's deadlocks; see _unit_retry); None: every call runs once.
        self._may_retry: Callable[[BaseException], bool] | None = getattr(
            self._host, "may_retry", None
        )
        # A large in-memory engine tunes the process's collector (see _gc_settle).
        self._settler = Settler() if store is None and settle_gc else None
        self._assume_tz = assume_tz

    def __repr__(self) -> str:
        return f"<Engine pack={self.pack.name!r} shipments={len(self)}>"

    def __len__(self) -> int:
        return self._host.count()

    # -- input -----------------------------------------------------------------------
    def upsert_shipment(self, shipment: ShipmentInput) -> list[Change]:
        """Add or replace the OMS facts of a shipment (promised date, values, lane...)."""
        parsed = parse_shipment(shipment, assume_tz=self._assume_tz)
        kernel = self._kernel
        with self._host.unit() as unit:
            now = unit.clock()
            state = unit.load((parsed.tracking_number,)).get(parsed.tracking_number)
            if state is None:
                state = kernel.new_state(parsed.tracking_number, parsed.carrier, parsed)
                changes: list[Change] = []
                if now is not None:
                    changes = kernel.fire(state, now)[1]
            else:
                changes = kernel.set_shipment(state, parsed)
                if now is not None:
                    changes.extend(kernel.fire(state, now)[1])
            unit.save(state)
            return unit.emit(changes)

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
        with self._quiet():
            parsed = parse_events(events, assume_tz=self._assume_tz, on_invalid=on_invalid)
            groups, carriers = self._kernel.group(parsed, ordered=True)
            return self._apply(groups, carriers, ordered=True)

    def _quiet(self) -> AbstractContextManager[None]:
        """An ``ingest`` or ``advance`` call's context (see _gc_settle): states are also
        counted at its start, so upserted or loaded shipments make the first call quiet."""
        settler = self._settler
        if settler is not None:
            settler.after(self._host.count())
        return quiet(settler)

    def _apply(
        self,
        groups: dict[str, list[EventRec]],
        carriers: dict[str, str],
        *,
        report: bool = True,
        ordered: bool = False,
    ) -> list[Change]:
        """Step every shipment of ``groups`` through its records; the changes, in
        event-time order.  ``report=False`` drops them instead of gathering, sorting
        and emitting them: for an in-memory engine whose changes nobody reads
        (``logix run``); a store's feed must get every change.  ``ordered`` says each
        shipment's records are in ``(time, id)`` order already (``Kernel.group(...,
        ordered=True)``'s)."""
        self._may_leave_unreported(report)
        emitted = retried(
            lambda: self._apply_unit(groups, carriers, report, ordered), self._may_retry
        )
        if self._settler is not None:
            self._settler.after(self._host.count())
        return emitted

    def _apply_unit(
        self,
        groups: dict[str, list[EventRec]],
        carriers: dict[str, str],
        report: bool,
        ordered: bool,
    ) -> list[Change]:
        """``_apply``'s unit: run again whole if the database ends it as a deadlock
        (its states, stepped in place, are then dropped from the store's cache and read
        again from the rows; ``recs`` are only sorted here, and sorting again is a no-op)."""
        # Each shipment's events in time order keep the kernel on its fast path; the
        # result does not depend on it, nor on the order the shipments are taken in.
        changes: list[Change] = []
        kernel = self._kernel
        # Kernel.step_many's compiled loop, called without the method's own frame (one
        # Python call per shipment and batch: most shipments bring one or two events).
        step_many = kernel._step_many
        with self._host.unit() as unit:
            now = unit.clock()
            states = unit.load(groups.keys())
            save = unit.save
            for tn, recs in groups.items():
                state = states.get(tn)
                if state is None:
                    state = kernel.new_state(tn, carriers[tn])
                if not ordered and len(recs) > 1:
                    recs.sort(key=rec_key)
                stepped = step_many(kernel, state, recs)
                if stepped and report:
                    changes.extend(stepped)
                due = state.next_due_us
                if due is not None and now is not None and due <= now:
                    fired = kernel.fire(state, now)[1]
                    if report:
                        changes.extend(fired)
                save(state)
            changes.sort(key=change_instant)
            return unit.emit(changes)

    def _may_leave_unreported(self, report: bool) -> None:
        if not report and not isinstance(self._host, MemoryHost):
            raise ValueError("only an in-memory engine may leave its changes unreported")

    # -- time ------------------------------------------------------------------------
    def advance(self, *, to: datetime) -> list[Change]:
        """Fire every time rule and follow-up deadline due at or before ``to``."""
        return self._advance(to)

    def _advance(self, to: datetime, *, report: bool = True) -> list[Change]:
        """``advance``; ``report=False`` drops the changes (see ``_apply``)."""
        self._may_leave_unreported(report)
        now = aware_micros(to, "to")
        with self._quiet():
            return retried(lambda: self._advance_unit(now, report), self._may_retry)

    def _advance_unit(self, now: int, report: bool) -> list[Change]:
        """``_advance``'s unit (run again whole on a deadlock, as ``_apply_unit``)."""
        kernel = self._kernel
        changes: list[Change] = []
        with self._host.unit() as unit:
            clock = unit.clock()
            if clock is None or now > clock:
                unit.set_clock(now)
            while batch := unit.due(now, _DUE_BATCH):
                for state in batch:
                    fired = kernel.fire(state, now)[1]
                    if report:
                        changes.extend(fired)
                    unit.save(state)
            changes.sort(key=change_instant)
            return unit.emit(changes)

    def next_due(self) -> datetime | None:
        """The earliest instant at which ``advance`` would fire something, or None."""
        due = self._host.next_due()
        return None if due is None else from_micros(due)

    # -- output ----------------------------------------------------------------------
    def open_incidents(
        self,
        tracking_number: str | None = None,
        *,
        severity: str | None = None,
        kind: str | None = None,
        carrier: str | None = None,
        limit: int | None = None,
    ) -> list[Incident]:
        """Open and acknowledged incidents, most severe first, then oldest first.

        Each filter given must match (``severity="P1"``, ``kind="customs_hold"``,
        ``carrier="dhl"``, one ``tracking_number``); ``limit`` keeps the first ones.
        """
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise TypeError(f"limit must be an int or None, not {type(limit).__name__}")
        return self._host.open_incidents(
            tracking_number=tracking_number,
            severity=severity,
            kind=kind,
            carrier=carrier,
            limit=limit,
        )

    def incident(self, incident_id: str) -> Incident:
        """One incident by id: open, acknowledged, or resolved while its condition holds.

        Raises ``UnknownIncident`` for an id the engine does not hold (never seen, or
        closed since: the changes that closed it carry its last state).
        """
        found = self._host.incident(incident_id)
        if found is None:
            raise UnknownIncident(
                f"no incident {incident_id!r} is held; open_incidents() lists the open ones"
            )
        return found

    def actions(self, incident_id: str) -> list[Action]:
        """The follow-up log of an incident, oldest first: who acknowledged or resolved
        it, when, and the note.  Kept with the shipment's state, so it survives
        ``dump``/``load`` and stores."""
        found = self._host.actions(incident_id)
        if found is None:
            raise UnknownIncident(f"no incident {incident_id!r} is known to this engine")
        return found

    def shipment_state(self, tracking_number: str) -> ShipmentState:
        """The kernel state of one shipment (read it, do not change it)."""
        with self._host.unit() as unit:
            state = unit.load((tracking_number,)).get(tracking_number)
        if state is None:
            raise KeyError(f"no shipment {tracking_number!r} in this engine")
        return state

    # -- follow-up -------------------------------------------------------------------
    def acknowledge(self, incident_id: str, *, by: str, at: datetime | None = None) -> Change:
        """Record that ``by`` took ownership; stops the ``respond`` escalation."""
        with self._host.unit() as unit:
            state = self._locate(unit, incident_id)
            change = self._kernel.acknowledge(state, incident_id, by, self._at(at, unit))
            unit.save(state)
            return unit.emit([change])[0]

    def resolve(
        self,
        incident_id: str,
        *,
        by: str,
        at: datetime | None = None,
        note: str | None = None,
        cause: str | None = None,
    ) -> Change:
        """Record that ``by`` resolved the incident; it leaves ``open_incidents``.

        ``cause`` (``carrier``, ``customer``, ``internal``, ``force_majeure`` or
        ``unknown``) corrects the cause the trail gave, from ``at`` on: the incident's
        ``cause`` and the remedy items that depend on it follow.  Raises
        ``FollowUpError`` for any other cause."""
        cause = check_cause(cause)
        with self._host.unit() as unit:
            state = self._locate(unit, incident_id)
            change = self._kernel.resolve(state, incident_id, by, self._at(at, unit), note, cause)
            unit.save(state)
            return unit.emit([change])[0]

    def record(
        self,
        incident_id: str,
        *,
        action: str,
        by: str,
        at: datetime | None = None,
        note: str | None = None,
        cause: str | None = None,
    ) -> Action:
        """Record a follow-up ``action`` the pack declares (``documents_supplied``,
        ``claim_filed``, ``revisited``...): it meets the deadlines that name it if it
        comes at or before them.  ``cause`` (``carrier``, ``customer``, ``internal``,
        ``force_majeure`` or ``unknown``) is kept on the action.  Raises
        ``FollowUpError`` for an action or cause the pack does not know."""
        known = self.pack.actions
        if action not in known:
            raise FollowUpError(
                ErrorCode.UNKNOWN_ACTION,
                f"pack {self.pack.name!r} declares no action {action!r}."
                + suggest(str(action), sorted(known)),
                input=action,
                hint="Actions: " + (", ".join(sorted(known)) or "none") + ".",
            )
        cause = check_cause(cause)
        with self._host.unit() as unit:
            state = self._locate(unit, incident_id)
            done = self._kernel.record_action(
                state, incident_id, action, by, self._at(at, unit), note, cause
            )
            unit.save(state)
            return done

    @staticmethod
    def _locate(unit: Unit, incident_id: str) -> ShipmentState:
        state = unit.locate(incident_id)
        if state is None:
            raise UnknownIncident(
                f"no open incident {incident_id!r}; open_incidents() lists the ids"
            )
        return state

    @staticmethod
    def _at(at: datetime | None, unit: Unit) -> int:
        if at is not None:
            return aware_micros(at, "at")
        now = unit.clock()
        if now is not None:
            return now
        raise ValueError(
            "pass at=datetime: the engine has no clock yet (advance() was never called)"
        )

    # -- persistence -----------------------------------------------------------------
    def dump(self, *, mask: bool = True) -> bytes:
        """The whole engine as bytes; ``Engine.load(pack, data)`` restores it.

        By default the dump is one to share: personal data in event texts, attributes,
        evidence and notes is masked (POLICY §4), and the engine it loads into sees the
        masked texts.  ``mask=False`` keeps everything, for the engine's own use.
        """
        kernel_dumps = self._kernel.dumps

        def dumps(state: ShipmentState) -> bytes:
            return kernel_dumps(masked_state(state) if mask else state)

        with self._host.unit() as unit:
            now = unit.clock()
            records = [dumps(state) for state in unit.scan()]
        return write_dump(
            pack=self.pack.fingerprint, pack_name=self.pack.name, now=now, records=records
        )

    def save(self, path: str | os.PathLike[str], *, mask: bool = False) -> None:
        """Write ``dump(mask=mask)`` to ``path`` atomically: a temporary file in the same
        folder, flushed to disk, then renamed over ``path``.  A crash at any instant
        leaves either the old file or the new one, never a torn one.  Unmasked by
        default: a saved engine is for the engine's own use (``Engine.load``)."""
        write_atomically(path, self.dump(mask=mask))

    @classmethod
    def load(cls, pack: Pack | str, data: bytes) -> Engine:
        """Restore an engine dumped by ``dump``; nothing is lost or reported twice."""
        engine = cls(pack)
        doc = read_dump(data)
        if doc.get("pack") != engine.pack.fingerprint:
            made_with = doc.get("pack_name")  # absent from dumps of older versions
            same = made_with is None or made_with == engine.pack.name
            warnings.warn(
                f"the dump was made with a different version of pack {engine.pack.name!r}; "
                "incidents are re-derived under the current one"
                if same
                else f"the dump was made with pack {str(made_with)[:100]!r}, not "
                f"{engine.pack.name!r}; incidents are re-derived under {engine.pack.name!r}",
                stacklevel=2,
            )
        now, states = states_of(doc, engine._kernel.loads)
        with engine._host.unit() as unit:
            if now is not None:
                unit.set_clock(now)
            for state in states.values():
                unit.save(state)
        return engine

    @classmethod
    def open(cls, pack: Pack | str, path: str | os.PathLike[str]) -> Engine:
        """``Engine.load`` of a file written by ``save``."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise StateError(f"cannot read the engine file {os.fspath(path)!r}: {exc}") from exc
        return cls.load(pack, data)

    # -- explanation -----------------------------------------------------------------
    def explain(self, tracking_number: str, *, at: datetime | None = None) -> Explanation:
        """Why each rule of the pack holds, or not, for one shipment at ``at``.

        ``at`` defaults to the engine's clock (the latest ``advance``), else the
        shipment's latest event.  The answer uses the events the engine holds with a
        time at or before ``at``, whatever order they arrived in; the engine's own
        state is left untouched.
        """
        with self._host.unit() as unit:
            state = unit.load((tracking_number,)).get(tracking_number)
            if state is None:
                raise KeyError(f"no shipment {tracking_number!r} in this engine")
            now = unit.clock()
            if at is not None:
                when = aware_micros(at, "at")
            elif now is not None:
                when = now
            elif state.last_event is not None:
                when = state.last_event
            else:
                raise ValueError(
                    f"pass at=datetime: shipment {tracking_number!r} has no events and the "
                    "engine has no clock yet"
                )
            return explain_state(self._kernel, state, when)


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
