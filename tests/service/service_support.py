"""Shared parts of the service tests: the built-in carriers configured with test
secrets, signed deliveries built from the recorded payloads (tests/carriers/payloads),
an app over a fresh store, and a throwaway PostgreSQL (as the store tests start one)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import sys
from collections.abc import Coroutine, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx

from logix_carriers import CarrierAdapter
from logix_carriers.carriers._aftership import SIGNATURE_HEADER, AfterShipAdapter
from logix_carriers.carriers._dhl import DhlAdapter
from logix_carriers.carriers._seventeen_track import SeventeenTrackAdapter, push_signature
from logix_carriers.carriers._ups import UpsAdapter
from logix_carriers.testing import FakeClock
from logix_rules import loads_pack
from logix_rules.service import ServiceSettings
from logix_rules.service._app import create_app
from logix_rules.store import Store

T = TypeVar("T")

PAYLOADS = Path(__file__).resolve().parents[1] / "carriers" / "payloads"
TOKEN = "test-api-token-0123456789"
SEVENTEEN_KEY = "17track-api-key-for-tests"
AFTERSHIP_SECRET = "aftership-webhook-secret"
UPS_CREDENTIAL = "track-alert-credential-7f3a"
SECRETS = (TOKEN, SEVENTEEN_KEY, AFTERSHIP_SECRET, UPS_CREDENTIAL)
# The recorded AfterShip webhook's ``ts``: its freshness is checked against this.
AFTERSHIP_SENT = datetime(2026, 3, 3, 20, 13, tzinfo=UTC)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def raw(carrier: str, name: str) -> bytes:
    return (PAYLOADS / carrier / f"{name}.json").read_bytes()


def adapters(dhl_transport: httpx.BaseTransport | None = None) -> dict[str, CarrierAdapter]:
    clock = FakeClock(AFTERSHIP_SENT)
    return {
        "17track": SeventeenTrackAdapter(api_key=SEVENTEEN_KEY, environ={}),
        "aftership": AfterShipAdapter(
            api_key="as-api-key", webhook_secret=AFTERSHIP_SECRET, clock=clock, environ={}
        ),
        "ups": UpsAdapter(webhook_secret=UPS_CREDENTIAL, environ={}),
        "dhl": DhlAdapter(api_key="dhl-api-key", transport=dhl_transport, environ={}),
    }


def sign(carrier: str, body: bytes) -> dict[str, str]:
    """The headers a carrier sends with ``body``, signed with the test secret."""
    if carrier == "17track":
        return {"sign": push_signature(body, SEVENTEEN_KEY), "content-type": "application/json"}
    if carrier == "aftership":
        digest = hmac.new(AFTERSHIP_SECRET.encode(), body, hashlib.sha256).digest()
        return {
            SIGNATURE_HEADER: base64.b64encode(digest).decode(),
            "content-type": "application/json",
        }
    if carrier == "ups":
        return {"credential": UPS_CREDENTIAL, "content-type": "application/json"}
    raise ValueError(carrier)


#: Each built-in carrier that pushes webhooks, with one of its recorded deliveries.
WEBHOOK_CARRIERS = {
    "17track": raw("seventeen_track", "webhook_tracking_updated"),
    "aftership": raw("aftership", "webhook_tracking_update"),
    "ups": raw("ups", "track_alert_delivered"),
}


def settings(**changes: Any) -> ServiceSettings:
    base: dict[str, Any] = {"api_tokens": (), "session_secret": None}
    base.update(changes)
    return ServiceSettings(**base)


#: The pack the service tests run: stalls after 24 h (the default pack changes often;
#: what these tests check does not depend on its rules).
PACK_YAML = """
format: 1
name: service-tests
severities:
  P2: {label: urgent, respond: 15m, resolve: 8h, escalate_after: 2h}
  P3: {label: general, respond: 30m, resolve: 24h, escalate_after: 48h}
rules:
  - id: stall
    kind: tracking_stall
    title: The trail went silent
    when: not final and stage != 'pre_transit'
    anchor: last_scan
    after: 24h
    severity: P3
    remedy: {code: query_carrier, text: Ask the carrier where the parcel is.}
    explain: "No carrier scan since {last_scan} (last status {status})."
"""
PACK = loads_pack(PACK_YAML)


def make_app(store: Store, **options: Any) -> Any:
    options.setdefault("adapters", adapters())
    options.setdefault("auth", [TOKEN])
    options.setdefault("settings", settings())
    options.setdefault("background", False)
    return create_app(store, options.pop("pack", PACK), **options)


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://logix")


AUTH = {"authorization": f"Bearer {TOKEN}"}


# -- PostgreSQL, as tests/store starts it ------------------------------------------------
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "store"))
from pg_cluster import fresh_database as _fresh_database  # noqa: E402
from pg_cluster import postgres_server as postgres_server  # noqa: E402  (the service tests' server)


def fresh_database(server: str) -> Iterator[str]:
    """A new database on ``server`` for one service test, dropped after it."""
    yield from _fresh_database(server, "logix_service")
