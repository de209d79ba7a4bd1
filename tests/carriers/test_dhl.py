"""The DHL Shipment Tracking - Unified adapter, against recorded payloads."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from contract_specs import EVENTS_AT, REQUESTS

from logix_carriers import ConfigError, Status, WebhookError
from logix_carriers._status_lookup import TABLES
from logix_carriers._track_result import ProblemCode
from logix_carriers.carriers._dhl import (
    DhlAdapter,
    build_track_request,
    parse_locality,
    parse_shipments,
)
from logix_carriers.testing import FakeClock, check_adapter_contract

PAYLOADS = Path(__file__).parent / "payloads" / "dhl"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))


def adapter(handler: Any = None, clock: FakeClock | None = None, **settings: Any) -> DhlAdapter:
    clock = clock or FakeClock()
    transport = httpx.MockTransport(handler) if handler else None
    return DhlAdapter(
        api_key="dhl-secret-key",
        transport=transport,
        async_transport=transport,
        clock=clock,
        sleep=clock.sleep,
        async_sleep=clock.asleep,
        environ={},
        **settings,
    )


# -- the status table, code by code

EXPECTED = {
    "pre-transit": Status.INFO_RECEIVED,
    "transit": Status.IN_TRANSIT,
    "delivered": Status.DELIVERED,
    "failure": Status.EXCEPTION,
    "unknown": Status.UNKNOWN,
}


def test_expectations_cover_the_whole_table() -> None:
    assert {code for code, _ in TABLES["dhl"]} == set(EXPECTED)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_every_status_code_is_parsed_to_its_status(code: str) -> None:
    payload = {
        "shipments": [
            {
                "id": "123456",
                "events": [
                    {
                        "timestamp": "2026-03-01T10:00:00+01:00",
                        "statusCode": code,
                        "location": {"address": {"countryCode": "DE"}},
                    }
                ],
            }
        ]
    }
    result = parse_shipments(payload)
    (event,) = result.events_for("123456")
    assert event.status == EXPECTED[code]
    assert event.source.system == "dhl"
    assert event.source.status == code
    assert not [p for p in result.problems if p.code == ProblemCode.UNKNOWN_CODE]


# -- parsing


def test_express_docs_example_reads_local_times_in_the_named_country() -> None:
    result = parse_shipments(load("docs_example_express"))
    events = result.events_for("7777777770")
    assert [e.description for e in events] == [
        "Shipper has generated a shipment label, but the shipment has not yet been handed "
        "over to DHL",
        "Please contact DHL",
    ]
    first = events[0]
    # "2020-12-07T21:00:00" in "MILAN - ITALY" is 21:00 CET, 20:00 UTC.
    assert first.occurred_at == datetime(2020, 12, 7, 20, 0, tzinfo=UTC)
    assert first.utc_offset_minutes == 60
    assert first.offset_source == "location"
    assert first.location is not None
    assert (first.location.city, first.location.country) == ("MILAN", "IT")
    # DHL Express sends no statusCode: kept as unknown, and said so.
    assert {e.status for e in events} == {Status.UNKNOWN}
    assert [p.code for p in result.problems] == [ProblemCode.PARTIAL_DATA] * 2


def test_unified_docs_example_keeps_the_carrier_offset() -> None:
    result = parse_shipments(load("docs_example_unified"))
    (event,) = result.events_for("7777777770")
    assert event.offset_source == "carrier"
    assert event.occurred_at == datetime(2018, 8, 3, tzinfo=UTC)
    assert event.status == Status.INFO_RECEIVED
    assert event.location is not None
    assert event.location.city == "AMSTERDAM"
    assert event.attributes["dhl_service"] == "express"
    assert result.ok


def test_journey_is_sorted_deduplicated_and_placed_in_germany() -> None:
    result = parse_shipments(load("parcel_de_journey"))
    events = result.events_for("00340434161094042557")
    # Five events in the payload, one duplicated and one out of order.
    assert len(events) == 4
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert [e.status for e in events] == [
        Status.INFO_RECEIVED,
        Status.IN_TRANSIT,
        Status.IN_TRANSIT,
        Status.DELIVERED,
    ]
    assert {e.utc_offset_minutes for e in events} == {60}
    assert events[-1].occurred_at == datetime(2026, 3, 3, 10, 42, tzinfo=UTC)
    assert result.ok


def test_multi_zone_country_is_narrowed_by_city_or_flagged() -> None:
    result = parse_shipments(load("multi_zone_locations"))
    by_description = {e.description: e for e in result.events_for("JJD000390007826614")}
    la = by_description["Arrived at DHL eCommerce Distribution Center"]
    assert la.utc_offset_minutes == -7 * 60  # Los Angeles, daylight time in April
    shenzhen = by_description["Departed from origin facility"]
    assert shenzhen.utc_offset_minutes == 8 * 60
    assert shenzhen.offset_source == "location"
    carrier_offset = by_description["Shipment information received"]
    assert carrier_offset.offset_source == "carrier"
    # "US" alone spans many zones: read in the principal zone (New York, not the
    # first zone tzdata lists), marked assumed, and the guess is reported.
    us_only = by_description["Processed through customs"]
    assert us_only.offset_source == "assumed"
    assert us_only.utc_offset_minutes == -4 * 60  # New York, daylight time in April
    (problem,) = result.problems
    assert problem.code == ProblemCode.PARTIAL_DATA
    assert "US spans" in problem.message
    assert "principal zone America/New_York" in problem.message
    assert problem.location == "shipments[0].events[1]"


def test_bad_events_become_problems_and_the_rest_is_kept() -> None:
    result = parse_shipments(load("unknown_and_bad_events"))
    number = "00340434161094015902"
    statuses = sorted(e.status for e in result.events_for(number))
    assert statuses == [Status.EXCEPTION, Status.IN_TRANSIT, Status.UNKNOWN]
    unknown = next(e for e in result.events_for(number) if e.status == Status.UNKNOWN)
    assert unknown.source.status == "returned-to-moon"
    codes = [(p.code, p.location) for p in result.problems]
    assert (ProblemCode.UNKNOWN_CODE, "shipments[0].events[0]") in codes
    bad = [loc for code, loc in codes if code == ProblemCode.BAD_EVENT]
    assert bad == [
        "shipments[0].events[1]",
        "shipments[0].events[2]",
        "shipments[0].events[5]",
    ]
    messages = " | ".join(p.message for p in result.problems)
    assert "'yesterday afternoon' is not ISO-8601" in messages
    # A naive time with no country is not dropped: Parcel DE's home zone, assumed.
    placed = next(e for e in result.events_for(number) if e.status == Status.IN_TRANSIT)
    assert placed.offset_source == "assumed"
    assert placed.utc_offset_minutes == 120
    assert (ProblemCode.PARTIAL_DATA, "shipments[0].events[3]") in codes
    assert "DHL's home zone (parcel-de) (Europe/Berlin)" in messages


def test_empty_event_list_is_not_found() -> None:
    result = parse_shipments(load("empty_events"))
    assert result.events_for("00340434161094099999") == ()
    (problem,) = result.problems
    assert problem.code == ProblemCode.NOT_FOUND
    assert "No tracking data yet" in problem.message


def test_an_answer_is_filed_under_the_number_dhl_returned() -> None:
    # Without a service DHL can answer with another shipment's data: its events go
    # under the id DHL returned, and the requested number says where they went.
    result = parse_shipments(load("docs_example_unified"), ["JD014600006521148795"])
    assert result.events_for("JD014600006521148795") == ()
    (event,) = result.events_for("7777777770")
    assert event.attributes["dhl_requested_number"] == "JD014600006521148795"
    (problem,) = result.problems_for("JD014600006521148795")
    assert problem.code == ProblemCode.PARTIAL_DATA
    assert "filed under the number DHL returned" in problem.message
    assert "'7777777770'" in problem.message


def test_payload_without_shipments_is_a_format_error() -> None:
    with pytest.raises(ValueError, match="no 'shipments' list"):
        parse_shipments(load("unauthorized_401"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MILAN - ITALY", ("MILAN", None, "IT")),
        ("MILAN - PESCHIERA BORROMEO - ITALY", ("MILAN", None, "IT")),
        ("Oderweg 2, AMSTERDAM", ("AMSTERDAM", None, None)),
        ("Los Angeles, CA", ("Los Angeles", "CA", None)),
        ("Leipzig", ("Leipzig", None, None)),
        ("", (None, None, None)),
    ],
)
def test_locality_forms(text: str, expected: tuple[str | None, ...]) -> None:
    assert parse_locality(text) == expected


# -- requests


def test_request_carries_the_key_header_and_the_number() -> None:
    request = build_track_request("00340434161094042557", api_key="k3y", service="parcel-de")
    assert request.method == "GET"
    assert request.url.path == "/track/shipments"
    assert request.url.host == "api-eu.dhl.com"
    assert request.url.params["trackingNumber"] == "00340434161094042557"
    assert request.url.params["service"] == "parcel-de"
    assert "language" not in request.url.params
    assert request.headers["DHL-API-Key"] == "k3y"


def test_adapter_requests_one_number_per_call() -> None:
    requests = adapter(language="de").build_requests(["A1234567", "B1234567"])
    assert [r.url.params["trackingNumber"] for r in requests] == ["A1234567", "B1234567"]
    assert {r.url.params["language"] for r in requests} == {"de"}


def test_missing_key_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="LOGIX_DHL_API_KEY"):
        DhlAdapter(environ={}).build_requests(["123"])


# -- track() end to end


def _dhl_server(request: httpx.Request) -> httpx.Response:
    assert request.headers["DHL-API-Key"] == "dhl-secret-key"
    number = request.url.params["trackingNumber"]
    if number == "00340434161094042557":
        return httpx.Response(200, json=load("parcel_de_journey"))
    return httpx.Response(404, json=load("not_found_404"))


def test_track_end_to_end_with_not_found_and_rate_limit() -> None:
    clock = FakeClock()
    dhl = adapter(_dhl_server, clock)
    result = dhl.track(["00340434161094042557", "NOPE12345", "00340434161094042557"])
    assert len(result.events_for("00340434161094042557")) == 4
    (problem,) = result.problems_for("NOPE12345")
    assert problem.code == ProblemCode.NOT_FOUND
    assert "No shipment with given tracking number found" in problem.message
    # Two distinct numbers, one call each; the bucket (1/s) spaced them out.
    assert sum(clock.sleeps) >= 0.99


def test_track_turns_a_rejected_key_into_an_auth_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json=load("unauthorized_401"))

    from logix_carriers import AuthError

    with pytest.raises(AuthError) as info:
        adapter(handler).track(["00340434161094042557"])
    assert "dhl-secret-key" not in str(info.value)
    assert "LOGIX_DHL_API_KEY" in str(info.value)


def test_atrack_matches_track() -> None:
    sync = adapter(_dhl_server).track(["00340434161094042557"])
    result = asyncio.run(adapter(_dhl_server).atrack(["00340434161094042557"]))
    assert result.as_dict() == sync.as_dict()


def test_dhl_has_no_webhooks() -> None:
    with pytest.raises(WebhookError, match="does not send webhooks"):
        adapter().parse_webhook({}, b"{}")


# -- the contract kit


def test_contract() -> None:
    payloads = {
        name: load(name)
        for name in (
            "docs_example_express",
            "docs_example_unified",
            "parcel_de_journey",
            "multi_zone_locations",
            "unknown_and_bad_events",
            "empty_events",
            "not_found_404",
        )
    }
    check_adapter_contract(
        DhlAdapter(environ={}),
        payloads,
        mapping=TABLES["dhl"],
        unknown_code_payload=load("unknown_and_bad_events"),
        events_at=EVENTS_AT["dhl"],
        requests=REQUESTS["dhl"],
    )
