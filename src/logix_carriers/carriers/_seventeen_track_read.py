"""Reading 17TRACK API v2.2 answers and pushes into events and problems.

``gettrackinfo`` answers, ``register`` answers and ``TRACKING_UPDATED`` pushes share
one envelope (``code``, ``data.accepted``, ``data.rejected``) and one tracking
object; see :mod:`._seventeen_track` for the adapter and the time rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from .._carrier_time import TimeReading, ZoneFallback
from .._country_codes import alpha2_from_name, to_alpha2
from .._errors import AuthError, CarrierError
from .._estimates import read_estimate
from .._local_time import principal_zone
from .._mapped_event import EventFacts, keep_event, place_event_time, timed_or_dropped
from .._parse_guard import is_object, list_field, piece, plain_text, text_of
from .._status_lookup import map_code
from .._status_maps import Mapped
from .._taxonomy import Status
from .._track_result import ProblemCode, TrackResult, TrackResultBuilder
from .._tracked_number import find_facts

__all__ = [
    "MAX_BATCH",
    "MILESTONE_STAGES",
    "SYSTEM",
    "event_time",
    "map_event",
    "parse_push",
    "parse_register",
    "parse_trackinfo",
]


SYSTEM = "17track"
MAX_BATCH = 40

#: Milestone ``stage`` / ``key_stage`` -> the (main status, sub-status) it stands for.
MILESTONE_STAGES: Mapping[str, tuple[str, str | None]] = {
    "InfoReceived": ("InfoReceived", "InfoReceived"),
    "PickedUp": ("InTransit", "InTransit_PickedUp"),
    "Departure": ("InTransit", "InTransit_Departure"),
    "Arrival": ("InTransit", "InTransit_Arrival"),
    "AvailableForPickup": ("AvailableForPickup", None),
    "OutForDelivery": ("OutForDelivery", None),
    "Delivered": ("Delivered", None),
    "Returning": ("Exception", "Exception_Returning"),
    "Returned": ("Exception", "Exception_Returned"),
}

# Top-level error codes that mean the key itself was refused.
_AUTH_CODES = frozenset({-18010001, -18010002, -18010003, -18010004})
# "Already registered": the number is tracked, which is all register is for.
_ALREADY_REGISTERED = -18019901


def map_event(
    sub_status: str | None, stage: str | None
) -> tuple[Mapped | None, str | None, str | None, str]:
    """``(mapping, main status, sub-status, note)`` of one event's codes.

    The mapping is None when the codes are unknown (or absent: then ``note``
    says so).  A sub-status newer than the table falls back to its main status
    with a note.
    """
    if sub_status:
        main = sub_status.split("_", 1)[0]
        exact = map_code(SYSTEM, None, sub_status)
        if exact is not None:
            return exact, main, sub_status, ""
        by_main = map_code(SYSTEM, main)
        if by_main is not None:
            note = (
                f"sub-status {sub_status!r} is not in the table; classified by its main "
                f"status {main!r}"
            )
            return by_main, main, sub_status, note
        return None, main, sub_status, ""
    if stage:
        if stage in MILESTONE_STAGES:
            main, sub = MILESTONE_STAGES[stage]
            return map_code(SYSTEM, main, sub), main, sub, ""
        # latest_event sometimes carries a main status in ``stage`` ("Exception").
        return map_code(SYSTEM, stage), stage, None, ""
    return None, None, None, "event has neither a sub_status nor a stage"


def _address(event: Mapping[str, Any]) -> dict[str, Any] | None:
    address = event.get("address")
    address = address if isinstance(address, Mapping) else {}
    country = to_alpha2(text_of(address.get("country")))
    place = text_of(event.get("location"))
    if country is None and place:
        # "Germany" or "GASQUET, CA, US": the last comma part may name the country.
        country = to_alpha2(place.rsplit(",", 1)[-1].strip()) or alpha2_from_name(place)
    fields = {
        "country": country,
        "region": text_of(address.get("state")),
        "city": text_of(address.get("city")),
        "postal_code": text_of(address.get("postal_code")),
        "facility": place if place and not address.get("city") else None,
    }
    return {k: v for k, v in fields.items() if v} or None


def _iso(value: Any, field: str) -> datetime | None:
    text = text_of(value)
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError(f"{field} {text!r} is not ISO-8601") from None


def event_time(
    event: Mapping[str, Any],
    location: Mapping[str, Any] | None,
    fallback: ZoneFallback | None = None,
    mapped: Mapped | None = None,
) -> TimeReading:
    """The aware time of an event from ``time_iso`` / ``time_utc`` (see module doc)."""
    local = _iso(event.get("time_iso"), "time_iso")
    utc = _iso(event.get("time_utc"), "time_utc")
    if utc is not None and utc.tzinfo is None:
        utc = utc.replace(tzinfo=UTC)  # the field is UTC by definition
    if local is not None and local.tzinfo is not None:
        return TimeReading(local, "carrier")
    if local is not None:
        placed = place_event_time(local, location, fallback, mapped)
        if utc is None:
            return placed
        zone = placed.moment.tzinfo
        return TimeReading(utc.astimezone(zone), placed.offset_source, placed.note)
    if utc is not None:
        return TimeReading(utc, "carrier")
    raise ValueError("event has neither time_iso nor time_utc")


def _event(out: TrackResultBuilder, number: str, raw: Any, where: str, shared: EventFacts) -> None:
    if not is_object(raw, out, number, where):
        return
    location = _address(raw)
    sub_status, stage = text_of(raw.get("sub_status")), text_of(raw.get("stage"))
    mapped, main, sub, note = map_event(sub_status, stage)
    reading = timed_or_dropped(
        out,
        number,
        lambda: event_time(raw, location, shared.fallback, mapped),
        raw=raw,
        where=where,
    )
    if reading is None:
        return
    if note:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            note + ("" if mapped else "; kept with status 'unknown'"),
            raw=raw,
            location=where,
        )
    elif mapped is not None and mapped.status == Status.UNKNOWN:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            f"17TRACK reports no status ({sub or main}); kept as 'unknown'",
            raw=raw,
            location=where,
        )
    keep_event(
        out,
        SYSTEM,
        number,
        mapped,
        reading,
        coded=bool(main or sub),
        location=location,
        description=text_of(raw.get("description")),
        source={"status": main, "substatus": sub, "code": stage},
        attributes=shared.attributes,
        estimate=shared.estimate,
        raw=raw,
        where=where,
    )


def _shipping_fallback(info: Mapping[str, Any]) -> ZoneFallback:
    shipping = info.get("shipping_info")
    shipping = shipping if isinstance(shipping, Mapping) else {}

    def country(key: str) -> str | None:
        address = shipping.get(key)
        value = address.get("country") if isinstance(address, Mapping) else None
        return to_alpha2(value) if isinstance(value, str) else None

    return ZoneFallback(country("shipper_address"), country("recipient_address"))


def _estimate(
    out: TrackResultBuilder, number: str, info: Mapping[str, Any], fallback: ZoneFallback
) -> datetime | None:
    metrics = info.get("time_metrics")
    block = metrics.get("estimated_delivery_date") if isinstance(metrics, Mapping) else None
    if not isinstance(block, Mapping):
        return None
    value = block.get("to") or block.get("from")
    if not value:
        return None
    try:
        return read_estimate(value, fallback=fallback)
    except ValueError as exc:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            f"17TRACK's estimated delivery is unreadable and was left out: {exc}",
            raw=block,
            location="time_metrics.estimated_delivery_date",
        )
        return None


def _track_item(
    out: TrackResultBuilder, item: Any, where: str, numbers: Sequence[str] = ()
) -> None:
    if not isinstance(item, Mapping):
        out.problem(
            None,
            ProblemCode.BAD_PAYLOAD,
            "accepted entry is not an object",
            raw=item,
            location=where,
        )
        return
    number = text_of(item.get("number"))
    if number is None:
        out.problem(
            None,
            ProblemCode.BAD_PAYLOAD,
            "accepted entry without a number",
            raw=item,
            location=where,
        )
        return
    info = item.get("track_info")
    if not isinstance(info, Mapping):
        out.problem(
            number,
            ProblemCode.NOT_FOUND,
            "17TRACK has no tracking data for this number yet (just registered?)",
            raw=item,
            location=where,
        )
        return
    asked = find_facts(numbers, number)
    shipment_fallback = _shipping_fallback(info).or_else(
        asked.zone_fallback() if asked is not None else None
    )
    estimate = _estimate(out, number, info, shipment_fallback)
    tracking = info.get("tracking")
    providers = tracking.get("providers") if isinstance(tracking, Mapping) else None
    seen_events = False
    for p_index, provider in enumerate(providers if isinstance(providers, list) else []):
        p_where = f"{where}.track_info.tracking.providers[{p_index}]"
        if not isinstance(provider, Mapping):
            out.problem(
                number,
                ProblemCode.BAD_PAYLOAD,
                "provider is not an object",
                raw=provider,
                location=p_where,
            )
            continue
        meta = provider.get("provider")
        attributes: dict[str, Any] = {}
        home: str | None = None
        if isinstance(meta, Mapping):
            if text_of(meta.get("name")):
                attributes["provider"] = text_of(meta.get("name"))
            if isinstance(meta.get("key"), int):
                attributes["provider_key"] = meta["key"]
            home = principal_zone(to_alpha2(text_of(meta.get("country"))))
        label = f"the home zone of {attributes.get('provider', 'the provider')}"
        shared = EventFacts(
            attributes,
            shipment_fallback.or_else(ZoneFallback(home_zone=home, home_label=label)),
            estimate,
        )
        events = list_field(out, number, provider, "events", f"{p_where}.events")
        if events is None:
            continue
        for e_index, raw in enumerate(events):
            seen_events = True
            e_where = f"{p_where}.events[{e_index}]"
            with piece(out, number, raw=raw, location=e_where):
                _event(out, number, raw, e_where, shared)
    if not seen_events:
        latest = info.get("latest_status")
        said = "/".join(
            v
            for v in (
                text_of(latest.get("status")) if isinstance(latest, Mapping) else None,
                text_of(latest.get("sub_status")) if isinstance(latest, Mapping) else None,
            )
            if v
        )
        out.problem(
            number,
            ProblemCode.NOT_FOUND,
            "17TRACK reports no events" + (f" (status {said})" if said else ""),
            raw=latest,
            location=f"{where}.track_info",
        )


def _rejected(out: TrackResultBuilder, rejected: Any, where: str, *, registering: bool) -> None:
    for index, entry in enumerate(rejected if isinstance(rejected, list) else []):
        if not isinstance(entry, Mapping):
            continue
        number = plain_text(entry, "number")
        with piece(
            out,
            number,
            raw=entry,
            location=f"{where}[{index}]",
            what="rejection",
            code=ProblemCode.CARRIER_ERROR,
        ):
            _rejection(out, entry, f"{where}[{index}]", registering=registering)


def _rejection(
    out: TrackResultBuilder, entry: Mapping[str, Any], where: str, *, registering: bool
) -> None:
    number = text_of(entry.get("number"))
    found = entry.get("error")
    error: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    code = error.get("code")
    message = text_of(error.get("message")) or "rejected"
    if registering and code == _ALREADY_REGISTERED:
        return
    lowered = message.lower()
    if "invalid" in lowered or "format" in lowered:
        kind = ProblemCode.INVALID_NUMBER
    elif registering:
        kind = ProblemCode.CARRIER_ERROR
    else:
        kind = ProblemCode.NOT_FOUND
    out.problem(number, kind, f"17TRACK error {code}: {message}", raw=entry, location=where)


def _check_envelope(payload: Any, carrier: str) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise ValueError(f"17TRACK response is {type(payload).__name__}, not a JSON object")
    code = payload.get("code")
    if code == 0:
        data = payload.get("data")
        if not isinstance(data, Mapping):
            raise ValueError("17TRACK response has code 0 but no 'data' object")
        return data
    errors = (
        payload.get("data", {}).get("errors") if isinstance(payload.get("data"), Mapping) else None
    )
    detail = "; ".join(
        f"{e.get('code')}: {e.get('message')}" for e in errors or [] if isinstance(e, Mapping)
    )
    message = f"17TRACK answered error code {code}" + (f" ({detail})" if detail else "")
    if code in _AUTH_CODES:
        raise AuthError(message + f"; check LOGIX_{carrier.upper()}_API_KEY", carrier=carrier)
    raise CarrierError(message, carrier=carrier)


def parse_register(payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
    """Problems from a ``/register`` answer (numbers already registered are fine)."""
    data = _check_envelope(payload, SYSTEM)
    out = TrackResultBuilder(SYSTEM)
    _rejected(out, data.get("rejected"), "data.rejected", registering=True)
    return out.result()


def parse_trackinfo(payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
    """Normalize a ``/gettrackinfo`` answer."""
    data = _check_envelope(payload, SYSTEM)
    out = TrackResultBuilder(SYSTEM, numbers)
    accepted = data.get("accepted") or []
    if not isinstance(accepted, list):
        raise ValueError("17TRACK response's data.accepted is not a list")
    for index, item in enumerate(accepted):
        where = f"data.accepted[{index}]"
        number = plain_text(item, "number")
        with piece(
            out, number, raw=item, location=where, what="entry", code=ProblemCode.BAD_PAYLOAD
        ):
            _track_item(out, item, where, numbers)
    _rejected(out, data.get("rejected"), "data.rejected", registering=False)
    return out.result()


def parse_push(payload: Any) -> TrackResult:
    """Normalize a webhook push (``TRACKING_UPDATED`` or ``TRACKING_STOPPED``)."""
    if not isinstance(payload, Mapping):
        raise ValueError(f"push is {type(payload).__name__}, not a JSON object")
    kind = payload.get("event")
    data = payload.get("data")
    if not isinstance(data, Mapping) or not text_of(data.get("number")):
        raise ValueError("push has no data.number")
    number = str(data["number"]).strip()
    if kind == "TRACKING_STOPPED":
        return TrackResult.build(SYSTEM, numbers=[number])
    if kind != "TRACKING_UPDATED":
        raise ValueError(f"unknown push event {kind!r} (expected TRACKING_UPDATED/STOPPED)")
    out = TrackResultBuilder(SYSTEM, [number])
    _track_item(out, data, "data")
    return out.result()
