"""``TrackingEvent.parse`` on a dict takes a checked shortcut for the common shape
(``_event_fast``); it must build exactly what full validation builds, or decline.

Each case compares ``parse`` (shortcut first) with ``model_validate`` (the full
validator alone): the same error, or an equal event with the same fields set, the
same value types and the same sub-models.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from logix_carriers import EventSource, Location, Reason, Stage, Status, TrackingEvent
from logix_carriers._event_fast import event_builder
from logix_carriers._model import derive_event_id

BASE: dict[str, Any] = {
    "tracking_number": "1Z999AA10123456784",
    "carrier": "ups",
    "occurred_at": "2026-03-01T10:00:00+01:00",
    "stage": "line_haul",
    "status": "in_transit",
    "location": {"country": "DE", "city": "Leipzig"},
    "description": "Arrived at facility",
    "attributes": {},
    "source": {"system": "ups", "status": "I", "code": "AR", "text": "Arrived"},
    "event_id": "ev_1",
}

# Values that are valid, invalid, or valid only after the validator changes them.
TRICKY: list[Any] = [
    None,
    "",
    " ",
    " padded ",
    "UPS",
    " ups ",
    "x" * 81,
    "x" * 201,
    0,
    1,
    -1,
    60,
    1081,
    -1080,
    True,
    False,
    1.0,
    1.5,
    "60",
    math.nan,
    math.inf,
    10**15,
    10**15 - 1,
    -(10**15) + 1,
    1e15,
    [],
    {},
    ["a"],
    {"country": "de"},
    {"country": "XX"},
    {"country": "DE", "city": " Leipzig "},
    {"city": 5},
    {"system": "DHL"},
    {"system": ""},
    {"system": "ups", "code": ["x"]},
    {"unknown": 1},
    {"k": " v "},
    {" k": "v"},
    {"k": 1.5, "b": True, "n": None},
    {"k": [1]},
    {"damage_ratio": 10**16},
    "2026-03-01T10:00:00Z",
    "2026-03-01T10:00:00z",
    "2026-03-01T10:00:00",
    "2026-03-01",
    "2026-03-01T10:00:00+19:00",
    "2026-03-01T10:00:00+05:30:15",
    "1969-12-31T23:59:59Z",
    "2199-12-31T23:59:59Z",
    "2200-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    " 2026-03-01T10:00:00+00:00 ",
    "not a time",
    datetime(2026, 3, 1, 10, tzinfo=UTC),
    datetime(2026, 3, 1, 10, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2026, 3, 1, 10),
    "customs",
    "in_transit",
    "exception",
    "delivered",
    "line_haul",
    "damaged",
    "customs_hold",
    "address_issue",
    "carrier",
    "location",
    "assumed",
    Status.CUSTOMS,
    Stage.CUSTOMS,
    Reason.DAMAGED,
    Status.EXCEPTION,
    Location(country="FR"),
    EventSource(system="dhl"),
]
KEYS = [*TrackingEvent.model_fields, "extra_key"]


def outcome(result: Any) -> Any:
    """What must agree between the two paths."""
    if isinstance(result, ValidationError):
        return ("error", result.errors(include_url=False, include_context=False))
    fields_set = result.model_fields_set
    parts = [result, fields_set, type(fields_set), list(result.__dict__)]
    parts.append([type(v) for v in result.__dict__.values()])
    for sub in (result.location, result.source):
        if sub is not None:
            parts.append((sub, sub.model_fields_set, type(sub)))
    return ("event", parts)


def both(data: dict[str, Any]) -> tuple[Any, Any]:
    results = []
    for validate in (
        lambda: TrackingEvent.parse(data),
        lambda: TrackingEvent.model_validate(data, context={"assume_tz": None}),
    ):
        try:
            results.append(outcome(validate()))
        except ValidationError as exc:
            results.append(outcome(exc))
    return results[0], results[1]


def test_the_common_shape_takes_the_shortcut() -> None:
    build = event_builder(TrackingEvent, Location, EventSource, derive_event_id)
    assert build(dict(BASE)) is not None
    fast, full = both(dict(BASE))
    assert fast == full


def test_a_built_event_copies_like_a_validated_one() -> None:
    event = TrackingEvent.parse(dict(BASE))
    copied = event.model_copy(update={"description": "Moved"})
    assert copied.model_fields_set == event.model_fields_set
    assert copied.description == "Moved"
    assert event.description == BASE["description"]


def test_a_derived_id_and_a_default_stage_match() -> None:
    data = {k: v for k, v in BASE.items() if k not in ("event_id", "stage", "source")}
    fast, full = both(data)
    assert fast == full
    assert fast[0] == "event"


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("value", TRICKY, ids=repr)
def test_one_tricky_value(key: str, value: Any) -> None:
    data = dict(BASE)
    data[key] = value
    fast, full = both(data)
    assert fast == full


@pytest.mark.parametrize("key", KEYS)
def test_one_key_left_out(key: str) -> None:
    data = {k: v for k, v in BASE.items() if k != key}
    fast, full = both(data)
    assert fast == full


@pytest.mark.slow
@given(st.dictionaries(st.sampled_from(KEYS), st.sampled_from(TRICKY), min_size=0, max_size=6))
def test_any_mix_of_tricky_values(changes: dict[str, Any]) -> None:
    data = {**BASE, **changes}
    fast, full = both(data)
    assert fast == full


# The shortcut remembers a feed's hours (a time read as "its hour" + minutes and
# seconds), its key orders and its carrier codes.  A remembered entry must never let
# a later value through that the validator would read differently or refuse: these
# cases run through the same shortcut one after the other, so a wrong entry made by
# one shows in the next.
HOURS = [
    "2026-03-01T10:",
    "1970-01-01T00:",  # the hour of the range's start: with +00:30 it begins before it
    "2199-12-31T23:",  # the last hour of the range
    "2026-03-01 10:",
    "2026-W09-1T10:",
    "20260301T10:",
    " 2026-03-01T10:",
]
MINUTES_SECONDS = ["00:00", "59:59", "07:05", "60:00", "00:60", "5:00", "ab:cd", "00:00:00"]
RESTS = [
    "+01:00",
    "Z",
    "z",
    "",
    "+00:30",
    "-00:30",
    "+18:00",
    "+18:01",
    "+05:30:15",
    ".123456+02:00",
    ".5Z",
    "+0100",
    " ",
]


@st.composite
def times(draw: st.DrawFn) -> str:
    return (
        draw(st.sampled_from(HOURS))
        + draw(st.sampled_from(MINUTES_SECONDS))
        + draw(st.sampled_from(RESTS))
    )


@pytest.mark.parametrize("rest", RESTS)
@pytest.mark.parametrize("hour", HOURS)
def test_times_through_the_hour_cache(hour: str, rest: str) -> None:
    for minutes_seconds in MINUTES_SECONDS:
        for key in ("occurred_at", "estimated_delivery"):
            fast, full = both({**BASE, key: hour + minutes_seconds + rest})
            assert fast == full


@pytest.mark.slow
@given(st.lists(st.tuples(st.sampled_from(["occurred_at", "estimated_delivery"]), times())))
def test_any_sequence_of_times(changes: list[tuple[str, str]]) -> None:
    for key, value in changes:
        fast, full = both({**BASE, key: value})
        assert fast == full


def test_every_key_order_and_a_key_too_many() -> None:
    items = list(BASE.items())
    for shift in range(len(items)):
        turned = dict(items[shift:] + items[:shift])
        for data in (turned, {**turned, "extra_key": 1}, dict(reversed(turned.items()))):
            fast, full = both(data)
            assert fast == full
            assert fast[0] == ("error" if "extra_key" in data else "event")


@pytest.mark.parametrize(
    "carrier", ["ups", "UPS", " ups", "", " ", "x" * 40, "X" * 41, "u\u200bps"]
)
def test_carriers_twice(carrier: str) -> None:
    for _ in range(2):
        fast, full = both({**BASE, "carrier": carrier})
        assert fast == full
