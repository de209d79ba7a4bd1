"""Hypothesis strategies for rule packs: shipments, parcel timelines, arrival orders.

Needs the ``testing`` extra (``pip install "logix[testing]"``)::

    from hypothesis import given, strategies as st
    from logix_rules.strategies import timelines

    @given(timelines(stall=st.timedeltas(min_value=timedelta(hours=24),
                                         max_value=timedelta(days=3))))
    def test_a_stall_opens_at_24h(timeline): ...

* ``shipments()`` draws realistic OMS facts: carriers, domestic and cross-border
  lanes, promised dates, values, categories.
* ``timelines()`` draws a parcel's life from a model of the journey (pre-transit,
  pickup, line haul, customs for cross-border lanes, last mile, then delivered,
  returned, lost or still in transit), with keyword-only knobs that inject what
  rules care about: a stall of a chosen length, a customs hold, failed attempts,
  damage with a ratio, loss, refusal, late delivery, a customer report, and carrier
  noise (duplicate scans, out-of-order arrival, clock skew within a bound).  Every
  knob takes a plain value or a strategy.  What was injected is recorded in
  ``timeline.situations`` with its times, so a test can check the incident that
  should follow.
* ``arrivals(timeline)`` draws an arrival plan: the same events shuffled and partly
  duplicated, in batches, with ``advance`` points and the shipment facts interleaved.
* ``assert_incremental_equals_batch``, ``assert_duplicates_change_nothing``,
  ``assert_arrival_order_irrelevant`` and ``assert_no_early_incidents`` check the
  engine's promises for your pack inside your own ``@given`` tests.

Arguments are validated when a value is drawn, as in Hypothesis itself: a bad
argument raises ``hypothesis.errors.InvalidArgument``.  Examples shrink towards
short timelines: few scans, minutes apart, starting 2026-03-02 08:00 UTC.
``Shipment``, ``TrackingEvent`` and ``Timeline`` get type strategies through
Hypothesis's entry point, so ``st.from_type(Shipment)`` works.

The implementation lives in ``logix_rules.testing``; see docs/testing.md.
"""

from .testing._arrivals import Advance, ArrivalPlan, Ingest, Upsert, arrivals
from .testing._properties import (
    assert_arrival_order_irrelevant,
    assert_duplicates_change_nothing,
    assert_incremental_equals_batch,
    assert_no_early_incidents,
)
from .testing._shipments import EPOCH, shipments
from .testing._timeline_model import OUTCOMES, REPORT_REASONS, SITUATIONS, Situation, Timeline
from .testing._timelines import eventful_timelines, timelines

__all__ = [
    "EPOCH",
    "OUTCOMES",
    "REPORT_REASONS",
    "SITUATIONS",
    "Advance",
    "ArrivalPlan",
    "Ingest",
    "Situation",
    "Timeline",
    "Upsert",
    "arrivals",
    "assert_arrival_order_irrelevant",
    "assert_duplicates_change_nothing",
    "assert_incremental_equals_batch",
    "assert_no_early_incidents",
    "eventful_timelines",
    "shipments",
    "timelines",
]

# The target of the ``hypothesis`` entry point (registers the type strategies).
from .testing._timelines import _hypothesis_setup_hook as _hypothesis_setup_hook
