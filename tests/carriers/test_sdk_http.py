"""The resilient HTTP layer: retries, Retry-After, rate limiting, OAuth, timeouts.

Every test drives ``httpx.MockTransport`` handlers and a ``FakeClock``; nothing
really sleeps and nothing touches the network.
"""

from __future__ import annotations

import asyncio
import base64
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from pydantic import SecretStr

from logix_carriers import (
    AuthError,
    CarrierError,
    CarrierUnavailable,
    HttpSession,
    NotFound,
    OAuthClientCredentials,
    RateLimit,
    RateLimited,
    RetryPolicy,
    TokenBucket,
)
from logix_carriers._http import safe_url
from logix_carriers._http_pacing import parse_retry_after
from logix_carriers.testing import FakeClock

URL = "https://api.carrier.example/track?key=sekrit-query-key"


class MaxRandom(random.Random):
    """Full jitter at its upper bound, so backoff delays are predictable."""

    def uniform(self, a: float, b: float) -> float:
        return b


def scripted(
    *steps: httpx.Response | Exception,
) -> tuple[Callable[..., httpx.Response], list[httpx.Request]]:
    """A handler returning (or raising) ``steps`` in order; the last one repeats."""
    calls: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        step = steps[min(len(calls), len(steps)) - 1]
        if isinstance(step, Exception):
            raise step
        return step

    return handle, calls


def session(
    handler: Callable[..., httpx.Response], clock: FakeClock, **kwargs: object
) -> HttpSession:
    return HttpSession(
        "acme",
        transport=httpx.MockTransport(handler),
        clock=clock,
        sleep=clock.sleep,
        rng=kwargs.pop("rng", MaxRandom()),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def get() -> httpx.Request:
    return httpx.Request("GET", URL)


# -- Retry-After --------------------------------------------------------------------


def test_429_with_retry_after_seconds_waits_exactly_that_long() -> None:
    clock = FakeClock()
    handler, calls = scripted(
        httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"ok": 1})
    )
    response = session(handler, clock).send(get())
    assert response.json() == {"ok": 1}
    assert len(calls) == 2
    assert clock.sleeps == [7.0]


def test_429_with_retry_after_http_date_waits_until_that_date() -> None:
    clock = FakeClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    when = format_datetime(clock.now() + timedelta(seconds=42), usegmt=True)
    handler, calls = scripted(
        httpx.Response(429, headers={"Retry-After": when}), httpx.Response(200)
    )
    session(handler, clock).send(get())
    assert clock.sleeps == [42.0]
    assert len(calls) == 2


def test_429_until_retries_run_out_raises_rate_limited_with_the_hint() -> None:
    clock = FakeClock()
    handler, calls = scripted(httpx.Response(429, headers={"Retry-After": "3"}))
    with pytest.raises(RateLimited) as info:
        session(handler, clock, retry=RetryPolicy(max_retries=2)).send(get())
    assert info.value.retry_after == 3.0
    assert info.value.status_code == 429
    assert len(calls) == 3
    assert clock.sleeps == [3.0, 3.0]
    assert "after 3 attempts" in str(info.value)


def test_retry_after_longer_than_the_cap_is_not_waited() -> None:
    clock = FakeClock()
    handler, calls = scripted(httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimited) as info:
        session(handler, clock, retry=RetryPolicy(max_retry_after=60)).send(get())
    assert info.value.retry_after == 3600.0
    assert clock.sleeps == []
    assert len(calls) == 1


def test_503_with_retry_after_is_honoured_too() -> None:
    clock = FakeClock()
    handler, _ = scripted(httpx.Response(503, headers={"Retry-After": "2"}), httpx.Response(200))
    session(handler, clock).send(get())
    assert clock.sleeps == [2.0]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        (" 1.5 ", 1.5),
        ("-4", 0.0),
        ("Sun, 01 Mar 2026 12:00:30 GMT", 30.0),
        ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),  # already past
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, datetime(2026, 3, 1, 12, 0, tzinfo=UTC)) == expected


