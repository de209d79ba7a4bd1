"""The tracking model's bounds (issue 11): instants from 1970 to 2200, finite numbers
below 1e15, bounded money; a value outside them is a validation error, never an
``OverflowError`` or ``ValueError`` from deep inside Python.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from logix_carriers import Shipment, TrackingEvent
from logix_carriers._carrier_time import place_naive, read_carrier_time
from logix_carriers._local_time import BEYOND, EARLIEST, bounded_utc
from logix_carriers._model import ATTRIBUTE_NUMBER_LIMIT, MONEY_DIGITS, MONEY_LIMIT
from logix_carriers._shown import shown
from logix_carriers._track_result import ProblemCode
from logix_carriers.carriers._dhl import parse_shipments


def _event(**changes: Any) -> dict[str, Any]:
    return {
        "tracking_number": "T1",
        "carrier": "dhl",
        "status": "in_transit",
        "occurred_at": "2026-03-01T10:00:00Z",
        **changes,
    }


def test_the_documented_bounds() -> None:
    assert datetime(1970, 1, 1, tzinfo=UTC) == EARLIEST
    assert datetime(2200, 1, 1, tzinfo=UTC) == BEYOND
    assert ATTRIBUTE_NUMBER_LIMIT == 10**15
    assert (Decimal("1e15"), 30) == (MONEY_LIMIT, MONEY_DIGITS)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-1))),
        datetime(9999, 12, 31, tzinfo=UTC),
        EARLIEST - timedelta(microseconds=1),
        BEYOND,
    ],
)
def test_bounded_utc_refuses_what_is_out_of_range(moment: datetime) -> None:
    with pytest.raises(ValueError, match="outside the supported range"):
        bounded_utc(moment, "occurred_at")


def test_bounded_utc_accepts_the_ends_and_returns_utc() -> None:
    assert bounded_utc(EARLIEST) == EARLIEST
    last = BEYOND - timedelta(microseconds=1)
    shifted = last.astimezone(timezone(timedelta(hours=14)))  # the next day, locally
    assert bounded_utc(shifted) == last
    assert bounded_utc(shifted).tzinfo is UTC


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("occurred_at", "0001-01-01T00:00:00+01:00"),
        ("occurred_at", "9999-12-31T23:59:59-01:00"),
        ("occurred_at", datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5)))),
        ("occurred_at", "1969-12-31T23:59:59Z"),
    ],
)
def test_events_out_of_range_are_validation_errors(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as info:
        TrackingEvent.parse(_event(**{field: value}))
    (error,) = info.value.errors()
    assert error["loc"] == (field,)
    assert "outside the supported range" in error["msg"]


def test_naive_times_in_an_assumed_zone_are_bounded() -> None:
    with pytest.raises(ValidationError, match="outside the supported range"):
        TrackingEvent.parse(_event(occurred_at="0001-01-01T00:00:00"), assume_tz="Asia/Tokyo")
    with pytest.raises(ValidationError, match="outside the supported range"):
        TrackingEvent.parse(
            _event(occurred_at="9999-12-31T23:59:59"), assume_tz="America/Los_Angeles"
        )


@pytest.mark.parametrize("field", ["shipped_at", "promised_at"])
def test_shipment_times_are_bounded(field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Shipment.parse({"tracking_number": "T1", "carrier": "dhl", field: "9999-12-31T23:00-05:00"})
    assert info.value.errors()[0]["loc"] == (field,)


@pytest.mark.parametrize(
    "value",
    [float("inf"), float("-inf"), float("nan"), 1e15, -1e15, 10**15, 10**5000],
    ids=["inf", "-inf", "nan", "1e15", "-1e15", "10**15", "10**5000"],
)
def test_attribute_numbers_out_of_range_are_refused(value: float) -> None:
    with pytest.raises(ValidationError, match="finite number below 1e15"):
        TrackingEvent.parse(_event(attributes={"n": value}))


def test_attribute_values_inside_the_bounds_are_kept() -> None:
    values = {"a": 999_999_999_999_999, "b": -999_999_999_999_999.9, "c": 5e-324, "d": "1e400"}
    assert TrackingEvent.parse(_event(attributes=values)).attributes == values


@pytest.mark.parametrize(
    "value", ["1e15", "1e27", "inf", "nan", "-0.01", "1" * 5000, "0." + "0" * 40 + "1"]
)
def test_money_out_of_range_is_refused_quickly(value: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ValidationError) as info:
        Shipment.parse({"tracking_number": "T1", "carrier": "dhl", "freight_cost": value})
    assert time.perf_counter() - started < 0.5
    assert info.value.errors()[0]["loc"] == ("freight_cost",)


@pytest.mark.parametrize(
    "value", ["0", "0.01", "999999999999999.99", "0.30000000000000004", 19.99, "1E+14"]
)
def test_money_inside_the_bounds_is_kept(value: Any) -> None:
    shipment = Shipment.parse({"tracking_number": "T1", "carrier": "dhl", "declared_value": value})
    assert shipment.declared_value == Decimal(str(value))


def test_messages_quote_bad_values_briefly() -> None:
    with pytest.raises(ValidationError) as info:
        TrackingEvent.parse(_event(occurred_at="x" * 100_000))
    assert len(info.value.errors()[0]["msg"]) < 200
    with pytest.raises(ValidationError) as info:
        Shipment.parse({"tracking_number": "T1", "carrier": "dhl", "origin_country": "y" * 10_000})
    assert len(info.value.errors()[0]["msg"]) < 200


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("abc", "'abc'"),
        ("z" * 100, "'" + "z" * 56 + "..."),
        (10**5000, "an integer of about 5001 digits"),
        (12, "12"),
        (None, "None"),
        ({"a": 1}, "a dict"),
    ],
    ids=["short", "long", "huge int", "int", "none", "dict"],
)
def test_shown(value: Any, text: str) -> None:
    assert shown(value) == text


# -- adapters: an out-of-range carrier time drops that event, with a problem --------------


@pytest.mark.parametrize(
    "stamp", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "2300-01-01T00:00:00Z"]
)
def test_read_carrier_time_refuses_out_of_range(stamp: str) -> None:
    with pytest.raises(ValueError, match="outside the supported range"):
        read_carrier_time(stamp, country="DE")


def test_place_naive_refuses_out_of_range() -> None:
    with pytest.raises(ValueError, match="outside the supported range"):
        place_naive(datetime(9999, 12, 31, 23, 59), country="US", city="Los Angeles")
    with pytest.raises(ValueError, match="outside the supported range"):
        place_naive(datetime(1, 1, 1), country="JP")


def test_dhl_keeps_the_good_events_and_reports_the_out_of_range_one() -> None:
    def event(stamp: str) -> dict[str, Any]:
        return {
            "timestamp": stamp,
            "statusCode": "transit",
            "location": {"address": {"countryCode": "DE"}},
        }

    payload = {
        "shipments": [
            {
                "id": "123456",
                "events": [event("2026-03-01T10:00:00+01:00"), event("9999-12-31T23:59:59-01:00")],
            }
        ]
    }
    result = parse_shipments(payload)
    assert len(result.events_for("123456")) == 1
    (problem,) = [p for p in result.problems if p.code == ProblemCode.BAD_EVENT]
    assert "outside the supported range" in problem.message
