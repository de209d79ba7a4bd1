"""``parse_events`` validates a plain dict through the checked shortcut itself (not
through ``TrackingEvent.parse``): whatever it accepts, rejects or reads with
``assume_tz`` must be exactly what ``parse`` does with the same item."""

from __future__ import annotations

from collections import UserDict
from typing import Any

import pytest

from logix_carriers import TrackingEvent
from logix_rules.core._errors import ErrorCode, InputProblem, InvalidEvents
from logix_rules.runtime._inputs import parse_events
from logix_rules.runtime._problems import item_problem

GOOD: dict[str, Any] = {
    "tracking_number": "1Z999",
    "carrier": "ups",
    "occurred_at": "2026-03-01T12:47:00-07:00",
    "status": "in_transit",
    "location": {"country": "US", "city": "Denver"},
    "source": {"system": "ups", "code": "I"},
    "event_id": "ev_1",
}


def _variant(**changes: Any) -> dict[str, Any]:
    data = dict(GOOD)
    for key, value in changes.items():
        if value is _DROP:
            del data[key]
        else:
            data[key] = value
    return data


_DROP = object()

#: Dicts the shortcut declines (or full validation rejects), each for its own reason.
ODD = [
    _variant(occurred_at="2026-03-01T12:47:00"),  # naive: only assume_tz may read it
    _variant(carrier=" UPS "),  # cleaned by the full validator
    _variant(status="lost_in_space"),
    _variant(tracking_number=""),
    _variant(extra_field=1),
    _variant(location={"country": "USA"}),
    _variant(utc_offset_minutes=18 * 60 + 1),
    _variant(attributes={"n": float("nan")}),
    _variant(event_id=_DROP),
    _variant(occurred_at=_DROP),
]


def _by_parse(items: list[Any], assume_tz: str | None) -> tuple[list[Any], list[InputProblem]]:
    events, problems = [], []
    for index, item in enumerate(items):
        if isinstance(item, TrackingEvent):  # objects pass through, as documented
            events.append(item)
            continue
        try:
            events.append(TrackingEvent.parse(item, assume_tz=assume_tz))
        except Exception as exc:
            problems.append(item_problem(ErrorCode.INVALID_EVENT, index, item, exc))
    return events, problems


def _same(left: list[Any], right: list[Any]) -> None:
    assert left == right
    assert [e.model_fields_set for e in left] == [e.model_fields_set for e in right]


@pytest.mark.parametrize("assume_tz", [None, "Asia/Tokyo"])
def test_a_batch_of_dicts_is_parse_item_by_item(assume_tz: str | None) -> None:
    items: list[Any] = [GOOD, *ODD, UserDict(GOOD), TrackingEvent.parse(GOOD)]
    expected, expected_problems = _by_parse(items, assume_tz)
    assert expected_problems, "some odd dicts must be rejected, or this test proves nothing"
    problems: list[InputProblem] = []
    events = parse_events(items, assume_tz=assume_tz, on_invalid=problems.append)
    _same(events, expected)
    assert problems == expected_problems
    with pytest.raises(InvalidEvents) as raised:
        parse_events(items, assume_tz=assume_tz)
    assert list(raised.value.problems) == expected_problems


def test_assume_tz_reaches_a_naive_dict() -> None:
    naive = _variant(occurred_at="2026-03-01T12:47:00")
    (event,) = parse_events([naive], assume_tz="Asia/Tokyo")
    assert event.occurred_at.isoformat() == "2026-03-01T03:47:00+00:00"
    assert event == TrackingEvent.parse(naive, assume_tz="Asia/Tokyo")
    with pytest.raises(InvalidEvents):
        parse_events([naive])


def test_the_shortcut_and_the_full_validator_agree_on_good_dicts() -> None:
    goods = [GOOD, _variant(event_id=_DROP), _variant(reason="address_issue", status="exception")]
    events = parse_events(goods)
    _same(events, [TrackingEvent.model_validate(g) for g in goods])
