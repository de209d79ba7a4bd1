"""Engine and kernel contract: time, order, duplicates, follow-up, persistence, bad input."""

from __future__ import annotations

import importlib.resources
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from logix_rules import (
    ChangeType,
    Engine,
    IncidentState,
    InputProblem,
    InvalidEvents,
    Kernel,
    StateError,
    UnknownIncident,
    evaluate,
    load_pack,
    loads_pack,
)

PACK = load_pack("default")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)


def scan(
    hours: float, status: str = "in_transit", number: str = "N1", **extra: Any
) -> dict[str, Any]:
    return {
        "tracking_number": number,
        "carrier": "dhl",
        "occurred_at": (T0 + hours * H).isoformat(),
        "status": status,
        **extra,
    }


def kinds(engine: Engine) -> set[str]:
    return {i.kind for i in engine.open_incidents()}


def test_stall_opens_exactly_at_threshold_whenever_advance_is_called() -> None:
    engine = Engine(PACK)
    engine.ingest([scan(0, "picked_up"), scan(1)])
    assert engine.next_due() == T0 + 25 * H
    assert engine.advance(to=T0 + 25 * H - timedelta(minutes=1)) == []
    late = engine.advance(to=T0 + 40 * H)
    opened = [c for c in late if c.type is ChangeType.OPENED]
    assert [c.incident.kind for c in opened] == ["tracking_stall"]
    assert opened[0].incident.opened_at == T0 + 25 * H  # not the advance time
    assert opened[0].at == T0 + 25 * H


def test_a_new_scan_clears_a_stall() -> None:
    engine = Engine(PACK)
    engine.ingest([scan(0, "picked_up"), scan(1)])
    engine.advance(to=T0 + 30 * H)
    assert kinds(engine) == {"tracking_stall"}
    changes = engine.ingest([scan(31)])
    assert [(c.type, c.incident.kind) for c in changes] == [(ChangeType.CLEARED, "tracking_stall")]
    assert kinds(engine) == set()


def test_a_late_event_removes_the_reason_and_clears() -> None:
    engine = Engine(PACK)
    engine.ingest([scan(0, "picked_up"), scan(1)])
    engine.advance(to=T0 + 30 * H)
    stall = engine.open_incidents()[0]
    # A scan from hour 20 arrives late: the silence never reached 24 h by hour 30.
    changes = engine.ingest([scan(20)])
    assert [(c.type, c.incident.id) for c in changes] == [(ChangeType.CLEARED, stall.id)]
    assert engine.next_due() == T0 + 44 * H


def test_an_out_of_date_status_does_not_move_the_current_one() -> None:
    engine = Engine(PACK)
    engine.ingest([scan(0, "picked_up"), scan(5, "delivered")])
    engine.ingest([scan(3, "in_transit")])  # older scan, arriving late
    state = engine.shipment_state("N1")
    assert state.status == "delivered"
    assert state.n_scans == 3


def test_overdue_timers_fire_when_a_later_event_arrives() -> None:
    engine = Engine(PACK)
    engine.ingest([scan(0, "picked_up"), scan(1)])
    changes = engine.ingest([scan(40)])  # no advance in between
    types = [(c.type, c.incident.kind, c.at) for c in changes if c.type is not ChangeType.ESCALATED]
    assert types == [
        (ChangeType.OPENED, "tracking_stall", T0 + 25 * H),
        (ChangeType.CLEARED, "tracking_stall", T0 + 40 * H),
    ]


def test_duplicates_change_nothing() -> None:
    engine = Engine(PACK)
    first = engine.ingest([scan(0, "exception", reason="customs_hold")])
    assert [c.type for c in first] == [ChangeType.OPENED]
    assert engine.ingest([scan(0, "exception", reason="customs_hold")]) == []


def test_same_scan_with_more_detail_is_settled_the_same_way_in_any_order() -> None:
    plain = scan(0, "exception", reason="damaged")
    detailed = scan(0, "exception", reason="damaged", attributes={"damage_ratio": 0.02})
    results = []
    for order in ([plain, detailed], [detailed, plain]):
        engine = Engine(PACK)
        for event in order:
            engine.ingest([event])
        results.append([i.to_dict() for i in engine.open_incidents()])
    assert results[0] == results[1]
    assert results[0][0]["rules"] == ["damaged_minor"]


