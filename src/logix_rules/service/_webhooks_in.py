"""``POST /webhooks/{carrier}``: verify over the exact bytes, parse, ingest, answer.

The answer is 2xx only once the delivery is committed, so a carrier retries anything
this service did not keep.  Rejections are logged with the carrier and the reason,
never the body or a secret.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import httpx
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from logix_carriers import BaseAdapter, CarrierAdapter, ConfigError, WebhookError

from ._context import Handle, ServiceContext
from ._ingest import ingest_delivery

__all__ = ["BodyTooLarge", "read_body", "token_endpoint", "webhook_endpoint"]

log = logging.getLogger("logix.service.webhooks")


class BodyTooLarge(Exception):
    """The request body is over the limit (answered with 413)."""


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, read no further than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        parts.append(chunk)
    return b"".join(parts)


def _error(status: int, code: str, msg: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "msg": msg}}, status_code=status)


def _receiver(ctx: ServiceContext, carrier: str) -> CarrierAdapter | None:
    adapter = ctx.adapters.get(carrier)
    if adapter is None or not adapter.capabilities.webhooks:
        return None
    return adapter


def _verify_and_parse(adapter: CarrierAdapter, headers: httpx.Headers, body: bytes) -> list[Any]:
    """The delivery's events; ``WebhookError`` (401) when it is not authentic;
    ``ValueError`` (400) when it is authentic but cannot be read."""
    if isinstance(adapter, BaseAdapter):
        # Verify first on its own, so an authentic delivery that fails to parse is
        # told apart (400) from a forged one (401).
        adapter.verify_webhook(headers, body, adapter.webhook_secret())
        try:
            return adapter.webhook_result(headers, body).all_events()
        except WebhookError as exc:
            raise ValueError(exc.message) from exc
    return adapter.parse_webhook(headers, body)


class _Refused(Exception):
    """The delivery is refused before anything is stored (``reason`` says why)."""

    def __init__(self, reason: Exception) -> None:
        super().__init__(str(reason))
        self.reason = reason


def _receive(
    handle: Handle, *, carrier: str, adapter: CarrierAdapter, headers: httpx.Headers, body: bytes
) -> tuple[int, int]:
    """Verify, parse and store one delivery; (events in it, events new)."""
    try:
        events = _verify_and_parse(adapter, headers, body)
    except (ConfigError, WebhookError, ValueError) as exc:
        raise _Refused(exc) from exc
    return len(events), ingest_delivery(handle, carrier, events)


def _refusal(ctx: ServiceContext, carrier: str, reason: Exception) -> Response:
    metrics = ctx.metrics
    if isinstance(reason, ConfigError):
        metrics.inc("logix_webhooks_rejected_total", carrier=carrier, reason="not_configured")
        log.error(
            "%s webhook refused: the service is not configured to verify it (%s)",
            carrier,
            reason.variable or "settings",
        )
        return _error(503, "not_configured", "this carrier's webhook secret is not configured")
    if isinstance(reason, WebhookError):
        metrics.inc("logix_webhooks_rejected_total", carrier=carrier, reason="signature")
        # The message says what failed (no header, mismatch, stale); adapters never put
        # the secret or the body in it.
        log.warning("%s webhook rejected: %s", carrier, reason.message[:200])
        return _error(401, "bad_signature", "the delivery could not be authenticated")
    metrics.inc("logix_webhooks_rejected_total", carrier=carrier, reason="unreadable")
    log.warning("%s webhook unreadable: %s", carrier, str(reason)[:200])
    return _error(400, "unreadable", "the delivery is authentic but could not be read")


async def webhook_endpoint(request: Request) -> Response:
    ctx: ServiceContext = request.app.state.logix
    carrier = str(request.path_params["carrier"]).lower()
    adapter = _receiver(ctx, carrier)
    if adapter is None:
        return _error(404, "unknown_carrier", f"no carrier {carrier[:40]!r} receives webhooks here")
    metrics = ctx.metrics
    try:
        body = await read_body(request, ctx.settings.max_body)
    except BodyTooLarge:
        metrics.inc("logix_webhooks_rejected_total", carrier=carrier, reason="too_large")
        log.warning("%s webhook refused: body over %d bytes", carrier, ctx.settings.max_body)
        return _error(413, "too_large", f"bodies are limited to {ctx.settings.max_body} bytes")
    except ClientDisconnect:
        return Response(status_code=400)
    headers = httpx.Headers(request.headers.raw)
    try:
        # One trip to a worker thread: verifying and parsing take milliseconds too.
        count, fresh = await ctx.run(
            functools.partial(
                _receive, carrier=carrier, adapter=adapter, headers=headers, body=body
            )
        )
    except _Refused as refused:
        return _refusal(ctx, carrier, refused.reason)
    except Exception:
        metrics.inc("logix_webhooks_total", carrier=carrier, outcome="error")
        log.exception("%s webhook: storing the delivery failed; the carrier will retry", carrier)
        return _error(503, "store_failed", "the delivery was not stored; retry later")
    metrics.inc("logix_webhooks_total", carrier=carrier, outcome="stored")
    metrics.inc("logix_events_ingested_total", fresh, carrier=carrier, source="webhook")
    return JSONResponse({"events": count, "new": fresh, "duplicates": count - fresh})


async def token_endpoint(request: Request) -> Response:
    """The token URL of a carrier whose webhooks authenticate with an OAuth handshake
    (UPS Track Alert v2): answers the carrier's client-credentials request."""
    ctx: ServiceContext = request.app.state.logix
    carrier = str(request.path_params["carrier"]).lower()
    adapter = _receiver(ctx, carrier)
    issue = getattr(adapter, "webhook_token_response", None)
    if issue is None:
        return _error(404, "unknown_carrier", f"no carrier {carrier[:40]!r} issues tokens here")
    try:
        body = await read_body(request, 64 * 1024)
        answer = issue(httpx.Headers(request.headers.raw), body)
    except BodyTooLarge:
        return _error(413, "too_large", "token requests are small")
    except ConfigError:
        return _error(503, "not_configured", "this carrier's webhook client is not configured")
    except WebhookError as exc:
        ctx.metrics.inc("logix_webhooks_rejected_total", carrier=carrier, reason="token")
        log.warning("%s token request rejected: %s", carrier, exc.message[:200])
        return _error(401, "bad_client", "unknown client")
    return JSONResponse(answer, headers={"cache-control": "no-store"})
