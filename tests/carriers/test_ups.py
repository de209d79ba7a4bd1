"""The UPS Track API adapter and Track Alert webhooks, against recorded payloads."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from contract_specs import EVENTS_AT, REQUESTS

from logix_carriers import AuthError, ConfigError, Reason, Stage, Status, WebhookError
from logix_carriers._track_result import ProblemCode
from logix_carriers.carriers._ups import (
    UpsAdapter,
    build_track_request,
    parse_track_alert,
    parse_track_response,
)
from logix_carriers.carriers._ups_codes import ACTIVITY_TYPES, STATUS_CODES, map_activity
from logix_carriers.testing import FakeClock, RecordedWebhook, check_adapter_contract

PAYLOADS = Path(__file__).parent / "payloads" / "ups"
CREDENTIAL = "track-alert-credential-7f3a"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))


def raw(name: str) -> bytes:
    return (PAYLOADS / f"{name}.json").read_bytes()


def adapter(handler: Any = None, clock: FakeClock | None = None, **settings: Any) -> UpsAdapter:
    clock = clock or FakeClock()
    transport = httpx.MockTransport(handler) if handler else None
    options: dict[str, Any] = {"client_id": "logix-test-client", "client_secret": "s3cr3t-ups"}
    options.update(settings)
    return UpsAdapter(
        transport=transport,
        async_transport=transport,
        clock=clock,
        sleep=clock.sleep,
        async_sleep=clock.asleep,
        environ={},
        **options,
    )


# -- the code tables, code by code

# Written out independently of the table: changing a mapping must change a test.
EXPECTED_BY_STATUS: dict[Status, set[str]] = {
    Status.INFO_RECEIVED: {"003", "043", "044", "045", "077", "079", "080", "133", "157", "166"},
    Status.PICKED_UP: {"038", "160", "167", "168", "169"},
    Status.IN_TRANSIT: {
        "014",  # clearance completed: released, moving on (reason customs_cleared)
        "084",
        "134",
        "005",
        "010",
        "016",
        "018",
        "020",
        "025",
        "027",
        "028",
        "039",
        "041",
        "042",
        "047",
        "054",
        "055",
        "056",
        "057",
        "063",
        "070",
        "071",
        "073",
        "074",
        "075",
        "082",
        "087",
        "094",
        "095",
        "096",
        "097",
        "098",
        "099",
        "100",
        "101",
        "102",
        "103",
        "106",
        "107",
        "108",
        "109",
        "110",
        "111",
        "112",
        "113",
        "114",
        "115",
        "116",
        "120",
        "121",
        "122",
        "136",
        "137",
        "138",
        "153",
        "154",
        "158",
        "159",
        "164",
        "165",
    },
    Status.CUSTOMS: {"012", "092"},
    Status.OUT_FOR_DELIVERY: {"006", "021", "037", "072", "078", "089", "091", "146", "162"},
    Status.AVAILABLE_FOR_PICKUP: {"017", "040", "144", "161"},
    Status.ATTEMPT_FAILED: {"022", "023", "024", "060", "061", "062", "066", "145"},
    Status.DELIVERED: {"011", "026", "143", "155", "156"},
    Status.EXCEPTION: {
        "013",
        "019",
        "029",
        "030",
        "032",
        "046",
        "048",
        "049",
        "050",
        "051",
        "052",
        "053",
        "058",
        "059",
        "064",
        "065",
        "068",
        "069",
        "076",
        "083",
        "085",
        "086",
        "090",
        "093",
        "104",
        "105",
        "123",
        "124",
        "125",
        "126",
        "129",
        "130",
        "131",
        "132",
        "135",
        "139",
        "140",
        "141",
        "147",
        "149",
    },
    Status.RETURNING: {"033", "035", "036", "067", "081", "117", "118", "119"},
    Status.RETURNED: {"034"},
    Status.CANCELLED: {"007"},
    Status.UNKNOWN: {"000", "088", "127", "128", "142", "148", "163"},
}
EXPECTED_REASONS: dict[str, Reason] = {
    "019": Reason.HELD,
    "032": Reason.DELAY_WEATHER,
    "046": Reason.DELAY_CARRIER,
    "048": Reason.DELAY_CARRIER,
    "050": Reason.ADDRESS_ISSUE,
    "051": Reason.DELAY_WEATHER,
    "052": Reason.DELAY_WEATHER,
    "053": Reason.DELAY_WEATHER,
    "058": Reason.CUSTOMS_HOLD,
    "059": Reason.DAMAGED,
    "061": Reason.RECIPIENT_UNAVAILABLE,
    "062": Reason.PAYMENT_REQUIRED,
    "064": Reason.REFUSED,
    "068": Reason.LOST,
    "081": Reason.DAMAGED,
    "083": Reason.HELD,
    "085": Reason.PAYMENT_REQUIRED,
    "086": Reason.DELAY_CARRIER,
    "090": Reason.DELAY_CARRIER,
    "104": Reason.HELD,
    "105": Reason.HELD,
    "123": Reason.CUSTOMS_HOLD,
    "124": Reason.CUSTOMS_HOLD,
    "125": Reason.CUSTOMS_HOLD,
    "126": Reason.CUSTOMS_HOLD,
    "132": Reason.DELAY_EXTERNAL,
    "139": Reason.LOCATION_INACCESSIBLE,
    "141": Reason.CUSTOMS_HOLD,
    "147": Reason.DISPOSED,
    "149": Reason.DISPOSED,
}
#: Released by customs: the customs clock ends (issue 13).
CLEARED_CODES = {"014", "084", "134"}
EXPECTED_TYPES: dict[str, Status] = {
    "D": Status.DELIVERED,
    "I": Status.IN_TRANSIT,
    "M": Status.INFO_RECEIVED,
    "MV": Status.CANCELLED,
    "P": Status.PICKED_UP,
    "X": Status.EXCEPTION,
    "RS": Status.RETURNED,
    "DO": Status.IN_TRANSIT,
    "DD": Status.IN_TRANSIT,
    "W": Status.IN_TRANSIT,
    "NA": Status.UNKNOWN,
    "O": Status.OUT_FOR_DELIVERY,
    "U": Status.IN_TRANSIT,
}


def _expected_status(code: str) -> Status:
    (status,) = [s for s, codes in EXPECTED_BY_STATUS.items() if code in codes]
    return status


def test_expectations_cover_every_code_once() -> None:
    listed = [code for codes in EXPECTED_BY_STATUS.values() for code in codes]
    assert len(listed) == len(set(listed))
    assert set(listed) == set(STATUS_CODES)
    assert set(EXPECTED_TYPES) == set(ACTIVITY_TYPES)


def _one_activity(type_code: str | None, status_code: str | None) -> dict[str, Any]:
    status = {"description": "x"}
    if type_code is not None:
        status["type"] = type_code
    if status_code is not None:
        status["statusCode"] = status_code
    return {
        "trackResponse": {
            "shipment": [
                {
                    "inquiryNumber": "1ZTEST00000000001",
                    "package": [
                        {
                            "trackingNumber": "1ZTEST00000000001",
                            "activity": [
                                {
                                    "location": {"address": {"countryCode": "US"}},
                                    "status": status,
                                    "date": "20260301",
                                    "time": "100000",
                                    "gmtDate": "20260301",
                                    "gmtTime": "150000",
                                    "gmtOffset": "-05:00",
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    }


@pytest.mark.parametrize("code", sorted(STATUS_CODES))
def test_every_status_code_is_parsed_to_its_status(code: str) -> None:
    result = parse_track_response(_one_activity("I", code))
    (event,) = result.events_for("1ZTEST00000000001")
    expected = _expected_status(code)
    if expected in (Status.EXCEPTION, Status.ATTEMPT_FAILED, Status.RETURNING):
        assert event.reason == EXPECTED_REASONS.get(code)
    if code in CLEARED_CODES:
        assert event.reason == Reason.CUSTOMS_CLEARED
    assert event.status == expected
    assert event.source.substatus == code
    assert not [p for p in result.problems if p.code == ProblemCode.UNKNOWN_CODE]
    # Codes meaning "no status" say so; every other code parses cleanly.
    assert result.ok == (expected != Status.UNKNOWN)


@pytest.mark.parametrize("type_code", sorted(ACTIVITY_TYPES))
def test_every_activity_type_is_parsed_to_its_status(type_code: str) -> None:
    result = parse_track_response(_one_activity(type_code, None))
    (event,) = result.events_for("1ZTEST00000000001")
    assert event.status == EXPECTED_TYPES[type_code]
    assert event.source.status == type_code


def test_status_code_wins_over_type_but_exception_type_stays_exception() -> None:
    assert map_activity("I", "021")[0] == ACTIVITY_TYPES["O"][1]
    mapped, _ = map_activity("X", "005")
    assert mapped is not None
    assert mapped.status == Status.EXCEPTION
    mapped, _ = map_activity("X", "052")
    assert mapped is not None
    assert mapped.reason == Reason.DELAY_WEATHER
    mapped, _ = map_activity("X", "064")
    assert mapped is not None
    assert (mapped.status, mapped.reason) == (
        Status.EXCEPTION,
        Reason.REFUSED,
    )
    assert map_activity("3", None) == (None, "")
    # Codes arrive zero-padded or not.
    assert map_activity(None, "11")[0] == map_activity(None, "011")[0]


def test_stage_overrides_where_the_default_would_mislead() -> None:
    assert STATUS_CODES["065"][1].effective_stage == Stage.FIRST_MILE
    assert STATUS_CODES["085"][1].effective_stage == Stage.LAST_MILE
    assert ACTIVITY_TYPES["DD"][1].effective_stage == Stage.LAST_MILE


# -- parsing


def test_ground_journey_uses_the_gmt_fields_and_their_offset() -> None:
    result = parse_track_response(load("ground_journey"))
    assert result.ok
    events = result.events_for("1Z5338FF0107231059")
    assert [e.status for e in events] == [
        Status.INFO_RECEIVED,
        Status.PICKED_UP,
        Status.IN_TRANSIT,
        Status.IN_TRANSIT,
        Status.EXCEPTION,
        Status.OUT_FOR_DELIVERY,
        Status.DELIVERED,
    ]
    delivered = events[-1]
    assert delivered.occurred_at == datetime(2026, 3, 4, 14, 45, tzinfo=UTC)
    assert delivered.utc_offset_minutes == -300
    assert delivered.offset_source == "carrier"
    assert delivered.local_time.hour == 9
    pickup = events[1]
    assert pickup.utc_offset_minutes == -360  # Mesquite, TX
    weather = events[4]
    assert weather.reason == Reason.DELAY_WEATHER
    assert weather.source.code == "WX"
    assert delivered.attributes["ups_service"] == "UPS Ground"


def test_docs_example_reports_the_inconsistent_local_time() -> None:
    result = parse_track_response(load("docs_example"))
    (event,) = result.events_for("1Z023E2X0214323462")
    # gmtTime "74700" is 07:47:00 (UPS drops the leading zero).
    assert event.occurred_at == datetime(2021, 2, 10, 7, 47, tzinfo=UTC)
    assert event.utc_offset_minutes == -300
    assert event.status == Status.EXCEPTION  # type X, whatever the code says
    assert event.attributes["ups_slic"] == "8566"
    (problem,) = result.problems
    assert problem.code == ProblemCode.PARTIAL_DATA
    assert "does not match gmtDate/gmtTime" in problem.message


def test_variations_unknown_codes_missing_fields_duplicates() -> None:
    result = parse_track_response(load("variations"))
    number = "1ZA82D672031716786"
    events = result.events_for(number)
    unknown = [e for e in events if e.status == Status.UNKNOWN and e.source.status == "Q"]
    assert len(unknown) == 1
    assert unknown[0].source.substatus == "999"
    by_code = {(p.code, p.location) for p in result.problems}
    where = "trackResponse.shipment[0].package[0].activity"
    assert (ProblemCode.UNKNOWN_CODE, f"{where}[0]") in by_code
    # A new status code on a known type keeps the type's meaning, with a note.
    typed = next(e for e in events if e.source.substatus == "998")
    assert typed.status == Status.IN_TRANSIT
    assert (ProblemCode.PARTIAL_DATA, f"{where}[1]") in by_code
    # The duplicated Denver scan appears once; local time placed by state (CO).
    denver = [e for e in events if e.location and e.location.city == "Denver"]
    assert len(denver) == 1
    assert denver[0].offset_source == "location"
    assert denver[0].utc_offset_minutes == -360
    # A malformed local time next to good GMT fields keeps the event, with a note.
    origin = next(e for e in events if e.source.code == "OR")
    assert origin.occurred_at == datetime(2026, 4, 9, 5, 0, tzinfo=UTC)
    assert (ProblemCode.PARTIAL_DATA, f"{where}[5]") in by_code
    # An activity without status is kept as unknown and reported.
    assert (ProblemCode.PARTIAL_DATA, f"{where}[6]") in by_code
    # "US" without a state is ambiguous: kept in the principal zone, assumed, reported.
    label = next(e for e in events if e.source.code == "MP")
    assert label.offset_source == "assumed"
    assert label.local_time.utcoffset() == timedelta(hours=-4)  # New York, April
    assert (ProblemCode.PARTIAL_DATA, f"{where}[7]") in by_code
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)


def test_not_found_invalid_and_empty() -> None:
    (problem,) = parse_track_response(load("not_found_warning")).problems
    assert (problem.tracking_number, problem.code) == ("1Z9999999999999999", ProblemCode.NOT_FOUND)
    (problem,) = parse_track_response(load("invalid_number_400"), ["1Z12"]).problems
    assert (problem.tracking_number, problem.code) == ("1Z12", ProblemCode.INVALID_NUMBER)
    empty = parse_track_response(load("empty_activity"))
    assert empty.events_for("1Z12345E0205271688") == ()
    assert [p.code for p in empty.problems] == [ProblemCode.NOT_FOUND]


def test_documented_no_status_codes_are_unknown_and_said_so() -> None:
    result = parse_track_response(load("no_status_codes"))
    (event,) = result.all_events()
    assert event.status == Status.UNKNOWN
    assert (event.source.status, event.source.substatus) == ("NA", "148")
    (problem,) = result.problems
    # A documented code, so not an unknown_code; the missing status is reported.
    assert problem.code == ProblemCode.PARTIAL_DATA
    assert "(NA/148)" in problem.message


def test_unreadable_payload_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="neither trackResponse"):
        parse_track_response({"something": "else"})


# -- requests


def test_request_shape() -> None:
    request = build_track_request(
        "1Z5338FF0107231059", base_url="https://wwwcie.ups.com/", trans_id="abc123"
    )
    assert request.method == "GET"
    assert str(request.url).startswith(
        "https://wwwcie.ups.com/api/track/v1/details/1Z5338FF0107231059?"
    )
    assert request.url.params["locale"] == "en_US"
    assert request.headers["transId"] == "abc123"
    assert request.headers["transactionSrc"] == "logix"


def test_adapter_sends_unique_transaction_ids() -> None:
    requests = adapter().build_requests(["1Z5338FF0107231059", "1ZA82D672031716786"])
    ids = {r.headers["transId"] for r in requests}
    assert len(ids) == 2
    assert all(len(i) <= 32 for i in ids)


# -- track() end to end, with OAuth


class UpsServer:
    """Token endpoint plus Track API; optionally revokes the first token."""

    def __init__(self, revoke_first: bool = False) -> None:
        self.revoke_first = revoke_first
        self.tokens = 0
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/security/v1/oauth/token":
            self.tokens += 1
            assert request.headers["Authorization"].startswith("Basic ")
            assert b"grant_type=client_credentials" in request.content
            token = dict(load("token"), access_token=f"token-{self.tokens}")
            return httpx.Response(200, json=token)
        self.calls.append(request.url.path)
        if self.revoke_first and request.headers["Authorization"] == "Bearer token-1":
            return httpx.Response(401, json=load("auth_error_401"))
        number = request.url.path.rsplit("/", 1)[-1]
        if number == "1Z5338FF0107231059":
            return httpx.Response(200, json=load("ground_journey"))
        if number == "1Z9999999999999999":
            return httpx.Response(200, json=load("not_found_warning"))
        return httpx.Response(400, json=load("invalid_number_400"))


def test_track_fetches_one_token_and_parses_each_answer() -> None:
    server = UpsServer()
    result = adapter(server).track(["1Z5338FF0107231059", "1Z9999999999999999", "1ZBADNUMBER"])
    assert server.tokens == 1
    assert len(server.calls) == 3
    assert len(result.events_for("1Z5338FF0107231059")) == 7
    assert [p.code for p in result.problems_for("1Z9999999999999999")] == [ProblemCode.NOT_FOUND]
    assert [p.code for p in result.problems_for("1ZBADNUMBER")] == [ProblemCode.INVALID_NUMBER]


def test_track_refreshes_a_revoked_token_once() -> None:
    server = UpsServer(revoke_first=True)
    result = adapter(server).track(["1Z5338FF0107231059"])
    assert server.tokens == 2
    assert len(result.events_for("1Z5338FF0107231059")) == 7


def test_refused_client_credentials_raise_auth_error_without_the_secret() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"response": {"errors": [{"code": "10401"}]}})

    with pytest.raises(AuthError) as info:
        adapter(handler).track(["1Z5338FF0107231059"])
    assert "s3cr3t-ups" not in str(info.value)
    assert "LOGIX_UPS_CLIENT_SECRET" in str(info.value)


def test_malformed_numbers_are_not_sent() -> None:
    server = UpsServer()
    result = adapter(server).track(["1Z$$", "1Z5338FF0107231059"])
    assert [p.code for p in result.problems_for("1Z$$")] == [ProblemCode.INVALID_NUMBER]
    assert len(server.calls) == 1


def test_atrack_matches_track() -> None:
    numbers = ["1Z5338FF0107231059", "1Z9999999999999999"]
    sync = adapter(UpsServer()).track(numbers)
    result = asyncio.run(adapter(UpsServer()).atrack(numbers))
    assert result.as_dict() == sync.as_dict()


# -- Track Alert webhooks


def _headers(credential: str = CREDENTIAL) -> dict[str, str]:
    return {"credential": credential, "User-Agent": "UPSPubSubTrackingService"}


def test_track_alert_delivery_is_parsed_with_its_offset() -> None:
    events = adapter().parse_webhook(_headers(), raw("track_alert_delivered"), secret=CREDENTIAL)
    (event,) = events
    assert event.status == Status.DELIVERED
    assert event.occurred_at == datetime(2024, 4, 23, 13, 50, 4, tzinfo=UTC)
    assert event.utc_offset_minutes == -240
    assert event.location is not None
    assert event.location.postal_code == "28209"


def test_track_alert_number_is_stripped() -> None:
    result = parse_track_alert(load("track_alert_manifest"))
    assert result.numbers == ("1ZABCXYZ0112346789",)
    (event,) = result.all_events()
    assert event.status == Status.INFO_RECEIVED


def test_track_alert_wrong_or_missing_credential_is_rejected() -> None:
    ups = adapter()
    with pytest.raises(WebhookError, match="does not match"):
        ups.parse_webhook(_headers("guess"), raw("track_alert_delivered"), secret=CREDENTIAL)
    with pytest.raises(WebhookError, match="nor a credential header"):
        ups.parse_webhook({}, raw("track_alert_delivered"), secret=CREDENTIAL)


def test_track_alert_without_a_configured_credential_is_refused() -> None:
    # A v1 delivery where no v1 credential is configured is refused...
    with pytest.raises(WebhookError, match="LOGIX_UPS_WEBHOOK_SECRET"):
        UpsAdapter(environ={}).parse_webhook(_headers(), raw("track_alert_delivered"))
    # ...and with nothing configured at all, nothing can be authenticated.
    with pytest.raises(ConfigError, match="LOGIX_UPS_WEBHOOK_CLIENT_ID"):
        UpsAdapter(environ={}).parse_webhook({}, raw("track_alert_delivered"))


def test_track_alert_credential_from_the_environment() -> None:
    ups = UpsAdapter(environ={"LOGIX_UPS_WEBHOOK_SECRET": CREDENTIAL})
    assert len(ups.parse_webhook(_headers(), raw("track_alert_delivered"))) == 1


def test_track_alert_malformed_bodies_are_webhook_errors() -> None:
    ups = adapter()
    with pytest.raises(WebhookError, match="not JSON"):
        ups.parse_webhook(_headers(), b"{not json", secret=CREDENTIAL)
    with pytest.raises(WebhookError, match="trackingNumber"):
        ups.parse_webhook(_headers(), b'{"activityStatus": {}}', secret=CREDENTIAL)


# -- the contract kit


def test_contract() -> None:
    payloads = {
        name: load(name)
        for name in (
            "docs_example",
            "ground_journey",
            "variations",
            "not_found_warning",
            "invalid_number_400",
            "empty_activity",
            "no_status_codes",
        )
    }
    check_adapter_contract(
        UpsAdapter(environ={}),
        payloads,
        mapping={
            **{k: v for k, (_, v) in STATUS_CODES.items()},
            **{k: v for k, (_, v) in ACTIVITY_TYPES.items()},
        },
        unknown_code_payload=_one_activity("Q", "999"),
        webhooks=[
            RecordedWebhook(_headers(), raw("track_alert_delivered"), CREDENTIAL, "track alert")
        ],
        events_at=EVENTS_AT["ups"],
        requests=REQUESTS["ups"],
    )
