"""The DataFrames of the Spark integration: the schemas, and the conversions of user
DataFrames into the flat rows the processor reads (``prepare_input``) and of its rows
into incident changes (``finish_output``).

Instants cross into Python as microseconds since the epoch (see ``_spark_rows``);
these conversions turn ``TIMESTAMP`` columns into them and back in SQL.
"""

from __future__ import annotations

from typing import Any

try:
    from pyspark.sql import DataFrame, Row
    from pyspark.sql import functions as F
    from pyspark.sql.column import Column
    from pyspark.sql.types import (
        ArrayType,
        BinaryType,
        BooleanType,
        DataType,
        DecimalType,
        DoubleType,
        FloatType,
        IntegerType,
        LongType,
        MapType,
        StringType,
        StructField,
        StructType,
        TimestampNTZType,
        TimestampType,
    )
except ImportError as _exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "logix_rules.spark needs PySpark, which is not installed: "
        "pip install 'logix[spark]' (PySpark 3.4 or later; 4.1 or later for "
        "transformWithState)"
    ) from _exc


from logix_carriers import Shipment, TrackingEvent

from ..core._errors import LogixError
from ._spark_rows import INPUT_FIELDS, OUTPUT_FIELDS, event_to_input, shipment_to_input

__all__ = [
    "CHANGE_SCHEMA",
    "EVENT_SCHEMA",
    "INPUT_SCHEMA",
    "OUTPUT_SCHEMA",
    "SHIPMENT_SCHEMA",
    "STATE_SCHEMA",
    "SparkSetupError",
    "finish_output",
    "input_row",
    "prepare_input",
]

_EVENT_TIME = "event_time"


def _s(name: str, nullable: bool = True) -> StructField:
    return StructField(name, StringType(), nullable)


#: Tracking events as users provide them: the ``TrackingEvent`` fields.  ``attributes``
#: is a JSON object in a string (a map or struct column is converted with ``to_json``).
EVENT_SCHEMA = StructType(
    [
        _s("tracking_number", False),
        _s("carrier", False),
        StructField("occurred_at", TimestampType(), False),
        StructField("utc_offset_minutes", IntegerType()),
        _s("offset_source"),
        _s("stage"),
        _s("status", False),
        _s("reason"),
        StructField(
            "location",
            StructType([_s(n) for n in ("country", "region", "city", "postal_code", "facility")]),
        ),
        _s("description"),
        _s("attributes"),
        StructField(
            "source",
            StructType([_s(n) for n in ("system", "status", "substatus", "code", "text")]),
        ),
        _s("event_id"),
        StructField("estimated_delivery", TimestampType()),
    ]
)
#: Shipment facts as users provide them: the ``Shipment`` fields; money as decimal text.
SHIPMENT_SCHEMA = StructType(
    [
        _s("tracking_number", False),
        _s("carrier", False),
        _s("origin_country"),
        _s("destination_country"),
        _s("service_level"),
        StructField("shipped_at", TimestampType()),
        StructField("promised_at", TimestampType()),
        _s("declared_value"),
        _s("freight_cost"),
        _s("currency"),
        StructField("insured", BooleanType()),
        _s("category"),
        _s("order_id"),
    ]
)
_LONG_INPUTS = frozenset(
    {"occurred_at_us", "shipped_at_us", "promised_at_us", "estimated_delivery_us"}
)
#: The flat rows the processor reads (``prepare_input`` makes them); instants in µs.
INPUT_SCHEMA = StructType(
    [
        StructField(
            name,
            LongType()
            if name in _LONG_INPUTS
            else IntegerType()
            if name == "utc_offset_minutes"
            else BooleanType()
            if name == "insured"
            else StringType(),
        )
        for name in INPUT_FIELDS
    ]
)
_LONG_OUTPUTS = frozenset(
    {"seq", "at_us", "opened_at_us", "respond_by_us", "resolve_by_us", "escalate_at_us"}
)
#: The rows the processor emits (``finish_output`` makes ``CHANGE_SCHEMA`` of them).
OUTPUT_SCHEMA = StructType(
    [
        StructField(
            name,
            LongType()
            if name in _LONG_OUTPUTS
            else ArrayType(StringType())
            if name == "rules"
            else MapType(StringType(), LongType())
            if name == "deadlines_us"
            else StringType(),
        )
        for name in OUTPUT_FIELDS
    ]
)
#: One change per row.  ``change_type`` is opened / updated / escalated / cleared, or
#: ``rejected`` for an input row that is not a valid event or shipment (``error`` says
#: why).  ``seq`` orders the changes of one tracking number; ``incident_json`` holds
#: the whole incident (``Incident.to_dict()``: remedy amounts, evidence...);
#: ``change_id`` is ``Change.id``, the same as the engine's for the same change.
CHANGE_SCHEMA = StructType(
    [
        _s("change_type"),
        StructField("seq", LongType()),
        StructField("at", TimestampType()),
        _s("tracking_number"),
        _s("carrier"),
        _s("incident_id"),
        _s("kind"),
        _s("severity"),
        _s("state"),
        StructField("rules", ArrayType(StringType())),
        StructField("opened_at", TimestampType()),
        StructField("respond_by", TimestampType()),
        StructField("resolve_by", TimestampType()),
        StructField("escalate_at", TimestampType()),
        StructField("deadlines", MapType(StringType(), TimestampType())),
        _s("remedy_code"),
        _s("explanation"),
        _s("incident_json"),
        _s("change_id"),
        _s("error"),
    ]
)
#: The keyed state: the kernel's serialized state and the key's last ``seq``.
STATE_SCHEMA = StructType(
    [StructField("state", BinaryType(), False), StructField("seq", LongType(), False)]
)


