"""``IncidentProcessor`` under PySpark's ``TwsTester`` and the pandas fallback, no JVM.

``TwsTester`` filters input rows it considers late (event time at or before the
watermark).  ``incident_changes`` gives ``transformWithState`` no event-time column,
so Spark never drops a late event before the kernel sees it; the tests mirror that
with an extractor that never calls a row late.
"""

from __future__ import annotations

import json
import pickle
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from spark_support import engine_open, evaluate_open, input_rows, jittered, stable

pytest.importorskip("pyspark", reason="PySpark is not installed (pip install 'logix[spark]')")
pytest.importorskip("google.protobuf", reason="transformWithState needs protobuf")

from pyspark.sql import Row
from pyspark.sql.streaming.state import GroupState, GroupStateTimeout

from logix_rules import generate_demo
from logix_rules.core._durations import from_micros, to_micros
from logix_rules.integrations._spark_rows import event_to_input, fold_changes
from logix_rules.integrations._spark_stream import STATE_NAME
from logix_rules.spark import (
    HAVE_TRANSFORM_WITH_STATE,
    OUTPUT_SCHEMA,
    STATE_SCHEMA,
    IncidentProcessor,
    pandas_state_function,
)

needs_tws = pytest.mark.skipif(
    not HAVE_TRANSFORM_WITH_STATE, reason="this PySpark has no transformWithState (4.1+)"
)
if HAVE_TRANSFORM_WITH_STATE:
    from pyspark.sql.streaming.tws_tester import TwsTester

DEMO = generate_demo(seed=21, shipments=30)
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
HOUR_MS = 3_600_000


def scan(tn: str, hours: float, status: str = "in_transit", **extra: Any) -> Row:
    from logix_carriers import TrackingEvent

    event = TrackingEvent.parse(
        {
            "tracking_number": tn,
            "carrier": "dhl",
            "occurred_at": T0 + timedelta(hours=hours),
            "status": status,
            **extra,
        }
    )
    return Row(**event_to_input(event))


def ms(moment: datetime) -> int:
    return to_micros(moment) // 1000


def never_late(row: Any) -> int:
    return 2**62


def make_tester(processor: IncidentProcessor) -> Any:
    return TwsTester(
        processor,
        timeMode=processor.time_mode,
        outputMode="Append",
        eventTimeExtractor=never_late if processor.time_mode == "EventTime" else None,
    )


def timers(tws: Any, tn: str) -> list[int]:
    tws.handle.setGroupingKey(tn)
    return list(tws.handle.listTimers())


@needs_tws
def test_a_stall_fires_on_the_watermark_and_a_new_scan_moves_the_timer() -> None:
    tws = make_tester(IncidentProcessor("default"))
    assert tws.test("S1", [scan("S1", 0)]) == []
    state = tws.peekValueState(STATE_NAME, "S1")
    assert state is not None
    assert state[1] == 0  # no change yet
    first = timers(tws, "S1")
    assert len(first) == 1

    # A scan 10 h later: the stall clock restarts, the old timer is deleted.
    assert tws.test("S1", [scan("S1", 10)]) == []
    second = timers(tws, "S1")
    assert len(second) == 1
    assert second[0] > first[0]

    # The watermark passes the due time: the stall opens at last scan + 24 h exactly.
    fired = tws.setWatermark(ms(T0 + timedelta(hours=40)))
    assert fired[0].change_type == "opened"
    assert {r.change_type for r in fired[1:]} <= {"escalated"}  # nobody acknowledged it
    assert fired[0].kind == "tracking_stall"
    assert fired[0].opened_at_us == to_micros(T0 + timedelta(hours=34))
    assert fired[0].seq == 1
    assert timers(tws, "S1") != second  # the next rung or follow-up deadline


@needs_tws
def test_a_late_scan_is_applied_not_dropped_and_clears_the_stall() -> None:
    tws = make_tester(IncidentProcessor("default"))
    tws.test("S2", [scan("S2", 0)])
    fired = tws.setWatermark(ms(T0 + timedelta(hours=30)))
    assert fired[0].change_type == "opened"
    # A scan from inside the silence arrives after the watermark passed it.
    late = tws.test("S2", [scan("S2", 12)])
    assert [r.change_type for r in late] == ["cleared"]
    assert late[0].incident_id == fired[0].incident_id
    assert late[0].seq == fired[-1].seq + 1


@needs_tws
def test_events_already_due_at_arrival_fire_in_the_same_call() -> None:
    tws = make_tester(IncidentProcessor("default"))
    tws.setWatermark(ms(T0 + timedelta(hours=100)))
    out = tws.test("S3", [scan("S3", 0)])
    # Due at 24 h, before the watermark: a timer there could not be registered.
    assert "opened" in [r.change_type for r in out]
    assert all(t > ms(T0 + timedelta(hours=100)) for t in timers(tws, "S3"))


