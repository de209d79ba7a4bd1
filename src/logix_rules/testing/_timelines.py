"""``timelines()`` and ``eventful_timelines()``: a parcel's life as a carrier feed
reports it.

Keyword-only knobs inject what rules care about: a stall of a chosen length, a
customs hold, failed attempts, damage with a ratio, loss, refusal, late delivery, a
customer report, and carrier noise.  Every knob takes a plain value or a strategy.
Examples shrink towards short timelines: few scans, minutes apart, starting
2026-03-02 08:00 UTC.  ``_hypothesis_setup_hook`` gives ``Shipment``,
``TrackingEvent`` and ``Timeline`` type strategies through Hypothesis's entry point.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from logix_carriers import Shipment, TrackingEvent

from ._arguments import _BOOLS, _ints, _strategy
from ._journeys import _timeline
from ._shipments import _SHIPMENTS, _has_customs, shipments
from ._timeline_model import REPORT_REASONS, Timeline

__all__ = ["eventful_timelines", "timelines"]


@st.composite
def _timelines(draw: st.DrawFn, shipment: Any, raw: dict[str, Any]) -> Timeline:
    return _timeline(draw, shipment, raw)


def timelines(
    shipment: Shipment | st.SearchStrategy[Shipment] | None = None,
    *,
    min_size: int = 0,
    max_size: int | None = None,
    outcome: str | st.SearchStrategy[str] | None = None,
    stall: timedelta | st.SearchStrategy[timedelta] | None = None,
    customs_hold: bool | st.SearchStrategy[bool] = False,
    customs_time: timedelta | st.SearchStrategy[timedelta] | None = None,
    failed_attempts: int | st.SearchStrategy[int] = 0,
    damage: float | bool | st.SearchStrategy[Any] | None = None,
    lost: bool | st.SearchStrategy[bool] = False,
    refused: bool | st.SearchStrategy[bool] = False,
    late: timedelta | bool | st.SearchStrategy[Any] | None = None,
    customer_report: str | st.SearchStrategy[str] | None = None,
    duplicates: int | st.SearchStrategy[int] = 0,
    out_of_order: bool | st.SearchStrategy[bool] = False,
    clock_skew: timedelta | st.SearchStrategy[timedelta] | None = None,
    max_gap: timedelta = timedelta(hours=12),
) -> st.SearchStrategy[Timeline]:
    """A parcel's life as a carrier feed reports it, with the situations you ask for.

    With no knobs the parcel is clean: scans at most ``max_gap`` apart, delivered on
    time, returned, or still moving at ``end`` (``outcome`` picks one).  The knobs,
    each a plain value or a strategy:

    * ``stall``: one silence of this length between two scans after the pickup, or
      the final silence of a parcel still in transit;
    * ``customs_hold``: a customs-hold scan and a release (cross-border only);
      ``customs_time``: the time spent in customs;
    * ``failed_attempts``: that many failed delivery attempts;
    * ``damage``: a damage scan with this ``damage_ratio`` (``True``: no ratio);
    * ``lost``: the carrier declares the parcel lost (outcome ``lost``);
    * ``refused``: the recipient refuses it (then it goes back, or the story ends);
    * ``late``: delivered (or still out at ``end``) this long after the promise;
    * ``customer_report``: a report from people: ``not_received``, ``wrong_item``,
      ``missing_items`` or ``damaged``;
    * carrier noise: ``duplicates`` scans sent twice, ``out_of_order`` delivery of
      the feed, ``clock_skew``: scan clocks off by up to this much.

    ``min_size``/``max_size`` bound the number of distinct carrier scans.  The
    shipment (default ``shipments()``) gets a promise that makes ``late`` true.
    """
    raw = {
        "min_size": min_size,
        "max_size": max_size,
        "outcome": outcome,
        "stall": stall,
        "customs_hold": customs_hold,
        "customs_time": customs_time,
        "failed_attempts": failed_attempts,
        "damage": damage,
        "lost": lost,
        "refused": refused,
        "late": late,
        "customer_report": customer_report,
        "duplicates": duplicates,
        "out_of_order": out_of_order,
        "clock_skew": clock_skew,
        "max_gap": max_gap,
    }
    return _timelines(shipment, raw)


_DEFAULTS: Final = {
    name: parameter.default
    for name, parameter in inspect.signature(timelines).parameters.items()
    if name != "shipment"
}


def _minutes(low: int, high: int) -> st.SearchStrategy[timedelta]:
    return st.integers(low, high).map(lambda m: timedelta(minutes=m))


_MAYBE_STALL: Final = st.none() | _minutes(60, 12 * 24 * 60)
_MAYBE_CUSTOMS_TIME: Final = st.none() | _minutes(60, 6 * 24 * 60)
_MAYBE_DAMAGE: Final = st.none() | st.just(True) | st.integers(0, 100).map(lambda n: n / 100)
_MAYBE_LATE: Final = st.none() | _minutes(1, 6 * 24 * 60)
_MAYBE_REPORT: Final = st.none() | st.sampled_from(REPORT_REASONS)
_MAYBE_SKEW: Final = st.none() | _minutes(0, 180)


@st.composite
def _eventful(draw: st.DrawFn, shipment: Any, noise: bool) -> Timeline:
    ship = draw(_SHIPMENTS if shipment is None else _strategy(shipment))
    cross = _has_customs(ship)
    lost = draw(_ints(0, 3)) == 3  # one parcel in four is lost
    knobs: dict[str, Any] = dict(_DEFAULTS)
    knobs.update(
        stall=draw(_MAYBE_STALL),
        customs_hold=cross and draw(_BOOLS),
        customs_time=draw(_MAYBE_CUSTOMS_TIME) if cross else None,
        failed_attempts=draw(_ints(0, 4)),
        damage=draw(_MAYBE_DAMAGE),
        lost=lost,
        refused=not lost and draw(_BOOLS),
        late=draw(_MAYBE_LATE),
        customer_report=draw(_MAYBE_REPORT),
    )
    if noise:
        knobs.update(
            duplicates=draw(_ints(0, 3)),
            out_of_order=draw(_BOOLS),
            clock_skew=draw(_MAYBE_SKEW),
        )
    return _timeline(draw, ship, knobs)


def eventful_timelines(
    shipment: Shipment | st.SearchStrategy[Shipment] | None = None, *, noise: bool = True
) -> st.SearchStrategy[Timeline]:
    """Timelines with every knob drawn: any mix of situations, with carrier noise.

    What invariants (incremental equals batch, order and duplicates change nothing)
    are best tested against.  ``noise=False`` leaves the feed clean.
    """
    if not isinstance(noise, bool):
        raise InvalidArgument(f"noise={noise!r} must be True or False")
    return _eventful(shipment, noise)


# ------------------------------------------------------------------- hypothesis entry point


def _register(kind: type[Any], factory: Callable[[], st.SearchStrategy[Any]]) -> None:
    st.register_type_strategy(kind, lambda _: factory())


def _hypothesis_setup_hook() -> None:
    """Called by Hypothesis (``hypothesis`` entry point): type strategies for the model."""
    _register(Shipment, shipments)
    _register(Timeline, timelines)
    _register(TrackingEvent, lambda: timelines().flatmap(lambda tl: st.sampled_from(tl.events)))
