"""Where an ``Engine`` keeps its shipments' states: the host seam, and the in-memory host.

An ``Engine`` computes; a *host* keeps.  ``Engine(pack)`` keeps everything in this
process (``MemoryHost``: dicts and a due-time heap behind one re-entrant lock);
``Engine(pack, store=store)`` asks the store for a host with ``store.attach(kernel)``
(see ``Store``) and keeps nothing of its own.  This module is the contract a store
implements.

The contract
------------
Every engine call that changes state runs in one *unit* (``with host.unit() as
unit``), a transaction: an ``ingest``, an ``advance``, an ``upsert_shipment``, an
``acknowledge`` or a ``resolve``.  Within it the engine

1. gets the states it will change: ``unit.load(tracking_numbers)`` (absent ones are
   simply missing; the engine creates them), ``unit.due(now, limit)`` in a loop until
   it returns ``[]``, or ``unit.locate(incident_id)``.  A store locks these rows
   (``SELECT ... FOR UPDATE``; ``due`` with ``SKIP LOCKED``) so two workers never step
   one parcel at once;
2. steps the kernel on them, which mutates them in place;
3. calls ``unit.save(state)`` once for every state it loaded, got from ``due`` or
   created, changed or not.  The host persists the state, its live incidents
   (``Kernel.incidents(state, clock, include_resolved=True)``; they are also
   ``state.open``) and its ``next_due_us``.  ``next_due_us`` may have moved either way;
4. calls ``unit.emit(changes)`` once, with every change of the unit in event-time
   order, and returns what it gives back: a store appends them to its change feed and
   returns them with ``seq`` set (``attrs.evolve(change, seq=n)``); memory returns them
   as they are;
5. leaves the ``with`` block: the unit commits.  An exception inside rolls it back (a
   store), or leaves the mutated states as they are (memory, as a plain dict would).

States are plain ``ShipmentState`` objects; a store serializes them with
``kernel.dumps`` and reads them with ``kernel.loads`` (or keeps them in a cache).
Instants are ints of µs since the epoch.  ``unit.clock()`` is the latest
``advance(to=...)`` (None before the first); the engine moves it only forwards with
``unit.set_clock``.  ``unit.scan()`` yields every state in tracking-number order (for
``Engine.dump``, which is then the same for two hosts holding the same states).

Reads outside a unit (``Host.incident``, ``open_incidents``, ``actions``, ``clock``,
``next_due``, ``count``) answer from committed state.  Incidents are snapshots as of
the host's clock (``snapshot(pack, state, inc, clock)``, or the state's own
``fired_through`` before any clock), in the order of ``incident_order``.  What counts
as an incident here is what a state holds: open and acknowledged ones, and resolved
ones whose condition still holds (``incident`` returns those; ``open_incidents``
leaves them out).  ``actions`` answers for those and for any incident with actions
recorded (``state.followups``), and None for an incident it never saw.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, Protocol

from ..compiler._model import Pack
from ._actions import Action, action_of
from ._incidents import Change, Incident
from ._kernel import Kernel
from ._snapshots import snapshot
from ._state import OpenIncident, ShipmentState

__all__ = ["Host", "MemoryHost", "Store", "Unit", "incident_order"]


class Unit(Protocol):
    """One transaction of a host (see the module docstring for the order of calls)."""

    def load(self, tracking_numbers: Collection[str]) -> dict[str, ShipmentState]:
        """The stored states of these tracking numbers (locked); absent ones are missing."""
        ...

    def due(self, now: int, limit: int) -> list[ShipmentState]:
        """At most ``limit`` states whose ``next_due_us <= now`` (locked, each once)."""
        ...

    def locate(self, incident_id: str) -> ShipmentState | None:
        """The state (locked) holding this live incident in ``state.open``, else None."""
        ...

    def save(self, state: ShipmentState) -> None:
        """Keep ``state`` (new or changed), its live incidents and its ``next_due_us``."""
        ...

    def emit(self, changes: Sequence[Change]) -> list[Change]:
        """Record the unit's changes (the feed); return them as the caller gets them."""
        ...

    def clock(self) -> int | None:
        """The latest ``advance(to=...)`` in µs, or None."""
        ...

    def set_clock(self, now: int) -> None:
        """Move the clock (the engine only ever moves it forwards)."""
        ...

    def scan(self) -> Iterator[ShipmentState]:
        """Every state, in tracking-number order (code points: SQL's ``COLLATE "C"``),
        so that two hosts holding the same states give the same ``Engine.dump``."""
        ...


