"""The review's view of its data: which parcels shipped in a period, which incidents
opened in it, and the group (carrier, lane...) each belongs to."""

from __future__ import annotations

import bisect
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

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
        # Sorted by time, so a period's parcels or incidents are one bisection away
        # (every section asks for them, for several periods).
        dated = sorted(
            (f for f in data.parcels.values() if f.shipped_at is not None),
            key=lambda f: (f.shipped_at, f.tracking_number),
        )
        self._parcels = dated
        self._shipped_at = [f.shipped_at for f in dated]
        incidents = data.incidents
        self._incidents = sorted(incidents, key=lambda r: (r.incident.opened_at, r.incident.id))
        self._opened_at = [r.incident.opened_at for r in self._incidents]
        self._cache: dict[tuple[str, datetime, datetime], list[Any]] = {}

    def shipped(self, period: Period) -> list[ShipmentFacts]:
        """Parcels shipped in the period (the denominators of the rates)."""
        return self._slice("shipped", period, self._parcels, self._shipped_at)

    def opened(self, period: Period) -> list[IncidentRecord]:
        """Incidents opened in the period, oldest first."""
        return self._slice("opened", period, self._incidents, self._opened_at)

    def _slice(self, name: str, period: Period, items: list[Any], keys: list[Any]) -> list[Any]:
        key = (name, period.since, period.until)
        found = self._cache.get(key)
        if found is None:
            low = bisect.bisect_left(keys, period.since)
            found = self._cache[key] = items[low : bisect.bisect_left(keys, period.until)]
        return list(found)

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
