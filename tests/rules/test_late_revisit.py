"""Late events while a resolved incident owes its revisit (``Replay._owes_revisit``).

A resolve makes every checkpoint stale; the replay of the next late event takes new
ones that saw it, so the late event after that finds valid checkpoints and a revisit
still owed: it replays the whole history.  The oracles are a kernel that never
checkpoints and a fresh kernel fed the sorted history, resolved at the same instant;
the property drives late events around recent resolves (the general property,
tests/rules/test_late_checkpoints.py, seldom reaches an owed revisit with valid
checkpoints).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_late_checkpoints import PACK, counting, event, same  # one parcel's scans, as there

from logix_rules import Kernel, ShipmentState
from logix_rules.core._errors import UnknownIncident
from logix_rules.core._records import EventRec, rec_key
from logix_rules.runtime._incidents import ChangeType

HOUR = 3_600_000_000


def test_late_events_after_a_resolve_with_its_revisit_owed() -> None:
    kernel, plain = Kernel(PACK), Kernel(PACK)
    plain._checkpoint_from = 1 << 40  # never: the whole history, as before checkpoints
    plain._converge = False
    # A lost parcel that keeps moving: the incident stays open over 42 events.
    recs = [kernel.record(event(0, 0, "picked_up"))]
    recs.append(kernel.record(event(1, 1, "exception", "lost")))
    recs += [kernel.record(event(k, 5 * k, "in_transit")) for k in range(2, 42)]
    late = [kernel.record(event(100, 5 * 36 + 1, "in_transit"))]
    late.append(kernel.record(event(101, 5 * 38 + 2, "in_transit")))
    a, b = kernel.new_state("L1", "dhl"), plain.new_state("L1", "dhl")
    for rec in recs:
        kernel.step(a, rec)
        plain.step(b, rec)
    assert a.checkpoints is not None
    assert [p[0] for p in a.checkpoints.points] == [32, 40]
    inc = a.open["lost"]
    at = a.fired_through
    assert at is not None
    resolved = kernel.resolve(a, inc.id, "bo", at, "refund sent", None)
    assert resolved == plain.resolve(b, inc.id, "bo", at, "refund sent", None)
    assert kernel._owes_revisit(a)  # the revisit falls due 24 h after the resolve
    assert not a.checkpoints.valid_for(a)

    taken = counting(kernel)
    assert next(taken) == 0
    # The first late event: stale checkpoints, the whole history; the replay takes new
    # ones, under the resolve.
    assert kernel.step(a, late[0])[1] == plain.step(b, late[0])[1]
    assert next(taken) == 43
    same(kernel, a, b)
    assert a.checkpoints.valid_for(a)
    assert [p[0] for p in a.checkpoints.points] == [32, 40]
    assert kernel._owes_revisit(a)
    # The second: valid checkpoints before it (32), but the revisit is owed: all again.
    assert kernel.step(a, late[1])[1] == plain.step(b, late[1])[1]
    assert next(taken) == 43 + 44
    same(kernel, a, b)

    # The revisit still falls due once, reported by both.
    due = at + 24 * HOUR
    fired = kernel.fire(a, due)[1]
    assert fired == plain.fire(b, due)[1]
    assert [(c.type, c.incident.id) for c in fired] == [(ChangeType.REVISIT_DUE, inc.id)]
    same(kernel, a, b)
    assert not kernel._owes_revisit(a)

    # ... as a fresh kernel fed the sorted history, resolved at the same instant.
    fresh = kernel.new_state("L1", "dhl")
    kernel.step_many(fresh, sorted(recs + late, key=rec_key))
    kernel.fire(fresh, at)
    kernel.resolve(fresh, inc.id, "bo", at, "refund sent", None)
    assert [(c.type, c.incident.id) for c in kernel.fire(fresh, due)[1]] == [
        (ChangeType.REVISIT_DUE, inc.id)
    ]
    assert kernel.incidents(fresh, include_resolved=True) == kernel.incidents(
        a, include_resolved=True
    )
    assert kernel.dumps(fresh) == kernel.dumps(a)


# -- a property: late events around resolves, checkpoints against none -----------------------
SCANS = [
    ("picked_up", None),
    ("in_transit", None),
    ("in_transit", None),
    ("customs", None),
    ("exception", "customs_hold"),
    ("exception", "lost"),
    ("exception", "damaged"),
    ("attempt_failed", "recipient_unavailable"),
    ("delivered", None),
]


@st.composite
def late_after_resolves(draw: st.DrawFn) -> tuple[list[EventRec], list[tuple[str, Any]]]:
    """A history that opens incidents; part of it in order, then resolves (dated up to
    three days back) and the held-back events late, in batches, with fires between."""
    kernel = Kernel(PACK)
    recs, hour = [], 0
    for k in range(draw(st.integers(4, 18))):
        hour += draw(st.sampled_from([0, 1, 3, 5, 23, 25, 49]))
        recs.append(kernel.record(event(k, hour, *draw(st.sampled_from(SCANS)))))
    # Late events from the last two thirds, where checkpoints lie before them.
    tail = st.sampled_from(range(len(recs) // 3, len(recs)))
    held = draw(st.lists(tail, min_size=2, max_size=5, unique=True))
    first = [rec for k, rec in enumerate(recs) if k not in held]
    rest = draw(st.permutations([recs[k] for k in held]))
    ops: list[tuple[str, Any]] = [("batch", first)]
    while rest:
        # Mostly recent resolves: their revisit stays owed over the late events after.
        if len(ops) == 1 or draw(st.booleans()):
            back = draw(st.sampled_from([0, 0, 1, 5, 30, 72]))
            ops.append(("resolve", (draw(st.integers(0, 3)), back)))
        if draw(st.integers(0, 3)) == 0:
            ops.append(("fire", recs[-1][0] + draw(st.integers(0, 60)) * HOUR))
        size = draw(st.integers(1, 2))
        ops.append(("batch", sorted(rest[:size], key=rec_key)))
        rest = rest[size:]
    ops.append(("fire", recs[-1][0] + draw(st.integers(0, 100)) * HOUR))
    return recs, ops


def apply(kernel: Kernel, state: ShipmentState, op: str, arg: Any) -> list[Any]:
    if op == "batch":
        return kernel.step_many(state, list(arg))
    if op == "fire":
        return kernel.fire(state, arg)[1]
    index, hours_back = arg
    live = [i for i in state.open.values() if not i.id.startswith("@")]
    if not live or state.fired_through is None:
        return []
    inc = live[index % len(live)]
    at = max(state.fired_through - hours_back * HOUR, inc.opened_at)
    try:
        return [kernel.resolve(state, inc.id, "bo", at, None, None)]
    except UnknownIncident:
        return ["unknown"]


@pytest.mark.slow
@given(late_after_resolves(), st.sampled_from([1, 2, 3]))
def test_late_events_after_resolves_replay_as_the_whole_history_does(
    case: tuple[list[EventRec], list[tuple[str, Any]]], every: int
) -> None:
    _, ops = case
    tight, plain = Kernel(PACK), Kernel(PACK)
    tight._checkpoint_from = tight._checkpoint_every = every
    plain._checkpoint_from = 1 << 40
    plain._converge = False
    a, b = tight.new_state("L1", "dhl"), plain.new_state("L1", "dhl")
    for op, arg in ops:
        assert apply(tight, a, op, arg) == apply(plain, b, op, arg), op
        same(tight, a, b)
