"""A small adapter for a made-up carrier, used to test the SDK machinery.

The "Toy" API: ``GET /track?numbers=A,B`` with header ``Toy-Key`` answers
``{"parcels": [{"number": "A", "events": [{"code": "DL", "time": "...",
"country": "DE", "city": "Leipzig"}]}]}``; unknown numbers are listed under
``"missing"``.  Webhooks are signed with HMAC-SHA256 (base64) over the body in
``X-Toy-Signature``; the body's ``sent_at`` must be fresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from logix_carriers import (
    AdapterSettings,
    BaseAdapter,
    Capabilities,
    EventSource,
    OAuthClientCredentials,
    RateLimit,
    Reason,
    Status,
    TrackResult,
    TrackResultBuilder,
    WebhookError,
    require_fresh,
    require_header,
    verify_hmac,
)

TOY_CODES: dict[str, tuple[Status, Reason | None]] = {
    "PU": (Status.PICKED_UP, None),
    "TR": (Status.IN_TRANSIT, None),
    "NA": (Status.ATTEMPT_FAILED, Reason.RECIPIENT_UNAVAILABLE),
    "DL": (Status.DELIVERED, None),
}

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class ToySettings(AdapterSettings):
    api_key: SecretStr
    base_url: str = "https://toy.example"
    webhook_secret: SecretStr | None = None


class ToyAdapter(BaseAdapter[ToySettings]):
    code = "toy"
    name = "Toy Parcel"
    settings_model = ToySettings
    capabilities = Capabilities(
        batch_size=2,
        rate_limit=RateLimit(2),
        auth="api_key",
        webhooks=True,
        signs_webhooks=True,
    )

    def build_requests(self, numbers: Sequence[str]) -> list[httpx.Request]:
        return [
            httpx.Request(
                "GET",
                f"{self.settings.base_url}/track",
                params={"numbers": ",".join(numbers)},
                headers={"Toy-Key": self.settings.api_key.get_secret_value()},
            )
        ]

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        out = TrackResultBuilder(self.code, numbers)
        for number in payload.get("missing", []):
            out.problem(number, "not_found", "unknown to Toy")
        for p_index, parcel in enumerate(payload["parcels"]):
            for e_index, raw in enumerate(parcel["events"]):
                where = f"parcels[{p_index}].events[{e_index}]"
                source = EventSource(system="toy", code=raw.get("code"))
                status, reason = TOY_CODES.get(raw.get("code"), (Status.UNKNOWN, None))
                if status is Status.UNKNOWN:
                    out.unknown_code(parcel["number"], source, raw=raw, location=where)
                out.event(
                    {
                        "tracking_number": parcel["number"],
                        "carrier": self.code,
                        "occurred_at": raw.get("time"),
                        "status": status,
                        "reason": reason,
                        "location": {"country": raw.get("country"), "city": raw.get("city")},
                        "source": source,
                    },
                    raw=raw,
                    location=where,
                )
        return out.result()

    def verify_webhook(self, headers: httpx.Headers, body: bytes, secret: SecretStr | None) -> None:
        assert secret is not None
        signature = require_header(headers, "X-Toy-Signature", carrier=self.code)
        verify_hmac(body, secret, signature, carrier=self.code)

    def parse_webhook_payload(self, payload: Any, headers: httpx.Headers) -> TrackResult:
        try:
            sent_at = datetime.fromisoformat(payload["sent_at"])
        except (KeyError, TypeError, ValueError) as exc:
            raise WebhookError("webhook without a valid sent_at", carrier=self.code) from exc
        require_fresh(
            sent_at, self.clock.now(), tolerance=self.webhook_tolerance, carrier=self.code
        )
        return self.parse_payload(payload)


class OAuthToySettings(AdapterSettings):
    client_id: str
    client_secret: SecretStr
    base_url: str = "https://toy.example"


class OAuthToyAdapter(BaseAdapter[OAuthToySettings]):
    """The Toy API behind OAuth client credentials, with a batch size of one."""

    code = "oauthtoy"
    name = "Toy Parcel (OAuth)"
    settings_model = OAuthToySettings
    capabilities = Capabilities(batch_size=1, auth="oauth2")

    def oauth(self) -> OAuthClientCredentials:
        return OAuthClientCredentials(
            f"{self.settings.base_url}/oauth/token",
            self.settings.client_id,
            self.settings.client_secret,
        )

    def build_requests(self, numbers: Sequence[str]) -> list[httpx.Request]:
        return [httpx.Request("GET", f"{self.settings.base_url}/track/{numbers[0]}")]

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        return ToyAdapter().parse_payload(payload, numbers)


def toy_payload(
    *numbers: str, code: str = "DL", time: str = "2026-03-01T10:00:00+01:00"
) -> dict[str, Any]:
    """A Toy answer with one event per number."""
    return {
        "parcels": [
            {
                "number": n,
                "events": [{"code": code, "time": time, "country": "DE", "city": "Leipzig"}],
            }
            for n in numbers
        ]
    }


def toy_handler(calls: list[httpx.Request]) -> Any:
    """A MockTransport handler answering every number with one delivered event."""

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        numbers = request.url.params["numbers"].split(",")
        return httpx.Response(200, json=toy_payload(*numbers))

    return handle


def write_distribution(
    root: Path,
    name: str,
    version: str,
    entry_points: dict[str, str],
    modules: dict[str, str] | None = None,
    group: str = "logix_carriers.adapters",
) -> Path:
    """Fake an installed distribution: a ``*.dist-info`` with METADATA and entry points.

    Put ``root`` on ``sys.path`` and ``importlib.metadata`` finds it exactly as it
    finds a pip-installed package; ``modules`` are written next to it.
    """
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = "".join(f"{code} = {target}\n" for code, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[{group}]\n{lines}", encoding="utf-8")
    for module, source in (modules or {}).items():
        (root / f"{module}.py").write_text(source, encoding="utf-8")
    return info
