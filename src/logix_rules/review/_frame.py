"""The review's view of its data: which parcels shipped in a period, which incidents
opened in it, and the group (carrier, lane...) each belongs to."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from ..runtime._actions import Action
from ..store._facts import IncidentRecord, ShipmentFacts
from ._figures import Period
from ._input import ReviewData, cause_of

__all__ = ["DIMENSIONS", "PARTITIONS", "UNKNOWN", "Frame"]

#: The dimensions statistics are broken down by, in report order.
DIMENSIONS = ("kind", "carrier", "lane", "category", "region", "cause")
#: Those that split parcels (each parcel in exactly one group); kind and cause split
#: incidents only, as a parcel may have several.
PARTITIONS = ("carrier", "lane", "category", "region")
#: The group of a parcel or incident whose fact is not known.
UNKNOWN = "unknown"


class Frame:
    """Indexes over ``ReviewData`` for the queries every section makes."""

    def __init__(self, data: ReviewData) -> None:
        self.data = data
        self.by_parcel: dict[str, list[IncidentRecord]] = {}
        for record in data.incidents:
            self.by_parcel.setdefault(record.incident.tracking_number, []).append(record)

    def shipped(self, period: Period) -> list[ShipmentFacts]:
        """Parcels shipped in the period (the denominators of the rates)."""
        return [f for f in self.data.parcels.values() if f.shipped_at in period]

    def opened(self, period: Period) -> list[IncidentRecord]:
        """Incidents opened in the period."""
        return [r for r in self.data.incidents if r.incident.opened_at in period]

    def excepted(
        self, parcel: ShipmentFacts, before: datetime, kinds: Collection[str] | None = None
    ) -> bool:
        """Whether the parcel had an incident (of ``kinds``) opened before ``before``."""
        return any(
            r.incident.opened_at < before and (kinds is None or r.incident.kind in kinds)
            for r in self.by_parcel.get(parcel.tracking_number, ())
        )

    def kinds_of(self, parcel: ShipmentFacts, before: datetime) -> set[str]:
        return {
            r.incident.kind
            for r in self.by_parcel.get(parcel.tracking_number, ())
            if r.incident.opened_at < before
        }

    def causes_of(self, parcel: ShipmentFacts, before: datetime) -> set[str]:
        return {
            cause_of(r.incident)
            for r in self.by_parcel.get(parcel.tracking_number, ())
            if r.incident.opened_at < before
        }

    def parcel_key(self, dimension: str, parcel: ShipmentFacts) -> str:
        value = {
            "carrier": parcel.carrier,
            "lane": parcel.lane,
            "category": parcel.category,
            "region": parcel.region,
        }[dimension]
        return value or UNKNOWN

    def incident_key(self, dimension: str, record: IncidentRecord) -> str:
        incident = record.incident
        if dimension == "kind":
            return incident.kind
        if dimension == "cause":
            return cause_of(incident)
        parcel = self.data.parcels.get(incident.tracking_number)
        if parcel is not None:
            return self.parcel_key(dimension, parcel)
        if dimension == "carrier":
            return incident.carrier
        if dimension == "lane":
            return record.lane or UNKNOWN
        return UNKNOWN

    def actions(self, incident_id: str) -> Sequence[Action]:
        return self.data.actions.get(incident_id, ())
