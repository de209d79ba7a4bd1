"""Migration 6: on SQLite the feed's ``seq`` becomes the table's rowid (the table is
rebuilt).  A version-5 database with a feed upgrades with the same rows, indexes and
constraints, consumers keep their place, new changes continue the seqs; processes
opening one version-5 database at once rebuild it exactly once."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from store_support import all_changes, customs_hold, fold, keys, older_store

from logix_rules import Engine, load_pack
from logix_rules.store import SCHEMA_VERSION, ChangeFeed, open_store

PACK = load_pack("default")
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
COLUMNS = "seq, change_id, type, at, incident_id, payload"


def _version_5(url: str, parcels: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A database as the logix that knew migrations 1 to 5 left it, with a feed."""
    with older_store(monkeypatch, url, 5) as store:
        engine = Engine(PACK, store=store)
        for n, tn in enumerate(parcels):
            engine.ingest(customs_hold(tn, n))
        if store.db.dialect == "sqlite":
            with store.db.transaction(write=False):
                pk = store.db.execute("SELECT type FROM pragma_table_info('feed') WHERE pk")
            assert pk == [("BIGINT",)]  # seq beside the rowid, as step 1 made it


def _feed(url: str) -> list[tuple[object, ...]]:
    with open_store(url) as store, store.db.transaction(write=False):
        return [tuple(r) for r in store.db.execute(f"SELECT {COLUMNS} FROM feed ORDER BY seq")]


def test_a_version_5_feed_upgrades_with_its_rows_and_constraints(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _version_5(store_url, ["H1", "H2", "H3"], monkeypatch)
    before = _feed(store_url)
    assert [row[0] for row in before] == [1, 2, 3]
    with open_store(store_url) as store:
        feed = ChangeFeed(store, consumer="oms")
        assert len(feed.poll(limit=2)) == 2
        feed.commit()
    assert SCHEMA_VERSION >= 6
    with open_store(store_url) as store:
        assert store.schema_version == SCHEMA_VERSION
        db = store.db
        with db.transaction(write=False):
            versions = [v for (v,) in db.execute("SELECT version FROM schema_version ORDER BY 1")]
        assert versions == list(range(1, SCHEMA_VERSION + 1))
        assert _feed(store_url) == before
        if db.dialect == "sqlite":
            with db.transaction(write=False):
                pk = db.execute("SELECT type FROM pragma_table_info('feed') WHERE pk")
                assert pk == [("INTEGER",)]
                assert db.execute("SELECT count(*) FROM feed WHERE rowid <> seq") == [(0,)]
                indexes = db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'feed' "
                    "ORDER BY name"
                )
                plan = db.execute(
                    "EXPLAIN QUERY PLAN SELECT change_id, seq FROM feed WHERE change_id = 'x'"
                )
            assert [name for (name,) in indexes] == ["feed_incident", "sqlite_autoindex_feed_1"]
            assert "COVERING INDEX sqlite_autoindex_feed_1" in str(plan)
            with pytest.raises(sqlite3.IntegrityError), db.transaction(write=True):
                # change_id is still unique, and no column takes a NULL it did not
                db.execute(
                    f"INSERT INTO feed ({COLUMNS}) SELECT 99, change_id, type, at, "
                    "incident_id, payload FROM feed WHERE seq = 1"
                )
            with pytest.raises(sqlite3.IntegrityError), db.transaction(write=True):
                db.execute(f"INSERT INTO feed ({COLUMNS}) VALUES (99, 'c', 't', 0, 'i', NULL)")
        # The consumer is where it was; the feed continues from its head.
        feed = ChangeFeed(store, consumer="oms")
        assert feed.committed == 2
        changes = Engine(PACK, store=store).ingest(customs_hold("H4", 4))
        assert [c.seq for c in changes] == [4]
        assert [c.seq for c in feed.poll()] == [3, 4]
    memory = Engine(PACK)
    for tn, hours in (("H1", 0), ("H2", 1), ("H3", 2), ("H4", 4)):
        memory.ingest(customs_hold(tn, hours))
    with open_store(store_url) as store:
        assert keys(fold(all_changes(store)).values()) == keys(memory.open_incidents())


def _open_and_ingest(url: str, tn: str, start: multiprocessing.synchronize.Event) -> None:
    start.wait()
    with open_store(url) as store:
        Engine(PACK, store=store).ingest(customs_hold(tn, 10))


def test_concurrent_openers_of_a_version_5_database_rebuild_the_feed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    _version_5(url, [f"P{n}" for n in range(20)], monkeypatch)
    before = _feed(url)
    context = multiprocessing.get_context("fork")
    start = context.Event()
    workers = [
        context.Process(target=_open_and_ingest, args=(url, f"Q{n}", start)) for n in range(6)
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0] * 6
    after = _feed(url)
    assert after[:20] == before
    assert [row[0] for row in after] == list(range(1, 27))
    with open_store(url) as store, store.db.transaction(write=False):
        versions = [v for (v,) in store.db.execute("SELECT version FROM schema_version")]
        assert sorted(versions) == list(range(1, SCHEMA_VERSION + 1))
        assert store.db.execute("SELECT value FROM meta WHERE key = 'feed_seq'") == [(26,)]
        parcels = store.db.execute("SELECT tracking_number FROM incidents ORDER BY 1")
    expected = sorted([f"P{n}" for n in range(20)] + [f"Q{n}" for n in range(6)])
    assert [tn for (tn,) in parcels] == expected
