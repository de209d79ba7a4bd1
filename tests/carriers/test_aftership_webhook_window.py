"""AfterShip's webhook freshness window covers its documented retry horizon (issue 14).

AfterShip ("Webhook Overview"): a failed delivery is attempted up to 14 times, the
n-th retry 2**n x 30 s after the previous attempt, with the same body and ``ts``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

import pytest

from logix_carriers import AfterShipAdapter, ConfigError, WebhookError
from logix_carriers.carriers._aftership import RETRY_HORIZON, WEBHOOK_MAX_AGE
from logix_carriers.testing import FakeClock

SECRET = "aftership-webhook-secret"
FIRST_ATTEMPT = datetime(2026, 3, 3, 20, 13, tzinfo=UTC)
# Seconds from the first attempt to each retry, as AfterShip's table lists them.
RETRIES = list(accumulate(30 * 2**n for n in range(13)))


def delivery() -> tuple[dict[str, str], bytes]:
    body = json.dumps(
        {
            "event": "tracking_update",
            "msg": {
                "tracking_number": "9405511202575421535949",
                "checkpoints": [
                    {
                        "checkpoint_time": "2026-03-03T14:12:00-05:00",
                        "tag": "Delivered",
                        "subtag": "Delivered_001",
                        "country_region": "USA",
                    }
                ],
            },
            "ts": int(FIRST_ATTEMPT.timestamp()),
        }
    ).encode()
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    return {"aftership-hmac-sha256": base64.b64encode(digest).decode()}, body


def receiver(at: datetime, **settings: Any) -> AfterShipAdapter:
    # A receiver that only verifies webhooks: no API key configured.
    return AfterShipAdapter(environ={}, clock=FakeClock(at), webhook_secret=SECRET, **settings)


def test_the_horizon_is_the_documented_schedule() -> None:
    assert RETRIES[:3] == [30, 90, 210]
    assert RETRIES[-1] == RETRY_HORIZON == 245_730  # the 14th attempt, about 68 h
    assert WEBHOOK_MAX_AGE == 72 * 3600 > RETRY_HORIZON


@pytest.mark.parametrize("after", RETRIES, ids=[f"retry{n + 1}" for n in range(len(RETRIES))])
def test_every_retry_of_a_delivery_that_failed_on_our_side_is_accepted(after: int) -> None:
    headers, body = delivery()
    # A minute of queueing on top of AfterShip's schedule, as real retries have.
    (event,) = receiver(FIRST_ATTEMPT + timedelta(seconds=after + 60)).parse_webhook(headers, body)
    assert event.tracking_number == "9405511202575421535949"


def test_a_replay_beyond_the_window_is_rejected() -> None:
    headers, body = delivery()
    late = FIRST_ATTEMPT + timedelta(seconds=WEBHOOK_MAX_AGE + 1)
    with pytest.raises(WebhookError, match="rejected as replays"):
        receiver(late).parse_webhook(headers, body)


def test_the_window_is_a_setting_that_cannot_undercut_the_retries() -> None:
    headers, body = delivery()
    week = receiver(FIRST_ATTEMPT + timedelta(days=6), webhook_max_age=7 * 86_400)
    assert week.parse_webhook(headers, body)
    from_env = AfterShipAdapter(
        environ={"LOGIX_AFTERSHIP_WEBHOOK_MAX_AGE": "300000"},
        clock=FakeClock(FIRST_ATTEMPT + timedelta(seconds=290_000)),
    )
    assert from_env.parse_webhook(headers, body, secret=SECRET)
    with pytest.raises(ConfigError, match="would reject AfterShip's later retries") as caught:
        receiver(FIRST_ATTEMPT, webhook_max_age=3600).parse_webhook(headers, body)
    assert caught.value.variable == "LOGIX_AFTERSHIP_WEBHOOK_MAX_AGE"
    with pytest.raises(ConfigError, match="LOGIX_AFTERSHIP_WEBHOOK_MAX_AGE"):
        AfterShipAdapter(
            environ={"LOGIX_AFTERSHIP_WEBHOOK_MAX_AGE": "soon"}, clock=FakeClock(FIRST_ATTEMPT)
        ).parse_webhook(headers, body, secret=SECRET)
