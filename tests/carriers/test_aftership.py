"""The AfterShip Tracking adapter and its signed webhooks, against recorded payloads."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from contract_specs import EVENTS_AT, REQUESTS

from logix_carriers import AuthError, ConfigError, Reason, Status, WebhookError
from logix_carriers._status_lookup import TABLES
from logix_carriers._track_result import ProblemCode
from logix_carriers.carriers._aftership import (
    SIGNATURE_HEADER,
    AfterShipAdapter,
    build_trackings_request,
    map_checkpoint,
    parse_trackings,
    parse_webhook_body,
)
from logix_carriers.testing import FakeClock, RecordedWebhook, check_adapter_contract

PAYLOADS = Path(__file__).parent / "payloads" / "aftership"
SECRET = "aftership-webhook-secret"
# The recorded webhook's ``ts``: 2026-03-03T20:13:00Z.
DELIVERED_AT = datetime(2026, 3, 3, 20, 13, tzinfo=UTC)


def load(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))


def raw(name: str) -> bytes:
    return (PAYLOADS / f"{name}.json").read_bytes()


def adapter(
    handler: Any = None, clock: FakeClock | None = None, **settings: Any
) -> AfterShipAdapter:
    clock = clock or FakeClock(DELIVERED_AT)
    transport = httpx.MockTransport(handler) if handler else None
    return AfterShipAdapter(
        api_key="as-api-key-value",
        transport=transport,
        async_transport=transport,
        clock=clock,
        sleep=clock.sleep,
        async_sleep=clock.asleep,
        environ={},
        **settings,
    )


def sign(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {SIGNATURE_HEADER: base64.b64encode(digest).decode(), "Content-Type": "application/json"}


def _checkpoint_payload(checkpoint: dict[str, Any]) -> dict[str, Any]:
    base = {"checkpoint_time": "2026-03-01T13:42:00-06:00", "country_region": "USA"}
    return {
        "meta": {"code": 200},
        "data": {
            "trackings": [
                {
                    "tracking_number": "9405511202575421535949",
                    "checkpoints": [{**base, **checkpoint}],
                }
            ]
        },
    }


# -- every tag/subtag of the table, routed through the parser


@pytest.mark.parametrize(("tag", "subtag"), sorted(TABLES["aftership"], key=str))
def test_every_table_code_is_parsed_to_its_mapping(tag: str, subtag: str | None) -> None:
    result = parse_trackings(_checkpoint_payload({"tag": tag, "subtag": subtag}))
    (event,) = result.events_for("9405511202575421535949")
    expected = TABLES["aftership"][(tag, subtag)]
    assert (event.status, event.reason, event.stage) == (
        expected.status,
        expected.reason,
        expected.effective_stage,
    )
    assert (event.source.status, event.source.substatus) == (tag, subtag)
    assert not [p for p in result.problems if p.code == ProblemCode.UNKNOWN_CODE]


def test_new_subtag_of_a_known_tag_keeps_the_tag_with_a_note() -> None:
    mapped, note = map_checkpoint("InTransit", "InTransit_099")
    assert mapped == TABLES["aftership"][("InTransit", None)]
    assert "InTransit_099" in note
    # A subtag contradicting its tag is not trusted over the tag.
    mapped, _ = map_checkpoint("Delivered", "Exception_013")
    assert mapped == TABLES["aftership"][("Delivered", None)]


def test_unknown_tag_is_unknown_with_the_codes_kept() -> None:
    result = parse_trackings(_checkpoint_payload({"tag": "Teleported", "subtag": "Teleported_001"}))
    (event,) = result.all_events()
    assert event.status == Status.UNKNOWN
    assert (event.source.status, event.source.substatus) == ("Teleported", "Teleported_001")
    assert [p.code for p in result.problems] == [ProblemCode.UNKNOWN_CODE]


# -- parsing


def test_docs_example_mixes_offset_and_local_checkpoint_times() -> None:
    result = parse_trackings(load("trackings_docs_example"))
    events = result.events_for("9405511202575421535949")
    assert [e.status for e in events] == [
        Status.INFO_RECEIVED,
        Status.PICKED_UP,
        Status.IN_TRANSIT,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERED,
    ]
    accepted = events[1]
    # "2026-03-01T20:37:00" with no offset, in Austin, TX: Central time.  Texas spans
    # two zones, but Austin is one of the main cities the zone table knows.
    assert accepted.offset_source == "location"
    assert accepted.occurred_at == datetime(2026, 3, 2, 2, 37, tzinfo=UTC)
    assert accepted.location is not None
    assert accepted.location.country == "US"
    assert accepted.source.code == "OA"
    assert accepted.attributes["aftership_slug"] == "usps"
    assert events[-1].offset_source == "carrier"
    assert result.ok


def test_variations() -> None:
    result = parse_trackings(
        load("trackings_variations"), ["LZ123456789CN", "1Z999AA10123456784", "NOT0TRACKED1"]
    )
    events = result.events_for("LZ123456789CN")
    assert sum(1 for e in events if e.description == "Posting") == 1  # duplicate dropped
    legacy = next(e for e in events if "legacy" in e.description)
    assert legacy.location is not None
    assert legacy.location.country == "DE"
    customs = next(e for e in events if e.description == "Held by customs")
    assert (customs.status, customs.reason) == (Status.EXCEPTION, Reason.CUSTOMS_HOLD)
    assert customs.offset_source == "location"
    assert customs.utc_offset_minutes == 120
    problems = {(p.code, p.location) for p in result.problems_for("LZ123456789CN")}
    where = "data.trackings[0].checkpoints"
    assert problems == {
        (ProblemCode.UNKNOWN_CODE, f"{where}[4]"),
        (ProblemCode.BAD_EVENT, f"{where}[5]"),
        (ProblemCode.BAD_EVENT, f"{where}[6]"),
        (ProblemCode.PARTIAL_DATA, f"{where}[7]"),
    }
    # A local time with no country is not dropped: China EMS's home zone, assumed.
    nowhere = next(e for e in events if e.description.startswith("Local time and no country"))
    assert nowhere.offset_source == "assumed"
    assert nowhere.utc_offset_minutes == 8 * 60
    (pending,) = result.problems_for("1Z999AA10123456784")
    assert pending.code == ProblemCode.NOT_FOUND
    assert "Pending" in pending.message
    (missing,) = result.problems_for("NOT0TRACKED1")
    assert missing.code == ProblemCode.NOT_FOUND
    assert "POST /trackings" in missing.message


def test_error_envelope() -> None:
    with pytest.raises(AuthError, match="Invalid API key"):
        parse_trackings(load("error_unauthorized"))
    with pytest.raises(ValueError, match="no 'trackings' list"):
        parse_trackings({"meta": {"code": 200}, "data": {}})


# -- requests


def test_request_lists_numbers_comma_separated() -> None:
    request = build_trackings_request(["A1", "B2"], api_key="k", api_version="2025-01")
    assert request.url.path == "/tracking/2025-01/trackings"
    assert request.url.params["tracking_numbers"] == "A1,B2"
    assert request.headers["as-api-key"] == "k"
    with pytest.raises(ValueError, match="at most 50"):
        build_trackings_request([f"N{i}" for i in range(51)], api_key="k")


# -- track() end to end


class Server:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["as-api-key"] == "as-api-key-value"
        numbers = request.url.params["tracking_numbers"].split(",")
        self.batches.append(numbers)
        template = load("trackings_docs_example")["data"]["trackings"][0]
        trackings = [dict(template, tracking_number=n) for n in numbers if n != "UNKNOWN00001"]
        return httpx.Response(200, json={"meta": {"code": 200}, "data": {"trackings": trackings}})


def test_track_batches_by_50_and_reports_untracked_numbers() -> None:
    server = Server()
    numbers = [f"94055112025754215{i:05d}" for i in range(60)] + ["UNKNOWN00001"]
    result = adapter(server).track(numbers)
    assert [len(b) for b in server.batches] == [50, 11]
    assert len(result.events_for(numbers[0])) == 5
    (problem,) = result.problems_for("UNKNOWN00001")
    assert problem.code == ProblemCode.NOT_FOUND


def test_track_rate_limit_429_is_retried_after_the_pause() -> None:
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "2"}, json={"meta": {"code": 429}})]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers, None) or Server()(request)

    clock = FakeClock(DELIVERED_AT)
    result = adapter(handler, clock).track(["9405511202575421535949"])
    assert 2.0 in clock.sleeps
    assert len(result.events_for("9405511202575421535949")) == 5


def test_atrack_matches_track() -> None:
    numbers = ["9405511202575421535949", "UNKNOWN00001"]
    sync = adapter(Server()).track(numbers)
    result = asyncio.run(adapter(Server()).atrack(numbers))
    assert result.as_dict() == sync.as_dict()


# -- webhooks


def test_signed_webhook_is_verified_and_parsed() -> None:
    body = raw("webhook_tracking_update")
    (event,) = adapter().parse_webhook(sign(body), body, secret=SECRET)
    assert (event.status, event.tracking_number) == (
        Status.ATTEMPT_FAILED,
        "9405511202575421535949",
    )


def test_tampered_body_or_wrong_secret_is_rejected() -> None:
    body = raw("webhook_tracking_update")
    headers = sign(body)
    tampered = body.replace(b"AttemptFail_001", b"Delivered_001")
    with pytest.raises(WebhookError, match="signature does not match"):
        adapter().parse_webhook(headers, tampered, secret=SECRET)
    with pytest.raises(WebhookError, match="signature does not match"):
        adapter().parse_webhook(headers, body, secret="not-the-secret")
    with pytest.raises(WebhookError, match=f"no {SIGNATURE_HEADER} header"):
        adapter().parse_webhook({}, body, secret=SECRET)


def test_stale_webhook_is_rejected_as_a_replay() -> None:
    body = raw("webhook_tracking_update")
    late = FakeClock(datetime(2026, 3, 7, 0, 0, tzinfo=UTC))  # ts + 75 h: past every retry
    with pytest.raises(WebhookError, match="rejected as replays"):
        adapter(clock=late).parse_webhook(sign(body), body, secret=SECRET)
    # Within the window AfterShip's retries arrive: accepted.
    soon = FakeClock(datetime(2026, 3, 3, 22, 0, tzinfo=UTC))  # ts + 1h47
    assert adapter(clock=soon).parse_webhook(sign(body), body, secret=SECRET)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"not json", "not JSON"),
        (b'{"msg": {"tracking_number": "X1"}}', "no numeric 'ts'"),
        (b'{"ts": "yesterday", "msg": {}}', "no numeric 'ts'"),
        (b'{"ts": 1772568780}', "no 'msg'"),
        (b'{"ts": 1772568780, "msg": {"checkpoints": []}}', "no tracking_number"),
    ],
)
def test_malformed_webhooks_are_webhook_errors(body: bytes, match: str) -> None:
    with pytest.raises(WebhookError, match=match):
        adapter().parse_webhook(sign(body), body, secret=SECRET)


def test_webhook_secret_from_environment_or_config_error() -> None:
    body = raw("webhook_tracking_update")
    clock = FakeClock(DELIVERED_AT)
    configured = AfterShipAdapter(environ={"LOGIX_AFTERSHIP_WEBHOOK_SECRET": SECRET}, clock=clock)
    assert configured.parse_webhook(sign(body), body)
    with pytest.raises(ConfigError, match="LOGIX_AFTERSHIP_WEBHOOK_SECRET"):
        AfterShipAdapter(environ={}, clock=clock).parse_webhook(sign(body), body)


def test_webhook_body_parser_alone() -> None:
    result = parse_webhook_body(load("webhook_tracking_update"))
    assert result.numbers == ("9405511202575421535949",)


# -- the contract kit


def test_contract() -> None:
    payloads = {name: load(name) for name in ("trackings_docs_example", "trackings_variations")}
    body = raw("webhook_tracking_update")
    check_adapter_contract(
        AfterShipAdapter(environ={}, clock=FakeClock(DELIVERED_AT)),
        payloads,
        mapping=TABLES["aftership"],
        unknown_code_payload=_checkpoint_payload({"tag": "Teleported"}),
        webhooks=[RecordedWebhook(sign(body), body, SECRET, "tracking_update")],
        events_at=EVENTS_AT["aftership"],
        requests=REQUESTS["aftership"],
    )
