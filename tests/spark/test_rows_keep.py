"""A key touched micro-batch after micro-batch: ``handle_rows`` reads and writes its
state with ``keep``, so a long history writes only its new events, and the bytes are
still those a write from scratch gives (no JVM needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from logix_carriers import TrackingEvent
from logix_rules.integrations._spark_packs import PackSource
from logix_rules.integrations._spark_rows import (
    StateCache,
    event_to_input,
    handle_rows,
    kernel_for,
)
from logix_rules.runtime._state_layout import REUSE_FROM

BASE = datetime(2026, 3, 1, tzinfo=UTC)


def event(k: int) -> TrackingEvent:
    return TrackingEvent.model_validate(
        {
            "tracking_number": "K1",
            "carrier": "dhl",
            "occurred_at": BASE + timedelta(hours=3 * k),
            "status": "in_transit",
            "event_id": f"k-{k}",
            "description": f"scan {k % 4}",
        }
    )


@pytest.mark.parametrize("cached", [False, True])
def test_a_long_history_is_written_incrementally_and_the_same(cached: bool) -> None:
    kernel = kernel_for(PackSource.of("default"))
    cache = StateCache(100) if cached else None
    saved = None
    reference = kernel.new_state("K1", "dhl")
    n = REUSE_FROM + 12
    for k in range(n):
        out = handle_rows(kernel, cache, "K1", saved, [event_to_input(event(k))], now_us=None)
        assert out.saved is not None
        saved = out.saved
        kernel.step(reference, kernel.record(event(k)))
        # byte for byte what the in-memory state writes from scratch
        assert saved[0] == kernel.dumps(reference)
    state = kernel.loads(saved[0], keep=True)
    assert state.encoded is not None  # long enough to be remembered
    assert state.encoded[1] is saved[0]
    assert kernel.incidents(state) == kernel.incidents(reference)
