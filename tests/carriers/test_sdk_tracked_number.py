"""What the shipment knows reaches the carrier: ``TrackedNumber`` (issue 14, requests)."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import httpx
import pytest

from logix_carriers import (
    DhlAdapter,
    SeventeenTrackAdapter,
    Shipment,
    TrackedNumber,
    facts_of,
    find_facts,
)
from logix_carriers.carriers._seventeen_track import build_register_request
from logix_carriers.testing import FakeClock


def test_a_tracked_number_is_the_number() -> None:
    number = TrackedNumber(" LB123456785CN", carrier_code=3011, destination_country="Brazil")
    assert number == " LB123456785CN"
    assert isinstance(number, str)
    assert number.carrier_code == "3011"
    assert number.destination_country == "BR"  # spelled any way a carrier spells it
    assert repr(number) == repr(" LB123456785CN")  # messages quote it as a plain number
    assert number.describe() == (
        "TrackedNumber(' LB123456785CN', carrier_code='3011', destination_country='BR')"
    )
    assert {number: 1}["LB123456785CN".rjust(14)] == 1
    for clone in (copy.deepcopy(number), pickle.loads(pickle.dumps(number))):
        assert isinstance(clone, TrackedNumber)
        assert clone.facts() == number.facts()
    with pytest.raises(ValueError, match="origin_country 'Atlantis' is not a country"):
        TrackedNumber("X", origin_country="Atlantis")
    assert facts_of("plain").facts() == {}


def test_from_a_shipment() -> None:
    shipment = Shipment(
        tracking_number="00340434292135100186",
        carrier="dhl",
        origin_country="CN",
        destination_country="DE",
        service_level="parcel-de",
    )
    number = TrackedNumber.from_shipment(shipment, recipient_postal_code="53113")
    assert number.facts() == {
        "service": "parcel-de",
        "origin_country": "CN",
        "destination_country": "DE",
        "recipient_postal_code": "53113",
    }
    assert find_facts(["a", number], "00340434292135100186") is number
    assert find_facts(["00340434292135100186"], "00340434292135100186") is None


def _seventeen(sent: list[Any]) -> SeventeenTrackAdapter:
    def api(request: httpx.Request) -> httpx.Response:
        sent.append((request.url.path.rsplit("/", 1)[-1], json.loads(request.content)))
        return httpx.Response(200, json={"code": 0, "data": {"accepted": [], "rejected": []}})

    clock = FakeClock()
    return SeventeenTrackAdapter(
        api_key="17track-key-123456",
        transport=httpx.MockTransport(api),
        clock=clock,
        sleep=clock.sleep,
        environ={},
    )


def test_17track_registration_passes_the_carrier_code_when_known() -> None:
    sent: list[Any] = []
    # The spaces are normalized away; the carrier code stays with the number.
    _seventeen(sent).track(
        [TrackedNumber("LB 1234 5678 5CN", carrier_code="3011"), "RR123456789CN"]
    )
    (register, body), (info, again) = sent
    assert (register, info) == ("register", "gettrackinfo")
    assert body == [{"number": "LB123456785CN", "carrier": 3011}, {"number": "RR123456789CN"}]
    assert again == body


def test_17track_without_a_code_leaves_detection_to_17track() -> None:
    request = build_register_request(["RR123456789CN"], api_key="k")
    assert json.loads(request.content) == [{"number": "RR123456789CN"}]
    odd = build_register_request(
        [TrackedNumber("RR123456789CN", carrier_code="cainiao")], api_key="k"
    )
    assert json.loads(odd.content) == [{"number": "RR123456789CN", "carrier": "cainiao"}]


def test_a_hinted_number_wins_over_the_same_number_plain() -> None:
    sent: list[Any] = []
    _seventeen(sent).track(["RR123456789CN", TrackedNumber("RR123456789CN", carrier_code="3011")])
    assert sent[0][1] == [{"number": "RR123456789CN", "carrier": 3011}]


def _dhl(seen: list[httpx.Request], **settings: Any) -> DhlAdapter:
    def api(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={"status": 404, "title": "No result found"})

    clock = FakeClock()
    return DhlAdapter(
        api_key="dhl-key-123456",
        transport=httpx.MockTransport(api),
        clock=clock,
        sleep=clock.sleep,
        environ={},
        **settings,
    )


def test_dhl_sends_service_and_recipient_postal_code() -> None:
    seen: list[httpx.Request] = []
    number = TrackedNumber(
        "00340434292135100186",
        service="parcel-de",
        recipient_postal_code="53113",
        origin_country="DE",
    )
    _dhl(seen, service="express").track([number, "JJD000390007826614"])
    hinted, plain = (request.url.params for request in seen)
    assert hinted["service"] == "parcel-de"  # the number's own service wins
    assert hinted["recipientPostalCode"] == "53113"
    assert hinted["originCountryCode"] == "DE"
    assert plain["service"] == "express"  # the setting, for numbers without one
    assert "recipientPostalCode" not in plain
