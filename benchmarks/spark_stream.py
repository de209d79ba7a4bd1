"""Spark throughput: the same stream through the in-process engine and local Spark.

The demo stream (``logix_rules.generate_demo``: ~9.3 events per shipment, late and
repeated scans, shipment facts) is cut into micro-batches in arrival order and runs
the full ``default`` pack:

* ``engine``  ``Engine`` in this process: for each micro-batch, ``advance`` to the
  watermark Spark would have at that batch, then ``ingest`` the batch; a final
  ``advance`` to the last watermark.
* ``spark``   ``logix_rules.spark.incident_changes`` on local Spark (``local[2]``):
  a file-source stream, one file per micro-batch (``maxFilesPerTrigger=1``),
  ``trigger(availableNow=True)``, the memory sink.  Its time counts from the start of
  the query to its end (the JVM and session start-up are reported apart); ``steady``
  leaves out the first micro-batch, which starts the Python workers.
* ``spark/1`` the same stream in a single micro-batch: the results must not depend
  on how the stream is cut.
* ``minimal`` the floor Spark itself sets: a hand-written processor of the same shape
  (one ``ValueState`` of ~2 KB, one timer deleted and registered per parcel and
  micro-batch, no rules) on the same micro-batches.

The incidents the change stream leaves open at the final watermark must be identical
(id, kind, severity, rules, opened_at, deadlines, remedy) for all of them, or the
script stops with exit status 1.  Without PySpark or Java the Spark figures are
``na``.  The JVM makes even ``--tiny`` take 30-60 s.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fail, header, parse_args, result_line, table, timed

from logix_carriers import TrackingEvent
from logix_rules import DemoData, Engine, generate_demo
from logix_rules.core._durations import from_micros, to_micros

SIZES = {"full": (3_000, 1), "quick": (600, 1), "tiny": (60, 1)}
BATCHES = {"full": 12, "quick": 6, "tiny": 3}
DELAY_HOURS = 12
COMPARED = ("id", "kind", "severity", "rules", "opened_at", "respond_by", "deadlines")


def comparable(incidents: dict[str, dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    return {
        ident: (
            *(json.dumps(inc[key], sort_keys=True) for key in COMPARED),
            (inc["remedy"] or {}).get("code"),
        )
        for ident, inc in incidents.items()
    }


def watermarks(batches: Sequence[Sequence[TrackingEvent]]) -> list[int]:
    """The watermark (ms) each micro-batch runs under, and the final one, as Spark sets
    them: the newest event time of the batches before, minus the delay, never moving back."""
    marks = [0]
    newest = None
    for batch in batches:
        for event in batch:
            ms = to_micros(event.occurred_at) // 1000
            newest = ms if newest is None else max(newest, ms)
        if newest is not None:
            marks.append(max(marks[-1], newest - DELAY_HOURS * 3_600_000))
    return marks


def run_engine(
    data: DemoData, batches: Sequence[Sequence[TrackingEvent]]
) -> tuple[float, int, dict[str, dict[str, Any]]]:
    marks = watermarks(batches)
    engine = Engine("default")

    def run() -> int:
        changes = 0
        for shipment in data.shipments:
            changes += len(engine.upsert_shipment(shipment))
        for mark, batch in zip(marks, batches, strict=False):
            if mark > 0:
                changes += len(engine.advance(to=from_micros(mark * 1000)))
            changes += len(engine.ingest(batch))
        changes += len(engine.advance(to=from_micros(marks[-1] * 1000)))
        return changes

    seconds, changes = timed(run)
    return seconds, changes, {i.id: i.to_dict() for i in engine.open_incidents()}


def spark_ready() -> str | None:
    """Why Spark cannot run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed (pip install 'logix[spark]')"
    if shutil.which("java") is None:
        return "Java is not installed (Spark needs Java 17+)"
    return None


def run_spark(
    spark: Any,
    data: DemoData,
    batches: Sequence[Sequence[TrackingEvent]],
    folder: Path,
    name: str,
) -> tuple[float, float, int, dict[str, dict[str, Any]], datetime]:
    from logix_rules.spark import (
        EVENT_SCHEMA,
        SHIPMENT_SCHEMA,
        fold_changes,
        incident_changes,
        write_batches,
    )

    write_batches(folder / "events", batches)
    write_batches(folder / "shipments", [data.shipments])
    events = (
        spark.readStream.schema(EVENT_SCHEMA)
        .option("maxFilesPerTrigger", 1)
        .json(str(folder / "events"))
    )
    facts = spark.readStream.schema(SHIPMENT_SCHEMA).json(str(folder / "shipments"))
    changes = incident_changes(
        events, "default", watermark_delay=f"{DELAY_HOURS} hours", shipments=facts
    )

    def run() -> Any:
        query = (
            changes.writeStream.format("memory")
            .queryName(name)
            .option("checkpointLocation", str(folder / "checkpoint"))
            .trigger(availableNow=True)
            .start()
        )
        query.awaitTermination()
        return query

    seconds, query = timed(run)
    progress = query.recentProgress
    later = [p for p in progress[1:] if p["numInputRows"] > 0]
    steady_rows = sum(p["numInputRows"] for p in later)
    steady_s = sum(p["durationMs"]["triggerExecution"] for p in later) / 1000
    rows = [row.asDict() for row in spark.table(name).collect()]
    last = progress[-1]["eventTime"]["watermark"]
    steady = steady_rows / steady_s if steady_s else 0.0
    watermark = datetime.fromisoformat(last.replace("Z", "+00:00"))
    return seconds, steady, len(rows), fold_changes(rows), watermark


