"""Issue 14: a scan without an offset and without a readable place is never dropped.

Its wall time is read in the event's own place, else the shipment's country for
the scan's leg, else the carrier's home zone (``assumed``, with a problem); a
country with several zones gives its principal zone, and the main cities of BR,
US, CA, RU, AU, MX, ID and CN their own zones.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from logix_carriers import (
    AfterShipAdapter,
    ProblemCode,
    SeventeenTrackAdapter,
    Stage,
    Status,
    TrackedNumber,
    ZoneFallback,
    place_naive,
    read_carrier_time,
)
from logix_carriers._local_time import resolve_local_time
from logix_carriers._zone_fallback import leg_of
from logix_carriers.carriers._dhl import parse_shipments
from logix_carriers.testing import FakeClock

PAYLOADS = Path(__file__).parent / "payloads"
JANUARY = datetime(2026, 1, 15, 12, 0)


def load(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))


def hours(event_or_moment: Any) -> float:
    moment = getattr(event_or_moment, "local_time", event_or_moment)
    offset = moment.utcoffset()
    assert offset is not None
    return offset.total_seconds() / 3600


# -- DHL Parcel DE: no countryCode, localities "Deutschland"/"Germany" or missing


def test_parcel_de_events_without_country_code_are_all_kept() -> None:
    result = parse_shipments(load("dhl/parcel_de_no_country_de"), ["00340434292135100186"])
    events = result.events_for("00340434292135100186")
    # Every scan is kept (before: every one of them was a bad_event, delivery included).
    assert len(events) == 6
    assert not [p for p in result.problems if p.code == ProblemCode.BAD_EVENT]
    assert {e.utc_offset_minutes for e in events} == {60}  # Berlin, winter time
    delivered = next(e for e in events if e.status == Status.DELIVERED)
    assert delivered.occurred_at == datetime(2026, 3, 13, 8, 50, tzinfo=UTC)
    # "Deutschland" is the event's own place: read there, no guess.
    assert delivered.offset_source == "location"
    assert delivered.location is not None
    assert delivered.location.country == "DE"
    # No location at all: the shipment's country (a domestic parcel), assumed.
    unplaced = [e for e in events if e.location is None]
    assert len(unplaced) == 2
    assert {e.offset_source for e in unplaced} == {"assumed"}
    notes = [p for p in result.problems if p.code == ProblemCode.PARTIAL_DATA]
    assert len(notes) == 2
    assert all("the shipment's country DE (Europe/Berlin)" in p.message for p in notes)
    assert {p.tracking_number for p in notes} == {"00340434292135100186"}


def test_parcel_de_in_english_falls_back_to_the_home_zone() -> None:
    result = parse_shipments(load("dhl/parcel_de_no_country_en"))
    events = result.events_for("00340434292135100193")
    assert len(events) == 3
    germany = next(e for e in events if e.location and e.location.country == "DE")
    assert (germany.offset_source, germany.utc_offset_minutes) == ("location", 120)
    # No origin/destination in the answer: Parcel DE's home zone, assumed.
    assumed = [e for e in events if e.offset_source == "assumed"]
    assert len(assumed) == 2
    assert {e.utc_offset_minutes for e in assumed} == {120}
    messages = " | ".join(p.message for p in result.problems)
    assert "DHL's home zone (parcel-de) (Europe/Berlin)" in messages
    # The local delivery window's end, read in the same zone.
    assert events[0].estimated_delivery == datetime(2026, 10, 24, 14, 0, tzinfo=UTC)


def test_the_shipments_countries_from_the_caller_place_scans_by_leg() -> None:
    payload = {
        "shipments": [
            {
                "id": "JJD0099887766",
                "service": "ecommerce",
                "events": [
                    {"timestamp": "2026-01-10T09:00:00", "statusCode": "pre-transit"},
                    {"timestamp": "2026-01-20T15:00:00", "statusCode": "delivered"},
                ],
            }
        ]
    }
    number = TrackedNumber("JJD0099887766", origin_country="CN", destination_country="US")
    result = parse_shipments(payload, [number])
    first, delivered = result.events_for("JJD0099887766")
    assert (first.offset_source, hours(first)) == ("assumed", 8)  # origin: China
    assert (delivered.offset_source, hours(delivered)) == ("assumed", -5)  # New York
    assert "the destination country US (America/New_York)" in result.problems[1].message


# -- AfterShip: checkpoints without country_region


def _aftership(checkpoints: list[dict[str, Any]], **tracking: Any) -> dict[str, Any]:
    return {
        "meta": {"code": 200},
        "data": {
            "trackings": [
                {
                    "tracking_number": "LZ555666777CN",
                    "slug": "usps",
                    **tracking,
                    "checkpoints": checkpoints,
                }
            ]
        },
    }


def test_aftership_checkpoints_without_a_country_are_placed_by_leg_then_carrier() -> None:
    payload = _aftership(
        [
            {
                "checkpoint_time": "2026-02-01T10:00:00",
                "tag": "InfoReceived",
                "subtag": "InfoReceived_001",
                "message": "Label created",
                "slug": "china-post",
            },
            {
                "checkpoint_time": "2026-02-05T03:00:00",
                "tag": "InTransit",
                "subtag": "InTransit_007",
                "message": "Departed",
                "slug": "china-post",
            },
            {
                "checkpoint_time": "2026-02-12T09:30:00",
                "tag": "OutForDelivery",
                "subtag": "OutForDelivery_001",
                "message": "Out for delivery",
            },
        ],
        origin_country_region="CHN",
        destination_country_region="USA",
    )
    result = AfterShipAdapter(environ={}).parse_payload(payload)
    label, departed, out = result.events_for("LZ555666777CN")
    assert all(e.offset_source == "assumed" for e in (label, departed, out))
    assert hours(label) == 8  # origin China, for a pre-transit scan
    assert hours(out) == -5  # destination US, principal zone New York
    assert hours(departed) == 8  # line haul: no leg; China Post's home zone
    assert not [p for p in result.problems if p.code == ProblemCode.BAD_EVENT]
    assert len([p for p in result.problems if p.code == ProblemCode.PARTIAL_DATA]) == 3


def test_aftership_without_any_country_uses_the_scanning_carriers_home() -> None:
    payload = _aftership(
        [
            {
                "checkpoint_time": "2026-07-01T08:00:00",
                "tag": "InTransit",
                "subtag": "InTransit_001",
                "message": "Arrived",
            }
        ]
    )
    (event,) = AfterShipAdapter(environ={}).parse_payload(payload).all_events()
    assert (event.offset_source, hours(event)) == ("assumed", -4)  # usps: New York in July


# -- principal zones and main cities


@pytest.mark.parametrize(
    ("country", "zone", "offset"),
    [
        ("BR", "America/Sao_Paulo", -3),  # tzdata's first zone is Noronha (UTC-2)
        ("RU", "Europe/Moscow", 3),  # not Kaliningrad (UTC+2)
        ("AU", "Australia/Sydney", 11),  # not Lord Howe (UTC+11, +10:30 in winter)
        ("CA", "America/Toronto", -5),  # not St. John's (UTC-3:30)
        ("US", "America/New_York", -5),
        ("MX", "America/Mexico_City", -6),
        ("ID", "Asia/Jakarta", 7),
        ("CN", "Asia/Shanghai", 8),
    ],
)
def test_a_country_alone_gives_its_principal_zone(country: str, zone: str, offset: float) -> None:
    local = resolve_local_time(JANUARY, country=country)
    assert local is not None
    assert (local.zone, hours(local.moment)) == (zone, offset)
    reading = read_carrier_time(JANUARY.isoformat(), country=country)
    if country == "CN":
        assert (reading.offset_source, reading.note) == ("location", "")  # one legal time
    else:
        assert reading.offset_source == "assumed"
        assert f"principal zone {zone}" in reading.note


@pytest.mark.parametrize(
    ("country", "city", "offset"),
    [
        ("BR", "Manaus", -4),
        ("BR", "São Paulo", -3),
        ("BR", "Cuiabá", -4),
        ("BR", "Recife", -3),
        ("BR", "Rio Branco", -5),
        ("US", "Phoenix", -7),
        ("US", "El Paso", -7),
        ("US", "Jamaica", -5),  # the New York international service centre
        ("CA", "Calgary", -7),
        ("CA", "Halifax", -4),
        ("CA", "St. John's", -3.5),
        ("RU", "Novosibirsk", 7),
        ("RU", "Vladivostok", 10),
        ("RU", "Москва", 3),
        ("AU", "Perth", 8),
        ("AU", "Adelaide", 10.5),
        ("AU", "Brisbane", 10),
        ("MX", "Tijuana", -8),
        ("MX", "Cancún", -5),
        ("MX", "Monterrey", -6),
        ("ID", "Makassar", 8),
        ("ID", "Jayapura", 9),
        ("CN", "Urumqi", 8),
    ],
)
def test_main_cities_resolve_to_their_own_zones(country: str, city: str, offset: float) -> None:
    reading = place_naive(JANUARY, country=country, city=city)
    assert reading.offset_source == "location"
    assert reading.note == ""
    assert hours(reading.moment) == offset


def test_a_state_of_one_zone_outranks_a_city_of_the_same_name() -> None:
    maine = place_naive(JANUARY, country="US", city="Portland", region="ME")
    oregon = place_naive(JANUARY, country="US", city="Portland", region="OR")
    assert (hours(maine.moment), hours(oregon.moment)) == (-5, -8)


# -- the fallback itself


@pytest.mark.parametrize(
    ("stage", "status", "leg"),
    [
        (Stage.LAST_MILE, Status.OUT_FOR_DELIVERY, "destination"),
        (Stage.TERMINAL, Status.DELIVERED, "destination"),
        (Stage.CUSTOMS, Status.CUSTOMS, "destination"),
        (Stage.PRE_TRANSIT, Status.INFO_RECEIVED, "origin"),
        (Stage.FIRST_MILE, Status.PICKED_UP, "origin"),
        (Stage.TERMINAL, Status.RETURNED, "origin"),
        (Stage.LINE_HAUL, Status.IN_TRANSIT, None),
        (Stage.RETURN, Status.RETURNING, None),
        (None, None, None),
    ],
)
def test_the_leg_of_a_scan(stage: Stage | None, status: Status | None, leg: str | None) -> None:
    assert leg_of(stage, status) == leg


def test_fallback_order_and_notes() -> None:
    naive = datetime(2026, 6, 1, 12, 0)
    both = ZoneFallback("CN", "BR", "Europe/Berlin")
    moment, note = both.place(naive, stage=Stage.LAST_MILE) or (None, "")
    assert moment is not None
    assert hours(moment) == -3
    assert "destination country BR (America/Sao_Paulo)" in note
    moment, note = both.place(naive, stage=Stage.LINE_HAUL) or (None, "")
    assert moment is not None
    assert hours(moment) == 2
    assert "the carrier's home zone (Europe/Berlin)" in note
    domestic = ZoneFallback("DEU", "Germany")  # spellings are normalized
    moment, _ = domestic.place(naive, stage=Stage.LINE_HAUL) or (None, "")
    assert moment is not None
    assert hours(moment) == 2
    assert ZoneFallback().place(naive) is None
    with pytest.raises(ValueError, match="home_zone 'Mars/Olympus' is not an IANA zone"):
        ZoneFallback(home_zone="Mars/Olympus")
    with pytest.raises(ValueError, match="no country to place it"):
        place_naive(naive, country=None, fallback=ZoneFallback())
    reading = place_naive(naive, country="ZZ", fallback=ZoneFallback(home_zone="Asia/Tokyo"))
    assert reading.offset_source == "assumed"
    assert "names an unknown country 'ZZ'" in reading.note


# -- the CN->BR lane, end to end


def test_the_cn_br_lane_end_to_end() -> None:
    sent: list[Any] = []

    def api(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        if request.url.path.endswith("/register"):
            return httpx.Response(200, json={"code": 0, "data": {"accepted": [], "rejected": []}})
        return httpx.Response(200, json=load("seventeen_track/gettrackinfo_cn_br"))

    clock = FakeClock()
    adapter = SeventeenTrackAdapter(
        api_key="17track-key-123456",
        transport=httpx.MockTransport(api),
        clock=clock,
        sleep=clock.sleep,
        environ={},
    )
    result = adapter.track([TrackedNumber("LB123456785CN", carrier_code="3011")])
    assert sent[0] == [{"number": "LB123456785CN", "carrier": 3011}]  # China Post's key
    events = result.events_for("LB123456785CN")
    assert len(events) == 8  # every scan of both carriers, none dropped
    by_text = {e.description: e for e in events}
    offsets = {text: (e.offset_source, hours(e)) for text, e in by_text.items()}
    assert offsets == {
        "Electronic information received": ("assumed", 8),  # no place: origin China
        "Posting/Collection": ("location", 8),
        "Departed from the airport of origin": ("carrier", 8),
        "Encaminhado para fiscalização aduaneira": ("assumed", -3),  # customs: Brazil
        "Fiscalização aduaneira finalizada": ("location", -3),  # Curitiba
        "Objeto em trânsito - por favor aguarde": ("assumed", -3),  # "BR": São Paulo
        "Objeto saiu para entrega ao destinatário": ("location", -4),  # Manaus
        "Objeto entregue ao destinatário": ("location", -4),
    }
    # Read in Noronha (UTC-2), the "BR" scan would come before the customs release
    # that precedes it by half an hour.
    released = by_text["Fiscalização aduaneira finalizada"]
    moving = by_text["Objeto em trânsito - por favor aguarde"]
    assert moving.occurred_at - released.occurred_at == timedelta(minutes=30)
    assert list(events) == sorted(events, key=lambda e: e.occurred_at)
    assert events[-1].status == Status.DELIVERED
    assert events[-1].occurred_at == datetime(2026, 4, 20, 18, 12, tzinfo=UTC)
    assert events[-1].estimated_delivery == datetime(2026, 4, 25, 3, 0, tzinfo=UTC)
    guesses = [p for p in result.problems if p.code == ProblemCode.PARTIAL_DATA]
    assert len(guesses) == 3
    assert not [p for p in result.problems if p.code == ProblemCode.BAD_EVENT]
