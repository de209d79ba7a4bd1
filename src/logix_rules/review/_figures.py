"""One reported figure: its value with the numerator, denominator and period it comes
from, or why it cannot be computed (never a silent 0)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

__all__ = ["Figure", "Period", "iso", "mean_of", "quantile_of", "ratio"]


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@attrs.frozen
class Period:
    """``[since, until)``, aware instants."""

    since: datetime
    until: datetime

    def __contains__(self, moment: datetime | None) -> bool:
        return moment is not None and self.since <= moment < self.until

    def to_dict(self) -> dict[str, str]:
        return {"since": iso(self.since), "until": iso(self.until)}

    def __str__(self) -> str:
        return f"{iso(self.since)} – {iso(self.until)}"

    def label(self) -> str:
        """``9 Mar 2026 00:00 – 16 Mar 2026 00:00 UTC``, as people read it."""
        since, until = self.since.astimezone(UTC), self.until.astimezone(UTC)
        return f"{since:%-d %b %Y %H:%M} – {until:%-d %b %Y %H:%M} UTC"


@attrs.frozen
class Figure:
    """A figure of a report.

    ``unit`` is ``ratio`` (0..1), ``hours``, ``days`` or ``count``.  A ratio or mean is
    ``numerator / denominator``; a median or percentile has no numerator and its
    ``denominator`` is the sample size.  ``value`` is None when the figure is undefined
    (an empty denominator), and ``undefined`` then says why.
    """

    value: float | None
    unit: str
    numerator: float | None
    denominator: float | None
    period: Period
    undefined: str | None = None

    @property
    def defined(self) -> bool:
        return self.value is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "period": self.period.to_dict(),
            "undefined": self.undefined,
        }

    def shown(self, digits: int = 1) -> str:
        """The value as people read it: ``4.2 %``, ``3.5 h``, ``12``; ``n/a`` when undefined."""
        if self.value is None:
            return "n/a"
        if self.unit == "ratio":
            return f"{self.value * 100:.{digits}f} %"
        if self.unit == "hours":
            return f"{self.value:.{digits}f} h"
        if self.unit == "days":
            return f"{self.value:.{digits}f} d"
        return f"{self.value:g}"

    def basis(self) -> str:
        """``numerator / denominator`` or ``n = …``, or why it is undefined."""
        if self.value is None:
            return self.undefined or "undefined"
        if self.numerator is None:
            return f"n = {_number(self.denominator)}"
        return f"{_number(self.numerator)} / {_number(self.denominator)}"


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def ratio(numerator: int, denominator: int, period: Period, *, of: str) -> Figure:
    """``numerator / denominator``; undefined when there is no ``of`` (the denominator)."""
    if denominator == 0:
        return Figure(None, "ratio", numerator, 0, period, f"no {of} in the period")
    return Figure(numerator / denominator, "ratio", numerator, denominator, period)


def mean_of(values: Sequence[float], period: Period, *, unit: str, of: str) -> Figure:
    """The mean of ``values`` (sum / count)."""
    if not values:
        return Figure(None, unit, 0, 0, period, f"no {of} in the period")
    total = math.fsum(values)
    return Figure(total / len(values), unit, total, len(values), period)


def quantile_of(values: Sequence[float], q: float, period: Period, *, unit: str, of: str) -> Figure:
    """The ``q`` quantile of ``values``, linear between the closest ranks (q = 0.5: the
    median; 0.9: p90)."""
    if not values:
        return Figure(None, unit, None, 0, period, f"no {of} in the period")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    value = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return Figure(value, unit, None, len(ordered), period)
