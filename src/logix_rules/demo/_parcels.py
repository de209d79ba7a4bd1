"""One demo parcel being built: its lane, carrier, places and scans, with times set
back from ``DEMO_AT``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from ._tables import _CROSS_CUSTOMS, _CROSS_FREE, _DOMESTIC, _Carrier, _Lane, _Leg, _Place

__all__ = ["DEMO_AT"]


#: The fixed evaluation time of the demo data set.
DEMO_AT: Final = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)


@dataclass
class _Scan:
    step: str
    at: datetime
    place: _Place
    reason: str | None = None
    attributes: dict[str, str | int | float | bool | None] = field(default_factory=dict)
    report: str | None = None  # source.system of a report made by people
    text: str | None = None
    estimate: datetime | None = None  # the carrier's estimated delivery, if it gave one


@dataclass
class _Parcel:
    """One shipment being built: its lane, carrier, places and scans."""

    rng: random.Random
    lane: _Lane
    carrier: _Carrier
    tracking_number: str
    origin: _Place
    dest: _Place
    hub: _Place
    export: _Place
    import_: _Place
    scans: list[_Scan] = field(default_factory=list)
    promised_at: datetime | None = None
    declared_value: Decimal | None = None
    insured: bool | None = None  # as the OMS says; None: decided from the value
    category: str = "apparel"

    def place(self, role: str) -> _Place:
        return {
            "origin": self.origin,
            "dest": self.dest,
            "hub": self.hub,
            "export": self.export,
            "import": self.import_,
        }[role]

    def journey(self) -> tuple[_Leg, ...]:
        if not self.lane.cross_border:
            return _DOMESTIC
        return _CROSS_CUSTOMS if self.lane.customs else _CROSS_FREE

    def happy_path(self, *, until: str = "delivered", at: datetime) -> datetime:
        """Scans of the normal journey up to ``until``, placed so ``until`` happens ``at``.

        Returns the time of the first scan (the label).
        """
        legs = self.journey()
        offsets: list[tuple[str, _Place, timedelta]] = []
        elapsed = timedelta()
        for step, role, (low, high) in legs:
            elapsed += _hours(self.rng, low, high)
            offsets.append((step, self.place(role), elapsed))
            if step == until:
                break
        else:
            raise ValueError(f"step {until!r} is not on the journey of lane {self.lane}")
        start = at - offsets[-1][2]
        self.scans.extend(_Scan(step, start + off, place) for step, place, off in offsets)
        return start

    def add(self, step: str, at: datetime, place: _Place | None = None, **kw: Any) -> None:
        self.scans.append(_Scan(step, at, place or self.last_place(), **kw))

    def last(self) -> _Scan:
        return max((s for s in self.scans if s.report is None), key=lambda s: s.at)

    def last_place(self) -> _Place:
        return self.last().place

    def promise(self, *, after: datetime, margin: tuple[float, float] = (6, 72)) -> None:
        """Promise the lane's usual time from the label, but never before ``after``."""
        start = min(s.at for s in self.scans)
        usual = start + timedelta(days=self.rng.randint(*self.lane.promise_days))
        self.promised_at = max(usual, after + _hours(self.rng, *margin))


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    """A random duration in whole minutes between ``low`` and ``high`` hours."""
    return timedelta(minutes=rng.randint(round(low * 60), round(high * 60)))


def _ago(rng: random.Random, low: float, high: float) -> datetime:
    return DEMO_AT - _hours(rng, low, high)
