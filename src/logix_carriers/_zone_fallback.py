"""Where a scan that names no readable place is assumed to have happened.

A scan is never dropped for want of a zone.  When its own place says nothing
usable (a DHL Parcel DE event with no location, an AfterShip checkpoint without
``country_region``), its wall-clock time is read, in this order, in:

1. the shipment's country for the scan's leg: the destination for last-mile,
   delivery and customs (import) scans, the origin for pre-transit and first-mile
   scans and for a parcel returned to its sender; either country when both are
   the same (a domestic parcel), whatever the leg;
2. the carrier's home zone (DHL Parcel DE: ``Europe/Berlin``).

Each guess is ``offset_source="assumed"`` and comes with a note that adapters
file as a ``partial_data`` problem for the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._country_codes import to_alpha2
from ._local_time import resolve_local_time
from ._taxonomy import Stage, Status

__all__ = ["ZoneFallback", "leg_of"]

_DESTINATION_STAGES = frozenset({Stage.LAST_MILE, Stage.CUSTOMS})
_ORIGIN_STAGES = frozenset({Stage.PRE_TRANSIT, Stage.FIRST_MILE})


def leg_of(stage: Stage | None, status: Status | None) -> str | None:
    """``"destination"``, ``"origin"`` or None (line haul, returns, unknown) for a scan."""
    if status == Status.DELIVERED or stage in _DESTINATION_STAGES:
        return "destination"
    if status == Status.RETURNED or stage in _ORIGIN_STAGES:
        return "origin"
    return None


@dataclass(frozen=True)
class ZoneFallback:
    """What places a scan without a readable place: the shipment's two countries
    and the carrier's home zone (an IANA name), any of them unknown.

    Countries are spelled as carriers send them (``"DE"``, ``"DEU"``, ``"Germany"``)
    and normalized to alpha-2; ``home_label`` names the home zone in notes
    (``"DHL Parcel DE's home zone"``).
    """

    origin_country: str | None = None
    destination_country: str | None = None
    home_zone: str | None = None
    home_label: str = "the carrier's home zone"

    def __post_init__(self) -> None:
        object.__setattr__(self, "origin_country", to_alpha2(self.origin_country))
        object.__setattr__(self, "destination_country", to_alpha2(self.destination_country))
        if self.home_zone is not None:
            try:
                ZoneInfo(self.home_zone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"home_zone {self.home_zone!r} is not an IANA zone") from exc

    def or_else(self, other: ZoneFallback | None) -> ZoneFallback:
        """This fallback with the gaps filled from ``other`` (e.g. what the caller knows)."""
        if other is None:
            return self
        return ZoneFallback(
            self.origin_country or other.origin_country,
            self.destination_country or other.destination_country,
            self.home_zone or other.home_zone,
            self.home_label if self.home_zone else other.home_label,
        )

    def leg_country(self, stage: Stage | None, status: Status | None) -> tuple[str, str] | None:
        """``(country, "origin"/"destination"/"domestic")`` for a scan, or None."""
        origin, destination = self.origin_country, self.destination_country
        if origin is not None and origin == destination:
            return origin, "domestic"
        leg = leg_of(stage, status)
        if leg == "destination" and destination is not None:
            return destination, leg
        if leg == "origin" and origin is not None:
            return origin, leg
        return None

    def place(
        self,
        naive: datetime,
        *,
        stage: Stage | None = None,
        status: Status | None = None,
        given_country: str | None = None,
    ) -> tuple[datetime, str] | None:
        """``(aware moment, note)`` for a scan without a readable place, or None."""
        said = f"names an unknown country {given_country!r}" if given_country else "names no place"
        leg = self.leg_country(stage, status)
        if leg is not None:
            country, which = leg
            local = resolve_local_time(naive, country=country)
            if local is not None:
                whose = "the shipment's country" if which == "domestic" else f"the {which} country"
                return local.moment, (
                    f"the scan {said}; its time {naive.isoformat()} was read in {whose} "
                    f"{country} ({local.zone}), an assumption"
                )
        if self.home_zone is not None:
            moment = naive.replace(tzinfo=ZoneInfo(self.home_zone))
            return moment, (
                f"the scan {said}; its time {naive.isoformat()} was read in {self.home_label} "
                f"({self.home_zone}), an assumption"
            )
        return None
