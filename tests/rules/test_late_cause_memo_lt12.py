"""A late event's replay keeps the trail's cause memo (``runtime/_causes._from_memo``)
across what it does to the history: the late events inserted (``cut_memo`` from
``_replay._insert_all``), a checkpoint restored before them (the checkpoint's memo,
``_checkpoints.freeze``/``thaw``, or the one cut to its length), a fork's shared state
put back (the memo read past the absorbed part).  Each must give what a plain walk
of the absorbed part gives; and a replay over a long trail must give the causes the
in-order arrival gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from logix_carriers import TrackingEvent
from logix_rules import Engine, Kernel, load_pack
from logix_rules.core._records import KIND, REASON
from logix_rules.runtime import _causes
from logix_rules.runtime._causes import MEMO_FROM, cut_memo, derived_cause, memo_valid

KERNEL = Kernel(load_pack("default"))
REASONS = ["damaged", "address_issue", "delay_weather", "wrong_item", "customs_hold", None]
SPARSE = st.one_of(st.none(), st.none(), st.none(), st.none(), st.sampled_from(REASONS))


def _rec(t: int, index: int, reason: str | None) -> Any:
    return (t, f"e{index}", ("in_transit", "line_haul", reason, "dhl", None, None, None, None))


def _plain(history: list[Any], absorbed: int) -> str:
    for rec in reversed(history[:absorbed]):
        cause = _causes._CAUSE_OF(rec[KIND][REASON])
        if cause is not None:
            return cause
    return "unknown"


@settings(max_examples=400, deadline=None)
@given(
    start=st.lists(SPARSE, min_size=MEMO_FROM + 1, max_size=MEMO_FROM + 60),
    asked=st.integers(min_value=0, max_value=10_000),
    place=st.integers(min_value=0, max_value=10_000),
    late=SPARSE,
    back=st.integers(min_value=0, max_value=40),
    cut=st.booleans(),
)
def test_a_replay_reads_the_cause_the_plain_walk_gives(
    start: list[str | None], asked: int, place: int, late: str | None, back: int, cut: bool
) -> None:
    state = KERNEL.new_state("LX000000000CN", "dhl")
    history = [_rec(10 * i, i, reason) for i, reason in enumerate(start)]
    state.history = history
    # The memo as the last in-order evaluation left it, after some number of events.
    state.n_events = MEMO_FROM + asked % (len(history) - MEMO_FROM + 1)
    assert derived_cause(state, 10**9) == _plain(history, state.n_events)
    # A late event at ``first`` (_insert_all), then a checkpoint at or before it
    # restored (_replay), then the events from there absorbed one by one, the list cut
    # to the absorbed part or not (_run's CUT_FROM), then back to the fork's shared state.
    first = 1 + place % len(history)
    memo = memo_valid(state)
    history.insert(first, _rec(history[first - 1][0], 999, late))
    cut_memo(state, first, memo)
    restored = max(1, first - back)
    cut_memo(state, restored, memo_valid(state))
    rest = history[restored:]
    if cut:
        del history[restored:]
    for n in range(restored + 1, restored + len(rest) + 1):
        if cut:
            history.append(rest[n - 1 - restored])
        state.n_events = n
        assert derived_cause(state, 10**9) == _plain(history, n)
    if cut:
        history.extend(rest[len(history) - restored :])
    for n in (first, first + 1, restored):  # the fork's shared state, put back
        state.n_events = min(n, len(history))
        assert derived_cause(state, 10**9) == _plain(history, state.n_events)


def _event(i: int, reason: str | None) -> TrackingEvent:
    return TrackingEvent.model_validate(
        {
            "tracking_number": "LX123456785CN",
            "carrier": "dhl",
            "occurred_at": datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=3 * i),
            "status": "exception" if reason else "in_transit",
            "reason": reason,
            "event_id": f"ev{i:03d}",
        }
    )


def test_late_events_in_a_long_trail_give_the_causes_of_the_in_order_arrival() -> None:
    # A carrier delay opens an incident early, so every evaluation asks for the cause.
    # Causes far back, just before a checkpoint, between a checkpoint and the late
    # event, right after it; late events that name one and that do not, each into a
    # fresh engine holding the rest.
    reasons = {3: "delay_carrier", 30: "address_issue", 58: "customs_hold"}
    reasons |= {66: "delay_weather", 75: "damaged", 81: "wrong_item"}
    trail = [_event(i, reasons.get(i)) for i in range(100)]
    whole = Engine(load_pack("default"))
    whole.ingest(trail)
    expected = sorted((i.kind, i.cause, i.opened_at) for i in whole.open_incidents())
    causes = {i.cause for i in whole.open_incidents()}
    assert causes - {"unknown"}, "the trail's incidents must carry a cause"
    for late in (33, 57, 59, 65, 67, 70, 74, 76, 82, 90, 96):
        engine = Engine(load_pack("default"))
        engine.ingest([e for e in trail if e is not trail[late]])
        engine.ingest([trail[late]])
        got = sorted((i.kind, i.cause, i.opened_at) for i in engine.open_incidents())
        assert got == expected, late
