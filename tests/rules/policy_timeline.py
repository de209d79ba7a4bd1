"""Timelines for the issue-13 policy tests (money, cause, loss): one parcel ``TN1``
whose clock starts at ``T0``, events as plain dicts, ``incidents`` keyed by kind."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from logix_rules import Incident, evaluate, load_pack

PACK = load_pack("default")
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
#: One minute before, at and one minute after a boundary.
AROUND = (-MINUTE, timedelta(0), MINUTE)


def h(hours: float) -> datetime:
    """The instant ``hours`` after ``T0``."""
    return T0 + timedelta(hours=hours)


def scan(
    status: str,
    hours: float,
    *,
    reason: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    system: str = "dhl",
) -> dict[str, Any]:
    """A carrier scan (or, with ``system='customer'``, a report)."""
    event: dict[str, Any] = {
        "tracking_number": "TN1",
        "carrier": "dhl",
        "occurred_at": h(hours).isoformat(),
        "status": status,
        "source": {"system": system},
    }
    if reason is not None:
        event["reason"] = reason
    if attributes is not None:
        event["attributes"] = dict(attributes)
    return event


def shipment(**facts: Any) -> dict[str, Any]:
    """A domestic German parcel worth 100.00 CNY with 10.00 CNY freight, unless told."""
    out: dict[str, Any] = {
        "tracking_number": "TN1",
        "carrier": "dhl",
        "origin_country": "DE",
        "destination_country": "DE",
        "shipped_at": T0.isoformat(),
        "freight_cost": "10.00",
        "declared_value": "100.00",
        "currency": "CNY",
    }
    out.update(facts)
    return out


def incidents(
    events: list[dict[str, Any]], at: datetime, ship: dict[str, Any] | None = None
) -> dict[str, Incident]:
    """``evaluate`` keyed by kind (and proof that each kind has a single incident)."""
    found = evaluate(PACK, events, at=at, shipment=ship)
    by_kind = {incident.kind: incident for incident in found}
    assert len(by_kind) == len(found)
    return by_kind
