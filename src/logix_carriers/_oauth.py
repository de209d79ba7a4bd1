"""OAuth 2.0 client-credentials tokens for carriers that issue them (UPS, USPS, FedEx)."""

from __future__ import annotations

import asyncio
import base64
import math
import threading
from collections import deque
from typing import Final, Literal

import httpx
from pydantic import SecretStr

from ._errors import ResponseFormatError
from ._http_pacing import Clock

__all__ = ["ClientAuth", "OAuthClientCredentials", "safe_url"]

# A token announced to live longer than a day is still refreshed daily, and a
# lifetime that is not a finite number counts as absent.
_MAX_LIFETIME: Final = 86_400.0
# Tokens dropped (expired or refused) are still masked for a while: an error page
# may echo the one that was just replaced.
_RETIRED: Final = 4

#: How the client proves itself to the token endpoint (RFC 6749 §2.3.1):
#: ``"basic"`` sends ``client_id:client_secret`` as HTTP basic authentication,
#: ``"body"`` sends ``client_id`` and ``client_secret`` in the form body (USPS, FedEx).
ClientAuth = Literal["basic", "body"]


def safe_url(url: httpx.URL) -> str:
    """``scheme://host/path`` without credentials, query or fragment (they may hold keys)."""
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}{url.path}"


class OAuthClientCredentials:
    """An OAuth 2.0 client-credentials token, cached until shortly before it expires.

    The token is requested from ``token_url`` with ``grant_type=client_credentials``
    in the form body and the client's credentials either as HTTP basic
    authentication (``client_auth="basic"``, as RFC 6749 §2.3.1 recommends) or in
    the form body (``client_auth="body"``: ``client_id`` and ``client_secret``
    fields, which USPS and FedEx require).  It is reused until ``refresh_margin``
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
        client_auth: ClientAuth = "basic",
    ) -> None:
        if client_auth not in ("basic", "body"):
            raise ValueError(f"client_auth must be 'basic' or 'body', got {client_auth!r}")
        self.client_auth: ClientAuth = client_auth
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.scope = scope
        self.refresh_margin = refresh_margin
        self.default_lifetime = default_lifetime
        self.extra_form = dict(extra_form or {})
        self.extra_headers = dict(extra_headers or {})
        self._token: SecretStr | None = None
        self._retired: deque[SecretStr] = deque(maxlen=_RETIRED)
        self._expires_at = 0.0
        self._lock = threading.Lock()
        self._alock: asyncio.Lock | None = None
        #: How many tokens were fetched; handy in tests and diagnostics.
        self.fetches = 0

    def __repr__(self) -> str:
        return f"OAuthClientCredentials(token_url={self.token_url!r}, client_id=***)"

    @property
    def secrets(self) -> tuple[str, ...]:
        """The client secret and the current and recently dropped tokens (for masking)."""
        tokens = [*self._retired, *([self._token] if self._token is not None else [])]
        return (self._client_secret.get_secret_value(), *(t.get_secret_value() for t in tokens))

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """The ``(client_id, client_secret)`` pair (masked in every form it may be echoed)."""
        return ((self.client_id, self._client_secret.get_secret_value()),)

    def invalidate(self) -> None:
        if self._token is not None:
            self._retired.append(self._token)
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
        headers = {"Accept": "application/json"}
        secret = self._client_secret.get_secret_value()
        if self.client_auth == "body":
            form["client_id"] = self.client_id
            form["client_secret"] = secret
        else:
            pair = f"{self.client_id}:{secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        return httpx.Request(
            "POST", self.token_url, data=form, headers={**headers, **self.extra_headers}
        )

    def store(self, response: httpx.Response, clock: Clock, carrier: str) -> str:
        try:
            payload = response.json()
        except (ValueError, RecursionError) as exc:
            raise ResponseFormatError(
                f"token endpoint {safe_url(response.request.url)} did not answer JSON",
                carrier=carrier,
                status_code=response.status_code,
            ) from exc
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            keys = sorted(map(str, payload))[:20] if isinstance(payload, dict) else None
            shape = f"fields: {keys}" if keys is not None else type(payload).__name__
            raise ResponseFormatError(
                f"token endpoint answered without access_token ({shape})",
                carrier=carrier,
                status_code=response.status_code,
            )
        if self._token is not None:
            self._retired.append(self._token)
        self._token = SecretStr(token)
        lifetime = self._lifetime(payload.get("expires_in"))
        self._expires_at = clock.monotonic() + max(0.0, lifetime - self.refresh_margin)
        self.fetches += 1
        return token

    def _lifetime(self, value: object) -> float:
        try:
            lifetime = float(value) if isinstance(value, int | float | str) else math.nan
        except (ValueError, OverflowError):
            lifetime = math.nan
        if not math.isfinite(lifetime) or lifetime < 0:
            return self.default_lifetime
        return min(lifetime, _MAX_LIFETIME)

    def async_lock(self) -> asyncio.Lock:
        if self._alock is None:
            self._alock = asyncio.Lock()
        return self._alock

    @property
    def lock(self) -> threading.Lock:
        return self._lock
