"""The KPIs against their targets (POLICY §5): first-contact resolution, mean handling
time, complaint rate, exception rate and the handling cycle, each with the same
figure for the previous period and the trend between them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs

from ..store._facts import IncidentRecord
from ._figures import Figure, Period, mean_of, ratio
from ._frame import Frame
from ._settings import ReviewSettings, Target

__all__ = ["KPI_TITLES", "Kpi", "kpis"]

_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)

KPI_TITLES = {
    "exception_rate": "Exception rate",
    "first_contact_resolution": "First-contact resolution",
    "mean_handling_time": "Mean handling time",
    "handling_cycle": "Handling cycle",
    "complaint_rate": "Complaint rate",
}


@attrs.frozen
class Kpi:
    """A KPI: this period's figure, the previous period's, its target, whether it is
    met (None: undefined) and the trend (``up``, ``down``, ``flat``, None)."""

    name: str
    figure: Figure
    previous: Figure
    target: Target | None

    @property
    def title(self) -> str:
        return KPI_TITLES.get(self.name, self.name)

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.target.met(self.figure.value)

    @property
    def trend(self) -> str | None:
        now, before = self.figure.value, self.previous.value
        if now is None or before is None:
            return None
        if abs(now - before) <= 1e-9 * max(1.0, abs(before)):
            return "flat"
        return "up" if now > before else "down"

    @property
    def improving(self) -> bool | None:
        trend = self.trend
        if trend in (None, "flat") or self.target is None:
            return None
        return trend == self.target.better

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "figure": self.figure.to_dict(),
            "previous": self.previous.to_dict(),
            "target": None if self.target is None else self.target.to_dict(),
            "met": self.met,
            "trend": self.trend,
            "improving": self.improving,
        }


def _resolved_in(records: list[IncidentRecord], period: Period) -> list[IncidentRecord]:
    return [r for r in records if r.incident.resolved_at in period]


def _first_contact(frame: Frame, period: Period, settings: ReviewSettings) -> Figure:
    resolved = _resolved_in(list(frame.data.incidents), period)
    first = 0
    for record in resolved:
        done = record.incident.resolved_at
        assert done is not None
        contacts = [
            a
            for a in frame.actions(record.incident.id)
            if a.action not in settings.passive_actions and a.at <= done
        ]
        first += len(contacts) <= 1
    return ratio(first, len(resolved), period, of="incidents resolved")


def _handling(frame: Frame, period: Period) -> Figure:
    hours = []
    for record in _resolved_in(list(frame.data.incidents), period):
        done = record.incident.resolved_at
        assert done is not None
        hours.append((done - record.incident.opened_at) / _HOUR)
    return mean_of(hours, period, unit="hours", of="incidents resolved")


def _closed_at(record: IncidentRecord) -> datetime | None:
    if record.incident.resolved_at is not None:
        return record.incident.resolved_at
    return record.closed_at if record.state == "closed" else None


def _cycle(frame: Frame, period: Period) -> Figure:
    days = []
    for records in frame.by_parcel.values():
        ends = [_closed_at(r) for r in records]
        if any(end is None for end in ends):
            continue  # the parcel is still being handled
        last = max(end for end in ends if end is not None)
        if last in period:
            days.append((last - min(r.incident.opened_at for r in records)) / _DAY)
    return mean_of(days, period, unit="days", of="parcels whose handling ended")


def _complaints(frame: Frame, period: Period, settings: ReviewSettings) -> Figure:
    parcels = frame.shipped(period)
    sources = set(settings.customer_sources)
    reported = 0
    for parcel in parcels:
        reported += any(
            r.incident.opened_at < period.until
            and any(e.source in sources for e in r.incident.evidence.events)
            for r in frame.by_parcel.get(parcel.tracking_number, ())
        )
    return ratio(reported, len(parcels), period, of="parcels shipped")


def _exceptions(frame: Frame, period: Period) -> Figure:
    parcels = frame.shipped(period)
    hit = sum(frame.excepted(p, period.until) for p in parcels)
    return ratio(hit, len(parcels), period, of="parcels shipped")


def _all(frame: Frame, period: Period, settings: ReviewSettings) -> dict[str, Figure]:
    return {
        "exception_rate": _exceptions(frame, period),
        "first_contact_resolution": _first_contact(frame, period, settings),
        "mean_handling_time": _handling(frame, period),
        "handling_cycle": _cycle(frame, period),
        "complaint_rate": _complaints(frame, period, settings),
    }


def kpis(frame: Frame, period: Period, settings: ReviewSettings) -> list[Kpi]:
    previous = Period(period.since - (period.until - period.since), period.since)
    now, before = _all(frame, period, settings), _all(frame, previous, settings)
    return [Kpi(name, now[name], before[name], settings.targets.get(name)) for name in now]
