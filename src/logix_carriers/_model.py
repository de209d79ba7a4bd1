"""The normalized tracking model: ``TrackingEvent``, ``Shipment`` and their parts."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from typing import Annotated, Any, Final, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)

from ._countries import is_country_code
from ._event_fast import event_builder
from ._local_time import BEYOND, EARLIEST, bounded_utc
from ._shown import shown as _shown
from ._taxonomy import REPORT_SYSTEMS, Reason, Stage, Status, default_stage

__all__ = [
    "ATTRIBUTE_NUMBER_LIMIT",
    "MONEY_DIGITS",
    "MONEY_LIMIT",
    "AttributeValue",
    "EventSource",
    "Location",
    "OffsetSource",
    "Shipment",
    "TrackingEvent",
    "derive_event_id",
]

#: Where an event's UTC offset came from: the carrier's own timestamp, the event's
#: location (the carrier sent local wall time), or a zone the caller assumed.
OffsetSource = Literal["carrier", "location", "assumed"]

#: Values allowed in ``TrackingEvent.attributes``: JSON scalars.
AttributeValue = str | int | float | bool | None

#: Numbers in ``attributes`` are finite and smaller than this in magnitude: every
#: such number is exact as a float (< 2**53), so rules compare them without surprise,
#: and JSON output never has to spell ``Infinity`` or ``NaN``.
ATTRIBUTE_NUMBER_LIMIT: Final = 10**15
#: Money amounts are finite, >= 0, below this, with at most ``MONEY_DIGITS`` digits.
MONEY_LIMIT: Final = Decimal("1e15")
MONEY_DIGITS: Final = 30

#: A money amount as shipments carry it (bounded so remedy arithmetic stays exact).
Money = Annotated[Decimal, Field(ge=0, lt=MONEY_LIMIT, max_digits=MONEY_DIGITS)]

_FROZEN = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _country(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    code = value.strip().upper()
    if not is_country_code(code):
        raise ValueError(
            f"{_shown(value)} is not an ISO-3166 alpha-2 country code (e.g. 'DE', 'US', 'CN')"
        )
    return code


def _zone_from_context(info: ValidationInfo) -> tzinfo | None:
    context = info.context or {}
    zone = context.get("assume_tz")
    if zone is None or isinstance(zone, tzinfo):
        return zone
    try:
        return ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"assume_tz={zone!r} is not an IANA time zone name") from exc


def _aware(value: Any, info: ValidationInfo, field: str) -> tuple[datetime, bool]:
    """Parse ``value`` into an aware datetime; True in the second slot when assumed.

    The instant must lie in the supported range (``bounded_utc``), so it can always
    be moved to UTC and every deadline after it still fits a ``datetime``.
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("z", "Z"))
        except ValueError as exc:
            raise ValueError(f"{field}: {_shown(value)} is not an ISO-8601 timestamp") from exc
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if not isinstance(value, datetime):
        raise ValueError(f"{field}: expected an ISO-8601 string or datetime, got {_shown(value)}")
    if value.tzinfo is not None and value.utcoffset() is not None:
        bounded_utc(value, field)
        return value, False
    zone = _zone_from_context(info)
    if zone is None:
        raise ValueError(
            f"{field}: {value.isoformat()} has no UTC offset; give one "
            "(e.g. '2026-03-01T10:00:00+01:00') or pass assume_tz='Area/City' "
            "to say which zone naive times are in"
        )
    placed = value.replace(tzinfo=zone)
    bounded_utc(placed, field)
    return placed, True


class Location(BaseModel):
    """Where an event happened.  ``country`` is ISO-3166 alpha-2, upper case."""

    model_config = _FROZEN

    country: str | None = None
    region: str | None = None
    city: str | None = None
    postal_code: str | None = None
    facility: str | None = None

    _check_country = field_validator("country", mode="before")(
        lambda value: _country(value) if isinstance(value, str) else value
    )

    def label(self) -> str:
        """A short human label such as ``"Leipzig, DE"``."""
        parts = [p for p in (self.facility or self.city, self.country) if p]
        return ", ".join(parts)


class EventSource(BaseModel):
    """The untouched codes of the system an event came from.

    ``system`` names that system: a carrier or aggregator (``dhl``, ``aftership``) for
    scans, or ``customer`` / ``warehouse`` / ``merchant`` / ``oms`` for reports made by
    people.  Reports never move the carrier status (see ``TrackingEvent.is_report``).
    """

    model_config = _FROZEN

    system: str = "unknown"
    status: str | None = None
    substatus: str | None = None
    code: str | None = None
    text: str | None = None

    @field_validator("system")
    @classmethod
    def _lower_system(cls, value: str) -> str:
        if not value:
            raise ValueError("source.system must not be empty")
        return value.lower()


