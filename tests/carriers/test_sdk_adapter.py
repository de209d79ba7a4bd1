"""BaseAdapter, settings, TrackResult and webhook handling, on the Toy adapter."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sdk_support import START, OAuthToyAdapter, ToyAdapter, toy_handler, toy_payload

from logix_carriers import (
    AdapterSettings,
    AuthError,
    ConfigError,
    ProblemCode,
    Status,
    TrackProblem,
    TrackResult,
    WebhookError,
    hmac_signature,
)
from logix_carriers._settings import env_prefix
from logix_carriers.testing import FakeClock

ENV = {"LOGIX_TOY_API_KEY": "toy-key-123456"}


def toy(
    handler: Callable[[httpx.Request], httpx.Response] | None = None, **kwargs: Any
) -> tuple[ToyAdapter, FakeClock, list[httpx.Request]]:
    clock = FakeClock(START)
    calls: list[httpx.Request] = []
    transport = httpx.MockTransport(handler or toy_handler(calls))
    adapter = ToyAdapter(transport=transport, clock=clock, sleep=clock.sleep, environ=ENV, **kwargs)
    return adapter, clock, calls


# -- settings -------------------------------------------------------------------------


def test_settings_come_from_the_environment_and_arguments_win() -> None:
    adapter = ToyAdapter(environ={**ENV, "LOGIX_TOY_TIMEOUT": "4.5"})
    assert adapter.settings.api_key.get_secret_value() == "toy-key-123456"
    assert adapter.settings.timeout == 4.5
    assert (
        ToyAdapter(environ=ENV, api_key="from-arg").settings.api_key.get_secret_value()
        == "from-arg"
    )


def test_missing_setting_names_the_environment_variable() -> None:
    adapter = ToyAdapter(environ={})  # constructing needs no credentials...
    with pytest.raises(ConfigError) as info:
        adapter.track(["A1"])  # ...using it does
    assert info.value.variable == "LOGIX_TOY_API_KEY"
    assert "LOGIX_TOY_API_KEY" in str(info.value)
    assert "api_key=" in str(info.value)


def test_empty_environment_variable_counts_as_missing() -> None:
    with pytest.raises(ConfigError, match="LOGIX_TOY_API_KEY"):
        _ = ToyAdapter(environ={"LOGIX_TOY_API_KEY": "  "}).settings


def test_invalid_setting_names_its_source() -> None:
    with pytest.raises(ConfigError) as info:
        _ = ToyAdapter(environ={**ENV, "LOGIX_TOY_MAX_RETRIES": "many"}).settings
    assert "LOGIX_TOY_MAX_RETRIES" in str(info.value)
    assert info.value.__cause__ is not None


def test_unknown_keyword_is_rejected_at_once() -> None:
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) api_kee.*api_key"):
        ToyAdapter(api_kee="x")


def test_secrets_stay_out_of_reprs() -> None:
    adapter = ToyAdapter(environ=ENV, webhook_secret="whsec-toy-999")
    shown = repr(adapter) + repr(adapter.settings) + str(adapter.settings.model_dump())
    assert "toy-key-123456" not in shown
    assert "whsec-toy-999" not in shown


def test_invalid_secret_setting_does_not_echo_it() -> None:
    with pytest.raises(ConfigError) as info:
        _ = ToyAdapter(environ={}, api_key=12345678).settings
    assert "12345678" not in str(info.value)
    assert info.value.__cause__ is None  # the ValidationError would show the input


@pytest.mark.parametrize(
    ("code", "prefix"),
    [("dhl", "LOGIX_DHL_"), ("17track", "LOGIX_17TRACK_"), ("dhl-express", "LOGIX_DHL_EXPRESS_")],
)
def test_env_prefix(code: str, prefix: str) -> None:
    assert env_prefix(code) == prefix


def test_settings_model_describes_its_variables() -> None:
    env = ToyAdapter.settings_model.env_vars("toy")
    assert env["api_key"] == "LOGIX_TOY_API_KEY"
    assert ToyAdapter.settings_model.required_fields() == ("api_key",)
    assert ToyAdapter.settings_model.secret_fields() == {"api_key", "webhook_secret"}
    assert AdapterSettings.secret_fields() == frozenset()


# -- tracking ------------------------------------------------------------------------


def test_numbers_are_normalized_deduplicated_and_chunked() -> None:
    adapter, _, calls = toy()
    result = adapter.track(["A1", " A2", "A 3", "A1", "B4", "B5"])
    assert [c.url.params["numbers"] for c in calls] == ["A1,A2", "A3,B4", "B5"]
    assert list(result.events) == ["A1", "A2", "A3", "B4", "B5"]
    assert result.ok
    assert all(c.headers["Toy-Key"] == "toy-key-123456" for c in calls)


def test_a_single_string_is_one_number() -> None:
    adapter, _, calls = toy()
    assert list(adapter.track("A1").events) == ["A1"]
    assert len(calls) == 1


def test_chunks_follow_the_rate_limit() -> None:
    adapter, clock, _ = toy()
    adapter.track([f"N{i}" for i in range(8)])  # 4 requests at 2/s with a burst of 2
    assert clock.sleeps == [0.5, 0.5]


def test_invalid_numbers_become_problems_and_are_not_sent() -> None:
    adapter, _, calls = toy()
    result = adapter.track(["", "X" * 81, "A1"])
    assert [c.url.params["numbers"] for c in calls] == ["A1"]
    codes = [p.code for p in result.problems]
    assert codes == [ProblemCode.INVALID_NUMBER, ProblemCode.INVALID_NUMBER]
    assert "longer than 80" in result.problems[1].message


def test_a_failing_chunk_costs_only_its_own_numbers() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        numbers = request.url.params["numbers"].split(",")
        if "BAD" in numbers:
            return httpx.Response(503)
        return httpx.Response(200, json=toy_payload(*numbers))

    adapter, clock, _ = toy(handler, max_retries=1)
    result = adapter.track(["A1", "A2", "BAD", "C3"])  # chunks: [A1, A2], [BAD, C3]
    assert set(result.events) == {"A1", "A2"}
    assert [(p.tracking_number, p.code) for p in result.problems] == [
        ("BAD", ProblemCode.CARRIER_ERROR),
        ("C3", ProblemCode.CARRIER_ERROR),
    ]
    assert "CarrierUnavailable" in result.problems[0].message
    assert "HTTP 503" in result.problems[0].message
    # One backoff before the retry, then the rate limiter makes up the rest of
    # the 0.5 s between the third and fourth request (2 requests/s).
    assert len(clock.sleeps) == 2
    assert sum(clock.sleeps) == pytest.approx(0.5)


def test_auth_errors_propagate() -> None:
    adapter, _, _ = toy(lambda request: httpx.Response(401))
    with pytest.raises(AuthError, match="LOGIX_TOY_API_KEY"):
        adapter.track(["A1"])


def test_404_chunks_become_not_found() -> None:
    adapter, _, _ = toy(lambda request: httpx.Response(404))
    result = adapter.track(["A1", "A2"])
    assert [(p.tracking_number, p.code) for p in result.problems] == [
        ("A1", ProblemCode.NOT_FOUND),
        ("A2", ProblemCode.NOT_FOUND),
    ]


def test_non_json_answer_is_a_bad_payload_problem_keeping_the_raw_text() -> None:
    adapter, _, _ = toy(lambda request: httpx.Response(200, text="<html>maintenance</html>"))
    (problem,) = adapter.track(["A1"]).problems
    assert problem.code == ProblemCode.BAD_PAYLOAD
    assert problem.raw == "<html>maintenance</html>"
    assert "not JSON" in problem.message


def test_unforeseen_payload_shape_is_a_problem_not_a_traceback() -> None:
    adapter, _, _ = toy(lambda request: httpx.Response(200, json={"unexpected": True}))
    (problem,) = adapter.track(["A1"]).problems
    assert problem.code == ProblemCode.BAD_PAYLOAD
    assert "KeyError" in problem.message
    assert problem.raw == {"unexpected": True}


def test_numbers_the_carrier_is_silent_about_are_not_found() -> None:
    adapter, _, _ = toy(lambda request: httpx.Response(200, json={"parcels": []}))
    result = adapter.track(["A1"])
    assert [p.code for p in result.problems] == [ProblemCode.NOT_FOUND]
    assert "returned nothing" in result.problems[0].message


def test_bad_and_unknown_events_are_problems_and_the_rest_is_kept() -> None:
    payload = {
        "parcels": [
            {
                "number": "A1",
                "events": [
                    {"code": "DL", "time": "2026-03-03T10:00:00+01:00", "country": "DE"},
                    {"code": "PU", "time": "2026-03-01T10:00:00+01:00", "country": "DE"},
                    {"code": "PU", "time": "2026-03-01T10:00:00+01:00", "country": "DE"},
                    {"code": "XX", "time": "2026-03-02T10:00:00+01:00", "country": "DE"},
                    {"code": "TR", "time": "2026-03-02T09:00:00", "country": "DE"},
                    {"code": "TR", "time": "yesterday", "country": "DE"},
                ],
            }
        ]
    }
    result = ToyAdapter().parse_payload(payload, ["A1"])
    events = result.events_for("A1")
    assert [e.status for e in events] == [Status.PICKED_UP, Status.UNKNOWN, Status.DELIVERED]
    assert events[1].source.code == "XX"
    problems = {(p.code, p.location) for p in result.problems}
    assert problems == {
        (ProblemCode.UNKNOWN_CODE, "parcels[0].events[3]"),
        (ProblemCode.BAD_EVENT, "parcels[0].events[4]"),
        (ProblemCode.BAD_EVENT, "parcels[0].events[5]"),
    }
    naive = next(p for p in result.problems if p.location == "parcels[0].events[4]")
    assert "no UTC offset" in naive.message
    assert naive.raw["time"] == "2026-03-02T09:00:00"


def test_atrack_matches_track() -> None:
    calls: list[httpx.Request] = []
    clock = FakeClock(START)
    adapter = ToyAdapter(
        async_transport=httpx.MockTransport(toy_handler(calls)),
        clock=clock,
        async_sleep=clock.asleep,
        environ=ENV,
    )

    async def run() -> TrackResult:
        async with adapter:
            return await adapter.atrack(["A1", "A2", "A3", ""])

    result = asyncio.run(run())
    assert list(result.events) == ["A1", "A2", "A3"]
    assert [p.code for p in result.problems] == [ProblemCode.INVALID_NUMBER]
    assert len(calls) == 2


def test_an_injected_client_is_used_and_left_open() -> None:
    calls: list[httpx.Request] = []
    with httpx.Client(transport=httpx.MockTransport(toy_handler(calls))) as client:
        with ToyAdapter(client=client, environ=ENV) as adapter:
            adapter.track(["A1"])
        assert not client.is_closed
    assert len(calls) == 1


def test_oauth_adapter_refreshes_its_token_on_401() -> None:
    issued: list[str] = []
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            issued.append(f"t{len(issued) + 1}")
            return httpx.Response(200, json={"access_token": issued[-1], "expires_in": 3600})
        seen.append(request.headers.get("Authorization"))
        if len(seen) == 2:  # the token was revoked server-side
            return httpx.Response(401)
        number = request.url.path.rsplit("/", 1)[1]
        return httpx.Response(200, json=toy_payload(number))

    adapter = OAuthToyAdapter(
        transport=httpx.MockTransport(handler),
        environ={"LOGIX_OAUTHTOY_CLIENT_ID": "cid", "LOGIX_OAUTHTOY_CLIENT_SECRET": "csecret"},
    )
    result = adapter.track(["A1", "A2", "A3"])
    assert result.ok
    assert seen == ["Bearer t1", "Bearer t1", "Bearer t2", "Bearer t2"]
    assert issued == ["t1", "t2"]


# -- results -------------------------------------------------------------------------


def test_track_problem_accepts_plain_codes_and_rejects_typos() -> None:
    assert TrackProblem("A1", "not_found", "gone").code is ProblemCode.NOT_FOUND  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not_fund"):
        TrackProblem("A1", "not_fund", "gone")  # type: ignore[arg-type]


def test_results_merge_deduplicate_and_serialize() -> None:
    adapter = ToyAdapter()
    first = adapter.parse_payload(toy_payload("A1", "A2"))
    again = adapter.parse_payload(toy_payload("A1"))
    problem = TrackResult.build("toy", problems=[TrackProblem("A9", ProblemCode.NOT_FOUND, "x")])
    merged = first.merge(again, problem)
    assert {n: len(e) for n, e in merged.events.items()} == {"A1": 1, "A2": 1}
    assert merged.numbers == ("A1", "A2", "A9")
    assert not merged.ok
    decoded = json.loads(json.dumps(merged.as_dict()))
    assert decoded["problems"][0]["code"] == "not_found"
    assert decoded["events"]["A1"][0]["occurred_at"] == "2026-03-01T09:00:00Z"


# -- webhooks ------------------------------------------------------------------------


def delivery(secret: str = "whsec-toy", sent_at: str | None = None) -> tuple[dict[str, str], bytes]:
    payload = toy_payload("A1") | {"sent_at": sent_at or START.isoformat()}
    body = json.dumps(payload).encode()
    return {"X-Toy-Signature": hmac_signature(secret, body)}, body


def webhook_toy(**kwargs: Any) -> ToyAdapter:
    return ToyAdapter(clock=FakeClock(START + timedelta(seconds=5)), environ={}, **kwargs)


def test_signed_webhook_is_verified_and_parsed() -> None:
    headers, body = delivery()
    events = webhook_toy().parse_webhook(headers, body, secret="whsec-toy")
    assert [(e.tracking_number, e.status) for e in events] == [("A1", Status.DELIVERED)]


def test_webhook_secret_comes_from_settings_or_environment() -> None:
    headers, body = delivery()
    assert webhook_toy(webhook_secret="whsec-toy").parse_webhook(headers, body)
    from_env = ToyAdapter(clock=FakeClock(START), environ={"LOGIX_TOY_WEBHOOK_SECRET": "whsec-toy"})
    assert from_env.parse_webhook(headers, body)


def test_tampered_webhook_body_is_rejected() -> None:
    headers, body = delivery()
    tampered = body.replace(b"Leipzig", b"Leipzog")
    with pytest.raises(WebhookError, match="signature does not match"):
        webhook_toy().parse_webhook(headers, tampered, secret="whsec-toy")


def test_webhook_signed_with_another_secret_is_rejected() -> None:
    headers, body = delivery(secret="someone-else")
    with pytest.raises(WebhookError) as info:
        webhook_toy().parse_webhook(headers, body, secret=SecretStr("whsec-toy"))
    assert "whsec-toy" not in str(info.value)


def test_unsigned_webhook_is_rejected() -> None:
    _, body = delivery()
    with pytest.raises(WebhookError, match="no X-Toy-Signature header"):
        webhook_toy().parse_webhook({}, body, secret="whsec-toy")


def test_stale_webhook_is_rejected_as_a_replay() -> None:
    old = (START - timedelta(hours=1)).isoformat()
    headers, body = delivery(sent_at=old)
    with pytest.raises(WebhookError, match="replay"):
        webhook_toy().parse_webhook(headers, body, secret="whsec-toy")


def test_malformed_webhook_body_is_rejected() -> None:
    body = b'{"parcels": ['
    headers = {"X-Toy-Signature": hmac_signature("whsec-toy", body)}
    with pytest.raises(WebhookError, match="not JSON"):
        webhook_toy().parse_webhook(headers, body, secret="whsec-toy")


def test_webhook_without_any_secret_names_the_variable() -> None:
    headers, body = delivery()
    with pytest.raises(ConfigError) as info:
        webhook_toy().parse_webhook(headers, body)
    assert info.value.variable == "LOGIX_TOY_WEBHOOK_SECRET"


def test_webhook_problems_are_kept_by_webhook_result() -> None:
    payload = {
        "sent_at": START.isoformat(),
        "parcels": [{"number": "A1", "events": [{"code": "??", "time": "2026-03-01T10:00:00Z"}]}],
    }
    body = json.dumps(payload).encode()
    headers = {"X-Toy-Signature": hmac_signature("whsec-toy", body)}
    result = webhook_toy().webhook_result(headers, body, secret="whsec-toy")
    assert [p.code for p in result.problems] == [ProblemCode.UNKNOWN_CODE]
    assert result.events_for("A1")[0].status is Status.UNKNOWN


def test_adapters_without_webhooks_say_so() -> None:
    with pytest.raises(WebhookError, match="does not send webhooks"):
        OAuthToyAdapter(environ={}).parse_webhook({}, b"{}")
