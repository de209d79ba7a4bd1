"""Exception statistics: counts and rates by kind, carrier, lane, category, region and
cause, week-over-week change, the weekly series by kind, and the biggest movements."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import attrs

from ._figures import Figure, Period, ratio
from ._frame import DIMENSIONS, PARTITIONS, Frame

__all__ = [
    "Breakdown",
    "Movement",
    "Row",
    "Week",
    "breakdowns",
    "kind_severities",
    "movements",
    "weekly_by_kind",
]

WEEK = timedelta(days=7)


@attrs.frozen
class Row:
    """One group of a breakdown.

    ``shipped``: parcels shipped in the period in the group (for ``kind`` and
    ``cause``, which split incidents only: every parcel shipped); ``excepted``: those
    of them with an incident (of the group's kind or cause) opened before the end of
    the period; ``rate`` = excepted / shipped; ``incidents``: incidents opened in the
    period; ``this_week`` / ``last_week``: incidents opened in the last 7 days of the
    period and in the 7 days before; ``change`` = this_week - last_week.
    """

    key: str
    shipped: int
    excepted: int
    rate: Figure
    incidents: int
    this_week: int
    last_week: int

    @property
    def change(self) -> int:
        return self.this_week - self.last_week

    @property
    def change_ratio(self) -> float | None:
        """Relative change, None when last week had none."""
        return None if self.last_week == 0 else self.change / self.last_week

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "shipped": self.shipped,
            "excepted": self.excepted,
            "rate": self.rate.to_dict(),
            "incidents": self.incidents,
            "this_week": self.this_week,
            "last_week": self.last_week,
            "change": self.change,
            "change_ratio": self.change_ratio,
        }


@attrs.frozen
class Breakdown:
    """The rows of one dimension, most incidents first, and the totals they sum to."""

    dimension: str
    rows: tuple[Row, ...]
    total: Row

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "partition": self.dimension in PARTITIONS,
            "rows": [row.to_dict() for row in self.rows],
            "total": self.total.to_dict(),
        }


def _week_counts(frame: Frame, period: Period, dimension: str) -> tuple[Counter[str], Counter[str]]:
    this = Period(max(period.since, period.until - WEEK), period.until)
    last = Period(this.since - WEEK, this.since)
    now, before = Counter[str](), Counter[str]()
    for record in frame.opened(Period(last.since, this.until)):
        key = frame.incident_key(dimension, record)
        (now if record.incident.opened_at in this else before)[key] += 1
    return now, before


def breakdown(frame: Frame, period: Period, dimension: str) -> Breakdown:
    parcels = frame.shipped(period)
    incidents = Counter(frame.incident_key(dimension, r) for r in frame.opened(period))
    shipped: Counter[str] = Counter()
    excepted: Counter[str] = Counter()
    total_excepted = 0
    for parcel in parcels:
        hit = frame.excepted(parcel, period.until)
        total_excepted += hit
        if dimension in PARTITIONS:
            key = frame.parcel_key(dimension, parcel)
            shipped[key] += 1
            excepted[key] += hit
        else:
            groups = (
                frame.kinds_of(parcel, period.until)
                if dimension == "kind"
                else frame.causes_of(parcel, period.until)
            )
            for key in groups:
                excepted[key] += 1
    now, before = _week_counts(frame, period, dimension)
    keys = set(incidents) | set(shipped) | set(excepted) | set(now) | set(before)
    rows = []
    for key in keys:
        group_shipped = shipped[key] if dimension in PARTITIONS else len(parcels)
        rows.append(
            Row(
                key,
                group_shipped,
                excepted[key],
                ratio(excepted[key], group_shipped, period, of=f"parcels shipped ({key})"),
                incidents[key],
                now[key],
                before[key],
            )
        )
    rows.sort(key=lambda r: (-r.incidents, -r.shipped, r.key))
    total = Row(
        "total",
        len(parcels),
        total_excepted,
        ratio(total_excepted, len(parcels), period, of="parcels shipped"),
        sum(incidents.values()),
        sum(now.values()),
        sum(before.values()),
    )
    return Breakdown(dimension, tuple(rows), total)


def breakdowns(frame: Frame, period: Period) -> dict[str, Breakdown]:
    return {dimension: breakdown(frame, period, dimension) for dimension in DIMENSIONS}


@attrs.frozen
class Movement:
    """A group whose incidents moved most week over week."""

    dimension: str
    key: str
    last_week: int
    this_week: int

    @property
    def change(self) -> int:
        return self.this_week - self.last_week

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "key": self.key,
            "last_week": self.last_week,
            "this_week": self.this_week,
            "change": self.change,
        }

    def __str__(self) -> str:
        moved = f"{self.last_week} → {self.this_week}"
        return f"{self.dimension} {self.key}: {moved} ({self.change:+d})"


def movements(tables: dict[str, Breakdown], limit: int = 5) -> list[Movement]:
    """The ``limit`` biggest week-over-week changes (by absolute size) over every
    dimension but ``kind``'s unknown groups; ties in report order."""
    found = [
        Movement(table.dimension, row.key, row.last_week, row.this_week)
        for table in tables.values()
        for row in table.rows
        if row.change != 0
    ]
    order = {dimension: i for i, dimension in enumerate(DIMENSIONS)}
    found.sort(key=lambda m: (-abs(m.change), order[m.dimension], m.key))
    return found[:limit]


@attrs.frozen
class Week:
    """Incidents opened in one week, by kind."""

    period: Period
    by_kind: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {**self.period.to_dict(), "by_kind": dict(sorted(self.by_kind.items()))}


def weekly_by_kind(frame: Frame, period: Period, weeks: int = 8) -> list[Week]:
    """The ``weeks`` weeks ending with the period, oldest first."""
    out = []
    for back in range(weeks - 1, -1, -1):
        end = period.until - back * WEEK
        week = Period(end - WEEK, end)
        out.append(Week(week, dict(Counter(r.incident.kind for r in frame.opened(week)))))
    return out


def kind_severities(frame: Frame, weeks: list[Week]) -> dict[str, str]:
    """Each kind's most frequent severity over the weeks (ties: the first name in
    sort order, P1 before P2): the colour its series takes in the chart."""
    if not weeks:
        return {}
    span = Period(weeks[0].period.since, weeks[-1].period.until)
    counts: dict[str, Counter[str]] = {}
    for record in frame.opened(span):
        counts.setdefault(record.incident.kind, Counter())[record.incident.severity] += 1
    return {
        kind: min(found, key=lambda severity: (-found[severity], severity))
        for kind, found in sorted(counts.items())
    }