def run_minimal(spark: Any, batches: Sequence[Sequence[TrackingEvent]], folder: Path) -> float:
    """Seconds of the ``minimal`` contender over the same files."""
    from pyspark.sql import Row
    from pyspark.sql.streaming.stateful_processor import StatefulProcessor

    from logix_rules.spark import EVENT_SCHEMA, prepare_input, write_batches

    class Minimal(StatefulProcessor):
        def init(self, handle: Any) -> None:
            self.handle = handle
            self.value = handle.getValueState("s", "state binary, due long")

        def handleInputRows(self, key: Any, rows: Any, timerValues: Any) -> Any:
            old = self.value.get()
            count = sum(1 for _ in rows)
            blob = ((old[0] if old else b"") + b"x" * (200 * count))[-2000:]
            due = timerValues.getCurrentWatermarkInMs() + 86_400_000 + count
            if old is not None:
                self.handle.deleteTimer(old[1])
            self.handle.registerTimer(due)
            self.value.update((blob, due))
            return iter([Row(tracking_number=key[0], events=count)])

        def close(self) -> None:
            pass

    write_batches(folder / "events", batches)
    events = (
        spark.readStream.schema(EVENT_SCHEMA)
        .option("maxFilesPerTrigger", 1)
        .json(str(folder / "events"))
        .withWatermark("occurred_at", f"{DELAY_HOURS} hours")
    )
    out = (
        prepare_input(events)
        .groupBy("tracking_number")
        .transformWithState(Minimal(), "tracking_number string, events long", "Append", "EventTime")
    )

    def run() -> None:
        query = (
            out.writeStream.format("memory")
            .queryName("bench_minimal")
            .option("checkpointLocation", str(folder / "checkpoint"))
            .trigger(availableNow=True)
            .start()
        )
        query.awaitTermination()

    seconds, _ = timed(run)
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    args, size = parse_args(__doc__.splitlines()[0] if __doc__ else "", SIZES, argv)
    count = BATCHES[size.mode]
    t_gen, data = timed(lambda: generate_demo(seed=args.seed, shipments=size.n))
    events = list(data.events)
    step = -(-len(events) // count)
    batches = [events[i : i + step] for i in range(0, len(events), step)]
    header(
        "Spark stream",
        size,
        f"{size.n:,} shipments, {len(events):,} events, {len(batches)} micro-batches, "
        f"watermark delay {DELAY_HOURS} h (generated in {t_gen:.1f} s)",
    )
    t_engine, engine_changes, engine_open = run_engine(data, batches)
    at = from_micros(watermarks(batches)[-1] * 1000)
    rows: list[list[Any]] = [
        ["engine", len(batches), len(events) / t_engine, t_engine, engine_changes, len(engine_open)]
    ]
    why_not = spark_ready()
    spark_eps = steady_eps = startup = minimal_eps = None
    identical = "na"
    if why_not is None:
        from logix_rules.spark import local_session

        startup, spark = timed(lambda: local_session("local[2]"))
        scratch = Path(tempfile.mkdtemp(prefix="logix-bench-"))
        try:
            runs = {
                "spark": (batches, "bench_many"),
                "spark/1": ([events], "bench_one"),
            }
            found = {}
            for label, (cut, name) in runs.items():
                seconds, steady, changes, folded, watermark = run_spark(
                    spark, data, cut, scratch / name, name
                )
                if watermark != at:
                    fail(f"MISMATCH: {label} ended at watermark {watermark}, expected {at}")
                found[label] = folded
                rows.append([label, len(cut), len(events) / seconds, seconds, changes, len(folded)])
                if label == "spark":
                    spark_eps, steady_eps = len(events) / seconds, steady
            from logix_rules.spark import HAVE_TRANSFORM_WITH_STATE

            if HAVE_TRANSFORM_WITH_STATE:
                seconds = run_minimal(spark, batches, scratch / "bench_minimal")
                minimal_eps = len(events) / seconds
                rows.append(["minimal", len(batches), minimal_eps, seconds, "-", "-"])
        finally:
            spark.stop()
            shutil.rmtree(scratch, ignore_errors=True)
        expected = comparable(engine_open)
        for label, folded in found.items():
            got = comparable(folded)
            if got != expected:
                fail(
                    f"MISMATCH: {label} and the engine disagree at {at.isoformat()}: "
                    f"{len(set(got) ^ set(expected))} incident ids differ, "
                    f"{sum(got[k] != expected[k] for k in set(got) & set(expected))} differ "
                    "in content"
                )
        identical = "yes"
    print()
    table(["contender", "micro-batches", "events/s", "seconds", "changes", "open"], rows)
    if why_not is not None:
        print(f"spark: skipped, {why_not}")
    else:
        print(f"spark session start-up: {startup:.1f} s (not counted)")
        print(f"spark steady state (after the first micro-batch): {steady_eps:,.0f} events/s")
        if spark_eps is not None and minimal_eps is not None:
            print(f"spark/minimal = {spark_eps / minimal_eps:.2f}  (throughput; 1 = Spark floor)")
        print(
            f"agreement: engine, spark and spark/1 leave the same {len(engine_open)} incidents "
            f"open at {at.isoformat()}"
        )
    print(
        result_line(
            engine_eps=round(len(events) / t_engine),
            spark_eps=None if spark_eps is None else round(spark_eps),
            spark_steady_eps=None if steady_eps is None else round(steady_eps),
            minimal_eps=None if minimal_eps is None else round(minimal_eps),
            spark_over_minimal=None
            if spark_eps is None or minimal_eps is None
            else spark_eps / minimal_eps,
            spark_startup_s=startup,
            identical=identical,
            events=len(events),
            shipments=size.n,
            batches=len(batches),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
