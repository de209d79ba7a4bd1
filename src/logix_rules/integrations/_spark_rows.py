"""The pure-Python half of the Spark integration: rows in, kernel calls, rows out.

Nothing here imports PySpark, so the logic that decides what a stream processor
does for one tracking number (load the state, apply shipment facts and events,
fire what the watermark or the as-of cutoff makes due, keep one timer in line with
``next_due``, serialize) is the same for ``transformWithState`` and for the
``applyInPandasWithState`` fallback, and is tested without a JVM.

Rows crossing the Python boundary use a flat layout with every instant as an
``int`` of microseconds since the epoch: Spark hands Python timestamps as naive or
aware datetimes depending on the API and the version, and rounds them to the
session time zone on the way; integers need no such care and keep microseconds.
``logix_rules.spark`` converts to and from ``TIMESTAMP`` columns in SQL.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import math
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import attrs
from pydantic import ValidationError

from logix_carriers import Shipment, TrackingEvent

from ..compiler._load import load_pack, loads_pack
from ..compiler._model import BUILTIN_PACKS, Pack
from ..core._durations import from_micros
from ..core._errors import LogixError
from ..core._records import EventRec, T, rec_key
from ..runtime._incidents import Change, ChangeType
from ..runtime._kernel import Kernel
from ..runtime._state import ShipmentState

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

#: Columns of an input row that carry an event (``record == "event"``).
EVENT_FIELDS = (
    "occurred_at_us",
    "utc_offset_minutes",
    "offset_source",
    "stage",
    "status",
    "reason",
    "country",
    "region",
    "city",
    "postal_code",
    "facility",
    "description",
    "attributes",
    "source_system",
    "source_status",
    "source_substatus",
    "source_code",
    "source_text",
    "event_id",
    "estimated_delivery_us",  # the carrier's estimate, if it gave one
)
#: Columns of an input row that carry shipment facts (``record == "shipment"``).
SHIPMENT_FIELDS = (
    "origin_country",
    "destination_country",
    "service_level",
    "shipped_at_us",
    "promised_at_us",
    "declared_value",
    "freight_cost",
    "currency",
    "insured",
    "category",
    "order_id",
)
#: The flat input layout, in order (see ``logix_rules.spark.INPUT_SCHEMA`` for types).
INPUT_FIELDS = ("record", "tracking_number", "carrier", *EVENT_FIELDS, *SHIPMENT_FIELDS)
#: The raw output layout, in order (see ``logix_rules.spark.OUTPUT_SCHEMA`` for types).
OUTPUT_FIELDS = (
    "change_type",
    "seq",
    "at_us",
    "tracking_number",
    "carrier",
    "incident_id",
    "kind",
    "severity",
    "state",
    "rules",
    "opened_at_us",
    "respond_by_us",
    "resolve_by_us",
    "escalate_at_us",
    "deadlines_us",
    "remedy_code",
    "explanation",
    "incident_json",
    "change_id",
    "error",
)
REJECTED = "rejected"
_US_FIELDS = frozenset(
    {"occurred_at_us", "shipped_at_us", "promised_at_us", "estimated_delivery_us"}
)
_INT_FIELDS = _US_FIELDS | {"utc_offset_minutes"}


# -- values as Spark hands them to Python ------------------------------------------------------
def _clean(name: str, value: Any) -> Any:
    """A cell as a plain Python value: pandas' NaN and NA are None, floats of ints are ints."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if name in _INT_FIELDS:
            return int(value)
    elif type(value).__name__ == "NAType":  # pandas.NA, without importing pandas
        return None
    elif name in _INT_FIELDS and not isinstance(value, int):
        return int(value)  # numpy integers
    elif name == "insured" and not isinstance(value, bool):
        return bool(value)
    return value


def _cells(row: Any) -> dict[str, Any]:
    """The cells of a Spark ``Row``, a pandas ``itertuples`` tuple or a mapping that its
    ``record`` kind reads (all of them when the kind is unknown), as plain values."""
    if isinstance(row, Mapping):
        found: Mapping[str, Any] = row
    elif hasattr(row, "asDict"):
        found = row.asDict()  # one conversion: Row.__getattr__ searches the field list
    elif hasattr(row, "_asdict"):
        found = row._asdict()
    else:
        raise TypeError(f"cannot read an input row of type {type(row).__name__}")
    names = _READS.get(found.get("record"), INPUT_FIELDS)
    cells = {}
    for name in names:
        value = found.get(name)
        # Strings and None are what most cells hold: no cleaning to do (the hot path).
        cells[name] = value if value is None or type(value) is str else _clean(name, value)
    return cells


