"""The SQL host of an ``Engine``: where an engine over a store keeps its states.

Reads outside a unit of work (one incident, the open ones, the follow-up log, the
clock) are here; each unit of work is one database transaction (``_units.py``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..runtime._actions import Action, action_of
from ..runtime._incidents import Incident
from ..runtime._kernel import Kernel
from ..runtime._snapshots import snapshot
from ..runtime._state import ShipmentState
from ._cache import StateCache
from ._codec import incident_from_dict
from ._db import Database, chunks, read_clock
from ._statements import HELD, live_incident_filter
from ._units import SqlUnit

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

__all__ = ["SqlHost"]


class SqlHost:
    """Where an engine over a store keeps its states: the store's tables."""

    def __init__(self, db: Database, cache: StateCache, kernel: Kernel) -> None:
        self.db = db
        self.cache = cache
        self.kernel = kernel
        self.pack = kernel.pack
        self.ranks = {name: level.rank for name, level in self.pack.severities.items()}

    def unit(self) -> AbstractContextManager[SqlUnit]:
        return SqlUnit(self)

    def may_retry(self, error: BaseException) -> bool:
        """Whether an engine call whose unit raised ``error`` may run again from its
        inputs (``runtime/_unit_retry.py``): the database ended the transaction as a
        deadlock or serialization failure, and the unit was the transaction (inside a
        caller's transaction, that one is aborted too: the caller must run it again).
        The unit has dropped the states it stepped from the cache already."""
        return not self.db.in_transaction and self.db.retryable(error)

    # -- reads outside a unit ----------------------------------------------------------
    def clock(self) -> int | None:
        with self.db.transaction(write=False):
            return read_clock(self.db)

    def next_due(self) -> int | None:
        with self.db.transaction(write=False):
            rows = self.db.execute("SELECT MIN(next_due) FROM shipments")
        return None if rows[0][0] is None else int(rows[0][0])

    def count(self) -> int:
        with self.db.transaction(write=False):
            rows = self.db.execute("SELECT COUNT(*) FROM shipments WHERE state IS NOT NULL")
        return int(rows[0][0])

    def incident(self, incident_id: str) -> Incident | None:
        with self.db.transaction(write=False):
            rows = self.db.execute(
                "SELECT tracking_number, reads_now, snapshot FROM incidents "
                f"WHERE id = ? AND state IN {HELD}",
                (incident_id,),
            )
            return self._incidents(rows)[0] if rows else None

    def open_incidents(
        self,
        *,
        tracking_number: str | None = None,
        severity: str | None = None,
        kind: str | None = None,
        carrier: str | None = None,
        limit: int | None = None,
    ) -> list[Incident]:
        where, params = live_incident_filter(
            severity=severity, kind=kind, carrier=carrier, tracking_number=tracking_number
        )
        collate = self.db.collate_c
        sql = (
            f"SELECT tracking_number, reads_now, snapshot FROM incidents WHERE {where} "
            f"ORDER BY rank, opened_at, tracking_number{collate}, kind{collate}"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(limit, 0))
        with self.db.transaction(write=False):
            return self._incidents(self.db.execute(sql, params))

    def actions(self, incident_id: str) -> list[Action] | None:
        db = self.db
        with db.transaction(write=False):
            rows = db.execute(
                "SELECT what, by_name, at, note, cause FROM actions WHERE incident_id = ? "
                "ORDER BY n",
                (incident_id,),
            )
            if rows:
                return [
                    action_of(incident_id, (what, by, int(at), note, cause))
                    for what, by, at, note, cause in rows
                ]
            held = db.execute(
                f"SELECT 1 FROM incidents WHERE id = ? AND state IN {HELD}", (incident_id,)
            )
        return [] if held else None

    def _incidents(self, rows: Sequence[tuple[Any, ...]]) -> list[Incident]:
        """Incidents from their rows; those whose amounts read `now` are computed again
        from their state at the clock, as the engine in memory would show them."""
        moving = sorted({tn for tn, reads_now, _ in rows if reads_now})
        states: dict[str, ShipmentState] = {}
        clock = read_clock(self.db) if moving else None
        if moving:
            for part in chunks(moving):
                match, params = self.db.in_list(part)
                found = self.db.execute_blobs(
                    "SELECT tracking_number, state, version FROM shipments "
                    f"WHERE tracking_number {match}",
                    params,
                )
                for tn, blob, version in found:
                    if blob is not None:
                        states[tn] = self._state(tn, blob, int(version))
        out = []
        for tn, reads_now, text in rows:
            state = states.get(tn) if reads_now else None
            if state is not None:
                doc = json.loads(text)
                inc = next((i for i in state.open.values() if i.id == doc["id"]), None)
                if inc is not None:
                    at = clock if clock is not None else (state.fired_through or 0)
                    out.append(snapshot(self.pack, state, inc, at))
                    continue
            out.append(incident_from_dict(json.loads(text)))
        return out

    def _state(self, tn: str, blob: bytes, version: int) -> ShipmentState:
        return self._entry(tn, blob, version)[0]

    def _entry(self, tn: str, blob: bytes, version: int) -> tuple[ShipmentState, Any]:
        """The state of a row, and what a unit that wrote it cached beside it (None when
        read from ``blob``)."""
        cache = self.cache
        entry = cache.entry(tn, version, self.pack.fingerprint)
        if entry is None:
            state = self.kernel.loads(bytes(blob), keep=True)
            cache.put(tn, version, self.pack.fingerprint, state)
            return state, None
        return entry
