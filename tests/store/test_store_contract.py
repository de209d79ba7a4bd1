"""The store contract, on SQLite and on a real PostgreSQL: an engine over a store
answers exactly as the engine in memory, across restarts and processes."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest
from store_support import (
    PACK,
    all_changes,
    batches,
    feed_in,
    fold,
    key,
    keys,
    reference,
    stream,
)

from logix_rules import Engine, ErrorCode, Incident, UnknownIncident
from logix_rules.store import (
    SCHEMA_VERSION,
    ChangeFeed,
    PostgresStore,
    SQLiteStore,
    Store,
    StoreError,
    open_store,
)

SHIPMENTS, EVENTS, AT = stream(seed=11, shipments=60)


@pytest.fixture(scope="module")
def memory() -> Engine:
    return reference(SHIPMENTS, EVENTS, AT)


def filled(url: str, *, reopen_every: int = 0) -> tuple[Engine, Store]:
    """An engine over the store at ``url`` fed the stream; with ``reopen_every``, the
    store is closed and opened again (a restart) every so many batches."""
    store = open_store(url)
    engine = Engine(PACK, store=store)
    for shipment in SHIPMENTS:
        engine.upsert_shipment(shipment)
    for number, part in enumerate(batches(EVENTS, 200), 1):
        engine.ingest(part)
        engine.advance(to=max(e.occurred_at for e in part))
        if reopen_every and number % reopen_every == 0:
            store.close()
            store = open_store(url)
            engine = Engine(PACK, store=store)
    engine.advance(to=AT)
    return engine, store


def ids(incidents: list[Incident]) -> list[str]:
    return [i.id for i in incidents]


# -- opening ------------------------------------------------------------------------------
def test_open_store_picks_the_backend(store_url: str) -> None:
    with open_store(store_url) as store:
        assert isinstance(store, SQLiteStore if store_url.startswith("sqlite") else PostgresStore)
        assert store.schema_version == SCHEMA_VERSION
        assert store.feed_head() == 0
        assert store.clock() is None


def test_opening_again_migrates_nothing(store_url: str) -> None:
    open_store(store_url).close()
    with open_store(store_url) as store, store.db.transaction(write=False):
        rows = store.db.execute("SELECT version FROM schema_version ORDER BY version")
    assert [v for (v,) in rows] == list(range(1, SCHEMA_VERSION + 1))


def _open_and_count(url: str, start: multiprocessing.synchronize.Event) -> None:
    start.wait()
    with open_store(url) as store:
        engine = Engine(PACK, store=store)
        engine.upsert_shipment(SHIPMENTS[0])


def test_concurrent_openers_of_an_empty_database_create_it_once(store_url: str) -> None:
    context = multiprocessing.get_context("fork")
    start = context.Event()
    workers = [context.Process(target=_open_and_count, args=(store_url, start)) for _ in range(6)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0] * 6
    with open_store(store_url) as store, store.db.transaction(write=False):
        rows = store.db.execute("SELECT version FROM schema_version")
        assert sorted(v for (v,) in rows) == list(range(1, SCHEMA_VERSION + 1))
        assert store.shipment_count() == 1


def test_a_schema_from_a_newer_logix_is_refused(store_url: str) -> None:
    with open_store(store_url) as store, store.db.transaction(write=True):
        store.db.execute(
            "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
            (SCHEMA_VERSION + 1, "from the future", 0),
        )
    with pytest.raises(StoreError) as caught:
        open_store(store_url)
    assert caught.value.code is ErrorCode.SCHEMA_TOO_NEW
    assert caught.value.input == SCHEMA_VERSION + 1
    assert "upgrade logix" in str(caught.value)


# -- the engine over a store --------------------------------------------------------------
def test_engine_over_a_store_equals_the_engine_in_memory(store_url: str, memory: Engine) -> None:
    engine, _store = filled(store_url)
    assert engine.open_incidents() == memory.open_incidents()
    assert len(engine) == len(memory)
    assert engine.next_due() == memory.next_due()


def test_restarts_lose_nothing(store_url: str, memory: Engine) -> None:
    engine, _ = filled(store_url, reopen_every=1)
    assert engine.open_incidents() == memory.open_incidents()


def test_filters_and_limit_match_memory(store_url: str, memory: Engine) -> None:
    engine, store = filled(store_url)
    everything = memory.open_incidents()
    assert {i.severity for i in everything} >= {"P1", "P2"}
    for name in ("severity", "kind", "carrier"):
        for value in sorted({getattr(i, name) for i in everything}):
            got = engine.open_incidents(**{name: value})
            assert got == memory.open_incidents(**{name: value})
            assert got
            assert all(getattr(i, name) == value for i in got)
    one = everything[0].tracking_number
    assert engine.open_incidents(one) == memory.open_incidents(one)
    assert engine.open_incidents(severity="P1", limit=3) == everything[:3]
    assert engine.open_incidents(limit=0) == []
    # As the last write left them: amounts that grow with time may be older there.
    assert ids(store.open_incidents(limit=5, offset=5)) == ids(everything[5:10])
    assert store.open_incidents(offset=len(everything) - 2) == everything[-2:]


def test_incident_by_id(store_url: str, memory: Engine) -> None:
    engine, _store = filled(store_url)
    for incident in memory.open_incidents()[:10]:
        assert engine.incident(incident.id) == incident
    with pytest.raises(UnknownIncident):
        engine.incident("inc_0000000000000000")


def test_acknowledge_resolve_and_the_follow_up_log(store_url: str, memory: Engine) -> None:
    engine, store = filled(store_url)
    mirror = reference(SHIPMENTS, EVENTS, AT)
    first, second = memory.open_incidents()[:2]
    when = AT + timedelta(minutes=3)
    assert engine.acknowledge(first.id, by="ana", at=when) == mirror.acknowledge(
        first.id, by="ana", at=when
    )
    done = engine.resolve(second.id, by="bo", at=when, note="refunded")
    assert done == mirror.resolve(second.id, by="bo", at=when, note="refunded")
    assert done.seq is not None
    assert done.seq == store.feed_head()
    # Across a restart, through a second store object (as another process would).
    again = Engine(PACK, store=open_store(store_url))
    assert again.open_incidents() == mirror.open_incidents()
    assert [a.to_dict() for a in again.actions(first.id)] == [
        a.to_dict() for a in mirror.actions(first.id)
    ]
    (action,) = again.actions(second.id)
    assert (action.action, action.by, action.note) == ("resolved", "bo", "refunded")
    assert again.incident(second.id).state.value == "resolved"
    assert second.id not in {i.id for i in again.open_incidents()}
    with pytest.raises(UnknownIncident):
        again.acknowledge(second.id, by="ana", at=when)
    with pytest.raises(UnknownIncident):
        again.acknowledge("inc_0000000000000000", by="ana", at=when)
    with pytest.raises(UnknownIncident):
        again.actions("inc_0000000000000000")


def test_two_store_objects_never_use_a_stale_cached_state(store_url: str) -> None:
    # Each store object caches states; a write through the other must be seen.
    one = Engine(PACK, store=open_store(store_url))
    two = Engine(PACK, store=open_store(store_url))
    memory = Engine(PACK)
    parts = batches(EVENTS, 50)
    for number, part in enumerate(parts):
        for engine in ((one if number % 2 else two), memory):
            engine.ingest(part)
    for engine in (one, two, memory):
        engine.advance(to=AT)
    assert one.open_incidents() == two.open_incidents() == memory.open_incidents()


def test_the_cache_is_bounded(store_url: str, memory: Engine) -> None:
    store = open_store(store_url, cache_size=7)
    engine = Engine(PACK, store=store)
    feed_in(engine, SHIPMENTS, batches(EVENTS, 200))
    engine.advance(to=AT)
    assert len(store.cache) <= 7
    assert engine.open_incidents() == memory.open_incidents()


def test_dump_of_a_store_engine_loads_in_memory(store_url: str, memory: Engine) -> None:
    engine, _store = filled(store_url)
    restored = Engine.load(PACK, engine.dump(mask=False))
    assert restored.open_incidents() == memory.open_incidents()


# -- the feed -----------------------------------------------------------------------------
def test_feed_poll_commit_and_redelivery(store_url: str) -> None:
    engine, store = filled(store_url)
    head = store.feed_head()
    assert head > 50
    feed = ChangeFeed(store, consumer="oms")
    first = feed.poll(limit=20)
    assert [c.seq for c in first] == list(range(1, 21))
    second = feed.poll(limit=20)
    assert [c.seq for c in second] == list(range(21, 41))
    assert feed.commit(20) == 20
    # A consumer that restarts before committing gets the rest again: at least once.
    again = ChangeFeed(open_store(store_url), consumer="oms")
    replay = again.poll(limit=20)
    assert [c.id for c in replay] == [c.id for c in second]
    assert again.commit() == 40
    # After a commit nothing at or below it comes back, in any process.
    third = ChangeFeed(open_store(store_url), consumer="oms")
    rest = third.poll(limit=10_000)
    assert [c.seq for c in rest] == list(range(41, head + 1))
    assert third.poll() == []
    assert third.commit() == head
    assert feed.poll() == []
    assert third.lag() == 0
    # Another consumer has its own cursor.
    other = ChangeFeed(store, consumer="reports")
    assert len(other.poll(limit=10_000)) == head
    assert len({c.id for c in other.poll(limit=10)}) == 0
    # Nothing new: poll returns [] at once; new work appears with the next seqs.
    engine.acknowledge(engine.open_incidents()[0].id, by="ana")
    (ack,) = third.poll()
    assert ack.seq == head + 1
    assert ack.type.value == "acknowledged"


def test_feed_changes_equal_what_the_engine_returned(store_url: str) -> None:
    store = open_store(store_url)
    engine = Engine(PACK, store=store)
    returned = []
    for shipment in SHIPMENTS:
        returned += engine.upsert_shipment(shipment)
    for part in batches(EVENTS, 200):
        returned += engine.ingest(part)
        returned += engine.advance(to=max(e.occurred_at for e in part))
    fed = ChangeFeed(store, "x").poll(limit=10_000)
    assert [c.id for c in fed] == [c.id for c in returned]
    assert [c.seq for c in returned] == list(range(1, len(returned) + 1))
    assert fed == returned
    assert len({c.id for c in fed}) == len(fed)


def test_feed_commit_refuses_what_the_feed_does_not_hold(store_url: str) -> None:
    store = open_store(store_url)
    feed = ChangeFeed(store, "oms")
    with pytest.raises(StoreError) as caught:
        feed.commit(5)
    assert caught.value.code is ErrorCode.BAD_FEED_COMMIT
    assert feed.commit(0) == 0
    with pytest.raises(ValueError, match="limit"):
        feed.poll(limit=0)


def test_folding_the_feed_gives_the_open_incidents(store_url: str, memory: Engine) -> None:
    engine, store = filled(store_url)
    opened = engine.open_incidents()
    engine.acknowledge(opened[0].id, by="ana")
    engine.resolve(opened[1].id, by="bo", note="done")
    live = fold(all_changes(store))
    assert sorted(live) == sorted(i.id for i in engine.open_incidents())
    assert keys(live.values()) == keys(engine.open_incidents())


# -- retention ----------------------------------------------------------------------------
def test_purge_respects_the_retention_param(store_url: str, memory: Engine) -> None:
    engine, store = filled(store_url)
    with pytest.raises(StoreError) as caught:
        store.purge(closed_before=AT - timedelta(days=30))
    assert caught.value.code is ErrorCode.PURGE_TOO_RECENT
    assert "400d" in str(caught.value)
    before = store.shipment_count()
    # Forced, at the clock: every parcel with nothing open and quiet before it goes.
    purged = store.purge(closed_before=AT, force=True)
    assert 0 < purged < before
    assert store.shipment_count() == before - purged
    assert engine.open_incidents() == memory.open_incidents()
    live = fold(all_changes(store))
    assert sorted(live) == sorted(i.id for i in engine.open_incidents())
    # Far enough in the future no forcing is needed, and open incidents still stay.
    engine.advance(to=AT + timedelta(days=800))
    left = store.purge(closed_before=AT + timedelta(days=1))
    assert left >= 0
    held = {i.tracking_number for i in engine.open_incidents()}
    assert held
    assert store.shipment_count() >= len(held)


def test_incident_rows_hold_the_snapshot_as_json(store_url: str, memory: Engine) -> None:
    _engine, store = filled(store_url)
    incident = memory.open_incidents()[0]
    with store.db.transaction(write=False):
        ((state, text),) = store.db.execute(
            "SELECT state, snapshot FROM incidents WHERE id = ?", (incident.id,)
        )
    assert state == incident.state.value
    assert json.loads(text) == incident.to_dict()
    assert key(store.incident(incident.id)) == key(incident)
    assert datetime.now(UTC) > incident.opened_at


def test_a_parcel_purged_and_created_again_elsewhere_is_not_read_from_a_cache(
    store_url: str,
) -> None:
    number = EVENTS[0].tracking_number
    trail = [e for e in EVENTS if e.tracking_number == number]
    first, rest = trail[:2], trail[2:]
    one = Engine(PACK, store=open_store(store_url))
    one.ingest(first)  # `one` caches the parcel
    other_store = open_store(store_url)
    other = Engine(PACK, store=other_store)
    later = AT + timedelta(days=900)
    other.advance(to=later)
    for incident in other.open_incidents():
        other.resolve(incident.id, by="ana", at=later)
    assert other_store.purge(closed_before=later + timedelta(days=1), force=True) == 1
    other.ingest(rest[:1])  # the parcel again, from scratch, written by another process
    one.ingest(rest[1:])
    memory = Engine(PACK)
    memory.ingest(rest)
    state = one.shipment_state(number)
    assert len(state.history) == len(rest)
    assert state.history == memory.shipment_state(number).history
