"""PostgreSQL: one database shared by several workers, through psycopg 3.

Workers lock the shipment rows they change (``SELECT ... FOR UPDATE``, in tracking
number order so two workers never wait on each other in a circle) and split due-time
work with ``FOR UPDATE SKIP LOCKED``. Migrations run under an advisory lock.

A write transaction runs in libpq's pipeline mode: the statements whose results the
store does not read (``BEGIN``, the merges, ``executemany``, ``COMMIT``) are sent
without waiting for the server, and go with the next statement whose rows are read
(``execute``) or the feed's ``COPY``, which wait for all of them: an error of a merge
is raised there, or by the commit, and the transaction is rolled back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..core._errors import ErrorCode
from ._db import Database, Insert, Row
from ._errors import StoreError
from ._pg_arrays import ARRAY_TYPES, binary_array, register_array_dumpers
from ._urls import mask_password

if TYPE_CHECKING:  # psycopg is optional: imported when a store connects
    from psycopg import Pipeline

__all__ = ["PostgresDatabase"]

#: The advisory lock that serializes migrations (any constant; "logix" in ASCII).
SCHEMA_LOCK = 0x6C6F676978
#: From this many rows on, a plain insert (no ``ON CONFLICT``: the feed) goes by binary
#: ``COPY``; fewer, and every merge, go as one ``INSERT ... SELECT unnest(...), ...``.
COPY_FROM = 32
#: The most rows one merge statement sends (its arrays are one message of ~2 KB a row).
MERGE_ROWS = 5_000
#: The SQLSTATEs of a transaction the server ended so that it may be run again:
#: deadlock_detected, serialization_failure.
RETRYABLE = frozenset({"40P01", "40001"})


def text_array(values: Sequence[Any]) -> str | None:
    """``values`` as the text of a PostgreSQL ``text[]`` literal, or None if one is not
    a ``str``.

    A unit sends its keys (tracking numbers, change ids) as one array of up to ``CHUNK``
    values per query.  Passed as a Python list, psycopg adapts each element in Python:
    1.3 ms of client CPU for 500 tracking numbers, against ~0.03 ms for this string.
    Every element is double-quoted, so any text (commas, braces, spaces, the word NULL)
    reads back as itself; only ``\\`` and ``"`` need a backslash inside the quotes.
    """
    if isinstance(values, str):
        return None
    try:
        joined = '","'.join(values)
    except TypeError:
        return None
    if not values:
        return "{}"
    # The separators hold 2 * (n - 1) quotes: any more are the values' own.
    if "\\" in joined or joined.count('"') != 2 * len(values) - 2:
        joined = '","'.join(v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return '{"' + joined + '"}'


class PostgresDatabase(Database):
    dialect = "postgresql"
    for_update = " FOR UPDATE"
    for_update_skip_locked = " FOR UPDATE SKIP LOCKED"
    collate_c = ' COLLATE "C"'
    reserves_rows = True

    def __init__(self, dsn: str, *, connect_timeout: int = 10) -> None:
        super().__init__()
        try:
            import psycopg
        except ImportError as exc:
            raise StoreError(
                ErrorCode.STORE_UNAVAILABLE,
                "postgresql",
                "the PostgreSQL driver psycopg is not installed",
                input=mask_password(dsn),
                hint="pip install 'logix[postgres]'",
            ) from exc
        self._errors = psycopg.Error
        try:
            self._conn = psycopg.connect(dsn, autocommit=True, connect_timeout=connect_timeout)
        except psycopg.Error as exc:
            raise StoreError(
                ErrorCode.STORE_UNAVAILABLE,
                "postgresql",
                f"cannot connect to {mask_password(dsn)}: {str(exc).strip()}",
                input=mask_password(dsn),
                hint="check that the server runs, the database exists and the user may log in",
            ) from exc
        # Binary COPY finds each column's dumper by type; for bytea psycopg's default
        # is its DB-API wrapper's, a Python subclass that checks every state for the
        # `Binary` wrapper (a Python call per shipment row).  The plain bytes dumper
        # (compiled in psycopg's binary package) is the same bytes on the wire.  Only
        # the lookup by type changes: parameters keep the dumpers of their classes.
        from psycopg.types.string import BytesBinaryDumper

        self._conn.adapters.register_dumper(None, BytesBinaryDumper)
        register_array_dumpers(self._conn.adapters)
        # The write transaction's pipeline (see the module's docstring), None outside one.
        self._pipeline: Pipeline | None = None
        self._pipelines = contextlib.ExitStack()

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = self._conn.execute(self._sql(sql), params)
        if self._pipeline is not None:
            # Its rows, and the outcome of every statement sent before it.
            self._pipeline.sync()
        return cursor.fetchall() if cursor.description is not None else []

    def execute_blobs(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        # In binary: as text, the server writes each state as hex (a twentieth of its
        # work in an ingest) and the client reads the hex back.
        cursor = self._conn.execute(self._sql(sql), params, binary=True)
        if self._pipeline is not None:
            self._pipeline.sync()
        return cursor.fetchall()

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self._conn.cursor() as cursor:
                cursor.executemany(self._sql(sql), rows)

    def insert(self, statement: Insert, rows: Sequence[Sequence[Any]]) -> None:
        # A unit writes about a thousand rows per table: sent one statement each, the
        # client's per-row work and the server's per-statement work cost more than the
        # database's.  A merge sends its rows' columns as arrays (packed in binary,
        # _pg_arrays) to one INSERT ... SELECT unnest($1), unnest($2), ... with the
        # statement's ON CONFLICT.  The arrays are unnested in the select list, in
        # step, row by row: `SELECT * FROM unnest($1, ...)` (until the thirteenth
        # session) first copied every row into a tuplestore, a tenth of the server's
        # work in a merge.  Until the twelfth session the rows went by binary COPY into
        # temporary tables merged from there (and each commit truncated those tables).
        if not rows:
            return
        columns = statement.columns
        if any(kind not in ARRAY_TYPES for _, kind in columns):
            super().insert(statement, rows)
            return
        names = ", ".join(name for name, _ in columns)
        if not statement.tail and len(rows) >= COPY_FROM:
            # A plain insert (the feed): binary COPY straight into its table is the
            # server's cheapest way in (rows written a page at a time), and psycopg
            # formats the rows in C: as arrays the server's work was the same, the
            # client's 1.5 % more (the feed's JSON packed in Python).
            self._copy(statement.table, names, columns, rows)
            return
        unnest = ", ".join("unnest(%b)" for _ in columns)
        sql = f"INSERT INTO {statement.table} ({names}) SELECT {unnest} {statement.tail}"
        execute = self._conn.execute
        for start in range(0, len(rows), MERGE_ROWS):
            part = rows[start : start + MERGE_ROWS]
            execute(
                sql,
                [
                    binary_array(kind, values)
                    for (_, kind), values in zip(columns, zip(*part, strict=True), strict=True)
                ],
            )

    def _copy(
        self,
        table: str,
        names: str,
        columns: Sequence[tuple[str, str]],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """Binary ``COPY`` of ``rows`` into ``table``."""
        # A pipeline may not hold a COPY: the write transaction's is left (waiting for
        # what it sent, which a unit's feed insert has just done anyway: its seqs were
        # read) and entered again after.
        pipelined = self._pipeline is not None
        self._end_pipeline()
        with (
            self._conn.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types([kind for _, kind in columns])
            for row in rows:
                copy.write_row(row)
        if pipelined:
            self._pipeline = self._pipelines.enter_context(self._conn.pipeline())

    def reserve_rows(self, tracking_numbers: Sequence[str]) -> list[str]:
        # An absent shipment has no row to lock, so two workers could both create it.
        # An empty row is inserted first (in the sorted order every worker uses, so
        # none waits on another in a circle); the state written later fills it in.
        if not tracking_numbers:
            return []
        text = text_array(tracking_numbers)
        rows = self.execute(
            "INSERT INTO shipments (tracking_number, carrier, version, updated) "
            "SELECT t, '', 0, 0 FROM unnest(?::text[]) AS t ORDER BY t COLLATE \"C\" "
            "ON CONFLICT (tracking_number) DO NOTHING RETURNING tracking_number",
            (list(tracking_numbers) if text is None else text,),
        )
        return [tn for (tn,) in rows]

    def retryable(self, error: BaseException) -> bool:
        return isinstance(error, self._errors) and error.sqlstate in RETRYABLE

    def in_list(self, values: Sequence[Any]) -> tuple[str, list[Any]]:
        text = text_array(values)
        if text is None:
            return "= ANY(?)", [list(values)]
        return "= ANY(?::text[])", [text]

    def _begin(self, write: bool) -> None:
        # A write transaction's statements go in a pipeline: an ingest unit's ~14 round
        # trips are ~10 (the six statements it reads, and the feed's COPY, wait).
        if write:
            self._pipeline = self._pipelines.enter_context(self._conn.pipeline())
        self._conn.execute("BEGIN")

    def _end_pipeline(self) -> None:
        """Leave the pipeline: wait for the statements sent, raise the first error."""
        if self._pipeline is not None:
            self._pipeline = None
            self._pipelines.close()

    def _commit(self) -> None:
        try:
            # The COMMIT itself raises when the failure of a statement sent before it
            # has already arrived (psycopg reads what the server sent while it sends),
            # else leaving the pipeline does.
            self._conn.execute("COMMIT")
            self._end_pipeline()
        except BaseException:
            # The server skipped the rest of the pipeline, the COMMIT too, and the
            # transaction waits for its ROLLBACK: what a failed unit's rollback does,
            # whatever leaving the pipeline still raises (the skipped statements'
            # PipelineAborted).  The first error is the one raised, and the connection
            # works as before.
            with contextlib.suppress(Exception):
                self._rollback()
            raise

    def _rollback(self) -> None:
        try:
            self._end_pipeline()
        finally:
            self._conn.execute("ROLLBACK")

    def close(self) -> None:
        self._conn.close()

    def _has_table(self, name: str) -> bool:
        rows = self.execute("SELECT to_regclass(?)", (name,))
        return rows[0][0] is not None

    @contextlib.contextmanager
    def _schema_lock(self) -> Iterator[None]:
        # A session lock taken before the transaction starts: a transaction begun
        # before another process committed the tables would not see them in its
        # catalog cache, and would try to create them again.
        self.execute("SELECT pg_advisory_lock(?)", (SCHEMA_LOCK,))
        try:
            yield
        finally:
            self.execute("SELECT pg_advisory_unlock(?)", (SCHEMA_LOCK,))
