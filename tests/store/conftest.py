"""Fixtures of the store tests: a real PostgreSQL (never a mock) and a fresh database
per test, and ``store_url`` over both backends.

PostgreSQL comes from ``LOGIX_TEST_POSTGRES_DSN`` (``.ci/run`` sets it), else from a
throwaway cluster started here when the PostgreSQL binaries are installed.  Without
either the PostgreSQL tests skip and say why, except under CI (``CI`` set), where
they fail: CI must test the real thing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from pg_cluster import Cluster, find_binaries


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A DSN of the server's maintenance database (``postgres``)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[postgres]')")
    given = os.environ.get("LOGIX_TEST_POSTGRES_DSN")
    if given:
        yield given
        return
    binaries = find_binaries()
    if binaries is None:
        _unavailable(
            "no PostgreSQL: set LOGIX_TEST_POSTGRES_DSN or install the server (initdb, pg_ctl)"
        )
    assert binaries is not None
    cluster = Cluster(binaries)
    try:
        cluster.start()
    except (RuntimeError, OSError) as exc:
        cluster.stop()
        _unavailable(f"could not start a throwaway PostgreSQL: {exc}")
    try:
        yield cluster.dsn()
    finally:
        cluster.stop()


def with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped after it."""
    import psycopg

    name = f"logix_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(pg_server, name)
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh store on each backend in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("pg_url"))
