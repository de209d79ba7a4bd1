"""PostgreSQL merges a unit's rows as binary arrays (``_pg_arrays.binary_array``) into
one ``INSERT ... SELECT unnest($1), unnest($2), ...``: every value reads back as itself
from the real server (NULLs, any text, any bytes, the integer types' edges), a merge larger
than ``MERGE_ROWS`` goes in parts, a bad value raises before anything is sent, and a
column of another type takes the row-by-row path."""

from __future__ import annotations

import struct
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logix_rules.store import open_store
from logix_rules.store._db import Insert
from logix_rules.store._pg_arrays import binary_array

TEXTS = [
    "1Z999AA10123456784",
    'with "quotes"',
    "back\\slash",
    "comma,and{braces}",
    "NULL",
    "",
    "ünïcødé ✓ 𝄞",
    "tab\tand\nnewline",
    "'single'",
]
BLOBS = [b"", b"\x00", b"\x00\xff\x00", bytes(range(256)), b"x" * 9000, b"NULL"]
BIGINTS = [0, 1, -1, 2**62 - 1, 2**63 - 1, -(2**63), 1_767_225_600_000_000]
INTEGERS = [0, 1, -1, 99, 2**31 - 1, -(2**31)]
CASES = [
    ("text", TEXTS),
    ("text", [None, "a", None]),
    ("bytea", BLOBS),
    ("bytea", [b"a", None]),
    ("bigint", BIGINTS),
    ("bigint", [None, 5, None]),
    ("integer", INTEGERS),
    ("integer", [None]),
    ("text", []),
]

# Real text has no NUL (PostgreSQL refuses it) and no lone surrogate (not UTF-8).
text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"))


def _read_back(db: Any, kind: str, values: list[Any]) -> list[Any]:
    rows = db._conn.execute(
        "SELECT v FROM unnest(%b) WITH ORDINALITY AS u (v, n) ORDER BY n",
        [binary_array(kind, values)],
    ).fetchall()
    return [bytes(v) if isinstance(v, memoryview) else v for (v,) in rows]


@pytest.mark.parametrize(("kind", "values"), CASES)
def test_each_value_reads_back_as_itself(pg_url: str, kind: str, values: list[Any]) -> None:
    with open_store(pg_url) as store, store.db.transaction(write=False):
        assert _read_back(store.db, kind, values) == values
        (typed,) = store.db._conn.execute(  # type: ignore[attr-defined]
            "SELECT pg_typeof(%b)::text", [binary_array(kind, values)]
        ).fetchone()
        assert typed == f"{kind}[]"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(st.none() | text, max_size=20),
    blobs=st.lists(st.none() | st.binary(max_size=64), max_size=20),
    bigints=st.lists(st.none() | st.integers(-(2**63), 2**63 - 1), max_size=20),
    integers=st.lists(st.none() | st.integers(-(2**31), 2**31 - 1), max_size=20),
)
def test_any_values_read_back(
    pg_url: str,
    texts: list[str | None],
    blobs: list[bytes | None],
    bigints: list[int | None],
    integers: list[int | None],
) -> None:
    with open_store(pg_url) as store, store.db.transaction(write=False):
        for kind, values in (
            ("text", texts),
            ("bytea", blobs),
            ("bigint", bigints),
            ("integer", integers),
        ):
            assert _read_back(store.db, kind, values) == values


@pytest.mark.parametrize(
    ("kind", "value", "error"),
    [
        ("bigint", 2**63, struct.error),
        ("integer", 2**31, struct.error),
        ("bigint", "12", struct.error),
        ("text", b"bytes", AttributeError),
        ("bytea", 12, TypeError),
    ],
)
def test_a_bad_value_raises_before_anything_is_sent(
    pg_url: str, kind: str, value: object, error: type[Exception]
) -> None:
    upsert = Insert("probe", (("k", "text"), ("v", kind)), "ON CONFLICT (k) DO NOTHING")
    with open_store(pg_url) as store:
        db = store.db
        with db.transaction(write=True):
            db.execute(f"CREATE TABLE probe (k TEXT PRIMARY KEY, v {kind})")
        with pytest.raises(error), db.transaction(write=True):
            db.insert(upsert, [("a", None), ("b", value)])
        with db.transaction(write=False):
            assert db.execute("SELECT count(*) FROM probe") == [(0,)]


COLUMNS = (("k", "text"), ("name", "text"), ("body", "bytea"), ("due", "bigint"), ("n", "integer"))
UPSERT = Insert(
    "probe",
    COLUMNS,
    "ON CONFLICT (k) DO UPDATE SET name = excluded.name, body = excluded.body, "
    "due = excluded.due, n = excluded.n",
)


def _rows(unit: int, count: int) -> list[tuple[Any, ...]]:
    return [
        (
            f"k{i}",
            None if i % 3 == 0 else f'name "{unit}" {i}',
            None if i % 4 == 0 else bytes([unit, i % 256]) * (i + 1),
            None if i % 5 == 0 else unit * 10**15 + i,
            unit * 1000 + i,
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("merge_rows", [7, 5_000])
def test_merges_insert_then_update_in_parts(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, merge_rows: int
) -> None:
    # Several merges of one transaction, each over the keys of the one before and
    # some new ones: every row ends as the last merge wrote it, whatever the parts.
    from logix_rules.store import _postgres

    monkeypatch.setattr(_postgres, "MERGE_ROWS", merge_rows)
    sent: list[str] = []
    with open_store(pg_url) as store:
        db = store.db
        conn = db._conn  # type: ignore[attr-defined]
        execute = conn.execute

        def spy(query: Any, *args: Any, **kwargs: Any) -> Any:
            sent.append(str(query))
            return execute(query, *args, **kwargs)

        with db.transaction(write=True):
            db.execute(
                "CREATE TABLE probe (k TEXT PRIMARY KEY, name TEXT, body BYTEA, due BIGINT, "
                "n INTEGER NOT NULL)"
            )
        monkeypatch.setattr(conn, "execute", spy)
        with db.transaction(write=True):
            for unit in range(1, 4):
                db.insert(UPSERT, _rows(unit, 20 * unit))
        monkeypatch.undo()
        with db.transaction(write=False):
            got = db.execute("SELECT k, name, body, due, n FROM probe")
    merges = [q for q in sent if q.startswith("INSERT INTO probe")]
    assert len(merges) == sum(-(-20 * unit // merge_rows) for unit in range(1, 4))
    assert all("unnest(" in q for q in merges)
    expected = {row[0]: row for row in _rows(3, 60)}
    assert {
        row[0]: (*row[:2], bytes(row[2]) if row[2] is not None else None, *row[3:]) for row in got
    } == expected


def test_a_column_of_another_type_goes_row_by_row(pg_url: str) -> None:
    upsert = Insert(
        "probe",
        (("k", "text"), ("x", "double precision")),
        "ON CONFLICT (k) DO UPDATE SET x = excluded.x",
    )
    with open_store(pg_url) as store:
        db = store.db
        with db.transaction(write=True):
            db.execute("CREATE TABLE probe (k TEXT PRIMARY KEY, x DOUBLE PRECISION)")
            db.insert(upsert, [(f"k{i}", i / 4) for i in range(40)])
            db.insert(upsert, [(f"k{i}", -i / 4) for i in range(0, 40, 2)])
        with db.transaction(write=False):
            rows: dict[str, float] = dict(db.execute("SELECT k, x FROM probe"))
    assert rows == {f"k{i}": (-i if i % 2 == 0 else i) / 4 for i in range(40)}