_READS: dict[Any, tuple[str, ...]] = {
    "event": ("record", "tracking_number", "carrier", *EVENT_FIELDS),
    "shipment": ("record", "tracking_number", "carrier", *SHIPMENT_FIELDS),
}


def _event_dict(tn: Any, carrier: Any, cells: Mapping[str, Any]) -> dict[str, Any]:
    """The dict ``TrackingEvent.parse`` reads, from the flat columns (absent means default)."""
    data: dict[str, Any] = {"tracking_number": tn, "carrier": carrier}
    us = cells["occurred_at_us"]
    data["occurred_at"] = None if us is None else from_micros(us)
    for name in ("utc_offset_minutes", "offset_source", "stage", "status", "reason"):
        if cells[name] is not None:
            data[name] = cells[name]
    if cells["description"] is not None:
        data["description"] = cells["description"]
    location = {
        key: cells[key]
        for key in ("country", "region", "city", "postal_code", "facility")
        if cells[key] is not None
    }
    if location:
        data["location"] = location
    source = {
        key: cells[f"source_{key}"]
        for key in ("system", "status", "substatus", "code", "text")
        if cells[f"source_{key}"] is not None
    }
    if source:
        data["source"] = source
    raw = cells["attributes"]
    if raw is not None and raw != "":
        try:
            data["attributes"] = json.loads(raw)
        except ValueError as exc:
            raise _RowProblem(
                f"attributes is not JSON ({exc}); send a JSON object such as "
                "'{\"damage_ratio\": 0.2}'"
            ) from None
    if cells["event_id"] is not None:
        data["event_id"] = cells["event_id"]
    estimate = cells["estimated_delivery_us"]
    if estimate is not None:
        data["estimated_delivery"] = from_micros(estimate)
    return data


def _shipment_dict(tn: Any, carrier: Any, cells: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"tracking_number": tn, "carrier": carrier}
    for name in SHIPMENT_FIELDS:
        value = cells[name]
        if value is None:
            continue
        if name in _US_FIELDS:
            data[name.removesuffix("_us")] = from_micros(value)
        else:
            data[name] = value
    return data


class _RowProblem(ValueError):
    """A row that cannot be read, with the sentence that says why and what to do."""


class RowRejected(LogixError, ValueError):
    """An input row that is not a valid event or shipment; ``row`` is its output row."""

    def __init__(self, row: dict[str, Any]) -> None:
        super().__init__(row["error"])
        self.row = row


def read_row(row: Any) -> TrackingEvent | Shipment:
    """The event or shipment of one input row (``INPUT_FIELDS``), or ``RowRejected``."""
    cells = _cells(row)
    tn = cells["tracking_number"]
    try:
        if cells["record"] == "shipment":
            return Shipment.parse(_shipment_dict(tn, cells["carrier"], cells))
        if cells["record"] == "event":
            return TrackingEvent.parse(_event_dict(tn, cells["carrier"], cells))
        raise _RowProblem(f"record is {cells['record']!r}; it must be 'event' or 'shipment'")
    except (ValidationError, _RowProblem) as exc:
        raise RowRejected(_rejected(tn, cells, _problem_text(exc))) from None


def _problem_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors(include_url=False):
            where = ".".join(str(p) for p in err["loc"]) or "row"
            parts.append(f"{where}: {err['msg']}")
        return "; ".join(parts)
    return str(exc)


