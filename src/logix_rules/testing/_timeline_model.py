"""The ``Timeline`` a parcel's life is drawn as, and the ``Situation`` records of
what ``timelines()`` injected into it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from logix_carriers import Shipment, TrackingEvent

from ..core._durations import format_span
from ..runtime._explanation import format_instant

__all__ = ["OUTCOMES", "REPORT_REASONS", "SITUATIONS", "Situation", "Timeline"]


#: How a timeline can end.
OUTCOMES: Final = ("in_transit", "delivered", "returned", "lost")
#: What a customer (or warehouse) report can say.
REPORT_REASONS: Final = ("not_received", "wrong_item", "missing_items", "damaged")
#: The situations ``timelines`` can inject, as recorded in ``Timeline.situations``.
SITUATIONS: Final = (
    "stall",
    "customs_hold",
    "customs_time",
    "failed_attempts",
    "damage",
    "lost",
    "refused",
    "late",
    "customer_report",
    "duplicates",
    "out_of_order",
    "clock_skew",
)


@attrs.frozen
class Situation:
    """Something ``timelines`` injected, with when it happened.

    ``at`` is when it starts (the last scan before a stall, the hold scan, the
    promised time for ``late``...), ``until`` when it ends if it does (the next
    scan, the delivery), ``value`` its size: a timedelta for ``stall``,
    ``customs_time`` and ``late``, the ratio for ``damage`` (None when unknown), the
    count for ``failed_attempts`` and ``duplicates``, the reason for
    ``customer_report``, the largest offset for ``clock_skew``.
    """

    kind: str
    at: datetime
    until: datetime | None = None
    value: Any = None

    def __str__(self) -> str:
        value = self.value
        if isinstance(value, timedelta):
            value = format_span(value // timedelta(microseconds=1))
        shown = "" if value is None or value is True else f" {value}"
        return f"{self.kind}{shown}"


@attrs.frozen(repr=False)
class Timeline:
    """One parcel's story: its shipment, the events a carrier feed delivered, the end.

    ``events`` are in the order the feed delivered them, noise included (duplicate
    scans, late arrivals, skewed clocks); ``end`` is the instant the story reaches,
    after the last event (the end of a final silence, if there is one); ``outcome``
    is one of ``OUTCOMES``; ``situations`` lists what was injected.
    """

    shipment: Shipment
    events: tuple[TrackingEvent, ...]
    end: datetime
    outcome: str
    situations: tuple[Situation, ...] = ()

    @property
    def tracking_number(self) -> str:
        return self.shipment.tracking_number

    @property
    def start(self) -> datetime:
        assert self.shipment.shipped_at is not None
        return self.shipment.shipped_at

    @property
    def distinct_events(self) -> tuple[TrackingEvent, ...]:
        """Each event once, in time order."""
        seen: dict[str, TrackingEvent] = {}
        for event in self.events:
            seen.setdefault(event.event_id, event)
        return tuple(sorted(seen.values(), key=lambda e: (e.occurred_at, e.event_id)))

    @property
    def scans(self) -> tuple[TrackingEvent, ...]:
        """The distinct carrier scans (no reports), in time order."""
        return tuple(e for e in self.distinct_events if not e.is_report)

    def has(self, kind: str) -> bool:
        return any(s.kind == kind for s in self.situations)

    def situation(self, kind: str) -> Situation | None:
        """The injected situation of that kind, or None."""
        return next((s for s in self.situations if s.kind == kind), None)

    def offset(self, moment: datetime) -> str:
        """``+26h``: an instant relative to the shipping time."""
        delta = (moment - self.start) // timedelta(microseconds=1)
        return ("+" if delta >= 0 else "-") + format_span(abs(delta))

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis prints falsifying examples with this protocol: one scan a line.
        printer.text(repr(self))

    def __repr__(self) -> str:
        ship = self.shipment
        head = (
            f"Timeline({ship.lane or '?'} {ship.carrier} {ship.tracking_number}, shipped "
            f"{format_instant(ship.shipped_at)}, promised "
            f"{format_instant(ship.promised_at) if ship.promised_at else 'never'}; "
            f"outcome {self.outcome}"
        )
        if self.situations:
            head += "; " + ", ".join(str(s) for s in self.situations)
        lines = [head]
        seen: set[str] = set()
        for event in self.events:
            again = event.event_id in seen
            seen.add(event.event_id)
            what = event.status.value + (f"/{event.reason.value}" if event.reason else "")
            source = f" [{event.source.system}]" if event.is_report else ""
            extra = f" {dict(event.attributes)}" if event.attributes else ""
            lines.append(
                f"  {self.offset(event.occurred_at):>9}  {what:<28} {event.stage.value:<11}"
                f"{source}{extra}{' (again)' if again else ''}"
            )
        lines.append(f"  end {self.offset(self.end)})")
        return "\n".join(lines)
