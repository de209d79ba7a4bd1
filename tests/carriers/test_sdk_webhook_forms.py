"""Form-encoded, MD5-signed pushes take the webhook path (issue 14, webhooks).

Domestic Chinese aggregators (Kuaidi100 and alike) push
``application/x-www-form-urlencoded`` bodies: ``param`` (the tracking as JSON) and
``sign`` (upper-case hex MD5 of ``param`` and the account's salt).  The adapter
below follows Kuaidi100's documented subscription push; only the SDK is under test.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import SecretStr

from logix_carriers import (
    AdapterSettings,
    BaseAdapter,
    Capabilities,
    Status,
    TrackResult,
    TrackResultBuilder,
    WebhookError,
    decode_webhook_body,
    decode_webhook_form,
    md5_signature,
    read_carrier_time,
    verify_md5,
)

SALT = "kd100-salt-7f3a"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
STATES = {
    "0": Status.IN_TRANSIT,
    "1": Status.PICKED_UP,
    "3": Status.DELIVERED,
    "5": Status.OUT_FOR_DELIVERY,
}


class PushSettings(AdapterSettings):
    webhook_secret: SecretStr | None = None


class Kuaidi100StylePush(BaseAdapter[PushSettings]):
    """Receives Kuaidi100-style pushes (``param`` + ``sign``); times are Beijing time."""

    code: ClassVar[str] = "kd100push"
    name: ClassVar[str] = "Kuaidi100-style push"
    settings_model: ClassVar[type[AdapterSettings]] = PushSettings
    capabilities: ClassVar[Capabilities] = Capabilities(webhooks=True, signs_webhooks=True)

    def verify_webhook(self, headers: httpx.Headers, body: bytes, secret: SecretStr | None) -> None:
        assert secret is not None
        fields = self.decode_webhook(headers, body)
        if not isinstance(fields, dict) or "param" not in fields:
            raise WebhookError("push has no param field", carrier=self.code)
        verify_md5(fields.get("sign", ""), fields["param"], secret, carrier=self.code)

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        raise NotImplementedError

    def parse_webhook_payload(self, payload: Any, headers: httpx.Headers) -> TrackResult:
        last = json.loads(payload["param"])["lastResult"]
        out = TrackResultBuilder(self.code, [last["nu"]])
        for index, item in enumerate(last["data"]):
            reading = read_carrier_time(item["ftime"].replace(" ", "T"), country="CN")
            out.event(
                {
                    "tracking_number": last["nu"],
                    "carrier": self.code,
                    "occurred_at": reading.moment,
                    "offset_source": reading.offset_source,
                    "status": STATES.get(item.get("status", ""), Status.UNKNOWN),
                    "description": item["context"],
                    "source": {"system": self.code, "code": item.get("status")},
                },
                raw=item,
                location=f"param.lastResult.data[{index}]",
            )
        return out.result()


def push(*, sign_with: str = SALT, tamper: bool = False) -> bytes:
    param = json.dumps(
        {
            "status": "polling",
            "message": "",
            "lastResult": {
                "message": "ok",
                "state": "3",
                "status": "200",
                "ischeck": "1",
                "com": "yuantong",
                "nu": "YT2468013579246",
                "data": [
                    {
                        "context": "已签收，签收人：本人",
                        "time": "2026-03-02 15:20:11",
                        "ftime": "2026-03-02 15:20:11",
                        "status": "3",
                    },
                    {
                        "context": "【上海市】快件已到达 上海分拨中心",
                        "time": "2026-03-01 22:05:40",
                        "ftime": "2026-03-01 22:05:40",
                        "status": "0",
                    },
                ],
            },
        },
        ensure_ascii=False,
    )
    sign = md5_signature(param, sign_with)
    if tamper:
        param = param.replace("本人", "他人")
    return urlencode({"param": param, "sign": sign}).encode()


def test_a_signed_form_push_is_verified_and_parsed() -> None:
    result = Kuaidi100StylePush(environ={}).webhook_result(FORM, push(), secret=SALT)
    delivered, arrived = reversed(result.events_for("YT2468013579246"))
    assert delivered.status == Status.DELIVERED
    assert delivered.utc_offset_minutes == 480  # Beijing time
    assert arrived.description == "【上海市】快件已到达 上海分拨中心"
    assert result.ok


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (push(tamper=True), "does not match the MD5"),
        (push(sign_with="another-salt"), "does not match the MD5"),
        (b"param=%7B%7D", "does not match"),  # no sign at all
        (b"param=a&param=b&sign=x", "sends field 'param' twice"),
        (b"param=%FF%FE&sign=x", "not a form"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_forged_or_broken_form_pushes_are_refused(body: bytes, match: str) -> None:
    with pytest.raises(WebhookError, match=match):
        Kuaidi100StylePush(environ={}).webhook_result(FORM, body, secret=SALT)


def test_the_signature_is_case_insensitive_hex_and_constant_time_checked() -> None:
    assert md5_signature("abc", "salt") == md5_signature("abc", "salt", upper=False).upper()
    assert md5_signature("abc", "salt", upper=False) == "1e21f6da01c5047e4bf45b0496bd6937"
    verify_md5(md5_signature("abc", "salt").lower(), "abc", SecretStr("salt"), carrier="x")
    with pytest.raises(WebhookError):
        verify_md5("00" * 16, "abc", "salt", carrier="x")


def test_decoding_follows_the_content_type() -> None:
    assert decode_webhook_body(b"a=1&b=%E4%B8%AD", FORM["Content-Type"], carrier="x") == {
        "a": "1",
        "b": "中",
    }
    assert decode_webhook_body(b'{"a": 1}', "application/json", carrier="x") == {"a": 1}
    assert decode_webhook_body(b'{"a": 1}', None, carrier="x") == {"a": 1}
    assert decode_webhook_form(b"", carrier="x") == {}
    with pytest.raises(WebhookError, match="not JSON"):
        decode_webhook_body(b"a=1", "application/json", carrier="x")
