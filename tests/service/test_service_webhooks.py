"""POST /webhooks/{carrier} through httpx's ASGI transport: signed deliveries built
from each built-in carrier's recorded payloads, then tampered, replayed, oversized,
sent to the wrong carrier; logs never carry a secret or a body."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from service_support import (
    SECRETS,
    WEBHOOK_CARRIERS,
    client,
    make_app,
    run,
    settings,
    sign,
)

from logix_rules.store import Store, open_store


@pytest.fixture
def store(tmp_path: Path) -> Any:
    opened = open_store(f"sqlite:///{tmp_path / 'ops.db'}")
    yield opened
    opened.close()


def post(app: Any, carrier: str, body: bytes, headers: dict[str, str]) -> Any:
    async def go() -> Any:
        async with client(app) as http:
            return await http.post(f"/webhooks/{carrier}", content=body, headers=headers)

    return run(go())


def seen(store: Store) -> int:
    with store.db.transaction(write=False):
        return int(store.db.execute("SELECT COUNT(*) FROM webhook_events")[0][0])


@pytest.mark.parametrize("carrier", sorted(WEBHOOK_CARRIERS))
def test_a_signed_delivery_is_stored_once(carrier: str, store: Store) -> None:
    app = make_app(store)
    body = WEBHOOK_CARRIERS[carrier]
    first = post(app, carrier, body, sign(carrier, body))
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["new"] == answer["events"] >= 1
    assert store.shipment_count() >= 1
    stored = seen(store)
    assert stored == answer["new"]
    assert app.state.logix.metrics.value("logix_events_ingested_total", carrier=carrier) == stored
    # The carrier retries (we answered too late, say): nothing is ingested twice.
    again = post(app, carrier, body, sign(carrier, body))
    assert again.status_code == 200
    assert again.json() == {"events": answer["events"], "new": 0, "duplicates": answer["events"]}
    assert seen(store) == stored


@pytest.mark.parametrize("carrier", sorted(WEBHOOK_CARRIERS))
def test_a_tampered_delivery_is_refused_and_stores_nothing(
    carrier: str, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(store)
    body = WEBHOOK_CARRIERS[carrier]
    headers = sign(carrier, body)
    if carrier == "ups":  # unsigned: the credential header is what authenticates it
        headers = {**headers, "credential": "a-guessed-credential"}
        tampered = body
    else:
        tampered = body.replace(b"20", b"21", 1)
        assert tampered != body
    with caplog.at_level(logging.INFO):
        answer = post(app, carrier, tampered, headers)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "bad_signature"
    assert seen(store) == 0
    assert store.shipment_count() == 0
    metrics = app.state.logix.metrics
    assert metrics.value("logix_webhooks_rejected_total", carrier=carrier, reason="signature") == 1
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"{carrier} webhook rejected" in logged
    for secret in SECRETS:
        assert secret not in logged
    assert tampered.decode()[:60] not in logged
    assert "tracking" not in logged.lower()


@pytest.mark.parametrize("carrier", sorted(WEBHOOK_CARRIERS))
def test_a_delivery_signed_for_another_carrier_is_refused(carrier: str, store: Store) -> None:
    app = make_app(store)
    others = sorted(set(WEBHOOK_CARRIERS) - {carrier})
    body = WEBHOOK_CARRIERS[others[0]]
    answer = post(app, carrier, body, sign(others[0], body))
    assert answer.status_code == 401
    assert store.shipment_count() == 0


def test_a_delivery_without_signature_is_refused(store: Store) -> None:
    body = WEBHOOK_CARRIERS["aftership"]
    answer = post(make_app(store), "aftership", body, {"content-type": "application/json"})
    assert answer.status_code == 401


def test_an_oversized_delivery_gets_413_before_it_is_read(store: Store) -> None:
    body = WEBHOOK_CARRIERS["17track"]
    app = make_app(store, settings=settings(max_body=len(body) - 1))
    answer = post(app, "17track", body, sign("17track", body))
    assert answer.status_code == 413
    assert store.shipment_count() == 0
    exact = make_app(store, settings=settings(max_body=len(body)))
    assert post(exact, "17track", body, sign("17track", body)).status_code == 200


def test_the_default_limit_is_one_mebibyte(store: Store) -> None:
    huge = b"{" + b" " * (1024 * 1024) + b"}"
    answer = post(make_app(store), "17track", huge, sign("17track", huge))
    assert answer.status_code == 413


def test_unknown_carriers_and_carriers_without_push_get_404(store: Store) -> None:
    app = make_app(store)
    body = WEBHOOK_CARRIERS["17track"]
    assert post(app, "nosuch", body, sign("17track", body)).status_code == 404
    assert post(app, "dhl", body, sign("17track", body)).status_code == 404  # DHL never pushes


def test_an_authentic_but_unreadable_delivery_is_400(store: Store) -> None:
    body = b'{"event": "TRACKING_UPDATED", "data": 7}'
    answer = post(make_app(store), "17track", body, sign("17track", body))
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "unreadable"


def test_webhooks_need_no_bearer_token_and_api_tokens_do_not_sign(store: Store) -> None:
    body = WEBHOOK_CARRIERS["aftership"]
    answer = post(make_app(store), "aftership", body, {"authorization": "Bearer x"})
    assert answer.status_code == 401


def test_event_ids_are_forgotten_after_thirty_days(store: Store) -> None:
    from logix_rules.service._background import Background
    from logix_rules.store._db import wall_micros

    app = make_app(store)
    body = WEBHOOK_CARRIERS["17track"]
    assert post(app, "17track", body, sign("17track", body)).json()["new"] == 1
    day = 86_400_000_000
    with store.db.transaction(write=True):
        store.db.execute("UPDATE webhook_events SET received = ?", (wall_micros() - 29 * day,))
    jobs: Background = app.state.logix_background
    assert run(jobs.tidy()) == 0
    with store.db.transaction(write=True):
        store.db.execute("UPDATE webhook_events SET received = ?", (wall_micros() - 31 * day,))
    assert run(jobs.tidy()) == 1
    # A very late copy is taken as new by the service, and changes nothing in the parcel.
    again = post(app, "17track", body, sign("17track", body))
    assert again.json()["new"] == 1
    assert store.feed_head() == 0


def test_ups_track_alert_v2_token_handshake(store: Store) -> None:
    import base64

    from service_support import adapters, raw

    from logix_carriers.carriers._ups import UpsAdapter

    ups = UpsAdapter(webhook_client_id="ups-client", webhook_client_secret="ups-secret", environ={})
    app = make_app(store, adapters={**adapters(), "ups": ups})
    basic = base64.b64encode(b"ups-client:ups-secret").decode()
    form = {"content-type": "application/x-www-form-urlencoded", "authorization": f"Basic {basic}"}

    async def go() -> tuple[Any, Any, Any]:
        async with client(app) as http:
            wrong = await http.post(
                "/webhooks/ups/token",
                content=b"grant_type=client_credentials",
                headers={**form, "authorization": "Basic " + base64.b64encode(b"x:y").decode()},
            )
            issued = await http.post(
                "/webhooks/ups/token", content=b"grant_type=client_credentials", headers=form
            )
            token = issued.json()["access_token"]
            body = raw("ups", "track_alert_delivered")
            delivered = await http.post(
                "/webhooks/ups",
                content=body,
                headers={
                    "authorization": f"Bearer {token}",
                    "x-api-key": "ups-client",
                    "content-type": "application/json",
                },
            )
            return wrong, issued, delivered

    wrong, issued, delivered = run(go())
    assert wrong.status_code == 401
    assert issued.status_code == 200
    assert issued.headers["cache-control"] == "no-store"
    assert delivered.status_code == 200
    assert delivered.json()["new"] >= 1
    assert post(app, "17track", b"x", {}).status_code == 401
    assert post(app, "dhl/token", b"", {}).status_code == 404
