"""A unit that PostgreSQL ends as a deadlock is run again, whole, from the call's inputs.

The deadlock is the real one docs/store.md describes: a parcel cached by this engine
was purged by another process; this engine's unit locks the parcels it holds, then
reserves the purged one while a second worker, which has just created that parcel,
waits for one of those locks.  The second worker is a plain session doing what a
worker's unit does (``reserve_rows``, then ``FOR UPDATE`` in sorted order); the test
waits until this engine's unit is blocked before the worker asks for its lock, so the
unit waits first and the server ends it, not the worker.  Nothing is mocked: the
retry must leave the feed, the cache and the returned changes as one clean run would.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from store_support import all_changes, hourly_scans, same_changes

from logix_rules import Change, Engine, load_pack
from logix_rules.runtime import _unit_retry
from logix_rules.store import Store, open_store

psycopg = pytest.importorskip("psycopg")

PACK = load_pack("default")


FIRST = hourly_scans("R1", range(3)) + hourly_scans("R2", range(3))
LATE = hourly_scans("R1", range(3, 6), held=True) + hourly_scans("R2", range(3, 6), held=True)
AFTER = hourly_scans("R1", range(6, 8)) + hourly_scans("R2", range(6, 8))


def _count_units(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list whose length is the number of units the engine opens from now on."""
    opened: list[int] = []
    host: Any = engine._host
    unit: Callable[[], AbstractContextManager[Any]] = host.unit

    def counting() -> AbstractContextManager[Any]:
        opened.append(1)
        return unit()

    monkeypatch.setattr(host, "unit", counting)
    return opened


def _backend_pid(store: Store) -> int:
    return int(store.db.execute("SELECT pg_backend_pid()")[0][0])


def _wait_until_blocked(monitor: Any, pid: int) -> None:
    """Until the backend ``pid`` waits for a lock (at most a minute)."""
    for _ in range(6000):
        (waiting,) = monitor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
            (pid,),
        ).fetchone()
        if waiting:
            return
        time.sleep(0.01)
    raise AssertionError("the unit never waited for the worker's row")


@contextmanager
def _worker_meeting(store: Store, pg_url: str) -> Iterator[Callable[[], None]]:
    """R2 purged under ``store``'s cache; a worker session that has just reserved R2
    (its unit's first statement) and is not committed.  Calling the value given makes
    the worker lock R1 and R2 in order, as its unit would next (it waits until the
    engine's unit is blocked on R2 first); the worker rolls back at the end."""
    with store.db.transaction(write=True):  # another process's purge, as far as R2 goes
        store.db.execute("DELETE FROM shipments WHERE tracking_number = 'R2'")
    worker = psycopg.connect(pg_url, autocommit=True)
    monitor = psycopg.connect(pg_url, autocommit=True)
    try:
        # Left to the engine's unit to see the cycle (it waits first anyway).
        worker.execute("SET deadlock_timeout = '30s'")
        worker.execute("BEGIN")
        reserved = worker.execute(
            "INSERT INTO shipments (tracking_number, carrier, version, updated) "
            "SELECT t, '', 0, 0 FROM unnest(%s::text[]) AS t ORDER BY t "
            "ON CONFLICT (tracking_number) DO NOTHING RETURNING tracking_number",
            (["R1", "R2"],),
        ).fetchall()
        assert reserved == [("R2",)]
        pid = _backend_pid(store)

        def lock() -> None:
            _wait_until_blocked(monitor, pid)
            rows = worker.execute(
                "SELECT tracking_number FROM shipments WHERE tracking_number = ANY(%s) "
                'ORDER BY tracking_number COLLATE "C" FOR UPDATE',
                (["R1", "R2"],),
            ).fetchall()
            # R1 was the engine's unit's: its transaction has ended to give it up.
            assert rows == [("R1",), ("R2",)]

        yield lock
    finally:
        worker.execute("ROLLBACK")
        worker.close()
        monitor.close()


def _run_against_worker(
    call: Callable[[], list[Change]], lock: Callable[[], None]
) -> tuple[threading.Thread, list[Any]]:
    """``call()`` in a thread while the worker locks; its changes, or what it raised."""
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(call())
        except Exception as error:
            result.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    # Until the worker rolls back (when the caller leaves _worker_meeting), a unit run
    # again waits for its reservation of R2.
    lock()
    return thread, result


