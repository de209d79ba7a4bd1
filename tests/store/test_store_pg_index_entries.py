"""Migration 9: on PostgreSQL ``incidents`` fills its pages to 70 % (room for a
snapshot's next version on its page, so the update is HOT: no index entry), and the
three date indexes of ``shipment_facts`` hold only the rows that have the date.  A
version-8 database upgrades with the same rows and feed, the reports' query by dates
finds what a scan of the table finds, and a store then works as memory does; on a new
store that query reads the partial indexes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from store_support import batches, dated_query, feed_in, older_store, reference, stream

from logix_rules import Engine, load_pack
from logix_rules.store import SCHEMA_VERSION, open_store

PACK = load_pack("default")
#: Each date index of the facts and the predicate migration 9 gives it.
DATED = {
    "shipment_facts_shipped": "(shipped_at IS NOT NULL)",
    "shipment_facts_promised": "(promised_at IS NOT NULL)",
    "shipment_facts_delivered": "(delivered_at IS NOT NULL)",
}
#: Settings under which a query reads the table, not an index.
NO_INDEX = ("enable_indexscan = off", "enable_bitmapscan = off")


def _predicates(db: Any) -> dict[str, str | None]:
    """Each index of ``shipment_facts`` and its WHERE clause (None: every row)."""
    with db.transaction(write=False):
        rows = db.execute(
            "SELECT c.relname, pg_get_expr(i.indpred, i.indrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = 'shipment_facts'::regclass"
        )
    return dict(rows)


def _fillfactor(db: Any) -> list[str]:
    """The fillfactor options of ``incidents`` (none: PostgreSQL's default, 100)."""
    with db.transaction(write=False):
        rows = db.execute("SELECT reloptions FROM pg_class WHERE oid = 'incidents'::regclass")
    return [option for option in rows[0][0] or () if option.startswith("fillfactor=")]


def _tables(db: Any) -> tuple[list[Any], list[Any], list[Any]]:
    """The facts, incidents and feed rows, in key order (``updated`` left out)."""
    with db.transaction(write=False):
        return (
            db.execute(
                "SELECT tracking_number, carrier, lane, category, region, shipped_at, "
                "promised_at, declared_value, currency, first_scan, delivered_at "
                "FROM shipment_facts ORDER BY 1"
            ),
            db.execute("SELECT id, state, closed_at, snapshot FROM incidents ORDER BY 1"),
            db.execute("SELECT seq, change_id, incident_id FROM feed ORDER BY seq"),
        )


def _same_as_a_scan(store: Any, **window: Any) -> tuple[str, list[Any]]:
    """Check that ``store.shipment_facts(**window)`` returns some parcels, those a
    sequential scan finds; return its statement and parameters."""
    sql, params, found = dated_query(store, **window)
    assert found
    db = store.db
    assert "Seq Scan" in _plan(db, sql, params, *NO_INDEX)
    with db.transaction(write=False):
        for setting in NO_INDEX:
            db.execute(f"SET LOCAL {setting}")
        rows = db.execute(sql, params)
    assert sorted(row[0] for row in rows) == [f.tracking_number for f in found]
    return sql, params


def _plan(db: Any, sql: str, params: list[Any], *settings: str) -> str:
    with db.transaction(write=False):
        for setting in settings:
            db.execute(f"SET LOCAL {setting}")
        return "\n".join(line for (line,) in db.execute(f"EXPLAIN {sql}", params))


def test_a_version_8_database_upgrades_to_fewer_index_entries(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipments, events, at = stream(seed=11, shipments=40)
    shipments = shipments[::2]  # the others' facts have no promised date
    parts = batches(events, 100)
    memory = reference(shipments, events, at, 100)
    with older_store(monkeypatch, pg_url, 8) as store:
        assert set(_predicates(store.db).values()) == {None}  # every row, NULLs too
        assert _fillfactor(store.db) == []
        feed_in(Engine(PACK, store=store), shipments, parts[:2])
        before = _tables(store.db)
    facts, incidents, feed = before
    assert facts
    assert incidents
    assert feed
    # Parcels without a promised date, and not yet delivered: rows those indexes leave out.
    for column in (6, 10):
        assert any(row[column] is None for row in facts)
        assert any(row[column] is not None for row in facts)
    assert SCHEMA_VERSION >= 9
    with open_store(pg_url) as store:
        assert store.schema_version == SCHEMA_VERSION
        predicates = _predicates(store.db)
        assert predicates == {"shipment_facts_pkey": None, **DATED}
        assert _fillfactor(store.db) == ["fillfactor=70"]
        assert _tables(store.db) == before
        assert [seq for seq, _, _ in feed] == list(range(1, len(feed) + 1))
        engine = Engine(PACK, store=store)
        feed_in(engine, (), parts[2:])
        engine.advance(to=at)
        assert engine.dump(mask=False) == memory.dump(mask=False)
        # The reports' query by dates finds what a scan of the table finds.  (Whether
        # its plan reads the new indexes is checked on a new store: an index built over
        # rows that other transactions may still see is used only once they end.)
        _same_as_a_scan(store, since=at - timedelta(days=4), until=at)
    with open_store(pg_url, cache_size=0) as store:  # every state read from its row
        assert Engine(PACK, store=store).dump(mask=False) == memory.dump(mask=False)


def test_a_new_store_has_the_partial_indexes_and_room_on_postgresql(pg_url: str) -> None:
    shipments, events, at = stream(seed=11, shipments=40)
    with open_store(pg_url) as store:
        assert _predicates(store.db) == {"shipment_facts_pkey": None, **DATED}
        assert _fillfactor(store.db) == ["fillfactor=70"]
        engine = Engine(PACK, store=store)
        feed_in(engine, shipments[::2], batches(events, 100))
        engine.advance(to=at)
        # Each date's arm of the reports' query reads its partial index (the plan with
        # sequential scans off: the table is small), and it finds what a scan finds.
        sql, params = _same_as_a_scan(store, since=at - timedelta(days=4), until=at)
        plan = _plan(store.db, sql, params, "enable_seqscan = off")
        assert all(f"Bitmap Index Scan on {index}" in plan for index in DATED), plan
