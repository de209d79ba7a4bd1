"""Migration 8: on PostgreSQL the keys an ingest writes (tracking numbers, incident and
change ids, an incident's kind, severity and carrier) compare bytewise (``COLLATE
"C"``), in their B-trees too, and ``shipments`` fills its pages to 70 % (room for a
state's next version on its page).  A version-7 database upgrades with the same rows,
its indexes usable and its constraints kept; a store then works as memory does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from store_support import customs_hold, older_store

from logix_rules import Engine, load_pack
from logix_rules.store import SCHEMA_VERSION, open_store

PACK = load_pack("default")
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
#: The columns migration 8 gives the "C" collation.
BYTEWISE = {
    ("shipments", "tracking_number"),
    ("incidents", "id"),
    ("incidents", "tracking_number"),
    ("incidents", "kind"),
    ("incidents", "severity"),
    ("incidents", "carrier"),
    ("feed", "change_id"),
    ("feed", "incident_id"),
    ("shipment_facts", "tracking_number"),
}
#: Tracking numbers whose byte order differs from most locales' ("a" < "Z" there).
PARCELS = ["a1", "Z1", "\u00e41", "b-2", "B2"]


def _collations(db: object) -> dict[tuple[str, str], str | None]:
    """Each text column of the engine's tables and its collation (None: the database's)."""
    with db.transaction(write=False):  # type: ignore[attr-defined]
        rows = db.execute(  # type: ignore[attr-defined]
            "SELECT table_name, column_name, collation_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = 'text' AND table_name IN "
            "('shipments', 'incidents', 'feed', 'shipment_facts')"
        )
    return {(table, column): collation for table, column, collation in rows}


def _fillfactor(db: object) -> list[str]:
    """The fillfactor options of ``shipments`` (none: PostgreSQL's default, 100)."""
    with db.transaction(write=False):  # type: ignore[attr-defined]
        rows = db.execute("SELECT reloptions FROM pg_class WHERE oid = 'shipments'::regclass")  # type: ignore[attr-defined]
    return [option for option in rows[0][0] or () if option.startswith("fillfactor=")]


def _uses_index(db: object, sql: str, params: list[object], index: str) -> bool:
    """Whether the plan of ``sql`` reads ``index`` when sequential scans are off (a
    B-tree whose collation is not the comparison's cannot serve it)."""
    with db.transaction(write=False):  # type: ignore[attr-defined]
        db.execute("SET LOCAL enable_seqscan = off")  # type: ignore[attr-defined]
        plan = db.execute(f"EXPLAIN {sql}", params)  # type: ignore[attr-defined]
    return any(index in line for (line,) in plan)


def test_a_version_7_database_upgrades_to_bytewise_keys(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = Engine(PACK)
    with older_store(monkeypatch, pg_url, 7) as store:
        before = _collations(store.db)
        assert _fillfactor(store.db) == []
        engine = Engine(PACK, store=store)
        for n, tn in enumerate(PARCELS[:3]):
            engine.ingest(customs_hold(tn, n))
            memory.ingest(customs_hold(tn, n))
    assert all(before[column] is None for column in BYTEWISE)  # the database's, as step 1 made them
    assert SCHEMA_VERSION >= 8
    with open_store(pg_url) as store:
        assert store.schema_version == SCHEMA_VERSION
        after = _collations(store.db)
        assert {column for column, collation in after.items() if collation == "C"} == BYTEWISE
        assert _fillfactor(store.db) == ["fillfactor=70"]
        db = store.db
        with db.transaction(write=False):
            keys = [tn for (tn,) in db.execute("SELECT tracking_number FROM shipments ORDER BY 1")]
            feed = db.execute("SELECT seq, change_id FROM feed ORDER BY seq")
        assert keys == sorted(PARCELS[:3], key=lambda tn: tn.encode())  # bytes, not a locale
        assert [seq for seq, _ in feed] == [1, 2, 3]
        # The rebuilt indexes serve the unit's lookups, and the feed's ids stay unique.
        assert _uses_index(
            db,
            "SELECT version FROM shipments WHERE tracking_number = ANY(?::text[]) "
            'ORDER BY tracking_number COLLATE "C" FOR UPDATE',
            ['{"a1","Z1"}'],
            "shipments_pkey",
        )
        assert _uses_index(
            db, "SELECT seq FROM feed WHERE change_id = ANY(?::text[])", ['{"x"}'], "feed_change_id"
        )
        with pytest.raises(psycopg.errors.UniqueViolation), db.transaction(write=True):
            db.execute(
                "INSERT INTO feed (seq, change_id, type, at, incident_id, payload) "
                "SELECT 99, change_id, type, at, incident_id, payload FROM feed WHERE seq = 1"
            )
        engine = Engine(PACK, store=store)
        for n, tn in enumerate(PARCELS[3:], start=3):
            engine.ingest(customs_hold(tn, n))
            memory.ingest(customs_hold(tn, n))
        engine.advance(to=T0 + timedelta(days=6))
        memory.advance(to=T0 + timedelta(days=6))
        assert engine.dump(mask=False) == memory.dump(mask=False)
    with open_store(pg_url, cache_size=0) as store:  # every state read from its row
        assert Engine(PACK, store=store).dump(mask=False) == memory.dump(mask=False)


def test_a_new_store_has_bytewise_keys_on_postgresql(pg_url: str) -> None:
    with open_store(pg_url) as store:
        collations = _collations(store.db)
        assert _fillfactor(store.db) == ["fillfactor=70"]
    assert {column for column, collation in collations.items() if collation == "C"} == BYTEWISE