def _reference() -> tuple[Engine, list[Change]]:
    """One clean run: R2 purged is R2 never seen (an engine without the deadlock)."""
    engine = Engine(PACK)
    engine.ingest(hourly_scans("R1", range(3)))
    return engine, engine.ingest(LATE)


def test_a_unit_ended_as_a_deadlock_runs_again_and_ends_as_one_clean_run(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(pg_url) as store:
        engine = Engine(PACK, store=store)
        before = engine.ingest(FIRST)
        opened = _count_units(engine, monkeypatch)
        with _worker_meeting(store, pg_url) as lock:
            thread, result = _run_against_worker(lambda: engine.ingest(LATE), lock)
        thread.join(60)
        assert not thread.is_alive()
        (changes,) = result
        assert not isinstance(changes, Exception), changes
        assert len(opened) == 2  # the unit the server ended, and its second run
        reference, expected = _reference()
        same_changes(changes, expected)
        assert changes  # the customs holds: the feed has rows to get right
        # The feed holds each change once, under the seqs returned, with no gap where
        # the ended unit's rows were.
        feed = all_changes(store)
        assert [c.seq for c in feed] == list(range(1, len(before) + len(changes) + 1))
        assert [c.id for c in feed[len(before) :]] == [c.id for c in changes]
        assert [c.seq for c in changes] == [c.seq for c in feed[len(before) :]]
        for tn in ("R1", "R2"):
            assert engine.shipment_state(tn) == reference.shipment_state(tn)
        # The cache holds no state the ended unit stepped: the next call steps the
        # committed states, as the reference does.
        same_changes(engine.ingest(AFTER), reference.ingest(AFTER))
        assert engine.dump() == reference.dump()


def test_a_deadlock_inside_a_callers_transaction_reaches_the_caller(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The caller's transaction (a webhook delivery's ids, say) is aborted too: only the
    # caller can run it again.
    with open_store(pg_url) as store:
        engine = Engine(PACK, store=store)
        engine.ingest(FIRST)
        opened = _count_units(engine, monkeypatch)

        def inside() -> list[Change]:
            with store.db.transaction(write=True):
                return engine.ingest(LATE)

        with _worker_meeting(store, pg_url) as lock:
            thread, result = _run_against_worker(inside, lock)
        thread.join(60)
        (error,) = result
        assert isinstance(error, psycopg.errors.DeadlockDetected)
        assert len(opened) == 1
        reference, expected = _reference()
        same_changes(engine.ingest(LATE), expected)  # sent again: as one clean run
        assert engine.dump() == reference.dump()


def test_an_error_other_than_a_deadlock_is_not_retried(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(pg_url) as store:
        engine = Engine(PACK, store=store)
        engine.ingest(FIRST)
        opened = _count_units(engine, monkeypatch)
        store.db.execute("SET lock_timeout = '200ms'")  # this session's waits end early
        holder = psycopg.connect(pg_url)
        try:
            holder.execute("SELECT 1 FROM shipments WHERE tracking_number = 'R1' FOR UPDATE")
            with pytest.raises(psycopg.errors.LockNotAvailable):
                engine.ingest(LATE)
        finally:
            holder.rollback()
            holder.close()
        assert len(opened) == 1
        reference = Engine(PACK)
        reference.ingest(FIRST)
        same_changes(engine.ingest(LATE), reference.ingest(LATE))  # nothing of it was kept
        assert engine.dump() == reference.dump()


class _Ended(Exception):
    def __init__(self, retryable: bool) -> None:
        super().__init__(retryable)
        self.retryable = retryable


def test_retried_gives_up_after_its_attempts_and_at_once_on_other_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_unit_retry, "BACKOFF", 0.0)
    calls: list[int] = []

    def failing(retryable: bool) -> Callable[[], int]:
        def call() -> int:
            calls.append(1)
            raise _Ended(retryable)

        return call

    def may_retry(error: BaseException) -> bool:
        return isinstance(error, _Ended) and error.retryable

    with pytest.raises(_Ended):
        _unit_retry.retried(failing(True), may_retry)
    assert len(calls) == _unit_retry.ATTEMPTS == 3
    calls.clear()
    with pytest.raises(_Ended):
        _unit_retry.retried(failing(False), may_retry)
    assert len(calls) == 1
    calls.clear()
    with pytest.raises(_Ended):
        _unit_retry.retried(failing(True), None)  # a host without retries
    assert len(calls) == 1

    def second_time() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise _Ended(True)
        return 7

    calls.clear()
    assert _unit_retry.retried(second_time, may_retry) == 7
    assert len(calls) == 2
