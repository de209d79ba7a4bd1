"""A small hand-built history whose every figure is worked out by hand in the tests.

The period is the week ``SINCE`` – ``UNTIL`` (Monday 2 March 2026 to Monday 9 March);
the previous one is the week before.  Five parcels (P5 shipped the week before) and six
incidents (I6 on a parcel the review has no facts of):

======  =======  ======  =========  ==============  =================  ==============
parcel  carrier  lane    category   shipped         promised           delivered
======  =======  ======  =========  ==============  =================  ==============
P1      dhl      DE-DE   apparel    03-02 10:00     03-04 12:00        03-04 10:00
P2      dhl      DE-DE   electro.   03-03 08:00     03-05 00:00        03-06 00:00
P3      ups      US-US   apparel    03-04 09:00     03-07 00:00        –
P4      ups      US-US   home       03-05 00:00     03-12 00:00        03-08 00:00
P5      dhl      DE-DE   –          02-25 00:00     03-03 00:00        03-02 12:00
======  =======  ======  =========  ==============  =================  ==============
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType

from logix_rules import Incident
from logix_rules.review import IncidentRecord, ReviewData, ShipmentFacts
from logix_rules.runtime._actions import Action
from logix_rules.runtime._incidents import (
    Evidence,
    EvidenceEvent,
    IncidentState,
    Remedy,
    RemedyItem,
)

SINCE = datetime(2026, 3, 2, tzinfo=UTC)
UNTIL = datetime(2026, 3, 9, tzinfo=UTC)


def at(month: int, day: int, hour: float = 0) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC) + timedelta(hours=hour)


def parcel(
    tn: str,
    carrier: str,
    lane: str,
    category: str | None,
    shipped: datetime,
    promised: datetime,
    delivered: datetime | None,
    first_scan: datetime,
    value: str,
    currency: str,
) -> ShipmentFacts:
    return ShipmentFacts(
        tracking_number=tn,
        carrier=carrier,
        lane=lane,
        category=category,
        region=lane[-2:],
        shipped_at=shipped,
        promised_at=promised,
        declared_value=Decimal(value),
        currency=currency,
        first_scan=first_scan,
        delivered_at=delivered,
    )


def incident(
    ident: str,
    tn: str,
    carrier: str,
    kind: str,
    opened: datetime,
    resolve_by: datetime,
    *,
    state: IncidentState = IncidentState.OPEN,
    acknowledged: datetime | None = None,
    resolved: datetime | None = None,
    deadlines: dict[str, datetime] | None = None,
    remedy: tuple[str, str, str] | None = None,
    source: str = "carrier",
) -> Incident:
    items = () if remedy is None else (RemedyItem(remedy[0], Decimal(remedy[1]), remedy[2]),)
    return Incident(
        id=ident,
        tracking_number=tn,
        carrier=carrier,
        kind=kind,
        severity="P2",
        rules=(kind,),
        opened_at=opened,
        respond_by=opened + timedelta(minutes=15),
        resolve_by=resolve_by,
        escalate_at=opened + timedelta(hours=2),
        deadlines=MappingProxyType(deadlines or {}),
        remedy=None if remedy is None else Remedy(remedy[0], "", items),
        evidence=Evidence(
            kind,
            0,
            MappingProxyType({}),
            (EvidenceEvent(f"e-{ident}", opened, "exception", None, source),),
        ),
        explanation="",
        state=state,
        acknowledged_at=acknowledged,
        acknowledged_by=None if acknowledged is None else "ana",
        resolved_at=resolved,
        resolved_by=None if resolved is None else "ana",
    )


PARCELS = (
    parcel("P1", "dhl", "DE-DE", "apparel", at(3, 2, 10), at(3, 4, 12), at(3, 4, 10),
           at(3, 2, 12), "100", "EUR"),
    parcel("P2", "dhl", "DE-DE", "electronics", at(3, 3, 8), at(3, 5), at(3, 6),
           at(3, 3, 12), "300", "EUR"),
    parcel("P3", "ups", "US-US", "apparel", at(3, 4, 9), at(3, 7), None,
           at(3, 4, 10), "50", "USD"),
    parcel("P4", "ups", "US-US", "home", at(3, 5), at(3, 12), at(3, 8),
           at(3, 5), "80", "USD"),
    parcel("P5", "dhl", "DE-DE", None, at(2, 25), at(3, 3), at(3, 2, 12),
           at(2, 25), "40", "EUR"),
)  # fmt: skip

I1 = incident(
    "I1", "P2", "dhl", "delivery_delay", at(3, 5), at(3, 5, 8),
    state=IncidentState.RESOLVED, acknowledged=at(3, 5, 0.5), resolved=at(3, 5, 3),
    remedy=("freight_coupon", "10", "EUR"),
)  # fmt: skip
I2 = incident(
    "I2", "P3", "ups", "delivery_delay", at(3, 7), at(3, 7, 8),
    state=IncidentState.RESOLVED, acknowledged=at(3, 7, 2), resolved=at(3, 7, 10),
    remedy=("sla_compensation", "2.50", "USD"),
)  # fmt: skip
I3 = incident("I3", "P3", "ups", "tracking_stall", at(3, 6), at(3, 7))
I4 = incident(
    "I4", "P4", "ups", "damaged", at(3, 8, 6), at(3, 8, 8),
    deadlines={"claim": at(3, 8, 20)}, remedy=("compensation", "80", "USD"), source="customer",
)  # fmt: skip
I5 = incident(
    "I5", "P5", "dhl", "tracking_stall", at(2, 27), at(2, 28),
    state=IncidentState.RESOLVED, resolved=at(2, 27, 6),
)  # fmt: skip
I6 = incident("I6", "PX", "usps", "refused", at(3, 3, 12), at(3, 4, 12))

RECORDS = (
    IncidentRecord(I1, "DE-DE", "resolved", at(3, 5, 3)),
    IncidentRecord(I2, "US-US", "resolved", at(3, 7, 10)),
    IncidentRecord(I3, "US-US", "closed", at(3, 6, 20)),  # a new scan ended the stall
    IncidentRecord(I4, "US-US", "open", None),
    IncidentRecord(I5, "DE-DE", "resolved", at(2, 27, 6)),
    IncidentRecord(I6, None, "open", None),
)

ACTIONS = (
    Action("I1", "acknowledged", "ana", at(3, 5, 0.5)),
    Action("I1", "resolved", "ana", at(3, 5, 3)),
    Action("I2", "acknowledged", "ben", at(3, 7, 2)),
    Action("I2", "customer_contacted", "ben", at(3, 7, 5)),
    Action("I2", "resolved", "ben", at(3, 7, 10)),
    Action("I4", "claim_filed", "ana", at(3, 8, 19)),
    Action("I5", "resolved", "ana", at(2, 27, 6)),
)


def history() -> ReviewData:
    return ReviewData.from_lists(shipments=PARCELS, incidents=RECORDS, actions=ACTIONS)
