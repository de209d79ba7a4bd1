"""``Store``: a database that keeps an engine's state, its incidents and its change
feed; ``SQLiteStore`` and ``PostgresStore`` are its two backends.

A store object holds one connection and is used by one thread at a time; several
processes (or threads, each with its own store object) may share one database.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType

from ..compiler._load import load_pack
from ..compiler._model import Pack
from ..runtime._actions import Action
from ..runtime._incidents import Incident
from ..runtime._kernel import Kernel
from ._cache import DEFAULT_CACHE_SIZE, StateCache
from ._codec import incident_from_dict, micros, moment
from ._db import Database
from ._facts import (
    IncidentRecord,
    ShipmentFacts,
    backfill_facts,
    read_actions,
    read_facts,
    read_incidents,
)
from ._feed import feed_head
from ._postgres import PostgresDatabase
from ._retention import purge_parcels
from ._sql_host import SqlHost
from ._sqlite import SQLiteDatabase
from ._statements import live_incident_filter
from ._urls import mask_password

__all__ = ["PostgresStore", "SQLiteStore", "Store"]

#: The states an incident can be in, in the ``incidents`` table.
LIVE = ("open", "acknowledged")


class Store:
    """The part of a store that does not depend on the database kind."""

    backend: str = ""

    def __init__(self, db: Database, *, url: str, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        self.db = db
        self.url = url
        self.cache = StateCache(cache_size)
        self.pack: Pack | None = None  # the pack of the engine last attached
        try:
            self.schema_version = db.migrate()
        except BaseException:
            db.close()
            raise

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {mask_password(self.url)}>"

    # -- life cycle --------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection; the store object cannot be used after."""
        self.cache.clear()
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def attach(self, kernel: Kernel) -> SqlHost:
        """The host an ``Engine`` keeps its states in (``Engine(pack, store=self)``)."""
        self.pack = kernel.pack
        return SqlHost(self.db, self.cache, kernel)

    # -- reading -----------------------------------------------------------------------
    def clock(self) -> datetime | None:
        """The latest instant an engine advanced this store to, or None."""
        with self.db.transaction(write=False):
            rows = self.db.execute("SELECT value FROM meta WHERE key = 'clock'")
        return None if rows[0][0] is None else moment(int(rows[0][0]))

    def feed_head(self) -> int:
        """The seq of the latest change recorded (0 when none is)."""
        with self.db.transaction(write=False):
            return feed_head(self.db)

    def shipment_count(self) -> int:
        with self.db.transaction(write=False):
            rows = self.db.execute("SELECT COUNT(*) FROM shipments WHERE state IS NOT NULL")
        return int(rows[0][0])

    def incident(self, incident_id: str) -> Incident | None:
        """One incident by id, in whatever state (closed ones included), or None."""
        with self.db.transaction(write=False):
            rows = self.db.execute("SELECT snapshot FROM incidents WHERE id = ?", (incident_id,))
        return incident_from_dict(json.loads(rows[0][0])) if rows else None

    def open_incidents(
        self,
        *,
        severity: str | None = None,
        kind: str | None = None,
        carrier: str | None = None,
        tracking_number: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Incident]:
        """Open and acknowledged incidents, most severe first, then oldest first, as
        the last write left them; each filter narrows through an index."""
        where, params = live_incident_filter(
            severity=severity, kind=kind, carrier=carrier, tracking_number=tracking_number
        )
        collate = self.db.collate_c
        sql = (
            f"SELECT snapshot FROM incidents WHERE {where} "
            f"ORDER BY rank, opened_at, tracking_number{collate}, kind{collate}"
        )
        if limit is not None:
            if limit < 0:
                raise ValueError(f"limit must be 0 or more, got {limit}")
            sql += " LIMIT ?"
            params.append(limit)
        if offset:
            if limit is None:
                sql += " LIMIT -1" if self.db.dialect == "sqlite" else " LIMIT ALL"
            sql += " OFFSET ?"
            params.append(offset)
        with self.db.transaction(write=False):
            rows = self.db.execute(sql, params)
        return [incident_from_dict(json.loads(snapshot)) for (snapshot,) in rows]

    def actions(self, incident_id: str) -> list[Action]:
        """The follow-up log of one incident, oldest first."""
        with self.db.transaction(write=False):
            rows = self.db.execute(
                "SELECT what, by_name, at, note, cause FROM actions WHERE incident_id = ? "
                "ORDER BY n",
                (incident_id,),
            )
        return [
            Action(incident_id, what, by, moment(int(at)), note, cause)
            for what, by, at, note, cause in rows
        ]

    # -- what reports read (logix_rules.review) --------------------------------------------
    def shipment_facts(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        tracking_numbers: Sequence[str] = (),
    ) -> list[ShipmentFacts]:
        """Parcels shipped, promised or delivered in ``[since, until)`` (all when
        both are None), and those named, in tracking-number order."""
        with self.db.transaction(write=False):
            return read_facts(self.db, since=since, until=until, tracking_numbers=tracking_numbers)

    def incident_records(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        tracking_numbers: Sequence[str] = (),
    ) -> list[IncidentRecord]:
        """Incidents opened in ``[since, until)`` (all when both are None) and every
        incident of the parcels named, in any state, with their rows' lane, state and
        closing time; oldest first."""
        with self.db.transaction(write=False):
            return read_incidents(
                self.db, since=since, until=until, tracking_numbers=tracking_numbers
            )

    def backfill_facts(self, pack: Pack | None = None) -> int:
        """Write the shipment facts of the parcels that have none (those last written
        before migration 3); return how many.  Run once after upgrading; ``pack``
        defaults to the attached engine's, else ``default``."""
        return backfill_facts(self.db, Kernel(pack or self.pack or load_pack("default")))

    def actions_of(self, incident_ids: Sequence[str]) -> dict[str, list[Action]]:
        """The follow-up logs of many incidents at once (absent: none recorded)."""
        with self.db.transaction(write=False):
            return read_actions(self.db, incident_ids)

    # -- retention ---------------------------------------------------------------------
    def purge(
        self, *, closed_before: datetime, force: bool = False, pack: Pack | None = None
    ) -> int:
        """Delete the parcels whose last event and every incident's closing are before
        ``closed_before``, with their incidents, actions and feed rows; return how many.

        Refuses (``purge_too_recent``) an instant less than the pack's ``retention``
        param before the store's clock (the wall clock if it has none) unless
        ``force=True``.  ``pack`` defaults to the attached engine's, else ``default``.
        """
        return purge_parcels(
            self.db, self.cache, micros(closed_before), force=force, pack=pack or self.pack
        )


class SQLiteStore(Store):
    """A store in one SQLite file (created with its folder's permissions if absent)."""

    backend = "sqlite"

    def __init__(self, path: str | Path, *, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        self.path = Path(path)
        super().__init__(
            SQLiteDatabase(self.path), url=f"sqlite:///{self.path}", cache_size=cache_size
        )


class PostgresStore(Store):
    """A store in a PostgreSQL database, shared by any number of workers."""

    backend = "postgresql"

    def __init__(self, dsn: str, *, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        self.dsn = dsn
        super().__init__(PostgresDatabase(dsn), url=dsn, cache_size=cache_size)
