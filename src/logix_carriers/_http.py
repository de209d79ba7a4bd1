"""The resilient HTTP layer every adapter shares.

:class:`HttpSession` sends one ``httpx.Request`` and returns a successful response
or raises a typed :class:`CarrierError`.  On the way it

* sets a timeout on every call (``request.extensions["timeout"]``, unless the
  adapter set its own);
* waits on a per-adapter :class:`TokenBucket` built from the carrier's documented
  :class:`RateLimit`;
* retries connect errors, timeouts, 429 and 5xx with exponential backoff and full
  jitter, honouring ``Retry-After`` (seconds or an HTTP date) and giving up at once
  when the carrier asks for a longer pause than :attr:`RetryPolicy.max_retry_after`;
* never retries other 4xx;
* adds an OAuth client-credentials bearer token (:class:`OAuthClientCredentials`),
  cached until shortly before it expires and refreshed once on a 401.

The clock, rate limit, token bucket and retry policy live in
:mod:`logix_carriers._http_pacing`.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
import threading
import time
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from ._errors import (
    AuthError,
    CarrierError,
    CarrierUnavailable,
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

__all__ = [
    "HttpSession",
    "OAuthClientCredentials",
    "decode_json",
    "safe_url",
]

log = logging.getLogger("logix_carriers.http")


# Transport failures worth another try; everything else (bad URL scheme, proxy
# misconfiguration, ...) will not get better by waiting.
_RETRY_EXCEPTIONS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)


# The token endpoint's own 4xx answers mean "bad credentials", except 429.
_TOKEN_REFUSALS = frozenset(range(400, 500)) - {429}


def safe_url(url: httpx.URL) -> str:
    """``scheme://host/path`` without credentials, query or fragment (they may hold keys)."""
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}{url.path}"


