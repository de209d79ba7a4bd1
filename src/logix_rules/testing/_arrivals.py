"""``arrivals(timeline)``: how a timeline's events reach an engine.

The same events shuffled and partly duplicated, in batches, with ``advance`` points
and the shipment facts interleaved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from logix_carriers import Shipment, TrackingEvent

from ..runtime._engine import Engine
from ..runtime._incidents import Change
from ._arguments import _BOOLS, _ints, _strategy
from ._timeline_model import Timeline

__all__ = ["Advance", "ArrivalPlan", "Ingest", "Upsert", "arrivals"]

_MINUTE = timedelta(minutes=1)


@attrs.frozen
class Ingest:
    """A batch of events handed to ``engine.ingest``."""

    events: tuple[TrackingEvent, ...]


@attrs.frozen
class Advance:
    """A call of ``engine.advance(to=...)``."""

    to: datetime


@attrs.frozen
class Upsert:
    """The shipment facts reaching the engine (``engine.upsert_shipment``)."""

    shipment: Shipment


Step = Ingest | Advance | Upsert


@attrs.frozen(repr=False)
class ArrivalPlan:
    """How a timeline's events reach an engine: batches, ``advance`` calls, facts."""

    timeline: Timeline
    steps: tuple[Step, ...]

    @property
    def events(self) -> tuple[TrackingEvent, ...]:
        """Every event as delivered, duplicates included."""
        return tuple(e for s in self.steps if isinstance(s, Ingest) for e in s.events)

    @property
    def horizon(self) -> datetime:
        """The time the checks evaluate at: the timeline's end or the latest advance."""
        advances = [s.to for s in self.steps if isinstance(s, Advance)]
        return max([self.timeline.end, *advances])

    def apply(
        self, engine: Engine, *, on_step: Callable[[Step, list[Change]], None] | None = None
    ) -> list[Change]:
        """Feed the plan to ``engine``; return every change it reported."""
        changes: list[Change] = []
        for step in self.steps:
            if isinstance(step, Ingest):
                got = engine.ingest(step.events)
            elif isinstance(step, Advance):
                got = engine.advance(to=step.to)
            else:
                got = engine.upsert_shipment(step.shipment)
            if on_step is not None:
                on_step(step, got)
            changes.extend(got)
        return changes

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def __repr__(self) -> str:
        tl = self.timeline
        lines = [f"ArrivalPlan for {tl.tracking_number} ({len(self.steps)} steps)"]
        for step in self.steps:
            if isinstance(step, Ingest):
                shown = ", ".join(
                    f"{tl.offset(e.occurred_at)} {e.status.value}" for e in step.events
                )
                lines.append(f"  ingest [{shown}]")
            elif isinstance(step, Advance):
                lines.append(f"  advance to {tl.offset(step.to)}")
            else:
                lines.append("  upsert shipment")
        return "\n".join(lines)


_SHIPMENT_ARRIVAL = ("first", "anywhere", "never")


@st.composite
def _arrivals(draw: st.DrawFn, timeline: Any, raw: dict[str, Any]) -> ArrivalPlan:
    tl = draw(_strategy(timeline))
    if not isinstance(tl, Timeline):
        raise InvalidArgument(f"arrivals() needs a Timeline (or a strategy of them), got {tl!r}")
    for name in ("max_duplicates", "max_advances"):
        value = raw[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise InvalidArgument(f"{name}={value!r} must be an integer between 0 and 100")
    where = raw["shipment"]
    if where not in _SHIPMENT_ARRIVAL:
        raise InvalidArgument(f"shipment={where!r} must be one of {', '.join(_SHIPMENT_ARRIVAL)}")
    events = list(tl.events)
    if events and raw["max_duplicates"]:
        extra = draw(st.lists(st.sampled_from(events), max_size=raw["max_duplicates"]))
        events.extend(extra)
    order = draw(st.permutations(events)) if events else []
    steps: list[Step] = []
    batch: list[TrackingEvent] = []
    span = max(1, (tl.end - tl.start) // _MINUTE + 24 * 60)
    advances = draw(_ints(0, raw["max_advances"]))
    points = sorted(
        draw(st.lists(st.integers(0, len(order)), min_size=advances, max_size=advances))
    )
    for index, event in enumerate(order):
        while points and points[0] == index:
            points.pop(0)
            if batch:
                steps.append(Ingest(tuple(batch)))
                batch = []
            steps.append(Advance(tl.start + timedelta(minutes=draw(_ints(0, span)))))
        batch.append(event)
        if draw(_BOOLS):
            steps.append(Ingest(tuple(batch)))
            batch = []
    if batch:
        steps.append(Ingest(tuple(batch)))
    for _ in points:
        steps.append(Advance(tl.start + timedelta(minutes=draw(_ints(0, span)))))
    if where == "first":
        steps.insert(0, Upsert(tl.shipment))
    elif where == "anywhere":
        steps.insert(draw(_ints(0, len(steps))), Upsert(tl.shipment))
    return ArrivalPlan(tl, tuple(steps))


def arrivals(
    timeline: Timeline | st.SearchStrategy[Timeline],
    *,
    max_duplicates: int = 3,
    max_advances: int = 3,
    shipment: str = "anywhere",
) -> st.SearchStrategy[ArrivalPlan]:
    """The timeline's events in a shuffled, partly duplicated arrival order, in batches,
    with up to ``max_advances`` ``advance`` points between them.

    ``shipment`` says when the facts arrive: ``first``, ``anywhere`` (possibly after
    the events they concern) or ``never``.  Shrinks towards the feed's own order in
    one batch.
    """
    raw = {"max_duplicates": max_duplicates, "max_advances": max_advances, "shipment": shipment}
    return _arrivals(timeline, raw)
