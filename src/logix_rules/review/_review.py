"""``build_review``: every section of a report for a period, from a store or from
``ReviewData``, and its JSON form (a versioned schema, docs/review.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from ..compiler._model import Pack
from ..core._errors import ErrorCode
from ..store._store import Store
from ._errors import ReviewError
from ._figures import Period, iso
from ._frame import Frame
from ._input import ReviewData
from ._kpis import Kpi, kpis
from ._lanes import HeatCell, LaneFlag, LaneTransitSample, delay_heatmap, flag_lanes, transit
from ._loss import Loss, loss
from ._scorecards import Scorecard, scorecards
from ._settings import ReviewSettings
from ._stats import (
    Breakdown,
    Movement,
    Week,
    breakdowns,
    kind_severities,
    movements,
    weekly_by_kind,
)

__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "Review",
    "build_review",
    "midnight",
    "report_period",
    "settings_from_pack",
]

#: The JSON document's name and version: a new version for any change that is not
#: an added key.
SCHEMA = "logix.review"
SCHEMA_VERSION = 1

KINDS = ("weekly", "monthly", "custom")


@attrs.frozen
class Review:
    """A report's content.  ``kind`` decides what the HTML and Markdown show (the
    weekly brief, the monthly review); the JSON always has every section."""

    kind: str
    period: Period
    previous: Period
    as_of: datetime
    settings: ReviewSettings
    kpis: tuple[Kpi, ...]
    breakdowns: dict[str, Breakdown]
    movements: tuple[Movement, ...]
    weeks: tuple[Week, ...]
    kind_severity: dict[str, str]
    scorecards: tuple[Scorecard, ...]
    lanes: tuple[LaneFlag, ...]
    heatmap: tuple[HeatCell, ...]
    transit: tuple[LaneTransitSample, ...]
    loss: Loss

    @property
    def title(self) -> str:
        name = {"weekly": "Weekly brief", "monthly": "Monthly review"}.get(self.kind, "Review")
        last = self.period.until - timedelta(microseconds=1)
        return f"{name}: {self.period.since:%-d %b %Y} – {last:%-d %b %Y}"

    @property
    def flagged_lanes(self) -> tuple[LaneFlag, ...]:
        return tuple(flag for flag in self.lanes if flag.flagged)

    @property
    def replacement_candidates(self) -> tuple[str, ...]:
        return tuple(card.carrier for card in self.scorecards if card.replace)

    def kpi(self, name: str) -> Kpi:
        return next(k for k in self.kpis if k.name == name)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (schema ``logix.review`` version 1, docs/review.md)."""
        total = self.breakdowns["kind"].total
        return {
            "schema": SCHEMA,
            "version": SCHEMA_VERSION,
            "kind": self.kind,
            "title": self.title,
            "period": self.period.to_dict(),
            "previous_period": self.previous.to_dict(),
            "as_of": iso(self.as_of),
            "totals": {
                "shipped": total.shipped,
                "excepted": total.excepted,
                "incidents": total.incidents,
            },
            "kpis": [k.to_dict() for k in self.kpis],
            "breakdowns": {name: b.to_dict() for name, b in self.breakdowns.items()},
            "movements": [m.to_dict() for m in self.movements],
            "weekly_by_kind": [w.to_dict() for w in self.weeks],
            "kind_severity": dict(self.kind_severity),
            "scorecards": [c.to_dict() for c in self.scorecards],
            "replacement_candidates": list(self.replacement_candidates),
            "lanes": [flag.to_dict() for flag in self.lanes],
            "heatmap": [cell.to_dict() for cell in self.heatmap],
            "transit": [sample.to_dict() for sample in self.transit],
            "loss": self.loss.to_dict(),
            "settings": self.settings.to_dict(),
        }


