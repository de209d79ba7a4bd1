"""DHL Shipment Tracking - Unified API (``GET /track/shipments``, ``DHL-API-Key`` header).

The request builder and the parser are pure; :class:`DhlAdapter` wires them to the
shared HTTP layer.  Status codes (``statusCode``: ``pre-transit``, ``transit``,
``delivered``, ``failure``, ``unknown``) map through the ``dhl`` table of
:mod:`logix_carriers._status_maps`.

Times: DHL's event timestamps usually carry no offset ("2020-12-07T21:30:00") and
are the local time of the scan.  They are placed in the zone of the event
location (``offset_source="location"``): the ``countryCode``, or the country named
by ``addressLocality`` ("MILAN - ITALY", Parcel DE's bare "Germany"/"Deutschland"),
narrowed by city where a country has several zones.  A multi-zone country alone
gives its principal zone.  An event with no readable place (Parcel DE events often
have no location at all) is read in the shipment's country for its leg, else in
the service's home zone (``Europe/Berlin`` for Parcel DE); every such guess is
``offset_source="assumed"`` with a ``partial_data`` problem, and no event is lost.

Numbers: answers are filed under the shipment ``id`` DHL returned, never under the
requested number: without ``service`` DHL can answer with another shipment's data.
When the ids differ, the requested number gets a ``partial_data`` problem naming
the id its answer went to.  ``recipientPostalCode`` (needed for the full Parcel DE
and Parcel NL trail) and ``service`` come from a :class:`TrackedNumber`'s facts or
the settings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Final

import httpx
from pydantic import SecretStr

from .._adapter import BaseAdapter, Capabilities
from .._carrier_time import ZoneFallback
from .._country_codes import alpha2_from_name, to_alpha2
from .._estimates import read_estimate
from .._http_pacing import RateLimit
from .._mapped_event import EventFacts, keep_event, read_event_time, timed_or_dropped
from .._parse_guard import is_object, list_field, piece, plain_text, text_of
from .._settings import AdapterSettings
from .._status_lookup import map_code
from .._taxonomy import Status
from .._track_result import ProblemCode, TrackResult, TrackResultBuilder
from .._tracked_number import facts_of, find_facts

__all__ = [
    "DhlAdapter",
    "DhlSettings",
    "build_track_request",
    "parse_locality",
    "parse_shipments",
]

SYSTEM = "dhl"
#: Where a DHL scan with no readable place is assumed to be, absent a better guess.
HOME_ZONE: Final = "Europe/Berlin"
#: The home zone of the DHL businesses that work in one country.
SERVICE_HOME_ZONES: Final[Mapping[str, str]] = {
    "parcel-de": "Europe/Berlin",
    "post-de": "Europe/Berlin",
    "parcel-nl": "Europe/Amsterdam",
    "parcel-pl": "Europe/Warsaw",
    "parcel-uk": "Europe/London",
}

_REGION = re.compile(r"^[A-Z]{2,3}$")


def parse_locality(text: str | None) -> tuple[str | None, str | None, str | None]:
    """``(city, region, country)`` read from DHL's free-text ``addressLocality``.

    DHL writes it several ways: ``"MILAN - ITALY"`` (Express: city, country name),
    ``"Oderweg 2, AMSTERDAM"`` (street, city), ``"Los Angeles, CA"`` (city, state)
    or just ``"Leipzig"``.  ``country`` is an alpha-2 code when a country is named.
    """
    if not text or not text.strip():
        return None, None, None
    alone = alpha2_from_name(text.strip())
    if alone is not None:
        return None, None, alone  # Parcel DE's "Germany" / "Deutschland"
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
        "region": text_of(address.get("addressRegion")) or region,
        "city": city,
        "postal_code": text_of(address.get("postalCode")),
    }
    return {k: v for k, v in fields.items() if v} or None


def _event(
    out: TrackResultBuilder,
    number: str,
    raw: Any,
    where: str,
    shipment: EventFacts,
) -> None:
    if not is_object(raw, out, number, where):
        return
    code = text_of(raw.get("statusCode"))
    mapped = map_code(SYSTEM, code) if code else None
    location = _location(raw.get("location"))
    reading = timed_or_dropped(
        out,
        number,
        lambda: read_event_time(raw.get("timestamp"), location, shipment.fallback, mapped),
        raw=raw,
        where=where,
    )
    if reading is None:
        return
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
        text_of(raw.get("description")) or text_of(raw.get("status")) or text_of(raw.get("remark"))
    )
    keep_event(
        out,
        SYSTEM,
        number,
        mapped,
        reading,
        coded=code is not None,
        location=location,
        description=description,
        source={"status": code, "text": text_of(raw.get("status"))},
        attributes=shipment.attributes,
        estimate=shipment.estimate,
        raw=raw,
        where=where,
    )


def _address_country(place: Any) -> str | None:
    address = place.get("address") if isinstance(place, Mapping) else None
    if not isinstance(address, Mapping):
        return None
    code = address.get("countryCode")
    country = to_alpha2(code) if isinstance(code, str) else None
    if country is None and isinstance(address.get("addressLocality"), str):
        country = parse_locality(address["addressLocality"])[2]
    return country


def _estimate(
    out: TrackResultBuilder, number: str, shipment: Mapping[str, Any], fallback: ZoneFallback
) -> datetime | None:
    """DHL's ``estimatedTimeOfDelivery``, else the end of ``estimatedDeliveryTimeFrame``."""
    value = shipment.get("estimatedTimeOfDelivery")
    frame = shipment.get("estimatedDeliveryTimeFrame")
    if not value and isinstance(frame, Mapping):
        value = frame.get("estimatedThrough") or frame.get("estimatedFrom")
    if not value:
        return None
    try:
        return read_estimate(value, fallback=fallback)
    except ValueError as exc:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            f"DHL's estimated delivery is unreadable and was left out: {exc}",
            raw=value,
            location="estimatedTimeOfDelivery",
        )
        return None


