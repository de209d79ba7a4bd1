"""Change ids, incident lookups, filters, the follow-up log, and the host seam."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest

from logix_rules import (
    Action,
    Change,
    ChangeType,
    Engine,
    IncidentState,
    Kernel,
    UnknownIncident,
    generate_demo,
    load_pack,
)
from logix_rules.core._durations import to_micros
from logix_rules.integrations._spark_rows import event_to_input, handle_rows
from logix_rules.runtime._host import MemoryHost

PACK = load_pack("default")
DEMO = generate_demo(seed=5, shipments=80)
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


def demo_engine() -> tuple[Engine, list[Change]]:
    engine = Engine(PACK)
    changes: list[Change] = []
    for shipment in DEMO.shipments:
        changes += engine.upsert_shipment(shipment)
    events = list(DEMO.events)
    for start in range(0, len(events), 97):
        changes += engine.ingest(events[start : start + 97])
    changes += engine.advance(to=DEMO.at)
    return engine, changes


# -- change ids -----------------------------------------------------------------------------
def test_change_ids_are_deterministic_and_tell_different_changes_apart() -> None:
    _, first = demo_engine()
    _, second = demo_engine()
    assert first
    assert [c.id for c in first] == [c.id for c in second]
    by_id: dict[str, dict[str, Any]] = {}
    for change in first:
        assert change.id.startswith("chg_")
        assert len(change.id) == 36
        seen = by_id.setdefault(change.id, change.to_dict())
        assert seen == change.to_dict()  # one id, one content
    assert len({c.id for c in first}) == len({repr(c.to_dict()) for c in first})


def test_the_content_separates_two_updates_of_one_incident_at_one_instant() -> None:
    _, changes = demo_engine()
    change = next(c for c in changes if c.type is ChangeType.OPENED)
    other = attrs.evolve(change.incident, severity="P4", id=change.incident.id)
    twin = Change(ChangeType.UPDATED, change.incident, change.at)
    assert Change(ChangeType.UPDATED, other, change.at).id != twin.id
    assert Change(ChangeType.UPDATED, change.incident, change.at).id == twin.id
    assert Change(ChangeType.OPENED, change.incident, change.at).id == change.id
    assert Change(ChangeType.OPENED, change.incident, change.at + H).id != change.id


def test_id_and_seq_in_the_dict_and_equality() -> None:
    engine = Engine(PACK)
    (change,) = engine.ingest([scan(0, "exception", reason="customs_hold")])
    as_dict = change.to_dict()
    assert as_dict["id"] == change.id
    assert "seq" not in as_dict
    stored = attrs.evolve(change, seq=41)
    assert stored.seq == 41
    assert stored.id == change.id
    assert stored == change
    assert stored.to_dict() == {**as_dict, "seq": 41}
    given = Change(change.type, change.incident, change.at, id="chg_x", seq=3)
    assert given.id == "chg_x"


def test_a_restored_engine_gives_the_same_changes_with_the_same_ids() -> None:
    engine = Engine(PACK)
    engine.ingest([scan(0, "picked_up"), scan(1), scan(2, number="N2")])
    restored = Engine.load(PACK, engine.dump(mask=False))
    later = T0 + 80 * H
    ids = [c.id for c in engine.advance(to=later)]
    assert ids
    assert ids == [c.id for c in restored.advance(to=later)]


def test_spark_rows_carry_the_engines_change_ids() -> None:
    events = [e for e in DEMO.events if e.tracking_number == DEMO.events[0].tracking_number]
    kernel = Kernel(PACK)
    tn = events[0].tracking_number
    outcome = handle_rows(
        kernel,
        None,
        tn,
        None,
        [event_to_input(e) for e in events],
        now_us=to_micros(DEMO.at),
    )
    engine = Engine(PACK)
    expected = engine.ingest(events) + engine.advance(to=DEMO.at)
    assert sorted(r["change_id"] for r in outcome.rows) == sorted(c.id for c in expected)


# -- lookups ---------------------------------------------------------------------------------
def test_incident_by_id_and_unknown_ids() -> None:
    engine, _ = demo_engine()
    everything = engine.open_incidents()
    assert everything
    for incident in everything:
        assert engine.incident(incident.id) == incident
    with pytest.raises(UnknownIncident):
        engine.incident("inc_nope")
    with pytest.raises(UnknownIncident):
        engine.acknowledge("inc_nope", by="ana")
    with pytest.raises(UnknownIncident):
        engine.actions("inc_nope")


def test_filters_and_limit_agree_with_filtering_the_whole_list() -> None:
    engine, _ = demo_engine()
    everything = engine.open_incidents()
    severities = {i.severity for i in everything}
    kinds = {i.kind for i in everything}
    carriers = {i.carrier for i in everything}
    assert len(severities) > 1
    assert len(kinds) > 1
    assert len(carriers) > 1
    for severity in severities:
        assert engine.open_incidents(severity=severity) == [
            i for i in everything if i.severity == severity
        ]
    for kind in kinds:
        for carrier in carriers:
            assert engine.open_incidents(kind=kind, carrier=carrier) == [
                i for i in everything if i.kind == kind and i.carrier == carrier
            ]
    tn = everything[-1].tracking_number
    assert engine.open_incidents(tn) == [i for i in everything if i.tracking_number == tn]
    assert engine.open_incidents(tracking_number=tn, limit=1) == engine.open_incidents(tn)[:1]
    assert engine.open_incidents(limit=3) == everything[:3]
    assert engine.open_incidents(limit=0) == []
    assert engine.open_incidents(severity="P9") == []
    with pytest.raises(TypeError):
        engine.open_incidents(limit="3")  # type: ignore[arg-type]


def test_actions_log_who_did_what_when() -> None:
    engine = Engine(PACK)
    engine.ingest([scan(0, "exception", reason="customs_hold")])
    (incident,) = engine.open_incidents()
    assert engine.actions(incident.id) == []
    engine.acknowledge(incident.id, by="ana", at=T0 + 0.05 * H)
    engine.acknowledge(incident.id, by="bo", at=T0 + 0.1 * H)
    engine.resolve(incident.id, by="cy", at=T0 + H, note="duties paid")
    log = engine.actions(incident.id)
    assert log == [
        Action(incident.id, "acknowledged", "ana", T0 + 0.05 * H),
        Action(incident.id, "acknowledged", "bo", T0 + 0.1 * H),
        Action(incident.id, "resolved", "cy", T0 + H, "duties paid"),
    ]
    assert log[-1].to_dict()["at"] == "2026-03-02T11:00:00Z"
    # Resolved while the hold still holds: not open, still found, still logged.
    assert engine.open_incidents() == []
    assert engine.incident(incident.id).state is IncidentState.RESOLVED
    restored = Engine.load(PACK, engine.dump(mask=False))
    assert restored.actions(incident.id) == log
    # The condition clears: the incident is held, resolved, for its revisit only
    # (issue 13 §2); once that is recorded it is gone, its log is not.
    engine.ingest([scan(3, "in_transit")])
    assert engine.incident(incident.id).state is IncidentState.RESOLVED
    assert engine.open_incidents() == []
    revisit = engine.record(incident.id, action="revisited", by="cy", at=T0 + 2 * H)
    with pytest.raises(UnknownIncident):
        engine.incident(incident.id)
    assert engine.actions(incident.id) == [*log, revisit]


def test_the_memory_indexes_follow_clears_and_replays() -> None:
    engine, _ = demo_engine()
    host = engine._host
    assert isinstance(host, MemoryHost)
    # Late scans everywhere: replays clear and reopen incidents under new ids.
    late = [
        {**scan(-500, number=tn), "carrier": s.carrier, "event_id": f"late-{tn}"}
        for tn, s in host.states.items()
    ]
    engine.ingest(late)
    engine.advance(to=DEMO.at + 30 * 24 * H)
    live = {inc.id: tn for tn, s in host.states.items() for inc in s.open.values()}
    followed = {i: tn for tn, s in host.states.items() for i in s.followups}
    assert host.where == {**followed, **live}
    assert host.held == {
        tn: tuple(inc.id for inc in s.open.values()) for tn, s in host.states.items() if s.open
    }
