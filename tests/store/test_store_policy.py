"""Issue 13 §1/§2 over a store (SQLite and PostgreSQL): supersession, deadlines that
act, ``record`` and the revisit give the same changes as the engine in memory, and the
store's rows and feed say the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from store_support import all_changes, fold

from logix_rules import ChangeType, Engine, UnknownIncident, load_pack
from logix_rules.store import open_store

PACK = load_pack("default")
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


EVENTS = [
    {"tracking_number": "S1", "carrier": "dhl", "occurred_at": h(0).isoformat(),
     "status": "in_transit"},
    {"tracking_number": "H1", "carrier": "ups", "occurred_at": h(0).isoformat(),
     "status": "exception", "reason": "customs_hold"},
]  # fmt: skip


def _run(engine: Engine) -> list[dict[str, Any]]:
    """A silent parcel through its stages; a customs hold with its documents recorded,
    resolved, then cleared, and its revisit due."""
    out = [c.to_dict(mask=False) for c in engine.ingest(EVENTS)]
    (hold,) = [i for i in engine.open_incidents() if i.kind == "customs_hold"]
    engine.record(hold.id, action="documents_supplied", by="ana", at=h(1), cause="customer")
    out.append(engine.resolve(hold.id, by="ana", at=h(2)).to_dict(mask=False))
    out += [c.to_dict(mask=False) for c in engine.advance(to=h(3))]
    out += [
        c.to_dict(mask=False)
        for c in engine.ingest(
            [{"tracking_number": "H1", "carrier": "ups", "occurred_at": h(4).isoformat(),
              "status": "in_transit"}]
        )
    ]  # fmt: skip
    out += [c.to_dict(mask=False) for c in engine.advance(to=h(24 * 8))]
    return [{k: v for k, v in c.items() if k != "seq"} for c in out]


def test_a_store_reports_what_memory_reports(store_url: str) -> None:
    memory = _run(Engine(PACK))
    store = open_store(store_url)
    stored = _run(Engine(PACK, store=store))
    assert stored == memory
    types = [c["type"] for c in memory]
    assert types.count("superseded") == 4  # both parcels go silent: stall, transit, loss
    assert "revisit_due" in types
    # The feed folds to the open incidents: a superseded incident is closed.
    engine = Engine(PACK, store=store)
    live = fold(all_changes(store))
    assert sorted(live) == sorted(i.id for i in engine.open_incidents())
    assert [i.kind for i in engine.open_incidents()] == ["lost", "lost"]
    assert [i.kind for i in store.open_incidents()] == ["lost", "lost"]


def test_record_and_its_cause_survive_a_reopened_store(store_url: str) -> None:
    store = open_store(store_url)
    engine = Engine(PACK, store=store)
    engine.ingest(EVENTS[1:])
    (hold,) = engine.open_incidents()
    done = engine.record(hold.id, action="documents_supplied", by="ana", at=h(1), cause="carrier")
    store.close()
    again = Engine(PACK, store=open_store(store_url))
    assert again.actions(hold.id)[-1].action == "documents_supplied"
    # The store's action table keeps what, by, at, note and (migration 4) the cause.
    assert again.actions(hold.id)[-1] == done
    changes = again.advance(to=h(25))
    assert not [
        c
        for c in changes
        if c.type is ChangeType.ESCALATED and c.incident.escalations[-1].what == "documents"
    ]
    again.resolve(hold.id, by="bo", at=h(26))
    again.ingest(
        [{"tracking_number": "H1", "carrier": "ups", "occurred_at": h(27).isoformat(),
          "status": "in_transit"}]
    )  # fmt: skip
    assert again.incident(hold.id).state.value == "resolved"  # held for its revisit
    again.record(hold.id, action="revisited", by="cy", at=h(30))
    try:
        again.incident(hold.id)
    except UnknownIncident:
        pass
    else:
        raise AssertionError("the revisited incident is still held")
