"""Issue 13 §2 edges: a resolve dated more than a day before the engine's clock keeps
its revisit, and a new customer question after a resolved WISMO incident is followed
up.  Boundaries are checked one minute before, at and after.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from policy_timeline import AROUND, PACK, h, scan, shipment

from logix_rules import Change, ChangeType, Engine
from logix_rules.store import open_store

DAY = timedelta(hours=24)


def _engine(*events: dict[str, Any]) -> Engine:
    engine = Engine(PACK)
    engine.upsert_shipment(shipment())
    engine.ingest(list(events))
    return engine


def _only(engine: Engine, kind: str) -> Any:
    (incident,) = [i for i in engine.open_incidents() if i.kind == kind]
    return incident


def _of(changes: list[Change], ident: str) -> list[tuple[ChangeType, Any]]:
    return [(c.type, c.at) for c in changes if c.incident.id == ident]


# -- a back-dated resolve keeps its revisit -----------------------------------------------------
def _resolved_late(offset: timedelta) -> tuple[Engine, str, Any]:
    """The engine's clock at 40:00, the incident resolved at 16:00 + ``offset``: its
    revisit falls due at 40:00 + ``offset``, before, at or after that clock."""
    engine = _engine(scan("exception", 0, reason="customs_hold"))
    ident = _only(engine, "customs_hold").id
    engine.advance(to=h(40))
    resolved_at = h(40) - DAY + offset
    engine.resolve(ident, by="ana", at=resolved_at)
    return engine, ident, resolved_at + DAY


@pytest.mark.parametrize("offset", AROUND)
def test_a_back_dated_resolve_keeps_its_revisit_for_the_next_advance(offset: timedelta) -> None:
    engine, ident, due = _resolved_late(offset)
    changes = engine.advance(to=h(41))
    assert _of(changes, ident) == [(ChangeType.REVISIT_DUE, due)]
    assert _of(engine.advance(to=h(80)), ident) == []  # exactly once, nothing else


@pytest.mark.parametrize("offset", AROUND)
def test_a_back_dated_resolve_keeps_its_revisit_for_the_next_event(offset: timedelta) -> None:
    engine, ident, due = _resolved_late(offset)
    changes = engine.ingest([scan("in_transit", 41)])  # the hold ends too
    assert _of(changes, ident) == [(ChangeType.REVISIT_DUE, due)]
    assert _of(engine.advance(to=h(80)), ident) == []


@pytest.mark.parametrize("offset", AROUND)
def test_a_back_dated_resolve_keeps_its_revisit_through_a_late_event(offset: timedelta) -> None:
    engine, ident, due = _resolved_late(offset)
    changes = engine.ingest([scan("in_transit", 30)])  # before the clock: a replay
    owed = [(ChangeType.REVISIT_DUE, due)]
    assert _of(changes, ident) == (owed if offset <= timedelta(0) else [])
    assert _of(engine.advance(to=h(80)), ident) == ([] if offset <= timedelta(0) else owed)


@pytest.mark.parametrize("offset", AROUND)
def test_a_back_dated_resolve_keeps_its_revisit_through_dump_and_load(offset: timedelta) -> None:
    engine, ident, due = _resolved_late(offset)
    restored = Engine.load(PACK, engine.dump(mask=False))
    assert _of(restored.advance(to=h(41)), ident) == [(ChangeType.REVISIT_DUE, due)]


@pytest.mark.parametrize("offset", AROUND)
def test_a_back_dated_resolve_keeps_its_revisit_in_a_sqlite_store(
    offset: timedelta, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_store(url) as store:
        engine = Engine(PACK, store=store)
        engine.upsert_shipment(shipment())
        engine.ingest([scan("exception", 0, reason="customs_hold")])
        ident = _only(engine, "customs_hold").id
        engine.advance(to=h(40))
        engine.resolve(ident, by="ana", at=h(40) - DAY + offset)
    with open_store(url) as store:
        again = Engine(PACK, store=store)
        owed = [(ChangeType.REVISIT_DUE, h(40) + offset)]
        assert _of(again.advance(to=h(41)), ident) == owed
        assert _of(again.advance(to=h(80)), ident) == []


@pytest.mark.parametrize("offset", AROUND)
def test_a_revisit_recorded_after_a_back_dated_resolve_needs_no_reminder(
    offset: timedelta,
) -> None:
    engine, ident, due = _resolved_late(timedelta(0))
    engine.record(ident, action="revisited", by="cs", at=due + offset)
    expected = [(ChangeType.REVISIT_DUE, due)] if offset > timedelta(0) else []
    assert _of(engine.advance(to=h(41)), ident) == expected


# -- a new question after a resolved WISMO incident --------------------------------------------
def wismo(hours: float) -> dict[str, Any]:
    return scan("exception", hours, reason="wismo", system="customer")


@pytest.mark.parametrize("offset", AROUND)
def test_a_question_after_the_resolve_opens_a_new_wismo_incident(offset: timedelta) -> None:
    engine = _engine(scan("in_transit", 0), wismo(5))
    first = _only(engine, "wismo")
    engine.resolve(first.id, by="cs", at=h(6))
    asked = h(6) + offset
    changes = engine.ingest([{**wismo(6), "occurred_at": asked.isoformat()}])
    opened = [c.incident for c in changes if c.type is ChangeType.OPENED]
    if offset <= timedelta(0):  # asked before or as it was resolved: that one answers it
        assert opened == []
        assert engine.open_incidents(kind="wismo") == []
        return
    (second,) = opened
    assert second.id != first.id
    assert (second.kind, second.opened_at, second.deadlines["reply"]) == (
        "wismo",
        asked,
        asked + timedelta(hours=2),
    )
    assert _only(engine, "wismo").id == second.id
    later = engine.advance(to=h(40))
    replies = [
        c.at
        for c in later
        if c.incident.id == second.id
        and c.type is ChangeType.ESCALATED
        and c.incident.escalations[-1].what == "reply"
    ]
    assert replies == [asked + timedelta(hours=2)]
    assert _of(later, first.id) == [(ChangeType.REVISIT_DUE, h(30))]  # the first's revisit


def test_a_reply_to_the_new_question_meets_its_deadline() -> None:
    engine = _engine(scan("in_transit", 0), wismo(5))
    engine.resolve(_only(engine, "wismo").id, by="cs", at=h(6))
    engine.ingest([wismo(8)])
    second = _only(engine, "wismo")
    engine.record(second.id, action="replied", by="cs", at=h(10))
    escalated = [
        c.incident.escalations[-1].what
        for c in engine.advance(to=h(12))
        if c.type is ChangeType.ESCALATED and c.incident.id == second.id
    ]
    assert "reply" not in escalated


def test_a_question_before_the_resolve_is_answered_by_it() -> None:
    engine = _engine(scan("in_transit", 0), wismo(5), wismo(5.5))
    first = _only(engine, "wismo")
    engine.resolve(first.id, by="cs", at=h(6))
    assert engine.open_incidents(kind="wismo") == []
    assert [c.type for c in engine.advance(to=h(29)) if c.incident.id == first.id] == []


@pytest.mark.parametrize("offset", AROUND)
def test_a_back_dated_resolve_before_a_later_question_leaves_it_open(offset: timedelta) -> None:
    asked = h(8) + offset
    question = {**wismo(8), "occurred_at": asked.isoformat()}
    engine = _engine(scan("in_transit", 0), wismo(5), question)
    first = _only(engine, "wismo")
    engine.advance(to=h(9))
    engine.resolve(first.id, by="cs", at=h(8))  # before the clock, around the question
    changes = engine.advance(to=h(12))
    opened = [c.incident for c in changes if c.type is ChangeType.OPENED]
    if offset <= timedelta(0):
        assert opened == []
        assert engine.open_incidents(kind="wismo") == []
        return
    (second,) = opened
    assert (second.opened_at, second.deadlines["reply"]) == (asked, asked + timedelta(hours=2))
    assert _of(changes, first.id) == []
