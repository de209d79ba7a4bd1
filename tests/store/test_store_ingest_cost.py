"""What a store's ingest saves work on must not change what it stores: migration 5
(PostgreSQL keeps states inline, uncompressed) upgrades a version-4 database whose
states were compressed, and they read back; the JSON written for changes that share
an incident's evidence and remedy is each change's own; on PostgreSQL the feed's rows
go by COPY, the merges by arrays (no staging table) in the write transaction's
pipeline, waited for only with a statement whose rows are read, and a unit that writes
the same tables several times, in parts, stores what memory holds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from store_support import older_store

from canonical_text import generic
from logix_rules import Engine, load_pack
from logix_rules.runtime._incidents import incident_content
from logix_rules.store import SCHEMA_VERSION, open_store

PACK = load_pack("default")
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


def _scans(tn: str, count: int, start: float = 0) -> list[dict[str, object]]:
    """A parcel's pickup, then ``count`` in-transit scans an hour apart."""
    first = (T0 + timedelta(hours=start)).isoformat()
    events: list[dict[str, object]] = [
        {"tracking_number": tn, "carrier": "dhl", "occurred_at": first,
         "status": "picked_up", "location": {"city": "Hamburg"}}
    ]  # fmt: skip
    for n in range(1, count + 1):
        moment = T0 + timedelta(hours=start + n)
        events.append(
            {"tracking_number": tn, "carrier": "dhl", "occurred_at": moment.isoformat(),
             "status": "in_transit", "location": {"facility": f"hub {n}"}}
        )  # fmt: skip
    return events


def _state_rows(store: object) -> dict[str, tuple[int, str | None]]:
    """Each parcel's state length and, on PostgreSQL, how it is compressed."""
    db = store.db  # type: ignore[attr-defined]
    with db.transaction(write=False):
        if db.dialect == "postgresql":
            rows = db.execute(
                "SELECT tracking_number, octet_length(state), pg_column_compression(state) "
                "FROM shipments"
            )
        else:
            rows = db.execute("SELECT tracking_number, length(state), NULL FROM shipments")
    return {tn: (int(size), how) for tn, size, how in rows}