class OAuthClientCredentials:
    """An OAuth 2.0 client-credentials token, cached until shortly before it expires.

    The token is requested from ``token_url`` with HTTP basic authentication
    (``client_id:client_secret``) and ``grant_type=client_credentials`` in the
    form body, as RFC 6749 §4.4 recommends.  It is reused until ``refresh_margin``
    seconds before ``expires_in`` runs out, and :meth:`invalidate` drops it (the
    session does so once when the API answers 401).
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: SecretStr,
        *,
        scope: str | None = None,
        refresh_margin: float = 60.0,
        default_lifetime: float = 3600.0,
        extra_form: dict[str, str] | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.scope = scope
        self.refresh_margin = refresh_margin
        self.default_lifetime = default_lifetime
        self.extra_form = dict(extra_form or {})
        self.extra_headers = dict(extra_headers or {})
        self._token: SecretStr | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()
        self._alock: asyncio.Lock | None = None
        #: How many tokens were fetched; handy in tests and diagnostics.
        self.fetches = 0

    def __repr__(self) -> str:
        return f"OAuthClientCredentials(token_url={self.token_url!r}, client_id=***)"

    @property
    def secrets(self) -> tuple[str, ...]:
        values = [self._client_secret.get_secret_value()]
        if self._token is not None:
            values.append(self._token.get_secret_value())
        return tuple(values)

    def invalidate(self) -> None:
        self._token = None
        self._expires_at = 0.0

    def cached(self, clock: Clock) -> str | None:
        if self._token is not None and clock.monotonic() < self._expires_at:
            return self._token.get_secret_value()
        return None

    def token_request(self) -> httpx.Request:
        form = {"grant_type": "client_credentials", **self.extra_form}
        if self.scope:
            form["scope"] = self.scope
        pair = f"{self.client_id}:{self._client_secret.get_secret_value()}".encode()
        return httpx.Request(
            "POST",
            self.token_url,
            data=form,
            headers={
                "Accept": "application/json",
                "Authorization": "Basic " + base64.b64encode(pair).decode("ascii"),
                **self.extra_headers,
            },
        )

    def store(self, response: httpx.Response, clock: Clock, carrier: str) -> str:
        try:
            payload = response.json()
        except ValueError as exc:
            raise ResponseFormatError(
                f"token endpoint {safe_url(response.request.url)} did not answer JSON",
                carrier=carrier,
                status_code=response.status_code,
            ) from exc
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            keys = sorted(payload) if isinstance(payload, dict) else type(payload).__name__
            raise ResponseFormatError(
                f"token endpoint answered without access_token (fields: {keys})",
                carrier=carrier,
                status_code=response.status_code,
            )
        try:
            lifetime = float(payload.get("expires_in", self.default_lifetime))
        except (TypeError, ValueError):
            lifetime = self.default_lifetime
        self._token = SecretStr(token)
        self._expires_at = clock.monotonic() + max(0.0, lifetime - self.refresh_margin)
        self.fetches += 1
        return token

    def async_lock(self) -> asyncio.Lock:
        if self._alock is None:
            self._alock = asyncio.Lock()
        return self._alock

    @property
    def lock(self) -> threading.Lock:
        return self._lock


@dataclass
class _Attempt:
    """Bookkeeping of one call across its retries."""

    retries: int = 0
    refreshed: bool = False
    delays: list[float] = field(default_factory=list)


def _default_async_sleep(seconds: float) -> Awaitable[None]:
    return asyncio.sleep(seconds)


class HttpSession:
    """Sends requests for one adapter, with timeouts, rate limit, retries and auth.

    Pass ``client`` / ``async_client`` to reuse your own ``httpx`` clients (they are
    not closed here), or ``transport`` / ``async_transport`` to have the session
    build clients around them (e.g. ``httpx.MockTransport`` in tests).
    ``accept`` on :meth:`send` lists non-2xx statuses the adapter wants to parse
    itself (some carriers answer 404 with a useful body).
    """

    def __init__(
        self,
        carrier: str,
        *,
        timeout: float = 20.0,
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
        self.carrier = carrier
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.clock: Clock = clock or SystemClock()
        if limiter is None and rate_limit is not None:
            limiter = TokenBucket.for_limit(rate_limit, self.clock)
        self.limiter = limiter
        self.oauth = oauth
        self._secrets = tuple(s for s in secrets if s)
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

    # -- sync ------------------------------------------------------------------

    def send(
        self, request: httpx.Request, *, accept: Iterable[int] = (), authenticate: bool = True
    ) -> httpx.Response:
        """Send ``request``; a response with a 2xx (or ``accept``-ed) status, or an error."""
        accepted = frozenset(accept)
        self._prepare(request)
        state = _Attempt()
        while True:
            if self.limiter is not None:
                self._pause(self.limiter.reserve())
            if authenticate and self.oauth is not None:
                request.headers["Authorization"] = f"Bearer {self._token()}"
            try:
                response = self.client.send(request)
            except _RETRY_EXCEPTIONS as exc:
                self._pause(self._after_transport_error(request, exc, state))
                continue
            except httpx.HTTPError as exc:
                raise self._transport_failure(request, exc) from exc
            delay = self._after_response(request, response, state, accepted, authenticate)
            if delay is None:
                return response
            response.close()
            self._pause(delay)

    def _token(self) -> str:
        assert self.oauth is not None
        with self.oauth.lock:
            token = self.oauth.cached(self.clock)
            if token is None:
                response = self.send(
                    self.oauth.token_request(), authenticate=False, accept=_TOKEN_REFUSALS
                )
                self._check_token_response(response)
                token = self.oauth.store(response, self.clock, self.carrier)
            return token

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep(seconds)

    # -- async -----------------------------------------------------------------

    async def asend(
        self, request: httpx.Request, *, accept: Iterable[int] = (), authenticate: bool = True
    ) -> httpx.Response:
        """The async twin of :meth:`send`."""
        accepted = frozenset(accept)
        self._prepare(request)
        state = _Attempt()
        while True:
            if self.limiter is not None:
                await self._apause(self.limiter.reserve())
            if authenticate and self.oauth is not None:
                request.headers["Authorization"] = f"Bearer {await self._atoken()}"
            try:
                response = await self.async_client.send(request)
            except _RETRY_EXCEPTIONS as exc:
                await self._apause(self._after_transport_error(request, exc, state))
                continue
            except httpx.HTTPError as exc:
                raise self._transport_failure(request, exc) from exc
            delay = self._after_response(request, response, state, accepted, authenticate)
            if delay is None:
                return response
            await response.aclose()
            await self._apause(delay)

    async def _atoken(self) -> str:
        assert self.oauth is not None
        async with self.oauth.async_lock():
            token = self.oauth.cached(self.clock)
            if token is None:
                response = await self.asend(
                    self.oauth.token_request(), authenticate=False, accept=_TOKEN_REFUSALS
                )
                self._check_token_response(response)
                token = self.oauth.store(response, self.clock, self.carrier)
            return token

    async def _apause(self, seconds: float) -> None:
        if seconds > 0:
            await self._async_sleep(seconds)

    # -- shared decisions --------------------------------------------------------

    @property
    def secrets(self) -> tuple[str, ...]:
        extra = self.oauth.secrets if self.oauth is not None else ()
        return self._secrets + extra

    def _prepare(self, request: httpx.Request) -> None:
        if "timeout" not in request.extensions:
            request.extensions["timeout"] = httpx.Timeout(self.timeout).as_dict()

    def _describe(self, request: httpx.Request) -> str:
        return f"{request.method} {safe_url(request.url)}"

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
        tries = f" after {state.retries + 1} attempts" if state and state.retries else ""
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
            retry_after is not None and retry_after > self.retry.max_retry_after
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
        body = snippet(_text(response), self.secrets)
        tries = f" after {state.retries + 1} attempts" if state and state.retries else ""
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
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        return ""


def decode_json(response: httpx.Response, carrier: str, secrets: Iterable[str] = ()) -> Any:
    """The JSON body of ``response``, or a :class:`ResponseFormatError` keeping the text."""
    try:
        return response.json()
    except ValueError as exc:
        text = _text(response)
        raise ResponseFormatError(
            f"{response.request.method} {safe_url(response.request.url)} answered "
            f"HTTP {response.status_code} with a body that is not JSON: "
            f"{snippet(text, secrets)!r}",
            raw=text,
            carrier=carrier,
            status_code=response.status_code,
        ) from exc