class SparkSetupError(LogixError, RuntimeError):
    """The DataFrame or the session cannot run the pack as asked; the message says how to fix it."""


# -- input and output ----------------------------------------------------------------------------
def _column(df: DataFrame, name: str, kind: DataType) -> Column:
    if name in df.columns:
        return F.col(name).cast(kind)
    return F.lit(None).cast(kind)


def _nested(df: DataFrame, parent: str, name: str) -> Column:
    field = next((f for f in df.schema.fields if f.name == parent), None)
    if (
        field is not None
        and isinstance(field.dataType, StructType)
        and name in field.dataType.fieldNames()
    ):
        return F.col(parent).getField(name).cast(StringType())
    return F.lit(None).cast(StringType())


def _instant(df: DataFrame, name: str, what: str) -> Column:
    """µs since the epoch of a TIMESTAMP column; naive or text columns are refused."""
    if name not in df.columns:
        return F.lit(None).cast(LongType())
    kind = df.schema[name].dataType
    if isinstance(kind, TimestampType):
        return F.expr(f"unix_micros(`{name}`)")
    if isinstance(kind, TimestampNTZType):
        raise SparkSetupError(
            f"{what}.{name} is TIMESTAMP_NTZ (no time zone), and logix never guesses one: "
            f"convert it with to_utc_timestamp(`{name}`, 'Area/City') or read it as TIMESTAMP"
        )
    raise SparkSetupError(
        f"{what}.{name} is {kind.simpleString()}, not TIMESTAMP: parse it first, e.g. "
        f"with to_timestamp(`{name}`) on ISO-8601 text that carries its UTC offset "
        f"(or read the source with logix_rules.spark.{what.upper()}_SCHEMA)"
    )


def _require(df: DataFrame, names: tuple[str, ...], what: str, schema: str) -> None:
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise SparkSetupError(
            f"the {what} DataFrame has no column(s) {', '.join(missing)} "
            f"(it has: {', '.join(df.columns) or 'none'}); "
            f"its columns are the fields of logix_rules.spark.{schema}"
        )


def prepare_input(events: DataFrame, shipments: DataFrame | None = None) -> DataFrame:
    """Flat rows of ``INPUT_SCHEMA`` from events (and shipment facts), ready to group.

    Optional columns may be missing; ``location`` and ``source`` are structs as in
    ``EVENT_SCHEMA``; ``attributes`` may be a JSON string, a map or a struct.
    """
    return _prepare(events, shipments, event_time=False)


