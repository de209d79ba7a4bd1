"""Incremental state writes (``V3Writer._append``, version 3): a state read by
``Kernel.loads`` or written by ``Kernel.dumps`` with ``keep`` remembers that body, and
its next write copies the part for the events it held then.  After any sequence of
steps, late events, fires, ``set_shipment``, follow-ups, saves and reloads, that write
must equal a write from scratch, byte for byte: a remembered body that no longer fits
the state (stale) must not be reused.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logix_carriers import Shipment, TrackingEvent
from logix_rules import Engine, Kernel, ShipmentState, load_pack
from logix_rules.core._errors import UnknownIncident
from logix_rules.core._records import rec_key
from logix_rules.runtime import _state_layout

PACK = load_pack("default")
KERNEL = Kernel(PACK)
BASE = datetime(2026, 3, 1, tzinfo=UTC)
HOUR = 3_600_000_000
SCANS = [
    ("info_received", None),
    ("picked_up", None),
    ("in_transit", None),
    ("customs", None),
    ("exception", "customs_hold"),
    ("out_for_delivery", None),
    ("attempt_failed", "recipient_unavailable"),
    ("delivered", None),
    ("exception", "lost"),
    ("exception", "wismo"),
]
# Ids that are also other strings of the state (its tracking number, carrier, a
# status): the full write shares their refs, so the incremental one must step aside.
IDS = ["L1", "dhl", "in_transit", "exception", "ü-€-1"]


def event(ident: str, hour: int, status: str, reason: str | None, report: bool) -> Any:
    return TrackingEvent.model_validate(
        {
            "tracking_number": "L1",
            "carrier": "dhl",
            "occurred_at": BASE + timedelta(hours=hour),
            "status": status,
            "reason": reason,
            "source": {"system": "customer" if report else "dhl"},
            "description": "Zoll" if hour % 2 else "",
            "event_id": ident,
        }
    )


def shipment(promised_hours: int) -> Shipment:
    return Shipment.model_validate(
        {
            "tracking_number": "L1",
            "carrier": "dhl",
            "origin_country": "DE",
            "destination_country": "DE",
            "promised_at": BASE + timedelta(hours=promised_hours),
            "shipped_at": BASE,
        }
    )


@pytest.fixture(autouse=True)
def reuse_short_histories(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remember the body of every kept state, however short its history."""
    monkeypatch.setattr(_state_layout, "REUSE_FROM", 0)


def fresh(state: ShipmentState) -> bytes:
    """The body written from scratch, leaving what ``state`` remembers as it was."""
    held = state.encoded
    state.encoded = None
    try:
        return KERNEL._codec.encode3(state)
    finally:
        state.encoded = held


def check(state: ShipmentState) -> None:
    """What a write of ``state`` gives (from what it remembers, if anything) is what a
    write from scratch gives."""
    body = fresh(state)
    assert KERNEL._codec.encode3(state) == body
    assert KERNEL.dumps(state).endswith(body)


@st.composite
def operations(draw: st.DrawFn) -> list[tuple[str, Any]]:
    ops: list[tuple[str, Any]] = []
    hour = 0
    for k in range(draw(st.integers(1, 30))):
        what = draw(st.integers(0, 12))
        if what <= 5:  # an event in order, or late (up to 100 hours back)
            hour += draw(st.sampled_from([0, 1, 3, 25, 49]))
            back = draw(st.sampled_from([0, 0, 0, 1, 5, 30, 100]))
            ident = draw(st.sampled_from([f"e{k}", f"e{k}", *IDS]))
            status, reason = draw(st.sampled_from(SCANS))
            report = draw(st.integers(0, 9)) == 0
            ops.append(("step", event(ident, max(hour - back, 0), status, reason, report)))
        elif what <= 7:
            ops.append(("save", None))
        elif what == 8:
            ops.append(("reload", None))
        elif what == 9:
            ops.append(("fire", hour + draw(st.integers(0, 200))))
        elif what == 10:
            ops.append(("shipment", shipment(draw(st.integers(24, 300)))))
        else:
            kind = draw(st.sampled_from(["acknowledge", "resolve", "record"]))
            ops.append((kind, (draw(st.integers(0, 3)), draw(st.integers(0, 72)))))
    return ops


