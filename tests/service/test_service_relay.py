"""The outbound relay against httpx.MockTransport receivers: signed deliveries in seq
order, retries with exponential backoff and jitter, dead letters after N failures
(listed by the API), one relaying process at a time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from service_support import AUTH, client, make_app, run

from logix_rules.service._relay import Relay, dead_letters, sign_relay, verify_relay
from logix_rules.store import Store, open_store

SECRET = "relay-secret-for-tests"
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Any:
    opened = open_store(f"sqlite:///{tmp_path / 'ops.db'}")
    yield opened
    opened.close()


def seed(app: Any, count: int = 3) -> None:
    with app.state.logix.handle() as h:
        h.engine.ingest(
            {
                "tracking_number": f"R{n}",
                "carrier": "dhl",
                "occurred_at": T0 + timedelta(minutes=n),
                "status": "in_transit",
            }
            for n in range(count)
        )
        h.engine.advance(to=T0 + timedelta(days=1, minutes=10))


def relay(handler: Any, **options: Any) -> Relay:
    return Relay(
        "https://oms.example/logix",
        SECRET,
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        jitter=lambda: 0.5,
        now=lambda: 1_770_000_000.0,
        **options,
    )


def test_changes_are_delivered_signed_and_in_order(store: Store) -> None:
    seed(make_app(store))
    got: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        got.append(request)
        return httpx.Response(204)

    sender = relay(receiver)
    assert sender.step(store) == 0.5  # all delivered, nothing more: a short pause
    assert [json.loads(r.content)["seq"] for r in got] == [1, 2, 3]
    for request in got:
        stamp = request.headers["x-logix-timestamp"]
        assert stamp == "1770000000"
        assert verify_relay(
            SECRET, request.content, stamp, request.headers["x-logix-signature"], now=1_770_000_010
        )
        assert not verify_relay(
            "another",
            request.content,
            stamp,
            request.headers["x-logix-signature"],
            now=1_770_000_010,
        )
        assert not verify_relay(
            SECRET,
            request.content + b" ",
            stamp,
            request.headers["x-logix-signature"],
            now=1_770_000_010,
        )
        # A replay an hour later is refused by its timestamp.
        assert not verify_relay(
            SECRET, request.content, stamp, request.headers["x-logix-signature"], now=1_770_003_600
        )
        assert request.headers["x-logix-change-id"] == json.loads(request.content)["id"]
    assert sender.step(store) == 0.5
    assert len(got) == 3


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    import hashlib
    import hmac

    expected = hmac.new(SECRET.encode(), b"1770000000.{}", hashlib.sha256).hexdigest()
    assert sign_relay(SECRET, b"{}", 1_770_000_000) == f"sha256={expected}"


def test_failures_back_off_then_go_to_the_dead_letters(store: Store) -> None:
    app = make_app(store)
    seed(app, count=2)
    calls: list[int] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seq = json.loads(request.content)["seq"]
        calls.append(seq)
        return httpx.Response(500 if seq == 1 else 200)

    sender = relay(receiver, max_attempts=4, base_delay=1.0, max_delay=5.0)
    # Jitter 0.5 gives three quarters of the doubling delay: 1, 2, 4 capped at 5.
    assert [sender.step(store) for _ in range(3)] == [0.75, 1.5, 3.0]
    assert calls == [1, 1, 1]
    assert dead_letters(store) == []
    assert sender.step(store) == 0.5  # fourth failure: dead letter, then seq 2 goes through
    assert calls == [1, 1, 1, 1, 2]
    (dead,) = dead_letters(store)
    assert (dead.seq, dead.attempts, dead.last_error) == (1, 4, "HTTP 500")
    listed = run(_get(app, "/api/v1/dead-letters"))
    assert listed["dead_letters"][0]["seq"] == 1
    assert listed["dead_letters"][0]["change_id"].startswith("chg_")


def test_a_receiver_that_cannot_be_reached_is_retried(store: Store) -> None:
    seed(make_app(store), count=1)

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    sender = relay(down, max_attempts=2)
    assert sender.step(store) == 0.75
    sender.step(store)
    assert dead_letters(store)[0].last_error.startswith("ConnectError")


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    draws = iter([0.0, 1.0, 0.0, 1.0])
    sender = Relay("https://x", SECRET, base_delay=2.0, max_delay=10.0, jitter=lambda: next(draws))
    assert [sender.backoff(n) for n in (1, 2, 3, 5)] == [1.0, 4.0, 4.0, 10.0]
    assert SECRET not in repr(sender)


def test_only_one_relay_holds_the_lease(store: Store, tmp_path: Path) -> None:
    seed(make_app(store), count=1)
    delivered: list[str] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        delivered.append(request.headers["x-logix-change-id"])
        return httpx.Response(200)

    other_store = open_store(f"sqlite:///{tmp_path / 'ops.db'}")
    try:
        first, second = relay(receiver), relay(receiver)
        first.step(store)
        assert second.step(other_store) == 10.0  # the lease is held: wait and try again
        assert len(delivered) == 1
    finally:
        other_store.close()


async def _get(app: Any, url: str) -> Any:
    async with client(app) as http:
        answer = await http.get(url, headers=AUTH)
        assert answer.status_code == 200
        return answer.json()