@needs_tws
def test_micro_batches_through_twstester_fold_to_the_engine() -> None:
    tws = make_tester(IncidentProcessor("default"))
    rows = input_rows(jittered(DEMO.events, 8 * 3_600_000_000, seed=4), DEMO.shipments)
    out: list[Row] = []
    watermark = newest = 0
    for start in range(0, len(rows), 40):
        by_key: dict[str, list[Row]] = defaultdict(list)
        for row in rows[start : start + 40]:
            by_key[row["tracking_number"]].append(Row(**row))
            if row["occurred_at_us"] is not None:
                newest = max(newest, row["occurred_at_us"] // 1000)
        for tn, key_rows in by_key.items():
            out.extend(tws.test(tn, key_rows))
        if newest - 6 * HOUR_MS > watermark:
            watermark = newest - 6 * HOUR_MS
            out.extend(tws.setWatermark(watermark))
    expected = engine_open("default", DEMO.events, DEMO.shipments, from_micros(watermark * 1000))
    assert expected
    assert stable(fold_changes([r.asDict() for r in out])) == stable(expected)


@needs_tws
def test_as_of_mode_needs_no_timers_and_equals_evaluate() -> None:
    at = DEMO.at - timedelta(hours=30)
    processor = IncidentProcessor("default", as_of=at)
    assert processor.time_mode == "None"
    tws = make_tester(processor)
    by_key: dict[str, list[Row]] = defaultdict(list)
    for row in input_rows(DEMO.events, DEMO.shipments):
        by_key[row["tracking_number"]].append(Row(**row))
    out = [r for tn, key_rows in by_key.items() for r in tws.test(tn, key_rows)]
    expected = evaluate_open("default", DEMO.events, DEMO.shipments, at)
    assert stable(fold_changes([r.asDict() for r in out])) == stable(expected)


@needs_tws
def test_output_rows_match_the_output_schema() -> None:
    tws = make_tester(IncidentProcessor("default"))
    tws.test("S4", [scan("S4", 0, status="exception", reason="customs_hold")])
    out = tws.test("S4", [scan("S4", 1, status="exception", reason="customs_hold")])
    rows = out or tws.setWatermark(ms(T0 + timedelta(hours=200)))
    assert rows
    for row in rows:
        assert list(row.asDict()) == OUTPUT_SCHEMA.fieldNames()
        assert json.loads(row.incident_json)["id"] == row.incident_id


@needs_tws
def test_the_processor_travels_without_compiled_code() -> None:
    from pyspark import cloudpickle

    processor = IncidentProcessor("default", state_ttl=timedelta(days=30))
    make_tester(processor)  # init() compiles and opens the state on this side
    copy = pickle.loads(cloudpickle.dumps(processor))  # type: ignore[no-untyped-call]
    assert copy._runtime is None
    assert copy.ttl_ms == 30 * 24 * HOUR_MS
    assert copy.source == processor.source


def test_aware_datetimes_only() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        IncidentProcessor("default", as_of=datetime(2026, 3, 1))


# -- the applyInPandasWithState fallback -----------------------------------------------------------
def group_state(
    saved: tuple[bytes, int] | None, watermark_ms: int, timed_out: bool = False
) -> GroupState:
    return GroupState(
        optionalValue=Row(state=saved[0], seq=saved[1]) if saved is not None else Row(),
        batchProcessingTimeMs=0,
        eventTimeWatermarkMs=watermark_ms,
        timeoutConf=GroupStateTimeout.EventTimeTimeout,
        hasTimedOut=timed_out,
        watermarkPresent=True,
        defined=saved is not None,
        updated=False,
        removed=False,
        timeoutTimestamp=-1,
        keyAsUnsafe=b"",
        valueSchema=STATE_SCHEMA,
    )


def test_pandas_fallback_keeps_one_timeout_at_next_due() -> None:
    pd = pytest.importorskip("pandas")
    run = pandas_state_function("default")
    frame = pd.DataFrame([event_to_input(DEMO.events[0])])
    tn = DEMO.events[0].tracking_number

    state = group_state(None, watermark_ms=0)
    assert list(run((tn,), iter([frame]), state)) == []
    saved = state.getOption
    assert saved is not None
    timeout = state._timeout_timestamp
    assert timeout > 0

    # The timeout fires once the watermark passed it: the kernel fires up to the watermark.
    later = group_state(saved, watermark_ms=timeout + 200 * HOUR_MS, timed_out=True)
    frames = list(run((tn,), iter([]), later))
    assert frames
    changes = pd.concat(frames)
    assert list(changes.columns) == OUTPUT_SCHEMA.fieldNames()
    assert "opened" in set(changes["change_type"])
    assert list(changes["seq"]) == list(range(1, len(changes) + 1))


def test_pandas_fallback_reads_pandas_nulls() -> None:
    pd = pytest.importorskip("pandas")
    run = pandas_state_function("default")
    rows = [event_to_input(e) for e in DEMO.events[:5]]
    frame = pd.DataFrame(rows)  # None in int columns becomes NaN, as Arrow hands them over
    tn = DEMO.events[0].tracking_number
    mine = frame[frame["tracking_number"] == tn]
    state = group_state(None, watermark_ms=0)
    out = list(run((tn,), iter([mine]), state))
    assert all(set(f["change_type"]) != {"rejected"} for f in out)
    assert state.getOption is not None


_OLD_SPARK = """
import sys
import pyspark.sql  # its own modules first; then make the 4.x processor API vanish
del sys.modules["pyspark.sql.streaming.stateful_processor"]
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "pyspark.sql.streaming.stateful_processor":
            raise ImportError("Spark 3.5 has no " + name)
sys.meta_path.insert(0, Block())
from logix_rules import spark
from logix_rules.integrations._spark_stream import _choose
assert not spark.HAVE_TRANSFORM_WITH_STATE
assert _choose("auto") == "applyInPandasWithState"
try:
    _choose("transformWithState")
except spark.SparkSetupError as exc:
    print(exc)
"""


def test_without_transform_with_state_the_fallback_is_chosen() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _OLD_SPARK], capture_output=True, text=True, check=True
    )
    assert "no transformWithState" in done.stdout
