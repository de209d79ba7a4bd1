"""Late events replay from a checkpoint (runtime/_checkpoints.py, runtime/_replay.py).

The oracle is the same kernel without checkpoints, which replays a late event's whole
history: after every step, batch, ``fire``, ``set_shipment`` and follow-up, both must
hold the same state (and write the same bytes) and report the same changes.  The
kernels under test checkpoint from the second event on, every second event, and keep
few recent checkpoints, so short generated histories restore, thin and drop them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logix_carriers import Shipment, TrackingEvent
from logix_rules import Kernel, ShipmentState, load_pack
from logix_rules.core._errors import UnknownIncident
from logix_rules.core._records import EventRec, rec_key
from logix_rules.runtime import _checkpoints
from logix_rules.runtime._incidents import Change

PACK = load_pack("default")
BASE = datetime(2026, 3, 1, tzinfo=UTC)
HOUR = 3_600_000_000
NEVER = 1 << 40  # a checkpoint_from no history reaches: the kernel of before
SCANS = [
    ("info_received", None),
    ("picked_up", None),
    ("in_transit", None),
    ("in_transit", None),
    ("in_transit", None),
    ("customs", None),
    ("exception", "customs_hold"),
    ("out_for_delivery", None),
    ("attempt_failed", "recipient_unavailable"),
    ("delivered", None),
    ("exception", "lost"),
    ("exception", "damaged"),
    ("exception", "wismo"),
    ("unknown", None),
]
ACTIONS = ("documents_supplied", "claim_filed", "solution_offered", "replied", "revisited")


def kernels(every: int = 2) -> tuple[Kernel, Kernel]:
    """A kernel that checkpoints short histories, and one that never checkpoints."""
    tight, plain = Kernel(PACK), Kernel(PACK)
    tight._checkpoint_from, tight._checkpoint_every = every, every
    plain._checkpoint_from = NEVER
    plain._converge = False  # nor does it stop early (runtime/_replay.py, _Tail)
    return tight, plain


@pytest.fixture(autouse=True)
def few_recent(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep two recent checkpoints and thin older ones to every 6th event."""
    monkeypatch.setattr(_checkpoints, "KEEP_RECENT", 2)
    monkeypatch.setattr(_checkpoints, "KEEP_EVERY", 6)


def event(k: int, hour: int, status: str, reason: str | None = None, report: bool = False) -> Any:
    return TrackingEvent.model_validate(
        {
            "tracking_number": "L1",
            "carrier": "dhl",
            "occurred_at": BASE + timedelta(hours=hour),
            "status": status,
            "reason": reason,
            "source": {"system": "customer" if report else "dhl"},
            "event_id": f"e{k}",
        }
    )


def shipment(promised_hours: int, cross: bool) -> Shipment:
    return Shipment.model_validate(
        {
            "tracking_number": "L1",
            "carrier": "dhl",
            "origin_country": "CN" if cross else "DE",
            "destination_country": "DE",
            "promised_at": BASE + timedelta(hours=promised_hours),
            "shipped_at": BASE,
            "declared_value": "800",
            "currency": "EUR",
        }
    )


def same(tight: Kernel, a: ShipmentState, b: ShipmentState) -> None:
    assert a == b  # every field but the checkpoints (eq=False)
    assert tight.dumps(a) == tight.dumps(b)
    assert tight.incidents(a, include_resolved=True) == tight.incidents(b, include_resolved=True)


@st.composite
def trail(draw: st.DrawFn) -> list[EventRec]:
    """Up to 16 distinct events, gaps across the pack's thresholds; some reports."""
    kernel = Kernel(PACK)
    recs = []
    hour = 0
    for k in range(draw(st.integers(1, 16))):
        hour += draw(st.sampled_from([0, 1, 3, 5, 23, 25, 49, 80]))
        report = draw(st.integers(0, 9)) == 0
        status, reason = draw(st.sampled_from(SCANS))
        if report:
            status, reason = "exception", draw(st.sampled_from(["not_received", "damaged"]))
        recs.append(kernel.record(event(k, hour, status, reason, report)))
    return recs


