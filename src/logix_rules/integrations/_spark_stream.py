"""Run a rule pack on Spark Structured Streaming, with the same results as ``Engine``.

``pip install 'logix[spark]'`` brings PySpark.  One call turns a DataFrame of
tracking events into a DataFrame of incident changes::

    from logix_rules.spark import incident_changes
    changes = incident_changes(events, "default", watermark_delay="2 hours")

How it maps onto Spark, and why:

* Input is grouped by tracking number; each key's state is the kernel's own
  serialized state (``Kernel.dumps``) in one ``ValueState``, with a per-key change
  counter ``seq`` so a sink can order the changes of a parcel.
* Time rules fire on **event time**: one timer per key, kept at ``next_due`` (the
  stale one is deleted when the due time moves).  A timer fires once the watermark
  passes it; the kernel then fires everything due up to the watermark.  Events are
  never dropped for being late: the kernel applies a late event and reports what it
  changes (an incident cleared, updated...), so the watermark delay trades the
  latency of time rules against transient incidents, not against lost data.
* A bounded DataFrame has no "end of time": give ``as_of=`` and the result is what
  ``evaluate(pack, events, at=as_of)`` reports; nothing due after the cutoff fires,
  nothing due before it is left unfired.  The same works on a stream run with
  ``trigger(availableNow=True)``.
* The pack travels as its YAML source (``PackSource``) and is compiled once per
  executor process, never per key or per batch.
* Spark 4.1+ runs ``transformWithState`` (``IncidentProcessor``); Spark 3.4-4.0 runs
  the same per-key logic through ``applyInPandasWithState`` with an event-time
  timeout (one timeout per key is all the kernel needs).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyspark
from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.group import GroupedData

from ..compiler._model import Pack
from ..core._durations import to_micros
from ..runtime._kernel import Kernel
from ._spark_frames import (
    EVENT_SCHEMA,
    OUTPUT_SCHEMA,
    SHIPMENT_SCHEMA,
    STATE_SCHEMA,
    SparkSetupError,
    _prepare,
    finish_output,
)
from ._spark_rows import (
    OUTPUT_FIELDS,
    KeyOutcome,
    PackSource,
    StateCache,
    fold_changes,
    handle_rows,
    handle_timer,
    kernel_for,
    state_cache,
)

try:
    from pyspark.sql.streaming.stateful_processor import (
        ExpiredTimerInfo,
        StatefulProcessor,
        StatefulProcessorHandle,
        TimerValues,
        ValueState,
    )
except ImportError:  # pragma: no cover - Spark 3.4-3.5: only the pandas path exists
    StatefulProcessor = object  # type: ignore[assignment,misc]

if TYPE_CHECKING:
    from pyspark.sql.streaming.state import GroupState

#: pandas has no type information; its frames are ``Any`` here.
PandasFrame = Any

__all__ = [
    "DEFAULT_STATE_CACHE",
    "HAVE_TRANSFORM_WITH_STATE",
    "IncidentProcessor",
    "incident_changes",
    "local_session",
    "main",
    "pandas_state_function",
    "write_batches",
]

#: Whether this PySpark has ``transformWithState`` with the Row API (4.1 and later).
HAVE_TRANSFORM_WITH_STATE = hasattr(GroupedData, "transformWithState") and (
    StatefulProcessor is not object
)
#: Deserialized states kept per executor process (see ``_spark_rows.StateCache``).
DEFAULT_STATE_CACHE = 20_000
STATE_NAME = "logix_state"
_ROCKSDB = "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider"


# -- the stateful processor (Spark 4.1+) -----------------------------------------------------------
def _aware_micros(moment: datetime, name: str) -> int:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, e.g. tzinfo=UTC")
    return int(to_micros(moment))


def _millis(span: timedelta | None, name: str) -> int | None:
    if span is None:
        return None
    ms = int(span / timedelta(milliseconds=1))
    if ms <= 0:
        raise ValueError(f"{name} must be a positive duration")
    return ms


_Runtime = tuple[Kernel, StateCache | None, "StatefulProcessorHandle", "ValueState"]


class IncidentProcessor(StatefulProcessor):
    """The kernel of one pack as a ``transformWithState`` processor (Row API).

    Group ``prepare_input`` rows by ``tracking_number`` and emit ``OUTPUT_SCHEMA`` rows
    (``finish_output`` converts them); ``time_mode`` says which time mode to run it in.
    With ``as_of`` it evaluates at that cutoff and needs no timers (time mode
    ``None``); without, it keeps an event-time timer at each key's ``next_due``.
    ``incident_changes`` does all of this for you.
    """

    def __init__(
        self,
        pack: Pack | str | os.PathLike[str] | PackSource,
        *,
        as_of: datetime | None = None,
        state_ttl: timedelta | None = None,
        state_cache: int = DEFAULT_STATE_CACHE,
    ) -> None:
        self.source = pack if isinstance(pack, PackSource) else PackSource.of(pack)
        self.as_of_us = None if as_of is None else _aware_micros(as_of, "as_of")
        self.ttl_ms = _millis(state_ttl, "state_ttl")
        self.cache_size = state_cache
        self._runtime: _Runtime | None = None

    @property
    def time_mode(self) -> str:
        return "None" if self.as_of_us is not None else "EventTime"

    def __getstate__(self) -> dict[str, Any]:
        # Compiled code and handles stay in the process that made them.
        state = dict(self.__dict__)
        state["_runtime"] = None
        return state

    def init(self, handle: StatefulProcessorHandle) -> None:
        kernel = kernel_for(self.source)
        cache = state_cache(self.source, self.cache_size) if self.cache_size > 0 else None
        value = handle.getValueState(STATE_NAME, STATE_SCHEMA, self.ttl_ms)
        self._runtime = (kernel, cache, handle, value)

    def _ready(self) -> _Runtime:
        if self._runtime is None:
            raise RuntimeError("IncidentProcessor.init was not called")
        return self._runtime

    def handleInputRows(
        self, key: Any, rows: Iterator[Row], timerValues: TimerValues
    ) -> Iterator[Row]:
        kernel, cache, handle, value = self._ready()
        if self.as_of_us is not None:
            now: int | None = self.as_of_us
        else:
            watermark = timerValues.getCurrentWatermarkInMs()
            now = watermark * 1000 if watermark > 0 else None
        outcome = handle_rows(
            kernel, cache, key[0], value.get(), rows, now_us=now, as_of_us=self.as_of_us
        )
        self._commit(handle, value, outcome, expired=None)
        return iter([Row(**row) for row in outcome.rows])

    def handleExpiredTimer(
        self, key: Any, timerValues: TimerValues, expiredTimerInfo: ExpiredTimerInfo
    ) -> Iterator[Row]:
        kernel, cache, handle, value = self._ready()
        now = timerValues.getCurrentWatermarkInMs() * 1000
        outcome = handle_timer(kernel, cache, key[0], value.get(), now_us=now)
        self._commit(handle, value, outcome, expired=expiredTimerInfo.getExpiryTimeInMs())
        return iter([Row(**row) for row in outcome.rows])

    def _commit(
        self,
        handle: StatefulProcessorHandle,
        value: ValueState,
        outcome: KeyOutcome,
        expired: int | None,
    ) -> None:
        if outcome.saved is not None:
            value.update(outcome.saved)
        if self.as_of_us is not None:
            return
        # One timer per key, at next_due: the one being handled is gone already.
        registered = None if outcome.timer_before == expired else outcome.timer_before
        wanted = outcome.timer_after
        if registered != wanted:
            if registered is not None:
                handle.deleteTimer(registered)
            if wanted is not None:
                handle.registerTimer(wanted)

    def close(self) -> None:
        self._runtime = None


# -- the applyInPandasWithState fallback (Spark 3.4-4.0) -----------------------------------------
def pandas_state_function(
    pack: Pack | str | os.PathLike[str] | PackSource,
    *,
    as_of: datetime | None = None,
    state_cache_size: int = DEFAULT_STATE_CACHE,
) -> Callable[[Any, Iterator[PandasFrame], GroupState], Iterator[PandasFrame]]:
    """The same per-key logic as ``IncidentProcessor``, for ``applyInPandasWithState``.

    Use it with ``outputStructType=OUTPUT_SCHEMA``, ``stateStructType=STATE_SCHEMA``,
    ``outputMode="append"`` and ``GroupStateTimeout.EventTimeTimeout`` (or
    ``NoTimeout`` with ``as_of``).  A group state has one timeout, and the kernel
    needs one timer (``next_due``), so nothing is lost; what this API lacks is a way
    to cancel a timeout, so a timeout that is no longer needed still fires once and
    does nothing.
    """
    source = pack if isinstance(pack, PackSource) else PackSource.of(pack)
    as_of_us = None if as_of is None else _aware_micros(as_of, "as_of")

    def run(key: Any, frames: Iterator[PandasFrame], state: GroupState) -> Iterator[PandasFrame]:
        pd = importlib.import_module("pandas")
        kernel = kernel_for(source)
        cache = state_cache(source, state_cache_size) if state_cache_size > 0 else None
        saved = state.getOption
        outcome: KeyOutcome
        if state.hasTimedOut:
            now = state.getCurrentWatermarkMs() * 1000
            outcome = handle_timer(kernel, cache, key[0], saved, now_us=now)
        else:
            rows = (row for frame in frames for row in frame.itertuples(index=False))
            if as_of_us is not None:
                now_us: int | None = as_of_us
            else:
                watermark = state.getCurrentWatermarkMs()
                now_us = watermark * 1000 if watermark > 0 else None
            outcome = handle_rows(
                kernel, cache, key[0], saved, rows, now_us=now_us, as_of_us=as_of_us
            )
        if outcome.saved is not None:
            state.update(outcome.saved)
        if as_of_us is None and outcome.timer_after is not None:
            state.setTimeoutTimestamp(outcome.timer_after)
        if outcome.rows:
            yield pd.DataFrame(outcome.rows, columns=list(OUTPUT_FIELDS))

    return run


# -- the one-call helper -------------------------------------------------------------------------
Api = Literal["auto", "transformWithState", "applyInPandasWithState"]


def _interval(delay: str | timedelta) -> str:
    if isinstance(delay, timedelta):
        ms = _millis(delay, "watermark_delay")
        return f"{ms} milliseconds"
    return delay


def incident_changes(
    events: DataFrame,
    pack: Pack | str | os.PathLike[str],
    *,
    watermark_delay: str | timedelta | None = None,
    as_of: datetime | None = None,
    shipments: DataFrame | None = None,
    state_ttl: timedelta | None = None,
    state_cache: int = DEFAULT_STATE_CACHE,
    api: Api = "auto",
) -> DataFrame:
    """The DataFrame of incident changes (``CHANGE_SCHEMA``) of ``pack`` over ``events``.

    * A stream, without ``as_of``: time rules fire on event time as the watermark
      (``withWatermark("occurred_at", watermark_delay)``) passes them.
    * With ``as_of`` (a bounded DataFrame, or a stream run with
      ``trigger(availableNow=True)``): events after the cutoff are ignored and time
      rules fire up to it; folding the changes (``fold_changes``) gives exactly
      ``evaluate(pack, events, at=as_of)``.

    ``shipments`` (``SHIPMENT_SCHEMA``) adds OMS facts, streamed like the events.
    ``state_ttl`` drops a parcel's state that was not updated for that long
    (processing time; ``transformWithState`` only).
    """
    source = PackSource.of(pack)
    streaming = events.isStreaming
    as_of_us = None if as_of is None else _aware_micros(as_of, "as_of")
    if as_of_us is None:
        if not streaming:
            raise SparkSetupError(
                "a bounded DataFrame has no end of time: pass as_of=<aware datetime> "
                "to evaluate the pack at that instant (what evaluate(..., at=) does)"
            )
        if watermark_delay is None:
            raise SparkSetupError(
                "a stream needs watermark_delay= (e.g. '2 hours'): how late events may "
                "arrive before the time rules they could prevent fire"
            )
        events = events.withWatermark("occurred_at", _interval(watermark_delay))
    chosen = _choose(api)
    # transformWithState gets no event-time column, so Spark cannot drop late events
    # before the kernel sees them; applyInPandasWithState refuses an event-time
    # timeout without one (and then drops events older than the watermark).
    keep_time = chosen == "applyInPandasWithState" and as_of_us is None
    flat = _prepare(events, shipments, event_time=keep_time)
    if as_of_us is not None:
        # Events after the cutoff never reach Python; rows without a time still do,
        # so they are reported as rejected rather than vanishing.
        flat = flat.where(
            (F.col("record") != "event")
            | F.col("occurred_at_us").isNull()
            | (F.col("occurred_at_us") <= F.lit(as_of_us))
        )
    grouped = flat.groupBy("tracking_number")
    if chosen == "transformWithState":
        if streaming:
            _check_state_store(events)
        processor = IncidentProcessor(
            source, as_of=as_of, state_ttl=state_ttl, state_cache=state_cache
        )
        raw = grouped.transformWithState(processor, OUTPUT_SCHEMA, "Append", processor.time_mode)
    else:
        if state_ttl is not None:
            raise SparkSetupError(
                "state_ttl needs transformWithState (Spark 4.1+); applyInPandasWithState "
                "has no time-to-live"
            )
        from pyspark.sql.streaming.state import GroupStateTimeout

        raw = grouped.applyInPandasWithState(
            pandas_state_function(source, as_of=as_of, state_cache_size=state_cache),
            OUTPUT_SCHEMA,
            STATE_SCHEMA,
            "append",
            GroupStateTimeout.NoTimeout
            if as_of is not None
            else GroupStateTimeout.EventTimeTimeout,
        )
    return finish_output(raw)


def _choose(api: Api) -> str:
    have_pandas_state = hasattr(GroupedData, "applyInPandasWithState")
    if api == "auto":
        if HAVE_TRANSFORM_WITH_STATE:
            return "transformWithState"
        api = "applyInPandasWithState"
    if api == "transformWithState" and not HAVE_TRANSFORM_WITH_STATE:
        raise SparkSetupError(
            f"PySpark {pyspark.__version__} has no transformWithState with the Row API "
            "(Spark 4.1+); use api='applyInPandasWithState' or api='auto'"
        )
    if api == "applyInPandasWithState" and not have_pandas_state:
        raise SparkSetupError(
            f"PySpark {pyspark.__version__} has neither transformWithState nor "
            "applyInPandasWithState; logix needs Spark 3.4 or later"
        )
    if api not in ("transformWithState", "applyInPandasWithState"):
        raise ValueError(
            f"api={api!r}: use 'auto', 'transformWithState' or 'applyInPandasWithState'"
        )
    return api


def _check_state_store(events: DataFrame) -> None:
    provider = events.sparkSession.conf.get("spark.sql.streaming.stateStore.providerClass", None)
    if provider is None or "RocksDB" not in provider:
        raise SparkSetupError(
            "transformWithState keeps its state in RocksDB only; before starting the "
            "query set spark.sql.streaming.stateStore.providerClass to "
            f"{_ROCKSDB} (it is recorded in the checkpoint), or use "
            "api='applyInPandasWithState'"
        )


# -- a local session and the quick start (python -m logix_rules.spark) ---------------------------
def local_session(
    master: str = "local[2]", *, shuffle_partitions: int = 2, app: str = "logix"
) -> SparkSession:
    """A local ``SparkSession`` set up the way logix needs it: RocksDB state store,
    Python workers on this interpreter, few shuffle partitions, no web UI."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.streaming.stateStore.providerClass", _ROCKSDB)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def write_batches(folder: str | os.PathLike[str], batches: Sequence[Sequence[Any]]) -> list[Path]:
    """One JSON-lines file per batch, for Spark's file source to read one per trigger.

    Each file is written next to ``folder`` and renamed in (the file source would read
    a half-written file and lose rows), with increasing modification times so the
    files are read in order.  Items are events, shipments or plain dicts.
    """
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, items in enumerate(batches):
        scratch = target.parent / f".{target.name}-{index:05d}.tmp"
        with scratch.open("w", encoding="utf-8") as out:
            for item in items:
                doc = item.model_dump(mode="json") if hasattr(item, "model_dump") else item
                out.write(json.dumps(doc) + "\n")
        path = target / f"{index:05d}.json"
        os.replace(scratch, path)
        stamp = 1_000_000_000 + index
        os.utime(path, (stamp, stamp))
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo parcels through local Spark and compare with the in-process engine."""
    import argparse
    import tempfile

    from ..demo._generator import generate_demo
    from ..runtime._engine import Engine

    parser = argparse.ArgumentParser(
        prog="python -m logix_rules.spark",
        description="Stream the demo parcels through local Spark (transformWithState) "
        "and check the incidents against the in-process engine.",
    )
    parser.add_argument("--shipments", type=int, default=300, help="demo parcels (300)")
    parser.add_argument("--batches", type=int, default=6, help="micro-batches (6)")
    parser.add_argument("--delay", default="12 hours", help="watermark delay ('12 hours')")
    parser.add_argument("--seed", type=int, default=7, help="seed of the demo data (7)")
    parser.add_argument("--master", default="local[2]", help="Spark master (local[2])")
    parser.add_argument(
        "--api",
        choices=("auto", "transformWithState", "applyInPandasWithState"),
        default="auto",
    )
    args = parser.parse_args(argv)
    if args.shipments < 1 or args.batches < 1:
        parser.error("--shipments and --batches must be at least 1")

    data = generate_demo(seed=args.seed, shipments=args.shipments)
    events = list(data.events)  # arrival order, with the late and repeated scans of real feeds
    size = -(-len(events) // args.batches)
    print(
        f"logix on Spark: {len(data.shipments)} parcels, {len(events)} events in "
        f"{args.batches} micro-batches, watermark delay {args.delay}"
    )
    with tempfile.TemporaryDirectory(prefix="logix-spark-") as scratch:
        root = Path(scratch)
        write_batches(root / "events", [events[i : i + size] for i in range(0, len(events), size)])
        write_batches(root / "shipments", [data.shipments])
        spark = local_session(args.master)
        stream = (
            spark.readStream.schema(EVENT_SCHEMA)
            .option("maxFilesPerTrigger", 1)
            .json(str(root / "events"))
        )
        facts = spark.readStream.schema(SHIPMENT_SCHEMA).json(str(root / "shipments"))
        changes = incident_changes(
            stream, "default", watermark_delay=args.delay, shipments=facts, api=args.api
        )
        query = (
            changes.writeStream.format("memory")
            .queryName("logix_changes")
            .option("checkpointLocation", str(root / "checkpoint"))
            .trigger(availableNow=True)
            .start()
        )
        query.awaitTermination()
        for progress in query.recentProgress:
            watermark = progress["eventTime"].get("watermark", "-")
            print(
                f"  micro-batch {progress['batchId']}: {progress['numInputRows']:>5} rows in, "
                f"{progress['sink'].get('numOutputRows', 0):>5} changes out, "
                f"watermark {watermark}"
            )
        rows = [row.asDict() for row in spark.table("logix_changes").collect()]
        last = query.recentProgress[-1]["eventTime"]["watermark"]
        spark.stop()
    at = datetime.fromisoformat(last.replace("Z", "+00:00"))
    found = fold_changes(rows)
    engine = Engine("default")
    for shipment in data.shipments:
        engine.upsert_shipment(shipment)
    engine.ingest(events)
    engine.advance(to=at)
    expected = {inc.id: inc.to_dict() for inc in engine.open_incidents()}
    rejected = [r for r in rows if r["change_type"] == "rejected"]
    print(f"{len(rows)} changes; {len(found)} incidents open at the watermark {last}")
    _print_incidents(found)
    if rejected:
        print(f"{len(rejected)} rows rejected, e.g.: {rejected[0]['error']}")
    same = _comparable(found) == _comparable(expected)
    if same:
        print(f"identical to the in-process engine: the same {len(expected)} open incidents")
        return 0
    print(
        f"MISMATCH: the in-process engine has {len(expected)} open incidents, "
        f"{len(set(expected) ^ set(found))} differ"
    )
    return 1


_COMPARED = ("id", "kind", "severity", "rules", "opened_at", "respond_by", "deadlines")


def _comparable(incidents: dict[str, dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """What must agree; amounts that grow with time are left out (snapshot instants differ)."""
    return {
        ident: (
            *(json.dumps(inc[key], sort_keys=True) for key in _COMPARED),
            (inc["remedy"] or {}).get("code"),
        )
        for ident, inc in incidents.items()
    }


def _print_incidents(incidents: dict[str, dict[str, Any]], limit: int = 15) -> None:
    ranked = sorted(incidents.values(), key=lambda i: (i["severity"], i["opened_at"]))
    header = ("severity", "kind", "tracking number", "opened", "remedy")
    table = [
        (
            inc["severity"],
            inc["kind"],
            inc["tracking_number"],
            inc["opened_at"][:16].replace("T", " "),
            (inc["remedy"] or {}).get("code") or "-",
        )
        for inc in ranked[:limit]
    ]
    widths = [max(len(str(row[i])) for row in [header, *table]) for i in range(len(header))]
    for row in [header, *table]:
        cells = (str(cell).ljust(w) for cell, w in zip(row, widths, strict=True))
        print(("  " + "  ".join(cells)).rstrip())
    if len(ranked) > limit:
        print(f"  ... and {len(ranked) - limit} more")


if __name__ == "__main__":
    sys.exit(main())
