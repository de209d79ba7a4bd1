"""Issue 11 §8: overall deadlines and capped bodies in the HTTP layer.

The trickle tests run a real server on 127.0.0.1 that sends one byte at a time:
per-operation timeouts never fire against it, only the overall deadline does.
Everything else drives ``httpx.MockTransport`` handlers and a ``FakeClock``.
"""

from __future__ import annotations

import asyncio
import gzip
import random
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from logix_carriers import (
    AdapterSettings,
    CarrierUnavailable,
    ConfigError,
    DeadlineExceeded,
    HttpSession,
    ProblemCode,
    RateLimited,
    ResponseFormatError,
    ResponseTooLarge,
    RetryPolicy,
)
from logix_carriers.carriers._dhl import DhlAdapter
from logix_carriers.testing import FakeClock

HOSTILE = Path(__file__).parent / "payloads" / "hostile"
BOMB = (HOSTILE / "gzip_bomb_1gib.gz.gz").read_bytes()  # 1 GiB of zeros, gzipped twice
DHL_OK = b'{"shipments": [{"id": "123456", "events": []}]}'


class MaxRandom(random.Random):
    """Full jitter at its upper bound, so backoff delays are predictable."""

    def uniform(self, a: float, b: float) -> float:
        return b


def session(
    handler: Callable[[httpx.Request], httpx.Response], clock: FakeClock, **kw: Any
) -> HttpSession:
    transport = httpx.MockTransport(handler)
    return HttpSession(
        "acme",
        transport=transport,
        async_transport=transport,
        clock=clock,
        sleep=clock.sleep,
        async_sleep=clock.asleep,
        rng=MaxRandom(),
        **kw,
    )


def get(url: str = "https://api.carrier.example/track") -> httpx.Request:
    return httpx.Request("GET", url)


# -- a server that trickles -------------------------------------------------------------


class Trickler:
    """Answers every connection by sending ``head`` then ``body``, one byte per ``pause``.

    With ``trickle_head`` the status line and headers trickle too; otherwise they
    arrive at once and only the body trickles.
    """

    def __init__(self, body: bytes, *, trickle_head: bool, pause: float = 0.25) -> None:
        self.body = body
        self.trickle_head = trickle_head
        self.pause = pause
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(self.body)
        )
        with conn:
            try:
                conn.recv(65536)
                slow = head + self.body
                if not self.trickle_head:
                    conn.sendall(head)
                    slow = self.body
                for byte in slow:
                    if self.stop.is_set():
                        return
                    conn.sendall(bytes([byte]))
                    time.sleep(self.pause)
            except OSError:
                return  # the client gave up and closed the connection

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def trickler(request: pytest.FixtureRequest) -> Iterator[Trickler]:
    server = Trickler(DHL_OK + b" " * 64, trickle_head=request.param)
    server.thread.start()
    yield server
    server.stop.set()
    server.thread.join(timeout=2)
    server.sock.close()


@pytest.mark.parametrize("trickler", [True, False], ids=["headers", "body"], indirect=True)
def test_a_trickling_server_cannot_hold_a_sync_call_past_its_deadline(trickler: Trickler) -> None:
    http = HttpSession("acme", timeout=1.0, request_deadline=1.0)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=r"gave up: the request deadline \(1 s\) passed"):
        http.send(get(f"{trickler.url}/track"))
    assert time.monotonic() - started < 3.0  # the whole answer would take over 25 s
    http.close()


@pytest.mark.parametrize("trickler", [True], ids=["headers"], indirect=True)
def test_a_trickling_server_cannot_hold_an_async_call_past_its_deadline(
    trickler: Trickler,
) -> None:
    async def call() -> None:
        http = HttpSession("acme", timeout=1.0, request_deadline=1.0)
        try:
            await http.asend(get(f"{trickler.url}/track"))
        finally:
            await http.aclose()

    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        asyncio.run(call())
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize("trickler", [False], ids=["body"], indirect=True)
def test_track_turns_a_trickle_into_a_carrier_error_for_its_number(trickler: Trickler) -> None:
    dhl = DhlAdapter(
        api_key="dhl-key-123456",
        base_url=trickler.url,
        environ={},
        timeout=1.0,
        request_deadline=1.0,
    )
    started = time.monotonic()
    result = dhl.track(["123456"])
    assert time.monotonic() - started < 3.0
    [problem] = result.problems
    assert problem.tracking_number == "123456"
    assert problem.code is ProblemCode.CARRIER_ERROR
    assert "DeadlineExceeded" in problem.message
    assert "request deadline (1 s)" in problem.message
    dhl.close()


# -- deadlines on the fake clock ----------------------------------------------------------


