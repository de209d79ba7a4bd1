"""Several processes on one store: workers that share PostgreSQL end with the
incidents of one process, and a consumer polling live never skips a change."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter

import pytest
from store_support import (
    PACK,
    all_changes,
    batches,
    feed_ids,
    fold,
    keys,
    reference,
    stream,
)

from logix_carriers import TrackingEvent
from logix_rules import Engine
from logix_rules.store import ChangeFeed, open_store

SHIPMENTS, EVENTS, AT = stream(seed=23, shipments=80)
WORKERS = 4


def partitions() -> list[list[TrackingEvent]]:
    """Overlapping parts: every event goes to one worker, every third to a second one
    too, so workers step the same parcels and send the same events."""
    parts: list[list[TrackingEvent]] = [[] for _ in range(WORKERS)]
    for index, event in enumerate(EVENTS):
        parts[index % WORKERS].append(event)
        if index % 3 == 0:
            parts[(index + 1) % WORKERS].append(event)
    return parts


def _work(url: str, number: int, start: multiprocessing.synchronize.Event) -> None:
    start.wait()
    store = open_store(url)
    engine = Engine(PACK, store=store)
    for shipment in SHIPMENTS[number::WORKERS]:
        engine.upsert_shipment(shipment)
    for part in batches(partitions()[number], 25):
        engine.ingest(part)
        # Every worker moves the clock too: their advances run concurrently.
        engine.advance(to=max(e.occurred_at for e in part))
    store.close()


def _start_workers(url: str) -> list[multiprocessing.process.BaseProcess]:
    context = multiprocessing.get_context("fork")
    start = context.Event()
    workers = [context.Process(target=_work, args=(url, n, start)) for n in range(WORKERS)]
    for worker in workers:
        worker.start()
    start.set()
    return workers


def _ended(workers: list[multiprocessing.process.BaseProcess]) -> None:
    for worker in workers:
        worker.join(300)
    assert [w.exitcode for w in workers] == [0] * WORKERS


@pytest.mark.slow
def test_four_workers_on_postgresql_end_like_one_process(pg_url: str) -> None:
    open_store(pg_url).close()  # created once, before the workers race
    _ended(_start_workers(pg_url))
    memory = reference(SHIPMENTS, EVENTS, AT)
    with open_store(pg_url) as store:
        engine = Engine(PACK, store=store)
        engine.advance(to=AT)
        assert engine.open_incidents() == memory.open_incidents()
        assert len(engine) == len(memory)
        ids = feed_ids(pg_url)
        assert not [i for i, n in Counter(ids).items() if n > 1]
        assert keys(fold(all_changes(store)).values()) == keys(engine.open_incidents())


def test_a_live_consumer_never_skips_a_seq(store_url: str) -> None:
    open_store(store_url).close()
    workers = _start_workers(store_url)
    feed = ChangeFeed(open_store(store_url), consumer="live")
    seen: list[int] = []
    polls = 0
    while True:
        running = any(w.is_alive() for w in workers)
        got = feed.poll(limit=37)
        polls += 1
        seqs = [c.seq for c in got]
        # Whatever a poll returns continues exactly where the last one stopped: a
        # seq that committed late would show up as a gap here.
        assert seqs == list(range(len(seen) + 1, len(seen) + 1 + len(seqs)))
        seen.extend(seqs)
        if got:
            feed.commit()
        elif not running:
            break
        else:
            time.sleep(0.002)
    _ended(workers)
    assert feed.poll() == []
    with open_store(store_url) as store:
        assert len(seen) == store.feed_head() > 100
    assert polls > 10
