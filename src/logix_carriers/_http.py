"""The resilient HTTP layer every adapter shares.

:class:`HttpSession` sends one ``httpx.Request`` and returns a successful response
or raises a typed :class:`CarrierError`.  On the way it

* sets a timeout on every operation (``request.extensions["timeout"]``, unless the
  adapter set its own) and an overall deadline on the whole call, retries and
  pauses included (``request_deadline``; see :mod:`logix_carriers._deadline`);
* reads the body within ``max_body_bytes`` decoded bytes (:mod:`logix_carriers._body`);
* waits on a per-adapter :class:`TokenBucket` built from the carrier's documented
  :class:`RateLimit`;
* retries connect errors, timeouts, 429 and 5xx with exponential backoff and full
  jitter, honouring ``Retry-After`` (seconds or an HTTP date) and giving up at once
  when the carrier asks for a longer pause than :attr:`RetryPolicy.max_retry_after`
  or than the deadline leaves;
* never retries other 4xx;
* adds an OAuth client-credentials bearer token (:class:`OAuthClientCredentials`),
  cached until shortly before it expires and refreshed once on a 401;
* masks every secret it knows in the errors it raises (:mod:`logix_carriers._secrets`).

The clock, rate limit, token bucket and retry policy live in
:mod:`logix_carriers._http_pacing`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import threading
import time
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from ._body import DEFAULT_MAX_BODY_BYTES, BodyReader, check_read_body
from ._deadline import Deadline, arm, bounded_by
from ._errors import (
    AuthError,
    CarrierError,
    CarrierUnavailable,
    DeadlineExceeded,
    NotFound,
    RateLimited,
    ResponseFormatError,
    snippet,
)
from ._http_pacing import (
    AsyncSleep,
    Clock,
    RateLimit,
    RetryPolicy,
    Sleep,
    SystemClock,
    TokenBucket,
    parse_retry_after,
)
from ._oauth import OAuthClientCredentials, safe_url
from ._secrets import Scrubber

__all__ = [
    "DEFAULT_REQUEST_DEADLINE",
    "HttpSession",
    "OAuthClientCredentials",
    "decode_json",
    "safe_url",
]

log = logging.getLogger("logix_carriers.http")

#: Seconds one :meth:`HttpSession.send` may take in all, retries and pauses included.
DEFAULT_REQUEST_DEADLINE: Final = 60.0

# Transport failures worth another try; everything else (bad URL scheme, proxy
# misconfiguration, ...) will not get better by waiting.
_RETRY_EXCEPTIONS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)

# The token endpoint's own 4xx answers mean "bad credentials", except 429.
_TOKEN_REFUSALS = frozenset(range(400, 500)) - {429}

# How much of a body that is not JSON a ResponseFormatError keeps in ``raw``.
_RAW_TEXT: Final = 4096


@dataclass
class _Attempt:
    """Bookkeeping of one call across its retries."""

    deadline: Deadline
    timeouts: dict[str, Any]
    retries: int = 0
    refreshed: bool = False
    delays: list[float] = field(default_factory=list)

    def tries(self) -> str:
        return f" after {self.retries + 1} attempts" if self.retries else ""


def _default_async_sleep(seconds: float) -> Awaitable[None]:
    return asyncio.sleep(seconds)


def _clipped(timeouts: dict[str, Any], left: float) -> dict[str, Any]:
    """Per-operation timeouts no longer than what is left of the deadline."""
    return {k: left if v is None else min(float(v), left) for k, v in timeouts.items()}


class HttpSession:
    """Sends requests for one adapter, with timeouts, deadlines, rate limit, retries and auth.

    Pass ``client`` / ``async_client`` to reuse your own ``httpx`` clients (they are
    not closed here), or ``transport`` / ``async_transport`` to have the session
    build clients around them (e.g. ``httpx.MockTransport`` in tests).
    ``accept`` on :meth:`send` lists non-2xx statuses the adapter wants to parse
    itself (some carriers answer 404 with a useful body); ``within`` shortens the
    deadline of one call (``track()`` passes what is left of its own).
    """

    def __init__(
        self,
        carrier: str,
        *,
        timeout: float = 20.0,
        request_deadline: float = DEFAULT_REQUEST_DEADLINE,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        retry: RetryPolicy | None = None,
        rate_limit: RateLimit | None = None,
        limiter: TokenBucket | None = None,
        oauth: OAuthClientCredentials | None = None,
        secrets: Iterable[str] = (),
        auth_hint: str = "",
        client: httpx.Client | None = None,
        async_client: httpx.AsyncClient | None = None,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        async_sleep: AsyncSleep | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if not (0 < request_deadline < math.inf) or max_body_bytes < 1:
            raise ValueError(
                "HttpSession needs a finite request_deadline > 0 and max_body_bytes >= 1"
            )
        self.carrier = carrier
        self.timeout = timeout
        self.request_deadline = request_deadline
        self.max_body_bytes = max_body_bytes
        self.retry = retry or RetryPolicy()
        self.clock: Clock = clock or SystemClock()
        if limiter is None and rate_limit is not None:
            limiter = TokenBucket.for_limit(rate_limit, self.clock)
        self.limiter = limiter
        self.oauth = oauth
        self._secrets = tuple(s for s in secrets if s)
        self._scrubber: tuple[object, Scrubber] | None = None
        self.auth_hint = auth_hint
        self._client = client
        self._async_client = async_client
        self._owns_client = client is None
        self._owns_async_client = async_client is None
        self._transport = transport
        self._async_transport = async_transport
        self._sleep: Sleep = sleep or time.sleep
        self._async_sleep: AsyncSleep = async_sleep or _default_async_sleep
        self._rng = rng or random.Random()

    def __repr__(self) -> str:
        return f"HttpSession(carrier={self.carrier!r}, timeout={self.timeout})"

    # -- clients ---------------------------------------------------------------

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(transport=self._transport, timeout=self.timeout)
        arm(self._client)
        return self._client

    @property
    def async_client(self) -> httpx.AsyncClient:
        if self._async_client is None:
            self._async_client = httpx.AsyncClient(
                transport=self._async_transport, timeout=self.timeout
            )
        return self._async_client

    def close(self) -> None:
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        if self._owns_async_client and self._async_client is not None:
            await self._async_client.aclose()
            self._async_client = None

    # -- secrets -----------------------------------------------------------------

    @property
    def secrets(self) -> tuple[str, ...]:
        extra = self.oauth.secrets if self.oauth is not None else ()
        return self._secrets + extra

    @property
    def scrubber(self) -> Scrubber:
        """Masks every secret this session knows (settings, client secret, tokens)."""
        pairs = self.oauth.pairs if self.oauth is not None else ()
        key = (self.secrets, pairs)
        if self._scrubber is None or self._scrubber[0] != key:
            self._scrubber = (key, Scrubber(key[0], pairs=pairs))
        return self._scrubber[1]

    # -- sync ------------------------------------------------------------------

    def send(
        self,
        request: httpx.Request,
        *,
        accept: Iterable[int] = (),
        authenticate: bool = True,
        within: float | None = None,
    ) -> httpx.Response:
        """Send ``request``; a response with a 2xx (or ``accept``-ed) status, or an error."""
        state = self._start(request, within)
        try:
            return self._send(request, frozenset(accept), authenticate, state)
        except CarrierError as exc:
            raise exc.scrub(self.scrubber) from exc.__cause__

    def _send(
        self, request: httpx.Request, accepted: frozenset[int], authenticate: bool, state: _Attempt
    ) -> httpx.Response:
        while True:
            self._check(request, state)
            if self.limiter is not None:
                self._pause(self._wait(self.limiter.reserve(), request, state, "the rate limit"))
            if authenticate and self.oauth is not None:
                request.headers["Authorization"] = f"Bearer {self._token(state.deadline)}"
            try:
                response = self._exchange(request, state)
            except _RETRY_EXCEPTIONS as exc:
                self._check(request, state, exc)
                backoff = self._after_transport_error(request, exc, state)
                self._pause(self._wait(backoff, request, state, "the next attempt"))
                continue
            except httpx.HTTPError as exc:
                raise self._transport_failure(request, exc) from exc
            delay = self._after_response(request, response, state, accepted, authenticate)
            if delay is None:
                return response
            self._pause(self._wait(delay, request, state, "the next attempt"))

    def _exchange(self, request: httpx.Request, state: _Attempt) -> httpx.Response:
        request.extensions["timeout"] = _clipped(state.timeouts, state.deadline.remaining())
        with bounded_by(state.deadline):
            response = self.client.send(request, stream=True)
            try:
                what = self._describe(request)
                if check_read_body(
                    response, limit=self.max_body_bytes, what=what, carrier=self.carrier
                ):
                    return response
                reader = BodyReader(
                    response, limit=self.max_body_bytes, what=what, carrier=self.carrier
                )
                for chunk in response.iter_raw():
                    reader.feed(chunk)
                    self._check(request, state)
                body = reader.finish()
            finally:
                response.close()
        return reader.response(response, body)

    def _token(self, deadline: Deadline) -> str:
        assert self.oauth is not None
        wait = min(deadline.remaining(), threading.TIMEOUT_MAX)
        if not self.oauth.lock.acquire(timeout=wait):
            raise self._deadline_error(httpx.Request("POST", self.oauth.token_url), deadline)
        try:
            token = self.oauth.cached(self.clock)
            if token is None:
                request = self.oauth.token_request()
                state = self._start(request, None, deadline)
                response = self._send(request, _TOKEN_REFUSALS, False, state)
                self._check_token_response(response)
                token = self.oauth.store(response, self.clock, self.carrier)
            return token
        finally:
            self.oauth.lock.release()

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep(seconds)

    # -- async -----------------------------------------------------------------

    async def asend(
        self,
        request: httpx.Request,
        *,
        accept: Iterable[int] = (),
        authenticate: bool = True,
        within: float | None = None,
    ) -> httpx.Response:
        """The async twin of :meth:`send`."""
        state = self._start(request, within)
        try:
            return await self._asend(request, frozenset(accept), authenticate, state)
        except CarrierError as exc:
            raise exc.scrub(self.scrubber) from exc.__cause__

    async def _asend(
        self, request: httpx.Request, accepted: frozenset[int], authenticate: bool, state: _Attempt
    ) -> httpx.Response:
        while True:
            self._check(request, state)
            if self.limiter is not None:
                wait = self._wait(self.limiter.reserve(), request, state, "the rate limit")
                await self._apause(wait)
            if authenticate and self.oauth is not None:
                request.headers["Authorization"] = f"Bearer {await self._atoken(state.deadline)}"
            try:
                response = await self._aexchange(request, state)
            except _RETRY_EXCEPTIONS as exc:
                self._check(request, state, exc)
                backoff = self._after_transport_error(request, exc, state)
                await self._apause(self._wait(backoff, request, state, "the next attempt"))
                continue
            except httpx.HTTPError as exc:
                raise self._transport_failure(request, exc) from exc
            delay = self._after_response(request, response, state, accepted, authenticate)
            if delay is None:
                return response
            await self._apause(self._wait(delay, request, state, "the next attempt"))

    async def _aexchange(self, request: httpx.Request, state: _Attempt) -> httpx.Response:
        request.extensions["timeout"] = _clipped(state.timeouts, state.deadline.remaining())
        what = self._describe(request)
        try:
            async with asyncio.timeout(state.deadline.remaining()):
                response = await self.async_client.send(request, stream=True)
                try:
                    if check_read_body(
                        response, limit=self.max_body_bytes, what=what, carrier=self.carrier
                    ):
                        return response
                    reader = BodyReader(
                        response, limit=self.max_body_bytes, what=what, carrier=self.carrier
                    )
                    async for chunk in response.aiter_raw():
                        reader.feed(chunk)
                        self._check(request, state)
                    body = reader.finish()
                finally:
                    await response.aclose()
        except TimeoutError as exc:
            raise self._deadline_error(request, state.deadline, state) from exc
        return reader.response(response, body)

    async def _atoken(self, deadline: Deadline) -> str:
        assert self.oauth is not None
        lock = self.oauth.async_lock()
        try:
            async with asyncio.timeout(deadline.remaining()):
                await lock.acquire()
        except TimeoutError as exc:
            request = httpx.Request("POST", self.oauth.token_url)
            raise self._deadline_error(request, deadline) from exc
        try:
            token = self.oauth.cached(self.clock)
            if token is None:
                request = self.oauth.token_request()
                state = self._start(request, None, deadline)
                response = await self._asend(request, _TOKEN_REFUSALS, False, state)
                self._check_token_response(response)
                token = self.oauth.store(response, self.clock, self.carrier)
            return token
        finally:
            lock.release()

    async def _apause(self, seconds: float) -> None:
        if seconds > 0:
            await self._async_sleep(seconds)

    # -- shared decisions --------------------------------------------------------

    def _start(
        self, request: httpx.Request, within: float | None, outer: Deadline | None = None
    ) -> _Attempt:
        """The bookkeeping of a new call: its deadline and per-operation timeouts."""
        if "timeout" not in request.extensions:
            request.extensions["timeout"] = httpx.Timeout(self.timeout).as_dict()
        deadline = Deadline.after(
            self.request_deadline, self.clock, f"request deadline ({self.request_deadline:g} s)"
        )
        if within is not None:
            left = within if within > 0 else 0.0  # NaN counts as no time left
            deadline = deadline.sooner(
                Deadline.after(left, self.clock, f"caller's deadline ({left:.3g} s left)")
            )
        if outer is not None:
            deadline = deadline.sooner(outer)
        return _Attempt(deadline, dict(request.extensions["timeout"]))

    def _describe(self, request: httpx.Request) -> str:
        return f"{request.method} {safe_url(request.url)}"

    def _check(
        self, request: httpx.Request, state: _Attempt, cause: Exception | None = None
    ) -> None:
        """Raise :class:`DeadlineExceeded` once the call's deadline has passed."""
        if state.deadline.expired():
            raise self._deadline_error(request, state.deadline, state) from cause

    def _wait(self, delay: float, request: httpx.Request, state: _Attempt, what: str) -> float:
        """``delay``, unless waiting it would overrun the deadline (then raise)."""
        if delay > 0 and delay >= state.deadline.remaining():
            raise DeadlineExceeded(
                f"{self._describe(request)} gave up: waiting {delay:.3g} s for {what} would "
                f"overrun the {state.deadline.label}{state.tries()}",
                carrier=self.carrier,
            )
        return delay

    def _deadline_error(
        self, request: httpx.Request, deadline: Deadline, state: _Attempt | None = None
    ) -> DeadlineExceeded:
        tries = state.tries() if state is not None else ""
        return DeadlineExceeded(
            f"{self._describe(request)} gave up: the {deadline.label} passed{tries}",
            carrier=self.carrier,
        )

    def _after_transport_error(
        self, request: httpx.Request, exc: Exception, state: _Attempt
    ) -> float:
        """The delay before retrying a transport failure, or raise when out of retries."""
        if state.retries >= self.retry.max_retries:
            raise self._transport_failure(request, exc, state) from exc
        delay = self.retry.backoff(state.retries, self._rng)
        state.retries += 1
        state.delays.append(delay)
        log.info(
            "%s: %s failed (%s); retry %d in %.2fs",
            self.carrier,
            self._describe(request),
            type(exc).__name__,
            state.retries,
            delay,
        )
        return delay

    def _transport_failure(
        self, request: httpx.Request, exc: Exception, state: _Attempt | None = None
    ) -> CarrierUnavailable:
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "could not connect"
        if not isinstance(exc, _RETRY_EXCEPTIONS):
            kind = f"failed ({type(exc).__name__})"
        tries = state.tries() if state is not None else ""
        return CarrierUnavailable(f"{self._describe(request)} {kind}{tries}", carrier=self.carrier)

    def _after_response(
        self,
        request: httpx.Request,
        response: httpx.Response,
        state: _Attempt,
        accepted: frozenset[int],
        authenticate: bool,
    ) -> float | None:
        """None when ``response`` is the answer; else the delay before another try."""
        status = response.status_code
        if 200 <= status < 300 or status in accepted:
            return None
        if status == 401 and authenticate and self.oauth is not None and not state.refreshed:
            # A token can be revoked before its announced expiry: fetch a new one, once.
            state.refreshed = True
            self.oauth.invalidate()
            log.info("%s: 401 from %s; refreshing the token", self.carrier, self._describe(request))
            return 0.0
        if not self.retry.retryable_status(status):
            raise self._status_error(request, response, None)
        retry_after = parse_retry_after(response.headers.get("Retry-After"), self.clock.now())
        if state.retries >= self.retry.max_retries or (
            retry_after is not None
            and (
                retry_after > self.retry.max_retry_after
                or retry_after >= state.deadline.remaining()
            )
        ):
            raise self._status_error(request, response, retry_after, state)
        delay = (
            retry_after if retry_after is not None else self.retry.backoff(state.retries, self._rng)
        )
        state.retries += 1
        state.delays.append(delay)
        log.info(
            "%s: %s answered %d; retry %d in %.2fs",
            self.carrier,
            self._describe(request),
            status,
            state.retries,
            delay,
        )
        return delay

    def _status_error(
        self,
        request: httpx.Request,
        response: httpx.Response,
        retry_after: float | None,
        state: _Attempt | None = None,
    ) -> CarrierError:
        status = response.status_code
        body = snippet(self.scrubber.text(_text(response)))
        tries = state.tries() if state is not None else ""
        base = f"{self._describe(request)} answered HTTP {status}{tries}"
        detail = f": {body}" if body else ""
        if status in (401, 403):
            hint = f" ({self.auth_hint})" if self.auth_hint else ""
            return AuthError(
                f"{base}: credentials rejected{hint}", carrier=self.carrier, status_code=status
            )
        if status == 404:
            return NotFound(base + detail, carrier=self.carrier, status_code=status)
        if status == 429:
            wait = f"; carrier asks to wait {retry_after:g}s" if retry_after is not None else ""
            return RateLimited(
                f"{base}: rate limited{wait}", retry_after=retry_after, carrier=self.carrier
            )
        if status >= 500:
            return CarrierUnavailable(base + detail, carrier=self.carrier, status_code=status)
        return CarrierError(base + detail, carrier=self.carrier, status_code=status)

    def _check_token_response(self, response: httpx.Response) -> None:
        if response.status_code >= 400:
            hint = f"; {self.auth_hint}" if self.auth_hint else ""
            raise AuthError(
                f"token endpoint {safe_url(response.request.url)} refused the client "
                f"credentials (HTTP {response.status_code}){hint}",
                carrier=self.carrier,
                status_code=response.status_code,
            )


def _text(response: httpx.Response) -> str:
    try:
        return response.text
    except (httpx.ResponseNotRead, UnicodeDecodeError, LookupError):
        return ""


def decode_json(response: httpx.Response, carrier: str, secrets: Iterable[str] = ()) -> Any:
    """The JSON body of ``response``, or a :class:`ResponseFormatError` keeping the text.

    Bodies nested deeper than Python's parser can follow are a format error too.
    """
    try:
        return response.json()
    except (ValueError, RecursionError) as exc:
        scrubber = Scrubber(secrets)
        text = scrubber.text(_text(response))
        kept = text if len(text) <= _RAW_TEXT else text[:_RAW_TEXT] + "…"
        why = "nests too deeply to read" if isinstance(exc, RecursionError) else "is not JSON"
        raise ResponseFormatError(
            f"{response.request.method} {safe_url(response.request.url)} answered "
            f"HTTP {response.status_code} with a body that {why}: {snippet(text)!r}",
            raw=kept,
            carrier=carrier,
            status_code=response.status_code,
        ) from exc
