"""A unit of work of the SQL host (``_sql_host.py``): one database transaction.

This implements ``runtime/_host.py``'s contract for units.  A unit

* reads the rows it will change and locks them (PostgreSQL: ``FOR UPDATE`` in
  tracking-number order, after reserving absent rows in the same order; due work with
  ``SKIP LOCKED``; SQLite: the write lock of ``BEGIN IMMEDIATE``), taking states from
  the cache when the row's ``version`` says they are current;
* buffers the states the engine saves and writes them in batches, with their live
  incidents and follow-up actions;
* appends the unit's changes to the feed last, taking the next seqs from the
  ``feed_seq`` counter row: its row lock is held from there to the commit, so seqs are
  given in commit order and no reader can see seq n+1 before seq n;
* moves the clock at the end (a row lock held only to the commit, so concurrent
  ``advance`` calls split the due work instead of queueing behind each other).
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from ..runtime._gc_settle import lower_young, raise_young
from ..runtime._incidents import Change, change_instant, content_change_id
from ..runtime._snapshots import later_snapshot, pending_args
from ..runtime._state import ShipmentState
from ._cache import StateCache
from ._db import Database, chunks, read_clock, wall_micros
from ._facts import UPSERT_FACTS, facts_row
from ._row_memory import Held, facts_key, facts_of, fingerprints
from ._snapshot_rows import Key, change_text, closed_columns, live_columns, view_text
from ._statements import (
    CLEARED_INCIDENT,
    CLOSE_INCIDENT,
    CLOSING,
    HELD,
    INSERT_ACTION,
    INSERT_FEED,
    STATE_OF,
    UPSERT_INCIDENT,
    UPSERT_SHIPMENT,
)

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from ..compiler._model import Pack
    from ..runtime._kernel import Kernel

__all__ = ["SqlUnit"]


class UnitHost(Protocol):
    """What a unit uses of its host (``_sql_host.SqlHost``, which makes the units)."""

    db: Database
    cache: StateCache
    kernel: Kernel
    pack: Pack
    ranks: dict[str, int]

    def _entry(self, tn: str, blob: bytes, version: int) -> tuple[ShipmentState, Any]: ...


#: What a unit reads of the rows it takes: the state itself only when the cache does
#: not hold the row's version (``SqlUnit._take``).
ROWS = "SELECT tracking_number, version, state IS NULL FROM shipments"


def fresh_version() -> int:
    return secrets.randbits(62)


#: A version's bits: a row's first write takes a unit's random base plus its rank.
VERSION_BITS = (1 << 62) - 1


class SqlUnit:
    """One transaction of ``SqlHost`` (see ``runtime/_host.py`` for the call order)."""

    def __init__(self, host: UnitHost) -> None:
        self.host = host
        self.db = host.db
        self.kernel = host.kernel
        self._transaction: AbstractContextManager[None] | None = None
        self._owns = False  # whether the unit's transaction is its own (see __enter__)
        self._held: dict[str, Held] = {}
        self._reserved: set[str] = set()
        # Each saved state as the cache takes it when the unit commits: (tracking number,
        # version, state, what the unit holds of its row: the ``Held`` tuple itself, so
        # that the next unit takes it as it is).
        self._saved: dict[str, tuple[str, int, ShipmentState, Held]] = {}
        self._live: dict[str, tuple[str, ...]] = {}  # incident ids each saved state holds
        # Rows to write by key: the last write of a row in a unit wins (one statement
        # may not touch a row twice).
        self._rows: dict[str, tuple[Any, ...]] = {}  # shipments
        # (the row but its JSON, the pending snapshot, its arguments)
        self._incidents: list[tuple[tuple[Any, ...], Any, tuple[Any, ...]]] = []
        self._closing: list[tuple[int, str]] = []
        self._actions: list[tuple[Any, ...]] = []
        self._facts: dict[str, tuple[Any, ...]] = {}  # shipment_facts
        self._version_base: int | None = None  # see _first_version
        self._taken: set[str] = set()  # due states handed out
        self._clock_read = False
        self._clock: int | None = None
        self._new_clock: int | None = None
        self._wall = wall_micros()  # the `updated` of every row the unit writes

    # -- the transaction -----------------------------------------------------------------
    def __enter__(self) -> SqlUnit:
        # Inside a caller's transaction the unit's writes are not committed with it:
        # what it puts in the cache is then checked against the rows before use.
        self._owns = not self.db.in_transaction
        self._transaction = self.db.transaction(write=True)
        self._transaction.__enter__()
        # A unit allocates tens of thousands of short-lived objects per thousand events,
        # nearly all freed by reference counting when it ends; with CPython's young
        # thresholds they set off collections that scan the unit's live work and, through
        # the middle generation, the cache of states (~0.8 s of ~11 s CPU on a
        # 10,000-parcel SQLite ingest, ~0.25 s with them raised while a unit runs).
        raise_young()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._exit(kind, exc, tb)
        finally:
            lower_young()

    def _exit(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        transaction = self._transaction
        assert transaction is not None
        cache = self.host.cache
        try:
            if kind is None:
                self._flush()
                self._flush_incidents({})
                self._finish()
        except BaseException as error:
            self._forget(cache)
            transaction.__exit__(type(error), error, error.__traceback__)
            raise
        if kind is not None:
            self._forget(cache)
            transaction.__exit__(kind, exc, tb)
            return
        try:
            transaction.__exit__(None, None, None)
        except BaseException:
            # The commit failed (a serialization failure, a lost connection): the rows
            # keep the old states, and the engine may run the call again.
            self._forget(cache)
            raise
        # Committed: the cache may now hold what the rows hold (the state and its bytes,
        # so the next unit reads neither), and what the next unit would derive from
        # them again (the incidents' fingerprints, the facts row).
        cache.put_many(
            self.host.pack.fingerprint,
            self._saved.values(),
            self.db.epoch if self._owns else None,
        )

    def _forget(self, cache: StateCache) -> None:
        # The engine mutated these states in place; the rows keep the old ones.
        for tn in (*self._held, *self._saved):
            cache.discard(tn)

    def _finish(self) -> None:
        db = self.db
        unused = sorted(self._reserved - self._saved.keys())
        for part in chunks(unused):
            match, params = db.in_list(part)
            db.execute(
                f"DELETE FROM shipments WHERE tracking_number {match} AND state IS NULL", params
            )
        if self._new_clock is not None:
            db.execute(
                "UPDATE meta SET value = ? WHERE key = 'clock' AND (value IS NULL OR value < ?)",
                (self._new_clock, self._new_clock),
            )

    # -- reading states ----------------------------------------------------------------
    def _take(self, rows: Sequence[tuple[Any, ...]]) -> list[ShipmentState]:
        """The states of ``rows`` (``ROWS``' columns): a row whose version the cache
        holds, with the bytes it was written as, is not read again; the others' states
        are read in a second query."""
        host = self.host
        cache, fingerprint = host.cache, host.pack.fingerprint
        found: list[tuple[str, int, Any]] = []
        unread: list[str] = []
        for tn, version, empty in rows:
            version = int(version)
            if empty:  # a row reserved and not yet written: no state
                self._held[tn] = (version, None, {}, None)
                continue
            entry = cache.entry(tn, version, fingerprint)
            if entry is None or entry[1] is None:
                unread.append(tn)
            found.append((tn, version, entry))
        read = self._read(unread) if unread else {}
        out = []
        for tn, version, entry in found:
            if entry is not None and entry[1] is not None:
                state, held = entry  # a unit's Held, of this very version
                self._held[tn] = held
                out.append(state)
                continue
            got = read.get(tn)
            if got is None:  # gone since (a scan reads without locks): as if absent
                continue
            version, blob = got
            state = host._entry(tn, blob, version)[0]
            before = fingerprints(state) if state.open else {}
            self._held[tn] = (version, blob, before, facts_of(state))
            out.append(state)
        return out

    def _read(self, tracking_numbers: Sequence[str]) -> dict[str, tuple[int, bytes]]:
        """The version and state of each row named that has one.  A row locked by the
        unit is as its first query saw it; a scan's row may have been written since,
        and its version here goes with its bytes here."""
        db = self.db
        out: dict[str, tuple[int, bytes]] = {}
        for part in chunks(sorted(tracking_numbers)):
            match, params = db.in_list(part)
            for tn, blob, version in db.execute_blobs(
                "SELECT tracking_number, state, version FROM shipments "
                f"WHERE tracking_number {match}",
                params,
            ):
                if blob is not None:
                    out[tn] = (int(version), blob if type(blob) is bytes else bytes(blob))
        return out

    def load(self, tracking_numbers: Collection[str]) -> dict[str, ShipmentState]:
        self._flush()
        db = self.db
        wanted = sorted(set(tracking_numbers))
        if not db.reserves_rows:
            if db.epoch is None:
                return self._lock(wanted)
            found = self._trusted(wanted, db.epoch)
            if len(found) < len(wanted):
                found.update(self._lock([tn for tn in wanted if tn not in found]))
            return found
        # A parcel whose state the cache holds had a row when that state was committed:
        # only the others need one reserved (most of a stream's parcels are cached, and
        # the reservation's conflict checks cost the server more than the locks).
        cache = self.host.cache
        self._reserved.update(db.reserve_rows([tn for tn in wanted if tn not in cache]))
        found = self._lock(wanted)
        # A cached parcel whose row is gone (purged since) is reserved and locked now.
        # Rare; while this unit holds locks, so PostgreSQL may end it as a deadlock with a
        # worker creating that parcel at the same instant: the engine then runs its call
        # again (runtime/_unit_retry.py), the cache's entries of this unit dropped.
        gone = [tn for tn in wanted if tn not in self._held]
        if gone:
            self._reserved.update(db.reserve_rows(gone))
            found.update(self._lock(gone))
        return found

    def _trusted(self, wanted: Sequence[str], epoch: int) -> dict[str, ShipmentState]:
        """The states of ``wanted`` that a unit of this connection wrote in ``epoch``:
        their rows hold them still, so they are taken without a query."""
        host = self.host
        held = self._held
        found: dict[str, ShipmentState] = {}
        for tn, state, row in host.cache.trusted(wanted, host.pack.fingerprint, epoch):
            held[tn] = row
            found[tn] = state
        return found

    def _lock(self, wanted: Sequence[str]) -> dict[str, ShipmentState]:
        """The states of the rows of ``wanted`` (sorted), locked."""
        db = self.db
        found: dict[str, ShipmentState] = {}
        for part in chunks(wanted):
            match, params = db.in_list(part)
            rows = db.execute(
                f"{ROWS} WHERE tracking_number {match} "
                f"ORDER BY tracking_number{db.collate_c}{db.for_update}",
                params,
            )
            for state in self._take(rows):
                found[state.tracking_number] = state
        return found

    def due(self, now: int, limit: int) -> list[ShipmentState]:
        self._flush()
        db = self.db
        # Ties in time by tracking number, as the in-memory host's heap takes them: the
        # engine's changes of one instant keep the order their states were fired in,
        # so the feed's seqs are then the same on every run and host (by next_due
        # alone PostgreSQL returned ties in whatever order its pages held them).
        rows = db.execute(
            f"{ROWS} WHERE next_due <= ? ORDER BY next_due, tracking_number{db.collate_c} "
            f"LIMIT ?{db.for_update_skip_locked}",
            (now, limit),
        )
        # A state fired in this unit is due no more (its row was written before this
        # query); one that is, would be handed out for ever: the guard ends the loop.
        rows = [row for row in rows if row[0] not in self._taken]
        self._taken.update(row[0] for row in rows)
        return self._take(rows)

    def locate(self, incident_id: str) -> ShipmentState | None:
        self._flush()
        rows = self.db.execute(
            f"SELECT tracking_number FROM incidents WHERE id = ? AND state IN {HELD}",
            (incident_id,),
        )
        if not rows:
            return None
        tn = rows[0][0]
        state = self.load((tn,)).get(tn)
        if state is None or not any(inc.id == incident_id for inc in state.open.values()):
            return None
        return state

    def scan(self) -> Iterator[ShipmentState]:
        self._flush()
        db = self.db
        after = ""
        while True:
            rows = db.execute(
                f"{ROWS} WHERE state IS NOT NULL AND tracking_number{db.collate_c} > ? "
                f"ORDER BY tracking_number{db.collate_c} LIMIT 1000",
                (after,),
            )
            if not rows:
                return
            after = rows[-1][0]
            yield from self._take(rows)

    # -- the clock -----------------------------------------------------------------------
    def clock(self) -> int | None:
        if not self._clock_read:
            self._clock = read_clock(self.db)
            self._clock_read = True
        if self._new_clock is not None and (self._clock is None or self._new_clock > self._clock):
            return self._new_clock
        return self._clock

    def set_clock(self, now: int) -> None:
        self._new_clock = now

    # -- writing -------------------------------------------------------------------------
    def _first_version(self) -> int:
        """The version of a row's first write: random (see _cache), drawn once per unit
        (one system call) and told apart by rank within it."""
        if self._version_base is None:
            self._version_base = fresh_version()
        self._version_base = (self._version_base + 1) & VERSION_BITS
        return self._version_base

    def save(self, state: ShipmentState) -> None:
        tn = state.tracking_number
        held = self._held.get(tn)
        blob = self.kernel.dumps(state, keep=True)
        before: dict[str, tuple[Any, ...]]
        if held is None:
            version, before, facts = self._first_version(), {}, None
        else:
            version, written, before, facts = held
            if written == blob:
                self._saved[tn] = (tn, version, state, held)
                return  # nothing changed: no write, no new version
            # A row's first write takes a random version; later ones count on.
            version = self._first_version() if written is None else version + 1
        self._rows[tn] = (
            tn,
            state.carrier,
            blob,
            state.next_due_us,
            state.last_event,
            version,
            self._wall,
        )
        after = fingerprints(state) if state.open else {}
        key = facts_key(state)
        if facts is None or facts[0] != key:
            row = facts_row(state)
            if facts is None or facts[1] != row:
                self._facts[tn] = (*row, self._wall)
            facts = (key, row)
        self._held[tn] = held = (version, blob, after, facts)
        self._saved[tn] = (tn, version, state, held)
        if state.open or before:
            self._keep_incidents(state, before, after)
        if state.followups:
            for incident_id, follow in state.followups.items():
                for n, entry in enumerate(follow.log):
                    # (what, by, at, note, cause); an older state's entry may end at note.
                    what, by, at, note = entry[:4]
                    cause = entry[4] if len(entry) > 4 else None
                    self._actions.append((incident_id, n, what, by, at, note, cause))

    def _keep_incidents(
        self, state: ShipmentState, before: dict[str, tuple[Any, ...]], after: dict[str, Any]
    ) -> None:
        pack, host = self.host.pack, self.host
        clock = self.clock()
        at = clock if clock is not None else (state.fired_through or 0)
        lane = state.facts.lane
        live = []
        for inc in state.open.values():
            live.append(inc.id)
            if before.get(inc.id) == after[inc.id]:
                continue  # its row already says all this
            view = later_snapshot(pack, state, inc, at)
            args = pending_args(view)
            assert args is not None
            incident_state, respond_by, resolve_by, closed_at = live_columns(args)
            rule = pack.rules[inc.lead[0]]
            reads_now = rule.steps[inc.lead[1]].uses_now
            row = (
                inc.id,
                state.tracking_number,
                inc.kind,
                inc.severity,
                host.ranks.get(inc.severity, 99),
                state.carrier,
                lane,
                STATE_OF[incident_state],
                inc.opened_at,
                respond_by,
                resolve_by,
                closed_at,
                1 if reads_now else 0,
            )
            self._incidents.append((row, view, args))
        self._live[state.tracking_number] = tuple(live)
        gone = [ident for ident in before if ident not in live]
        if gone:
            when = max(t for t in (at, state.last_event or 0, state.fired_through or 0))
            self._closing.extend((when, ident) for ident in gone)

    def _flush(self) -> None:
        """Write the buffered shipments and actions (before any query that reads them)."""
        db = self.db
        if self._rows:
            db.insert(UPSERT_SHIPMENT, list(self._rows.values()))
            self._rows = {}
        if self._actions:
            db.insert(INSERT_ACTION, self._actions)
            self._actions = []
        if self._facts:
            db.insert(UPSERT_FACTS, list(self._facts.values()))
            self._facts = {}

    def _flush_incidents(self, written: dict[str, tuple[Key, str]]) -> None:
        """Write the buffered incident rows; a snapshot equal to one a change of the
        unit carried (by its key: see _snapshot_rows) takes that change's JSON instead
        of writing it again."""
        rows = []
        for row, view, args in self._incidents:
            known = written.get(row[0])
            text = known[1] if known is not None and known[0] == args else view_text(view, args)
            rows.append((*row, text))
        self._incidents = []
        if rows:
            self.db.insert(UPSERT_INCIDENT, list({row[0]: row for row in rows}.values()))
        if self._closing:
            self.db.executemany(CLOSE_INCIDENT, self._closing)
            self._closing = []

    def emit(self, changes: Sequence[Change]) -> list[Change]:
        """Append the changes to the feed, in order, under the next seqs."""
        self._flush()
        written: dict[str, tuple[Key, str]] = {}  # the latest of each incident
        # Each change with its snapshot's key, its incident's id and JSON, and the
        # change's id, in one pass.  The JSON is written from the pending snapshot
        # (_snapshot_rows): the incident is built only if someone reads it, as in
        # memory.  Instants stay the kernel's ints (``change_instant``): a change's
        # ``at`` as a datetime is made only if someone reads it, too.
        made: list[tuple[Change, Key, str, str, str, int]] = []
        text_of, id_of, instant_of = change_text, content_change_id, change_instant
        for change in changes:
            key, incident_id, content = text_of(change)
            written[incident_id] = (key, content)
            at = instant_of(change)
            ident = id_of(change.type, incident_id, at, content)
            made.append((change, key, incident_id, content, ident, at))
        self._flush_incidents(written)
        if not made:
            return []
        db = self.db
        known: dict[str, int] = {}
        for part in chunks(sorted({entry[4] for entry in made})):
            match, params = db.in_list(part)
            for found, seq in db.execute(
                f"SELECT change_id, seq FROM feed WHERE change_id {match}", params
            ):
                known[found] = int(seq)
        fresh = []  # the changes the feed does not hold yet
        for entry in made:
            if entry[4] not in known:
                known[entry[4]] = 0  # numbered below
                fresh.append(entry)
        if fresh:
            # The counter's row lock, held to the commit, orders the seqs as commits.
            (head,) = db.execute(
                "UPDATE meta SET value = value + ? WHERE key = 'feed_seq' RETURNING value",
                (len(fresh),),
            )[0]
            seq = int(head) - len(fresh) + 1
            rows = []
            closing = []
            for change, key, incident_id, content, ident, at in fresh:
                known[ident] = seq
                kind = change.type
                rows.append((seq, ident, kind.value, at, incident_id, content))
                if kind in CLOSING:
                    closing.append((key, incident_id, content, at))
                seq += 1
            db.insert(INSERT_FEED, rows)
            if closing:
                self._close_cleared(closing)
        # The changes are the unit's own (the kernel made them for it): each takes its
        # seq and id in place, its snapshot (pending, or the incident) and instant as
        # they are.
        for change, _, _, _, ident, _ in made:
            change._seq = known[ident]
            change._id = ident
        return [entry[0] for entry in made]

    def _close_cleared(self, changes: Sequence[tuple[Key, str, str, int]]) -> None:
        """Record the incidents that cleared (``CLOSING`` changes: their snapshot's key,
        the incident's id, its JSON and the change's instant), with their last
        snapshot, unless one came back under the same id later in the unit."""
        live = {ident for ids in self._live.values() for ident in ids}
        rows = []
        ranks = self.host.ranks
        for key, incident_id, content, at in changes:
            if incident_id in live:
                continue
            ident, tn, kind, severity, carrier, opened, respond, resolve = closed_columns(key)
            saved = self._saved.get(tn)
            lane = None if saved is None else saved[2].facts.lane
            rows.append(
                (
                    ident,
                    tn,
                    kind,
                    severity,
                    ranks.get(severity, 99),
                    carrier,
                    lane,
                    "closed",
                    opened,
                    respond,
                    resolve,
                    at,
                    0,
                    content,
                )
            )
        if rows:
            self.db.insert(CLEARED_INCIDENT, list({row[0]: row for row in rows}.values()))
