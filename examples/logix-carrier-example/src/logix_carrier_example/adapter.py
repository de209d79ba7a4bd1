"""A logix adapter for ParcelPoint, a fictional carrier with a typical tracking API.

The API (``https://api.parcelpoint.example``):

* ``POST /v1/track`` with ``{"numbers": [...]}`` (at most 50) and the header
  ``X-Api-Key``; 5 requests per second.
* The answer: ``{"results": [{"number": ..., "status": "found" | "not_found",
  "events": [{"code": "ACC", "at": "2026-03-02T09:15:00+01:00",
  "place": {"city": "Lyon", "country": "FR"}, "text": "..."}]}]}``.
* Webhooks: the body is ``{"event": "tracking.updated", "result": {...}}`` (one
  result as above); the header ``ParcelPoint-Signature: t=<unix seconds>,v1=<hex>``
  carries the HMAC-SHA256 of ``"<t>." + body`` under the webhook secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import SecretStr

from logix_carriers import (
    AdapterSettings,
    BaseAdapter,
    Capabilities,
    EventSource,
    RateLimit,
    Reason,
    ResponseFormatError,
    Status,
    TrackResult,
    TrackResultBuilder,
    WebhookError,
    hmac_signature,
    require_fresh,
    require_header,
    signatures_match,
)

#: ParcelPoint event code -> (status, reason).  Data, not code: the contract kit
#: checks every entry lands in the logix taxonomy.
CODES: Mapping[str, tuple[Status, Reason | None]] = {
    "CRE": (Status.INFO_RECEIVED, None),
    "ACC": (Status.PICKED_UP, None),
    "HUB": (Status.IN_TRANSIT, None),
    "CUS": (Status.CUSTOMS, None),
    "CUH": (Status.EXCEPTION, Reason.CUSTOMS_HOLD),
    "OFD": (Status.OUT_FOR_DELIVERY, None),
    "NHM": (Status.ATTEMPT_FAILED, Reason.RECIPIENT_UNAVAILABLE),
    "PUP": (Status.AVAILABLE_FOR_PICKUP, None),
    "DLV": (Status.DELIVERED, None),
    "DMG": (Status.EXCEPTION, Reason.DAMAGED),
    "RTS": (Status.RETURNING, None),
}


class ParcelPointSettings(AdapterSettings):
    """Read from ``LOGIX_PARCELPOINT_API_KEY``, ``..._BASE_URL``, ``..._WEBHOOK_SECRET``."""

    api_key: SecretStr
    base_url: str = "https://api.parcelpoint.example"
    webhook_secret: SecretStr | None = None


class ParcelPointAdapter(BaseAdapter[ParcelPointSettings]):
    """Tracking and webhooks for ParcelPoint."""

    code = "parcelpoint"
    name = "ParcelPoint"
    settings_model = ParcelPointSettings
    capabilities = Capabilities(
        batch_size=50,
        rate_limit=RateLimit(5),
        auth="api_key",
        webhooks=True,
        signs_webhooks=True,
    )

    def build_requests(self, numbers: Sequence[str]) -> list[httpx.Request]:
        return [
            httpx.Request(
                "POST",
                f"{self.settings.base_url}/v1/track",
                json={"numbers": list(numbers)},
                headers={"X-Api-Key": self.settings.api_key.get_secret_value()},
            )
        ]

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
            raise ResponseFormatError(
                "expected an object with a 'results' list", raw=payload, carrier=self.code
            )
        out = TrackResultBuilder(self.code, numbers)
        for index, result in enumerate(payload["results"]):
            self._parse_result(result, out, f"results[{index}]")
        return out.result()

    def _parse_result(self, result: Any, out: TrackResultBuilder, where: str) -> None:
        number = result.get("number") if isinstance(result, dict) else None
        if not isinstance(number, str) or not number:
            out.problem(None, "bad_payload", "result without a number", raw=result, location=where)
            return
        if result.get("status") == "not_found":
            out.problem(number, "not_found", "ParcelPoint does not know this number")
            return
        for index, raw in enumerate(result.get("events") or []):
            self._parse_event(number, raw, out, f"{where}.events[{index}]")

    def _parse_event(self, number: str, raw: Any, out: TrackResultBuilder, where: str) -> None:
        if not isinstance(raw, dict):
            out.problem(number, "bad_event", "event is not an object", raw=raw, location=where)
            return
        code = str(raw.get("code") or "")
        source = EventSource(system=self.code, code=code or None, text=raw.get("text"))
        status, reason = CODES.get(code, (Status.UNKNOWN, None))
        if code not in CODES:
            out.unknown_code(number, source, raw=raw, location=where)
        place = raw.get("place")
        if not isinstance(place, dict):
            place = {}
        out.event(
            {
                "tracking_number": number,
                "carrier": self.code,
                "occurred_at": raw.get("at"),
                "status": status,
                "reason": reason,
                "location": {"city": place.get("city"), "country": place.get("country")},
                "description": raw.get("text") or "",
                "source": source,
            },
            raw=raw,
            location=where,
        )

    def verify_webhook(self, headers: httpx.Headers, body: bytes, secret: SecretStr | None) -> None:
        assert secret is not None  # BaseAdapter asks for one since signs_webhooks is set
        header = require_header(headers, "ParcelPoint-Signature", carrier=self.code)
        parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
        if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
            raise WebhookError("malformed ParcelPoint-Signature header", carrier=self.code)
        signed = parts["t"].encode() + b"." + body
        expected = hmac_signature(secret, signed, encoding="hex")
        if not signatures_match(expected, parts["v1"].strip().lower()):
            raise WebhookError(
                "webhook signature does not match the body; altered, or wrong secret",
                carrier=self.code,
            )
        sent_at = datetime.fromtimestamp(int(parts["t"]), UTC)
        require_fresh(
            sent_at, self.clock.now(), tolerance=self.webhook_tolerance, carrier=self.code
        )

    def parse_webhook_payload(self, payload: Any, headers: httpx.Headers) -> TrackResult:
        if not isinstance(payload, dict) or not isinstance(payload.get("result"), dict):
            raise WebhookError("expected an object with a 'result' object", carrier=self.code)
        out = TrackResultBuilder(self.code)
        self._parse_result(payload["result"], out, "result")
        return out.result()
