"""Issue 13 §2, deadlines that act: kind-specific deadlines escalate at their due time
unless their action was recorded first, WISMO, the revisit, escalation targets and
nothing after resolve.  Boundaries are checked one minute before, at and after.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from policy_timeline import AROUND, MINUTE, PACK, h, scan, shipment

from logix_rules import (
    Change,
    ChangeType,
    Engine,
    ErrorCode,
    UnknownIncident,
)
from logix_rules.runtime._actions import FollowUpError

ZERO = timedelta(0)


def _engine(*events: dict[str, Any]) -> Engine:
    engine = Engine(PACK)
    engine.upsert_shipment(shipment())
    engine.ingest(list(events))
    return engine


def _only(engine: Engine, kind: str) -> Any:
    (incident,) = [i for i in engine.open_incidents() if i.kind == kind]
    return incident


def _escalated(changes: list[Change], what: str) -> list[datetime]:
    return [
        c.at
        for c in changes
        if c.type is ChangeType.ESCALATED and c.incident.escalations[-1].what == what
    ]


# -- the three deadlines of the policy, and their actions -----------------------------------
CASES = {
    # deadline: (the event that opens the incident, its kind, the action, due after)
    "documents": (
        scan("exception", 0, reason="customs_hold"),
        "customs_hold",
        "documents_supplied",
        24,
    ),
    "solution": (
        scan("attempt_failed", 0, reason="recipient_unavailable"),
        "delivery_failure",
        "solution_offered",
        12,
    ),
    "claim": (scan("exception", 0, reason="lost"), "lost", "claim_filed", 24),
}


def test_the_pack_declares_each_deadlines_action() -> None:
    assert dict(PACK.deadline_actions) == {
        "claim": "claim_filed",
        "documents": "documents_supplied",
        "solution": "solution_offered",
        "reply": "replied",
        **(
            {"payout": PACK.deadline_actions["payout"]} if "payout" in PACK.deadline_actions else {}
        ),
    }
    assert PACK.revisit is not None
    assert PACK.revisit.action == "revisited"


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("offset", AROUND)
def test_a_missed_deadline_escalates_at_exactly_its_due_time(name: str, offset: timedelta) -> None:
    event, kind, _, hours = CASES[name]
    engine = _engine(event)
    assert _only(engine, kind).deadlines[name] == h(hours)
    changes = engine.advance(to=h(hours) + offset)
    assert _escalated(changes, name) == ([] if offset < ZERO else [h(hours)])
    if offset >= ZERO:
        (escalation,) = [e for e in _only(engine, kind).escalations if e.what == name]
        assert escalation.at == h(hours)
        assert escalation.target is None


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("offset", AROUND)
def test_the_action_recorded_by_the_due_time_meets_the_deadline(
    name: str, offset: timedelta
) -> None:
    event, kind, action, hours = CASES[name]
    engine = _engine(event)
    incident = _only(engine, kind)
    done = engine.record(incident.id, action=action, by="ana", at=h(hours) + offset, note="done")
    assert (done.action, done.by, done.at, done.note) == (action, "ana", h(hours) + offset, "done")
    changes = engine.advance(to=h(hours) + timedelta(hours=1))
    assert _escalated(changes, name) == ([h(hours)] if offset > ZERO else [])
    assert engine.actions(incident.id)[-1] == done


def test_another_action_does_not_meet_a_deadline() -> None:
    event, kind, _, hours = CASES["documents"]
    engine = _engine(event)
    engine.record(_only(engine, kind).id, action="claim_filed", by="ana", at=h(1))
    assert _escalated(engine.advance(to=h(hours)), "documents") == [h(hours)]


# -- the solution deadline after the third failed attempt ------------------------------------
ATTEMPTS = [
    scan("attempt_failed", 0, reason="recipient_unavailable"),
    scan("attempt_failed", 20, reason="recipient_unavailable"),
    scan("attempt_failed", 40, reason="address_issue"),
]


@pytest.mark.parametrize("offset", AROUND)
def test_after_the_third_attempt_the_solution_counts_from_the_latest(offset: timedelta) -> None:
    engine = _engine(*ATTEMPTS)
    incident = _only(engine, "delivery_failure")
    assert incident.severity == "P1"
    assert incident.deadlines["solution"] == h(52)
    changes = engine.advance(to=h(52) + offset)
    assert _escalated(changes, "solution") == ([] if offset < ZERO else [h(52)])
    passed = [e.at for e in _only(engine, "delivery_failure").escalations if e.what == "solution"]
    assert passed == ([h(12)] if offset < ZERO else [h(12), h(52)])  # the first, missed too


def test_before_the_third_attempt_the_solution_counts_from_the_first() -> None:
    engine = _engine(*ATTEMPTS[:2])
    assert _only(engine, "delivery_failure").deadlines["solution"] == h(12)


def test_a_solution_offered_before_the_latest_attempt_does_not_meet_its_deadline() -> None:
    engine = _engine(*ATTEMPTS[:2])
    incident = _only(engine, "delivery_failure")
    engine.record(incident.id, action="solution_offered", by="ana", at=h(11))
    changes = engine.ingest([ATTEMPTS[2]])
    assert [c.type for c in changes if c.incident.kind == "delivery_failure"][-1:] == [
        ChangeType.UPDATED
    ]
    assert _escalated(engine.advance(to=h(60)), "solution") == [h(52)]
    later = _engine(*ATTEMPTS)
    later.record(_only(later, "delivery_failure").id, action="solution_offered", by="bo", at=h(41))
    assert _escalated(later.advance(to=h(60)), "solution") == []


# -- WISMO -------------------------------------------------------------------------------------
def wismo(hours: float) -> dict[str, Any]:
    return scan("exception", hours, reason="wismo", system="customer")


@pytest.mark.parametrize("offset", AROUND)
def test_a_wismo_report_needs_a_reply_within_two_hours(offset: timedelta) -> None:
    engine = _engine(scan("in_transit", 0), wismo(5))
    incident = _only(engine, "wismo")
    assert (incident.severity, incident.opened_at, incident.deadlines["reply"]) == (
        "P3",
        h(5),
        h(7),
    )
    assert _escalated(engine.advance(to=h(7) + offset), "reply") == (
        [] if offset < ZERO else [h(7)]
    )


@pytest.mark.parametrize("offset", AROUND)
def test_a_reply_by_the_due_time_meets_it(offset: timedelta) -> None:
    engine = _engine(scan("in_transit", 0), wismo(5))
    engine.record(_only(engine, "wismo").id, action="replied", by="cs", at=h(7) + offset)
    assert _escalated(engine.advance(to=h(9)), "reply") == ([h(7)] if offset > ZERO else [])


def test_a_carrier_scan_with_reason_wismo_is_no_customer_question() -> None:
    engine = _engine(scan("exception", 0, reason="wismo"))
    assert [i.kind for i in engine.open_incidents() if i.kind == "wismo"] == []


def test_a_second_question_updates_the_incident_and_its_reply_deadline() -> None:
    engine = _engine(scan("in_transit", 0), wismo(5))
    first = _only(engine, "wismo")
    engine.record(first.id, action="replied", by="cs", at=h(6))
    (change,) = [c for c in engine.ingest([wismo(10)]) if c.type is ChangeType.UPDATED]
    assert change.incident.id == first.id
    assert change.incident.deadlines["reply"] == h(12)
    assert _escalated(engine.advance(to=h(12)), "reply") == [h(12)]  # the reply was earlier


# -- targets -------------------------------------------------------------------------------------
TARGETS = [
    # the incident, the escalation window, the target
    (scan("exception", 0, reason="customs_hold"), 0.5, "management"),
    (scan("attempt_failed", 0, reason="recipient_unavailable"), 2, "department_head"),
    (scan("returning", 0), 48, "progress_report"),
]


def test_the_severity_scheme_names_the_targets() -> None:
    assert {s.name: s.target for s in PACK.severities.values()} == {
        "P1": "management",
        "P2": "department_head",
        "P3": "progress_report",
    }


@pytest.mark.parametrize(("event", "hours", "target"), TARGETS)
@pytest.mark.parametrize("offset", AROUND)
def test_an_escalation_says_whom_it_goes_to(
    event: dict[str, Any], hours: float, target: str, offset: timedelta
) -> None:
    engine = _engine(event)
    changes = engine.advance(to=h(hours) + offset)
    found = [
        e
        for c in changes
        if c.type is ChangeType.ESCALATED
        for e in c.incident.escalations[-1:]
        if e.what == "escalate"
    ]
    if offset < ZERO:
        assert found == []
        return
    (escalation,) = found
    assert (escalation.at, escalation.target) == (h(hours), target)
    assert escalation.to_dict() == {
        "what": "escalate",
        "at": escalation.to_dict()["at"],
        "target": target,
    }
    respond = [e for e in changes[-1].incident.escalations if e.what == "respond"]
    assert all(e.target is None for e in respond)


# -- nothing after resolve -------------------------------------------------------------------
@pytest.mark.parametrize("offset", AROUND)
def test_a_deadline_at_or_after_the_resolve_instant_is_cancelled(offset: timedelta) -> None:
    engine = _engine(scan("exception", 0, reason="customs_hold"))
    incident = _only(engine, "customs_hold")
    engine.acknowledge(incident.id, by="ana", at=h(0) + MINUTE)
    engine.resolve(incident.id, by="ana", at=h(0.5) + offset)  # escalate is due at 0:30
    changes = [c for c in engine.advance(to=h(40)) if c.incident.id == incident.id]
    assert _escalated(changes, "escalate") == ([h(0.5)] if offset > ZERO else [])
    after = [c for c in changes if c.at >= h(0.5) + offset]
    assert [c.type for c in after] == [ChangeType.REVISIT_DUE]
    assert _escalated(changes, "documents") == _escalated(changes, "resolve") == []


def test_a_missed_deadline_is_reported_at_its_own_time_after_a_later_resolve() -> None:
    engine = _engine(scan("exception", 0, reason="customs_hold"))
    incident = _only(engine, "customs_hold")
    engine.resolve(incident.id, by="ana", at=h(1))  # advance never reached 0:05 or 0:30
    changes = engine.advance(to=h(3))
    assert [(c.type, c.at) for c in changes if c.incident.id == incident.id] == [
        (ChangeType.ESCALATED, h(0) + 5 * MINUTE),
        (ChangeType.ESCALATED, h(0.5)),
    ]


# -- the revisit -------------------------------------------------------------------------------
def _resolved(clears: bool = False) -> tuple[Engine, str]:
    engine = _engine(scan("exception", 0, reason="customs_hold"))
    incident = _only(engine, "customs_hold")
    engine.resolve(incident.id, by="ana", at=h(1), note="duties paid")
    if clears:
        engine.ingest([scan("in_transit", 2)])  # the hold ends: the incident closes
    return engine, incident.id


@pytest.mark.parametrize("clears", [False, True])
@pytest.mark.parametrize("offset", AROUND)
def test_the_revisit_falls_due_a_day_after_the_resolution(clears: bool, offset: timedelta) -> None:
    engine, ident = _resolved(clears)
    changes = [c for c in engine.advance(to=h(25) + offset) if c.type is ChangeType.REVISIT_DUE]
    if offset < ZERO:
        assert changes == []
        return
    (change,) = changes
    assert (change.at, change.incident.id, change.incident.state.value) == (
        h(25),
        ident,
        "resolved",
    )
    assert change.to_dict()["type"] == "revisit_due"


@pytest.mark.parametrize("clears", [False, True])
@pytest.mark.parametrize("offset", AROUND)
def test_a_revisit_recorded_in_time_needs_no_reminder(clears: bool, offset: timedelta) -> None:
    engine, ident = _resolved(clears)
    engine.record(ident, action="revisited", by="cs", at=h(25) + offset, cause="carrier")
    changes = [c for c in engine.advance(to=h(30)) if c.type is ChangeType.REVISIT_DUE]
    assert [c.at for c in changes] == ([h(25)] if offset > ZERO else [])


def test_a_closed_incident_is_held_for_its_revisit_then_let_go() -> None:
    engine, ident = _resolved(clears=True)
    assert engine.incident(ident).state.value == "resolved"
    assert engine.open_incidents() == []
    restored = Engine.load(PACK, engine.dump(mask=False))
    assert [c.at for c in restored.advance(to=h(26)) if c.type is ChangeType.REVISIT_DUE] == [h(25)]
    with pytest.raises(UnknownIncident):
        restored.incident(ident)
    assert [a.action for a in restored.actions(ident)] == ["resolved"]


# -- record() ------------------------------------------------------------------------------------
def test_record_refuses_an_action_the_pack_does_not_declare() -> None:
    engine = _engine(scan("exception", 0, reason="customs_hold"))
    with pytest.raises(FollowUpError) as caught:
        engine.record(_only(engine, "customs_hold").id, action="documents_suplied", by="a", at=h(1))
    assert caught.value.code is ErrorCode.UNKNOWN_ACTION
    assert "Did you mean 'documents_supplied'?" in str(caught.value)
    assert caught.value.input == "documents_suplied"


def test_record_keeps_a_known_cause_and_refuses_another() -> None:
    engine = _engine(scan("exception", 0, reason="customs_hold"))
    ident = _only(engine, "customs_hold").id
    with pytest.raises(FollowUpError) as caught:
        engine.record(ident, action="documents_supplied", by="a", at=h(1), cause="weather")
    assert caught.value.code is ErrorCode.BAD_CAUSE
    done = engine.record(ident, action="documents_supplied", by="a", at=h(1), cause="customer")
    assert done.cause == "customer"
    assert done.to_dict()["cause"] == "customer"
    assert Engine.load(PACK, engine.dump(mask=False)).actions(ident)[-1] == done


def test_record_names_an_incident_the_engine_holds() -> None:
    engine = _engine(scan("exception", 0, reason="customs_hold"))
    with pytest.raises(UnknownIncident):
        engine.record("inc_0123456789abcdef", action="documents_supplied", by="a", at=h(1))