def test_one_incident_per_kind_with_both_reasons() -> None:
    engine = Engine(PACK)
    engine.ingest([scan(0, "customs"), scan(1, "exception", reason="customs_hold")])
    engine.advance(to=T0 + 60 * H)
    (incident,) = [i for i in engine.open_incidents() if i.kind == "customs_hold"]
    assert incident.rules == ("customs_hold_event", "customs_timeout")
    assert incident.opened_at == T0 + 1 * H
    assert incident.severity == "P1"


def test_escalations_at_exact_deadlines_and_follow_up() -> None:
    engine = Engine(PACK)
    engine.ingest([scan(0, "exception", reason="customs_hold")])
    incident = engine.open_incidents()[0]
    assert incident.respond_by == T0 + timedelta(minutes=5)
    assert incident.escalate_at == T0 + timedelta(minutes=30)
    assert incident.resolve_by == T0 + 2 * H
    changes = engine.advance(to=T0 + timedelta(minutes=10))
    assert [(c.type, c.at) for c in changes] == [(ChangeType.ESCALATED, T0 + timedelta(minutes=5))]
    ack = engine.acknowledge(incident.id, by="ana", at=T0 + timedelta(minutes=12))
    assert ack.type is ChangeType.ACKNOWLEDGED
    assert ack.incident.state is IncidentState.ACKNOWLEDGED
    assert [c.at for c in engine.advance(to=T0 + H)] == [T0 + timedelta(minutes=30)]
    done = engine.resolve(
        incident.id, by="ana", at=T0 + 90 * timedelta(minutes=1), note="docs sent"
    )
    assert done.incident.state is IncidentState.RESOLVED
    assert done.incident.note == "docs sent"
    assert engine.open_incidents() == []
    assert engine.advance(to=T0 + 10 * H) == []  # no resolve escalation after resolving
    with pytest.raises(UnknownIncident):
        engine.resolve(incident.id, by="ana", at=T0 + 11 * H)


def test_acknowledge_in_time_prevents_the_respond_escalation() -> None:
    engine = Engine(PACK)
    engine.ingest([scan(0, "exception", reason="customs_hold")])
    incident = engine.open_incidents()[0]
    engine.acknowledge(incident.id, by="bo", at=T0 + timedelta(minutes=2))
    escalated = [c.incident.escalations[-1].what for c in engine.advance(to=T0 + 3 * H)]
    assert escalated == ["escalate", "resolve"]


def test_follow_up_with_unknown_id() -> None:
    engine = Engine(PACK)
    with pytest.raises(UnknownIncident, match="no open incident"):
        engine.acknowledge("inc_nope", by="x", at=T0)


def test_invalid_events_are_all_reported_and_nothing_is_applied() -> None:
    engine = Engine(PACK)
    bad = [scan(0), {"tracking_number": "N1"}, scan(1, "teleported")]
    with pytest.raises(InvalidEvents) as info:
        engine.ingest(bad)
    assert [p.index for p in info.value.problems] == [1, 2]
    assert len(engine) == 0
    assert "on_invalid" in str(info.value)


def test_invalid_events_can_be_collected_while_the_rest_is_applied() -> None:
    engine = Engine(PACK)
    seen: list[InputProblem] = []
    engine.ingest([scan(0, "picked_up"), {"status": "x"}, scan(1)], on_invalid=seen.append)
    assert [p.index for p in seen] == [1]
    assert seen[0].code == "invalid_event"
    assert engine.shipment_state("N1").n_scans == 2


def test_naive_advance_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        Engine(PACK).advance(to=datetime(2026, 3, 1))


def test_advance_touches_only_due_shipments() -> None:
    engine = Engine(PACK)
    engine.ingest([scan(0, number=f"Q{i}") for i in range(50)])
    engine.ingest([scan(30, number=f"Q{i}") for i in range(1, 50)])  # only Q0 goes silent
    before = {n: engine.shipment_state(f"Q{n}").fired_through for n in range(50)}
    changes = engine.advance(to=T0 + 26 * H)
    assert {c.incident.tracking_number for c in changes} == {"Q0"}
    after = {n: engine.shipment_state(f"Q{n}").fired_through for n in range(50)}
    assert [n for n in range(50) if after[n] != before[n]] == [0]


