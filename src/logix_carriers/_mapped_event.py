"""One parsed carrier event by its mapped status: its time placed, and keeping it.

Every built-in parser reads an event the same way.  A naive timestamp is placed
by the event's own location, else the shipment's :class:`ZoneFallback`, with the
mapped status telling which leg the scan belongs to (:func:`read_event_time`,
:func:`place_event_time`); an unreadable time drops the event, a guessed offset
is a ``partial_data`` problem (:func:`timed_or_dropped`).  Then the mapped status
(or ``unknown`` when the code is missing from the table) goes into the event's
fields, the builder validates it, and a code the carrier did send but the table
lacks becomes an ``unknown_code`` problem for that number (:func:`keep_event`).
One place for these, so the parsers cannot drift apart in them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypedDict

from ._carrier_time import TimeReading, ZoneFallback, place_naive, read_carrier_time
from ._status_maps import Mapped
from ._taxonomy import Stage, Status
from ._track_result import ProblemCode, TrackResultBuilder

__all__ = ["EventFacts", "keep_event", "place_event_time", "read_event_time", "timed_or_dropped"]


class EventFacts:
    """What every event of one shipment (or provider, or package) shares."""

    def __init__(
        self, attributes: dict[str, Any], fallback: ZoneFallback, estimate: datetime | None
    ) -> None:
        self.attributes = attributes
        self.fallback = fallback
        self.estimate = estimate


class _Placing(TypedDict):
    country: str | None
    city: str | None
    region: str | None
    fallback: ZoneFallback | None
    stage: Stage | None
    status: Status | None


def _placing(
    location: Mapping[str, Any] | None, fallback: ZoneFallback | None, mapped: Mapped | None
) -> _Placing:
    place = location or {}
    return {
        "country": place.get("country"),
        "city": place.get("city"),
        "region": place.get("region"),
        "fallback": fallback,
        "stage": mapped.effective_stage if mapped else None,
        "status": mapped.status if mapped else None,
    }


def read_event_time(
    value: object,
    location: Mapping[str, Any] | None,
    fallback: ZoneFallback | None = None,
    mapped: Mapped | None = None,
) -> TimeReading:
    """:func:`read_carrier_time` of an event at ``location`` (see the module doc)."""
    return read_carrier_time(value, **_placing(location, fallback, mapped))


def place_event_time(
    naive: datetime,
    location: Mapping[str, Any] | None,
    fallback: ZoneFallback | None = None,
    mapped: Mapped | None = None,
) -> TimeReading:
    """:func:`place_naive` of an event at ``location`` (see the module doc)."""
    return place_naive(naive, **_placing(location, fallback, mapped))


def timed_or_dropped(
    out: TrackResultBuilder,
    number: str,
    read: Callable[[], TimeReading],
    *,
    raw: Any,
    where: str,
    what: str = "event",
) -> TimeReading | None:
    """``read()``, its note made a ``partial_data`` problem; None when it raises
    ``ValueError``, the event then dropped with a ``bad_event`` problem."""
    try:
        reading = read()
    except ValueError as exc:
        out.problem(
            number, ProblemCode.BAD_EVENT, f"{what} dropped: {exc}", raw=raw, location=where
        )
        return None
    if reading.note:
        out.problem(number, ProblemCode.PARTIAL_DATA, reading.note, raw=raw, location=where)
    return reading


def keep_event(
    out: TrackResultBuilder,
    carrier: str,
    number: str,
    mapped: Mapped | None,
    reading: TimeReading,
    *,
    coded: bool,
    location: dict[str, Any] | None,
    description: str | None,
    source: Mapping[str, str | None],
    attributes: dict[str, Any],
    estimate: datetime | None,
    raw: Any,
    where: str,
) -> None:
    """Add the event; ``coded`` says the carrier sent a code, so ``mapped=None``
    means the table lacks it (an ``unknown_code`` problem), not that none came."""
    data = {
        "tracking_number": number,
        "carrier": carrier,
        "occurred_at": reading.moment,
        "offset_source": reading.offset_source,
        "status": mapped.status if mapped else Status.UNKNOWN,
        "reason": mapped.reason if mapped else None,
        "stage": mapped.effective_stage if mapped else None,
        "location": location,
        "description": description or "",
        "source": {"system": carrier, **source},
        "attributes": attributes,
        "estimated_delivery": estimate,
    }
    event = out.event(data, raw=raw, location=where)
    if event is not None and coded and mapped is None:
        out.unknown_code(number, event.source, raw=raw, location=where)
