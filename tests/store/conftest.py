"""Fixtures of the store tests: a real PostgreSQL (never a mock) and a fresh database
per test, and ``store_url`` over both backends.

PostgreSQL comes from ``LOGIX_TEST_POSTGRES_DSN`` (``.ci/run`` sets it), else from a
throwaway cluster started here when the PostgreSQL binaries are installed.  Without
either the PostgreSQL tests skip and say why, except under CI (``CI`` set), where
they fail: CI must test the real thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_cluster import fresh_database, postgres_server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A DSN of the server's maintenance database (``postgres``)."""
    yield from postgres_server()


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped after it."""
    yield from fresh_database(pg_server)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh store on each backend in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("pg_url"))
