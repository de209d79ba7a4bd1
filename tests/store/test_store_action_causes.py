"""The cause a person names with ``record`` or ``resolve`` is kept in the store's
``actions`` table (migration 4): a store lists the same actions as memory, and a
database at schema version 3 upgrades."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from store_support import older_store

from logix_rules import Engine, load_pack
from logix_rules.runtime._actions import Action
from logix_rules.store import SCHEMA_VERSION, open_store

PACK = load_pack("default")
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


EVENTS = [
    {"tracking_number": "H1", "carrier": "ups", "occurred_at": h(0).isoformat(),
     "status": "exception", "reason": "customs_hold"},
    {"tracking_number": "H2", "carrier": "dhl", "occurred_at": h(0).isoformat(),
     "status": "exception", "reason": "customs_hold"},
]  # fmt: skip


def _follow_up(engine: Engine) -> dict[str, list[Action]]:
    """Record and resolve with and without causes; every incident's actions."""
    h1, h2 = sorted(engine.open_incidents(), key=lambda i: i.tracking_number)
    engine.acknowledge(h1.id, by="ana", at=h(0.5))
    engine.record(h1.id, action="documents_supplied", by="ana", at=h(1), cause="customer")
    engine.record(h2.id, action="documents_supplied", by="bo", at=h(1), note="sent")
    engine.resolve(h1.id, by="ana", at=h(2), note="cleared", cause="carrier")
    engine.resolve(h2.id, by="bo", at=h(2), cause="force_majeure")
    return {i.id: engine.actions(i.id) for i in (h1, h2)}


def test_a_store_lists_the_causes_memory_lists(store_url: str) -> None:
    memory = Engine(PACK)
    memory.ingest(EVENTS)
    expected = _follow_up(memory)
    assert [a.cause for a in expected[min(expected)]] == [None, "customer", "carrier"]
    with open_store(store_url) as store:
        engine = Engine(PACK, store=store)
        engine.ingest(EVENTS)
        assert _follow_up(engine) == expected
    # Read back from the rows, not the state cached by the engine that wrote them.
    with open_store(store_url) as store:
        again = Engine(PACK, store=store)
        assert {ident: again.actions(ident) for ident in expected} == expected
        assert {ident: store.actions(ident) for ident in expected} == expected
        assert store.actions_of(list(expected)) == expected


def test_a_database_at_schema_version_3_upgrades(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with older_store(monkeypatch, store_url, 3) as store:
        # The logix that knew migrations 1 to 3: its engine opens incidents, and logged
        # an action in the table as it then was.
        Engine(PACK, store=store).ingest(EVENTS)
        with store.db.transaction(write=True):
            store.db.execute(
                "INSERT INTO actions (incident_id, n, what, by_name, at, note) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                ("earlier", 0, "acknowledged", "cy", 1_772_438_400_000_000, None),
            )
    assert SCHEMA_VERSION >= 4
    memory = Engine(PACK)
    memory.ingest(EVENTS)
    expected = _follow_up(memory)
    with open_store(store_url) as store:
        assert store.schema_version == SCHEMA_VERSION
        with store.db.transaction(write=False):
            rows = store.db.execute("SELECT version FROM schema_version ORDER BY version")
        assert [v for (v,) in rows] == list(range(1, SCHEMA_VERSION + 1))
        (earlier,) = store.actions("earlier")
        assert (earlier.by, earlier.cause) == ("cy", None)
        assert _follow_up(Engine(PACK, store=store)) == expected
    with open_store(store_url) as store:
        assert {ident: Engine(PACK, store=store).actions(ident) for ident in expected} == expected
