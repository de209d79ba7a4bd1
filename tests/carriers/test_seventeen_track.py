"""The 17TRACK v2.2 adapter and its webhook push, against recorded payloads."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from contract_specs import EVENTS_AT, REQUESTS

from logix_carriers import AuthError, ConfigError, Reason, Status, WebhookError
from logix_carriers._status_lookup import TABLES, map_code
from logix_carriers._track_result import ProblemCode
from logix_carriers.carriers._seventeen_track import (
    MILESTONE_STAGES,
    SeventeenTrackAdapter,
    build_gettrackinfo_request,
    build_register_request,
    map_event,
    parse_push,
    parse_register,
    parse_trackinfo,
    push_signature,
)
from logix_carriers.testing import FakeClock, RecordedWebhook, check_adapter_contract

PAYLOADS = Path(__file__).parent / "payloads" / "seventeen_track"
KEY = "17track-account-key"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))


def raw(name: str) -> bytes:
    return (PAYLOADS / f"{name}.json").read_bytes()


def adapter(
    handler: Any = None, clock: FakeClock | None = None, **settings: Any
) -> SeventeenTrackAdapter:
    clock = clock or FakeClock()
    transport = httpx.MockTransport(handler) if handler else None
    return SeventeenTrackAdapter(
        api_key=KEY,
        transport=transport,
        async_transport=transport,
        clock=clock,
        sleep=clock.sleep,
        async_sleep=clock.asleep,
        environ={},
        **settings,
    )


def _event_payload(event: dict[str, Any], number: str = "RR123456789CN") -> dict[str, Any]:
    base = {
        "time_iso": "2026-05-02T14:34:00-04:00",
        "time_utc": "2026-05-02T18:34:00Z",
        "description": "x",
        "address": {"country": "US"},
    }
    return {
        "code": 0,
        "data": {
            "accepted": [
                {
                    "number": number,
                    "track_info": {"tracking": {"providers": [{"events": [{**base, **event}]}]}},
                }
            ],
            "rejected": [],
        },
    }


# -- every code of the 17track table, routed through the parser


@pytest.mark.parametrize(("main", "sub"), sorted(TABLES["17track"], key=str))
def test_every_table_code_is_parsed_to_its_mapping(main: str, sub: str | None) -> None:
    # Events name their status by sub-status; a main status alone reaches the parser
    # through ``stage`` (latest_event does that), so route it there.
    event = {"sub_status": sub} if sub else {"stage": main}
    result = parse_trackinfo(_event_payload(event))
    (parsed,) = result.events_for("RR123456789CN")
    expected = TABLES["17track"][(main, sub)]
    assert (parsed.status, parsed.reason, parsed.stage) == (
        expected.status,
        expected.reason,
        expected.effective_stage,
    )
    assert parsed.source.status == main
    if sub is not None:
        assert parsed.source.substatus == sub
    assert not [p for p in result.problems if p.code == ProblemCode.UNKNOWN_CODE]


EXPECTED_MILESTONES = {
    "InfoReceived": Status.INFO_RECEIVED,
    "PickedUp": Status.PICKED_UP,
    "Departure": Status.IN_TRANSIT,
    "Arrival": Status.IN_TRANSIT,
    "AvailableForPickup": Status.AVAILABLE_FOR_PICKUP,
    "OutForDelivery": Status.OUT_FOR_DELIVERY,
    "Delivered": Status.DELIVERED,
    "Returning": Status.RETURNING,
    "Returned": Status.RETURNED,
}


def test_milestone_expectations_cover_the_table() -> None:
    assert set(EXPECTED_MILESTONES) == set(MILESTONE_STAGES)


@pytest.mark.parametrize("stage", sorted(MILESTONE_STAGES))
def test_every_milestone_stage_is_parsed(stage: str) -> None:
    result = parse_trackinfo(_event_payload({"stage": stage}))
    (event,) = result.events_for("RR123456789CN")
    assert event.status == EXPECTED_MILESTONES[stage]
    assert event.source.code == stage
    assert result.ok


def test_sub_status_wins_over_stage() -> None:
    mapped, main, sub, note = map_event("InTransit_CustomsRequiringInformation", "Arrival")
    assert mapped == map_code("17track", "InTransit", "InTransit_CustomsRequiringInformation")
    assert (main, sub, note) == ("InTransit", "InTransit_CustomsRequiringInformation", "")


def test_unknown_main_status_is_unknown_with_the_code_kept() -> None:
    result = parse_trackinfo(_event_payload({"sub_status": "Teleported_Other"}))
    (event,) = result.events_for("RR123456789CN")
    assert event.status == Status.UNKNOWN
    assert (event.source.status, event.source.substatus) == ("Teleported", "Teleported_Other")
    assert [p.code for p in result.problems] == [ProblemCode.UNKNOWN_CODE]


# -- parsing


def test_docs_example_event_with_only_a_stage() -> None:
    result = parse_trackinfo(load("gettrackinfo_docs_example"))
    (event,) = result.events_for("1234567890")
    assert event.status == Status.AVAILABLE_FOR_PICKUP
    assert event.occurred_at == datetime(2022, 9, 14, 7, 47, tzinfo=UTC)
    assert event.utc_offset_minutes == 60
    # No address: the "location" text names the country.
    assert event.location is not None
    assert event.location.country == "DE"
    assert event.attributes["provider"] == "DHL Paket"
    assert result.ok


def test_journey_across_two_providers() -> None:
    result = parse_trackinfo(load("gettrackinfo_journey"))
    assert result.ok
    events = result.events_for("RR123456789CN")
    assert [e.status for e in events] == [
        Status.INFO_RECEIVED,
        Status.PICKED_UP,
        Status.IN_TRANSIT,
        Status.EXCEPTION,
        Status.IN_TRANSIT,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERED,
    ]
    hold = events[3]
    assert hold.reason == Reason.CUSTOMS_HOLD
    assert {e.attributes["provider"] for e in events} == {"USPS", "China Post"}
    assert events[0].utc_offset_minutes == 8 * 60
    assert events[-1].utc_offset_minutes == -4 * 60


def test_variations() -> None:
    result = parse_trackinfo(load("gettrackinfo_variations"))
    number = "LX987654321CN"
    events = result.events_for(number)
    by_description = {e.description: e for e in events}
    # A new sub-status of a known main status keeps the main status, with a note.
    new_sub = by_description["A sub-status 17TRACK has not documented"]
    assert new_sub.status == Status.IN_TRANSIT
    assert new_sub.source.substatus == "InTransit_Teleported"
    # time_utc null: the naive time_iso is Guangzhou wall time.
    placed = by_description["Local time without a zone; placed by the address"]
    assert placed.offset_source == "location"
    assert placed.occurred_at == datetime(2026, 6, 4, 10, 0, tzinfo=UTC)
    # The duplicated acceptance scan is kept once.
    assert sum(1 for e in events if e.description == "Accepted") == 1
    neither = by_description["Neither a sub-status nor a stage"]
    assert neither.status == Status.UNKNOWN
    where = "data.accepted[0].track_info.tracking.providers[0].events"
    problems = {(p.code, p.location) for p in result.problems_for(number)}
    assert problems == {
        (ProblemCode.PARTIAL_DATA, f"{where}[0]"),
        (ProblemCode.BAD_EVENT, f"{where}[2]"),
        (ProblemCode.BAD_EVENT, f"{where}[3]"),
        (ProblemCode.PARTIAL_DATA, f"{where}[7]"),
        (ProblemCode.BAD_EVENT, f"{where}[8]"),
    }
    (empty,) = result.problems_for("YT2612345678901234")
    assert empty.code == ProblemCode.NOT_FOUND
    assert "NotFound" in empty.message
    (rejected,) = result.problems_for("UA000000000CN")
    assert rejected.code == ProblemCode.NOT_FOUND
    assert "-18019902" in rejected.message


def test_register_answer_ignores_already_registered() -> None:
    result = parse_register(load("register_accepted"))
    (problem,) = result.problems
    assert (problem.tracking_number, problem.code) == ("1234", ProblemCode.INVALID_NUMBER)


def test_error_envelope_with_a_bad_key_is_an_auth_error() -> None:
    with pytest.raises(AuthError, match="-18010002"):
        parse_trackinfo(load("error_invalid_key"))


def test_accepted_number_without_track_info_is_not_found() -> None:
    payload = {"code": 0, "data": {"accepted": [{"number": "RR123456789CN"}], "rejected": []}}
    (problem,) = parse_trackinfo(payload).problems
    assert problem.code == ProblemCode.NOT_FOUND


# -- requests


def test_requests_post_json_lists_with_the_token_header() -> None:
    register = build_register_request(["RR123456789CN", "LX1"], api_key="k")
    info = build_gettrackinfo_request(["RR123456789CN"], api_key="k")
    assert register.url == "https://api.17track.net/track/v2.2/register"
    assert info.url == "https://api.17track.net/track/v2.2/gettrackinfo"
    assert register.method == info.method == "POST"
    assert json.loads(register.content) == [{"number": "RR123456789CN"}, {"number": "LX1"}]
    assert register.headers["17token"] == "k"
    with pytest.raises(ValueError, match="at most 40"):
        build_gettrackinfo_request([f"N{i:05d}" for i in range(41)], api_key="k")


def test_register_can_be_switched_off() -> None:
    paths = [r.url.path for r in adapter(auto_register=False).build_requests(["RR123456789CN"])]
    assert paths == ["/track/v2.2/gettrackinfo"]


# -- track() end to end


class Server:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["17token"] == KEY
        numbers = [item["number"] for item in json.loads(request.content)]
        self.calls.append((request.url.path.rsplit("/", 1)[-1], numbers))
        if request.url.path.endswith("/register"):
            accepted = [{"number": n, "carrier": 3011} for n in numbers]
            return httpx.Response(
                200, json={"code": 0, "data": {"accepted": accepted, "rejected": []}}
            )
        accepted = []
        for number in numbers:
            item = load("gettrackinfo_journey")["data"]["accepted"][0]
            accepted.append(dict(item, number=number))
        return httpx.Response(200, json={"code": 0, "data": {"accepted": accepted, "rejected": []}})


def test_track_registers_then_fetches_in_batches_of_40() -> None:
    server = Server()
    numbers = [f"RR{i:09d}CN" for i in range(45)]
    result = adapter(server).track(numbers)
    assert [(kind, len(batch)) for kind, batch in server.calls] == [
        ("register", 40),
        ("gettrackinfo", 40),
        ("register", 5),
        ("gettrackinfo", 5),
    ]
    assert all(len(result.events_for(n)) == 7 for n in numbers)
    assert result.ok


def test_track_with_a_rejected_key_raises() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=load("error_invalid_key"))

    with pytest.raises(AuthError) as info:
        adapter(handler).track(["RR123456789CN"])
    assert KEY not in str(info.value)


def test_track_keeps_a_quota_error_as_a_problem() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {
            "code": -18019910,
            "data": {"errors": [{"code": -18019910, "message": "Quota exhausted."}]},
        }
        return httpx.Response(200, json=body)

    result = adapter(handler).track(["RR123456789CN"])
    (problem,) = result.problems
    assert problem.code == ProblemCode.CARRIER_ERROR
    assert "Quota exhausted" in problem.message


def test_atrack_matches_track() -> None:
    numbers = ["RR123456789CN", "LX987654321CN"]
    sync = adapter(Server()).track(numbers)
    result = asyncio.run(adapter(Server()).atrack(numbers))
    assert result.as_dict() == sync.as_dict()


# -- webhook push


def signed(name: str, key: str = KEY) -> tuple[dict[str, str], bytes]:
    body = raw(name)
    return {"sign": push_signature(body, key), "Content-Type": "application/json"}, body


def test_push_is_verified_with_the_api_key_and_parsed() -> None:
    headers, body = signed("webhook_tracking_updated")
    (event,) = adapter().parse_webhook(headers, body)
    assert event.status == Status.AVAILABLE_FOR_PICKUP
    assert event.tracking_number == "1234567890"


def test_push_signature_is_sha256_of_body_slash_key() -> None:
    import hashlib

    body = b'{"event":"TRACKING_STOPPED"}'
    assert push_signature(body, "k") == hashlib.sha256(body + b"/k").hexdigest()


def test_tampered_push_is_rejected() -> None:
    headers, body = signed("webhook_tracking_updated")
    tampered = body.replace(b"1234567890", b"1234567891")
    with pytest.raises(WebhookError, match="sign header does not match"):
        adapter().parse_webhook(headers, tampered)
    with pytest.raises(WebhookError, match="sign header does not match"):
        adapter().parse_webhook(headers, body, secret="another-key")
    with pytest.raises(WebhookError, match="no sign header"):
        adapter().parse_webhook({}, body)


def test_stopped_push_has_no_events() -> None:
    headers, body = signed("webhook_tracking_stopped")
    assert adapter().parse_webhook(headers, body) == []
    assert parse_push(load("webhook_tracking_stopped")).numbers == ("RR123456789CN",)


def test_malformed_pushes_are_webhook_errors() -> None:
    for body in (
        b"[1, 2]",
        b'{"event": "TRACKING_EXPLODED", "data": {"number": "X12345"}}',
        b'{"event": "TRACKING_UPDATED"}',
        b"\xff\xfe",
    ):
        headers = {"sign": push_signature(body, KEY)}
        with pytest.raises(WebhookError):
            adapter().parse_webhook(headers, body)


def test_push_without_any_key_is_a_config_error() -> None:
    headers, body = signed("webhook_tracking_updated")
    with pytest.raises(ConfigError, match="LOGIX_17TRACK_WEBHOOK_SECRET"):
        SeventeenTrackAdapter(environ={}).parse_webhook(headers, body)


# -- the contract kit


def test_contract() -> None:
    payloads = {
        name: load(name)
        for name in ("gettrackinfo_docs_example", "gettrackinfo_journey", "gettrackinfo_variations")
    }
    headers, body = signed("webhook_tracking_updated")
    check_adapter_contract(
        SeventeenTrackAdapter(environ={}),
        payloads,
        mapping=TABLES["17track"],
        unknown_code_payload=_event_payload({"sub_status": "Teleported_Other"}),
        webhooks=[RecordedWebhook(headers, body, KEY, "TRACKING_UPDATED push")],
        events_at=EVENTS_AT["17track"],
        requests=REQUESTS["17track"],
    )