def derive_event_id(
    *,
    carrier: str,
    tracking_number: str,
    occurred_at: datetime,
    status: str,
    reason: str | None,
    source: EventSource,
    location: Location | None,
) -> str:
    """The stable id of an event: the same scan reported twice gets the same id.

    Built from carrier, tracking number, the UTC instant, the canonical and source
    codes and the location; free text is left out because carriers re-word it.
    """
    loc = location or Location()
    parts = (
        carrier,
        tracking_number,
        occurred_at.astimezone(UTC).isoformat(),
        status,
        reason or "",
        source.system,
        source.status or "",
        source.substatus or "",
        source.code or "",
        loc.country or "",
        (loc.city or "").casefold(),
        (loc.facility or "").casefold(),
    )
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=10).hexdigest()
    return f"ev_{digest}"


class TrackingEvent(BaseModel):
    """One scan or report about one parcel, in the canonical taxonomy.

    ``occurred_at`` is always timezone-aware and stored in UTC; the offset it was
    reported in is kept in ``utc_offset_minutes`` and where that offset came from in
    ``offset_source``.  Naive input is rejected unless the caller says which zone to
    assume (``TrackingEvent.parse(data, assume_tz="Asia/Shanghai")``).
    ``estimated_delivery`` is the carrier's delivery estimate as of the answer that
    carried the event (aware, UTC, bounded like ``occurred_at``), when it gave one.
    """

    model_config = _FROZEN

    tracking_number: Annotated[str, Field(min_length=1, max_length=80)]
    carrier: Annotated[str, Field(min_length=1, max_length=40)]
    occurred_at: datetime
    utc_offset_minutes: Annotated[int, Field(ge=-18 * 60, le=18 * 60)] = 0
    offset_source: OffsetSource = "carrier"
    stage: Stage
    status: Status
    reason: Reason | None = None
    location: Location | None = None
    description: str = ""
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    source: EventSource = Field(default_factory=EventSource)
    event_id: Annotated[str, Field(min_length=1, max_length=200)]
    estimated_delivery: datetime | None = None

    @field_validator("attributes")
    @classmethod
    def _bounded_numbers(cls, value: dict[str, AttributeValue]) -> dict[str, AttributeValue]:
        for key, item in value.items():
            # NaN fails both comparisons, so it is refused with the infinities.
            if (
                isinstance(item, int | float)
                and not -ATTRIBUTE_NUMBER_LIMIT < item < ATTRIBUTE_NUMBER_LIMIT
                and not isinstance(item, bool)
            ):
                raise ValueError(
                    f"attribute {_shown(key)}: {_shown(item)} is not a finite number below "
                    "1e15 in magnitude; send such values as strings"
                )
        return value

    @model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("carrier"), str):
            data["carrier"] = data["carrier"].strip().lower()
        raw = data.get("occurred_at")
        if raw is not None:
            try:
                moment, assumed = _aware(raw, info, "occurred_at")
            except ValueError:
                pass  # the field validator reports it, located at occurred_at
            else:
                offset = moment.utcoffset()
                assert offset is not None  # _aware guarantees an aware datetime
                data["occurred_at"] = moment.astimezone(UTC)
                data.setdefault("utc_offset_minutes", int(offset.total_seconds() // 60))
                if assumed:
                    data["offset_source"] = "assumed"
        if data.get("stage") is None and data.get("status") is not None:
            try:
                status = Status(data["status"])
                reason = Reason(data["reason"]) if data.get("reason") else None
            except ValueError:
                # The bad status or reason gets its own error; a placeholder stage keeps
                # it from also producing a misleading "stage: field required".
                data["stage"] = Stage.LINE_HAUL
            else:
                data["stage"] = default_stage(status, reason)
        if not data.get("event_id"):
            data["event_id"] = _DERIVE_LATER
        return data

    @field_validator("occurred_at", mode="before")
    @classmethod
    def _occurred_at_aware(cls, value: Any, info: ValidationInfo) -> Any:
        if type(value) is datetime and value.tzinfo is UTC and EARLIEST <= value < BEYOND:
            return value  # _normalize read it already: _aware once per event
        return _aware(value, info, "occurred_at")[0].astimezone(UTC)

    @field_validator("estimated_delivery", mode="before")
    @classmethod
    def _estimate_aware(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        return _aware(value, info, "estimated_delivery")[0].astimezone(UTC)

    @model_validator(mode="after")
    def _fill_event_id(self) -> Self:
        if self.event_id == _DERIVE_LATER:
            derived = derive_event_id(
                carrier=self.carrier,
                tracking_number=self.tracking_number,
                occurred_at=self.occurred_at,
                status=self.status.value,
                reason=self.reason.value if self.reason else None,
                source=self.source,
                location=self.location,
            )
            object.__setattr__(self, "event_id", derived)
        return self

    @classmethod
    def parse(cls, data: Any, *, assume_tz: str | tzinfo | None = None) -> TrackingEvent:
        """Validate ``data`` (a dict or an event); naive times are read in ``assume_tz``."""
        if type(data) is dict:
            event = build_event(data)  # the common shape, checked; else the full way
            if event is not None:
                return event
        elif isinstance(data, cls):
            if assume_tz is None:
                return data
            data = data.model_dump()
        return cls.model_validate(data, context={"assume_tz": assume_tz})

    @property
    def is_report(self) -> bool:
        """True for reports made by people (customer, warehouse...), not carrier scans."""
        return self.source.system in REPORT_SYSTEMS

    @property
    def local_time(self) -> datetime:
        """``occurred_at`` in the offset it was reported in."""
        from datetime import timedelta, timezone

        return self.occurred_at.astimezone(timezone(timedelta(minutes=self.utc_offset_minutes)))


_DERIVE_LATER = "\x00derive"
#: ``TrackingEvent.parse``'s checked shortcut for a dict (None: ask the full validator);
#: the rules package's batch validation calls it straight.
build_event = event_builder(TrackingEvent, Location, EventSource, derive_event_id)


class Shipment(BaseModel):
    """The facts an order-management system knows about a parcel.

    ``lane`` (``"CN-US"``) and ``cross_border`` are derived from the two countries.
    Money amounts are ``Decimal`` in ``currency``.  ``insured`` is None when unknown;
    ``insured_value`` defaults to ``declared_value``.
    """

    model_config = _FROZEN

    tracking_number: Annotated[str, Field(min_length=1, max_length=80)]
    carrier: Annotated[str, Field(min_length=1, max_length=40)]
    origin_country: str | None = None
    destination_country: str | None = None
    service_level: str | None = None
    shipped_at: datetime | None = None
    promised_at: datetime | None = None
    declared_value: Money | None = None
    freight_cost: Money | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    #: True or False when the OMS knows; None when it does not (no advisory then).
    insured: bool | None = None
    #: What the insurer pays for a total loss; the declared value unless given.
    insured_value: Money | None = None
    category: str | None = None
    order_id: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        # ``model_dump()`` includes the derived fields; accept it back unchanged.
        if isinstance(data, dict) and ("lane" in data or "cross_border" in data):
            data = {k: v for k, v in data.items() if k not in ("lane", "cross_border")}
        if isinstance(data, dict) and data.get("insured_value") is None:
            declared = data.get("declared_value")
            if declared is not None:
                data = {**data, "insured_value": declared}
        return data

    @field_validator("carrier", mode="before")
    @classmethod
    def _lower_carrier(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("origin_country", "destination_country", mode="before")
    @classmethod
    def _check_country(cls, value: Any) -> Any:
        return _country(value) if isinstance(value, str) else value

    @field_validator("currency", mode="before")
    @classmethod
    def _upper_currency(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("shipped_at", "promised_at", mode="before")
    @classmethod
    def _aware_utc(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        moment, _ = _aware(value, info, info.field_name or "time")
        return moment.astimezone(UTC)

    @classmethod
    def parse(cls, data: Any, *, assume_tz: str | tzinfo | None = None) -> Shipment:
        """Validate ``data`` (a dict or a shipment); naive times are read in ``assume_tz``."""
        if isinstance(data, cls):
            return data
        return cls.model_validate(data, context={"assume_tz": assume_tz})

    @computed_field  # type: ignore[prop-decorator]
    @property
    def lane(self) -> str | None:
        """``"ORIGIN-DESTINATION"`` when both countries are known."""
        if self.origin_country and self.destination_country:
            return f"{self.origin_country}-{self.destination_country}"
        return None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cross_border(self) -> bool:
        """True when origin and destination are known and differ."""
        return bool(
            self.origin_country
            and self.destination_country
            and self.origin_country != self.destination_country
        )
