"""Many simple shipments, fast: the input of the scale benchmarks.

``logix_rules.generate_demo`` makes realistic parcels at ~1 ms each, too slow for
200,000 of them.  Here every shipment follows one fixed trail ending in customs, and
events are copies of one validated template per step with the tracking number,
time (aware UTC) and id replaced, ~10x faster than validating dicts.
``check_template`` proves the shortcut builds the same events as validation would.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

from logix_carriers import EventSource, Location, Stage, Status, TrackingEvent

#: The evaluation base of the scale benchmarks; every event happens before it.
BASE = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)

_LOCATION = Location(country="DE", city="Leipzig", facility="Hub Leipzig")
_SOURCE = EventSource(system="dhl", code="AF")

#: (status, stage, hours before the customs scan); the last step enters customs.
TRAIL_4: tuple[tuple[Status, Stage, float], ...] = (
    (Status.INFO_RECEIVED, Stage.PRE_TRANSIT, 72),
    (Status.PICKED_UP, Stage.FIRST_MILE, 48),
    (Status.IN_TRANSIT, Stage.LINE_HAUL, 24),
    (Status.CUSTOMS, Stage.CUSTOMS, 0),
)
TRAIL_8: tuple[tuple[Status, Stage, float], ...] = (
    (Status.INFO_RECEIVED, Stage.PRE_TRANSIT, 120),
    (Status.PICKED_UP, Stage.FIRST_MILE, 96),
    (Status.IN_TRANSIT, Stage.FIRST_MILE, 90),
    (Status.IN_TRANSIT, Stage.LINE_HAUL, 72),
    (Status.IN_TRANSIT, Stage.LINE_HAUL, 48),
    (Status.IN_TRANSIT, Stage.LINE_HAUL, 30),
    (Status.IN_TRANSIT, Stage.LINE_HAUL, 12),
    (Status.CUSTOMS, Stage.CUSTOMS, 0),
)


def number(index: int) -> str:
    return f"BM{index:09d}"


def _template(status: Status, stage: Stage) -> TrackingEvent:
    return TrackingEvent.model_validate(
        {
            "tracking_number": number(0),
            "carrier": "dhl",
            "occurred_at": BASE,
            "status": status,
            "stage": stage,
            "location": _LOCATION,
            "source": _SOURCE,
            "event_id": "ev_template",
        }
    )


_TEMPLATES: dict[tuple[Status, Stage], TrackingEvent] = {}


def trail(
    index: int, customs_at: datetime, steps: Sequence[tuple[Status, Stage, float]]
) -> list[TrackingEvent]:
    """The events of shipment ``index``, entering customs at ``customs_at``."""
    tn = number(index)
    out = []
    for k, (status, stage, hours) in enumerate(steps):
        template = _TEMPLATES.get((status, stage))
        if template is None:
            template = _TEMPLATES[(status, stage)] = _template(status, stage)
        out.append(
            template.model_copy(
                update={
                    "tracking_number": tn,
                    "occurred_at": customs_at - timedelta(hours=hours),
                    "event_id": f"ev_{tn}_{k}",
                }
            )
        )
    return out


def chunks(
    count: int,
    customs_at: Sequence[datetime],
    steps: Sequence[tuple[Status, Stage, float]],
    size: int = 5_000,
) -> Iterator[list[TrackingEvent]]:
    """The events of ``count`` shipments, ``size`` shipments at a time."""
    for start in range(0, count, size):
        batch: list[TrackingEvent] = []
        for index in range(start, min(start + size, count)):
            batch.extend(trail(index, customs_at[index], steps))
        yield batch


def check_template() -> None:
    """The constructed events equal validated ones (ids aside, which are given)."""
    built = trail(0, BASE, TRAIL_8)
    for event in built:
        data = event.model_dump()
        assert TrackingEvent.model_validate(data) == event, event
