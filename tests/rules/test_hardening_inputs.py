"""Regression tests for issue 11's input classes: one bad item never aborts the rest
(section 3), a valid input never crashes a run (section 4, run time), and JSON output
is always valid because non-finite numbers are refused at validation (section 8).
"""

from __future__ import annotations

import importlib.util
import json
import time
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from logix_carriers import TrackingEvent
from logix_rules import (
    Engine,
    ErrorCode,
    InputProblem,
    InvalidEvents,
    evaluate,
    load_pack,
    loads_pack,
    read_events,
    read_shipments,
)
from logix_rules.cli._main import main
from logix_rules.core._durations import from_micros, to_micros
from logix_rules.core._helpers import RUNTIME_GLOBALS
from logix_rules.runtime._inputs import parse_events
from logix_rules.runtime._io import MAX_LINE_BYTES
from logix_rules.runtime._money import remedy_amount
from logix_rules.runtime._problems import INPUT_SHOWN, shown_input

DEFAULT = load_pack("default")
T0 = datetime(2026, 3, 1, tzinfo=UTC)
LAST = datetime(2200, 1, 1, tzinfo=UTC) - timedelta(microseconds=1)


def _event(number: str = "T1", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tracking_number": number,
        "carrier": "dhl",
        "status": "in_transit",
        "occurred_at": "2026-03-01T10:00:00Z",
    }
    data.update(changes)
    return data


