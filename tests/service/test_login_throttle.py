"""The desk's login throttle counts failures in the store, so every service process
over one store shares the count (docs/security.md).  Each test opens the store twice,
as two processes would: two connections that share nothing but the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from service_support import fresh_database, postgres_server

from logix_rules.service._desk_throttle import LoginThrottle
from logix_rules.store import open_store


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    yield from postgres_server()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'desk.db'}"
    else:
        yield from fresh_database(request.getfixturevalue("pg_server"))


def test_two_processes_share_the_count_and_it_leaves_with_the_window(store_url: str) -> None:
    now = [1_000.0]
    throttle = LoginThrottle(name_limit=3, address_limit=5, window_s=60, clock=lambda: now[0])
    with open_store(store_url) as one, open_store(store_url) as two:
        # Failures alternate between the processes; each sees them all.
        for second, store in ((0, one), (10, two), (20, one)):
            now[0] = 1_000.0 + second
            assert throttle.wait_s(store.db, name="ana", address="10.0.0.1") == 0
            throttle.failed(store.db, name="ana", address="10.0.0.1")
        assert throttle.wait_s(two.db, name="ana", address="10.0.0.9") == 40
        assert throttle.wait_s(one.db, name="bo", address="10.0.0.1") == 0  # 3 of 5
        for _ in range(2):
            throttle.failed(two.db, name="cy", address="10.0.0.1")
        # any key throttled is enough: the address now has its 5
        assert throttle.wait_s(one.db, name="bo", address="10.0.0.1") == 40
        now[0] = 1_060.5
        assert throttle.wait_s(one.db, name="ana", address="10.0.0.9") == 0  # the first left
        throttle.failed(one.db, name="ana", address="10.0.0.9")
        assert throttle.wait_s(two.db, name="ana", address="10.0.0.9") > 0
        throttle.succeeded(two.db, name="ana")
        assert throttle.wait_s(one.db, name="ana", address="10.0.0.9") == 0


def test_a_right_password_clears_the_names_failures_not_the_addresss(store_url: str) -> None:
    throttle = LoginThrottle(name_limit=2, address_limit=2, window_s=60, clock=lambda: 7_000.0)
    with open_store(store_url) as store:
        for _ in range(2):
            throttle.failed(store.db, name="ana", address="10.0.0.4")
        assert throttle.wait_s(store.db, name="ana", address="10.0.0.5") == 60
        assert throttle.wait_s(store.db, name="bo", address="10.0.0.4") == 60
        throttle.succeeded(store.db, name="ana")
        assert throttle.wait_s(store.db, name="ana", address="10.0.0.5") == 0
        assert throttle.wait_s(store.db, name="bo", address="10.0.0.4") == 60


def test_failures_outside_the_window_are_deleted(store_url: str) -> None:
    now = [5_000.0]
    throttle = LoginThrottle(window_s=60, clock=lambda: now[0])
    with open_store(store_url) as store:
        for n in range(4):
            throttle.failed(store.db, name=f"u{n}", address="10.0.0.2")
        now[0] += 61
        throttle.failed(store.db, name="late", address="10.0.0.3")
        with store.db.transaction(write=False):
            rows = store.db.execute("SELECT key FROM login_failures ORDER BY key")
        assert [key for (key,) in rows] == ["address:10.0.0.3", "name:late"]