class Host(Protocol):
    """Where an engine keeps its states; ``unit()`` is one transaction."""

    def unit(self) -> AbstractContextManager[Unit]: ...

    def clock(self) -> int | None: ...

    def next_due(self) -> int | None:
        """The earliest ``next_due_us`` of any state, or None."""
        ...

    def count(self) -> int:
        """How many shipments are kept."""
        ...

    def incident(self, incident_id: str) -> Incident | None:
        """The incident a state holds under this id (resolved included), else None."""
        ...

    def open_incidents(
        self,
        *,
        tracking_number: str | None,
        severity: str | None,
        kind: str | None,
        carrier: str | None,
        limit: int | None,
    ) -> list[Incident]:
        """Open and acknowledged incidents matching every filter given, in
        ``incident_order``, the first ``limit`` of them."""
        ...

    def actions(self, incident_id: str) -> list[Action] | None:
        """The follow-up log of an incident, oldest first; None for an unknown one."""
        ...


class Store(Protocol):
    """What ``Engine(pack, store=...)`` accepts: something that hosts a kernel's states."""

    def attach(self, kernel: Kernel) -> Host:
        """The host of this store for ``kernel`` (its pack decides what states mean)."""
        ...


def incident_order(pack: Pack) -> Callable[[str, int, str, str], tuple[Any, ...]]:
    """The order of ``open_incidents``: most severe first, then oldest, then by
    tracking number and kind; called with (severity, opened_at µs, tracking number, kind)."""
    ranks = {name: level.rank for name, level in pack.severities.items()}

    def key(severity: str, opened_at: int, tracking_number: str, kind: str) -> tuple[Any, ...]:
        return (ranks.get(severity, 99), opened_at, tracking_number, kind)

    return key


_NEW: Any = object()  # "this unit did not load the state": its due time must be queued


class MemoryHost:
    """States in a dict, a due-time heap, and dict indexes of incidents, all in this
    process, behind one re-entrant lock: a unit holds it, and so does every read."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.lock = threading.RLock()
        self.states: dict[str, ShipmentState] = {}
        # (due, tracking number); an entry is stale once the state's due time moved.
        self.heap: list[tuple[int, str]] = []
        self.now: int | None = None
        # incident id -> tracking number, for live incidents and those with actions
        self.where: dict[str, str] = {}
        # tracking number -> ids of its live incidents, for the shipments that have any
        self.held: dict[str, tuple[str, ...]] = {}
        self._order = incident_order(kernel.pack)

    def unit(self) -> _MemoryUnit:
        return _MemoryUnit(self)

    def clock(self) -> int | None:
        return self.now

    def count(self) -> int:
        return len(self.states)

    def next_due(self) -> int | None:
        with self.lock:
            heap, states = self.heap, self.states
            while heap:
                due, tn = heap[0]
                if states[tn].next_due_us == due:
                    return due
                heapq.heappop(heap)
            return None

    def incident(self, incident_id: str) -> Incident | None:
        with self.lock:
            state, inc = self._live(incident_id)
            if state is None or inc is None:
                return None
            return snapshot(self.kernel.pack, state, inc, self._at(state))

    def open_incidents(
        self,
        *,
        tracking_number: str | None = None,
        severity: str | None = None,
        kind: str | None = None,
        carrier: str | None = None,
        limit: int | None = None,
    ) -> list[Incident]:
        with self.lock:
            states = self.states
            if tracking_number is not None:
                one = states.get(tracking_number)
                candidates = [] if one is None else [one]
            else:
                candidates = [states[tn] for tn in self.held]
            order = self._order
            picked: list[tuple[tuple[Any, ...], ShipmentState, OpenIncident]] = []
            for state in candidates:
                if carrier is not None and state.carrier != carrier:
                    continue
                followups = state.followups
                for inc in state.open.values():
                    if (kind is not None and inc.kind != kind) or (
                        severity is not None and inc.severity != severity
                    ):
                        continue
                    follow = followups.get(inc.id)
                    if follow is not None and follow.resolved_at is not None:
                        continue  # resolved while its condition still holds
                    key = order(inc.severity, inc.opened_at, state.tracking_number, inc.kind)
                    picked.append((key, state, inc))
            picked.sort(key=_first)
            if limit is not None:
                del picked[max(limit, 0) :]
            pack = self.kernel.pack
            return [snapshot(pack, state, inc, self._at(state)) for _, state, inc in picked]

    def actions(self, incident_id: str) -> list[Action] | None:
        with self.lock:
            tn = self.where.get(incident_id)
            if tn is None:
                return None
            follow = self.states[tn].followups.get(incident_id)
            log = () if follow is None else follow.log
            return [action_of(incident_id, entry) for entry in log]

    # -- what units share ------------------------------------------------------------
    def _at(self, state: ShipmentState) -> int:
        now = self.now
        return now if now is not None else (state.fired_through or 0)

    def _live(self, incident_id: str) -> tuple[ShipmentState | None, OpenIncident | None]:
        tn = self.where.get(incident_id)
        if tn is None:
            return None, None
        state = self.states[tn]
        for inc in state.open.values():
            if inc.id == incident_id:
                return state, inc
        return state, None

    def index(self, state: ShipmentState) -> None:
        """Bring ``where`` and ``held`` in line with ``state``'s incidents and actions."""
        tn = state.tracking_number
        where, held = self.where, self.held
        ids = tuple(inc.id for inc in state.open.values())
        followups = state.followups
        for old in held.get(tn, ()):
            if old not in ids and old not in followups:
                where.pop(old, None)
        for ident in ids:
            where[ident] = tn
        for ident in followups:
            where[ident] = tn
        if ids:
            held[tn] = ids
        else:
            held.pop(tn, None)


