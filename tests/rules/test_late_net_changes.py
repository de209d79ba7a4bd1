"""The changes a late event reports are the net difference of every open incident
before and after its replay (``runtime/_replay.py``, ``_net``).

``_net`` builds only the incidents whose snapshot took other values; the oracle here
builds every one of them before and after, as replays did before, and diffs them.
Kernels with and without checkpoints share ``_net``, so this is what checks it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logix_carriers import TrackingEvent
from logix_rules import Kernel, ShipmentState, load_pack
from logix_rules.core._durations import from_micros
from logix_rules.core._records import EventRec, rec_key
from logix_rules.runtime._incidents import Change
from logix_rules.runtime._snapshots import diff_snapshots, snapshot

PACK = load_pack("default")
BASE = datetime(2026, 3, 1, tzinfo=UTC)
HOUR = 3_600_000_000
SCANS = [
    ("picked_up", None),
    ("in_transit", None),
    ("in_transit", None),
    ("customs", None),
    ("exception", "customs_hold"),
    ("exception", "lost"),
    ("exception", "damaged"),
    ("exception", "delay_weather"),
    ("exception", "address_issue"),
    ("attempt_failed", "recipient_unavailable"),
    ("out_for_delivery", None),
    ("delivered", None),
]


def event(k: int, hour: int, status: str, reason: str | None) -> Any:
    return TrackingEvent.model_validate(
        {
            "tracking_number": "L1",
            "carrier": "dhl",
            "occurred_at": BASE + timedelta(hours=hour),
            "status": status,
            "reason": reason,
            "event_id": f"e{k}",
        }
    )


def expected(kernel: Kernel, state: ShipmentState, batch: list[EventRec]) -> list[Change]:
    """Step ``batch`` (late) and the changes of every incident built before and after."""
    clock = max(batch[-1][0], state.fired_through or batch[-1][0])
    before = {key: snapshot(PACK, state, inc, clock) for key, inc in state.open.items()}
    kernel.step_many(state, batch)
    after = {key: snapshot(PACK, state, inc, clock) for key, inc in state.open.items()}
    return diff_snapshots(before, after, from_micros(clock), PACK.supersedes)


@pytest.mark.slow
@given(st.data())
def test_a_late_event_reports_the_net_difference(data: st.DataObject) -> None:
    kernel, oracle = Kernel(PACK), Kernel(PACK)
    every = data.draw(st.sampled_from([2, 3, 1 << 40]))
    kernel._checkpoint_from = oracle._checkpoint_from = every
    kernel._checkpoint_every = oracle._checkpoint_every = min(every, 8)
    oracle._converge = False  # it replays every event after the late ones
    recs, hour = [], 0
    for k in range(data.draw(st.integers(3, 24))):
        hour += data.draw(st.sampled_from([0, 1, 3, 5, 23, 25, 49, 80]))
        recs.append(kernel.record(event(k, hour, *data.draw(st.sampled_from(SCANS)))))
    late = data.draw(st.lists(st.sampled_from(range(len(recs) - 1)), min_size=1, unique=True))
    a, b = kernel.new_state("L1", "dhl"), oracle.new_state("L1", "dhl")
    held = [rec for k, rec in enumerate(recs) if k not in late]
    kernel.step_many(a, held)
    oracle.step_many(b, held)
    rest = data.draw(st.permutations([recs[k] for k in late]))
    while rest:
        if data.draw(st.booleans()):
            at = recs[-1][0] + data.draw(st.integers(0, 200)) * HOUR
            assert kernel.fire(a, at)[1] == oracle.fire(b, at)[1]
        size = data.draw(st.integers(1, 3))
        batch, rest = sorted(rest[:size], key=rec_key), rest[size:]
        if rec_key(batch[0]) > rec_key(a.history[-1]):
            kernel.step_many(a, batch)  # in order after all: no replay
            oracle.step_many(b, batch)
            continue
        assert kernel.step_many(a, batch) == expected(oracle, b, batch)
        assert a == b
