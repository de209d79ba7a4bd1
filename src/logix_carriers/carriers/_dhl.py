"""DHL Shipment Tracking - Unified API (``GET /track/shipments``, ``DHL-API-Key`` header).

The request builder and the parser are pure; :class:`DhlAdapter` wires them to the
shared HTTP layer.  Status codes (``statusCode``: ``pre-transit``, ``transit``,
``delivered``, ``failure``, ``unknown``) map through the ``dhl`` table of
:mod:`logix_carriers._status_maps`.

Times: DHL's event timestamps usually carry no offset ("2020-12-07T21:30:00") and
are the local time of the scan.  They are placed in the zone of the event
location (``offset_source="location"``): the ``countryCode``, or the country named
at the end of ``addressLocality`` ("MILAN - ITALY"), narrowed by city where a
country has several zones.  When the location cannot pin one offset down the
event is kept with the country's main zone and a ``partial_data`` problem says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import httpx
from pydantic import SecretStr

from .._adapter import BaseAdapter, Capabilities
from .._country_codes import alpha2_from_name, to_alpha2
from .._http_pacing import RateLimit
from .._local_time import read_carrier_time
from .._parse_guard import piece, plain_text
from .._settings import AdapterSettings
from .._status_lookup import map_code
from .._taxonomy import Status
from .._track_result import ProblemCode, TrackResult, TrackResultBuilder

__all__ = [
    "DhlAdapter",
    "DhlSettings",
    "build_track_request",
    "parse_locality",
    "parse_shipments",
]

SYSTEM = "dhl"

_REGION = re.compile(r"^[A-Z]{2,3}$")


def parse_locality(text: str | None) -> tuple[str | None, str | None, str | None]:
    """``(city, region, country)`` read from DHL's free-text ``addressLocality``.

    DHL writes it several ways: ``"MILAN - ITALY"`` (Express: city, country name),
    ``"Oderweg 2, AMSTERDAM"`` (street, city), ``"Los Angeles, CA"`` (city, state)
    or just ``"Leipzig"``.  ``country`` is an alpha-2 code when a country is named.
    """
    if not text or not text.strip():
        return None, None, None
    parts = [p.strip() for p in re.split(r"\s+-\s+", text.strip()) if p.strip()]
    country = alpha2_from_name(parts[-1]) if len(parts) > 1 else None
    if country is not None:
        parts = parts[:-1]
    head = parts[0] if parts else ""
    pieces = [p.strip() for p in head.split(",") if p.strip()]
    region = None
    if len(pieces) > 1 and _REGION.match(pieces[-1]):
        region = pieces.pop()
        city = pieces[0]
    elif len(pieces) > 1:
        city = pieces[-1]
    else:
        city = pieces[0] if pieces else None
    return city or None, region, country


def _location(raw: Any) -> dict[str, Any] | None:
    address = raw.get("address") if isinstance(raw, Mapping) else None
    if not isinstance(address, Mapping):
        return None
    locality = address.get("addressLocality")
    city, region, named_country = parse_locality(locality if isinstance(locality, str) else None)
    code = address.get("countryCode")
    country = to_alpha2(code) if isinstance(code, str) else None
    fields = {
        "country": country or named_country,
        "region": _text(address.get("addressRegion")) or region,
        "city": city,
        "postal_code": _text(address.get("postalCode")),
    }
    return {k: v for k, v in fields.items() if v} or None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _event(
    out: TrackResultBuilder,
    number: str,
    raw: Any,
    where: str,
    attributes: dict[str, Any],
) -> None:
    if not isinstance(raw, Mapping):
        out.problem(
            number,
            ProblemCode.BAD_EVENT,
            f"event is {type(raw).__name__}, not an object; dropped",
            raw=raw,
            location=where,
        )
        return
    location = _location(raw.get("location"))
    place = location or {}
    try:
        reading = read_carrier_time(
            raw.get("timestamp"),
            country=place.get("country"),
            city=place.get("city"),
            region=place.get("region"),
        )
    except ValueError as exc:
        out.problem(number, ProblemCode.BAD_EVENT, f"event dropped: {exc}", raw=raw, location=where)
        return
    if reading.note:
        out.problem(number, ProblemCode.PARTIAL_DATA, reading.note, raw=raw, location=where)
    code = _text(raw.get("statusCode"))
    mapped = map_code(SYSTEM, code) if code else None
    if mapped is not None and mapped.status == Status.UNKNOWN:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            f"DHL reports statusCode {code!r} (no status available); kept as 'unknown'",
            raw=raw,
            location=where,
        )
    if code is None:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            "DHL sent no statusCode for this event; kept with status 'unknown'",
            raw=raw,
            location=where,
        )
    description = (
        _text(raw.get("description")) or _text(raw.get("status")) or _text(raw.get("remark"))
    )
    data = {
        "tracking_number": number,
        "carrier": SYSTEM,
        "occurred_at": reading.moment,
        "offset_source": reading.offset_source,
        "status": mapped.status if mapped else Status.UNKNOWN,
        "reason": mapped.reason if mapped else None,
        "stage": mapped.effective_stage if mapped else None,
        "location": location,
        "description": description or "",
        "source": {"system": SYSTEM, "status": code, "text": _text(raw.get("status"))},
        "attributes": attributes,
    }
    event = out.event(data, raw=raw, location=where)
    if event is not None and code is not None and mapped is None:
        out.unknown_code(number, event.source, raw=raw, location=where)


def parse_shipments(payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
    """Normalize a decoded ``/track/shipments`` response.

    With exactly one requested number, every shipment's events are filed under it
    (DHL may answer a piece number with its shipment id); otherwise under the
    shipment ``id``.
    """
    if not isinstance(payload, Mapping):
        raise ValueError(f"DHL response is {type(payload).__name__}, not a JSON object")
    out = TrackResultBuilder(SYSTEM, numbers)
    shipments = payload.get("shipments")
    if not isinstance(shipments, list):
        raise ValueError("DHL response has no 'shipments' list")
    requested = numbers[0] if len(numbers) == 1 else None
    for s_index, shipment in enumerate(shipments):
        where = f"shipments[{s_index}]"
        number = requested or plain_text(shipment, "id")
        with piece(
            out, number, raw=shipment, location=where, what="shipment", code=ProblemCode.BAD_PAYLOAD
        ):
            _shipment(out, shipment, where, requested)
    return out.result()


def _shipment(out: TrackResultBuilder, shipment: Any, where: str, requested: str | None) -> None:
    if not isinstance(shipment, Mapping):
        out.problem(
            requested,
            ProblemCode.BAD_PAYLOAD,
            "shipment is not an object",
            raw=shipment,
            location=where,
        )
        return
    shipment_id = _text(shipment.get("id"))
    number = requested or shipment_id
    if number is None:
        out.problem(
            None,
            ProblemCode.BAD_PAYLOAD,
            "shipment without an id",
            raw=shipment,
            location=where,
        )
        return
    attributes: dict[str, Any] = {}
    if _text(shipment.get("service")):
        attributes["dhl_service"] = _text(shipment.get("service"))
    if shipment_id and shipment_id != number:
        attributes["dhl_shipment_id"] = shipment_id
    events = shipment.get("events") or []
    if not isinstance(events, list):
        out.problem(
            number,
            ProblemCode.BAD_PAYLOAD,
            "'events' is not a list",
            raw=events,
            location=f"{where}.events",
        )
        return
    if not events:
        status = shipment.get("status")
        said = _text(status.get("description")) if isinstance(status, Mapping) else None
        out.problem(
            number,
            ProblemCode.NOT_FOUND,
            "DHL lists the shipment but no events yet" + (f" ({said})" if said else ""),
            raw=status,
            location=where,
        )
    for e_index, raw in enumerate(events):
        e_where = f"{where}.events[{e_index}]"
        with piece(out, number, raw=raw, location=e_where):
            _event(out, number, raw, e_where, attributes)


def parse_not_found(payload: Any, numbers: Sequence[str]) -> TrackResult:
    """The problem+json body DHL answers 404 with, as ``not_found`` problems."""
    out = TrackResultBuilder(SYSTEM, numbers)
    detail = ""
    if isinstance(payload, Mapping):
        detail = _text(payload.get("detail")) or _text(payload.get("title")) or ""
    targets: Sequence[str | None] = list(numbers) or [None]
    for number in targets:
        out.problem(number, ProblemCode.NOT_FOUND, detail or "DHL answered 404", raw=payload)
    return out.result()


def build_track_request(
    number: str,
    *,
    api_key: str,
    base_url: str = "https://api-eu.dhl.com",
    service: str | None = None,
    language: str | None = None,
    requester_country_code: str | None = None,
    origin_country_code: str | None = None,
) -> httpx.Request:
    """``GET /track/shipments?trackingNumber=...`` with the ``DHL-API-Key`` header."""
    params = {
        "trackingNumber": number,
        "service": service,
        "language": language,
        "requesterCountryCode": requester_country_code,
        "originCountryCode": origin_country_code,
    }
    return httpx.Request(
        "GET",
        f"{base_url.rstrip('/')}/track/shipments",
        params={k: v for k, v in params.items() if v},
        headers={"Accept": "application/json", "DHL-API-Key": api_key},
    )


class DhlSettings(AdapterSettings):
    """``LOGIX_DHL_API_KEY`` (required) and options.

    ``service`` restricts the lookup to one DHL business (``express``,
    ``parcel-de``, ``ecommerce``...); without it DHL searches all of them.
    """

    api_key: SecretStr
    base_url: str = "https://api-eu.dhl.com"
    service: str | None = None
    language: str = "en"
    requester_country_code: str | None = None
    origin_country_code: str | None = None


class DhlAdapter(BaseAdapter[DhlSettings]):
    """DHL Shipment Tracking - Unified: one number per call, 1 call/s on the free tier."""

    code: ClassVar[str] = SYSTEM
    name: ClassVar[str] = "DHL Shipment Tracking - Unified"
    settings_model: ClassVar[type[AdapterSettings]] = DhlSettings
    # The initial service level allows 1 call per second and 250 calls per day; the
    # bucket follows the per-second figure and DHL's 429 enforces the daily quota.
    capabilities: ClassVar[Capabilities] = Capabilities(
        batch_size=1, rate_limit=RateLimit(1), auth="api_key"
    )
    accept_statuses: ClassVar[frozenset[int]] = frozenset({404})

    def build_requests(self, numbers: Sequence[str]) -> Sequence[httpx.Request]:
        settings = self.settings
        return [
            build_track_request(
                number,
                api_key=settings.api_key.get_secret_value(),
                base_url=settings.base_url,
                service=settings.service,
                language=settings.language,
                requester_country_code=settings.requester_country_code,
                origin_country_code=settings.origin_country_code,
            )
            for number in numbers
        ]

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        if (
            isinstance(payload, Mapping)
            and "shipments" not in payload
            and (payload.get("status") == 404)
        ):
            return parse_not_found(payload, numbers)
        return parse_shipments(payload, numbers)

    def parse_response(self, numbers: Sequence[str], response: httpx.Response) -> TrackResult:
        if response.status_code == 404:
            try:
                payload = response.json()
            except ValueError:
                payload = None
            return parse_not_found(payload, numbers)
        return super().parse_response(numbers, response)