class _Broken(tzinfo):
    """A time zone whose offset raises TypeError: a failure pydantic does not wrap."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        raise TypeError("this zone is broken")

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return "broken"


def _validated(items: list[Any]) -> tuple[list[TrackingEvent], list[InputProblem]]:
    """What every entry point makes of ``items``: the valid events, the problems."""
    rejected: list[InputProblem] = []
    return parse_events(items, on_invalid=rejected.append), rejected


HOSTILE_EVENTS = {
    "year 1 with an offset": _event(occurred_at="0001-01-01T00:00:00+01:00"),
    "year 9999 with an offset": _event(occurred_at="9999-12-31T23:59:59-01:00"),
    "year 9999 in UTC": _event(occurred_at="9999-12-31T23:59:59Z"),
    "before 1970": _event(occurred_at="1969-12-31T23:59:59.999999Z"),
    "from 2200": _event(occurred_at="2200-01-01T00:00:00Z"),
    "infinite attribute": _event(attributes={"n": float("inf")}),
    "nan attribute": _event(attributes={"n": float("nan")}),
    "attribute of 1e15": _event(attributes={"n": 10**15}),
    "attribute of 5000 digits": _event(attributes={"n": 10**5000}),
    "a zone that raises TypeError": _event(occurred_at=datetime(2026, 3, 1, tzinfo=_Broken())),
}


# -- the range of instants ---------------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    [
        "1970-01-01T00:00:00Z",
        "1970-01-01T01:00:00+01:00",
        "2199-12-31T23:59:59.999999Z",
        "2200-01-01T00:59:59+01:00",
    ],
)
def test_instants_at_the_ends_of_the_range_are_valid(stamp: str) -> None:
    events, problems = _validated([_event(occurred_at=stamp)])
    assert problems == []
    (event,) = events
    assert datetime(1970, 1, 1, tzinfo=UTC) <= event.occurred_at <= LAST


@pytest.mark.parametrize(
    "stamp",
    [
        "1969-12-31T23:59:59.999999Z",
        "1970-01-01T00:30:00+01:00",
        "2200-01-01T00:00:00Z",
        "2199-12-31T23:30:00-01:00",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
    ],
)
def test_instants_outside_the_range_are_a_located_problem(stamp: str) -> None:
    events, (problem,) = _validated([_event(occurred_at=stamp)])
    assert events == []
    (error,) = problem.errors
    assert error["loc"] == ("occurred_at",)
    assert "outside the supported range" in error["msg"]
    assert "1970-01-01T00:00:00Z <= t < 2200-01-01T00:00:00Z" in error["msg"]


def test_shipment_times_and_assumed_zones_are_bounded_too() -> None:
    with pytest.raises(InvalidEvents) as info:
        Engine(DEFAULT).upsert_shipment(
            {"tracking_number": "T1", "carrier": "dhl", "promised_at": "9999-12-31T23:00:00-05:00"}
        )
    assert info.value.problems[0].errors[0]["loc"] == ("promised_at",)
    engine = Engine(DEFAULT, assume_tz="Pacific/Kiritimati")
    rejected: list[InputProblem] = []
    engine.ingest([_event(occurred_at="0001-01-01T00:00:00")], on_invalid=rejected.append)
    assert "outside the supported range" in rejected[0].errors[0]["msg"]


# -- every failure is the item's problem -------------------------------------------------


def test_ingest_reports_every_hostile_item_and_applies_the_rest() -> None:
    engine = Engine(DEFAULT)
    items = [_event("GOOD1"), *HOSTILE_EVENTS.values(), _event("GOOD2")]
    rejected: list[InputProblem] = []
    engine.ingest(items, on_invalid=rejected.append)
    assert [p.index for p in rejected] == list(range(1, len(HOSTILE_EVENTS) + 1))
    assert all(p.code is ErrorCode.INVALID_EVENT for p in rejected)
    assert len(engine) == 2
    json.dumps([p.errors for p in rejected], allow_nan=False)
    broken = rejected[-1].errors[0]
    assert broken["type"] == "unreadable"
    assert "TypeError" in broken["msg"]


@pytest.mark.parametrize("name", list(HOSTILE_EVENTS))
def test_evaluate_raises_invalid_events_for_each_hostile_item(name: str) -> None:
    with pytest.raises(InvalidEvents) as info:
        evaluate(DEFAULT, [_event("GOOD"), HOSTILE_EVENTS[name]], at=T0)
    assert [p.index for p in info.value.problems] == [1]


def test_a_shipment_that_fails_in_any_way_is_invalid_shipment() -> None:
    shipment = {
        "tracking_number": "T1",
        "carrier": "dhl",
        "shipped_at": T0.replace(tzinfo=_Broken()),
    }
    with pytest.raises(InvalidEvents) as info:
        Engine(DEFAULT).upsert_shipment(shipment)
    assert info.value.problems[0].code is ErrorCode.INVALID_SHIPMENT


@pytest.mark.skipif(
    importlib.util.find_spec("durable_rules_engine") is None, reason="durable-rules missing"
)
def test_the_durable_backend_reports_hostile_items_too() -> None:
    from logix_rules.backends.durable import DurableBackend

    backend = DurableBackend(DEFAULT)
    try:
        rejected: list[InputProblem] = []
        backend.ingest([_event("GOOD"), *HOSTILE_EVENTS.values()], on_invalid=rejected.append)
        assert len(rejected) == len(HOSTILE_EVENTS)
        with pytest.raises(InvalidEvents):
            backend.upsert_shipment(
                {"tracking_number": "T1", "carrier": "dhl", "freight_cost": "1e27"}
            )
    finally:
        backend.close()


# -- numbers -----------------------------------------------------------------------------


def test_attribute_numbers_are_finite_and_below_1e15() -> None:
    ok = _event(attributes={"a": 999_999_999_999_999, "b": -999_999_999_999_999.9, "c": 5e-324})
    assert Engine(DEFAULT).ingest([ok]) is not None
    for bad in (float("inf"), float("-inf"), float("nan"), 1e15, -(10**15), 10**5000):
        with pytest.raises(InvalidEvents) as info:
            Engine(DEFAULT).ingest([_event(attributes={"n": bad})])
        (error,) = info.value.problems[0].errors
        assert error["loc"] == ("attributes",)
        assert "finite number below 1e15" in error["msg"]
    # A number in a string stays a string: the rules never read it as inf.
    Engine(DEFAULT).ingest([_event(attributes={"n": "1e400"})])


@pytest.mark.parametrize(
    "value",
    ["1e27", "1e15", "-1", "inf", "nan", "sNaN", "1" + "0" * 5000, "0." + "0" * 5000 + "1"],
)
def test_money_out_of_range_is_invalid(value: str) -> None:
    started = time.perf_counter()
    with pytest.raises(InvalidEvents) as info:
        Engine(DEFAULT).upsert_shipment(
            {"tracking_number": "T1", "carrier": "dhl", "declared_value": value}
        )
    assert time.perf_counter() - started < 0.5
    assert info.value.problems[0].errors[0]["loc"] == ("declared_value",)


def test_largest_money_is_exact_through_the_remedy() -> None:
    shipment = {
        "tracking_number": "T1",
        "carrier": "dhl",
        "declared_value": "999999999999999.99",
        "currency": "USD",
    }
    lost = _event(status="exception", reason="lost")
    (incident,) = evaluate(DEFAULT, [lost], at=T0 + timedelta(days=1), shipment=shipment)
    assert incident.kind == "lost"
    assert incident.remedy is not None
    assert incident.remedy.items[0].amount == Decimal("1000000000000000.00")  # via float


def test_remedy_arithmetic_beyond_28_digits_is_total() -> None:
    # 1e27 to cents needs 30 digits: the default decimal context raised InvalidOperation.
    pack = loads_pack(
        """
