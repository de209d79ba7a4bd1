"""The USPS Tracking API v3 adapter, against recorded payloads (issue 14)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from contract_specs import EVENTS_AT, REQUESTS

from logix_carriers import (
    AuthError,
    OAuthClientCredentials,
    ProblemCode,
    Reason,
    Stage,
    Status,
    UspsAdapter,
    available_adapters,
    get_adapter,
)
from logix_carriers._status_lookup import TABLES
from logix_carriers.carriers._usps import build_track_request, parse_error, parse_tracking
from logix_carriers.testing import FakeClock, check_adapter_contract

PAYLOADS = Path(__file__).parent / "payloads" / "usps"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))


def adapter(handler: Any, **settings: Any) -> UspsAdapter:
    clock = FakeClock()
    transport = httpx.MockTransport(handler)
    return UspsAdapter(
        client_id="usps-client",
        client_secret="usps-secret-123456",
        transport=transport,
        async_transport=transport,
        clock=clock,
        sleep=clock.sleep,
        async_sleep=clock.asleep,
        environ={},
        **settings,
    )


# -- the table


@pytest.mark.parametrize(
    ("code", "stage", "status", "reason"),
    [
        ("GX", Stage.PRE_TRANSIT, Status.INFO_RECEIVED, None),
        ("OA", Stage.FIRST_MILE, Status.PICKED_UP, None),
        ("10", Stage.LINE_HAUL, Status.IN_TRANSIT, None),
        ("07", Stage.LAST_MILE, Status.IN_TRANSIT, None),
        ("OF", Stage.LAST_MILE, Status.OUT_FOR_DELIVERY, None),
        ("01", Stage.TERMINAL, Status.DELIVERED, None),
        ("56", Stage.LAST_MILE, Status.ATTEMPT_FAILED, Reason.RECIPIENT_UNAVAILABLE),
        ("05", Stage.LAST_MILE, Status.EXCEPTION, Reason.ADDRESS_ISSUE),
        ("27", Stage.RETURN, Status.RETURNING, Reason.UNCLAIMED),
        ("DX", Stage.LINE_HAUL, Status.UNKNOWN, None),
    ],
)
def test_codes_map_as_publication_97_says(
    code: str, stage: Stage, status: Status, reason: Reason | None
) -> None:
    mapped = TABLES["usps"][(code, None)]
    assert (mapped.effective_stage, mapped.status, mapped.reason) == (stage, status, reason)


def test_usps_is_a_registered_built_in() -> None:
    info = available_adapters()["usps"]
    assert info.builtin
    assert info.entry_point == "logix_carriers.carriers._usps:UspsAdapter"
    assert info.capabilities.auth == "oauth2"
    assert isinstance(get_adapter("usps"), UspsAdapter)


# -- parsing


def test_domestic_journey_keeps_usps_offsets_and_places_the_others() -> None:
    result = parse_tracking(load("tracking_domestic"))
    events = result.events_for("9400100000000000000017")
    assert [e.source.code for e in events] == ["GX", "OA", "EF", "07", "OF", "01"]
    delivered = events[-1]
    assert delivered.occurred_at == datetime(2026, 3, 6, 21, 14, tzinfo=UTC)
    assert (delivered.offset_source, delivered.utc_offset_minutes) == ("carrier", -480)
    assert delivered.description == "Delivered, In/At Mailbox"
    assert delivered.location is not None
    assert (delivered.location.city, delivered.location.country) == ("LOS ANGELES", "US")
    # "Arrived at Post Office" has no GMT fields: placed by city and state.
    arrived = events[3]
    assert (arrived.offset_source, arrived.utc_offset_minutes) == ("location", -480)
    label = events[0]
    assert (label.offset_source, label.utc_offset_minutes) == ("location", -360)  # Austin
    # The estimate has no offset: the destination's zone (Los Angeles).
    assert delivered.estimated_delivery == datetime(2026, 3, 7, 5, 0, tzinfo=UTC)
    assert delivered.attributes["usps_mail_class"] == "USPS Ground Advantage"
    assert result.ok


def test_the_last_mile_of_a_china_us_line() -> None:
    result = parse_tracking(load("tracking_china_inbound"))
    label, departed, isc, arrived, out = result.events_for("LZ123456789CN")
    assert (departed.offset_source, departed.utc_offset_minutes) == ("location", 480)
    assert departed.location is not None
    assert departed.location.country == "CN"
    # The label scan names no place: the origin, China, for a pre-transit scan.
    assert (label.status, label.offset_source, label.utc_offset_minutes) == (
        Status.INFO_RECEIVED,
        "assumed",
        480,
    )
    # "ISC NEW YORK NY(USPS)" names no state: a line-haul scan, USPS's home zone.
    assert (isc.offset_source, isc.utc_offset_minutes) == ("assumed", -240)
    assert (arrived.offset_source, out.offset_source) == ("location", "carrier")
    # A date-only estimate: the end of that day at the destination (Jamaica, NY).
    assert out.estimated_delivery == datetime(2026, 3, 13, 3, 59, 59, tzinfo=UTC)
    assert [p.code for p in result.problems] == [ProblemCode.PARTIAL_DATA] * 2


def test_variations_become_problems_and_the_rest_is_kept() -> None:
    result = parse_tracking(load("tracking_variations"))
    number = "9400100000000000000024"
    events = result.events_for(number)
    where = {p.location: p for p in result.problems}
    assert where["trackingEvents[0]"].code == ProblemCode.PARTIAL_DATA  # DX: no status
    assert where["trackingEvents[1]"].code == ProblemCode.UNKNOWN_CODE
    unknown = next(e for e in events if e.source.code == "Z9")
    assert unknown.status == Status.UNKNOWN
    assert where["trackingEvents[3]"].code == ProblemCode.PARTIAL_DATA  # no code, no place
    assert where["trackingEvents[4]"].code == ProblemCode.BAD_EVENT
    assert "'April 1st' is not ISO-8601" in where["trackingEvents[4]"].message
    assert where["trackingEvents[7]"].code == ProblemCode.BAD_EVENT  # not an object
    assert sum(1 for e in events if e.source.code == "10") == 1  # duplicate collapsed
    notice = next(e for e in events if e.source.code == "56")
    assert notice.reason == Reason.RECIPIENT_UNAVAILABLE
    assert where["expectedDeliveryTimeStamp"].code == ProblemCode.PARTIAL_DATA
    assert all(e.estimated_delivery is None for e in events)  # a placeholder, left out
    assert len(events) == 5


def test_error_envelope_and_request() -> None:
    (problem,) = parse_error(load("error_not_found_404"), ["9400100000000000000999"]).problems
    assert problem.code == ProblemCode.NOT_FOUND
    assert problem.message == (
        "USPS error 404: Not Found (The tracking number may be incorrect or the status "
        "update is not yet available.)"
    )
    bad = parse_error({"error": {"message": "bad"}}, ["X1"], status=400).problems[0]
    assert bad.code == ProblemCode.INVALID_NUMBER
    request = build_track_request("LZ123456789CN")
    assert (
        str(request.url) == "https://apis.usps.com/tracking/v3/tracking/LZ123456789CN?expand=DETAIL"
    )
    assert request.method == "GET"


# -- OAuth with the credentials in the form body


def test_the_token_is_fetched_with_the_credentials_in_the_form_body() -> None:
    seen: list[httpx.Request] = []

    def usps(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/oauth2/v3/token":
            return httpx.Response(200, json=load("token"))
        return httpx.Response(200, json=load("tracking_domestic"))

    result = adapter(usps).track(["9400100000000000000017"])
    assert len(result.events_for("9400100000000000000017")) == 6
    token, tracking = seen
    form = dict(parse_qsl(token.content.decode()))
    assert form == {
        "grant_type": "client_credentials",
        "client_id": "usps-client",
        "client_secret": "usps-secret-123456",
    }
    assert "authorization" not in token.headers  # no basic auth: USPS wants the body
    assert tracking.headers["Authorization"] == "Bearer " + load("token")["access_token"]


def test_a_refused_client_is_an_auth_error_without_the_secret() -> None:
    def usps(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_client"})

    with pytest.raises(AuthError) as caught:
        adapter(usps).track(["9400100000000000000017"])
    assert "usps-secret-123456" not in str(caught.value)
    assert "LOGIX_USPS_CLIENT_SECRET" in str(caught.value)


def test_oauth_client_auth_is_basic_by_default_and_checked() -> None:
    from pydantic import SecretStr

    basic = OAuthClientCredentials("https://t.example/token", "id", SecretStr("s3cr3t"))
    assert basic.token_request().headers["Authorization"].startswith("Basic ")
    assert b"client_secret" not in basic.token_request().content
    with pytest.raises(ValueError, match="client_auth must be 'basic' or 'body'"):
        OAuthClientCredentials("https://t", "id", SecretStr("s"), client_auth="header")  # type: ignore[arg-type]


# -- the contract kit


def test_contract() -> None:
    payloads = {
        name: load(name)
        for name in (
            "tracking_domestic",
            "tracking_china_inbound",
            "tracking_variations",
            "error_not_found_404",
        )
    }
    check_adapter_contract(
        UspsAdapter(environ={}),
        payloads,
        mapping=TABLES["usps"],
        unknown_code_payload={
            "trackingNumber": "9400100000000000000031",
            "trackingEvents": [
                {
                    "eventType": "?",
                    "eventTimestamp": "2026-01-02T10:00:00",
                    "eventState": "NY",
                    "eventCode": "Q7",
                }
            ],
        },
        events_at=EVENTS_AT["usps"],
        requests=REQUESTS["usps"],
    )
