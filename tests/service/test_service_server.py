"""The service for real: two `logix serve` processes (uvicorn on 127.0.0.1) over one
PostgreSQL, fed by a bounded loopback load generator with 5 % duplicates and 5 % bad
signatures.  Every valid event is stored exactly once, every bad one is rejected, and
the latencies are printed.

The CI variant runs 10 s at 200 webhooks/s; the long one (60 s) runs only when
``LOGIX_SERVICE_LOAD_SECONDS`` is set, e.g. ``LOGIX_SERVICE_LOAD_SECONDS=60 pytest -s
tests/service/test_service_server.py`` (``LOGIX_SERVICE_LOAD_RATE`` changes its rate).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from loadgen import generate
from service_support import PACK_YAML, fresh_database, postgres_server

from logix_rules.store import open_store

KEY = "17track-key-of-the-load-test"
TOKEN = "load-test-api-token"
RATE = 200.0
LONG = os.environ.get("LOGIX_SERVICE_LOAD_SECONDS")
#: The long run's rate (webhooks/s), to find what a machine sustains.
LONG_RATE = float(os.environ.get("LOGIX_SERVICE_LOAD_RATE") or RATE)


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    yield from postgres_server()


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    yield from fresh_database(pg_server)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_service(url: str, pack: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LOGIX_SESSION_SECRET": "a-session-secret-for-the-load-test",
        "LOGIX_API_TOKENS": TOKEN,
        "LOGIX_17TRACK_API_KEY": KEY,
        "LOGIX_POLL_CARRIERS": "",
        "LOGIX_DB_POOL": "8",
    }
    command = [
        sys.executable,
        "-c",
        "import sys; from logix_rules.cli._main import main; sys.exit(main())",
        "serve",
        "--store",
        url,
        "--pack",
        str(pack),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_healthy(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the service exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the service on port {port} never became healthy:\n{log.read_text()}")


def run_load(pg_url: str, tmp_path: Path, seconds: float, rate: float = RATE) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK_YAML, "utf-8")
    open_store(pg_url).close()  # migrate once, before the two processes race to
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"service-{n}.log" for n in range(2)]
    processes = [start_service(pg_url, pack, p, log) for p, log in zip(ports, logs, strict=True)]
    try:
        for port, process, log in zip(ports, processes, logs, strict=True):
            wait_healthy(port, process, log)
        report = asyncio.run(
            generate([f"http://127.0.0.1:{p}" for p in ports], KEY, rate=rate, seconds=seconds)
        )
        print(f"\nservice load, 2 processes over PostgreSQL: {report.summary()}")
        metrics = httpx.get(f"http://127.0.0.1:{ports[0]}/metrics").text
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    valid, dupes, forged = report.of("valid"), report.of("duplicate"), report.of("forged")
    assert len(report.outcomes) == int(rate * seconds)
    assert {o.status for o in valid + dupes} == {200}
    assert {o.status for o in forged} == {401}
    assert dupes
    assert forged
    # Every valid event exactly once: each valid push is new exactly once, whichever
    # process got it and whether its duplicate came first.
    assert sum(o.new for o in valid + dupes) == len(valid)
    with open_store(pg_url) as store:
        db = store.db
        with db.transaction(write=False):
            (events,) = db.execute("SELECT COUNT(*) FROM webhook_events")[0]
            parcels = db.execute("SELECT COUNT(*) FROM shipments WHERE state IS NOT NULL")[0][0]
        assert events == len(valid)
        assert parcels == len(report.valid_numbers)
    assert "logix_events_ingested_total" in metrics
    # Latency is reported, not asserted: it measures the machine as much as the service.
    artifacts = os.environ.get("LOGIX_TEST_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        with (Path(artifacts) / "service-load.txt").open("a", encoding="utf-8") as out:
            out.write(f"{seconds:g} s at {rate:g}/s: {report.summary()}\n")


@pytest.mark.slow
def test_two_processes_take_200_webhooks_a_second(pg_url: str, tmp_path: Path) -> None:
    run_load(pg_url, tmp_path, 10.0)


@pytest.mark.skipif(not LONG, reason="the long load run is manual: set LOGIX_SERVICE_LOAD_SECONDS")
def test_two_processes_under_a_long_load(pg_url: str, tmp_path: Path) -> None:
    run_load(pg_url, tmp_path, float(LONG or 60), LONG_RATE)