format: 1
name: big
params:
  big: {type: number, default: 1000000000000000}
severities:
  P1: {respond: 1h, resolve: 1h, escalate_after: 1h}
rules:
  - id: lost
    kind: lost
    when: seen(reason='lost')
    severity: P1
    remedy:
      code: pay
      items:
        - {code: claim, amount: "shipment.declared_value * params.big * params.big"}
        - {code: ratio, amount: "attr('n', 0.0) / attr('m', 1.0) * params.big"}
"""
    )
    shipment = {"tracking_number": "T1", "carrier": "dhl", "declared_value": "999999999999999"}
    lost = _event(status="exception", reason="lost", attributes={"n": 9e14, "m": 5e-324})
    (incident,) = evaluate(pack, [lost], at=T0 + timedelta(days=1), shipment=shipment)
    assert incident.remedy is not None
    claim, ratio = incident.remedy.items
    assert claim.amount is not None
    assert claim.amount == Decimal(repr(999999999999999.0 * 1e15 * 1e15))
    assert claim.amount.as_tuple().exponent == -2
    assert ratio.amount is None  # inf: no amount rather than an exception
    json.dumps(incident.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1e27, Decimal("1000000000000000000000000000.00")),
        (12.345, Decimal("12.35")),
        (0.005, Decimal("0.01")),
        (-2.5, Decimal("-2.50")),
        (10**20, Decimal("100000000000000000000.00")),
        (Decimal("1E+40"), Decimal("1" + "0" * 40 + ".00")),
        (float("inf"), None),
        (float("nan"), None),
        (10**400, None),
        (Decimal("NaN"), None),
        (True, None),
        (None, None),
    ],
)
def test_remedy_amount_is_total(value: Any, expected: Decimal | None) -> None:
    amount = remedy_amount(value)
    assert amount == expected
    if amount is not None:
        assert amount.as_tuple().exponent == -2
    assert remedy_amount(1.7976931348623157e308) is not None


def test_a_number_typed_attribute_sent_as_a_string_is_finite() -> None:
    pack = loads_pack(
        """
format: 1
name: ratio
severities:
  P1: {respond: 1h, resolve: 1h, escalate_after: 1h}
rules:
  - id: damaged
    kind: damaged
    when: seen(reason='damaged') and attr('ratio', 0.0) >= 0
    severity: P1
"""
    )
    for text in ("1e400", "nan", "-inf", "1" * 5000, "2e15"):
        damaged = _event(status="exception", reason="damaged", attributes={"ratio": text})
        (incident,) = evaluate(pack, [damaged], at=T0 + timedelta(days=1))
        assert incident.evidence.values["attr('ratio', 0.0)"] == 0.0  # not a usable number
        json.dumps(incident.to_dict(), allow_nan=False)


# -- time arithmetic ---------------------------------------------------------------------


def test_an_event_at_the_end_of_the_range_runs_with_the_default_pack() -> None:
    events = [
        _event(occurred_at=LAST.isoformat()),
        _event("T2", occurred_at="1970-01-01T00:00:00Z"),
    ]
    shipment = {"tracking_number": "T1", "carrier": "dhl", "promised_at": LAST.isoformat()}
    incidents = evaluate(DEFAULT, events, at=LAST, shipment=shipment)
    for incident in incidents:
        json.dumps(incident.to_dict(), allow_nan=False)
    engine = Engine(DEFAULT)
    engine.ingest(events[:1])
    due = engine.next_due()
    assert due is not None
    assert due > LAST  # the stall after 24 h lies beyond 2200: still a datetime
    engine.advance(to=LAST)
    assert engine.explain("T1").rules


def test_computed_durations_beyond_datetime_never_crash() -> None:
    pack = loads_pack(
        """
