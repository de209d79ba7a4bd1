"""The pure-Python half of the Spark integration: rows in, kernel calls, rows out.

Nothing here imports PySpark, so the logic that decides what a stream processor
does for one tracking number (load the state, apply shipment facts and events,
fire what the watermark or the as-of cutoff makes due, keep one timer in line with
``next_due``, serialize) is the same for ``transformWithState`` and for the
``applyInPandasWithState`` fallback, and is tested without a JVM.

The rows' columns and their reading are in ``_spark_inputs``, the pack's shipping in
``_spark_packs``; their names are re-exported here.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from logix_carriers import Shipment, TrackingEvent

from ..core._records import EventRec, T, rec_key
from ..runtime._incidents import Change, ChangeType
from ..runtime._kernel import Kernel
from ..runtime._state import ShipmentState
from ._spark_inputs import (
    EVENT_FIELDS,
    INPUT_FIELDS,
    OUTPUT_FIELDS,
    REJECTED,
    SHIPMENT_FIELDS,
    RowRejected,
    event_to_input,
    micros_of,
    read_row,
    shipment_to_input,
)
from ._spark_packs import PackMismatch, PackSource, kernel_for

__all__ = [
    "EVENT_FIELDS",
    "INPUT_FIELDS",
    "OUTPUT_FIELDS",
    "SHIPMENT_FIELDS",
    "KeyOutcome",
    "PackMismatch",
    "PackSource",
    "RowRejected",
    "StateCache",
    "event_to_input",
    "fold_changes",
    "handle_rows",
    "handle_timer",
    "kernel_for",
    "read_row",
    "shipment_to_input",
    "timer_ms",
]


# -- live states kept between micro-batches ------------------------------------------------------
class StateCache:
    """Deserialized states of recently seen shipments, per process, by tracking number.

    ``Kernel.loads`` decodes a state (version 2: no replay, about twice the cost of
    applying one event), and a stream touches the same shipment again and again, so
    keeping the live object still saves that.  An entry is used only when the bytes
    Spark hands back are exactly the bytes that entry produced, so a retried task, a
    state restored from a checkpoint or a key that moved to another executor simply
    misses and decodes.

    States are read and written with ``keep`` (see ``Kernel.dumps``): a key touched
    again writes only the events it took since, from a history of ``REUSE_FROM``
    events on, and what a state remembers is the very bytes Spark holds.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, tuple[bytes, ShipmentState]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def load(self, kernel: Kernel, tn: str, data: bytes) -> ShipmentState:
        with self._lock:
            found = self._items.pop(tn, None)
        if found is not None and found[0] == data:
            self.hits += 1
            return found[1]
        self.misses += 1
        return kernel.loads(data, keep=True)

    def keep(self, tn: str, data: bytes, state: ShipmentState) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[tn] = (data, state)
            self._items.move_to_end(tn)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_CACHES: dict[tuple[str, int], StateCache] = {}


def state_cache(source: PackSource, size: int) -> StateCache:
    """The process-wide cache for one pack (states of different packs never mix)."""
    key = (source.key, size)
    cache = _CACHES.get(key)
    if cache is None:
        cache = _CACHES.setdefault(key, StateCache(size))
    return cache


# -- one key -----------------------------------------------------------------------------------
class KeyOutcome(NamedTuple):
    """What the host must do for one key after a call."""

    saved: tuple[bytes, int] | None  # new (state bytes, last seq); None: leave the state alone
    rows: list[dict[str, Any]]  # output rows in OUTPUT_FIELDS
    timer_before: int | None  # the timer (ms) the stored state implied before the call
    timer_after: int | None  # the timer (ms) the new state needs


