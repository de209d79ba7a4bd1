"""The app's own jobs in its lifespan (run here as a server runs it): the clock fires
deadlines within its interval and the poller polls a carrier without push."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from service_support import AUTH, adapters, client, make_app, run, settings
from test_service_poller import dhl_answer

from logix_rules.store import Store, open_store

T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'ops.db'}")
    yield opened
    opened.close()


async def eventually(check: Callable[[], Any], seconds: float = 10.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.05)
    pytest.fail("the background job did not get there in time")


def test_the_clock_fires_deadlines_on_its_own(store: Store) -> None:
    now = [T0]
    app = make_app(
        store,
        background=True,
        clock=lambda: now[0],
        settings=settings(clock_interval=0.05, poll_carriers=()),
    )
    with app.state.logix.handle() as h:
        h.engine.ingest(
            [{"tracking_number": "C1", "carrier": "dhl", "occurred_at": T0, "status": "in_transit"}]
        )

    async def incidents() -> Any:
        async with client(app) as http:
            return (await http.get("/api/v1/incidents", headers=AUTH)).json()["incidents"]

    async def scenario() -> Any:
        async with app.router.lifespan_context(app):
            await asyncio.sleep(0.3)
            assert await incidents() == []
            now[0] = T0 + timedelta(days=1, seconds=1)  # the stall is due now
            return await eventually(incidents)

    (stall,) = run(scenario())
    assert stall["kind"] == "tracking_stall"
    assert app.state.logix.metrics.value("logix_advances_total") >= 2


def test_the_poller_polls_a_carrier_without_push(store: Store) -> None:
    app = make_app(
        store,
        background=True,
        adapters=adapters(dhl_transport=httpx.MockTransport(dhl_answer)),
        settings=settings(clock_interval=60, poll_carriers=("dhl",)),
    )
    with app.state.logix.handle() as h:
        h.engine.ingest(
            [{"tracking_number": "D7", "carrier": "dhl", "occurred_at": T0, "status": "in_transit"}]
        )

    async def polled() -> bool:
        with store.db.transaction(write=False):
            rows = store.db.execute("SELECT final FROM poll_schedule WHERE tracking_number = 'D7'")
        return rows == [(1,)]

    async def scenario() -> None:
        async with app.router.lifespan_context(app):
            await eventually(polled)

    run(scenario())
    assert app.state.logix.metrics.value("logix_polls_total", carrier="dhl") == 1


def test_a_carrier_without_credentials_is_not_polled(store: Store) -> None:
    from logix_carriers.carriers._dhl import DhlAdapter
    from logix_rules.service._background import poll_targets

    app = make_app(store, adapters={"dhl": DhlAdapter(environ={})})
    assert poll_targets(app.state.logix) == []
    configured = make_app(store)
    assert [a.code for a in poll_targets(configured.state.logix)] == ["dhl"]


def test_the_relay_delivers_changes_to_a_real_receiver(store: Store) -> None:
    import http.server
    import threading

    from pydantic import SecretStr

    from logix_rules.service import verify_relay

    received: list[tuple[bytes, str, str]] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append(
                (body, self.headers["x-logix-timestamp"], self.headers["x-logix-signature"])
            )
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        app = make_app(
            store,
            background=True,
            clock=lambda: T0 + timedelta(days=1, minutes=5),
            settings=settings(
                clock_interval=0.05,
                poll_carriers=(),
                relay_url=f"http://127.0.0.1:{server.server_address[1]}/logix",
                relay_secret=SecretStr("relay-secret"),
            ),
        )
        with app.state.logix.handle() as h:
            h.engine.ingest(
                [
                    {
                        "tracking_number": "R1",
                        "carrier": "dhl",
                        "occurred_at": T0,
                        "status": "in_transit",
                    }
                ]
            )

        async def delivered() -> bool:
            return bool(received)

        async def scenario() -> None:
            async with app.router.lifespan_context(app):
                await eventually(delivered)

        run(scenario())
    finally:
        server.shutdown()
    body, stamp, signature = received[0]
    assert verify_relay("relay-secret", body, stamp, signature)
    assert b'"type":"opened"' in body
