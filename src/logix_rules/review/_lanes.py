"""Lanes: those where delays recur (flagged for a root-cause review), the lane ×
carrier delay-rate heat map, and the transit-time distribution per lane."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import attrs

from ._figures import Figure, Period, quantile_of, ratio
from ._frame import UNKNOWN, Frame
from ._scorecards import transit_days
from ._settings import ReviewSettings

__all__ = ["HeatCell", "LaneFlag", "LaneTransitSample", "delay_heatmap", "flag_lanes", "transit"]

#: The "month" a lane's delays are counted over: the 30 days up to the period's end.
MONTH = timedelta(days=30)


@attrs.frozen
class LaneFlag:
    """A lane and its delay incidents in the 30 days up to the end of the period, by
    carrier; ``flagged`` when they reach the threshold."""

    lane: str
    delays: int
    threshold: int
    window: Period
    by_carrier: dict[str, int]

    @property
    def flagged(self) -> bool:
        return self.delays >= self.threshold

    def to_dict(self) -> dict[str, Any]:
        return {
            "lane": self.lane,
            "delays": self.delays,
            "threshold": self.threshold,
            "flagged": self.flagged,
            "window": self.window.to_dict(),
            "by_carrier": dict(sorted(self.by_carrier.items())),
        }


def flag_lanes(frame: Frame, period: Period, settings: ReviewSettings) -> list[LaneFlag]:
    """Every lane with a delay in the window, most delays first."""
    window = Period(period.until - MONTH, period.until)
    delays: Counter[str] = Counter()
    carriers: dict[str, Counter[str]] = defaultdict(Counter)
    for record in frame.opened(window):
        if record.incident.kind in settings.delay_kinds:
            lane = frame.incident_key("lane", record)
            delays[lane] += 1
            carriers[lane][frame.incident_key("carrier", record)] += 1
    flags = [
        LaneFlag(lane, n, settings.recurring_delays, window, dict(carriers[lane]))
        for lane, n in delays.items()
    ]
    flags.sort(key=lambda f: (-f.delays, f.lane))
    return flags


@attrs.frozen
class HeatCell:
    """Parcels of one lane and carrier shipped in the period with a delay incident,
    over those shipped."""

    lane: str
    carrier: str
    rate: Figure

    def to_dict(self) -> dict[str, Any]:
        return {"lane": self.lane, "carrier": self.carrier, "rate": self.rate.to_dict()}


def delay_heatmap(frame: Frame, period: Period, settings: ReviewSettings) -> list[HeatCell]:
    """One cell per lane and carrier that shipped on it in the period."""
    shipped: Counter[tuple[str, str]] = Counter()
    delayed: Counter[tuple[str, str]] = Counter()
    for parcel in frame.shipped(period):
        key = (parcel.lane or UNKNOWN, parcel.carrier)
        shipped[key] += 1
        delayed[key] += frame.excepted(parcel, period.until, settings.delay_kinds)
    return [
        HeatCell(lane, carrier, ratio(delayed[lane, carrier], n, period, of="parcels shipped"))
        for (lane, carrier), n in sorted(shipped.items())
    ]


@attrs.frozen
class LaneTransitSample:
    """Transit days (first carrier scan to delivery) of the parcels delivered in the
    period on one lane, every carrier together."""

    lane: str
    days: tuple[float, ...]
    median: Figure
    p90: Figure

    def to_dict(self) -> dict[str, Any]:
        return {
            "lane": self.lane,
            "deliveries": len(self.days),
            "median": self.median.to_dict(),
            "p90": self.p90.to_dict(),
        }


def transit(frame: Frame, period: Period) -> list[LaneTransitSample]:
    lanes: dict[str, list[float]] = defaultdict(list)
    for parcel in frame.data.parcels.values():
        days = transit_days(parcel)
        if days is not None and parcel.delivered_at in period:
            lanes[parcel.lane or UNKNOWN].append(days)
    return [
        LaneTransitSample(
            lane,
            tuple(sorted(days)),
            quantile_of(days, 0.5, period, unit="days", of="deliveries"),
            quantile_of(days, 0.9, period, unit="days", of="deliveries"),
        )
        for lane, days in sorted(lanes.items())
    ]
