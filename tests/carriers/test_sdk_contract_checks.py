"""The contract kit's new rules (issue 14): requests, error mapping, no silent drops.

Each rule passes every built-in adapter and catches the broken adapters below; the
example plugin runs them in ``test_sdk_example_plugin``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from contract_specs import EVENTS_AT, REQUESTS, load
from sdk_support import OAuthToyAdapter, ToyAdapter, toy_payload

from logix_carriers import (
    DhlAdapter,
    FileAdapter,
    Status,
    TrackResult,
    available_adapters,
    get_adapter,
)
from logix_carriers.testing import (
    NOT_HTTP,
    ContractViolation,
    RequestSpec,
    check_adapter_contract,
    check_error_mapping,
    check_no_silent_drops,
    check_requests,
)

PAYLOADS = Path(__file__).parent / "payloads"
#: The answers each built-in's events are read from (error bodies have none).
TRACKING_PAYLOADS: dict[str, tuple[str, ...]] = {
    "dhl": (
        "dhl/docs_example_express",
        "dhl/docs_example_unified",
        "dhl/parcel_de_journey",
        "dhl/parcel_de_no_country_de",
        "dhl/parcel_de_no_country_en",
        "dhl/multi_zone_locations",
        "dhl/unknown_and_bad_events",
    ),
    "ups": ("ups/docs_example", "ups/ground_journey", "ups/variations", "ups/no_status_codes"),
    "17track": (
        "seventeen_track/gettrackinfo_docs_example",
        "seventeen_track/gettrackinfo_journey",
        "seventeen_track/gettrackinfo_variations",
        "seventeen_track/gettrackinfo_cn_br",
    ),
    "aftership": ("aftership/trackings_docs_example", "aftership/trackings_variations"),
    "usps": ("usps/tracking_domestic", "usps/tracking_china_inbound", "usps/tracking_variations"),
}


def test_every_built_in_adapter_is_covered() -> None:
    built_in = {code for code, info in available_adapters().items() if info.builtin}
    assert built_in == {*REQUESTS, "file"}


@pytest.mark.parametrize("code", sorted(REQUESTS))
def test_built_in_requests_follow_the_carriers_documentation(code: str) -> None:
    assert check_requests(REQUESTS[code]) == []


@pytest.mark.parametrize("code", sorted(REQUESTS))
def test_built_in_errors_map_as_documented(code: str) -> None:
    assert check_error_mapping(REQUESTS[code]) == []


@pytest.mark.parametrize("code", sorted(TRACKING_PAYLOADS))
def test_built_ins_drop_no_raw_event(code: str) -> None:
    adapter = get_adapter(code, environ={})
    payloads = {name: load(name) for name in TRACKING_PAYLOADS[code]}
    assert check_no_silent_drops(adapter, payloads, events_at=EVENTS_AT[code]) == []


def test_the_file_adapter_drops_no_raw_event_either() -> None:
    line = {"carrier": "dhl", "payload": load("dhl/parcel_de_no_country_de")}
    failures = check_no_silent_drops(
        FileAdapter(environ={}), {"raw_line": line}, events_at="payload.shipments[*].events[*]"
    )
    assert failures == []
    assert check_requests(NOT_HTTP) == check_error_mapping(NOT_HTTP) == []


# -- silent drops


class LabelSkippingDhl(DhlAdapter):
    """Drops "label created" (pre-transit) scans without a word: the bug the rule is for."""

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        result = super().parse_payload(payload, numbers)
        kept = [e for e in result.all_events() if e.status != Status.INFO_RECEIVED]
        return TrackResult.build(self.code, kept, result.problems)


def test_an_adapter_that_drops_label_created_scans_fails_the_kit() -> None:
    payloads = {"journey": load("dhl/parcel_de_journey")}
    failures = check_no_silent_drops(
        LabelSkippingDhl(environ={}), payloads, events_at=EVENTS_AT["dhl"]
    )
    assert failures == [
        "journey: raw event shipments[0].events[4] became neither an event nor a problem "
        "(silently dropped)"
    ]
    with pytest.raises(ContractViolation) as caught:
        check_adapter_contract(
            LabelSkippingDhl(environ={}),
            payloads,
            events_at=EVENTS_AT["dhl"],
            requests=REQUESTS["dhl"],
        )
    assert failures[0] in caught.value.failures


def test_a_wrong_events_path_and_missing_arguments_are_reported() -> None:
    failures = check_no_silent_drops(
        ToyAdapter(environ={}), {"p": toy_payload("A1")}, events_at="parcel[*].event[*]"
    )
    assert failures == ["events_at ['parcel[*].event[*]'] matches no raw event in any payload"]
    with pytest.raises(ContractViolation) as caught:
        check_adapter_contract(ToyAdapter(environ={}), {"p": toy_payload("A1")})
    assert any(f.startswith("no events_at given") for f in caught.value.failures)
    assert any(f.startswith("no requests=RequestSpec(...) given") for f in caught.value.failures)
    with pytest.raises(ValueError, match="is not 'key' or 'key\\[\\*\\]'"):
        check_no_silent_drops(ToyAdapter(environ={}), {"p": {}}, events_at="a[1]")


# -- requests


def toy_answer(request: httpx.Request) -> httpx.Response:
    numbers = request.url.params.get("numbers", "").split(",")
    return httpx.Response(200, json=toy_payload(*[n for n in numbers if n]))


def toy_spec(cls: type[ToyAdapter] = ToyAdapter, **changes: Any) -> RequestSpec:
    options: dict[str, Any] = {
        "make_adapter": lambda **io: cls(api_key="toy-kit-key-123456", environ={}, **io),
        "numbers": ["TOY000001", "TOY000002", "TOY000003"],
        "method": "GET",
        "url": "https://toy.example/track?",
        "answer": toy_answer,
    }
    options.update(changes)
    return RequestSpec(**options)


def test_a_correct_adapter_passes_the_request_rules() -> None:
    assert check_requests(toy_spec()) == []
    assert check_error_mapping(toy_spec()) == []


class PostingToy(ToyAdapter):
    def build_requests(self, numbers: Sequence[str]) -> list[httpx.Request]:
        (request,) = super().build_requests(numbers)
        return [httpx.Request("POST", request.url, headers=request.headers)]


class KeylessToy(ToyAdapter):
    def build_requests(self, numbers: Sequence[str]) -> list[httpx.Request]:
        url = f"{self.settings.base_url}/track"
        return [httpx.Request("GET", url, params={"numbers": ",".join(numbers)})]


class FirstOnlyToy(ToyAdapter):
    """Forgets every number of a chunk but the first."""

    def build_requests(self, numbers: Sequence[str]) -> list[httpx.Request]:
        return super().build_requests(numbers[:1])


class StickyToy(ToyAdapter):
    """Keeps the numbers of earlier chunks and sends them again: requests grow."""

    def build_requests(self, numbers: Sequence[str]) -> list[httpx.Request]:
        seen = self.__dict__.setdefault("seen", [])
        seen.extend(numbers)
        return super().build_requests(list(seen))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (toy_spec(PostingToy), "requests: POST https://toy.example/track should be GET"),
        (
            toy_spec(KeylessToy),
            "requests: GET https://toy.example/track carries none of the configured credentials",
        ),
        (toy_spec(FirstOnlyToy), "requests: no request carries TOY000002"),
        (
            toy_spec(StickyToy),
            "requests: GET https://toy.example/track carries 3 numbers, batch_size is 2",
        ),
        (
            toy_spec(url="https://toy.example/v2/track?"),
            "requests: GET https://toy.example/track does not start with https://toy.example/v2/track?",
        ),
        (
            toy_spec(numbers=["TOY000001", "TOY000002"]),
            "requests: give at least batch_size + 1 = 3 distinct numbers",
        ),
    ],
    ids=["method", "auth", "dropped-number", "batch-size", "url", "too-few-numbers"],
)
def test_broken_requests_are_caught(spec: RequestSpec, expected: str) -> None:
    assert expected in check_requests(spec)


def test_plain_http_is_caught() -> None:
    spec = toy_spec(
        make_adapter=lambda **io: ToyAdapter(
            api_key="toy-kit-key-123456", base_url="http://toy.example", environ={}, **io
        ),
        url="http://toy.example/track?",
    )
    assert set(check_requests(spec)) == {"requests: GET http://toy.example/track is not HTTPS"}


def oauth_spec(cls: type[OAuthToyAdapter] = OAuthToyAdapter, **changes: Any) -> RequestSpec:
    options: dict[str, Any] = {
        "make_adapter": lambda **io: cls(
            client_id="toy-client", client_secret="toy-secret-123456", environ={}, **io
        ),
        "numbers": ["TOY000001", "TOY000002"],
        "method": "GET",
        "url": "https://toy.example/track/",
        "answer": lambda request: httpx.Response(
            200, json=toy_payload(request.url.path.rsplit("/", 1)[-1])
        ),
    }
    options.update(changes)
    return RequestSpec(**options)


def test_oauth_token_requests_are_checked_against_the_documented_style() -> None:
    assert check_requests(oauth_spec(token_auth="basic")) == []
    assert check_requests(oauth_spec(token_auth="body")) == [
        "requests: the token request must send client_id and client_secret in the form body"
    ]


class TokenlessToy(OAuthToyAdapter):
    """Declares OAuth but never fetches a token."""

    def oauth(self) -> Any:
        return None


def test_an_oauth_adapter_without_a_bearer_token_is_caught() -> None:
    failures = check_requests(oauth_spec(TokenlessToy))
    assert (
        "requests: GET https://toy.example/track/TOY000001 does not carry the OAuth bearer token"
        in failures
    )
    assert "requests: auth is oauth2 but no token was requested from oauth().token_url" in failures


# -- error mapping


class SwallowingToy(ToyAdapter):
    """Takes 401 and 503 answers as if they were empty results."""

    accept_statuses = frozenset({401, 503})

    def parse_response(self, numbers: Sequence[str], response: httpx.Response) -> TrackResult:
        if response.status_code in self.accept_statuses:
            return TrackResult.build(self.code)
        return super().parse_response(numbers, response)


class LenientToy(ToyAdapter):
    """Reads a body that is not JSON as "no news"."""

    def parse_response(self, numbers: Sequence[str], response: httpx.Response) -> TrackResult:
        try:
            json.loads(response.content)
        except ValueError:
            return TrackResult.build(self.code)
        return super().parse_response(numbers, response)


def test_broken_error_mapping_is_caught() -> None:
    failures = check_error_mapping(toy_spec(SwallowingToy))
    assert "errors: 401: track() returned instead of raising AuthError" in failures
    assert (
        "errors: 503: expected a 'carrier_error' problem for every number, got not_found"
        in failures
    )
    assert check_error_mapping(toy_spec(LenientToy)) == [
        "errors: malformed body: expected a 'bad_payload' problem for every number, got not_found"
    ]