def test_a_backoff_that_would_overrun_the_deadline_is_not_waited() -> None:
    clock = FakeClock()
    http = session(
        lambda r: httpx.Response(503),
        clock,
        request_deadline=5.0,
        retry=RetryPolicy(max_retries=5, base_delay=2.0),
    )
    with pytest.raises(DeadlineExceeded, match="waiting 4 s for the next attempt would overrun"):
        http.send(get())
    assert clock.sleeps == [2.0]  # the second pause (4 s) would end past the 5 s deadline


def test_a_retry_after_beyond_the_deadline_is_raised_at_once_with_the_hint() -> None:
    clock = FakeClock()
    http = session(
        lambda r: httpx.Response(429, headers={"Retry-After": "30"}), clock, request_deadline=10.0
    )
    with pytest.raises(RateLimited) as info:
        http.send(get())
    assert info.value.retry_after == 30.0
    assert clock.sleeps == []


def test_slow_attempts_stop_retrying_once_the_deadline_passed() -> None:
    clock = FakeClock()

    def slow_then_timeout(request: httpx.Request) -> httpx.Response:
        clock.advance(3.0)  # each attempt takes 3 s before timing out
        raise httpx.ReadTimeout("slow", request=request)

    http = session(slow_then_timeout, clock, request_deadline=5.0)
    with pytest.raises(DeadlineExceeded, match="after 2 attempts"):
        http.send(get())
    assert isinstance(DeadlineExceeded("x"), CarrierUnavailable)


def test_per_operation_timeouts_never_exceed_what_is_left_of_the_deadline() -> None:
    clock = FakeClock()
    seen: list[dict[str, float]] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.extensions["timeout"]))
        clock.advance(4.0)
        return httpx.Response(503) if len(seen) == 1 else httpx.Response(200, json={})

    http = session(record, clock, timeout=20.0, request_deadline=6.0)
    http.send(get())
    assert seen[0] == {"connect": 6.0, "read": 6.0, "write": 6.0, "pool": 6.0}
    assert seen[1]["read"] == pytest.approx(1.5)  # 6 - 4 (attempt) - 0.5 (backoff)


def test_a_body_that_takes_too_long_is_cut_between_chunks() -> None:
    clock = FakeClock()

    def slow_body() -> Iterator[bytes]:
        for _ in range(100):
            clock.advance(1.0)
            yield b" "

    http = session(lambda r: httpx.Response(200, content=slow_body()), clock, request_deadline=10)
    with pytest.raises(DeadlineExceeded):
        http.send(get())
    assert clock.monotonic() == pytest.approx(10.0)


def test_within_shortens_one_call() -> None:
    clock = FakeClock()
    http = session(lambda r: httpx.Response(503), clock, request_deadline=60.0)
    with pytest.raises(DeadlineExceeded, match=r"caller's deadline \(1 s left\)"):
        http.send(get(), within=1.0)


def test_async_calls_keep_the_same_deadline() -> None:
    clock = FakeClock()
    http = session(
        lambda r: httpx.Response(503),
        clock,
        request_deadline=5.0,
        retry=RetryPolicy(max_retries=5, base_delay=2.0),
    )
    with pytest.raises(DeadlineExceeded):
        asyncio.run(http.asend(get()))
    assert clock.sleeps == [2.0]


def test_track_stops_sending_when_its_own_deadline_passed() -> None:
    clock = FakeClock()

    def answer(request: httpx.Request) -> httpx.Response:
        clock.advance(2.0)
        number = request.url.params["trackingNumber"]
        return httpx.Response(200, json={"shipments": [{"id": number, "events": []}]})

    transport = httpx.MockTransport(answer)
    dhl = DhlAdapter(
        api_key="dhl-key-123456",
        transport=transport,
        async_transport=transport,
        clock=clock,
        sleep=clock.sleep,
        async_sleep=clock.asleep,
        environ={},
        track_deadline=5.0,
    )
    result = dhl.track(["111111", "222222", "333333", "444444"])
    # Each answer takes 2 s: the third starts at 4 s, before the 5 s deadline; the
    # fourth would start at 6 s and is not sent.
    codes = {n: [p.code for p in result.problems_for(n)] for n in result.numbers}
    assert codes["111111"] == codes["222222"] == codes["333333"] == [ProblemCode.NOT_FOUND]
    assert codes["444444"] == [ProblemCode.CARRIER_ERROR]
    late = result.problems_for("444444")[0].message
    assert "track() deadline (5 s) passed" in late
    assert "LOGIX_DHL_TRACK_DEADLINE" in late


