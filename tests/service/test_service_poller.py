"""The poller against httpx.MockTransport answers built from DHL's recorded payloads:
due parcels claimed within the carrier's rate limit (kept in the store, shared by every
process), each polled once per interval, final parcels never again; on PostgreSQL a
parcel another process holds is skipped (SKIP LOCKED)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from service_support import PACK, PAYLOADS, fresh_database, postgres_server

from logix_carriers.carriers._dhl import DhlAdapter
from logix_carriers.testing import FakeClock
from logix_rules.service import ServiceContext
from logix_rules.service._poller import Poller, claim_due
from logix_rules.store import Store, open_store

T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
NOW = 1_780_000_000_000_000  # µs: the poller's "now" in these tests
SECOND = 1_000_000
UNIFIED = (PAYLOADS / "dhl" / "docs_example_unified.json").read_text("utf-8")  # info received
JOURNEY = (PAYLOADS / "dhl" / "parcel_de_journey.json").read_text("utf-8")  # delivered


def dhl_answer(request: httpx.Request) -> httpx.Response:
    """DHL's recorded answers with the asked number put in: numbers starting with D are
    delivered (final), the others only announced."""
    number = request.url.params["trackingNumber"]
    if number.startswith("D"):
        body = JOURNEY.replace("00340434161094042557", number)
    else:
        body = UNIFIED.replace("7777777770", number)
    return httpx.Response(200, json=json.loads(body))


class Recorder:
    def __init__(self) -> None:
        self.asked: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.asked.append(request.url.params["trackingNumber"])
        return dhl_answer(request)


def dhl(recorder: Recorder) -> DhlAdapter:
    clock = FakeClock()
    return DhlAdapter(
        api_key="dhl-api-key",
        transport=httpx.MockTransport(recorder),
        clock=clock,
        sleep=clock.sleep,
        environ={},
    )


def seed(store: Store, numbers: list[str]) -> ServiceContext:
    ctx = ServiceContext(store, PACK)
    with ctx.handle() as h:
        h.engine.ingest(
            {"tracking_number": tn, "carrier": "dhl", "occurred_at": T0, "status": "in_transit"}
            for tn in numbers
        )
    return ctx


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'ops.db'}")
    yield opened
    opened.close()


def test_polls_stay_within_the_rate_limit_and_the_interval(store: Store) -> None:
    ctx = seed(store, ["N1", "N2", "D1"])
    recorder = Recorder()
    poller = Poller([dhl(recorder)], {"dhl": 600.0}, metrics=ctx.metrics)
    with ctx.handle() as h:
        # DHL allows one request a second with no burst: one parcel now, none more now.
        first = poller.step(h, "dhl", now_us=NOW)
        assert (first.parcels, first.requests) == (1, 1)
        assert poller.step(h, "dhl", now_us=NOW).parcels == 0
        assert poller.step(h, "dhl", now_us=NOW + SECOND).parcels == 1
        # Ten quiet seconds buy one request, not ten: the bucket holds one token.
        assert poller.step(h, "dhl", now_us=NOW + 11 * SECOND).parcels == 1
        assert poller.step(h, "dhl", now_us=NOW + 11 * SECOND).parcels == 0
        assert sorted(recorder.asked) == ["D1", "N1", "N2"]
        # Within the interval nothing is due; after it the announced ones are, the
        # delivered one never again.
        assert poller.step(h, "dhl", now_us=NOW + 300 * SECOND).parcels == 0
        later = [poller.step(h, "dhl", now_us=NOW + (612 + n) * SECOND).parcels for n in range(4)]
        assert later == [1, 1, 0, 0]
    assert sorted(recorder.asked) == ["D1", "N1", "N1", "N2", "N2"]
    assert ctx.metrics.value("logix_polls_total", carrier="dhl") == 5
    assert ctx.metrics.value("logix_events_ingested_total", source="poll") > 0
    with store.db.transaction(write=False):
        final = store.db.execute("SELECT tracking_number FROM poll_schedule WHERE final = 1")
    assert final == [("D1",)]


def test_two_processes_share_one_rate_limit(store: Store, tmp_path: Path) -> None:
    seed(store, [f"N{n}" for n in range(6)])
    recorder = Recorder()
    other = open_store(f"sqlite:///{tmp_path / 'ops.db'}")
    try:
        one = ServiceContext(store, PACK)
        two = ServiceContext(other, PACK)
        pollers = [Poller([dhl(recorder)], {"dhl": 600.0}) for _ in range(2)]
        for tick in range(4):
            for ctx, poller in zip((one, two), pollers, strict=True):
                with ctx.handle() as h:
                    poller.step(h, "dhl", now_us=NOW + tick * SECOND)
        # Four seconds, one request a second, whatever the number of processes.
        assert len(recorder.asked) == 4
        assert len(set(recorder.asked)) == 4
    finally:
        other.close()


def test_parcels_new_to_the_store_are_scheduled_within_a_minute(store: Store) -> None:
    ctx = seed(store, ["N1"])
    recorder = Recorder()
    poller = Poller([dhl(recorder)], {"dhl": 600.0})
    with ctx.handle() as h:
        assert poller.step(h, "dhl", now_us=NOW).parcels == 1
        h.engine.ingest(
            [{"tracking_number": "N2", "carrier": "dhl", "occurred_at": T0, "status": "in_transit"}]
        )
        assert poller.step(h, "dhl", now_us=NOW + 30 * SECOND).parcels == 0
        assert poller.step(h, "dhl", now_us=NOW + 61 * SECOND).parcels == 1
    assert recorder.asked == ["N1", "N2"]


def test_parcels_of_other_carriers_are_not_polled(store: Store) -> None:
    ctx = seed(store, ["N1"])
    with ctx.handle() as h:
        h.engine.ingest(
            [{"tracking_number": "U1", "carrier": "ups", "occurred_at": T0, "status": "in_transit"}]
        )
        recorder = Recorder()
        poller = Poller([dhl(recorder)], {"dhl": 600.0})
        for n in range(3):
            poller.step(h, "dhl", now_us=NOW + n * SECOND)
    assert recorder.asked == ["N1"]


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    yield from postgres_server()


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    yield from fresh_database(pg_server)


def test_postgresql_skips_a_parcel_another_process_holds(pg_url: str) -> None:
    first, second = open_store(pg_url), open_store(pg_url)
    try:
        seed(first, ["N1", "N2"])
        adapter = dhl(Recorder())
        ctx = ServiceContext(second, PACK)
        with ctx.handle() as h:
            Poller([adapter], {"dhl": 600.0}).step(h, "dhl", now_us=NOW - 10**9)  # schedules
        db = first.db
        with db.transaction(write=True):
            db.execute("UPDATE rate_buckets SET tokens = 1, updated = ?", (NOW,))
            db.execute("UPDATE poll_schedule SET next_poll = ?", (NOW - SECOND,))  # N1 first
        claimed: list[str] = []
        with db.transaction(write=True):
            # Another process is in the middle of claiming N1 (its row is locked).
            db.execute("SELECT 1 FROM poll_schedule WHERE tracking_number = 'N1' FOR UPDATE")

            def claim() -> None:
                with ctx.handle() as h:
                    claimed.extend(claim_due(h, adapter, 600.0, NOW))

            claimer = threading.Thread(target=claim)
            claimer.start()
            claimer.join(10)
            waited = claimer.is_alive()  # a claim that waits for the lock, not skips it
        claimer.join()
        assert not waited
        assert claimed == ["N2"]
    finally:
        first.close()
        second.close()


def test_postgresql_pollers_racing_stay_within_one_limit(pg_url: str) -> None:
    stores = [open_store(pg_url) for _ in range(3)]
    try:
        seed(stores[0], [f"N{n:02d}" for n in range(20)])
        recorder = Recorder()
        contexts = [ServiceContext(store, PACK) for store in stores[1:]]
        pollers = [Poller([dhl(recorder)], {"dhl": 600.0}) for _ in contexts]
        failures: list[BaseException] = []

        def work(ctx: ServiceContext, poller: Poller) -> None:
            try:
                with ctx.handle() as h:
                    for tick in range(10):
                        for _ in range(3):
                            poller.step(h, "dhl", now_us=NOW + tick * SECOND)
            except BaseException as exc:  # surfaced below
                failures.append(exc)

        threads = [
            threading.Thread(target=work, args=pair) for pair in zip(contexts, pollers, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        # Ten seconds of DHL's one request a second, shared: never more, never a parcel twice.
        assert 1 <= len(recorder.asked) <= 10
        assert len(set(recorder.asked)) == len(recorder.asked)
    finally:
        for store in stores:
            store.close()
