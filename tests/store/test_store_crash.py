"""A store survives SIGKILL at any instant: each restart re-sends all input from the
start, and the end is what an uninterrupted run in memory gives, with a feed that
holds every change once and folds into the open incidents."""

from __future__ import annotations

import multiprocessing
import random
import signal
import time
from collections import Counter
from multiprocessing.sharedctypes import Synchronized

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

from logix_rules import Engine
from logix_rules.store import open_store

SHIPMENTS, EVENTS, AT = stream(seed=5, shipments=60)
BATCH = 40


def _ingest_everything(url: str, progress: Synchronized[int]) -> None:
    """The child: the whole stream, in batches, each followed by an advance; it counts
    the units of work it has committed in ``progress``."""
    store = open_store(url)
    engine = Engine(PACK, store=store)
    for shipment in SHIPMENTS:
        engine.upsert_shipment(shipment)
        progress.value += 1
    for part in batches(EVENTS, BATCH):
        engine.ingest(part)
        progress.value += 1
        engine.advance(to=max(e.occurred_at for e in part))
        progress.value += 1
    engine.advance(to=AT)
    store.close()


UNITS = len(SHIPMENTS) + 2 * len(batches(EVENTS, BATCH)) + 1


def _run(url: str, kill_at: tuple[int, float] | None) -> int | None:
    """Run the child; with ``kill_at=(unit, delay)``, SIGKILL it ``delay`` seconds
    after it has committed ``unit`` units: a random instant inside the next ones."""
    context = multiprocessing.get_context("fork")
    progress = context.Value("i", 0)
    child = context.Process(target=_ingest_everything, args=(url, progress))
    child.start()
    if kill_at is not None:
        unit, delay = kill_at
        while progress.value < unit and child.is_alive():
            time.sleep(0.0005)
        time.sleep(delay)
        child.kill()
    child.join(120)
    return child.exitcode


def crash_many_times(url: str, kills: int, seed: int) -> int:
    """SIGKILL the child at random instants until it was killed ``kills`` times while
    running (each restart re-sends everything from the start); then let one run
    finish.  Returns the number of kills."""
    rng = random.Random(seed)
    killed = attempts = 0
    while killed < kills:
        attempts += 1
        assert attempts < kills * 3, "the child keeps finishing before the kill"
        code = _run(url, (rng.randrange(UNITS), rng.uniform(0.0, 0.02)))
        if code == -signal.SIGKILL:
            killed += 1
        else:
            assert code == 0
    assert _run(url, None) == 0
    return killed


def check_against_memory(url: str) -> None:
    memory = reference(SHIPMENTS, EVENTS, AT, size=BATCH)
    with open_store(url) as store:
        engine = Engine(PACK, store=store)
        assert engine.open_incidents() == memory.open_incidents()
        ids = feed_ids(url)
        assert not [i for i, n in Counter(ids).items() if n > 1]
        live = fold(all_changes(store))
        assert keys(live.values()) == keys(engine.open_incidents())


def test_sqlite_survives_twenty_kills(sqlite_url: str) -> None:
    assert crash_many_times(sqlite_url, kills=20, seed=1) == 20
    check_against_memory(sqlite_url)


@pytest.mark.slow
def test_postgresql_survives_twenty_kills(pg_url: str) -> None:
    assert crash_many_times(pg_url, kills=20, seed=2) == 20
    check_against_memory(pg_url)
