"""17TRACK API v2.2: ``register`` + ``gettrackinfo`` (``17token`` header), and its push.

17TRACK tracks a number only once it is registered, so a tracking call sends two
requests per batch of at most 40 numbers: ``POST /register`` (numbers already
registered are fine) then ``POST /gettrackinfo``.  Both answer HTTP 200 with a
``code`` (0 = success) and ``accepted`` / ``rejected`` lists.

Statuses: each event carries a ``sub_status`` (``InTransit_PickedUp``...) whose
prefix is the main status; both map through the ``17track`` table of
:mod:`logix_carriers._status_maps`.  Older events only carry a milestone
``stage`` (``PickedUp``, ``Departure``...): :data:`MILESTONE_STAGES` translates it
to the main/sub-status it stands for.

Times: ``time_utc`` is the instant and ``time_iso`` the same moment at the local
offset.  When the carrier gave no zone 17TRACK sends ``time_utc: null`` and a
naive ``time_iso``; that wall time is placed by the event's address, else by the
shipment's country for the event's leg (``shipping_info``), else by the home
country of the provider that scanned it (``assumed``, with a problem).

Requests: a :class:`TrackedNumber` with a ``carrier_code`` (17TRACK's numeric
carrier key, e.g. ``3011`` for China Post) is registered and queried with it;
auto-detection misfiles ambiguous Chinese numbers.  The estimate in
``time_metrics.estimated_delivery_date`` (its latest bound) is kept on every event.

Webhook: 17TRACK signs each push with a ``sign`` header, the hex SHA-256 of the
raw body, a ``/`` and the account's API key.  The push carries no delivery
timestamp, so replays cannot be told by age; parsing is idempotent instead (the
same push gives the same event ids).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any, ClassVar

import httpx
from pydantic import SecretStr

from .._adapter import BaseAdapter, Capabilities
from .._errors import ConfigError, WebhookError
from .._http import decode_json
from .._http_pacing import RateLimit
from .._settings import AdapterSettings
from .._track_result import TrackResult
from .._tracked_number import facts_of
from .._webhooks import require_header, signatures_match
from ._seventeen_track_read import (
    MAX_BATCH,
    MILESTONE_STAGES,
    SYSTEM,
    event_time,
    map_event,
    parse_push,
    parse_register,
    parse_trackinfo,
)

__all__ = [
    "MILESTONE_STAGES",
    "SeventeenTrackAdapter",
    "SeventeenTrackSettings",
    "build_gettrackinfo_request",
    "build_register_request",
    "event_time",
    "map_event",
    "parse_push",
    "parse_register",
    "parse_trackinfo",
    "push_signature",
]


def push_signature(body: bytes, key: str) -> str:
    """17TRACK's ``sign`` header: hex SHA-256 of ``body + b"/" + key``."""
    return hashlib.sha256(body + b"/" + key.encode("utf-8")).hexdigest()


def _item(number: str) -> dict[str, Any]:
    """``{"number": ...}``, with ``"carrier"`` when the shipment knows its 17TRACK key."""
    item: dict[str, Any] = {"number": str(number)}
    code = facts_of(number).carrier_code
    if code is not None:
        # 17TRACK's carrier keys are integers; anything else is sent as given and
        # 17TRACK's rejection of it comes back as a problem for the number.
        item["carrier"] = int(code) if code.isdigit() else code
    return item


def _request(base_url: str, endpoint: str, numbers: Sequence[str], api_key: str) -> httpx.Request:
    if len(numbers) > MAX_BATCH:
        raise ValueError(f"17TRACK takes at most {MAX_BATCH} numbers per call, got {len(numbers)}")
    return httpx.Request(
        "POST",
        f"{base_url.rstrip('/')}/{endpoint}",
        json=[_item(number) for number in numbers],
        headers={"17token": api_key, "Accept": "application/json"},
    )


def build_register_request(
    numbers: Sequence[str], *, api_key: str, base_url: str = "https://api.17track.net/track/v2.2"
) -> httpx.Request:
    """``POST /register`` with ``[{"number": ..., "carrier": key}, ...]``.

    ``carrier`` is sent for a :class:`TrackedNumber` with a ``carrier_code``; the
    others are auto-detected by 17TRACK.
    """
    return _request(base_url, "register", numbers, api_key)


def build_gettrackinfo_request(
    numbers: Sequence[str], *, api_key: str, base_url: str = "https://api.17track.net/track/v2.2"
) -> httpx.Request:
    """``POST /gettrackinfo`` with ``[{"number": ..., "carrier": key}, ...]``."""
    return _request(base_url, "gettrackinfo", numbers, api_key)


class SeventeenTrackSettings(AdapterSettings):
    """``LOGIX_17TRACK_API_KEY`` (required) and options.

    ``auto_register=False`` skips ``/register`` for accounts that register numbers
    elsewhere.  ``webhook_secret`` defaults to the API key, which is what 17TRACK
    signs pushes with.
    """

    api_key: SecretStr
    base_url: str = "https://api.17track.net/track/v2.2"
    auto_register: bool = True
    webhook_secret: SecretStr | None = None


class SeventeenTrackAdapter(BaseAdapter[SeventeenTrackSettings]):
    """17TRACK v2.2: 40 numbers per call, 3 requests per second."""

    code: ClassVar[str] = SYSTEM
    name: ClassVar[str] = "17TRACK API v2.2"
    settings_model: ClassVar[type[AdapterSettings]] = SeventeenTrackSettings
    capabilities: ClassVar[Capabilities] = Capabilities(
        batch_size=MAX_BATCH,
        rate_limit=RateLimit(3),
        auth="api_key",
        webhooks=True,
        signs_webhooks=True,
    )
    # 17TRACK accepts 5 to 50 letters and digits; anything else is rejected anyway.
    number_pattern: ClassVar[re.Pattern[str] | None] = re.compile(r"[0-9A-Za-z]{5,50}")

    def build_requests(self, numbers: Sequence[str]) -> Sequence[httpx.Request]:
        settings = self.settings
        key = settings.api_key.get_secret_value()
        requests = []
        if settings.auto_register:
            requests.append(
                build_register_request(numbers, api_key=key, base_url=settings.base_url)
            )
        requests.append(
            build_gettrackinfo_request(numbers, api_key=key, base_url=settings.base_url)
        )
        return requests

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        return parse_trackinfo(payload, numbers)

    def parse_response(self, numbers: Sequence[str], response: httpx.Response) -> TrackResult:
        payload = decode_json(response, self.code, self.secret_values())
        if response.request.url.path.rstrip("/").endswith("/register"):
            return parse_register(payload, numbers)
        return parse_trackinfo(payload, numbers)

    def webhook_secret(self, secret: str | SecretStr | None = None) -> SecretStr | None:
        configured = super().webhook_secret(secret)
        if configured is not None:
            return configured
        try:
            return self.settings.api_key
        except ConfigError:
            return None

    def verify_webhook(self, headers: httpx.Headers, body: bytes, secret: SecretStr | None) -> None:
        if secret is None:
            raise ConfigError(
                f"no key to verify 17TRACK pushes: set {self.env_var('api_key')}",
                variable=self.env_var("api_key"),
                carrier=self.code,
            )
        given = require_header(headers, "sign", carrier=self.code).lower()
        expected = push_signature(body, secret.get_secret_value())
        if not signatures_match(expected, given):
            raise WebhookError(
                "sign header does not match SHA-256(body + '/' + key); the body was altered "
                "or the key is wrong",
                carrier=self.code,
            )

    def parse_webhook_payload(self, payload: Any, headers: httpx.Headers) -> TrackResult:
        return parse_push(payload)
