"""What reports read from a store: each parcel's shipment facts (migration 3), and
incidents with the columns only the store knows (their lane, state and closing time).

The kernel's state is binary, so the facts a review groups and times parcels by
(lane, category, destination, promise, declared value, first scan, delivery) are
written beside it, in ``shipment_facts``, whenever they change.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from ..runtime._actions import Action, action_of
from ..runtime._incidents import Incident
from ..runtime._kernel import Kernel
from ..runtime._state import ShipmentState
from ._codec import incident_from_dict, micros, moment
from ._db import Database, Insert, chunks, wall_micros

__all__ = [
    "FACT_COLUMNS",
    "UPSERT_FACTS",
    "IncidentRecord",
    "ShipmentFacts",
    "facts_row",
    "read_actions",
    "read_facts",
    "read_incidents",
    "stamped",
]


def _time(us: int | None) -> datetime | None:
    return None if us is None else moment(int(us))


@attrs.frozen
class ShipmentFacts:
    """One parcel as a review sees it. ``shipped_at`` is the shipment's own, else its
    first carrier scan; ``region`` is the destination country; money is a ``Decimal``."""

    tracking_number: str
    carrier: str
    lane: str | None = None
    category: str | None = None
    region: str | None = None
    shipped_at: datetime | None = None
    promised_at: datetime | None = None
    declared_value: Decimal | None = None
    currency: str | None = None
    first_scan: datetime | None = None
    delivered_at: datetime | None = None


@attrs.frozen
class IncidentRecord:
    """An incident with what its row adds: ``state`` is ``open``, ``acknowledged``,
    ``resolved`` or ``closed`` (its condition stopped holding), ``closed_at`` when it
    stopped needing anyone."""

    incident: Incident
    lane: str | None
    state: str
    closed_at: datetime | None


FACT_COLUMNS = (
    ("tracking_number", "text"),
    ("carrier", "text"),
    ("lane", "text"),
    ("category", "text"),
    ("region", "text"),
    ("shipped_at", "bigint"),
    ("promised_at", "bigint"),
    ("declared_value", "text"),
    ("currency", "text"),
    ("first_scan", "bigint"),
    ("delivered_at", "bigint"),
    ("updated", "bigint"),
)
UPSERT_FACTS = Insert(
    "shipment_facts",
    FACT_COLUMNS,
    "ON CONFLICT (tracking_number) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name, _ in FACT_COLUMNS[1:]),
)


def _money(value: float | None) -> str | None:
    # The kernel keeps money as float; its shortest repr is the decimal it came from.
    return None if value is None else repr(value)


def facts_row(state: ShipmentState) -> tuple[Any, ...]:
    """The ``shipment_facts`` row of a state, without its ``updated`` column (so two
    rows compare equal exactly when nothing a report reads changed)."""
    facts = state.facts
    shipped = facts.shipped_at
    if shipped is None:
        shipped = state.first_event if state.first_event is not None else state.first_scan
    return (
        state.tracking_number,
        state.carrier,
        facts.lane,
        facts.category,
        facts.destination_country,
        shipped,
        facts.promised_at,
        _money(facts.declared_value),
        facts.currency,
        state.first_scan,
        state.delivered_at,
    )


def stamped(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return (*row, wall_micros())


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _facts(row: Sequence[Any]) -> ShipmentFacts:
    tn, carrier, lane, category, region, shipped, promised, value, currency, first, done = row
    return ShipmentFacts(
        tracking_number=tn,
        carrier=carrier,
        lane=lane,
        category=category,
        region=region,
        shipped_at=_time(shipped),
        promised_at=_time(promised),
        declared_value=_decimal(value),
        currency=currency,
        first_scan=_time(first),
        delivered_at=_time(done),
    )


_FACT_NAMES = ", ".join(name for name, _ in FACT_COLUMNS[:-1])


def read_facts(
    db: Database,
    *,
    since: datetime | None,
    until: datetime | None,
    tracking_numbers: Sequence[str] = (),
) -> list[ShipmentFacts]:
    """Parcels shipped, promised or delivered in ``[since, until)`` (every parcel when
    both are None), and those named, in tracking-number order."""
    found: dict[str, ShipmentFacts] = {}
    lo = micros(since) if since is not None else None
    hi = micros(until) if until is not None else None
    where, params = [], []
    for column in ("shipped_at", "promised_at", "delivered_at"):
        parts = [f"{column} IS NOT NULL"]
        if lo is not None:
            parts.append(f"{column} >= ?")
            params.append(lo)
        if hi is not None:
            parts.append(f"{column} < ?")
            params.append(hi)
        where.append("(" + " AND ".join(parts) + ")")
    sql = f"SELECT {_FACT_NAMES} FROM shipment_facts WHERE {' OR '.join(where)}"
    for row in db.execute(sql, params):
        found[row[0]] = _facts(row)
    wanted = sorted(set(tracking_numbers) - found.keys())
    for part in chunks(wanted):
        match, part_params = db.in_list(part)
        for row in db.execute(
            f"SELECT {_FACT_NAMES} FROM shipment_facts WHERE tracking_number {match}", part_params
        ):
            found[row[0]] = _facts(row)
    return [found[tn] for tn in sorted(found)]


def read_incidents(
    db: Database, *, since: datetime | None, until: datetime | None, tracking_numbers: Sequence[str]
) -> list[IncidentRecord]:
    """Incidents opened in ``[since, until)`` (every one when both are None) and every
    incident of the parcels named, in any state, oldest first."""
    where, params = ["1 = 1"], []
    if since is not None:
        where.append("opened_at >= ?")
        params.append(micros(since))
    if until is not None:
        where.append("opened_at < ?")
        params.append(micros(until))
    columns = "id, lane, state, closed_at, snapshot"
    rows = list(db.execute(f"SELECT {columns} FROM incidents WHERE {' AND '.join(where)}", params))
    for part in chunks(sorted(set(tracking_numbers))):
        match, part_params = db.in_list(part)
        rows += db.execute(
            f"SELECT {columns} FROM incidents WHERE tracking_number {match}", part_params
        )
    out: dict[str, IncidentRecord] = {}
    for ident, lane, state, closed_at, snapshot in rows:
        if ident not in out:
            incident = incident_from_dict(json.loads(snapshot))
            out[ident] = IncidentRecord(incident, lane, state, _time(closed_at))
    return sorted(out.values(), key=lambda r: (r.incident.opened_at, r.incident.id))


def backfill_facts(db: Database, kernel: Kernel) -> int:
    """Write the facts row of every parcel that has none (those last written before
    migration 3), from its state; return how many, in batches of 1,000 parcels."""
    written = 0
    while True:
        with db.transaction(write=True):
            rows = db.execute(
                "SELECT s.tracking_number, s.state FROM shipments s WHERE s.state IS NOT NULL "
                "AND NOT EXISTS (SELECT 1 FROM shipment_facts f "
                "WHERE f.tracking_number = s.tracking_number) LIMIT 1000"
            )
            if not rows:
                return written
            facts = [stamped(facts_row(kernel.loads(bytes(blob)))) for _, blob in rows]
            db.insert(UPSERT_FACTS, facts)
        written += len(facts)


def read_actions(db: Database, incident_ids: Sequence[str]) -> dict[str, list[Action]]:
    """The follow-up logs of the incidents named, oldest action first."""
    out: dict[str, list[Action]] = {}
    for part in chunks(sorted(set(incident_ids))):
        match, params = db.in_list(part)
        for ident, what, by, at, note, cause in db.execute(
            "SELECT incident_id, what, by_name, at, note, cause FROM actions "
            f"WHERE incident_id {match} ORDER BY incident_id, n",
            params,
        ):
            out.setdefault(ident, []).append(action_of(ident, (what, by, int(at), note, cause)))
    return out
