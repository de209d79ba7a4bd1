"""The carrier's estimated delivery is kept on the events (issue 14).

``TrackingEvent.estimated_delivery`` is optional, aware and stored in UTC, bounded
like ``occurred_at``; DHL, UPS (Track API and Track Alert), AfterShip, 17TRACK and
USPS fill it wherever their answer gives one.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from logix_carriers import (
    AfterShipAdapter,
    DhlAdapter,
    ProblemCode,
    SeventeenTrackAdapter,
    TrackingEvent,
    UpsAdapter,
    ZoneFallback,
    read_estimate,
)

PAYLOADS = Path(__file__).parent / "payloads"
BASE: dict[str, Any] = {
    "tracking_number": "1Z999",
    "carrier": "ups",
    "occurred_at": "2026-03-01T10:00:00+00:00",
    "status": "in_transit",
}


def load(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))


# -- the model


def test_the_field_is_optional_aware_and_utc() -> None:
    assert TrackingEvent.parse(BASE).estimated_delivery is None
    event = TrackingEvent.parse({**BASE, "estimated_delivery": "2026-03-04T18:00:00-05:00"})
    assert event.estimated_delivery == datetime(2026, 3, 4, 23, 0, tzinfo=UTC)
    assert event.estimated_delivery.tzinfo is UTC
    again = TrackingEvent.model_validate_json(event.model_dump_json())
    assert again == event
    # The estimate does not make a scan another scan.
    assert event.event_id == TrackingEvent.parse(BASE).event_id


def test_naive_and_out_of_range_estimates_are_refused_like_occurred_at() -> None:
    with pytest.raises(ValidationError, match=r"estimated_delivery.*has no UTC offset"):
        TrackingEvent.parse({**BASE, "estimated_delivery": "2026-03-04T18:00:00"})
    placed = TrackingEvent.parse(
        {**BASE, "estimated_delivery": "2026-03-04T18:00:00"}, assume_tz="Asia/Shanghai"
    )
    assert placed.estimated_delivery == datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    with pytest.raises(ValidationError, match="outside the supported range"):
        TrackingEvent.parse({**BASE, "estimated_delivery": "9999-12-31T00:00:00+00:00"})


def test_read_estimate() -> None:
    fallback = ZoneFallback(destination_country="BR")
    assert read_estimate("2026-04-25T03:00:00Z") == datetime(2026, 4, 25, 3, 0, tzinfo=UTC)
    # A date is "by the end of that day" at the destination.
    assert read_estimate("2026-04-25", fallback=fallback) == datetime(
        2026, 4, 26, 2, 59, 59, tzinfo=UTC
    )
    assert read_estimate(date(2026, 4, 25), country="US", region="CA") == datetime(
        2026, 4, 26, 6, 59, 59, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="destination is unknown"):
        read_estimate("2026-04-25")
    with pytest.raises(ValueError, match="not an ISO-8601 date or time"):
        read_estimate("next week", fallback=fallback)


# -- each carrier


def test_dhl_estimated_time_of_delivery() -> None:
    payload = load("dhl/parcel_de_journey")
    payload["shipments"][0]["estimatedTimeOfDelivery"] = "2026-03-03T14:00:00"
    result = DhlAdapter(environ={}).parse_payload(payload)
    events = result.events_for("00340434161094042557")
    assert {e.estimated_delivery for e in events} == {datetime(2026, 3, 3, 13, 0, tzinfo=UTC)}
    payload["shipments"][0]["estimatedTimeOfDelivery"] = "soon"
    result = DhlAdapter(environ={}).parse_payload(payload)
    (problem,) = result.problems
    assert problem.code == ProblemCode.PARTIAL_DATA
    assert "estimated delivery is unreadable" in problem.message
    assert all(e.estimated_delivery is None for e in result.all_events())


def test_ups_scheduled_and_rescheduled_delivery_dates() -> None:
    payload = load("ups/ground_journey")
    package = payload["trackResponse"]["shipment"][0]["package"][0]
    package["packageAddress"] = [
        {"type": "ORIGIN", "address": {"countryCode": "US"}},
        {"type": "DESTINATION", "address": {"countryCode": "US", "stateProvince": "GA"}},
    ]
    package["deliveryDate"] = [{"type": "SDD", "date": "20260305"}]
    events = UpsAdapter(environ={}).parse_payload(payload).all_events()
    # A date alone: the end of that day in the destination country's zone.
    assert {e.estimated_delivery for e in events} == {datetime(2026, 3, 6, 4, 59, 59, tzinfo=UTC)}
    package["deliveryDate"].append({"type": "RDD", "date": "20260306"})
    package["deliveryTime"] = {"type": "CMT", "endTime": "103000"}
    events = UpsAdapter(environ={}).parse_payload(payload).all_events()
    assert {e.estimated_delivery for e in events} == {datetime(2026, 3, 6, 15, 30, tzinfo=UTC)}


def test_ups_track_alert_scheduled_delivery_date() -> None:
    # UPSTrackAlert.yaml's "Out for delivery message" example.
    message = {
        "trackingNumber": "1Z204W4R0308071865",
        "localActivityDate": "20240423",
        "localActivityTime": "091519",
        "activityLocation": {
            "city": "Charlotte",
            "stateProvince": "NC",
            "postalCode": "30004",
            "country": "US",
        },
        "activityStatus": {
            "type": "I",
            "code": "OT",
            "description": "Out for Delivery",
            "descriptionCode": "021",
        },
        "scheduledDeliveryDate": "20240423",
        "gmtActivityDate": "20240423",
        "gmtActivityTime": "131519",
        "deliveryTimeDescription": "end of day",
    }
    ups = UpsAdapter(environ={}, webhook_secret="c")
    (event,) = ups.parse_webhook({"credential": "c"}, json.dumps(message).encode())
    assert event.estimated_delivery == datetime(2024, 4, 24, 3, 59, 59, tzinfo=UTC)
    assert event.attributes["ups_scheduled_delivery_date"] == "20240423"
    manifest = (PAYLOADS / "ups" / "track_alert_manifest.json").read_bytes()
    (event,) = ups.parse_webhook({"credential": "c"}, manifest)
    assert event.estimated_delivery is None  # scheduledDeliveryDate is empty


def test_aftership_estimates_newest_field_first() -> None:
    payload = load("aftership/trackings_docs_example")
    tracking = payload["data"]["trackings"][0]
    tracking["expected_delivery"] = "2026-03-05"
    result = AfterShipAdapter(environ={}).parse_payload(payload)
    # Destination USA: the end of that day in New York.
    expected = datetime(2026, 3, 6, 4, 59, 59, tzinfo=UTC)
    assert {e.estimated_delivery for e in result.all_events()} == {expected}
    tracking["latest_estimated_delivery"] = {
        "type": "specific",
        "source": "Carrier EDD",
        "datetime": "2026-03-04T12:00:00-06:00",
    }
    result = AfterShipAdapter(environ={}).parse_payload(payload)
    assert {e.estimated_delivery for e in result.all_events()} == {
        datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
    }


def test_17track_time_metrics_estimate() -> None:
    result = SeventeenTrackAdapter(environ={}).parse_payload(
        load("seventeen_track/gettrackinfo_cn_br")
    )
    assert {e.estimated_delivery for e in result.all_events()} == {
        datetime(2026, 4, 25, 3, 0, tzinfo=UTC)
    }
    docs = SeventeenTrackAdapter(environ={}).parse_payload(
        load("seventeen_track/gettrackinfo_docs_example")
    )
    assert {e.estimated_delivery for e in docs.all_events()} == {None}  # from/to are null