def test_a_database_at_schema_version_4_upgrades_to_inline_states(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _scans("L1", 120)
    with older_store(monkeypatch, store_url, 4) as store:
        Engine(PACK, store=store).ingest(first)
        (size, how) = _state_rows(store)["L1"]
        assert size > 2100  # past PostgreSQL's threshold for compressing a row
        if store.db.dialect == "postgresql":
            assert how == "pglz"  # as version 4 stored it
    assert SCHEMA_VERSION >= 5
    second = _scans("L2", 120, start=0.5)
    memory = Engine(PACK)
    memory.ingest(first)
    memory.ingest(second)
    with open_store(store_url) as store:
        assert store.schema_version == SCHEMA_VERSION
        with store.db.transaction(write=False):
            rows = store.db.execute("SELECT version FROM schema_version ORDER BY version")
        assert [v for (v,) in rows] == list(range(1, SCHEMA_VERSION + 1))
        engine = Engine(PACK, store=store)
        engine.ingest(second)
        stored = _state_rows(store)
        if store.db.dialect == "postgresql":
            assert stored["L1"][1] == "pglz"  # not written since: still compressed
            assert stored["L2"][0] > 2100
            assert stored["L2"][1] is None  # written since: inline
        assert engine.dump(mask=False) == memory.dump(mask=False)
    with open_store(store_url, cache_size=0) as store:  # every state read from its row
        engine = Engine(PACK, store=store)
        assert engine.dump(mask=False) == memory.dump(mask=False)
        engine.ingest(_scans("L1", 121)[-1:])  # the compressed row, written again
        memory.ingest(_scans("L1", 121)[-1:])
        if store.db.dialect == "postgresql":
            assert _state_rows(store)["L1"][1] is None
        assert engine.dump(mask=False) == memory.dump(mask=False)


def test_changes_sharing_evidence_and_remedy_write_their_own_json(store_url: str) -> None:
    # A customs hold opens an incident, then escalates it: successive snapshots share
    # its evidence and remedy objects, whose JSON is written once and reused.
    hold = [
        {"tracking_number": f"C{n}", "carrier": "ups", "occurred_at": T0.isoformat(),
         "status": "exception", "reason": "customs_hold"}
        for n in range(3)
    ]  # fmt: skip
    with open_store(store_url) as store:
        engine = Engine(PACK, store=store)
        changes = engine.ingest(hold) + engine.advance(to=T0 + timedelta(days=6))
        assert len({c.incident.id for c in changes}) < len(changes)  # some incident changed twice
        with store.db.transaction(write=False):
            payloads: dict[str, str] = dict(store.db.execute("SELECT change_id, payload FROM feed"))
        for change in changes:
            expected = generic(change.incident)
            assert payloads[change.id] == expected == incident_content(change.incident)


def test_a_unit_waits_for_the_server_only_at_what_it_reads(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The feed's insert has no ON CONFLICT to merge with: its rows go straight in by
    # COPY; the merges send arrays, so no table is made to stage rows in.  A write
    # transaction's statements go in a pipeline, and the client waits (a sync) only
    # after a statement whose rows it reads: never right after a merge.
    import psycopg
    from store_support import batches, stream

    copied: list[str] = []
    copy = psycopg.Cursor.copy

    def copy_spy(self: Any, statement: Any, *args: Any, **kwargs: Any) -> Any:
        copied.append(str(statement))
        return copy(self, statement, *args, **kwargs)

    sent: list[str] = []
    execute = psycopg.Connection.execute

    def execute_spy(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(str(query))
        return execute(self, query, *args, **kwargs)

    sync = psycopg.Pipeline.sync

    def sync_spy(self: Any) -> None:
        sent.append("<sync>")
        sync(self)

    monkeypatch.setattr(psycopg.Cursor, "copy", copy_spy)
    shipments, events, at = stream(seed=5, shipments=120)
    with open_store(pg_url) as store:
        engine = Engine(PACK, store=store)
        for shipment in shipments:
            engine.upsert_shipment(shipment)
        monkeypatch.setattr(psycopg.Connection, "execute", execute_spy)
        monkeypatch.setattr(psycopg.Pipeline, "sync", sync_spy)
        changes = [c for part in batches(events, 1000) for c in engine.ingest(part)]
        changes += engine.advance(to=at)
        monkeypatch.undo()
        db = store.db
        with db.transaction(write=False):
            assert db.execute("SELECT count(*) FROM pg_class WHERE relpersistence = 't'") == [(0,)]
            rows = db.execute("SELECT seq, change_id, type, payload FROM feed ORDER BY seq")
    assert len(changes) > 2 * 32  # some inserts went by COPY
    assert copied
    assert all(statement.startswith("COPY feed ") for statement in copied)
    inserts = {q for q in sent if q.startswith("INSERT INTO") and "SELECT unnest(%b)" in q}
    assert {q.split()[2] for q in inserts} >= {"shipments", "incidents"}
    waited_after = [sent[n - 1] for n, q in enumerate(sent) if q == "<sync>"]
    assert waited_after
    assert not inserts.intersection(waited_after)
    assert sent.count("<sync>") < len(sent) / 2
    assert [(c.seq, c.id, c.type.value) for c in changes] == [r[:3] for r in rows]
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert [json.loads(r[3]) for r in rows] == [
        json.loads(incident_content(c.incident)) for c in changes
    ]


@pytest.mark.parametrize("merge_rows", [13, 5_000])
def test_a_unit_merges_into_the_same_tables_several_times(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, merge_rows: int
) -> None:
    # One advance fires its due parcels 40 at a time, writing them at each turn: the
    # same tables take merges several times in one transaction (each in parts of
    # `merge_rows`), and the store ends as memory does.
    from store_support import batches, keys, stream

    from logix_rules.runtime import _engine
    from logix_rules.store import _postgres

    monkeypatch.setattr(_postgres, "MERGE_ROWS", merge_rows)
    monkeypatch.setattr(_engine, "_DUE_BATCH", 40)
    shipments, events, at = stream(seed=11, shipments=300)
    memory = Engine(PACK)
    with open_store(pg_url) as store:
        engine = Engine(PACK, store=store)
        for shipment in shipments:
            engine.upsert_shipment(shipment)
            memory.upsert_shipment(shipment)
        for part in batches(events, 1000):
            assert keys(c.incident for c in engine.ingest(part)) == keys(
                c.incident for c in memory.ingest(part)
            )
        fired = engine.advance(to=at)
        assert len(fired) > 80  # several turns of the due loop wrote something
        assert keys(c.incident for c in fired) == keys(c.incident for c in memory.advance(to=at))
        assert keys(engine.open_incidents()) == keys(memory.open_incidents())
        assert engine.dump(mask=False) == memory.dump(mask=False)


def test_a_unit_reads_state_bytes_only_for_rows_the_cache_does_not_hold(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parcels = [f"W{n}" for n in range(5)]
    memory = Engine(PACK)
    with open_store(store_url) as store, open_store(store_url) as other:
        engine = Engine(PACK, store=store)
        for tn in parcels:
            engine.ingest(_scans(tn, 2))
            memory.ingest(_scans(tn, 2))
        read: list[str] = []
        fetch = store.db.execute_blobs

        def spy(sql: str, params: Any = ()) -> Any:
            rows = fetch(sql, params)
            read.extend(row[0] for row in rows)
            return rows

        monkeypatch.setattr(store.db, "execute_blobs", spy)
        more = [e for tn in parcels for e in _scans(tn, 4)[3:]]
        engine.ingest(more)
        memory.ingest(more)
        assert read == []  # every row's version was the cached one
        # Another store object (another process) writes W1: its version moves on.
        step = _scans("W1", 6)[5:]
        Engine(PACK, store=other).ingest(step)
        memory.ingest(step)
        last = [e for tn in parcels for e in _scans(tn, 7)[6:]]
        engine.ingest(last)
        memory.ingest(last)
        assert read == ["W1"]
        assert engine.dump(mask=False) == memory.dump(mask=False)


def test_the_sqlite_adapters_for_bytes_and_null_give_back_the_value(tmp_path: Any) -> None:
    # The store registers identity adapters for bytes and None (a registry hit is
    # cheaper than the failed lookups of an unadapted parameter); values go in as they
    # were, as a BLOB and a NULL.
    import sqlite3

    import logix_rules.store._sqlite  # noqa: F401  (registers them)

    blob = bytes(range(256))
    for value in (blob, None):
        adapter = sqlite3.adapters[(type(value), sqlite3.PrepareProtocol)]
        assert adapter(value) is value
    connection = sqlite3.connect(str(tmp_path / "probe.db"))
    connection.execute("CREATE TABLE probe (b BLOB, n INTEGER)")
    connection.execute("INSERT INTO probe VALUES (?, ?)", (blob, None))
    assert connection.execute("SELECT b, typeof(b), n, typeof(n) FROM probe").fetchall() == [
        (blob, "blob", None, "null")
    ]
    connection.close()


def test_postgres_reserves_rows_only_for_parcels_the_cache_does_not_hold(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cached parcel had a row when its state was committed: no reservation.  One whose
    # row is gone since (another process purged it) is reserved and locked after all,
    # and taken as a new parcel, as an engine over a fresh store would.
    with open_store(pg_url) as store, open_store(pg_url) as other:
        engine = Engine(PACK, store=store)
        engine.ingest([e for tn in ("R1", "R2") for e in _scans(tn, 2)])
        reserved: list[list[str]] = []
        reserve = store.db.reserve_rows

        def spy(tracking_numbers: Any) -> list[str]:
            reserved.append(list(tracking_numbers))
            return reserve(tracking_numbers)

        monkeypatch.setattr(store.db, "reserve_rows", spy)
        engine.ingest([e for tn in ("R1", "R2", "R3") for e in _scans(tn, 3)[3:]])
        assert reserved == [["R3"]]
        with other.db.transaction(write=True):
            other.db.execute("DELETE FROM shipments WHERE tracking_number = 'R2'")
        reserved.clear()
        late = _scans("R2", 5)[4:] + _scans("R1", 5)[4:]
        engine.ingest(late)
        assert reserved == [[], ["R2"]]
        fresh = Engine(PACK)
        fresh.ingest(_scans("R2", 5)[4:])
        assert engine.shipment_state("R2") == fresh.shipment_state("R2")
        with other.db.transaction(write=False):
            rows = other.db.execute(
                "SELECT tracking_number, state IS NULL FROM shipments ORDER BY tracking_number"
            )
        assert rows == [("R1", False), ("R2", False), ("R3", False)]


def test_a_new_sqlite_file_takes_8_kb_pages_and_an_older_one_keeps_its_own(
    tmp_path: Any,
) -> None:
    import sqlite3

    from logix_rules.store import _sqlite

    with open_store(f"sqlite:///{tmp_path / 'new.db'}") as store:
        Engine(PACK, store=store).ingest(_scans("P1", 3))
        assert store.db.execute("PRAGMA page_size") == [(_sqlite.PAGE_SIZE,)] == [(8192,)]
        assert store.db.execute("PRAGMA journal_mode") == [("wal",)]
        # A checkpoint every ~40 MB of WAL whatever the page size.
        assert store.db.execute("PRAGMA wal_autocheckpoint") == [(5000,)]
    # A file an older logix made, with SQLite's default 4 KB pages, in WAL mode.
    older = tmp_path / "older.db"
    connection = sqlite3.connect(str(older))
    connection.execute("PRAGMA page_size = 4096")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE probe (k TEXT)")
    connection.close()
    memory = Engine(PACK)
    memory.ingest(_scans("P1", 3))
    with open_store(f"sqlite:///{older}") as store:
        engine = Engine(PACK, store=store)
        engine.ingest(_scans("P1", 3))
        assert store.db.execute("PRAGMA page_size") == [(4096,)]
        assert store.db.execute("PRAGMA wal_autocheckpoint") == [(10000,)]
        assert engine.dump(mask=False) == memory.dump(mask=False)
