"""UPS Track Alert: one pushed message, normalized into one event.

The message's ``gmtActivityDate``/``gmtActivityTime`` give the instant and the local
date and time its offset; ``scheduledDeliveryDate`` becomes the event's
``estimated_delivery``.  How a delivery is authenticated (v2 bearer tokens, v1
credential) is the adapter's business, in :mod:`._ups`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .._carrier_time import TimeReading, ZoneFallback
from .._estimates import read_estimate
from .._mapped_event import place_event_time, timed_or_dropped
from .._status_maps import Mapped
from .._track_result import ProblemCode, TrackResult, TrackResultBuilder
from ._ups_codes import map_activity
from ._ups_read import (
    HOME_ZONE,
    SYSTEM,
    event_of,
    location_of,
    naive_of,
    number_of,
    parse_date,
    text_of,
)

__all__ = ["parse_track_alert"]


def parse_track_alert(payload: Any, *, home_zone: str | None = HOME_ZONE) -> TrackResult:
    """Normalize one Track Alert webhook message (one event per delivery)."""
    if not isinstance(payload, Mapping):
        raise ValueError(f"Track Alert message is {type(payload).__name__}, not an object")
    number = number_of(payload.get("trackingNumber"))
    if number is None:
        raise ValueError("Track Alert message has no trackingNumber")
    out = TrackResultBuilder(SYSTEM, [number])
    raw_location = payload.get("activityLocation")
    location = location_of(
        {
            "countryCode": raw_location.get("country"),
            "stateProvince": raw_location.get("stateProvince"),
            "city": raw_location.get("city"),
            "postalCode": raw_location.get("postalCode"),
        }
        if isinstance(raw_location, Mapping)
        else None
    )
    status = payload.get("activityStatus")
    status = status if isinstance(status, Mapping) else None
    mapped, _ = map_activity(
        text_of((status or {}).get("type")),
        text_of((status or {}).get("statusCode") or (status or {}).get("descriptionCode")),
    )
    # Track Alert is UPS's own network: the activity's country stands for the leg.
    fallback = ZoneFallback(
        destination_country=(location or {}).get("country"),
        home_zone=home_zone,
        home_label="UPS's home zone",
    )
    reading = timed_or_dropped(
        out,
        number,
        lambda: _alert_time(payload, location, fallback, mapped),
        raw=payload,
        where="$",
    )
    if reading is None:
        return out.result()
    attributes: dict[str, Any] = {}
    scheduled = text_of(payload.get("scheduledDeliveryDate"))
    estimate = None
    if scheduled:
        attributes["ups_scheduled_delivery_date"] = scheduled
        try:
            estimate = read_estimate(
                datetime(*parse_date(scheduled, "scheduledDeliveryDate"), 23, 59, 59),
                fallback=fallback,
            )
        except ValueError as exc:
            out.problem(
                number,
                ProblemCode.PARTIAL_DATA,
                f"scheduledDeliveryDate is unreadable and was left out: {exc}",
                raw=scheduled,
                location="$.scheduledDeliveryDate",
            )
    event_of(
        out,
        number,
        status,
        reading,
        location,
        raw=payload,
        where="$",
        attributes=attributes,
        estimate=estimate,
    )
    return out.result()


def _alert_time(
    payload: Mapping[str, Any],
    location: dict[str, Any] | None,
    fallback: ZoneFallback | None = None,
    mapped: Mapped | None = None,
) -> TimeReading:
    gmt_date, gmt_time = payload.get("gmtActivityDate"), payload.get("gmtActivityTime")
    local_date, local_time = payload.get("localActivityDate"), payload.get("localActivityTime")
    if gmt_date and gmt_time:
        instant = naive_of(gmt_date, gmt_time, "gmtActivity").replace(tzinfo=UTC)
        if local_date and local_time:
            local = naive_of(local_date, local_time, "localActivity")
            minutes = round((local - instant.replace(tzinfo=None)).total_seconds() / 60)
            if abs(minutes) <= 18 * 60:
                return TimeReading(
                    instant.astimezone(timezone(timedelta(minutes=minutes))), "carrier"
                )
        return TimeReading(instant, "carrier")
    if local_date and local_time:
        return place_event_time(
            naive_of(local_date, local_time, "localActivity"), location, fallback, mapped
        )
    raise ValueError("message has neither gmtActivityDate/Time nor localActivityDate/Time")
