"""The normalized model: TrackingEvent and Shipment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from logix_carriers import (
    EventSource,
    Location,
    Reason,
    Shipment,
    Stage,
    Status,
    TrackingEvent,
    default_stage,
)

BASE = {
    "tracking_number": "1Z999AA10123456784",
    "carrier": "UPS",
    "occurred_at": "2026-03-01T10:00:00+08:00",
    "status": "in_transit",
}


def test_times_are_stored_in_utc_with_the_original_offset() -> None:
    event = TrackingEvent.parse(BASE)
    assert event.occurred_at == datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    assert event.occurred_at.tzinfo is UTC
    assert event.utc_offset_minutes == 480
    assert event.offset_source == "carrier"
    assert event.local_time.utcoffset() == timedelta(hours=8)
    assert event.local_time.hour == 10


def test_naive_time_is_rejected_with_a_located_hint() -> None:
    with pytest.raises(ValidationError) as info:
        TrackingEvent.parse({**BASE, "occurred_at": "2026-03-01T10:00:00"})
    (error,) = info.value.errors()
    assert error["loc"] == ("occurred_at",)
    assert "assume_tz" in error["msg"]


def test_naive_time_with_an_assumed_zone() -> None:
    event = TrackingEvent.parse(
        {**BASE, "occurred_at": "2026-07-01T10:00:00"}, assume_tz="Europe/Berlin"
    )
    assert event.offset_source == "assumed"
    assert event.utc_offset_minutes == 120  # summer time
    assert event.occurred_at == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


def test_bad_assumed_zone_is_an_error() -> None:
    with pytest.raises(ValidationError, match="not an IANA time zone"):
        TrackingEvent.parse(
            {**BASE, "occurred_at": "2026-07-01T10:00:00"}, assume_tz="Mars/Olympus"
        )


def test_stage_is_derived_from_status_and_reason() -> None:
    assert TrackingEvent.parse(BASE).stage is Stage.LINE_HAUL
    held = TrackingEvent.parse({**BASE, "status": "exception", "reason": "customs_hold"})
    assert held.stage is Stage.CUSTOMS
    explicit = TrackingEvent.parse({**BASE, "stage": "last_mile"})
    assert explicit.stage is Stage.LAST_MILE
    assert default_stage(Status.UNKNOWN) is Stage.LINE_HAUL
    assert default_stage(Status.DELIVERED) is Stage.TERMINAL


def test_invalid_status_reports_only_the_status() -> None:
    with pytest.raises(ValidationError) as info:
        TrackingEvent.parse({**BASE, "status": "delivred"})
    assert [e["loc"] for e in info.value.errors()] == [("status",)]


def test_event_id_is_stable_and_ignores_free_text() -> None:
    one = TrackingEvent.parse({**BASE, "description": "Departed facility"})
    two = TrackingEvent.parse({**BASE, "description": "DEPARTED FROM FACILITY", "carrier": "ups"})
    assert one.event_id == two.event_id
    moved = TrackingEvent.parse({**BASE, "occurred_at": "2026-03-01T10:00:01+08:00"})
    assert moved.event_id != one.event_id
    same_instant = TrackingEvent.parse({**BASE, "occurred_at": "2026-03-01T02:00:00Z"})
    assert same_instant.event_id == one.event_id
    given = TrackingEvent.parse({**BASE, "event_id": "carrier-42"})
    assert given.event_id == "carrier-42"


def test_reports_are_marked() -> None:
    report = TrackingEvent.parse(
        {**BASE, "status": "exception", "reason": "not_received", "source": {"system": "Customer"}}
    )
    assert report.is_report
    assert report.source == EventSource(system="customer")
    assert not TrackingEvent.parse(BASE).is_report


def test_location_country_is_validated() -> None:
    event = TrackingEvent.parse({**BASE, "location": {"country": "de", "city": "Leipzig"}})
    assert event.location == Location(country="DE", city="Leipzig")
    assert event.location.label() == "Leipzig, DE"
    with pytest.raises(ValidationError, match="ISO-3166"):
        TrackingEvent.parse({**BASE, "location": {"country": "Germany"}})


def test_events_are_frozen_and_reject_unknown_fields() -> None:
    event = TrackingEvent.parse(BASE)
    with pytest.raises(ValidationError):
        event.status = Status.DELIVERED  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs"):
        TrackingEvent.parse({**BASE, "colour": "brown"})


def test_event_round_trips_through_json() -> None:
    event = TrackingEvent.parse({**BASE, "reason": None, "attributes": {"damage_ratio": 0.2}})
    assert TrackingEvent.model_validate_json(event.model_dump_json()) == event


def test_shipment_derives_lane_and_scope() -> None:
    shipment = Shipment.parse(
        {
            "tracking_number": "X1",
            "carrier": "DHL",
            "origin_country": "cn",
            "destination_country": "US",
            "freight_cost": "12.50",
            "currency": "usd",
            "promised_at": datetime(2026, 3, 9, 8, tzinfo=timezone(timedelta(hours=-5))),
        }
    )
    assert shipment.lane == "CN-US"
    assert shipment.cross_border is True
    assert shipment.carrier == "dhl"
    assert shipment.currency == "USD"
    assert shipment.freight_cost == Decimal("12.50")
    assert shipment.promised_at == datetime(2026, 3, 9, 13, tzinfo=UTC)
    assert Shipment.parse(shipment.model_dump()) == shipment
    domestic = Shipment.parse({"tracking_number": "X2", "carrier": "dhl", "origin_country": "DE"})
    assert domestic.cross_border is False
    assert domestic.lane is None


def test_shipment_rejects_negative_money_and_naive_times() -> None:
    with pytest.raises(ValidationError):
        Shipment.parse({"tracking_number": "X", "carrier": "dhl", "freight_cost": "-1"})
    with pytest.raises(ValidationError, match="no UTC offset"):
        Shipment.parse(
            {"tracking_number": "X", "carrier": "dhl", "promised_at": "2026-03-09T00:00:00"}
        )


def test_taxonomy_values_are_plain_strings() -> None:
    assert Status.DELIVERED == "delivered"
    assert Reason.CUSTOMS_HOLD.value == "customs_hold"
    assert {s.value for s in Stage} >= {"pre_transit", "customs", "terminal"}