format: 1
name: far
severities:
  P1: {respond: 36500d, resolve: 36500d, escalate_after: 36500d}
rules:
  - id: far
    kind: stall
    when: not final
    anchor: last_scan
    after: "hours(attr('n', 0.0))"
    deadlines: {due: "days(attr('n', 0.0)) * attr('n', 0.0) * attr('n', 0.0)"}
    severity: P1
    explain: "{last_scan + hours(attr('n', 0.0))} {hours(attr('n', 0.0)) * attr('n', 0.0) * 1e15}"
"""
    )
    event = _event(occurred_at=LAST.isoformat(), attributes={"n": 999_999_999_999_999})
    assert evaluate(pack, [event], at=LAST) == []  # due in 1e15 hours: not yet
    engine = Engine(pack)
    engine.ingest([event])
    assert engine.next_due() == datetime(9999, 12, 30, tzinfo=UTC)  # saturated
    now_event = _event(occurred_at=T0.isoformat(), attributes={"n": -999_999_999_999_999})
    (incident,) = evaluate(pack, [now_event], at=T0)
    json.dumps(incident.to_dict(), allow_nan=False)


def test_from_micros_and_durations_saturate() -> None:
    assert from_micros(10**30) == datetime(9999, 12, 30, tzinfo=UTC)
    assert from_micros(-(10**30)) == datetime(1, 1, 2, tzinfo=UTC)
    assert from_micros(to_micros(LAST)) == LAST
    dur = RUNTIME_GLOBALS["_dur"]
    assert dur(float("inf")) == -dur(float("-inf")) > 10**19
    assert dur(float("nan")) > 10**19  # never due
    assert dur(2.5) == 2


@pytest.mark.parametrize(
    "moment", [datetime(9999, 12, 31, 23, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)]
)
def test_evaluation_instants_are_bounded(moment: datetime) -> None:
    with pytest.raises(ValueError, match="outside the supported range"):
        evaluate(DEFAULT, [_event()], at=moment)
    with pytest.raises(ValueError, match="outside the supported range"):
        Engine(DEFAULT).advance(to=moment)


# -- reading files -----------------------------------------------------------------------


HOSTILE_LINES = {
    "year 1": json.dumps(_event(occurred_at="0001-01-01T00:00:00+01:00")),
    "year 9999": json.dumps(_event(occurred_at="9999-12-31T23:59:59-01:00")),
    "5000 digits": json.dumps(_event()).replace(
        '"T1"', '"T1", "attributes": {"n": ' + "7" * 5000 + "}"
    ),
    "1e400": json.dumps(_event()).replace('"T1"', '"T1", "attributes": {"n": 1e400}'),
    "NaN": json.dumps(_event()).replace('"T1"', '"T1", "attributes": {"n": NaN}'),
    "100k brackets": "[" * 100_000 + "]" * 100_000,
    "100k objects": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "lone surrogate": json.dumps(_event()).replace('"T1"', '"T1", "description": "\\ud800"'),
    "NUL byte": json.dumps(_event()).replace("dhl", "d\x00hl"),
    "huge key": json.dumps({**_event(), "x" * 100_000: 1}),
}


def test_read_events_reports_each_hostile_line_with_its_number(tmp_path: Path) -> None:
    good = json.dumps(_event("GOOD"))
    lines = [good, *HOSTILE_LINES.values(), json.dumps(_event("GOOD2", description="\U0001f600"))]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8", errors="surrogatepass")
    started = time.perf_counter()
    loaded = read_events(path)
    assert time.perf_counter() - started < 5
    assert [e.tracking_number for e in loaded.items] == ["GOOD", "GOOD2"]
    assert [p.index for p in loaded.problems] == list(range(2, len(HOSTILE_LINES) + 2))
    by_name = dict(zip(HOSTILE_LINES, loaded.problems, strict=True))
    assert "more than 4300 digits" in str(by_name["5000 digits"])
    assert "nested too deeply" in str(by_name["100k brackets"])
    assert "nested too deeply" in str(by_name["100k objects"])
    assert "unpaired UTF-16 surrogate" in str(by_name["lone surrogate"])
    assert "finite number below 1e15" in str(by_name["NaN"])
    for problem in loaded.problems:
        assert len(problem.input) <= INPUT_SHOWN
        assert len(str(problem)) < 1000
        json.dumps(problem.errors, allow_nan=False)


def test_an_over_long_line_is_one_problem_and_reading_goes_on(tmp_path: Path) -> None:
    fits = json.dumps(_event("FITS"))
    fits += " " * (MAX_LINE_BYTES - len(fits))  # exactly the limit, without its line end
    lines = [
        fits,
        "x" * (MAX_LINE_BYTES + 1),
        "y" * (3 * MAX_LINE_BYTES),
        json.dumps(_event("NEXT")),
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines), "utf-8")  # the last line has no line end
    loaded = read_events(path)
    assert [e.tracking_number for e in loaded.items] == ["FITS", "NEXT"]
    assert [p.index for p in loaded.problems] == [2, 3]
    assert all("longer than 1,048,576 bytes" in str(p) for p in loaded.problems)
    assert all(p.errors[0]["type"] == "too_long" for p in loaded.problems)
    assert loaded.lines == 4


def test_read_shipments_reports_out_of_range_rows(tmp_path: Path) -> None:
    path = tmp_path / "shipments.csv"
    path.write_text(
        "tracking_number,carrier,declared_value,promised_at\n"
        "A,dhl,12.50,2026-03-05T00:00:00Z\n"
        "B,dhl,1e27,\n"
        "C,dhl,inf,\n"
        "D,dhl,nan,\n"
        "E,dhl,,9999-12-31T23:59:59-01:00\n"
        f"F,dhl,{'9' * 5000},\n"
        "G,dhl,999999999999999.99,2199-12-31T00:00:00Z\n",
        "utf-8",
    )
    loaded = read_shipments(path)
    assert [s.tracking_number for s in loaded.items] == ["A", "G"]
    assert [p.index for p in loaded.problems] == [3, 4, 5, 6, 7]


def test_logix_run_goes_on_after_hostile_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        json.dumps(_event("GOOD", occurred_at="2026-03-01T10:00:00Z")),
        *HOSTILE_LINES.values(),
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    at = "2026-03-05T00:00:00Z"
    status = main(
        ["run", "--pack", "default", "--events", str(path), "--at", at, "--format", "json"]
    )
    captured = capsys.readouterr()
    assert status == 0
    assert "Traceback" not in captured.err
    document = json.loads(captured.out, parse_constant=_refuse)
    assert document["events"] == 1
    assert document["skipped_lines"] == len(HOSTILE_LINES)
    assert {i["tracking_number"] for i in document["incidents"]} == {"GOOD"}
    for number in range(2, len(HOSTILE_LINES) + 2):
        assert f"{path}:{number}: invalid_event" in captured.err


def test_logix_run_refuses_an_evaluation_time_out_of_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(_event()) + "\n", "utf-8")
    status = main(
        ["run", "--pack", "default", "--events", str(path), "--at", "9999-12-31T23:00:00-05:00"]
    )
    captured = capsys.readouterr()
    assert status == 2
    assert "outside the supported range" in captured.err


def _refuse(constant: str) -> Any:
    raise AssertionError(f"{constant} in JSON output")


# -- showing bad input -------------------------------------------------------------------


def test_problems_show_a_bounded_input() -> None:
    rejected: list[InputProblem] = []
    Engine(DEFAULT).ingest(
        [
            _event(occurred_at="x" * 1_000_000),
            _event(tracking_number="y" * 1_000_000),
            _event(**{"z" * 1_000_000: 1}),
            _event(attributes={"n": 10**5000}),
        ],
        on_invalid=rejected.append,
    )
    assert len(rejected) == 4
    for problem in rejected:
        assert len(str(problem)) < 1000
        text = json.dumps(problem.errors, allow_nan=False)
        assert len(text) < 2000


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("x" * 500, "x" * 197 + "..."),
        (10**5000, "<an integer of about 5001 digits>"),
        (float("inf"), "inf"),
        (1.5, 1.5),
        (None, None),
        ([[[[[1]]]]], "[[[[...]]]]"),
    ],
    ids=["long string", "huge int", "inf", "float", "none", "deep list"],
)
def test_shown_input(value: Any, shown: Any) -> None:
    assert shown_input(value) == shown
