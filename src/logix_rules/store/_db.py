"""One connection to the store's database, the same for SQLite and PostgreSQL.

The SQL the store sends is plain and written once, with ``?`` placeholders; a
backend turns them into its own and adds what only it has (row locks). Every unit of
work is one transaction: ``with db.transaction(write=True): ...``.
"""

from __future__ import annotations

import abc
import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from ..core._errors import ErrorCode
from ._errors import StoreError
from ._schema import MIGRATIONS, SCHEMA_VERSION

__all__ = ["CHUNK", "Database", "Insert", "Row", "chunks", "read_clock", "wall_micros"]

Row = tuple[Any, ...]

#: How many keys one ``IN (...)`` list holds (SQLite caps a statement's parameters).
CHUNK = 500


@attrs.frozen
class Insert:
    """An ``INSERT`` of many rows: its table, its columns (with their types, for a
    backend that sends rows as typed columns) and what follows the values."""

    table: str
    columns: tuple[tuple[str, str], ...]
    tail: str = ""

    def _names(self) -> str:
        return ", ".join(name for name, _ in self.columns)

    def values_sql(self, rows: int = 1, *, verb: str = "INSERT") -> str:
        """The statement with ``rows`` rows of ``?`` in its ``VALUES`` list."""
        marks = "(" + ", ".join("?" for _ in self.columns) + ")"
        values = ", ".join([marks] * rows)
        return f"{verb} INTO {self.table} ({self._names()}) VALUES {values} {self.tail}"


def wall_micros() -> int:
    """The wall-clock time in µs since the epoch (for the ``updated`` columns)."""
    return time.time_ns() // 1000


def read_clock(db: Database) -> int | None:
    """The store's clock (``meta``'s ``clock`` row), in µs, or None before any advance."""
    rows = db.execute("SELECT value FROM meta WHERE key = 'clock'")
    return None if rows[0][0] is None else int(rows[0][0])


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Database(abc.ABC):
    """A connection with the store's transactions, dialect details and migrations."""

    dialect: str
    #: What ``SELECT ... FOR UPDATE`` becomes (empty where the whole database is locked).
    for_update: str = ""
    #: ... and its ``SKIP LOCKED`` form, which splits due work between workers.
    for_update_skip_locked: str = ""
    #: Sorts text by code point, as Python does (PostgreSQL's default follows a locale).
    collate_c: str = ""
    #: Whether a unit reserves absent rows before locking (``reserve_rows``).
    reserves_rows: bool = False

    #: Moves on at the start of a write transaction whenever another connection may
    #: have committed since the previous one began, and when a write transaction rolls
    #: back; None where the backend cannot tell.  What a unit committed in the current
    #: epoch is what its rows hold (``_cache.StateCache.trusted``).
    epoch: int | None = None

    def __init__(self) -> None:
        self._depth = 0

    # -- the backend's part ------------------------------------------------------------
    @abc.abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run one statement; the rows it returns (none for most writes)."""

    def execute_blobs(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """``execute`` of a query returning states (blobs): a backend may fetch its
        rows in a cheaper form."""
        return self.execute(sql, params)

    @abc.abstractmethod
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for each parameter row."""

    def insert(self, statement: Insert, rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows: one prepared statement run for each (SQLite; PostgreSQL
        sends a merge's columns as binary arrays to one ``unnest``, see ``_postgres``)."""
        self.executemany(statement.values_sql(), rows)

    @abc.abstractmethod
    def _begin(self, write: bool) -> None: ...

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def _rollback(self) -> None: ...

    @abc.abstractmethod
    def close(self) -> None:
        """Close the connection (idempotent)."""

    @abc.abstractmethod
    def _has_table(self, name: str) -> bool: ...

    @contextlib.contextmanager
    def _schema_lock(self) -> Iterator[None]:
        """Serialize migrations between processes (SQLite: ``BEGIN IMMEDIATE`` does)."""
        yield

    def reserve_rows(self, tracking_numbers: Sequence[str]) -> list[str]:
        """Make sure each shipment has a row to lock, in this (sorted) order; return
        those created.  SQLite needs none: its write lock covers the whole file."""
        return []

    def retryable(self, error: BaseException) -> bool:
        """Whether ``error`` ended a transaction that may simply be run again (a
        deadlock, a serialization failure).  SQLite has none: its writers queue on the
        file's lock (``busy_timeout``)."""
        return False

    def in_list(self, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``IN (...)`` for ``values`` (SQLite); PostgreSQL overrides with ``= ANY``."""
        return f"IN ({', '.join('?' * len(values))})", list(values)

    # -- transactions ------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, *, write: bool) -> Iterator[None]:
        """One transaction: committed when the block ends, rolled back if it raises.

        Nested blocks join the outer transaction.  A write transaction takes the
        database's write lock at once on SQLite (``BEGIN IMMEDIATE``), so two writers
        never both read and then fail to upgrade.
        """
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._begin(write)
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            with contextlib.suppress(Exception):
                self._rollback()
            raise
        self._depth = 0
        self._commit()

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    # -- schema ------------------------------------------------------------------------
    def schema_version(self) -> int:
        """The number of the last migration this database has had (0: empty)."""
        if not self._has_table("schema_version"):
            return 0
        rows = self.execute("SELECT MAX(version) FROM schema_version")
        return int(rows[0][0] or 0)

    def migrate(self) -> int:
        """Apply the missing migrations; return the schema version.  Idempotent and
        safe when several processes open one empty database at once."""
        with self.transaction(write=False):
            current = self.schema_version()
        if current == SCHEMA_VERSION:
            return current
        self._refuse_newer(current)
        with self._schema_lock(), self.transaction(write=True):
            current = self.schema_version()  # another process may have done it meanwhile
            self._refuse_newer(current)
            self.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                "applied_at BIGINT NOT NULL)"
            )
            for migration in MIGRATIONS:
                if migration.version <= current:
                    continue
                for statement in migration.sql(self.dialect):
                    self.execute(statement)
                self.execute(
                    "INSERT INTO schema_version (version, description, applied_at) "
                    "VALUES (?, ?, ?)",
                    (migration.version, migration.description, wall_micros()),
                )
                current = migration.version
        return current

    def _refuse_newer(self, current: int) -> None:
        if current > SCHEMA_VERSION:
            raise StoreError(
                ErrorCode.SCHEMA_TOO_NEW,
                "schema",
                f"the database has schema version {current}; this logix knows versions up "
                f"to {SCHEMA_VERSION}",
                input=current,
                hint="upgrade logix (a newer version wrote to this database); never let an "
                "older one write to it",
            )
