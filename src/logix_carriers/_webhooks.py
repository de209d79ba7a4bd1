"""Building blocks for verifying and decoding carrier webhooks.

Adapters combine these in ``verify_webhook``: read the signature header, compute
the expected value over the exact bytes received, compare in constant time,
check that the delivery is fresh, then decode the JSON.  Every failure is a
:class:`WebhookError` saying what was wrong, never echoing the secret or the
expected signature.
"""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

import httpx
from pydantic import SecretStr

from ._errors import WebhookError

__all__ = [
    "decode_webhook_json",
    "hmac_signature",
    "require_fresh",
    "require_header",
    "signatures_match",
    "verify_hmac",
]

Encoding = Literal["base64", "hex"]


def _secret_bytes(secret: str | bytes | SecretStr) -> bytes:
    if isinstance(secret, SecretStr):
        secret = secret.get_secret_value()
    return secret.encode() if isinstance(secret, str) else secret


def require_header(headers: Mapping[str, str], name: str, *, carrier: str) -> str:
    """The value of header ``name`` (case-insensitive), or a :class:`WebhookError`."""
    value: str | None = httpx.Headers(headers).get(name)
    if value is None or not value.strip():
        raise WebhookError(f"webhook delivery has no {name} header", carrier=carrier)
    return value.strip()


def hmac_signature(
    secret: str | bytes | SecretStr,
    body: bytes,
    *,
    algorithm: str = "sha256",
    encoding: Encoding = "base64",
) -> str:
    """The HMAC of ``body`` under ``secret``, base64- or hex-encoded."""
    digest = hmac.new(_secret_bytes(secret), body, algorithm).digest()
    return base64.b64encode(digest).decode() if encoding == "base64" else digest.hex()


def signatures_match(expected: str | bytes, given: str | bytes) -> bool:
    """Constant-time comparison, so timing does not leak how much of a forgery matched."""
    left = expected.encode() if isinstance(expected, str) else expected
    right = given.encode() if isinstance(given, str) else given
    return hmac.compare_digest(left, right)


def verify_hmac(
    body: bytes,
    secret: str | bytes | SecretStr,
    signature: str,
    *,
    carrier: str,
    algorithm: str = "sha256",
    encoding: Encoding = "base64",
) -> None:
    """Raise :class:`WebhookError` unless ``signature`` is the HMAC of ``body``."""
    expected = hmac_signature(secret, body, algorithm=algorithm, encoding=encoding)
    given = signature.strip()
    if encoding == "hex":
        given = given.lower()
    if not signatures_match(expected, given):
        raise WebhookError(
            f"webhook signature does not match the body (HMAC-{algorithm.upper()}, "
            f"{encoding}); the body was altered or the secret is wrong",
            carrier=carrier,
        )


def require_fresh(sent_at: datetime, now: datetime, *, tolerance: float, carrier: str) -> None:
    """Reject deliveries older (or further in the future) than ``tolerance`` seconds.

    Replayed webhooks carry a valid signature; only their age gives them away.
    """
    if sent_at.tzinfo is None or sent_at.utcoffset() is None:
        raise WebhookError(
            f"webhook timestamp {sent_at.isoformat()} has no UTC offset", carrier=carrier
        )
    skew = abs(now - sent_at)
    if skew > timedelta(seconds=tolerance):
        raise WebhookError(
            f"webhook timestamp {sent_at.isoformat()} is {skew.total_seconds():.0f}s away "
            f"from now; deliveries older than {tolerance:g}s are rejected as replays",
            carrier=carrier,
        )


def decode_webhook_json(body: bytes | str, *, carrier: str) -> Any:
    """The JSON document in ``body``, or a :class:`WebhookError` saying where it broke."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return json.loads(text)
    except UnicodeDecodeError as exc:
        raise WebhookError(
            f"webhook body is not UTF-8 (byte {exc.start})", carrier=carrier
        ) from exc
    except json.JSONDecodeError as exc:
        raise WebhookError(
            f"webhook body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            carrier=carrier,
        ) from exc
    except RecursionError as exc:
        raise WebhookError("webhook body nests too deeply to read", carrier=carrier) from exc
    except ValueError as exc:  # e.g. an integer longer than Python converts
        raise WebhookError(f"webhook body is not usable JSON: {exc}", carrier=carrier) from exc
