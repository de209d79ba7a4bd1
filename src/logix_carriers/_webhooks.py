"""Building blocks for verifying and decoding carrier webhooks.

Adapters combine these in ``verify_webhook``: read the signature header, compute
the expected value over the exact bytes received, compare in constant time,
check that the delivery is fresh, then decode the body (JSON, or a form-encoded
body as domestic Chinese aggregators push: ``param=<json>&sign=<md5>``).  Every
failure is a :class:`WebhookError` saying what was wrong, never echoing the
secret or the expected signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import parse_qsl

import httpx
from pydantic import SecretStr

from ._errors import WebhookError

__all__ = [
    "FORM_CONTENT_TYPE",
    "decode_webhook_body",
    "decode_webhook_form",
    "decode_webhook_json",
    "hmac_signature",
    "md5_signature",
    "require_fresh",
    "require_header",
    "signatures_match",
    "verify_hmac",
    "verify_md5",
]

Encoding = Literal["base64", "hex"]

#: The content type of a form-encoded push (``param=...&sign=...``).
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


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


def md5_signature(*parts: str | bytes | SecretStr, upper: bool = True) -> str:
    """Hex MD5 of ``parts`` joined, upper case by default (``MD5(param + key)``).

    The signature domestic Chinese aggregators (Kuaidi100 and alike) put on their
    form-encoded pushes and requests.  MD5 with a secret suffix is weak, but it is
    what they send; check it in constant time with :func:`verify_md5`.
    """
    digest = hashlib.md5(usedforsecurity=False)
    for part in parts:
        digest.update(_secret_bytes(part))
    hexed = digest.hexdigest()
    return hexed.upper() if upper else hexed


def verify_md5(
    given: str, *parts: str | bytes | SecretStr, carrier: str, what: str = "sign"
) -> None:
    """Raise :class:`WebhookError` unless ``given`` is the MD5 of ``parts`` (any case)."""
    expected = md5_signature(*parts, upper=False)
    if not signatures_match(expected, given.strip().lower()):
        raise WebhookError(
            f"webhook {what} does not match the MD5 of the signed fields and the key; "
            "the body was altered or the key is wrong",
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


def decode_webhook_form(body: bytes | str, *, carrier: str) -> dict[str, str]:
    """The fields of a form-encoded body, or a :class:`WebhookError`.

    A field sent twice is refused: which copy was signed would be ambiguous.
    """
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError as exc:
        raise WebhookError(
            f"webhook form body is not UTF-8 (byte {exc.start})", carrier=carrier
        ) from exc
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookError(
            f"webhook body is not a form (name=value&...): {exc}", carrier=carrier
        ) from exc
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise WebhookError(f"webhook form sends field {name!r} twice", carrier=carrier)
        fields[name] = value
    return fields


def decode_webhook_body(body: bytes | str, content_type: str | None = None, *, carrier: str) -> Any:
    """The decoded body: a form's fields when ``content_type`` says it is a form
    (``application/x-www-form-urlencoded``), else the JSON document."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind == FORM_CONTENT_TYPE:
        return decode_webhook_form(body, carrier=carrier)
    return decode_webhook_json(body, carrier=carrier)


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