@st.composite
def operations(draw: st.DrawFn, recs: list[EventRec]) -> list[tuple[str, Any]]:
    """The events in a shuffled order with duplicates, in batches, with fire,
    set_shipment and follow-ups between them."""
    order = draw(st.permutations(recs + draw(st.lists(st.sampled_from(recs), max_size=3))))
    ops: list[tuple[str, Any]] = []
    last = max(rec[0] for rec in recs)
    while order:
        size = draw(st.integers(1, 4))
        ops.append(("batch", sorted(order[:size], key=rec_key)))
        order = order[size:]
        what = draw(st.integers(0, 9))
        if what <= 2:
            hours = draw(st.integers(0, (last - BASE_US) // HOUR + 200))
            ops.append(("fire", BASE_US + hours * HOUR))
        elif what == 3:
            ops.append(("shipment", shipment(draw(st.integers(24, 300)), draw(st.booleans()))))
        elif what == 4:
            kind = draw(st.sampled_from(["acknowledge", "resolve", "record"]))
            action = draw(st.sampled_from(ACTIONS))
            ops.append((kind, (draw(st.integers(0, 3)), draw(st.integers(0, 72)), action)))
    ops.append(("fire", last + draw(st.integers(0, 400)) * HOUR))
    return ops


BASE_US = Kernel(PACK).record(event(0, 0, "in_transit", None))[0]


def apply(kernel: Kernel, state: ShipmentState, op: str, arg: Any) -> list[Any]:
    """One operation; the changes it reported (or the follow-up's result)."""
    if op == "batch":
        return kernel.step_many(state, list(arg))
    if op == "fire":
        return kernel.fire(state, arg)[1]
    if op == "shipment":
        return kernel.set_shipment(state, arg)
    index, hours_back, action = arg
    live = [inc for inc in state.open.values() if not inc.id.startswith("@")]
    if not live or state.fired_through is None:
        return []
    inc = live[index % len(live)]
    at = max(state.fired_through - hours_back * HOUR, inc.opened_at)
    try:
        if op == "acknowledge":
            return [kernel.acknowledge(state, inc.id, "ana", at)]
        if op == "resolve":
            return [kernel.resolve(state, inc.id, "bo", at, "called", None)]
        return [kernel.record_action(state, inc.id, action, "bo", at, None, None)]
    except UnknownIncident:
        return ["unknown"]


@pytest.mark.slow
@given(st.data())
def test_checkpoints_replay_as_the_whole_history_does(data: st.DataObject) -> None:
    recs = data.draw(trail())
    ops = data.draw(operations(recs))
    tight, plain = kernels(every=data.draw(st.sampled_from([1, 2, 3])))
    a, b = tight.new_state("L1", "dhl"), plain.new_state("L1", "dhl")
    for op, arg in ops:
        ours, theirs = apply(tight, a, op, arg), apply(plain, b, op, arg)
        assert ours == theirs, op
        same(tight, a, b)
    # ... and both equal the in-order arrival of the distinct events (the invariant),
    # when no follow-up came in between.
    if not a.followups:
        fresh = tight.new_state("L1", "dhl", a.shipment)
        tight.step_many(fresh, sorted(a.history, key=rec_key))
        assert a.fired_through is not None
        tight.fire(fresh, a.fired_through)
        assert tight.incidents(fresh) == tight.incidents(a)
        assert fresh.history == a.history


@pytest.mark.slow
@given(st.data())
def test_every_checkpoint_holds_the_in_order_arrival_of_its_events(data: st.DataObject) -> None:
    """What a replay restoring a checkpoint takes for granted: it is the state the
    in-order arrival of its first ``n`` events gives, with nothing fired after the
    ``n``-th.  The oracle comparisons above miss a checkpoint taken after a fire: a late
    event's replay can clear what it held wrongly without leaving a trace."""
    recs = sorted(data.draw(trail()), key=rec_key)
    tight, plain = kernels(every=data.draw(st.sampled_from([1, 2, 3])))
    state = tight.new_state("L1", "dhl")
    for rec in recs:
        tight.step_many(state, [rec])
        if data.draw(st.integers(0, 2)) == 0:
            tight.fire(state, rec[0] + data.draw(st.integers(0, 120)) * HOUR)
        marks = state.checkpoints
        if marks is None or not marks.valid_for(state):
            continue
        for point in marks.points:
            n = point[0]
            fresh = plain.new_state("L1", "dhl")
            plain.step_many(fresh, state.history[:n])
            # (n, its instant, plain fields, trackers, attribute values, open incidents);
            # the cause memo (the 9th field) is a memo, checked when read.
            assert _checkpoints.freeze(fresh, n, state.history[n - 1][0])[:8] == point[:8], n


# -- the replay starts at the checkpoint --------------------------------------------------------
def long_trail(n: int) -> list[EventRec]:
    kernel = Kernel(PACK)
    cycle = [("in_transit", None), ("in_transit", None), ("exception", "customs_hold")]
    return [kernel.record(event(k, 5 * k, *cycle[k % 3])) for k in range(n)]


def counting(kernel: Kernel) -> Iterator[int]:
    """Counts the events a replay absorbs (``Kernel._take``)."""
    calls = [0]
    take = kernel._take

    def counted(state: ShipmentState, rec: EventRec) -> list[Change]:
        calls[0] += 1
        return take(state, rec)

    kernel._take = counted  # type: ignore[method-assign]
    while True:
        yield calls[0]


def test_a_late_event_replays_only_the_events_after_its_checkpoint() -> None:
    kernel, plain = Kernel(PACK), kernels()[1]
    recs = long_trail(200)
    late = recs.pop(196)
    a, b = kernel.new_state("L1", "dhl"), plain.new_state("L1", "dhl")
    for rec in recs:
        kernel.step(a, rec)
        plain.step(b, rec)
    taken = counting(kernel)
    assert next(taken) == 0
    assert kernel.step(a, late)[1] == plain.step(b, late)[1]
    # restored at 192 (the latest multiple of 8 at or before position 196): 4 events to
    # it, the old event after it once, it and that event: the same but for the counts,
    # so the rest is kept (runtime/_replay.py, _Tail)
    assert next(taken) == 4 + 1 + 2
    same(kernel, a, b)
    # An event before every checkpoint: the whole history, which takes them again (the
    # first scan moved: the states do not meet, so one event more, the old one).
    early = kernel.record(event(999, -1, "info_received", None))
    assert kernel.step(a, early)[1] == plain.step(b, early)[1]
    assert next(taken) == 7 + 1 + 201
    same(kernel, a, b)


def test_old_checkpoints_thin_out() -> None:
    kernel = Kernel(PACK)
    state = kernel.new_state("L1", "dhl")
    for rec in long_trail(200):
        kernel.step(state, rec)
    # every 8th event from the 32nd; the two latest kept, older ones at multiples of 6
    kept = [point[0] for point in state.checkpoints.points]
    assert kept == [48, 72, 96, 120, 144, 168, 192, 200]


def test_short_parcels_take_no_checkpoint() -> None:
    kernel = Kernel(PACK)
    state = kernel.new_state("L1", "dhl")
    for rec in long_trail(31):
        kernel.step(state, rec)
    assert state.checkpoints is None


def test_a_loaded_state_has_none_and_replays_the_same() -> None:
    kernel, plain = Kernel(PACK), kernels()[1]
    recs = long_trail(40)
    late = recs.pop(35)
    a = kernel.new_state("L1", "dhl")
    for rec in recs:
        kernel.step(a, rec)
    assert a.checkpoints is not None
    loaded = kernel.loads(kernel.dumps(a))
    assert loaded.checkpoints is None
    b = plain.loads(kernel.dumps(a))
    assert kernel.step(loaded, late)[1] == plain.step(b, late)[1] == kernel.step(a, late)[1]
    same(kernel, loaded, b)
    same(kernel, a, b)
    assert loaded.checkpoints is not None  # its first replay took them


def test_new_facts_and_follow_ups_make_checkpoints_stale() -> None:
    kernel, plain = Kernel(PACK), kernels()[1]
    recs = long_trail(48)
    a, b = kernel.new_state("L1", "dhl"), plain.new_state("L1", "dhl")
    for rec in recs[:36]:
        kernel.step(a, rec)
        plain.step(b, rec)
    assert kernel.set_shipment(a, shipment(100, True)) == plain.set_shipment(b, shipment(100, True))
    assert a.checkpoints.facts is a.facts  # the replay took them again, under the new facts
    inc = next(i for i in a.open.values())
    at = a.fired_through
    assert at is not None
    kernel.acknowledge(a, inc.id, "ana", at)
    plain.acknowledge(b, inc.id, "ana", at)
    assert not a.checkpoints.valid_for(a)
    taken = counting(kernel)
    next(taken)
    for rec in recs[36:]:
        kernel.step(a, rec)
        plain.step(b, rec)
    late = kernel.record(event(500, 5 * 35 + 1, "in_transit", None))
    assert kernel.step(a, late)[1] == plain.step(b, late)[1]
    assert next(taken) == 49  # stale: the whole history
    same(kernel, a, b)


def test_a_checkpoint_is_independent_of_the_live_state() -> None:
    kernel = Kernel(PACK)
    state = kernel.new_state("L1", "dhl")
    recs = [kernel.record(event(0, 0, "picked_up", None))]
    recs += [kernel.record(event(k, k, "exception", "lost")) for k in range(1, 3)]
    for rec in recs:
        kernel.step(state, rec)
    assert state.open
    _checkpoints.capture(state, len(recs), recs[-1][0])
    at = recs[-1][0]
    escalations = [list(inc.escalations) for inc in state.open.values()]
    kept = kernel.incidents(state, at), escalations, state.next_due_us, state.n_events
    # Deadlines pass (escalations are appended), another event moves the aggregates.
    kernel.fire(state, recs[-1][0] + 400 * HOUR)
    kernel.step(state, kernel.record(event(9, 500, "in_transit", None)))
    assert [list(inc.escalations) for inc in state.open.values()] != escalations
    assert _checkpoints.restore(state, len(recs)) == len(recs)
    now = [list(inc.escalations) for inc in state.open.values()]
    assert (kernel.incidents(state, at), now, state.next_due_us, state.n_events) == kept
    assert state.fired_through == recs[-1][0]


def test_no_checkpoint_of_a_live_state_a_follow_up_re_evaluated() -> None:
    """An acknowledgement dated before a deadline that had escalated: the live state
    keeps the escalation, a replay never makes it; a checkpoint must be a replay's."""
    kernel, plain = Kernel(PACK), kernels()[1]
    recs = [kernel.record(event(0, 0, "picked_up", None))]
    recs.append(kernel.record(event(1, 1, "exception", "lost")))
    recs += [kernel.record(event(k, 5 * k, "in_transit", None)) for k in range(2, 42)]
    late = recs.pop(37)
    a, b = kernel.new_state("L1", "dhl"), plain.new_state("L1", "dhl")
    for rec in recs[:6]:
        kernel.step(a, rec)
        plain.step(b, rec)
    inc = a.open["lost"]
    assert inc.escalations  # respond (5 min) passed
    early = inc.opened_at + 60_000_000  # one minute after it opened
    kernel.acknowledge(a, inc.id, "ana", early)
    plain.acknowledge(b, inc.id, "ana", early)
    for rec in recs[6:]:
        kernel.step(a, rec)
        plain.step(b, rec)
    same(kernel, a, b)
    assert kernel.step(a, late)[1] == plain.step(b, late)[1]
    same(kernel, a, b)


def test_a_checkpoint_puts_back_every_plain_field_and_only_those() -> None:
    kernel = Kernel(PACK)
    state = kernel.new_state("PLAIN1", "dhl")
    values = tuple(range(len(_checkpoints._PLAIN)))
    history = state.history
    _checkpoints.put(state, (values, (), (), (), {}, {}, 7))
    assert _checkpoints.hold(state)[0] == values
    assert [getattr(state, name) for name in _checkpoints._PLAIN] == list(values)
    assert (state.tracking_number, state.history, state.fired_through) == ("PLAIN1", history, 7)
    with pytest.raises(ValueError, match="values to unpack"):
        _checkpoints.put(state, (values[:-1], (), (), (), {}, {}, 7))