def test_deadlines_and_the_body_cap_are_settings_with_documented_defaults() -> None:
    defaults = AdapterSettings()
    assert defaults.request_deadline == 60.0
    assert defaults.track_deadline == 600.0
    assert defaults.max_body_bytes == 10 * 1024 * 1024
    dhl = DhlAdapter(
        environ={
            "LOGIX_DHL_API_KEY": "k" * 12,
            "LOGIX_DHL_REQUEST_DEADLINE": "7.5",
            "LOGIX_DHL_MAX_BODY_BYTES": "4096",
        }
    )
    assert dhl.http.request_deadline == 7.5
    assert dhl.http.max_body_bytes == 4096
    for bad in ("0", "-1", "inf", "nan", "never"):
        with pytest.raises(ConfigError, match="LOGIX_DHL_TRACK_DEADLINE"):
            _ = DhlAdapter(
                environ={"LOGIX_DHL_API_KEY": "k" * 12, "LOGIX_DHL_TRACK_DEADLINE": bad}
            ).settings


# -- the body cap ----------------------------------------------------------------------------


def streamed(content: bytes, encoding: str | None = None, **headers: str) -> httpx.Response:
    """A response whose body really streams (not read up front by MockTransport)."""
    if encoding:
        headers["Content-Encoding"] = encoding
    return httpx.Response(
        200,
        headers=headers,
        content=iter([content[i : i + 8192] for i in range(0, len(content), 8192)]),
    )


def test_a_double_gzip_bomb_stops_at_the_limit_without_taking_the_memory() -> None:
    http = session(lambda r: streamed(BOMB, "gzip, gzip"), FakeClock())
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLarge, match="larger than the limit of 10485760 bytes"):
            http.send(get())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 24 * 1024 * 1024  # the body decodes to 1 GiB


def test_a_gzip_bomb_is_a_bad_payload_for_its_number() -> None:
    bomb = zlib.compressobj(6, zlib.DEFLATED, 31)
    data = b"".join(bomb.compress(bytes(1 << 20)) for _ in range(32)) + bomb.flush()
    assert len(data) < 64 * 1024  # 32 MiB of zeros
    clock = FakeClock()
    transport = httpx.MockTransport(lambda r: streamed(data, "gzip"))
    dhl = DhlAdapter(
        api_key="dhl-key-123456",
        transport=transport,
        clock=clock,
        sleep=clock.sleep,
        environ={},
        max_body_bytes=1024 * 1024,
    )
    [problem] = dhl.track(["123456"]).problems
    assert problem.code is ProblemCode.BAD_PAYLOAD
    assert problem.raw is None
    assert "ResponseTooLarge" in problem.message
    assert "1048576 bytes" in problem.message


def test_an_announced_length_over_the_limit_is_refused_before_reading() -> None:
    http = session(lambda r: streamed(b"{}", **{"Content-Length": "99999999"}), FakeClock())
    with pytest.raises(ResponseTooLarge, match="announces 99999999 bytes"):
        http.send(get())


def test_error_pages_are_capped_too() -> None:
    page = b"<html>" + b"x" * 20_000 + b"</html>"
    http = session(
        lambda r: httpx.Response(400, content=iter([page])), FakeClock(), max_body_bytes=4096
    )
    with pytest.raises(ResponseTooLarge):
        http.send(get())


def test_an_already_read_body_over_the_limit_is_refused() -> None:
    http = session(
        lambda r: httpx.Response(200, content=b"x" * 5000), FakeClock(), max_body_bytes=4096
    )
    with pytest.raises(ResponseTooLarge, match="5000 bytes"):
        http.send(get())


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send
        ("gzip, deflate", lambda b: zlib.compress(gzip.compress(b))),
        ("identity", lambda b: b),
        ("br", lambda b: b),  # not decodable here: passed through, as httpx does
    ],
)
def test_encoded_bodies_decode_as_before(encoding: str, encode: Callable[[bytes], bytes]) -> None:
    body = b'{"shipments": [], "note": "' + b"a" * 100_000 + b'"}'
    http = session(lambda r: streamed(encode(body), encoding), FakeClock())
    response = http.send(get())
    assert response.content == body
    assert response.json()["note"] == "a" * 100_000
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize(
    "body",
    [gzip.compress(b'{"a": 1}')[:-12], gzip.compress(b"{}")[:10] + b"\xff" * 20],
    ids=["cut short", "garbage"],
)
def test_a_corrupt_gzip_body_is_a_format_error(body: bytes) -> None:
    http = session(lambda r: streamed(body, "gzip"), FakeClock())
    with pytest.raises(ResponseFormatError, match="does not decompress as gzip"):
        http.send(get())