def event_to_input(event: TrackingEvent) -> dict[str, Any]:
    """The flat input row of one event (what ``prepare_input`` makes of its columns)."""
    loc = event.location
    src = event.source
    row: dict[str, Any] = dict.fromkeys(INPUT_FIELDS)
    row.update(
        record="event",
        tracking_number=event.tracking_number,
        carrier=event.carrier,
        occurred_at_us=_micros_of(event.occurred_at),
        utc_offset_minutes=event.utc_offset_minutes,
        offset_source=event.offset_source,
        stage=event.stage.value,
        status=event.status.value,
        reason=None if event.reason is None else event.reason.value,
        description=event.description,
        attributes=json.dumps(event.attributes, sort_keys=True) if event.attributes else None,
        source_system=src.system,
        source_status=src.status,
        source_substatus=src.substatus,
        source_code=src.code,
        source_text=src.text,
        event_id=event.event_id,
        estimated_delivery_us=None
        if event.estimated_delivery is None
        else _micros_of(event.estimated_delivery),
    )
    if loc is not None:
        row.update(
            country=loc.country,
            region=loc.region,
            city=loc.city,
            postal_code=loc.postal_code,
            facility=loc.facility,
        )
    return row


def shipment_to_input(shipment: Shipment) -> dict[str, Any]:
    """The flat input row of one shipment's facts."""
    row: dict[str, Any] = dict.fromkeys(INPUT_FIELDS)
    row.update(
        record="shipment",
        tracking_number=shipment.tracking_number,
        carrier=shipment.carrier,
        origin_country=shipment.origin_country,
        destination_country=shipment.destination_country,
        service_level=shipment.service_level,
        shipped_at_us=None if shipment.shipped_at is None else _micros_of(shipment.shipped_at),
        promised_at_us=None if shipment.promised_at is None else _micros_of(shipment.promised_at),
        declared_value=None if shipment.declared_value is None else str(shipment.declared_value),
        freight_cost=None if shipment.freight_cost is None else str(shipment.freight_cost),
        currency=shipment.currency,
        insured=shipment.insured,
        category=shipment.category,
        order_id=shipment.order_id,
    )
    return row


def _micros_of(moment: Any) -> int:
    from ..core._durations import to_micros

    return int(to_micros(moment))


# -- the pack, shipped as source and compiled once per process ----------------------------------
class PackMismatch(LogixError, RuntimeError):
    """An executor compiled the shipped pack into different rules than the driver did."""


@attrs.frozen
class PackSource:
    """A pack as it travels to executors: its YAML text(s), not compiled code.

    ``files`` holds every file of an ``extends`` chain that is not built in, as
    ``(path relative to a common root, text)``, the pack itself first; ``file`` is
    the name the pack was compiled under on the driver.  Executors compile it once
    per process (``kernel_for``) and compare fingerprints (code, parameter figures and
    severities), so a driver and executors with different logix versions or pack
    files fail loudly instead of disagreeing.
    """

    name: str
    fingerprint: str
    file: str
    files: tuple[tuple[str, str], ...] = ()
    builtin: str | None = None  # a built-in pack, loaded by name on the executor

    @property
    def key(self) -> str:
        """The cache key on executors: the source, and what the driver compiled it to."""
        raw = repr((self.fingerprint, self.builtin, self.file, self.files)).encode()
        digest = hashlib.sha256(raw)
        return digest.hexdigest()[:16]

    @classmethod
    def of(cls, pack: Pack | str | os.PathLike[str]) -> PackSource:
        """The source of a built-in pack name, a pack file path, or a loaded ``Pack``."""
        loaded = pack if isinstance(pack, Pack) else load_pack(os.fspath(pack))
        if loaded.file.startswith("<builtin>/"):
            name = loaded.file.removeprefix("<builtin>/").removesuffix(".yaml")
            if name in BUILTIN_PACKS:
                return cls(loaded.name, loaded.fingerprint, loaded.file, builtin=name)
            text = _builtin_text(name)
            if text is None:
                raise _unshippable(loaded, f"there is no built-in pack file {loaded.file!r}")
            return cls(loaded.name, loaded.fingerprint, loaded.file, ((f"{name}.yaml", text),))
        if loaded.file.startswith("<"):
            raise _unshippable(loaded, f"it was compiled from a string ({loaded.file})")
        chain = [loaded.file, *(f for f in reversed(loaded.extends) if not f.startswith("<"))]
        paths = [Path(f).resolve() for f in chain]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise _unshippable(loaded, f"its file(s) {', '.join(missing)} cannot be read")
        root = Path(os.path.commonpath([p.parent for p in paths]))
        files = tuple((p.relative_to(root).as_posix(), p.read_text("utf-8")) for p in paths)
        source = cls(loaded.name, loaded.fingerprint, loaded.file, files)
        if len(files) == 1:
            # The file may have changed since the pack was loaded: ship what was compiled.
            again = loads_pack(files[0][1], file=loaded.file)
            if again.fingerprint != source.fingerprint:
                raise _unshippable(
                    loaded, f"{loaded.file} changed since it was loaded; load it again"
                )
        return source

    def compile(self) -> Pack:
        if self.builtin is not None:
            pack = load_pack(self.builtin)
        elif len(self.files) == 1:
            pack = loads_pack(self.files[0][1], file=self.file)
        else:
            # A chain of files extending each other by relative paths: lay them out as
            # on the driver so every `extends:` resolves the same way.
            with tempfile.TemporaryDirectory(prefix="logix-pack-") as scratch:
                folder = Path(scratch)
                for rel, text in self.files:
                    target = folder / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, "utf-8")
                pack = loads_pack(self.files[0][1], file=str(folder / self.files[0][0]))
        if pack.fingerprint != self.fingerprint:
            raise PackMismatch(
                f"pack {self.name!r} compiles to {pack.fingerprint} here but to "
                f"{self.fingerprint} on "
                "the driver: the executors run a different version of logix; ship the "
                "driver's environment (see docs/spark.md)"
            )
        return pack


