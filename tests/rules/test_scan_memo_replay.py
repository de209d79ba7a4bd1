"""A replay never reuses the rules' scan of the state it replaced.

``scan_memo`` keeps the rules' last scan so that a timer set off by a follow-up
deadline alone need not scan again (``Evaluation._evaluate``); it is recognised by the
latest event, the event count, the facts and the params.  A replay resets a state
(or puts a checkpoint, or the stored tail, back) that may match those keys while its
incidents are not the ones that scan settled.  Found by the invariant property's
thorough profile: a parcel whose timers fired before its first event.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from logix_rules import Engine, evaluate, load_pack
from logix_rules.runtime._checkpoints import freeze, hold, put, thaw

PACK = load_pack("default")
AT = datetime(2026, 3, 3, tzinfo=UTC)
SHIPMENTS = [
    {
        "tracking_number": tn,
        "carrier": "dhl",
        "origin_country": "DE",
        "destination_country": "DE",
        "promised_at": "2026-03-02T00:00:00+00:00",
        "shipped_at": "2026-03-01T00:00:00+00:00",
        "declared_value": "50",
        "currency": "EUR",
    }
    for tn in ("T1", "T2")
]
REPORT = {
    "tracking_number": "T1",
    "carrier": "dhl",
    "occurred_at": "2026-03-02T01:00:00+00:00",
    "status": "exception",
    "reason": "not_received",
    "source": {"system": "customer"},
}


def _seen(incidents: list[object]) -> list[tuple[object, ...]]:
    return sorted(
        (i.id, i.opened_at, i.escalations, i.evidence)  # type: ignore[attr-defined]
        for i in incidents
    )


def test_a_first_event_older_than_the_timers_fired_replays_them_before_it() -> None:
    # The timers of T1's promise fire with no event (03-02 00:00, and its escalations);
    # the customer's report at 01:00 is then late, and the replay must open the same
    # incidents at 00:00, as evaluate() does, not at the report's time.
    engine = Engine(PACK)
    for shipment in SHIPMENTS:
        engine.upsert_shipment(shipment)
    engine.advance(to=AT)
    before = _seen(engine.open_incidents(tracking_number="T1"))
    engine.ingest([REPORT])
    engine.advance(to=AT)
    expected = [
        i for i in evaluate(PACK, [REPORT], at=AT, shipments=SHIPMENTS) if i.tracking_number == "T1"
    ]
    assert _seen(engine.open_incidents(tracking_number="T1")) == _seen(expected)
    # (the report names no cause: the incidents opened by the timers stay the same)
    assert [row[:2] for row in before] == [row[:2] for row in _seen(expected)]


def _scanned_state() -> object:
    engine = Engine(PACK)
    events = [
        {
            "tracking_number": "M1",
            "carrier": "dhl",
            "occurred_at": (AT + timedelta(hours=n)).isoformat(),
            "status": "picked_up" if n == 0 else "in_transit",
            "location": {"facility": f"hub {n}"},
        }
        for n in range(3)
    ]
    engine.ingest(events)
    engine.advance(to=AT + timedelta(days=3))  # the stall's timer scans the rules
    state = engine._host.states["M1"]  # type: ignore[attr-defined]
    assert getattr(state, "scan_memo", None) is not None
    return state


def test_a_checkpoint_or_a_held_state_put_back_drops_the_scan_memo() -> None:
    state = _scanned_state()
    point = freeze(state, 3, AT)  # type: ignore[arg-type]
    thaw(state, point)  # type: ignore[arg-type]
    assert state.scan_memo is None  # type: ignore[attr-defined]
    state = _scanned_state()
    put(state, hold(state))  # type: ignore[arg-type]
    assert state.scan_memo is None  # type: ignore[attr-defined]
