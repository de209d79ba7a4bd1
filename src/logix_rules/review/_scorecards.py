"""Carrier scorecards (POLICY §5): exception rate, rectification, claim timeliness,
response speed, transit time per lane, on-time rate; a grade A–D, a rank and the
replacement candidates."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import attrs

from ..store._facts import IncidentRecord, ShipmentFacts
from ._figures import Figure, Period, mean_of, quantile_of, ratio
from ._frame import UNKNOWN, Frame
from ._settings import GRADES, ReviewSettings

__all__ = ["LaneTransit", "Scorecard", "scorecards", "transit_days"]

_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)


@attrs.frozen
class LaneTransit:
    """Transit time on one lane, first carrier scan to delivery, in days, over the
    parcels delivered in the period."""

    lane: str
    mean: Figure
    p90: Figure

    def to_dict(self) -> dict[str, Any]:
        return {"lane": self.lane, "mean": self.mean.to_dict(), "p90": self.p90.to_dict()}


@attrs.frozen
class Scorecard:
    """One carrier's figures for a period, its grade (None when no graded figure is
    defined), its rank (1 = best) and whether it is a replacement candidate."""

    carrier: str
    exception_rate: Figure
    rectification_rate: Figure
    claim_timeliness: Figure
    ack_median: Figure
    ack_p90: Figure
    on_time_rate: Figure
    transit: tuple[LaneTransit, ...]
    grade: str | None
    rank: int = 0
    replace: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "carrier": self.carrier,
            "rank": self.rank,
            "grade": self.grade,
            "replace": self.replace,
            "exception_rate": self.exception_rate.to_dict(),
            "rectification_rate": self.rectification_rate.to_dict(),
            "claim_timeliness": self.claim_timeliness.to_dict(),
            "ack_median_hours": self.ack_median.to_dict(),
            "ack_p90_hours": self.ack_p90.to_dict(),
            "on_time_rate": self.on_time_rate.to_dict(),
            "transit_days": [t.to_dict() for t in self.transit],
        }


def transit_days(parcel: ShipmentFacts) -> float | None:
    if parcel.first_scan is None or parcel.delivered_at is None:
        return None
    return (parcel.delivered_at - parcel.first_scan) / _DAY


def _due(moment: datetime | None, period: Period, as_of: datetime) -> bool:
    return moment is not None and moment in period and moment <= as_of


def _rectification(records: list[IncidentRecord], period: Period, as_of: datetime) -> Figure:
    # Incidents whose resolve-by fell in the period (and is past), but not those whose
    # condition stopped holding by itself: nobody had to rectify them.
    due = [
        r
        for r in records
        if _due(r.incident.resolve_by, period, as_of)
        and not (r.state == "closed" and r.incident.resolved_at is None)
    ]
    done = sum(
        1
        for r in due
        if r.incident.resolved_at is not None and r.incident.resolved_at <= r.incident.resolve_by
    )
    return ratio(done, len(due), period, of="incidents due for resolution")


def _claims(
    records: list[IncidentRecord],
    frame: Frame,
    period: Period,
    as_of: datetime,
    settings: ReviewSettings,
) -> Figure:
    due, filed = 0, 0
    for r in records:
        deadline = r.incident.deadlines.get(settings.claim_deadline)
        if deadline is None or not _due(deadline, period, as_of):
            continue
        due += 1
        if any(
            a.action in settings.claim_actions and a.at <= deadline
            for a in frame.actions(r.incident.id)
        ):
            filed += 1
    return ratio(filed, due, period, of="claims due")


def _on_time(parcels: list[ShipmentFacts], period: Period, as_of: datetime) -> Figure:
    promised = [p for p in parcels if _due(p.promised_at, period, as_of)]
    kept = sum(
        1
        for p in promised
        if p.delivered_at is not None and p.promised_at and p.delivered_at <= p.promised_at
    )
    return ratio(kept, len(promised), period, of="parcels promised")


def _graded(figure: Figure, settings: ReviewSettings) -> float | None:
    """The figure's value if it is defined on enough cases to grade by, else None."""
    if figure.value is None or (figure.denominator or 0) < settings.grade_min_sample:
        return None
    return figure.value


