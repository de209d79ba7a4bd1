"""The knobs of ``timelines()``: checked, drawn when they are strategies, in one record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ._arguments import _bad, _boolean, _count, _draw, _duration
from ._timeline_model import REPORT_REASONS


@attrs.frozen
class _Knobs:
    stall: timedelta | None
    customs_hold: bool
    customs_time: timedelta | None
    failed_attempts: int
    damage: Any  # None: no damage; a float ratio; True: a ratio nobody knows yet
    lost: bool
    refused: bool
    late: timedelta | bool | None
    customer_report: str | None
    duplicates: int
    out_of_order: bool
    clock_skew: timedelta | None
    max_gap: timedelta
    drawn: bool  # some knob came from a strategy: conflicts reject instead of raising


def _knobs(draw: st.DrawFn, raw: dict[str, Any], cross: bool, drawn_shipment: bool) -> _Knobs:
    stall, fixed = _draw(draw, raw["stall"])
    stall = _duration("stall", stall, fixed)
    hold, fixed_hold = _draw(draw, raw["customs_hold"])
    hold = _boolean("customs_hold", hold)
    if hold and not cross:
        _bad(
            fixed_hold and not drawn_shipment,
            "customs_hold=True needs a shipment whose lane goes through customs, e.g. "
            "shipment=shipments(lanes=['CN-US'])",
        )
    ctime, fixed = _draw(draw, raw["customs_time"])
    ctime = _duration("customs_time", ctime, fixed)
    if ctime is not None and not cross:
        _bad(
            fixed and not drawn_shipment,
            "customs_time needs a cross-border shipment; pass "
            "shipment=shipments(cross_border=True)",
        )
    attempts, fixed = _draw(draw, raw["failed_attempts"])
    attempts = _count("failed_attempts", attempts, fixed, 10)
    damage, fixed = _draw(draw, raw["damage"])
    if damage is False:
        damage = None
    if damage is not None and damage is not True:
        if isinstance(damage, bool) or not isinstance(damage, int | float):
            raise InvalidArgument(
                f"damage={damage!r} must be a ratio between 0 and 1, True or None"
            )
        if not 0 <= damage <= 1:
            _bad(fixed, f"damage={damage!r}: a damage ratio is between 0 and 1")
        damage = float(damage)
    lost, fixed_lost = _draw(draw, raw["lost"])
    lost = _boolean("lost", lost)
    refused, fixed_refused = _draw(draw, raw["refused"])
    refused = _boolean("refused", refused)
    if lost and refused:
        _bad(fixed_lost and fixed_refused, "lost=True and refused=True cannot both happen")
    late, fixed = _draw(draw, raw["late"])
    if late is False:
        late = None
    if late is not True:  # True: some lateness, drawn once the journey's times are known
        late = _duration("late", late, fixed)
    report, fixed = _draw(draw, raw["customer_report"])
    if report is not None and report not in REPORT_REASONS:
        raise InvalidArgument(
            f"customer_report={report!r} must be one of {', '.join(REPORT_REASONS)} or None"
        )
    dupes, fixed = _draw(draw, raw["duplicates"])
    if isinstance(dupes, bool):
        dupes = int(dupes)
    dupes = _count("duplicates", dupes, fixed, 50)
    disorder, _ = _draw(draw, raw["out_of_order"])
    disorder = _boolean("out_of_order", disorder)
    skew, fixed = _draw(draw, raw["clock_skew"])
    skew = _duration("clock_skew", skew, fixed, allow_zero=True)
    gap = raw["max_gap"]
    if not isinstance(gap, timedelta) or gap < timedelta(minutes=10):
        raise InvalidArgument(f"max_gap={gap!r} must be a timedelta of at least 10 minutes")
    drawn = any(isinstance(value, st.SearchStrategy) for value in raw.values())
    return _Knobs(
        stall,
        hold,
        ctime,
        attempts,
        damage,
        lost,
        refused,
        late,
        report,
        dupes,
        disorder,
        skew,
        gap,
        drawn,
    )
