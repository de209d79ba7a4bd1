"""UPS Track Alert v2: OAuth against our token URL plus ``x-api-key``; v1 where configured.

UPS's ``UPSTrackAlert.yaml`` (v2): the ``TrackingEvent`` webhook is secured by
``clientOauth2``, a client-credentials flow against *the customer's* token URL with
``client_secret_basic``, and carries ``x-api-key`` holding that client id.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from logix_carriers import ConfigError, Status, UpsAdapter, WebhookError, WebhookTokens
from logix_carriers.testing import FakeClock

PAYLOADS = Path(__file__).parent / "payloads" / "ups"
CLIENT, SECRET = "ups-hook-client", "ups-hook-secret-9c2e"
NOW = datetime(2026, 4, 23, 13, 50, tzinfo=UTC)


def body() -> bytes:
    return (PAYLOADS / "track_alert_delivered.json").read_bytes()


def receiver(clock: FakeClock | None = None, **settings: Any) -> UpsAdapter:
    options: dict[str, Any] = {"webhook_client_id": CLIENT, "webhook_client_secret": SECRET}
    options.update(settings)
    return UpsAdapter(environ={}, clock=clock or FakeClock(NOW), **options)


def token_request(client: str = CLIENT, secret: str = SECRET) -> tuple[dict[str, str], bytes]:
    basic = base64.b64encode(f"{client}:{secret}".encode()).decode()
    headers = {
        "Authorization": f"Basic {basic}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return headers, b"grant_type=client_credentials"


def delivery_headers(token: str, api_key: str = CLIENT) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "x-api-key": api_key,
        "User-Agent": "UPSPubSubTrackingService",
        "Content-Type": "application/json",
    }


def fetch_token(adapter: UpsAdapter) -> str:
    answer = adapter.webhook_token_response(*token_request())
    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] == 3600
    token: str = answer["access_token"]
    return token


def test_a_v2_delivery_with_our_token_and_api_key_is_accepted() -> None:
    ups = receiver()
    (event,) = ups.parse_webhook(delivery_headers(fetch_token(ups)), body())
    assert event.status == Status.DELIVERED
    assert event.tracking_number == "1Z204W4R0308071865"


def test_tokens_are_checked_by_any_worker_with_the_same_credentials() -> None:
    token = fetch_token(receiver())
    other_worker = receiver()  # a second instance: nothing shared but the settings
    assert other_worker.parse_webhook(delivery_headers(token), body())


def test_the_token_url_refuses_a_wrong_client() -> None:
    ups = receiver()
    for headers, form in (
        token_request(secret="guess"),
        token_request(client="someone-else"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, b"grant_type=client_credentials"),
        (token_request()[0], b"grant_type=password"),
    ):
        with pytest.raises(WebhookError):
            ups.webhook_token_response(headers, form)
    # client_secret_post works too.
    form = f"grant_type=client_credentials&client_id={CLIENT}&client_secret={SECRET}".encode()
    assert ups.webhook_token_response({}, form)["token_type"] == "Bearer"


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ("api_key", "x-api-key header does not name the webhook client id"),
        ("forged", "was not issued by this receiver's token URL"),
        ("other_secret", "was not issued by this receiver's token URL"),
        ("expired", "has expired"),
        ("garbage", "was not issued"),
    ],
)
def test_forged_expired_or_misdirected_v2_deliveries_are_refused(change: str, match: str) -> None:
    clock = FakeClock(NOW)
    ups = receiver(clock)
    token = fetch_token(ups)
    headers = delivery_headers(token)
    if change == "api_key":
        headers["x-api-key"] = "another-client"
    elif change == "forged":
        payload, _, _ = token.partition(".")
        headers["Authorization"] = f"Bearer {payload}.{'A' * 43}"
    elif change == "other_secret":
        other = WebhookTokens(CLIENT, SecretStr("not-our-secret"), carrier="ups")
        headers["Authorization"] = f"Bearer {other.issue(NOW)}"
    elif change == "expired":
        clock.advance(3601)
    else:
        headers["Authorization"] = "Bearer not-a-token"
    with pytest.raises(WebhookError, match=match):
        ups.parse_webhook(headers, body())


def test_v2_without_v2_credentials_is_a_config_error() -> None:
    token = fetch_token(receiver())
    ups = UpsAdapter(environ={}, clock=FakeClock(NOW))
    with pytest.raises(ConfigError, match="LOGIX_UPS_WEBHOOK_CLIENT_SECRET"):
        ups.parse_webhook(delivery_headers(token), body())
    with pytest.raises(ConfigError, match="LOGIX_UPS_WEBHOOK_CLIENT_ID"):
        ups.webhook_token_response(*token_request())


def test_v2_credentials_come_from_the_environment() -> None:
    env = {"LOGIX_UPS_WEBHOOK_CLIENT_ID": CLIENT, "LOGIX_UPS_WEBHOOK_CLIENT_SECRET": SECRET}
    ups = UpsAdapter(environ=env, clock=FakeClock(NOW))
    assert ups.parse_webhook(delivery_headers(fetch_token(ups)), body())


def test_v1_is_accepted_only_where_a_credential_is_configured() -> None:
    v1 = {"credential": "track-alert-credential-7f3a"}
    both = receiver(webhook_secret="track-alert-credential-7f3a")
    assert both.parse_webhook(v1, body())  # v1 and v2 side by side
    assert both.parse_webhook(delivery_headers(fetch_token(both)), body())
    with pytest.raises(WebhookError, match="no v1 credential is configured"):
        receiver().parse_webhook(v1, body())


def test_a_delivery_with_neither_is_refused() -> None:
    with pytest.raises(WebhookError, match="neither Authorization: Bearer"):
        receiver().parse_webhook({"Content-Type": "application/json"}, body())


def test_tokens_say_nothing_of_the_secret() -> None:
    tokens = WebhookTokens(CLIENT, SecretStr(SECRET), carrier="ups")
    token = tokens.issue(NOW)
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert claims == {"cid": CLIENT, "exp": int((NOW + timedelta(hours=1)).timestamp())}
    assert SECRET not in token
    assert SECRET not in repr(tokens)