def _grade(card: Scorecard, settings: ReviewSettings) -> str | None:
    """The best grade whose every bound the carrier meets; None when no graded figure
    has enough cases."""
    exceptions = _graded(card.exception_rate, settings)
    on_time = _graded(card.on_time_rate, settings)
    rectified = _graded(card.rectification_rate, settings)
    if exceptions is None and on_time is None and rectified is None:
        return None
    for grade in GRADES[:-1]:
        bounds = settings.grades.get(grade)
        if bounds is None:
            continue
        if (
            (exceptions is None or exceptions <= bounds.max_exception_rate)
            and (on_time is None or on_time >= bounds.min_on_time_rate)
            and (rectified is None or rectified >= bounds.min_rectification_rate)
        ):
            return grade
    return GRADES[-1]


def scorecards(
    frame: Frame, period: Period, as_of: datetime, settings: ReviewSettings
) -> list[Scorecard]:
    """Every carrier with parcels or incidents in the period, best first."""
    parcels = list(frame.data.parcels.values())
    by_carrier: dict[str, list[ShipmentFacts]] = defaultdict(list)
    for parcel in parcels:
        by_carrier[parcel.carrier].append(parcel)
    records: dict[str, list[IncidentRecord]] = defaultdict(list)
    for record in frame.data.incidents:
        records[frame.incident_key("carrier", record)].append(record)
    shipped = frame.shipped(period)
    carriers = {p.carrier for p in shipped} | {
        frame.incident_key("carrier", r) for r in frame.opened(period)
    }
    cards = []
    for carrier in sorted(carriers):
        mine = [p for p in shipped if p.carrier == carrier]
        excepted = sum(frame.excepted(p, period.until) for p in mine)
        opened = [r for r in records[carrier] if r.incident.opened_at in period]
        acks = [
            (r.incident.acknowledged_at - r.incident.opened_at) / _HOUR
            for r in opened
            if r.incident.acknowledged_at is not None
        ]
        lanes: dict[str, list[float]] = defaultdict(list)
        for parcel in by_carrier[carrier]:
            days = transit_days(parcel)
            if days is not None and parcel.delivered_at in period:
                lanes[parcel.lane or UNKNOWN].append(days)
        transit = tuple(
            LaneTransit(
                lane,
                mean_of(lanes[lane], period, unit="days", of="deliveries"),
                quantile_of(lanes[lane], 0.9, period, unit="days", of="deliveries"),
            )
            for lane in sorted(lanes)
        )
        card = Scorecard(
            carrier=carrier,
            exception_rate=ratio(excepted, len(mine), period, of="parcels shipped"),
            rectification_rate=_rectification(records[carrier], period, as_of),
            claim_timeliness=_claims(records[carrier], frame, period, as_of, settings),
            ack_median=quantile_of(acks, 0.5, period, unit="hours", of="acknowledgements"),
            ack_p90=quantile_of(acks, 0.9, period, unit="hours", of="acknowledgements"),
            on_time_rate=_on_time(by_carrier[carrier], period, as_of),
            transit=transit,
            grade=None,
        )
        cards.append(attrs.evolve(card, grade=_grade(card, settings)))
    order = {grade: i for i, grade in enumerate(GRADES)}

    def key(card: Scorecard) -> tuple[int, float, float, str]:
        rate = card.exception_rate.value
        on_time = card.on_time_rate.value
        return (
            order.get(card.grade or "", len(GRADES)),
            1.0 if rate is None else rate,
            0.0 if on_time is None else -on_time,
            card.carrier,
        )

    cards.sort(key=key)
    return [
        attrs.evolve(card, rank=i + 1, replace=card.grade in settings.replace_grades)
        for i, card in enumerate(cards)
    ]