# -- backoff ------------------------------------------------------------------------


def test_503_then_success_backs_off_once() -> None:
    clock = FakeClock()
    handler, calls = scripted(httpx.Response(503), httpx.Response(200, text="fine"))
    response = session(handler, clock).send(get())
    assert response.text == "fine"
    assert len(calls) == 2
    assert clock.sleeps == [0.5]  # base_delay * 2**0 at the top of the jitter range


def test_backoff_doubles_and_is_capped() -> None:
    clock = FakeClock()
    handler, calls = scripted(httpx.Response(502))
    policy = RetryPolicy(max_retries=5, base_delay=1.0, max_delay=5.0)
    with pytest.raises(CarrierUnavailable) as info:
        session(handler, clock, retry=policy).send(get())
    assert clock.sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert len(calls) == 6
    assert info.value.status_code == 502


def test_full_jitter_stays_within_the_exponential_envelope() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=8.0)
    rng = random.Random(7)
    for retry in range(8):
        delays = [policy.backoff(retry, rng) for _ in range(200)]
        ceiling = min(8.0, 0.5 * 2**retry)
        assert all(0.0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # really spread over the range, not constant


@pytest.mark.parametrize("status", [400, 403, 404, 409, 422])
def test_other_4xx_are_not_retried(status: int) -> None:
    clock = FakeClock()
    handler, calls = scripted(httpx.Response(status, text="no"))
    with pytest.raises(CarrierError) as info:
        session(handler, clock).send(get())
    assert len(calls) == 1
    assert clock.sleeps == []
    assert info.value.status_code == status


def test_status_errors_are_typed() -> None:
    clock = FakeClock()
    for status, kind in [
        (401, AuthError),
        (403, AuthError),
        (404, NotFound),
        (500, CarrierUnavailable),
    ]:
        handler, _ = scripted(httpx.Response(status))
        with pytest.raises(kind):
            session(handler, clock, retry=RetryPolicy(max_retries=0)).send(get())


def test_accepted_statuses_are_returned_to_the_caller() -> None:
    handler, _ = scripted(httpx.Response(404, json={"title": "No shipment"}))
    response = session(handler, FakeClock()).send(get(), accept={404})
    assert response.status_code == 404


# -- transport failures and timeouts ---------------------------------------------------


def test_timeout_then_success_is_retried() -> None:
    clock = FakeClock()
    handler, calls = scripted(httpx.ReadTimeout("slow"), httpx.Response(200))
    session(handler, clock).send(get())
    assert len(calls) == 2
    assert clock.sleeps == [0.5]


def test_persistent_timeouts_raise_carrier_unavailable_chained() -> None:
    clock = FakeClock()
    handler, calls = scripted(httpx.ConnectTimeout("no route"))
    with pytest.raises(CarrierUnavailable) as info:
        session(handler, clock, retry=RetryPolicy(max_retries=2)).send(get())
    assert len(calls) == 3
    assert isinstance(info.value.__cause__, httpx.ConnectTimeout)
    assert "timed out after 3 attempts" in str(info.value)


def test_connect_errors_are_retried() -> None:
    clock = FakeClock()
    handler, calls = scripted(httpx.ConnectError("refused"), httpx.Response(200))
    session(handler, clock).send(get())
    assert len(calls) == 2


def test_every_request_carries_a_timeout() -> None:
    handler, calls = scripted(httpx.Response(200))
    session(handler, FakeClock(), timeout=7.5).send(get())
    assert calls[0].extensions["timeout"] == httpx.Timeout(7.5).as_dict()


def test_an_adapter_chosen_timeout_is_kept() -> None:
    handler, calls = scripted(httpx.Response(200))
    request = get()
    request.extensions["timeout"] = httpx.Timeout(60.0).as_dict()
    session(handler, FakeClock(), timeout=7.5).send(request)
    assert calls[0].extensions["timeout"]["read"] == 60.0


# -- secrets -------------------------------------------------------------------------


def test_errors_never_show_secrets() -> None:
    echo = httpx.Response(400, text="bad request for key sekrit-query-key and sekrit-header")
    handler, _ = scripted(echo)
    with pytest.raises(CarrierError) as info:
        session(handler, FakeClock(), secrets=["sekrit-header", "sekrit-query-key"]).send(get())
    message = str(info.value) + repr(info.value)
    assert "sekrit" not in message.replace("***", "")
    assert "https://api.carrier.example/track" in message  # but still says where


def test_safe_url_drops_query_and_credentials() -> None:
    url = httpx.URL("https://user:pw@api.example:8443/v1/track?apikey=abc#frag")
    assert safe_url(url) == "https://api.example:8443/v1/track"


# -- rate limiting -------------------------------------------------------------------


def test_token_bucket_paces_requests_after_the_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2.0, capacity=2, clock=clock)
    assert [bucket.reserve() for _ in range(5)] == [0.0, 0.0, 0.5, 1.0, 1.5]
    clock.advance(10)
    assert bucket.reserve() == 0.0  # refilled, but never beyond capacity
    assert bucket.reserve() == 0.0
    assert bucket.reserve() == 0.5


