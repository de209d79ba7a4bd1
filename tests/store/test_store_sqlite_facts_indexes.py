"""Migration 9 on SQLite: the three date indexes of ``shipment_facts`` hold only the rows
that have the date.  A version-8 database upgrades with the same rows and feed, the
reports' query by dates reads each partial index and finds what a scan of the table
finds, and a store then works as memory does."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from store_support import batches, dated_query, feed_in, older_store, reference, stream

from logix_rules import Engine, load_pack
from logix_rules.store import SCHEMA_VERSION, open_store

PACK = load_pack("default")
DATED = {
    "shipment_facts_shipped": "shipped_at",
    "shipment_facts_promised": "promised_at",
    "shipment_facts_delivered": "delivered_at",
}


def _indexes(db: Any) -> dict[str, str]:
    """Each date index of the facts and its SQL, as SQLite keeps it."""
    with db.transaction(write=False):
        rows = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (?, ?, ?)",
            tuple(DATED),
        )
    return dict(rows)


def _tables(db: Any) -> tuple[list[Any], list[Any], list[Any]]:
    with db.transaction(write=False):
        return (
            db.execute(
                "SELECT tracking_number, shipped_at, promised_at, delivered_at "
                "FROM shipment_facts ORDER BY 1"
            ),
            db.execute("SELECT id, state, closed_at, snapshot FROM incidents ORDER BY 1"),
            db.execute("SELECT seq, change_id, incident_id FROM feed ORDER BY seq"),
        )


def _reads_each_index_and_finds_what_a_scan_finds(store: Any, since: datetime) -> None:
    sql, params, found = dated_query(store, since=since, until=since + timedelta(days=6))
    assert found
    db = store.db
    with db.transaction(write=False):
        plan = " | ".join(row[-1] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))
        scanned = db.execute(
            sql.replace("FROM shipment_facts", "FROM shipment_facts NOT INDEXED"), params
        )
    assert all(f"USING INDEX {index}" in plan for index in DATED), plan
    assert sorted(row[0] for row in scanned) == [f.tracking_number for f in found]


def test_a_version_8_sqlite_database_upgrades_to_partial_date_indexes(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipments, events, at = stream(seed=11, shipments=40)
    shipments = shipments[::2]  # the others' facts have no promised date
    parts = batches(events, 100)
    memory = reference(shipments, events, at, 100)
    with older_store(monkeypatch, sqlite_url, 8) as store:
        assert not any("WHERE" in sql for sql in _indexes(store.db).values())
        feed_in(Engine(PACK, store=store), shipments, parts[:2])
        before = _tables(store.db)
    facts, incidents, feed = before
    assert incidents
    assert feed
    for column in (2, 3):  # rows the partial indexes leave out, and rows they keep
        assert any(row[column] is None for row in facts)
        assert any(row[column] is not None for row in facts)
    with open_store(sqlite_url) as store:
        assert store.schema_version == SCHEMA_VERSION >= 9
        assert {
            name: sql.endswith(f"WHERE {column} IS NOT NULL")
            for name, sql in _indexes(store.db).items()
            for column in (DATED[name],)
        } == dict.fromkeys(DATED, True)
        assert _tables(store.db) == before
        engine = Engine(PACK, store=store)
        feed_in(engine, (), parts[2:])
        engine.advance(to=at)
        assert engine.dump(mask=False) == memory.dump(mask=False)
        _reads_each_index_and_finds_what_a_scan_finds(store, at - timedelta(days=8))