def apply(state: ShipmentState, op: str, arg: Any) -> ShipmentState:
    if op == "step":
        KERNEL.step(state, KERNEL.record(arg))
    elif op == "save":
        KERNEL.dumps(state, keep=True)
    elif op == "reload":
        return KERNEL.loads(KERNEL.dumps(state, keep=True), keep=True)
    elif op == "fire":
        KERNEL.fire(state, KERNEL.record(event("x", 0, "in_transit", None, False))[0] + arg * HOUR)
    elif op == "shipment":
        KERNEL.set_shipment(state, arg)
    else:
        live = [inc for inc in state.open.values() if not inc.id.startswith("@")]
        if live and state.fired_through is not None:
            index, hours_back = arg
            inc = live[index % len(live)]
            at = max(state.fired_through - hours_back * HOUR, inc.opened_at)
            try:
                if op == "acknowledge":
                    KERNEL.acknowledge(state, inc.id, "ana", at)
                elif op == "resolve":
                    KERNEL.resolve(state, inc.id, "bo", at, "called", None)
                else:
                    KERNEL.record_action(state, inc.id, "replied", "bo", at, None, None)
            except UnknownIncident:
                pass
    return state


@pytest.mark.slow
@given(operations(), st.booleans())
def test_an_incremental_write_equals_a_write_from_scratch(
    ops: list[tuple[str, Any]], start_loaded: bool
) -> None:
    state = KERNEL.new_state("L1", "dhl")
    if start_loaded:
        state = KERNEL.loads(KERNEL.dumps(state), keep=True)
    for op, arg in ops:
        state = apply(state, op, arg)
        check(state)
        assert KERNEL.dumps(state) == KERNEL.dumps(KERNEL.loads(KERNEL.dumps(state)))
    assert state.history == sorted(state.history, key=rec_key)


def test_a_loaded_state_writes_only_its_new_events_and_the_same_bytes() -> None:
    state = KERNEL.new_state("L1", "dhl")
    for k in range(40):
        KERNEL.step(state, KERNEL.record(event(f"e{k}", k, "in_transit", None, False)))
    loaded = KERNEL.loads(KERNEL.dumps(state), keep=True)
    assert loaded.encoded is not None
    KERNEL.step(loaded, KERNEL.record(event("e40", 41, "customs", None, False)))
    reuse = loaded.encoded
    assert KERNEL._codec._append(loaded, reuse, False) == fresh(loaded)
    # a late event moves the ids after it: nothing is reused, the write is still right
    KERNEL.step(loaded, KERNEL.record(event("late", 3, "customs", None, False)))
    assert KERNEL._codec._append(loaded, reuse, False) is None
    check(loaded)


def test_only_a_host_that_asks_keeps_what_it_wrote() -> None:
    state = KERNEL.new_state("L1", "dhl")
    KERNEL.step(state, KERNEL.record(event("e0", 0, "in_transit", None, False)))
    KERNEL.state_body(state)
    KERNEL.dumps(state)
    assert state.encoded is None
    assert KERNEL.loads(KERNEL.dumps(state)).encoded is None
    assert KERNEL.loads(KERNEL.dumps(state), keep=True).encoded is not None
    assert KERNEL.state_from_body(KERNEL.state_body(state)).encoded is None
    # an in-memory engine's dump and load leave its states as they were
    engine = Engine(PACK)
    engine.ingest([event("e1", 1, "in_transit", None, False)])
    again = Engine.load(PACK, engine.dump(mask=False))
    for host in (engine, again):
        assert all(s.encoded is None for s in host._host.states.values())  # type: ignore[attr-defined]