def _first(item: tuple[Any, ...]) -> Any:
    return item[0]


class _MemoryUnit:
    """A unit of ``MemoryHost``: the host's lock, held from ``__enter__`` to ``__exit__``."""

    __slots__ = ("_before", "_host")

    def __init__(self, host: MemoryHost) -> None:
        self._host = host
        self._before: dict[str, Any] = {}  # the due time of each state this unit loaded

    def __enter__(self) -> _MemoryUnit:
        self._host.lock.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._host.lock.release()

    def load(self, tracking_numbers: Collection[str]) -> dict[str, ShipmentState]:
        states = self._host.states
        before = self._before
        found: dict[str, ShipmentState] = {}
        for tn in tracking_numbers:
            state = states.get(tn)
            if state is not None:
                found[tn] = state
                before[tn] = state.next_due_us
        return found

    def due(self, now: int, limit: int) -> list[ShipmentState]:
        host = self._host
        heap, states, before = host.heap, host.states, self._before
        out: list[ShipmentState] = []
        taken: set[str] = set()
        while heap and heap[0][0] <= now and len(out) < limit:
            due, tn = heapq.heappop(heap)
            state = states[tn]
            if state.next_due_us != due or tn in taken:
                continue  # a stale entry: the shipment's due time moved since
            taken.add(tn)
            before[tn] = _NEW  # its entry is gone: queue it again on save
            out.append(state)
        return out

    def locate(self, incident_id: str) -> ShipmentState | None:
        state, inc = self._host._live(incident_id)
        if state is None or inc is None:
            return None
        self._before[state.tracking_number] = state.next_due_us
        return state

    def save(self, state: ShipmentState) -> None:
        host = self._host
        tn = state.tracking_number
        due = state.next_due_us
        before = self._before.get(tn, _NEW)
        if before is _NEW and host.states.get(tn) is not state:
            host.states[tn] = state
        # The heap holds an entry for an unchanged due time already (see next_due).
        if due is not None and due != before:
            heapq.heappush(host.heap, (due, tn))
        if state.open or state.followups or tn in host.held:
            host.index(state)

    def emit(self, changes: Sequence[Change]) -> list[Change]:
        return changes if isinstance(changes, list) else list(changes)

    def clock(self) -> int | None:
        return self._host.now

    def set_clock(self, now: int) -> None:
        self._host.now = now

    def scan(self) -> Iterator[ShipmentState]:
        states = self._host.states
        return iter([states[tn] for tn in sorted(states)])
