"""Issue 11 §8: configured secrets never come back out, in any form.

Carrier answers that echo what they were sent (keys, ``Basic base64(id:secret)``,
bearer tokens) are played by ``httpx.MockTransport`` handlers and by the recorded
hostile payloads in ``payloads/hostile``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from logix_carriers import (
    AfterShipAdapter,
    AuthError,
    CarrierError,
    DhlAdapter,
    HttpSession,
    ProblemCode,
    SeventeenTrackAdapter,
    TrackResult,
    UpsAdapter,
    hmac_signature,
)
from logix_carriers._errors import ResponseFormatError
from logix_carriers._http import decode_json
from logix_carriers._secrets import MAX_RAW_DEPTH, TOO_DEEP, Scrubber
from logix_carriers.testing import FakeClock

HOSTILE = Path(__file__).parent / "payloads" / "hostile"

AS_KEY = "AS-KEY-123456"
UPS_ID, UPS_SECRET = "logix-test-client", "s3cr3t-ups-client-secret"
UPS_TOKEN = "eyJraWQiOiJ0ZXN0In0.bearer-token-value"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def forms(secret: str) -> list[str]:
    """How a secret can travel: as is, and base64 in both alphabets, with and without padding."""
    std = b64(secret)
    url = base64.urlsafe_b64encode(secret.encode()).decode()
    return [secret, std, std.rstrip("="), url, url.rstrip("=")]


def dumped(value: Any) -> str:
    return json.dumps(value, default=str)


def assert_clean(text: str, *secrets: str) -> None:
    for secret in secrets:
        for form in forms(secret):
            assert form not in text, f"{form!r} leaked"


def options(handler: Any, clock: FakeClock | None = None) -> dict[str, Any]:
    clock = clock or FakeClock()
    transport = httpx.MockTransport(handler or (lambda r: httpx.Response(500)))
    return {
        "transport": transport,
        "async_transport": transport,
        "clock": clock,
        "sleep": clock.sleep,
        "async_sleep": clock.asleep,
        "environ": {},
    }


def everything(result: TrackResult) -> str:
    """Every surface of a result: as_dict (with raw), str and repr of each problem and event."""
    parts = [dumped(result.as_dict()), repr(result)]
    parts += [str(p) for p in result.problems] + [repr(p) for p in result.problems]
    parts += [e.model_dump_json() for e in result.all_events()]
    return "\n".join(parts)


def error_surfaces(exc: BaseException) -> str:
    return "\n".join([str(exc), repr(exc), *map(str, exc.args), dumped(getattr(exc, "raw", None))])


# -- the scrubber -------------------------------------------------------------------------


def decodes_to(text: str, secret: str) -> bool:
    """Whether any run of base64 characters in ``text``, at any alignment, holds ``secret``."""
    for run in re.findall(r"[A-Za-z0-9+/_-]+", text):
        for offset in range(4):
            piece = run[offset:]
            piece = piece[: len(piece) - len(piece) % 4]
            decoded = base64.b64decode(piece.replace("-", "+").replace("_", "/"))
            if secret.encode() in decoded:
                return True
    return False


@pytest.mark.parametrize("prefix", ["", "a", "ab", "abc", "user", "client-id-42"])
@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
def test_base64_of_a_secret_inside_a_longer_value_is_masked_at_every_alignment(
    prefix: str, encode: Any
) -> None:
    secret = "s3cr3t-value-0xFF?>"
    encoded = encode(f"{prefix}:{secret}:tail".encode()).decode()
    assert decodes_to(encoded, secret)
    cleaned = Scrubber([secret]).text(f"Authorization: Basic {encoded}")
    assert "***" in cleaned
    assert not decodes_to(cleaned, secret)


def test_plain_percent_json_and_basic_pair_forms_are_masked() -> None:
    secret = 'k/ey+"quoted"?&'
    scrub = Scrubber([secret], pairs=[("client", secret)])
    basic = b64(f"client:{secret}")
    text = (
        f"{secret} | key%2Fey%2B | {json.dumps(secret)} | "
        f"{httpx.QueryParams({'k': secret})} | Basic {basic}"
    )
    cleaned = scrub.text(text)
    assert secret not in cleaned
    assert json.dumps(secret)[1:-1] not in cleaned
    assert str(httpx.QueryParams({"k": secret})) not in cleaned
    assert f"Basic {basic}" not in cleaned
    assert "Basic ***" in cleaned


def test_short_secrets_are_left_alone_and_an_empty_scrubber_changes_nothing() -> None:
    assert Scrubber(["abc"]).text("abcdef") == "abcdef"
    empty = Scrubber([])
    assert not empty
    payload = {"a": [1, {"b": "x"}]}
    assert empty.value(payload) is payload


def test_values_are_scrubbed_without_recursion_and_nesting_is_bounded() -> None:
    deep: list[Any] = []
    node = deep
    for _ in range(100_000):
        child: list[Any] = []
        node.append(child)
        node = child
    node.append(f"key {AS_KEY}")
    cleaned = Scrubber([AS_KEY]).value({AS_KEY: deep, "keep": ("a", 1)})
    assert AS_KEY not in dumped(cleaned)  # json.dumps itself would fail on 100,000 levels
    assert "***" in cleaned
    level = cleaned["***"]
    for _ in range(MAX_RAW_DEPTH - 1):
        level = level[0]
    assert level == TOO_DEEP
    assert cleaned["keep"] == ["a", 1]


# -- answers that echo what they were sent -------------------------------------------------


def aftership(handler: Any) -> AfterShipAdapter:
    return AfterShipAdapter(api_key=AS_KEY, **options(handler))


def test_a_key_echoed_in_an_answer_is_masked_in_events_problems_and_raw() -> None:
    body = (HOSTILE / "aftership_key_echo.json").read_bytes()
    result = aftership(lambda r: httpx.Response(200, content=body)).track(
        ["9405511202575421535949"]
    )
    bad = [p for p in result.problems if p.code is ProblemCode.BAD_EVENT]
    assert bad  # the echo really reached a problem's raw payload
    assert "***" in dumped(bad[0].raw)
    assert result.all_events()[0].description == "Request received with as-api-key ***"
    assert_clean(everything(result), AS_KEY, f"as-api-key:{AS_KEY}")


def test_an_auth_error_quoting_the_rejected_key_does_not_repeat_it() -> None:
    body = (HOSTILE / "aftership_auth_echo.json").read_bytes()
    with pytest.raises(AuthError) as info:
        aftership(lambda r: httpx.Response(200, content=body)).track(["9405511202575421535949"])
    assert "Invalid API key: ***" in str(info.value)
    assert_clean(error_surfaces(info.value), AS_KEY)


def test_async_tracking_masks_the_same() -> None:
    body = (HOSTILE / "aftership_key_echo.json").read_bytes()
    result = asyncio.run(
        aftership(lambda r: httpx.Response(200, content=body)).atrack(["9405511202575421535949"])
    )
    assert_clean(everything(result), AS_KEY)


def echo_headers(request: httpx.Request) -> str:
    return "\n".join(f"{name}: {value}" for name, value in request.headers.items())


def ups(handler: Any) -> UpsAdapter:
    return UpsAdapter(client_id=UPS_ID, client_secret=UPS_SECRET, **options(handler))


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_token_endpoint_error_page_echoing_the_request_headers_exposes_nothing(
    status: int,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/security/v1/oauth/token"
        page = f"<html><h1>Error {status}</h1><pre>{echo_headers(request)}</pre></html>"
        return httpx.Response(status, text=page)

    result = ups(handler).track(["1Z12345E0205271688"])
    [problem] = result.problems
    assert problem.code is ProblemCode.CARRIER_ERROR
    assert "token" in problem.message or "oauth" in problem.message
    assert "Basic ***" in problem.message  # the echo was there, and masked
    assert_clean(everything(result), UPS_SECRET, f"{UPS_ID}:{UPS_SECRET}")


def test_a_refused_token_request_raises_auth_error_without_the_credentials() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, text=f"denied for {echo_headers(request)} {UPS_SECRET}")

    with pytest.raises(AuthError) as info:
        ups(handler).track(["1Z12345E0205271688"])
    assert_clean(error_surfaces(info.value), UPS_SECRET, f"{UPS_ID}:{UPS_SECRET}")


def test_a_bearer_token_echoed_by_the_api_is_masked() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/security/v1/oauth/token":
            return httpx.Response(200, json={"access_token": UPS_TOKEN, "expires_in": "14399"})
        error = {"code": "TV0001", "message": f"bad request; {request.headers['Authorization']}"}
        return httpx.Response(400, json={"response": {"errors": [error]}})

    result = ups(handler).track(["1Z12345E0205271688"])
    [problem] = result.problems
    assert problem.message == "UPS error TV0001: bad request; Bearer ***"
    assert_clean(everything(result), UPS_TOKEN, UPS_SECRET)


def test_a_replaced_token_stays_masked() -> None:
    tokens = iter([UPS_TOKEN, UPS_TOKEN + "-second"])
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/security/v1/oauth/token":
            return httpx.Response(200, json={"access_token": next(tokens), "expires_in": 3600})
        calls.append(request.headers["Authorization"])
        if len(calls) == 1:
            return httpx.Response(401)  # revoked early: the session fetches another
        return httpx.Response(503, text=f"upstream saw {calls[0]} then {calls[1]}")

    result = ups(handler).track(["1Z12345E0205271688"])
    assert_clean(everything(result), UPS_TOKEN, UPS_TOKEN + "-second")


def test_a_dhl_key_echoed_in_a_non_json_body_is_masked_in_the_problem_raw() -> None:
    key = "dhl-api-key-987654"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            text=f"<html>gateway: DHL-API-Key={request.headers['DHL-API-Key']} ({b64(key)})</html>",
        )

    dhl = DhlAdapter(api_key=key, **options(handler))
    [problem] = dhl.track(["123456"]).problems
    assert problem.code is ProblemCode.BAD_PAYLOAD
    assert problem.raw == "<html>gateway: DHL-API-Key=*** (***)</html>"
    assert_clean(everything(dhl.track(["123456"])), key)


def test_a_17track_error_envelope_quoting_the_key_is_masked() -> None:
    key = "17TRACK-KEY-ABCDEF"
    envelope = {
        "code": 0,
        "data": {
            "accepted": [],
            "rejected": [
                {"number": "RR123456789CN", "error": {"code": -18019902, "message": f"bad {key}"}}
            ],
        },
    }
    adapter = SeventeenTrackAdapter(
        api_key=key, **options(lambda r: httpx.Response(200, json=envelope))
    )
    result = adapter.track(["RR123456789CN"])
    assert any("bad ***" in p.message for p in result.problems)
    assert_clean(everything(result), key)
    auth = {"code": -18010002, "data": {"errors": [{"code": -18010002, "message": f"key {key}"}]}}
    adapter = SeventeenTrackAdapter(
        api_key=key, **options(lambda r: httpx.Response(200, json=auth))
    )
    with pytest.raises(AuthError) as info:
        adapter.track(["RR123456789CN"])
    assert_clean(error_surfaces(info.value), key)


def test_http_session_errors_mask_base64_forms_of_its_secrets() -> None:
    secret = "s3cr3t-k3y-for-acme"
    page = f"bad key {b64(secret)} / {b64('user:' + secret)}"
    http = HttpSession(
        "acme",
        transport=httpx.MockTransport(lambda r: httpx.Response(400, text=page)),
        secrets=[secret],
    )
    with pytest.raises(CarrierError) as info:
        http.send(httpx.Request("GET", "https://api.acme.example/track"))
    assert_clean(error_surfaces(info.value), secret, "user:" + secret)


def test_a_response_format_error_keeps_a_masked_raw() -> None:
    secret = "s3cr3t-k3y-for-acme"
    response = httpx.Response(
        200, text=f"not json {secret}", request=httpx.Request("GET", "https://x.example/")
    )
    with pytest.raises(ResponseFormatError) as info:
        decode_json(response, "acme", [secret])
    assert info.value.raw == "not json ***"
    assert_clean(error_surfaces(info.value), secret)


def test_webhook_results_mask_the_webhook_secret() -> None:
    secret = "whsec-aftership-0123456789"
    body = json.dumps(
        {
            "ts": 1772366400,
            "msg": {
                "tracking_number": "9405511202575421535949",
                "checkpoints": [{"message": f"secret {secret}", "checkpoint_time": "nope"}],
            },
        }
    ).encode()
    clock = FakeClock()
    clock.advance(1772366400 - clock.now().timestamp())
    adapter = AfterShipAdapter(api_key=AS_KEY, webhook_secret=secret, **options(None, clock))
    headers = {"aftership-hmac-sha256": hmac_signature(secret, body)}
    result = adapter.webhook_result(headers, body)
    assert result.problems
    assert_clean(everything(result), secret)
