"""SQLite: the embedded default, one file shared by the processes of one machine.

WAL lets readers run beside the one writer; ``busy_timeout`` makes a writer wait for
the lock instead of failing; every write transaction starts with ``BEGIN IMMEDIATE``,
so units of work are serialized whole and never deadlock. ``synchronous=NORMAL``: a
killed process loses nothing committed; a power cut may lose the last transactions
(never corrupts the file), which re-sending the input repairs.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core._errors import ErrorCode
from ._db import Database, Insert, Row
from ._errors import StoreError

__all__ = ["SQLiteDatabase"]

# Python's sqlite3 passes every parameter that is not an exact int, float, str or
# bytearray through its adapter registry, and one with no adapter there pays two failed
# attribute lookups (``__adapt__``, ``__conform__``) on top: ~0.3 µs each, and a state is
# bytes and many columns are NULL (~20 such parameters per ten events).  Identity
# adapters make both a registry hit.  ``setdefault``: an adapter the application
# registered for either type stays (it applied to these values before as well).
sqlite3.adapters.setdefault((bytes, sqlite3.PrepareProtocol), bytes)
sqlite3.adapters.setdefault((type(None), sqlite3.PrepareProtocol), {}.get)  # None -> None

#: How long a writer waits for another process's transaction, in milliseconds.
BUSY_TIMEOUT_MS = 60_000
#: The connection's page cache (KiB) and the WAL's size between two checkpoints (KiB).
PAGE_CACHE_KIB = 32_768
CHECKPOINT_KIB = 40_000
#: The page size of a file this store creates (an existing file keeps its own).
PAGE_SIZE = 8192
#: The most rows one INSERT carries (``SQLiteDatabase.insert``): 64 rows of the widest
#: statement (incidents, 14 columns) stay under the 999 parameters of SQLite before 3.32.
INSERT_ROWS = 64


class SQLiteDatabase(Database):
    dialect = "sqlite"
    epoch: int

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.epoch = 0
        self._data_version: int | None = None  # as the last write transaction began
        self._inserts: dict[tuple[Insert, int], str] = {}  # (statement, rows) -> its SQL
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise StoreError(
                ErrorCode.STORE_UNAVAILABLE,
                "sqlite",
                f"the folder {str(self.path.parent)!r} of the SQLite store does not exist",
                input=str(self.path),
                hint="create the folder first, or name a file in an existing one",
            )
        try:
            # One thread at a time, but not always the same one: a service lends a
            # store to whichever worker thread serves the request.
            self._conn = sqlite3.connect(
                str(self.path),
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
            )
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # A commit writes each page it changed to the WAL, two system calls a page
            # (frame header, page), and a unit changes most of the shipments' pages
            # (a state is 1 to 4 KB: one or two to a 4 KB page).  8 KB pages halve the
            # calls and hold a state in one page more often.  Only a new, empty file
            # takes it (before WAL, which fixes it); a larger size would make small
            # units (a webhook's one event) write more bytes per commit.
            self._conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            self._set_wal()
            self._conn.execute("PRAGMA synchronous = NORMAL")
            # A unit of work writes a few MB: a page cache that holds it, and a
            # checkpoint (the only fsync) every ~40 MB of WAL rather than every 4 MB,
            # halve the cost of a commit.
            self._conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
            ((page_size,),) = self._conn.execute("PRAGMA page_size").fetchall()
            pages = CHECKPOINT_KIB * 1024 // int(page_size)
            self._conn.execute(f"PRAGMA wal_autocheckpoint = {pages}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                ErrorCode.STORE_UNAVAILABLE,
                "sqlite",
                f"cannot open {str(self.path)!r} as a SQLite database: {exc}",
                input=str(self.path),
                hint="check the path and its permissions; it must be a SQLite file or absent",
            ) from exc

    def _set_wal(self) -> None:
        # Switching a new file to WAL needs a moment of exclusive access; processes
        # opening it together may find it taken even with the busy timeout.
        for attempt in range(50):
            try:
                self._conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.05)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._conn.execute(sql, params).fetchall()

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._conn.executemany(sql, rows)

    def insert(self, statement: Insert, rows: Sequence[Sequence[Any]]) -> None:
        """One statement run for each row (a merge), or for up to ``INSERT_ROWS`` rows
        at once in one ``VALUES`` list (a plain insert: the feed's, the actions').

        Each run costs SQLite and Python's driver ~6,000 instructions on top of its
        rows' own work (the statement's start and halt, a cursor opened and freed for
        the table and each index, the GIL let go around the step); a unit writes
        hundreds of changes to the feed.  ``INSERT OR FAIL``: a failing row ends the
        statement with the rows before it written, as ``executemany`` leaves them (the
        unit's transaction is rolled back).  With the default (``ABORT``) SQLite would
        keep a statement journal of every page such a statement changes, to undo its
        own rows, and past 64 KB spill it to a temporary file: a merge (``ON CONFLICT
        DO UPDATE``) always takes it that way, which is why merges keep one row a
        statement (written so, a unit's write calls tripled).  The rest below
        ``INSERT_ROWS`` goes in halving sizes: a statement has one of seven shapes,
        each prepared once in the connection's statement cache.
        """
        if not rows:
            return
        if "DO UPDATE" in statement.tail:
            self._conn.executemany(statement.values_sql(), rows)
            return
        conn, sqls = self._conn, self._inserts
        done, count, size = 0, len(rows), INSERT_ROWS
        while done < count:
            while count - done < size:
                size //= 2
            sql = sqls.get((statement, size))
            if sql is None:
                sql = sqls[statement, size] = statement.values_sql(size, verb="INSERT OR FAIL")
            if size == 1:
                conn.execute(sql, rows[done])
            else:
                conn.execute(sql, [value for row in rows[done : done + size] for value in row])
            done += size

    def _begin(self, write: bool) -> None:
        conn = self._conn
        if not write:
            conn.execute("BEGIN")
            return
        conn.execute("BEGIN IMMEDIATE")
        # Under the write lock: data_version differs from the previous write
        # transaction's exactly when another connection (another process, another
        # store object) committed in between.  Until one does, the rows hold what
        # this connection wrote, and a unit uses its cached states without reading
        # their versions (~2 % of an ingest's CPU).
        ((version,),) = conn.execute("PRAGMA data_version").fetchall()
        if version != self._data_version:
            self._data_version = version
            self.epoch += 1

    def _commit(self) -> None:
        try:
            self._conn.execute("COMMIT")
        except BaseException:
            self.epoch += 1  # what the cache was told of this transaction may not hold
            raise

    def _rollback(self) -> None:
        # The rows are as before the transaction, whatever a unit in it put in the cache.
        self.epoch += 1
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def close(self) -> None:
        self._conn.close()

    def _has_table(self, name: str) -> bool:
        rows = self.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        )
        return bool(rows)
