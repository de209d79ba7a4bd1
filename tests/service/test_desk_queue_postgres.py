"""The desk's queue reads the same on PostgreSQL as on SQLite: its filters (the owner
is read from the JSON snapshot, which each database spells its own way), its order
and its pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from desk_seed import USER, seed_store
from service_support import fresh_database, postgres_server

from logix_rules import Engine
from logix_rules.service._desk_queue import QueueFilters, filter_choices, read_queue
from logix_rules.store import Store

FILTERS = [
    QueueFilters(),
    QueueFilters(page=2),
    QueueFilters(severity="P1"),
    QueueFilters(owner=USER),
    QueueFilters(lane="CN-US", overdue=True),
    QueueFilters(kind="customs_hold", carrier="china-post"),
    QueueFilters(carrier="no-such-carrier"),
]


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    yield from postgres_server()


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    yield from fresh_database(pg_server)


def followed_up(store: Store, now: datetime) -> Store:
    """The same follow-ups on each store: two incidents acknowledged, one resolved."""
    engine = Engine("default", store=store)
    first, second, third = engine.open_incidents(severity="P1")[:3]
    engine.acknowledge(first.id, by=USER, at=now)
    engine.acknowledge(second.id, by=USER, at=now)
    engine.resolve(third.id, by=USER, at=now, note="done")
    return store


def test_the_queue_reads_alike_on_both_databases(pg_url: str, tmp_path: Path) -> None:
    sqlite, now = seed_store(tmp_path / "desk.db")
    postgres, _ = seed_store(pg_url)
    try:
        followed_up(sqlite, now)
        followed_up(postgres, now)
        for filters in FILTERS:
            here = read_queue(sqlite, filters, now)
            there = read_queue(postgres, filters, now)
            assert [r.incident.id for r in there.rows] == [r.incident.id for r in here.rows]
            assert (there.total, there.pages) == (here.total, here.pages)
        assert filter_choices(postgres) == filter_choices(sqlite)
        assert filter_choices(postgres)["owner"] == [USER]
        mine = read_queue(postgres, QueueFilters(owner=USER), now)
        assert mine.total == 2
        assert {r.deadline_name for r in mine.rows} == {"resolve"}
    finally:
        sqlite.close()
        postgres.close()
