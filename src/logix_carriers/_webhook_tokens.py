"""OAuth bearer tokens a carrier fetches from *your* token URL before it pushes.

UPS Track Alert v2 authenticates its webhook calls the OAuth way round: you give
UPS a token URL and a client id and secret; before delivering, UPS fetches a
token there (client-credentials grant, ``client_secret_basic``) and then calls
your webhook with ``Authorization: Bearer <token>`` and ``x-api-key: <client id>``.

:class:`WebhookTokens` is both halves for a receiver that has no OAuth server:
:meth:`token_response` answers the token request, :meth:`verify` checks a
delivery's bearer token.  Tokens are stateless: the client id and expiry, signed
with HMAC-SHA256 under a key derived from the client secret, so any worker can
check a token another one issued.  Every refusal is a :class:`WebhookError`
(answer it with 401) that never echoes a secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import httpx
from pydantic import SecretStr

from ._errors import WebhookError
from ._webhooks import decode_webhook_form, signatures_match

__all__ = ["TOKEN_LIFETIME", "WebhookTokens"]

#: Seconds an issued token stays valid.
TOKEN_LIFETIME: Final = 3600
_CONTEXT: Final = b"logix webhook bearer token v1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class WebhookTokens:
    """Issues and checks the bearer tokens of one webhook client (id and secret)."""

    def __init__(
        self,
        client_id: str,
        client_secret: SecretStr,
        *,
        carrier: str,
        lifetime: int = TOKEN_LIFETIME,
    ) -> None:
        if not client_id or not client_secret.get_secret_value():
            raise ValueError("WebhookTokens needs a client id and a client secret")
        self.client_id = client_id
        self._secret = client_secret
        self._key = hmac.new(client_secret.get_secret_value().encode(), _CONTEXT, "sha256").digest()
        self.carrier = carrier
        self.lifetime = lifetime

    def __repr__(self) -> str:
        return f"WebhookTokens(client_id={self.client_id!r}, carrier={self.carrier!r})"

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest())

    def issue(self, now: datetime) -> str:
        """A token for this client, valid for ``lifetime`` seconds from ``now``."""
        claims = {"cid": self.client_id, "exp": int(now.timestamp()) + self.lifetime}
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        return f"{payload}.{self._sign(payload)}"

    def token_response(
        self, headers: Mapping[str, str], body: bytes | str, *, now: datetime
    ) -> dict[str, Any]:
        """The JSON to answer a token request with, after checking the client.

        The request is a form with ``grant_type=client_credentials``; the client
        authenticates with HTTP basic (``client_secret_basic``, what UPS uses) or
        with ``client_id`` and ``client_secret`` in the form.
        """
        form = decode_webhook_form(body, carrier=self.carrier)
        if form.get("grant_type") != "client_credentials":
            raise WebhookError(
                "token request must have grant_type=client_credentials", carrier=self.carrier
            )
        client_id, secret = self._client(httpx.Headers(headers), form)
        if not (
            signatures_match(self.client_id, client_id)
            and signatures_match(self._secret.get_secret_value(), secret)
        ):
            raise WebhookError("token request: unknown client id or secret", carrier=self.carrier)
        return {
            "access_token": self.issue(now),
            "token_type": "Bearer",
            "expires_in": self.lifetime,
        }

    def _client(self, headers: httpx.Headers, form: Mapping[str, str]) -> tuple[str, str]:
        authorization = headers.get("authorization", "")
        if authorization[:6].lower() == "basic ":
            try:
                pair = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise WebhookError(
                    "token request: malformed basic authorization", carrier=self.carrier
                ) from exc
            client_id, _, secret = pair.partition(":")
            return client_id, secret
        if "client_id" in form and "client_secret" in form:
            return form["client_id"], form["client_secret"]
        raise WebhookError(
            "token request carries no client credentials (basic authorization or form fields)",
            carrier=self.carrier,
        )

    def verify(self, headers: Mapping[str, str], *, now: datetime) -> None:
        """Raise :class:`WebhookError` unless the delivery carries a valid, unexpired
        token of this client (``Authorization: Bearer``) and ``x-api-key`` names it."""
        wrapped = httpx.Headers(headers)
        authorization = wrapped.get("authorization", "")
        if authorization[:7].lower() != "bearer ":
            raise WebhookError("delivery has no Authorization: Bearer token", carrier=self.carrier)
        token = authorization[7:].strip()
        payload, _, signature = token.partition(".")
        if not payload or not signature or not signatures_match(self._sign(payload), signature):
            raise WebhookError(
                "bearer token was not issued by this receiver's token URL (bad signature)",
                carrier=self.carrier,
            )
        try:
            claims = json.loads(_unb64(payload))
            client_id, expires = str(claims["cid"]), int(claims["exp"])
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise WebhookError("bearer token is malformed", carrier=self.carrier) from exc
        if not signatures_match(self.client_id, client_id):
            raise WebhookError("bearer token belongs to another client", carrier=self.carrier)
        if now.timestamp() >= expires:
            raise WebhookError(
                "bearer token has expired; the carrier must fetch a new one", carrier=self.carrier
            )
        api_key = wrapped.get("x-api-key", "").strip()
        if not signatures_match(self.client_id, api_key):
            raise WebhookError(
                "x-api-key header does not name the webhook client id", carrier=self.carrier
            )
