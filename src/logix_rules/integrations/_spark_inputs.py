"""The flat rows of the Spark integration: their columns, and reading them into
events and shipments (``read_row``) or writing events and shipments as rows.

Rows crossing the Python boundary use a flat layout with every instant as an
``int`` of microseconds since the epoch: Spark hands Python timestamps as naive or
aware datetimes depending on the API and the version, and rounds them to the
session time zone on the way; integers need no such care and keep microseconds.
``logix_rules.spark`` converts to and from ``TIMESTAMP`` columns in SQL.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from logix_carriers import Shipment, TrackingEvent

from ..core._durations import from_micros
from ..core._errors import LogixError

__all__ = [
    "EVENT_FIELDS",
    "INPUT_FIELDS",
    "OUTPUT_FIELDS",
    "REJECTED",
    "SHIPMENT_FIELDS",
    "RowRejected",
    "event_to_input",
    "micros_of",
    "read_row",
    "shipment_to_input",
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
        occurred_at_us=micros_of(event.occurred_at),
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
        else micros_of(event.estimated_delivery),
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
        shipped_at_us=None if shipment.shipped_at is None else micros_of(shipment.shipped_at),
        promised_at_us=None if shipment.promised_at is None else micros_of(shipment.promised_at),
        declared_value=None if shipment.declared_value is None else str(shipment.declared_value),
        freight_cost=None if shipment.freight_cost is None else str(shipment.freight_cost),
        currency=shipment.currency,
        insured=shipment.insured,
        category=shipment.category,
        order_id=shipment.order_id,
    )
    return row


def micros_of(moment: Any) -> int:
    from ..core._durations import to_micros

    return int(to_micros(moment))


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