def test_shipment_facts_change_the_result() -> None:
    engine = Engine(PACK)
    engine.ingest([scan(0, "customs")])
    engine.advance(to=T0 + 50 * H)
    assert kinds(engine) >= {"customs_hold"}
    changes = engine.upsert_shipment(
        {"tracking_number": "N1", "carrier": "dhl", "destination_country": "BR"}
    )
    assert (ChangeType.CLEARED, "customs_hold") in [(c.type, c.incident.kind) for c in changes]
    assert "customs_hold" not in kinds(engine)  # BR allows 96 h


def test_dump_and_load_neither_lose_nor_repeat() -> None:
    engine = Engine(PACK)
    engine.ingest(
        [scan(0, "picked_up"), scan(1), scan(2, "exception", number="N2", reason="customs_hold")]
    )
    engine.advance(to=T0 + 30 * H)
    incident = engine.open_incidents()[0]
    engine.acknowledge(incident.id, by="cy", at=T0 + 30 * H)
    restored = Engine.load(PACK, engine.dump(mask=False))
    assert [i.to_dict() for i in restored.open_incidents()] == [
        i.to_dict() for i in engine.open_incidents()
    ]
    assert restored.next_due() == engine.next_due()
    assert restored.advance(to=T0 + 30 * H) == []  # nothing is reported twice
    later = T0 + 80 * H
    assert [c.to_dict() for c in restored.advance(to=later)] == [
        c.to_dict() for c in engine.advance(to=later)
    ]


def test_state_bytes_are_versioned() -> None:
    kernel = Kernel(PACK)
    engine = Engine(PACK)
    engine.ingest([scan(0)])
    data = kernel.dumps(engine.shipment_state("N1"))
    assert data[:4] == b"LXS\x03"  # version 3 (version 1 was JSON with "v": 1)
    assert kernel.loads(data).n_scans == 1
    with pytest.raises(StateError, match="version 99"):
        kernel.loads(json.dumps({"v": 99, "tn": "N1", "events": []}).encode())
    with pytest.raises(StateError, match="corrupt"):
        kernel.loads(b'{"v": 1}')
    with pytest.raises(StateError):
        Engine.load(PACK, b"not json")


def test_kernel_step_and_fire_as_functions() -> None:
    kernel = Kernel(PACK)
    state = kernel.new_state("K1", "dhl")
    from logix_carriers import TrackingEvent

    for event in (scan(0, "picked_up", number="K1"), scan(1, number="K1")):
        state, changes = kernel.step(state, kernel.record(TrackingEvent.parse(event)))
        assert changes == []
    assert state.next_due == T0 + 25 * H
    state, changes = kernel.fire(state, int((T0 + 26 * H).timestamp() * 1_000_000))
    assert [c.type for c in changes][:1] == [ChangeType.OPENED]


def test_evaluate_ignores_events_after_at() -> None:
    events = [scan(0, "picked_up"), scan(1), scan(100, "delivered")]
    result = evaluate(PACK, events, at=T0 + 30 * H)
    assert [i.kind for i in result] == ["tracking_stall"]


def test_unknown_status_scan_keeps_the_trail_alive_but_not_the_status() -> None:
    engine = Engine(PACK)
    engine.ingest(
        [scan(0, "picked_up"), scan(20, "unknown", source={"system": "dhl", "code": "ZZ"})]
    )
    state = engine.shipment_state("N1")
    assert state.status == "picked_up"
    assert state.last_scan is not None
    assert engine.next_due() == T0 + 44 * H


def test_fingerprint_follows_figures_not_file_names() -> None:
    source = (
        importlib.resources.files("logix_rules")
        .joinpath("packs", "default.yaml")
        .read_text("utf-8")
    )
    here = loads_pack(source, file="/srv/a/default.yaml")
    there = loads_pack(source, file="/opt/b/mine.yaml")
    assert here.fingerprint == there.fingerprint == PACK.fingerprint
    slower = loads_pack(
        source.replace("default: 24h\n    doc: No carrier", "default: 30h\n    doc: No carrier")
    )
    assert slower.fingerprint != PACK.fingerprint


def test_evaluate_reports_bad_events_as_a_typed_error() -> None:
    with pytest.raises(InvalidEvents) as info:
        evaluate(PACK, [scan(0), {"tracking_number": "N1", "status": "x"}], at=T0 + H)
    assert [p.index for p in info.value.problems] == [1]
