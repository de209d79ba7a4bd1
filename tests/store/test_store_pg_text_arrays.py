"""PostgreSQL receives a unit's keys as one ``text[]`` literal (``_postgres.text_array``):
every text reads back as itself, on the real server."""

from __future__ import annotations

import pytest
from store_support import PACK, hourly_scans

from logix_rules import Engine
from logix_rules.store import open_store
from logix_rules.store._postgres import text_array

AWKWARD = [
    "1Z999AA10123456784",
    'with "quotes"',
    "back\\slash",
    '\\"',
    "comma,and{braces}",
    " spaced out ",
    "NULL",
    "null",
    "",
    "ünïcødé ✓",
    "tab\tand\nnewline",
    "'single'",
]


def test_each_text_reads_back_as_itself(pg_url: str) -> None:
    with open_store(pg_url) as store, store.db.transaction(write=False):
        db = store.db
        (got,) = db.execute("SELECT ?::text[]", [text_array(AWKWARD)])[0]
        assert got == AWKWARD
        (empty,) = db.execute("SELECT ?::text[]", [text_array([])])[0]
        assert empty == []


def test_in_list_matches_exactly_the_texts_named(pg_url: str) -> None:
    with open_store(pg_url) as store, store.db.transaction(write=True):
        db = store.db
        db.execute("CREATE TEMPORARY TABLE probe (v TEXT)")
        db.executemany("INSERT INTO probe VALUES (?)", [(v,) for v in [*AWKWARD, "other", "\\"]])
        match, params = db.in_list(AWKWARD)
        assert match == "= ANY(?::text[])"
        rows = db.execute(f"SELECT v FROM probe WHERE v {match}", params)
        assert sorted(v for (v,) in rows) == sorted(AWKWARD)


@pytest.mark.parametrize("values", [[1, 2, 3], ["a", None], "abc"])
def test_a_value_that_is_not_text_goes_as_a_list(pg_url: str, values: object) -> None:
    assert text_array(values) is None  # type: ignore[arg-type]
    with open_store(pg_url) as store, store.db.transaction(write=False):
        match, params = store.db.in_list(values)  # type: ignore[arg-type]
        assert match == "= ANY(?)"
        assert params == [list(values)]  # type: ignore[call-overload]


def test_an_engine_over_postgresql_keeps_parcels_with_awkward_numbers(pg_url: str) -> None:
    # Reserving, locking and reading rows all go through the literal.
    numbers = ['QU"OTE1', "BACK\\SLASH2", "COMMA,3", "BRACE{4}"]
    events = [e for tn in numbers for e in hourly_scans(tn, range(4), held=True)]
    memory = Engine(PACK)
    expected = {c.id for c in memory.ingest(events)}
    with open_store(pg_url) as store:
        engine = Engine(PACK, store=store)
        got = {c.id for c in engine.ingest(events)}
        assert got == expected
        more = [e for tn in numbers for e in hourly_scans(tn, range(4, 6))]
        assert {c.id for c in engine.ingest(more)} == {c.id for c in memory.ingest(more)}
        assert sorted(engine.shipment_state(tn).tracking_number for tn in numbers) == sorted(
            numbers
        )
        assert [i.id for i in engine.open_incidents()] == [i.id for i in memory.open_incidents()]