def test_a_short_history_is_not_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_state_layout, "REUSE_FROM", 3)
    state = KERNEL.new_state("L1", "dhl")
    for k in range(3):
        KERNEL.dumps(state, keep=True)
        assert state.encoded is None
        KERNEL.step(state, KERNEL.record(event(f"e{k}", k, "in_transit", None, False)))
    assert KERNEL.loads(KERNEL.dumps(state), keep=True).encoded is not None
    KERNEL.dumps(state, keep=True)
    assert state.encoded is not None


def test_a_record_replaced_in_place_is_not_reused() -> None:
    """The remembered body holds the records as they were: one replaced by another
    object at its place (a kind that says something else) makes the write start over."""
    state = KERNEL.new_state("L1", "dhl")
    for k in range(5):
        KERNEL.step(state, KERNEL.record(event(f"e{k}", k, "in_transit", None, False)))
    KERNEL.dumps(state, keep=True)
    t, ident, kind = state.history[2]
    state.history[2] = (t, ident, (*kind[:7], "another text", kind[8]))
    assert KERNEL._codec._append(state, state.encoded, False) is None
    check(state)
    assert KERNEL.loads(KERNEL.dumps(state)).history[2][2][7] == "another text"


def test_the_parts_written_afresh_follow_the_state() -> None:
    """Only the ids, kinds and events are copied: what changes without an event (a
    fire, the facts, a follow-up) is written as it is now."""
    state = KERNEL.new_state("L1", "dhl")
    for k in range(3):
        KERNEL.step(state, KERNEL.record(event(f"e{k}", k * 30, "in_transit", None, False)))
    kept = KERNEL.dumps(state, keep=True)
    KERNEL.set_shipment(state, shipment(24))
    check(state)
    KERNEL.fire(state, state.history[-1][0] + 200 * HOUR)
    assert state.open  # the promise is missed
    check(state)
    inc = next(iter(state.open.values()))
    KERNEL.acknowledge(state, inc.id, "ana", state.fired_through or 0)
    check(state)
    assert KERNEL.dumps(state, keep=True) != kept
    assert KERNEL.loads(KERNEL.dumps(state)).followups == state.followups


def test_a_new_kind_or_a_nul_in_a_new_id() -> None:
    state = KERNEL.new_state("L1", "dhl")
    KERNEL.step(state, KERNEL.record(event("e0", 0, "in_transit", None, False)))
    KERNEL.dumps(state, keep=True)
    # two new events of one kind the body does not hold yet: the kind is added once
    for k in (1, 2):
        KERNEL.step(state, KERNEL.record(event(f"e{k}", k, "customs", None, False)))
    assert KERNEL._codec._append(state, state.encoded, False) == fresh(state)
    KERNEL.dumps(state, keep=True)
    # an id with a NUL: the full write joins by another character
    KERNEL.step(state, KERNEL.record(event("e\x003", 5, "customs", None, False)))
    assert KERNEL._codec._append(state, state.encoded, False) is None
    check(state)
    data = KERNEL.dumps(state, keep=True)
    assert [rec[1] for rec in KERNEL.loads(data).history] == ["e0", "e1", "e2", "e\x003"]
    KERNEL.step(state, KERNEL.record(event("e4", 6, "customs", None, False)))
    check(state)  # a body not joined by NUL is not appended to


def test_a_kept_state_points_into_the_bytes_dumps_returned() -> None:
    """What a state remembers is the frame a host keeps anyway, not a second copy."""
    state = KERNEL.new_state("L1", "dhl")
    for k in range(30):
        KERNEL.step(state, KERNEL.record(event(f"e{k}", k, "in_transit", None, False)))
    for k in range(30, 33):
        data = KERNEL.dumps(state, keep=True)
        assert state.encoded is not None
        assert state.encoded[1] is data
        assert KERNEL.loads(data) == state
        KERNEL.step(state, KERNEL.record(event(f"e{k}", k, "in_transit", None, False)))
        check(state)
    # a write that reused the frame is still the one written from scratch
    assert KERNEL.dumps(state, keep=True)[-len(fresh(state)) :] == fresh(state)
