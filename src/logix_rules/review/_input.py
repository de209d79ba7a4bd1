"""What a review reads: parcels (their facts), incidents and follow-up actions, from a
store or from plain lists, for the window a report needs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import attrs

from logix_carriers import Shipment

from ..runtime._actions import Action
from ..runtime._incidents import Incident, IncidentState
from ..store._facts import IncidentRecord, ShipmentFacts
from ..store._store import Store

__all__ = ["ReviewData", "cause_of", "facts_of_shipment", "load_window"]

#: How far back a report reads before its period: the previous period of the same
#: length, the eight weeks of the weekly chart and the 30 days of the lane flags.
_CHART_WEEKS = 8

_STATE_OF = {
    IncidentState.OPEN: "open",
    IncidentState.ACKNOWLEDGED: "acknowledged",
    IncidentState.RESOLVED: "resolved",
    IncidentState.CLEARED: "closed",
}


def cause_of(incident: Incident) -> str:
    """The incident's cause (``carrier``, ``customer``, ...), ``unknown`` until the
    engine records one."""
    cause = getattr(incident, "cause", None)
    return str(cause) if cause else "unknown"


def facts_of_shipment(
    shipment: Shipment,
    *,
    first_scan: datetime | None = None,
    delivered_at: datetime | None = None,
) -> ShipmentFacts:
    """A ``Shipment`` as a review reads it (its scan times, when known, given apart)."""
    return ShipmentFacts(
        tracking_number=shipment.tracking_number,
        carrier=shipment.carrier,
        lane=shipment.lane,
        category=shipment.category,
        region=shipment.destination_country,
        shipped_at=shipment.shipped_at,
        promised_at=shipment.promised_at,
        declared_value=shipment.declared_value,
        currency=shipment.currency,
        first_scan=first_scan,
        delivered_at=delivered_at,
    )


def load_window(since: datetime, until: datetime) -> datetime:
    """The earliest instant a report over ``[since, until)`` reads."""
    length = until - since
    return min(since - length, until - timedelta(weeks=_CHART_WEEKS), until - timedelta(days=30))


@attrs.frozen
class ReviewData:
    """Parcels by tracking number, incidents (with their lane, state and closing time)
    and each incident's follow-up log."""

    parcels: Mapping[str, ShipmentFacts]
    incidents: tuple[IncidentRecord, ...]
    actions: Mapping[str, Sequence[Action]]

    def without_kinds(self, kinds: tuple[str, ...]) -> ReviewData:
        """The same data without the incidents of ``kinds``."""
        if not kinds or not any(r.incident.kind in kinds for r in self.incidents):
            return self
        kept = tuple(r for r in self.incidents if r.incident.kind not in kinds)
        return attrs.evolve(self, incidents=kept)

    @classmethod
    def from_store(cls, store: Store, *, since: datetime, until: datetime) -> ReviewData:
        """What a report over ``[since, until)`` needs, read through the store's indexes."""
        # Parcels: those of this period, the previous one and the two weeks of the
        # week-over-week change; incidents: the whole window (the weekly chart and the
        # lane flags need only their kind, carrier and lane, which their rows carry).
        start = load_window(since, until)
        recent = min(since - (until - since), until - timedelta(days=14))
        facts = store.shipment_facts(since=recent, until=until)
        records = store.incident_records(
            since=start, until=until, tracking_numbers=[f.tracking_number for f in facts]
        )
        known = {f.tracking_number for f in facts}
        missing = sorted(
            {r.incident.tracking_number for r in records if r.incident.opened_at >= recent} - known
        )
        if missing:
            facts += store.shipment_facts(tracking_numbers=missing)
        actions = store.actions_of([r.incident.id for r in records])
        return cls({f.tracking_number: f for f in facts}, tuple(records), actions)

    @classmethod
    def from_lists(
        cls,
        *,
        shipments: Iterable[Shipment | ShipmentFacts] = (),
        incidents: Iterable[Incident | IncidentRecord] = (),
        actions: Iterable[Action] = (),
    ) -> ReviewData:
        """From plain lists, for users without a store.  A ``Shipment`` has no scan
        times, so its transit time is unknown: pass ``ShipmentFacts`` to give them."""
        parcels: dict[str, ShipmentFacts] = {}
        for item in shipments:
            facts = facts_of_shipment(item) if isinstance(item, Shipment) else item
            parcels[facts.tracking_number] = facts
        records = []
        for given in incidents:
            if isinstance(given, IncidentRecord):
                records.append(given)
                continue
            parcel = parcels.get(given.tracking_number)
            closed = given.resolved_at if given.state is IncidentState.RESOLVED else None
            lane = None if parcel is None else parcel.lane
            records.append(IncidentRecord(given, lane, _STATE_OF[given.state], closed))
        logs: dict[str, list[Action]] = {}
        for action in sorted(actions, key=lambda a: a.at):
            logs.setdefault(action.incident_id, []).append(action)
        records.sort(key=lambda r: (r.incident.opened_at, r.incident.id))
        return cls(parcels, tuple(records), logs)
