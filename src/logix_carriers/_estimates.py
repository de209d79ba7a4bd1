"""Reading a carrier's estimated delivery into an aware datetime.

Carriers give the estimate as an instant with an offset (17TRACK, AfterShip's
newer fields), as local wall time (DHL) or as a bare date (UPS, AfterShip's
``expected_delivery``).  A wall time is read in the destination's zone (through
the same :class:`~logix_carriers._zone_fallback.ZoneFallback` as scans, taken as
a last-mile moment); a bare date means "by the end of that day" there, 23:59:59.
"""

from __future__ import annotations

from datetime import date, datetime, time

from ._local_time import bounded_utc, resolve_local_time
from ._shown import shown as _shown
from ._taxonomy import Stage
from ._zone_fallback import ZoneFallback

__all__ = ["END_OF_DAY", "read_estimate"]

#: The wall time a date-only estimate stands for: the end of that day.
END_OF_DAY = time(23, 59, 59)


def _parse(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, END_OF_DAY)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"estimate missing (got {_shown(value)})")
    text = value.strip()
    try:
        if len(text) == 10:  # YYYY-MM-DD
            return datetime.combine(date.fromisoformat(text), END_OF_DAY)
        return datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError(f"estimate {_shown(text)} is not an ISO-8601 date or time") from None


def read_estimate(
    value: object,
    *,
    fallback: ZoneFallback | None = None,
    country: str | None = None,
    region: str | None = None,
    city: str | None = None,
) -> datetime:
    """``value`` (ISO string, date or datetime) as an aware datetime in UTC.

    A local value is read at the destination: its ``country``/``region``/``city``
    when the carrier gives them, else ``fallback`` (as a last-mile moment).  Raises
    ``ValueError`` when it is unreadable, out of the supported range, or local with
    nothing to place it by.
    """
    moment = _parse(value)
    if moment.tzinfo is None or moment.utcoffset() is None:
        local = resolve_local_time(moment, country=country, region=region, city=city)
        placed = (local.moment, "") if local is not None else None
        if placed is None and fallback is not None:
            placed = fallback.place(moment, stage=Stage.LAST_MILE)
        if placed is None:
            raise ValueError(
                f"estimate {moment.isoformat()} has no UTC offset and the shipment's "
                "destination is unknown"
            )
        moment = placed[0]
    return bounded_utc(moment, "estimate")
