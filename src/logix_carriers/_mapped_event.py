"""Keeping one parsed carrier event: its mapped status made a ``TrackingEvent``.

Every built-in parser ends an event the same way: the mapped status (or
``unknown`` when the code is missing from the table) goes into the event's
fields, the builder validates it, and a code the carrier did send but the table
lacks becomes an ``unknown_code`` problem for that number.  :func:`keep_event`
is that ending, so the parsers cannot drift apart in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ._carrier_time import TimeReading
from ._status_maps import Mapped
from ._taxonomy import Status
from ._track_result import TrackResultBuilder

__all__ = ["keep_event"]


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
