"""Reading UPS's dates, times, places and statuses into events (Track API and Track Alert).

UPS writes dates as ``YYYYMMDD`` and times as ``HHMMSS`` (dropping the leading zero of
early hours), offsets as ``±HH:MM``; :func:`event_of` turns one activity's status,
time and place into an event or a problem.  Shared by :mod:`._ups` and
:mod:`._ups_alert`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .._carrier_time import TimeReading, ZoneFallback, utc_offset
from .._country_codes import to_alpha2
from .._mapped_event import keep_event, place_event_time
from .._parse_guard import text_of
from .._status_maps import Mapped
from .._taxonomy import Status
from .._track_result import ProblemCode, TrackResultBuilder
from ._ups_codes import map_activity, status_code_key

__all__ = [
    "HOME_ZONE",
    "SYSTEM",
    "activity_time",
    "event_of",
    "location_of",
    "naive_of",
    "number_of",
    "parse_date",
    "parse_time",
    "text_of",
]

SYSTEM = "ups"
#: Where a UPS scan with no readable place is assumed to be, absent a better guess.
HOME_ZONE = "America/New_York"


# -- time ------------------------------------------------------------------------------


def parse_date(value: Any, field: str) -> tuple[int, int, int]:
    text = str(value or "").strip().replace("-", "")
    if not re.fullmatch(r"\d{8}", text):
        raise ValueError(f"{field} {value!r} is not YYYYMMDD")
    return int(text[:4]), int(text[4:6]), int(text[6:])


def parse_time(value: Any, field: str) -> tuple[int, int, int]:
    text = str(value or "").strip().replace(":", "")
    # UPS drops the leading zero of early hours ("74700" is 07:47:00).
    if not re.fullmatch(r"\d{5,6}", text):
        raise ValueError(f"{field} {value!r} is not HHMMSS")
    text = text.zfill(6)
    return int(text[:2]), int(text[2:4]), int(text[4:])


def naive_of(date: Any, time: Any, prefix: str) -> datetime:
    return datetime(*parse_date(date, f"{prefix}date"), *parse_time(time, f"{prefix}time"))


def activity_time(
    activity: Mapping[str, Any],
    location: Mapping[str, Any] | None,
    fallback: ZoneFallback | None = None,
    mapped: Mapped | None = None,
) -> tuple[TimeReading, str]:
    """The aware time of a Track API activity, and a note if UPS contradicts itself."""
    gmt_date, gmt_time = activity.get("gmtDate"), activity.get("gmtTime")
    local_date, local_time = activity.get("date"), activity.get("time")
    offset_text = activity.get("gmtOffset")
    if gmt_date and gmt_time:
        instant = naive_of(gmt_date, gmt_time, "gmt").replace(tzinfo=UTC)
        if offset_text:
            moment = instant.astimezone(utc_offset(offset_text, "gmtOffset"))
            note = ""
            if local_date and local_time:
                try:
                    local = naive_of(local_date, local_time, "")
                except ValueError as exc:
                    return TimeReading(moment, "carrier"), f"{exc}; the GMT fields were used"
                if local != moment.replace(tzinfo=None):
                    note = (
                        f"local time {local.isoformat()} does not match gmtDate/gmtTime "
                        f"{instant.isoformat()} at offset {offset_text}; the GMT fields were used"
                    )
            return TimeReading(moment, "carrier"), note
        try:
            placed = place_event_time(instant.replace(tzinfo=None), location)
        except ValueError:
            return TimeReading(instant, "carrier"), ""
        zone = placed.moment.tzinfo
        return TimeReading(instant.astimezone(zone), placed.offset_source, placed.note), ""
    if local_date and local_time:
        local = naive_of(local_date, local_time, "")
        if offset_text:
            return TimeReading(
                local.replace(tzinfo=utc_offset(offset_text, "gmtOffset")), "carrier"
            ), ""
        return place_event_time(local, location, fallback, mapped), ""
    raise ValueError("activity has neither gmtDate/gmtTime nor date/time")


# -- parsing ---------------------------------------------------------------------------


def location_of(address: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(address, Mapping):
        return None
    country = to_alpha2(address.get("countryCode") or address.get("country"))
    fields = {
        "country": country,
        "region": text_of(address.get("stateProvince")),
        "city": text_of(address.get("city")),
        "postal_code": text_of(address.get("postalCode")),
    }
    return {k: v for k, v in fields.items() if v} or None


def number_of(value: Any) -> str | None:
    text = re.sub(r"\s+", "", str(value or ""))
    return text or None


def event_of(
    out: TrackResultBuilder,
    number: str,
    status: Mapping[str, Any] | None,
    reading: TimeReading,
    location: dict[str, Any] | None,
    *,
    raw: Any,
    where: str,
    attributes: dict[str, Any],
    estimate: datetime | None = None,
) -> None:
    status = status or {}
    type_code = text_of(status.get("type"))
    code = text_of(status.get("statusCode") or status.get("descriptionCode"))
    source = {
        "status": type_code,
        "substatus": status_code_key(code),
        "code": text_of(status.get("code")),
        "text": text_of(status.get("simplifiedTextDescription")),
    }
    mapped, note = map_activity(type_code, code)
    if not status:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            "activity has no status; kept with status 'unknown'",
            raw=raw,
            location=where,
        )
    elif note:
        out.problem(number, ProblemCode.PARTIAL_DATA, note, raw=raw, location=where)
    elif mapped is not None and mapped.status == Status.UNKNOWN:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            f"UPS reports no status for this activity ({type_code}/{status_code_key(code)}); "
            "kept with status 'unknown'",
            raw=raw,
            location=where,
        )
    if reading.note:
        out.problem(number, ProblemCode.PARTIAL_DATA, reading.note, raw=raw, location=where)
    keep_event(
        out,
        SYSTEM,
        number,
        mapped,
        reading,
        coded=bool(status),
        location=location,
        description=text_of(status.get("description")),
        source=source,
        attributes=attributes,
        estimate=estimate,
        raw=raw,
        where=where,
    )