def parse_shipments(
    payload: Any, numbers: Sequence[str] = (), *, home_zone: str | None = HOME_ZONE
) -> TrackResult:
    """Normalize a decoded ``/track/shipments`` response.

    Events are filed under the shipment ``id`` DHL returned.  With exactly one
    requested number that differs from the ids returned, that number gets a
    ``partial_data`` problem saying where its answer went.  ``home_zone`` places
    scans nothing else places (a service's own home zone wins).
    """
    if not isinstance(payload, Mapping):
        raise ValueError(f"DHL response is {type(payload).__name__}, not a JSON object")
    out = TrackResultBuilder(SYSTEM)
    shipments = payload.get("shipments")
    if not isinstance(shipments, list):
        raise ValueError("DHL response has no 'shipments' list")
    requested = numbers[0] if len(numbers) == 1 else None
    returned: list[str] = []
    for s_index, shipment in enumerate(shipments):
        where = f"shipments[{s_index}]"
        number = plain_text(shipment, "id") or requested
        if number:
            returned.append(number)
        with piece(
            out, number, raw=shipment, location=where, what="shipment", code=ProblemCode.BAD_PAYLOAD
        ):
            _shipment(out, shipment, where, requested, numbers, home_zone)
    if requested is not None and returned and requested not in returned:
        ids = ", ".join(repr(n) for n in dict.fromkeys(returned))
        out.problem(
            requested,
            ProblemCode.PARTIAL_DATA,
            f"DHL answered {str(requested)!r} with shipment {ids}; its events are filed under "
            "the number DHL returned. Without service=..., DHL can answer with another "
            "shipment's data: pass the service (and recipient_postal_code) to be sure",
            location="shipments",
        )
    return out.result()


