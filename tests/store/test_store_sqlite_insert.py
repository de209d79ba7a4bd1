"""SQLite writes a plain insert's rows (the feed's, the actions') up to ``INSERT_ROWS``
to a statement (``SQLiteDatabase.insert``): the same rows as one statement run for
each, in order, ``ON CONFLICT DO NOTHING`` meeting the earlier rows of the same call.
A merge (``DO UPDATE``) keeps one statement run a row: as one statement of many rows
SQLite would journal every page it changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from logix_rules.store import open_store
from logix_rules.store._db import Insert
from logix_rules.store._sqlite import INSERT_ROWS, SQLiteDatabase

PAIRS = (("k", "text"), ("v", "bigint"))
PLAIN = Insert("kv", PAIRS)
KEEP_FIRST = Insert("kv", PAIRS, "ON CONFLICT (k) DO NOTHING")
MERGE = Insert("kv", PAIRS, "ON CONFLICT (k) DO UPDATE SET v = excluded.v")


def _db(tmp_path: Path) -> SQLiteDatabase:
    store = open_store(f"sqlite:///{tmp_path / 'insert.db'}")
    db = store.db
    assert isinstance(db, SQLiteDatabase)
    db.execute("CREATE TABLE kv (k TEXT PRIMARY KEY, v BIGINT NOT NULL)")
    return db


def _inserts(db: SQLiteDatabase, statement: Insert, rows: list[tuple[str, int]]) -> int:
    """Insert ``rows`` in a transaction; how many statements ran."""
    seen: list[str] = []
    db._conn.set_trace_callback(seen.append)
    with db.transaction(write=True):
        db.insert(statement, rows)
    db._conn.set_trace_callback(None)
    return sum(" INTO kv " in sql for sql in seen)


@pytest.mark.parametrize("count", [0, 1, 2, 37, INSERT_ROWS - 1, INSERT_ROWS, INSERT_ROWS + 1, 300])
def test_every_row_is_written_in_a_few_statements(tmp_path: Path, count: int) -> None:
    db = _db(tmp_path)
    rows = [(f"k{i:04d}", i * 7) for i in range(count)]
    ran = _inserts(db, PLAIN, rows)
    assert db.execute("SELECT k, v FROM kv ORDER BY k") == rows
    # Full statements, then the rest in halving sizes (one statement per bit of it);
    # one statement per row would be `count` of them.
    assert ran == count // INSERT_ROWS + bin(count % INSERT_ROWS).count("1")


def test_a_key_twice_in_one_call_ends_as_its_first_row_or_its_last(tmp_path: Path) -> None:
    db = _db(tmp_path)
    keys = [f"k{i % 50}" for i in range(INSERT_ROWS * 2 + 11)]  # each key 2 to 3 times
    rows = [(k, i) for i, k in enumerate(keys)]
    _inserts(db, KEEP_FIRST, rows)
    first: dict[str, int] = {}
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    assert dict(db.execute("SELECT k, v FROM kv")) == first
    with db.transaction(write=True):
        db.execute("DELETE FROM kv")
    assert _inserts(db, MERGE, rows) == len(rows)  # a merge: one run a row
    assert dict(db.execute("SELECT k, v FROM kv")) == {k: i for i, k in enumerate(keys)}


@pytest.mark.parametrize("bad", [("k3", 0), ("k70", None)])
def test_a_row_that_breaks_a_constraint_fails_the_call_and_its_transaction(
    tmp_path: Path, bad: tuple[str, int | None]
) -> None:
    db = _db(tmp_path)
    rows: list[tuple[str, int | None]] = [(f"k{i}", i) for i in range(INSERT_ROWS + 5)]
    with pytest.raises(Exception, match="constraint failed"), db.transaction(write=True):
        db.insert(PLAIN, [*rows, bad])
    assert db.execute("SELECT COUNT(*) FROM kv") == [(0,)]