def _aware(name: str, moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ReviewError(
            ErrorCode.BAD_REVIEW_PERIOD,
            name,
            f"{name} {moment.isoformat()} has no UTC offset",
            input=moment.isoformat(),
            hint="give an aware datetime (e.g. 2026-03-01T00:00:00Z)",
        )
    return moment.astimezone(UTC)


def report_period(kind: str, *, until: datetime, since: datetime | None = None) -> Period:
    """The period of a report: ``weekly`` the 7 days before ``until``, ``monthly`` the
    calendar month before it (same day and time), ``custom`` ``[since, until)``."""
    until = _aware("until", until)
    if kind == "weekly":
        return Period(until - timedelta(days=7), until)
    if kind == "monthly":
        year, month = (until.year, until.month - 1) if until.month > 1 else (until.year - 1, 12)
        day = min(until.day, _days_in(year, month))
        return Period(until.replace(year=year, month=month, day=day), until)
    if since is None:
        raise ReviewError(
            ErrorCode.BAD_REVIEW_PERIOD,
            "since",
            "a custom report needs since",
            hint="give since, or ask for a weekly or monthly report",
        )
    since = _aware("since", since)
    if since >= until:
        raise ReviewError(
            ErrorCode.BAD_REVIEW_PERIOD,
            "since",
            f"since {iso(since)} is not before until {iso(until)}",
            input=iso(since),
            hint="give a since earlier than until",
        )
    return Period(since, until)


def _days_in(year: int, month: int) -> int:
    following = datetime(year + (month == 12), month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def midnight(moment: datetime) -> datetime:
    """The start (UTC) of the day of ``moment``: where a report ending today ends."""
    return datetime.combine(moment.astimezone(UTC).date(), time(), tzinfo=UTC)


def settings_from_pack(pack: Pack, settings: ReviewSettings | None = None) -> ReviewSettings:
    """``settings`` with the pack's reporting currency: its ``base_currency`` and
    ``fx_rates`` params when it has both (money is then converted), else unchanged."""
    settings = settings or ReviewSettings()
    base, rates = pack.params.get("base_currency"), pack.params.get("fx_rates")
    if base is None or rates is None:
        return settings
    # A table by currency (`by: currency` with `values`), or a mapping as the default.
    given = rates.values or (rates.default if isinstance(rates.default, Mapping) else {})
    if not given:
        return settings
    table: dict[str, Decimal] = {}
    for currency, rate in given.items():
        try:
            table[str(currency).upper()] = Decimal(str(rate))
        except InvalidOperation:
            continue
    code = str(base.default).upper()
    table.setdefault(code, Decimal(1))
    return attrs.evolve(settings, base_currency=code, fx_rates=table)


def build_review(
    source: Store | ReviewData,
    *,
    until: datetime,
    since: datetime | None = None,
    kind: str = "custom",
    settings: ReviewSettings | None = None,
    as_of: datetime | None = None,
) -> Review:
    """The review of ``[since, until)`` (or the week or month before ``until``).

    ``as_of`` is when the report is made: deadlines after it are not judged yet
    (default: the store's clock, else ``until``).
    """
    if kind not in KINDS:
        raise ReviewError(
            ErrorCode.BAD_REVIEW_PERIOD,
            "kind",
            f"unknown report kind {kind!r}",
            input=kind,
            hint=f"use one of {', '.join(KINDS)}",
        )
    period = report_period(kind, until=until, since=since)
    settings = settings or ReviewSettings()
    if isinstance(source, Store):
        data = ReviewData.from_store(source, since=period.since, until=period.until)
        clock = source.clock()
    else:
        data, clock = source, None
    moment = _aware("as_of", as_of) if as_of is not None else (clock or period.until)
    frame = Frame(data.without_kinds(settings.exclude_kinds))
    tables = breakdowns(frame, period)
    weeks = weekly_by_kind(frame, period)
    return Review(
        kind=kind,
        period=period,
        previous=Period(period.since - (period.until - period.since), period.since),
        as_of=moment,
        settings=settings,
        kpis=tuple(kpis(frame, period, settings)),
        breakdowns=tables,
        movements=tuple(movements(tables)),
        weeks=tuple(weeks),
        kind_severity=kind_severities(frame, weeks),
        scorecards=tuple(scorecards(frame, period, moment, settings)),
        lanes=tuple(flag_lanes(frame, period, settings)),
        heatmap=tuple(delay_heatmap(frame, period, settings)),
        transit=tuple(transit(frame, period)),
        loss=loss(frame, period, settings),
    )