def _builtin_text(name: str) -> str | None:
    resource = importlib.resources.files("logix_rules").joinpath("packs", f"{name}.yaml")
    return resource.read_text("utf-8") if resource.is_file() else None


def _unshippable(pack: Pack, why: str) -> ValueError:
    return ValueError(
        f"pack {pack.name!r} cannot be shipped to Spark executors: {why}. "
        "Pass a built-in pack name or the path of the pack file instead."
    )


_KERNELS: dict[str, Kernel] = {}
_KERNELS_LOCK = threading.Lock()


def kernel_for(source: PackSource) -> Kernel:
    """The kernel of ``source``, compiled at most once per process."""
    kernel = _KERNELS.get(source.key)
    if kernel is None:
        with _KERNELS_LOCK:
            kernel = _KERNELS.get(source.key)
            if kernel is None:
                kernel = _KERNELS[source.key] = Kernel(source.compile())
    return kernel


# -- live states kept between micro-batches ------------------------------------------------------
class StateCache:
    """Deserialized states of recently seen shipments, per process, by tracking number.

    ``Kernel.loads`` decodes a state (version 2: no replay, about twice the cost of
    applying one event), and a stream touches the same shipment again and again, so
    keeping the live object still saves that.  An entry is used only when the bytes
    Spark hands back are exactly the bytes that entry produced, so a retried task, a
    state restored from a checkpoint or a key that moved to another executor simply
    misses and decodes.
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
        return kernel.loads(data)

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
        state = cache.load(kernel, tn or "", data) if cache is not None else kernel.loads(data)
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
    data = kernel.dumps(state)
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
    state = cache.load(kernel, tn, data) if cache is not None else kernel.loads(data)
    before = state.next_due_us
    changes: list[Change] = []
    if before is not None and before <= now_us:
        changes = kernel.fire(state, now_us)[1]
    out: list[dict[str, Any]] = []
    seq = _emit(changes, int(saved[1]), out)
    data = kernel.dumps(state)
    if cache is not None:
        cache.keep(tn, data, state)
    return KeyOutcome((data, seq), out, timer_ms(before), timer_ms(state.next_due_us))


def _emit(changes: list[Change], seq: int, out: list[dict[str, Any]]) -> int:
    for change in changes:
        seq += 1
        out.append(change_row(change, seq))
    return seq


def _us(moment: Any) -> int | None:
    return None if moment is None else _micros_of(moment)


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


def _rejected(tn: Any, cells: Mapping[str, Any], problem: str) -> dict[str, Any]:
    # No `seq`: a rejection is not a change of the parcel's incidents, and a key may
    # have no state to count in.
    row: dict[str, Any] = dict.fromkeys(OUTPUT_FIELDS)
    what = cells.get("record") or "row"
    ident = cells.get("event_id")
    label = f"{what} {ident!r}" if ident else what
    row.update(
        change_type=REJECTED,
        at_us=cells.get("occurred_at_us"),
        tracking_number=tn,
        carrier=cells.get("carrier"),
        error=f"{label} of tracking number {tn!r} rejected: {problem}",
    )
    return row


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
