"""A replay shows evaluation only the events it absorbed (runtime/_replay.py, ``_run``
and ``_Tail.converges``), and always gives the whole history back.

Evaluation reads the absorbed part of the history (the trail's cause, the evidence's
events): the replay cuts the list to it and puts each event back as it absorbs it, so
those reads take the whole list instead of copying its head (a history of
``CUT_FROM`` events or more; shorter ones cost less uncut).  These tests watch every
absorb of a late event's replay: the event absorbed is the list's last, the list is as
long as the count of absorbed events, and after the replay (or an error inside it) the
history holds every event in order.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from logix_carriers import TrackingEvent
from logix_rules import Kernel, ShipmentState, load_pack
from logix_rules.core._records import EventRec, rec_key
from logix_rules.runtime import _replay
from logix_rules.runtime._incidents import Change

PACK = load_pack("default")
BASE = datetime(2026, 3, 1, tzinfo=UTC)


def _records(kernel: Kernel, length: int) -> list[EventRec]:
    """A parcel's events in time order, an exception every seventh so incidents open
    (and the trail names a cause) while the history replays."""
    events = []
    for k in range(length):
        status, reason = ("in_transit", None) if k % 7 else ("exception", "delay_weather")
        events.append(
            TrackingEvent.model_validate(
                {
                    "tracking_number": "CUT1",
                    "carrier": "dhl",
                    "occurred_at": BASE + timedelta(hours=5 * k),
                    "status": "picked_up" if k == 0 else status,
                    "reason": None if k == 0 else reason,
                    "event_id": f"CUT1-{k}",
                }
            )
        )
    return [kernel.record(e) for e in events]


def _watch(kernel: Kernel, seen: list[tuple[int, int, bool]]) -> None:
    """Record, at each absorb, (events absorbed before it, list length, whether the
    event is the list's last)."""
    take = kernel._take

    def watched(state: ShipmentState, rec: EventRec) -> list[Change]:
        history = state.history
        seen.append((state.n_events, len(history), history[-1] is rec))
        return take(state, rec)

    setattr(kernel, "_take", watched)  # noqa: B010  (an instance attribute over the method)


@pytest.mark.parametrize(
    ("length", "back", "cut_from"),
    [
        (70, 60, _replay.CUT_FROM),
        (80, 10, _replay.CUT_FROM),
        (100, 3, _replay.CUT_FROM),
        (12, 8, 1),
    ],
)
@pytest.mark.parametrize("converge", [True, False])
def test_a_replay_shows_only_the_absorbed_events(
    length: int, back: int, cut_from: int, converge: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(Histories shorter than CUT_FROM are not cut: the last case lowers it.)"""
    assert length >= cut_from
    monkeypatch.setattr(_replay, "CUT_FROM", cut_from)
    kernel = Kernel(PACK)
    kernel._checkpoint_from, kernel._checkpoint_every = 8, 8
    kernel._converge = converge
    recs = _records(kernel, length)
    late = recs[-1 - back]
    state = kernel.new_state("CUT1", "dhl")
    kernel.step_many(state, [r for r in recs if r is not late])
    seen: list[tuple[int, int, bool]] = []
    _watch(kernel, seen)
    kernel.step(state, late)
    assert seen  # the late event replayed something
    assert all(length == absorbed + 1 and last for absorbed, length, last in seen)
    assert state.history == sorted(recs, key=rec_key)

    fresh = Kernel(PACK).new_state("CUT1", "dhl")
    whole = Kernel(PACK)
    whole.step_many(fresh, recs)
    assert whole.incidents(fresh) == kernel.incidents(state)


@pytest.mark.parametrize("converge", [True, False])
def test_an_error_inside_a_replay_gives_the_history_back(converge: bool) -> None:
    kernel = Kernel(PACK)
    kernel._checkpoint_from, kernel._checkpoint_every = 8, 8
    kernel._converge = converge
    recs = _records(kernel, _replay.CUT_FROM + 6)
    late = recs[20]
    state = kernel.new_state("CUT1", "dhl")
    kernel.step_many(state, [r for r in recs if r is not late])
    take = kernel._take
    calls = [0]

    def failing(s: ShipmentState, rec: EventRec) -> list[Change]:
        calls[0] += 1
        if calls[0] == 3:
            raise RuntimeError("inside the replay")
        return take(s, rec)

    setattr(kernel, "_take", failing)  # noqa: B010
    with pytest.raises(RuntimeError, match="inside the replay"):
        kernel.step(state, late)
    assert state.history == sorted(recs, key=rec_key)