def test_session_follows_the_documented_rate_limit() -> None:
    clock = FakeClock()
    handler, calls = scripted(httpx.Response(200))
    http = session(handler, clock, rate_limit=RateLimit(3, burst=3))
    for _ in range(9):
        http.send(get())
    assert len(calls) == 9
    # 3 go out at once, the 6 others one every 1/3 s.
    assert clock.monotonic() == pytest.approx(2.0)
    assert all(s == pytest.approx(1 / 3) for s in clock.sleeps)


def test_daily_limits_do_not_burst_the_whole_quota() -> None:
    limit = RateLimit(250, period=86400)
    assert limit.capacity == 10
    assert limit.per_second == pytest.approx(250 / 86400)
    assert limit.describe() == "250 requests/86400s"


@pytest.mark.parametrize(
    "bad", [{"requests": 0}, {"requests": 1, "period": 0}, {"requests": 1, "burst": 0}]
)
def test_rate_limit_rejects_nonsense(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="RateLimit"):
        RateLimit(**bad)  # type: ignore[arg-type]


# -- OAuth ---------------------------------------------------------------------------


class TokenServer:
    """A token endpoint plus an API that accepts only the latest token."""

    def __init__(self, lifetime: int = 3600, revoke_after: int | None = None) -> None:
        self.lifetime = lifetime
        self.issued = 0
        self.api_calls: list[httpx.Request] = []
        #: The Authorization header of each API call as it was sent (a retried
        #: request object is reused, so its headers change afterwards).
        self.bearers: list[str | None] = []
        self.token_calls: list[httpx.Request] = []
        self.revoke_after = revoke_after
        self.always_401 = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            self.token_calls.append(request)
            self.issued += 1
            return httpx.Response(
                200,
                json={
                    "access_token": f"tok-{self.issued}",
                    "token_type": "Bearer",
                    "expires_in": str(self.lifetime),  # UPS sends a string
                },
            )
        self.api_calls.append(request)
        self.bearers.append(request.headers.get("Authorization"))
        if self.revoke_after is not None and len(self.api_calls) == self.revoke_after:
            return httpx.Response(401)
        if self.always_401 or request.headers.get("Authorization") != f"Bearer tok-{self.issued}":
            return httpx.Response(401)
        return httpx.Response(200, json={"ok": True})


def oauth() -> OAuthClientCredentials:
    return OAuthClientCredentials(
        "https://api.carrier.example/oauth/token", "client-1", SecretStr("client-secret-xyz")
    )


