"""Reading a carrier's timestamp into an aware datetime: the helpers adapters use.

:func:`read_carrier_time` takes an ISO-8601 string; :func:`place_naive` a wall-clock
``datetime``.  A timestamp with an offset keeps it (``offset_source="carrier"``);
a naive one is placed by the event's own place (``"location"``, see
:mod:`logix_carriers._local_time`), or else by a :class:`ZoneFallback` (the
shipment's country for the scan's leg, then the carrier's home zone; ``"assumed"``).
A scan is never lost for want of a zone when the adapter gives a fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ._local_time import bounded_utc, resolve_local_time
from ._shown import shown as _shown
from ._taxonomy import Stage, Status
from ._zone_fallback import ZoneFallback

__all__ = ["TimeReading", "ZoneFallback", "place_naive", "read_carrier_time", "utc_offset"]

_OFFSET = re.compile(r"^([+-])(\d{1,2}):?(\d{2})$")


@dataclass(frozen=True)
class TimeReading:
    """A carrier timestamp made aware, and where its offset came from.

    ``offset_source`` is ``"carrier"`` (the timestamp had an offset),
    ``"location"`` (placed by the event's own place) or ``"assumed"`` (a
    principal zone, or a fallback: the shipment's country for that leg, the
    carrier's home zone).  ``note`` is set when the offset is a guess; adapters
    turn it into a ``partial_data`` problem for the number so the guess is visible.
    """

    moment: datetime
    offset_source: str
    note: str = ""


def read_carrier_time(
    value: object,
    *,
    country: str | None,
    city: str | None = None,
    region: str | None = None,
    fallback: ZoneFallback | None = None,
    stage: Stage | None = None,
    status: Status | None = None,
) -> TimeReading:
    """An ISO-8601 carrier timestamp as an aware datetime.

    A timestamp with an offset is taken as is (``offset_source="carrier"``); a naive
    one is placed by :func:`place_naive`.  Raises ``ValueError`` with a sentence fit
    for a problem report when the value is not ISO-8601, is outside the supported
    range (see ``bounded_utc``), or is naive with nothing to place it by.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"timestamp missing (got {_shown(value)})")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError(f"timestamp {_shown(text)} is not ISO-8601") from None
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        bounded_utc(moment)
        return TimeReading(moment, "carrier")
    return place_naive(
        moment,
        country=country,
        city=city,
        region=region,
        fallback=fallback,
        stage=stage,
        status=status,
    )


def place_naive(
    naive: datetime,
    *,
    country: str | None,
    city: str | None = None,
    region: str | None = None,
    fallback: ZoneFallback | None = None,
    stage: Stage | None = None,
    status: Status | None = None,
) -> TimeReading:
    """``naive`` (a wall-clock time) placed in a zone, saying how sure that is.

    The event's own place comes first (``"location"``; ``"assumed"`` when only a
    multi-zone country is known).  Without a readable place, ``fallback`` gives the
    shipment's country for the scan's leg (``stage``/``status`` tell the leg), then
    the carrier's home zone, both ``"assumed"`` with a note.  ``ValueError`` names
    what is missing when nothing places it (or when the time is out of range).
    """
    local = resolve_local_time(naive, country=country, city=city, region=region)
    if local is not None:
        bounded_utc(local.moment)
        source = "assumed" if local.assumed else "location"
        return TimeReading(local.moment, source, local.note if local.ambiguous else "")
    if fallback is not None:
        placed = fallback.place(naive, stage=stage, status=status, given_country=country)
        if placed is not None:
            moment, note = placed
            bounded_utc(moment)
            return TimeReading(moment, "assumed", note)
    where = f"country {_shown(country)}" if country else "no country"
    raise ValueError(
        f"timestamp {naive.isoformat()} has no UTC offset and the event has {where} "
        "to place it in a time zone"
    )


def utc_offset(value: object, field: str) -> timezone:
    """A carrier's ``±HH:MM`` (or ``±HHMM``) UTC offset; ``ValueError`` names ``field``."""
    match = _OFFSET.match(str(value or "").strip())
    if match is None:
        raise ValueError(f"{field} {value!r} is not ±HH:MM")
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-delta if sign == "-" else delta)