def _shipment(
    out: TrackResultBuilder,
    shipment: Any,
    where: str,
    requested: str | None,
    numbers: Sequence[str],
    home_zone: str | None,
) -> None:
    if not isinstance(shipment, Mapping):
        out.problem(
            requested,
            ProblemCode.BAD_PAYLOAD,
            "shipment is not an object",
            raw=shipment,
            location=where,
        )
        return
    number = text_of(shipment.get("id"))
    if number is None:
        # Without an id DHL's answer cannot be told apart from another shipment's.
        out.problem(
            requested,
            ProblemCode.BAD_PAYLOAD,
            "shipment without an id; its events cannot be filed",
            raw=shipment,
            location=where,
        )
        return
    service = text_of(shipment.get("service"))
    attributes: dict[str, Any] = {}
    if service:
        attributes["dhl_service"] = service
    if requested and requested != number:
        attributes["dhl_requested_number"] = str(requested)
    asked = find_facts(numbers, number) or find_facts(numbers, requested)
    fallback = ZoneFallback(
        _address_country(shipment.get("origin")),
        _address_country(shipment.get("destination")),
        SERVICE_HOME_ZONES.get(service or "", home_zone),
        f"DHL's home zone{f' ({service})' if service else ''}",
    ).or_else(asked.zone_fallback() if asked is not None else None)
    facts = EventFacts(attributes, fallback, _estimate(out, number, shipment, fallback))
    events = list_field(out, number, shipment, "events", f"{where}.events")
    if events is None:
        return
    if not events:
        status = shipment.get("status")
        said = text_of(status.get("description")) if isinstance(status, Mapping) else None
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
            _event(out, number, raw, e_where, facts)


def parse_not_found(payload: Any, numbers: Sequence[str]) -> TrackResult:
    """The problem+json body DHL answers 404 with, as ``not_found`` problems."""
    out = TrackResultBuilder(SYSTEM, numbers)
    detail = ""
    if isinstance(payload, Mapping):
        detail = text_of(payload.get("detail")) or text_of(payload.get("title")) or ""
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
    recipient_postal_code: str | None = None,
) -> httpx.Request:
    """``GET /track/shipments?trackingNumber=...`` with the ``DHL-API-Key`` header.

    ``service`` names the DHL business to search (``parcel-de``, ``express``...);
    ``recipient_postal_code`` unlocks the full Parcel DE and Parcel NL trail.
    """
    params = {
        "trackingNumber": str(number),
        "service": service,
        "language": language,
        "requesterCountryCode": requester_country_code,
        "originCountryCode": origin_country_code,
        "recipientPostalCode": recipient_postal_code,
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
    ``parcel-de``, ``ecommerce``...); without it DHL searches all of them and may
    answer with another shipment's data.  A :class:`TrackedNumber`'s ``service``,
    ``origin_country`` and ``recipient_postal_code`` override these per number.
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
    home_zone: ClassVar[str | None] = HOME_ZONE

    def build_requests(self, numbers: Sequence[str]) -> Sequence[httpx.Request]:
        settings = self.settings
        requests = []
        for number in numbers:
            facts = facts_of(number)
            requests.append(
                build_track_request(
                    number,
                    api_key=settings.api_key.get_secret_value(),
                    base_url=settings.base_url,
                    service=facts.service or settings.service,
                    language=settings.language,
                    requester_country_code=settings.requester_country_code,
                    origin_country_code=facts.origin_country or settings.origin_country_code,
                    recipient_postal_code=facts.recipient_postal_code,
                )
            )
        return requests

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        if (
            isinstance(payload, Mapping)
            and "shipments" not in payload
            and (payload.get("status") == 404)
        ):
            return parse_not_found(payload, numbers)
        return parse_shipments(payload, numbers, home_zone=self.home_zone)

    def parse_response(self, numbers: Sequence[str], response: httpx.Response) -> TrackResult:
        if response.status_code == 404:
            try:
                payload = response.json()
            except ValueError:
                payload = None
            return parse_not_found(payload, numbers)
        return super().parse_response(numbers, response)
