"""Hypothesis strategies for property tests of rule packs (public import path).

The implementation lives in ``logix_rules.testing``; see docs/testing.md.
"""

from .testing._strategies import (
    EPOCH,
    OUTCOMES,
    REPORT_REASONS,
    SITUATIONS,
    Advance,
    ArrivalPlan,
    Ingest,
    Situation,
    Timeline,
    Upsert,
    arrivals,
    assert_arrival_order_irrelevant,
    assert_duplicates_change_nothing,
    assert_incremental_equals_batch,
    assert_no_early_incidents,
    eventful_timelines,
    shipments,
    timelines,
)

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
from .testing._strategies import _hypothesis_setup_hook as _hypothesis_setup_hook