def test_token_is_fetched_once_and_reused() -> None:
    server = TokenServer()
    clock = FakeClock()
    http = session(server, clock, oauth=oauth())
    for _ in range(3):
        http.send(get())
    assert server.issued == 1
    token_request = server.token_calls[0]
    assert token_request.method == "POST"
    assert token_request.content == b"grant_type=client_credentials"
    expected = base64.b64encode(b"client-1:client-secret-xyz").decode()
    assert token_request.headers["Authorization"] == f"Basic {expected}"
    assert server.bearers == ["Bearer tok-1"] * 3


def test_token_is_refreshed_shortly_before_expiry() -> None:
    server = TokenServer(lifetime=600)
    clock = FakeClock()
    http = session(server, clock, oauth=oauth())
    http.send(get())
    clock.advance(600 - 60 - 1)  # just inside the refresh margin of 60 s
    http.send(get())
    assert server.issued == 1
    clock.advance(2)
    http.send(get())
    assert server.issued == 2
    assert server.bearers == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


def test_401_refreshes_the_token_once_then_succeeds() -> None:
    server = TokenServer(revoke_after=2)  # the second API call meets a revoked token
    clock = FakeClock()
    http = session(server, clock, oauth=oauth())
    http.send(get())
    http.send(get())
    assert server.issued == 2
    assert server.bearers == [
        "Bearer tok-1",
        "Bearer tok-1",
        "Bearer tok-2",
    ]
    assert clock.sleeps == []


def test_401_after_a_fresh_token_is_an_auth_error() -> None:
    server = TokenServer()
    server.always_401 = True
    http = session(server, FakeClock(), oauth=oauth(), auth_hint="check LOGIX_ACME_CLIENT_SECRET")
    with pytest.raises(AuthError) as info:
        http.send(get())
    assert server.issued == 2  # one refresh, not a loop
    assert len(server.api_calls) == 2
    assert "LOGIX_ACME_CLIENT_SECRET" in str(info.value)


def test_token_endpoint_refusal_is_an_auth_error_without_secrets() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_client"})

    with pytest.raises(AuthError) as info:
        session(handler, FakeClock(), oauth=oauth()).send(get())
    assert "token endpoint" in str(info.value)
    assert "client-secret-xyz" not in str(info.value) + repr(info.value)
    assert "client-secret-xyz" not in repr(oauth())


def test_token_response_without_access_token_is_a_format_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"token_type": "Bearer"})

    with pytest.raises(CarrierError, match="without access_token"):
        session(handler, FakeClock(), oauth=oauth()).send(get())


# -- async ---------------------------------------------------------------------------


def async_session(
    handler: Callable[..., httpx.Response], clock: FakeClock, **kwargs: object
) -> HttpSession:
    return HttpSession(
        "acme",
        async_transport=httpx.MockTransport(handler),
        clock=clock,
        async_sleep=clock.asleep,
        rng=MaxRandom(),
        **kwargs,  # type: ignore[arg-type]
    )


def test_async_retry_after_then_success() -> None:
    clock = FakeClock()
    handler, calls = scripted(
        httpx.Response(429, headers={"Retry-After": "4"}),
        httpx.Response(503),
        httpx.Response(200, json=[1]),
    )

    async def run() -> object:
        http = async_session(handler, clock)
        try:
            return (await http.asend(get())).json()
        finally:
            await http.aclose()

    assert asyncio.run(run()) == [1]
    assert clock.sleeps == [4.0, 1.0]  # Retry-After, then the second backoff step
    assert len(calls) == 3


def test_async_timeout_exhaustion_and_token_refresh() -> None:
    clock = FakeClock()
    handler, _ = scripted(httpx.ReadTimeout("slow"))
    server = TokenServer(revoke_after=1)

    async def run() -> None:
        with pytest.raises(CarrierUnavailable):
            await async_session(handler, clock, retry=RetryPolicy(max_retries=1)).asend(get())
        response = await async_session(server, clock, oauth=oauth()).asend(get())
        assert response.status_code == 200

    asyncio.run(run())
    assert server.issued == 2
