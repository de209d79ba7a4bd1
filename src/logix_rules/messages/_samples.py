"""Sample incidents of every kind, evaluated by the ``default`` pack: what
``check_templates`` renders every template against, and a start for examples.

Each kind has a short timeline on one cross-border parcel (CN → BR, R$ 120,00
declared, R$ 18,50 freight) whose evaluation opens an incident of that kind; the
texts carry a name and a phone, so masking shows in every audience but the customer.
The ``insurance_missing`` sample is the same parcel declared at R$ 2.400,00 and
not insured, since the advisory needs high-value goods.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Final

import attrs

from logix_carriers import Shipment

from ..compiler._load import load_pack
from ..runtime._engine import evaluate
from ..runtime._incidents import Incident, IncidentState
from ._scenarios import KINDS

__all__ = ["SAMPLE_RECIPIENT", "Sample", "sample_incidents", "sample_shipment"]

_BASE: Final = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
_NUMBER: Final = "LX123456789CN"

#: The customer of the samples: what a customer message may show and others mask.
SAMPLE_RECIPIENT: Final = MappingProxyType(
    {
        "name": "Ana Souza",
        "phone": "+55 11 98765-4321",
        "email": "ana.souza@example.com",
        "address": "Rua das Flores 123, São Paulo",
    }
)


@attrs.frozen
class Sample:
    """An incident of one kind with the shipment and recipient it is about."""

    incident: Incident
    shipment: Shipment
    recipient: MappingProxyType[str, str]


def sample_shipment(**changes: Any) -> Shipment:
    """The parcel every sample is about, with ``changes`` to some of its fields."""
    fields: dict[str, Any] = {
        "tracking_number": _NUMBER,
        "carrier": "cainiao",
        "origin_country": "CN",
        "destination_country": "BR",
        "shipped_at": _BASE,
        "promised_at": _BASE + timedelta(days=12),
        "declared_value": "120.00",
        "freight_cost": "18.50",
        "currency": "BRL",
        "category": "apparel",
        "order_id": "SO-20260302-0042",
    }
    return Shipment(**{**fields, **changes})


def _event(hours: float, status: str, **fields: Any) -> dict[str, Any]:
    return {
        "tracking_number": _NUMBER,
        "carrier": "cainiao",
        "status": status,
        "occurred_at": _BASE + timedelta(hours=hours),
        **fields,
    }


def _scans(start: float, end: float, status: str = "in_transit") -> list[dict[str, Any]]:
    """A scan every 12 h: a parcel that moves, so it does not stall."""
    count = int((end - start) // 12) + 1
    return [_event(start + 12 * i, status) for i in range(count)]


def _report(hours: float, reason: str, text: str) -> dict[str, Any]:
    return _event(
        hours,
        "exception",
        reason=reason,
        description=text,
        source={"system": "customer", "code": reason},
    )


_ACCEPTED: Final = [_event(0, "info_received"), _event(2, "picked_up")]
_ATTEMPT = "Delivery attempt failed: Ana Souza not at home, phone +55 11 98765-4321 unreachable"

#: kind → (events, hours after the base the picture is taken at)
_TIMELINES: Final[dict[str, tuple[list[dict[str, Any]], float]]] = {
    "pickup_delay": ([_event(0, "info_received")], 72),
    "tracking_stall": ([*_ACCEPTED, _event(5, "in_transit")], 31),
    "transit_delay": ([*_ACCEPTED, *_scans(5, 180)], 180),
    "customs_hold": (
        [
            *_ACCEPTED,
            _event(30, "exception", reason="customs_hold", description="Held: CPF missing"),
        ],
        31,
    ),
    "delivery_failure": (
        [
            *_ACCEPTED,
            _event(120, "attempt_failed", reason="recipient_unavailable", description=_ATTEMPT),
        ],
        121,
    ),
    "refused": (
        [
            *_ACCEPTED,
            _event(
                120, "exception", reason="refused", description="Refused by Ana Souza at the door"
            ),
        ],
        121,
    ),
    "lost": ([*_ACCEPTED, _event(40, "exception", reason="lost", description="Declared lost")], 41),
    "damaged": (
        [
            *_ACCEPTED,
            _event(
                50,
                "exception",
                reason="damaged",
                attributes={"damage_ratio": 0.03},
                description="Box crushed; <b>seal</b> broken",
            ),
        ],
        51,
    ),
    "wrong_or_missing_items": (
        [
            *_ACCEPTED,
            _event(130, "delivered"),
            _report(
                140, "wrong_item", "Got a blue shirt instead of red. Ana Souza, +55 11 98765-4321"
            ),
        ],
        141,
    ),
    "false_delivery": (
        [
            *_ACCEPTED,
            _event(130, "delivered"),
            _report(140, "not_received", "Marked delivered but nothing arrived - Ana Souza"),
        ],
        141,
    ),
    "delivery_delay": ([*_ACCEPTED, *_scans(5, 12 * 24 + 4 * 24 + 6)], 12 * 24 + 4 * 24 + 6),
    "returned_to_sender": (
        [
            *_ACCEPTED,
            _event(100, "returning", reason="unclaimed", description="Returning to sender"),
        ],
        101,
    ),
    "tracking_anomaly": ([*_ACCEPTED, _event(100, "delivered"), _event(110, "in_transit")], 111),
    "delivery_at_risk": (
        [
            *_ACCEPTED,
            _event(
                30,
                "in_transit",
                estimated_delivery=_BASE + timedelta(days=14, hours=10),
                description="Arrived at the export hub",
            ),
        ],
        31,
    ),
    "wismo": (
        [
            *_ACCEPTED,
            *_scans(5, 96),
            _report(100, "wismo", "Where is my parcel? Ana Souza, +55 11 98765-4321"),
        ],
        101,
    ),
    "insurance_missing": ([*_ACCEPTED], 3),
}

#: kind → the shipment its sample is about, where the common one does not open it.
_SHIPMENTS: Final[dict[str, dict[str, Any]]] = {
    # high value (at least the pack's high_value, 500 CNY) and not insured, by the OMS
    "insurance_missing": {"declared_value": "2400.00", "insured": False},
}


@lru_cache(maxsize=1)
def sample_incidents() -> MappingProxyType[str, Sample]:
    """One sample per kind of the default pack (``KINDS``), evaluated once and kept."""
    pack = load_pack("default")
    samples: dict[str, Sample] = {}
    for kind in KINDS:
        events, hours = _TIMELINES[kind]
        shipment = sample_shipment(**_SHIPMENTS.get(kind, {}))
        at = _BASE + timedelta(hours=hours)
        found = [i for i in evaluate(pack, events, at=at, shipment=shipment) if i.kind == kind]
        if not found:  # the pack changed under the samples: say so, do not fake one
            raise AssertionError(f"the sample timeline of {kind!r} no longer opens that kind")
        incident = found[0]
        if kind in ("lost", "damaged"):  # a follow-up log, for the moments' templates
            incident = attrs.evolve(
                incident,
                state=IncidentState.ACKNOWLEDGED,
                acknowledged_at=incident.opened_at + timedelta(minutes=4),
                acknowledged_by="li.na",
            )
        samples[kind] = Sample(incident, shipment, SAMPLE_RECIPIENT)
    return MappingProxyType(samples)