def _prepare(events: DataFrame, shipments: DataFrame | None, *, event_time: bool) -> DataFrame:
    """``prepare_input``; with ``event_time``, plus the watermarked ``occurred_at`` column
    itself, which ``applyInPandasWithState`` needs to accept an event-time timeout."""
    _require(
        events, ("tracking_number", "carrier", "occurred_at", "status"), "events", "EVENT_SCHEMA"
    )
    attributes = _column(events, "attributes", StringType())
    if "attributes" in events.columns and not isinstance(
        events.schema["attributes"].dataType, StringType
    ):
        attributes = F.to_json(F.col("attributes"))
    event_cols: dict[str, Column] = {
        "record": F.lit("event"),
        "tracking_number": _column(events, "tracking_number", StringType()),
        "carrier": _column(events, "carrier", StringType()),
        "occurred_at_us": _instant(events, "occurred_at", "events"),
        "utc_offset_minutes": _column(events, "utc_offset_minutes", IntegerType()),
        "offset_source": _column(events, "offset_source", StringType()),
        "stage": _column(events, "stage", StringType()),
        "status": _column(events, "status", StringType()),
        "reason": _column(events, "reason", StringType()),
        "description": _column(events, "description", StringType()),
        "attributes": attributes,
        "event_id": _column(events, "event_id", StringType()),
        "estimated_delivery_us": _instant(events, "estimated_delivery", "events"),
    }
    for name in ("country", "region", "city", "postal_code", "facility"):
        event_cols[name] = _nested(events, "location", name)
    for name in ("system", "status", "substatus", "code", "text"):
        event_cols[f"source_{name}"] = _nested(events, "source", name)
    extra: list[Column] = [F.col("occurred_at").alias(_EVENT_TIME)] if event_time else []
    flat = events.select(*[_or_null(event_cols, f) for f in INPUT_FIELDS], *extra)
    if shipments is None:
        return flat
    _require(shipments, ("tracking_number", "carrier"), "shipments", "SHIPMENT_SCHEMA")
    if shipments.isStreaming != events.isStreaming:
        raise SparkSetupError(
            "events and shipments must both be streams or both be bounded DataFrames; "
            "read the shipments with spark.readStream too (e.g. readStream.table(...))"
        )
    ship_cols: dict[str, Column] = {
        "record": F.lit("shipment"),
        "shipped_at_us": _instant(shipments, "shipped_at", "shipments"),
        "promised_at_us": _instant(shipments, "promised_at", "shipments"),
        "insured": _column(shipments, "insured", BooleanType()),
    }
    for name in (
        "tracking_number",
        "carrier",
        "origin_country",
        "destination_country",
        "service_level",
        "currency",
        "category",
        "order_id",
    ):
        ship_cols[name] = _column(shipments, name, StringType())
    for name in ("declared_value", "freight_cost"):
        ship_cols[name] = _money(shipments, name)
    extra = [F.lit(None).cast(TimestampType()).alias(_EVENT_TIME)] if event_time else []
    facts = shipments.select(*[_or_null(ship_cols, f) for f in INPUT_FIELDS], *extra)
    return flat.unionByName(facts)


def _money(df: DataFrame, name: str) -> Column:
    if name in df.columns and isinstance(df.schema[name].dataType, DoubleType | FloatType):
        raise SparkSetupError(
            f"shipments.{name} is a floating-point column; money must be exact: "
            "use DECIMAL or decimal text (e.g. '12.50')"
        )
    if name in df.columns and isinstance(df.schema[name].dataType, DecimalType):
        return F.col(name).cast(StringType())
    return _column(df, name, StringType())


def _or_null(columns: dict[str, Column], name: str) -> Column:
    kind = INPUT_SCHEMA[name].dataType
    found = columns.get(name)
    return (found if found is not None else F.lit(None)).cast(kind).alias(name)


def input_row(item: TrackingEvent | Shipment | dict[str, Any]) -> Row:
    """One ``INPUT_SCHEMA`` row, as ``prepare_input`` makes it: for unit tests of the
    processor (``TwsTester``) without a JVM.  A dict is read as an event."""
    if isinstance(item, Shipment):
        return Row(**shipment_to_input(item))
    event = item if isinstance(item, TrackingEvent) else TrackingEvent.parse(item)
    return Row(**event_to_input(event))


def finish_output(raw: DataFrame) -> DataFrame:
    """``CHANGE_SCHEMA`` rows from the processor's ``OUTPUT_SCHEMA`` rows (µs -> TIMESTAMP)."""
    instants = {"at", "opened_at", "respond_by", "resolve_by", "escalate_at"}
    columns: list[Column] = []
    for field in CHANGE_SCHEMA.fields:
        name = field.name
        if name in instants:
            columns.append(F.expr(f"timestamp_micros(`{name}_us`)").alias(name))
        elif name == "deadlines":
            columns.append(
                F.expr("transform_values(deadlines_us, (k, v) -> timestamp_micros(v))").alias(name)
            )
        else:
            columns.append(F.col(name))
    return raw.select(*columns)