def timer_ms(next_due_us: int | None) -> int | None:
    """The event-time timer (whole ms, rounded up) for a due instant in µs."""
    return None if next_due_us is None else -((-next_due_us) // 1000)


def _as_bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else bytes(value)


def handle_rows(
    kernel: Kernel,
    cache: StateCache | None,
    tn: str | None,
    saved: tuple[Any, Any] | None,
    rows: Iterable[Any],
    *,
    now_us: int | None,
    as_of_us: int | None = None,
) -> KeyOutcome:
    """Apply a micro-batch of input rows of one tracking number.

    ``now_us`` is the instant up to which time rules may fire (the watermark, or the
    as-of cutoff); ``None`` fires nothing.  Events after ``as_of_us`` are ignored, as
    ``evaluate`` ignores events after ``at``.
    """
    seq = 0 if saved is None else int(saved[1])
    out: list[dict[str, Any]] = []
    events: list[TrackingEvent] = []
    shipments: dict[str, Shipment] = {}
    for row in rows:
        try:
            item = read_row(row)
        except RowRejected as exc:
            out.append(exc.row)
            continue
        if isinstance(item, Shipment):
            shipments[item.model_dump_json()] = item
        else:
            events.append(item)

    state: ShipmentState | None = None
    if saved is not None:
        data = _as_bytes(saved[0])
        state = (
            cache.load(kernel, tn or "", data)
            if cache is not None
            else kernel.loads(data, keep=True)
        )
    before = None if state is None else state.next_due_us
    changes: list[Change] = []
    # Several versions of a shipment in one micro-batch arrive in no defined order; pick
    # one deterministically (the greatest JSON) so reruns agree.
    shipment = shipments[max(shipments)] if shipments else None
    if shipment is not None:
        if state is None:
            state = kernel.new_state(shipment.tracking_number, shipment.carrier, shipment)
        elif state.shipment != shipment:
            changes.extend(kernel.set_shipment(state, shipment))
    records: list[EventRec] = [rec for recs in kernel.group(events)[0].values() for rec in recs]
    if as_of_us is not None:
        records = [rec for rec in records if rec[T] <= as_of_us]
    records.sort(key=rec_key)
    if records and state is None:
        # The carrier of the earliest event, so the choice does not depend on arrival.
        first = min(events, key=lambda e: (e.occurred_at, e.event_id))
        state = kernel.new_state(first.tracking_number, first.carrier)
    if state is None:
        return KeyOutcome(None, out, None, None)
    if len(records) == 1:
        changes.extend(kernel.step(state, records[0])[1])
    elif records:
        # The micro-batch of one parcel at once: late events in it are replayed once
        # and reported as their net effect, as Engine.ingest does for a batch.
        changes.extend(kernel.step_many(state, records))
    if now_us is not None and state.next_due_us is not None and state.next_due_us <= now_us:
        changes.extend(kernel.fire(state, now_us)[1])
    seq = _emit(changes, seq, out)
    data = kernel.dumps(state, keep=True)
    if cache is not None:
        cache.keep(state.tracking_number, data, state)
    return KeyOutcome((data, seq), out, timer_ms(before), timer_ms(state.next_due_us))


def handle_timer(
    kernel: Kernel,
    cache: StateCache | None,
    tn: str,
    saved: tuple[Any, Any] | None,
    *,
    now_us: int,
) -> KeyOutcome:
    """A timer of one tracking number expired: fire everything due up to ``now_us``."""
    if saved is None:
        return KeyOutcome(None, [], None, None)  # a timer without state: nothing to fire
    data = _as_bytes(saved[0])
    state = cache.load(kernel, tn, data) if cache is not None else kernel.loads(data, keep=True)
    before = state.next_due_us
    changes: list[Change] = []
    if before is not None and before <= now_us:
        changes = kernel.fire(state, now_us)[1]
    out: list[dict[str, Any]] = []
    seq = _emit(changes, int(saved[1]), out)
    data = kernel.dumps(state, keep=True)
    if cache is not None:
        cache.keep(tn, data, state)
    return KeyOutcome((data, seq), out, timer_ms(before), timer_ms(state.next_due_us))


def _emit(changes: list[Change], seq: int, out: list[dict[str, Any]]) -> int:
    for change in changes:
        seq += 1
        out.append(change_row(change, seq))
    return seq


def _us(moment: Any) -> int | None:
    return None if moment is None else micros_of(moment)


def change_row(change: Change, seq: int) -> dict[str, Any]:
    """One change as a raw output row (instants in µs); personal data is masked in the
    explanation and the incident's JSON, as in every export (POLICY §4)."""
    inc = change.incident
    shown = inc.to_dict()
    return {
        "change_type": change.type.value,
        "seq": seq,
        "at_us": _us(change.at),
        "tracking_number": inc.tracking_number,
        "carrier": inc.carrier,
        "incident_id": inc.id,
        "kind": inc.kind,
        "severity": inc.severity,
        "state": inc.state.value,
        "rules": list(inc.rules),
        "opened_at_us": _us(inc.opened_at),
        "respond_by_us": _us(inc.respond_by),
        "resolve_by_us": _us(inc.resolve_by),
        "escalate_at_us": _us(inc.escalate_at),
        "deadlines_us": {name: _us(at) for name, at in inc.deadlines.items()},
        "remedy_code": None if inc.remedy is None else inc.remedy.code,
        "explanation": shown["explanation"],
        "incident_json": json.dumps(shown, sort_keys=True, default=str),
        "change_id": change.id,
        "error": None,
    }


# -- reading a change stream back ------------------------------------------------------------------
# Changes after which an incident is no longer open: a revisit falls due only after
# the incident was resolved.
_CLOSED = frozenset(
    {
        ChangeType.CLEARED.value,
        ChangeType.RESOLVED.value,
        ChangeType.SUPERSEDED.value,
        ChangeType.REVISIT_DUE.value,
    }
)


def fold_changes(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The incidents a change stream leaves open: the latest change (by ``seq`` within
    its tracking number) of each incident id, unless that change closed it.

    Rows are mappings with at least ``change_type``, ``seq``, ``tracking_number``,
    ``incident_id`` and ``incident_json``; the result maps incident ids to the
    incident dicts (``Incident.to_dict()``) of their latest change.
    """
    latest: dict[str, tuple[int, Mapping[str, Any]]] = {}
    for row in rows:
        if row["change_type"] == REJECTED:
            continue
        seen = latest.get(row["incident_id"])
        if seen is None or row["seq"] > seen[0]:
            latest[row["incident_id"]] = (row["seq"], row)
    return {
        ident: json.loads(row["incident_json"])
        for ident, (_, row) in latest.items()
        if row["change_type"] not in _CLOSED
    }
