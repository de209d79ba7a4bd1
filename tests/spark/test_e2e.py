"""End to end on local Spark: a file-source stream, several micro-batches, events out of
order across them, and the same incidents as the in-process engine.

Selected with ``-m spark_e2e`` (see ``conftest.py``); needs PySpark and Java.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from spark_support import engine_open, evaluate_open, jittered, stable

from logix_rules import generate_demo
from logix_rules.core._durations import to_micros
from logix_rules.integrations._spark_rows import fold_changes

pytestmark = pytest.mark.spark_e2e
pytest.importorskip("pyspark", reason="PySpark is not installed (pip install 'logix[spark]')")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip(
        "Spark needs Java 17 or later (apt-get install openjdk-17-jre-headless)",
        allow_module_level=True,
    )

from pyspark.sql import SparkSession  # noqa: E402

from logix_rules.integrations._spark_stream import Api  # noqa: E402
from logix_rules.spark import (  # noqa: E402
    CHANGE_SCHEMA,
    EVENT_SCHEMA,
    HAVE_TRANSFORM_WITH_STATE,
    SHIPMENT_SCHEMA,
    SparkSetupError,
    incident_changes,
)

DEMO = generate_demo(seed=5, shipments=40)
FILES = 5
HOUR_US = 3_600_000_000


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("logix-e2e")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        # Far from UTC on purpose: nothing may depend on the session time zone.
        .config("spark.sql.session.timeZone", "America/Sao_Paulo")
        .config(
            "spark.sql.streaming.stateStore.providerClass",
            "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider",
        )
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def write_files(folder: Path, parts: Sequence[Sequence[dict[str, Any] | str]]) -> None:
    """One JSON-lines file per part, written elsewhere and renamed in (the file source
    reads half-written files otherwise), with increasing times so they are read in order.
    A string is written as it is (a line that is not JSON)."""
    folder.mkdir(parents=True)
    for index, records in enumerate(parts):
        scratch = folder.parent / f".{folder.name}-{index}.tmp"
        lines = (r if isinstance(r, str) else json.dumps(r) for r in records)
        scratch.write_text("".join(line + "\n" for line in lines))
        target = folder / f"{index:04d}.json"
        os.replace(scratch, target)
        os.utime(target, (1_000_000 + index, 1_000_000 + index))


def _split(seed: int) -> list[list[Any]]:
    arrival = jittered(DEMO.events, 12 * HOUR_US, seed=seed)
    size = -(-len(arrival) // FILES)
    return [arrival[i : i + size] for i in range(0, len(arrival), size)]


def _crossings(parts: list[list[Any]]) -> int:
    """Events older than one of their parcel's events in an earlier file."""
    crossing = 0
    newest: dict[str, int] = {}
    for part in parts:
        for event in part:
            t = to_micros(event.occurred_at)
            if t < newest.get(event.tracking_number, t):
                crossing += 1
        for event in part:
            tn = event.tracking_number
            newest[tn] = max(newest.get(tn, 0), to_micros(event.occurred_at))
    return crossing


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spark-input")
    # The point of the exercise: parcels whose events arrive out of order across files.
    # The first seed that gives a few such parcels (the demo data set changes over time).
    parts = next(p for seed in range(2, 50) if _crossings(p := _split(seed)) >= 3)
    records: list[list[dict[str, Any] | str]] = [
        [e.model_dump(mode="json") for e in p] for p in parts
    ]
    records[2].append("this line is not JSON")  # must come out as a rejected row
    write_files(root / "events", records)
    write_files(root / "shipments", [[s.model_dump(mode="json") for s in DEMO.shipments]])
    return root


def run_stream(
    spark: SparkSession, files: Path, api: Api, name: str
) -> tuple[list[dict[str, Any]], Any]:
    events = (
        spark.readStream.schema(EVENT_SCHEMA)
        .option("maxFilesPerTrigger", 1)
        .json(str(files / "events"))
    )
    shipments = spark.readStream.schema(SHIPMENT_SCHEMA).json(str(files / "shipments"))
    changes = incident_changes(
        events, "default", watermark_delay="12 hours", shipments=shipments, api=api
    )
    assert changes.schema == CHANGE_SCHEMA
    query = (
        changes.writeStream.format("memory")
        .queryName(name)
        .option("checkpointLocation", str(files / f"checkpoint-{name}"))
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination()
    rows = [row.asDict() for row in spark.table(name).collect()]
    return rows, query.recentProgress


def check_rejected(rows: list[dict[str, Any]]) -> None:
    [rejected] = [r for r in rows if r["change_type"] == "rejected"]
    assert rejected["tracking_number"] is None
    assert "tracking_number" in rejected["error"]


def check_stream(rows: list[dict[str, Any]], progress: Any) -> None:
    batches = [p["numInputRows"] for p in progress]
    assert sum(1 for n in batches if n > 0) >= FILES
    watermark = datetime.fromisoformat(
        progress[-1]["eventTime"]["watermark"].replace("Z", "+00:00")
    )
    assert watermark > datetime(2026, 1, 1, tzinfo=UTC)
    check_rejected(rows)
    expected = engine_open("default", DEMO.events, DEMO.shipments, watermark)
    assert len(expected) >= 10
    assert stable(fold_changes(rows)) == stable(expected)


@pytest.mark.skipif(not HAVE_TRANSFORM_WITH_STATE, reason="transformWithState needs Spark 4.1+")
def test_stream_matches_the_engine(spark: SparkSession, files: Path) -> None:
    rows, progress = run_stream(spark, files, "transformWithState", "tws")
    check_stream(rows, progress)


def test_fallback_stream_matches_the_engine(spark: SparkSession, files: Path) -> None:
    rows, progress = run_stream(spark, files, "applyInPandasWithState", "pandas")
    check_stream(rows, progress)


def test_bounded_input_as_of_matches_evaluate(spark: SparkSession, files: Path) -> None:
    events = spark.read.schema(EVENT_SCHEMA).json(str(files / "events"))
    shipments = spark.read.schema(SHIPMENT_SCHEMA).json(str(files / "shipments"))
    for at in (DEMO.at, datetime(2026, 3, 12, 6, tzinfo=UTC)):
        rows = [
            r.asDict()
            for r in incident_changes(events, "default", as_of=at, shipments=shipments).collect()
        ]
        expected = evaluate_open("default", DEMO.events, DEMO.shipments, at)
        assert expected
        check_rejected(rows)
        assert stable(fold_changes(rows)) == stable(expected)


def test_setup_mistakes_are_explained(spark: SparkSession, files: Path) -> None:
    bounded = spark.read.schema(EVENT_SCHEMA).json(str(files / "events"))
    with pytest.raises(SparkSetupError, match="as_of="):
        incident_changes(bounded, "default")
    stream = spark.readStream.schema(EVENT_SCHEMA).json(str(files / "events"))
    with pytest.raises(SparkSetupError, match="watermark_delay="):
        incident_changes(stream, "default")
    with pytest.raises(SparkSetupError, match=r"no column.*occurred_at"):
        incident_changes(bounded.drop("occurred_at"), "default", as_of=DEMO.at)
    text_time = bounded.withColumn("occurred_at", bounded["occurred_at"].cast("string"))
    with pytest.raises(SparkSetupError, match="not TIMESTAMP"):
        incident_changes(text_time, "default", as_of=DEMO.at)
    naive = bounded.withColumn("occurred_at", bounded["occurred_at"].cast("timestamp_ntz"))
    with pytest.raises(SparkSetupError, match="TIMESTAMP_NTZ"):
        incident_changes(naive, "default", as_of=DEMO.at)
