"""USPS Tracking API v3 (``GET /tracking/v3/tracking/{number}``, OAuth client credentials).

USPS is the last mile of most China→US lines.  The request builder and the
parser are pure; :class:`UspsAdapter` wires them to the shared HTTP layer.  The
OAuth token comes from ``POST /oauth2/v3/token`` with the client id and secret
**in the form body** (USPS does not take HTTP basic authentication there).

Statuses: each event's ``eventCode`` (USPS Publication 97's two-character codes)
maps through the ``usps`` table of :mod:`logix_carriers._status_maps`; the free
text ``eventType`` is kept in ``source.text``.

Times: an event carries ``eventTimestamp`` (the local wall time of the scan) and,
for most scans, ``GMTTimestamp`` (UTC) and ``GMTOffset``; with both the instant and
its offset come from USPS (``"carrier"``).  A wall time alone is placed by the
event's city, state and country (``eventCountry`` is empty for domestic scans), else
by the shipment's country for the scan's leg, else in USPS's home zone
(``America/New_York``), ``assumed`` and with a ``partial_data`` problem.

Estimated delivery: ``expectedDeliveryTimeStamp`` (or the predicted or guaranteed
one), read in the destination's zone when it has no offset.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, Final
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from .._adapter import BaseAdapter, Capabilities
from .._carrier_time import TimeReading, ZoneFallback, utc_offset
from .._country_codes import to_alpha2
from .._estimates import read_estimate
from .._http import OAuthClientCredentials, decode_json
from .._http_pacing import RateLimit
from .._local_time import bounded_utc
from .._mapped_event import keep_event, read_event_time, timed_or_dropped
from .._parse_guard import is_object, list_field, piece, text_of
from .._settings import AdapterSettings
from .._status_lookup import map_code
from .._status_maps import Mapped
from .._taxonomy import Status
from .._track_result import ProblemCode, TrackResult, TrackResultBuilder
from .._tracked_number import find_facts

__all__ = [
    "HOME_ZONE",
    "UspsAdapter",
    "UspsSettings",
    "build_track_request",
    "parse_error",
    "parse_tracking",
]

SYSTEM = "usps"
#: Where a USPS scan with no readable place is assumed to be, absent a better guess.
HOME_ZONE: Final = "America/New_York"
# Estimates, most specific first.
_ESTIMATES: Final = (
    "expectedDeliveryTimeStamp",
    "predictedDeliveryTimeStamp",
    "guaranteedDeliveryTimeStamp",
    "expectedDeliveryDate",
    "predictedDeliveryDate",
)


def _location(event: Mapping[str, Any]) -> dict[str, Any] | None:
    named = text_of(event.get("eventCountry"))
    country = to_alpha2(named) if named else None
    city, state = text_of(event.get("eventCity")), text_of(event.get("eventState"))
    zip_code = text_of(event.get("eventZIP")) or text_of(event.get("eventZIPCode"))
    if named is None and (state or zip_code):
        country = "US"  # USPS leaves eventCountry empty for domestic scans
    fields = {
        "country": country,
        "region": state,
        "city": city,
        "postal_code": zip_code,
        "facility": text_of(event.get("firm")) if not city else None,
    }
    return {k: v for k, v in fields.items() if v} or None


def event_time(
    event: Mapping[str, Any],
    location: Mapping[str, Any] | None,
    fallback: ZoneFallback,
    mapped: Mapped | None,
) -> TimeReading:
    """The aware time of one event (see the module doc)."""
    gmt, offset = text_of(event.get("GMTTimestamp")), text_of(event.get("GMTOffset"))
    if gmt and offset:
        try:
            instant = datetime.fromisoformat(gmt.replace("z", "Z"))
        except ValueError:
            raise ValueError(f"GMTTimestamp {gmt!r} is not ISO-8601") from None
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)  # UTC by definition
        moment = instant.astimezone(utc_offset(offset, "GMTOffset"))
        bounded_utc(moment)
        return TimeReading(moment, "carrier")
    return read_event_time(event.get("eventTimestamp"), location, fallback, mapped)


def _event(
    out: TrackResultBuilder,
    number: str,
    raw: Any,
    where: str,
    fallback: ZoneFallback,
    estimate: datetime | None,
    attributes: dict[str, Any],
) -> None:
    if not is_object(raw, out, number, where):
        return
    code = text_of(raw.get("eventCode"))
    mapped = map_code(SYSTEM, code) if code else None
    location = _location(raw)
    reading = timed_or_dropped(
        out, number, lambda: event_time(raw, location, fallback, mapped), raw=raw, where=where
    )
    if reading is None:
        return
    text = text_of(raw.get("eventType"))
    if code is None:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            "USPS sent no eventCode for this event; kept with status 'unknown'",
            raw=raw,
            location=where,
        )
    elif mapped is not None and mapped.status == Status.UNKNOWN:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            f"USPS event code {code!r} ({text or 'no text'}) gives no status; kept as 'unknown'",
            raw=raw,
            location=where,
        )
    keep_event(
        out,
        SYSTEM,
        number,
        mapped,
        reading,
        coded=code is not None,
        location=location,
        description=text,
        source={"code": code, "text": text},
        attributes=attributes,
        estimate=estimate,
        raw=raw,
        where=where,
    )


def _estimate(
    out: TrackResultBuilder,
    number: str,
    payload: Mapping[str, Any],
    fallback: ZoneFallback,
) -> datetime | None:
    field = next((name for name in _ESTIMATES if text_of(payload.get(name))), None)
    if field is None:
        return None
    try:
        return read_estimate(
            payload[field],
            fallback=fallback,
            country=fallback.destination_country,
            region=text_of(payload.get("destinationState")),
            city=text_of(payload.get("destinationCity")),
        )
    except ValueError as exc:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            f"USPS's {field} is unreadable and was left out: {exc}",
            raw=payload[field],
            location=field,
        )
        return None


def _country(value: Any, *, domestic_if: Any = None) -> str | None:
    named = text_of(value)
    if named:
        return to_alpha2(named)
    return "US" if text_of(domestic_if) else None


def parse_tracking(
    payload: Any, numbers: Sequence[str] = (), *, home_zone: str | None = HOME_ZONE
) -> TrackResult:
    """Normalize a decoded ``/tracking/v3/tracking/{number}`` answer (one number)."""
    if not isinstance(payload, Mapping):
        raise ValueError(f"USPS response is {type(payload).__name__}, not a JSON object")
    if "error" in payload and "trackingNumber" not in payload:
        return parse_error(payload, numbers)
    number = text_of(payload.get("trackingNumber")) or (numbers[0] if len(numbers) == 1 else None)
    out = TrackResultBuilder(SYSTEM)
    if number is None:
        raise ValueError("USPS response has no trackingNumber")
    asked = find_facts(numbers, number)
    fallback = ZoneFallback(
        _country(payload.get("originCountry"), domestic_if=payload.get("originZIP")),
        _country(payload.get("destinationCountryCode"), domestic_if=payload.get("destinationZIP")),
        home_zone,
        "USPS's home zone",
    ).or_else(asked.zone_fallback() if asked is not None else None)
    attributes: dict[str, Any] = {}
    for field, name in (("mailClass", "usps_mail_class"), ("mailType", "usps_mail_type")):
        if text_of(payload.get(field)):
            attributes[name] = text_of(payload.get(field))
    estimate = _estimate(out, number, payload, fallback)
    events = list_field(out, number, payload, "trackingEvents", "trackingEvents")
    if events is None:
        return out.result()
    if not events:
        said = text_of(payload.get("statusSummary")) or text_of(payload.get("status"))
        out.problem(
            number,
            ProblemCode.NOT_FOUND,
            "USPS knows the number but reports no events yet" + (f" ({said})" if said else ""),
            location="trackingEvents",
        )
    for index, raw in enumerate(events):
        where = f"trackingEvents[{index}]"
        with piece(out, number, raw=raw, location=where):
            _event(out, number, raw, where, fallback, estimate, attributes)
    return out.result()


def parse_error(
    payload: Any, numbers: Sequence[str] = (), *, status: int | None = None
) -> TrackResult:
    """USPS's error envelope (``{"error": {"code", "message", "errors": [...]}}``) as
    problems: ``not_found`` for 404, ``invalid_number`` for 400, else ``carrier_error``
    (``status`` is the HTTP status, used when the body names no code)."""
    out = TrackResultBuilder(SYSTEM)
    error = payload.get("error") if isinstance(payload, Mapping) else None
    error = error if isinstance(error, Mapping) else {}
    code = text_of(error.get("code")) or (str(status) if status else "")
    details = [e for e in error.get("errors") or [] if isinstance(e, Mapping)]
    detail = "; ".join(
        d for e in details if (d := text_of(e.get("detail")) or text_of(e.get("title")))
    )
    message = text_of(error.get("message")) or "USPS answered an error"
    kind = {
        "404": ProblemCode.NOT_FOUND,
        "400": ProblemCode.INVALID_NUMBER,
    }.get(code, ProblemCode.CARRIER_ERROR)
    text = f"USPS error {code}: {message}".strip() + (f" ({detail})" if detail else "")
    targets: Sequence[str | None] = list(numbers) or [None]
    for number in targets:
        out.problem(number, kind, text, raw=payload, location="error")
    return out.result()


def build_track_request(
    number: str, *, base_url: str = "https://apis.usps.com", expand: str = "DETAIL"
) -> httpx.Request:
    """``GET /tracking/v3/tracking/{number}?expand=DETAIL`` (the bearer token is added later)."""
    return httpx.Request(
        "GET",
        f"{base_url.rstrip('/')}/tracking/v3/tracking/{quote(str(number), safe='')}",
        params={"expand": expand},
        headers={"Accept": "application/json"},
    )


class UspsSettings(AdapterSettings):
    """``LOGIX_USPS_CLIENT_ID``, ``LOGIX_USPS_CLIENT_SECRET`` (required), and options.

    ``base_url`` is production; ``https://apis-tem.usps.com`` is USPS's test
    environment for mailers.  ``expand`` is ``DETAIL`` (every event) or ``SUMMARY``.
    """

    client_id: str
    client_secret: SecretStr
    base_url: str = "https://apis.usps.com"
    expand: str = "DETAIL"


class UspsAdapter(BaseAdapter[UspsSettings]):
    """USPS Tracking API v3: one number per request, OAuth (credentials in the body)."""

    code: ClassVar[str] = SYSTEM
    name: ClassVar[str] = "USPS Tracking API v3"
    settings_model: ClassVar[type[AdapterSettings]] = UspsSettings
    # USPS grants new apps 60 calls an hour (more on request); the bucket follows it
    # and USPS's 429 with Retry-After covers a raised quota.
    capabilities: ClassVar[Capabilities] = Capabilities(
        batch_size=1, rate_limit=RateLimit(60, period=3600), auth="oauth2"
    )
    accept_statuses: ClassVar[frozenset[int]] = frozenset({400, 404})
    number_pattern: ClassVar[re.Pattern[str] | None] = re.compile(r"[0-9A-Za-z]{10,35}")
    home_zone: ClassVar[str | None] = HOME_ZONE

    def oauth(self) -> OAuthClientCredentials:
        settings = self.settings
        return OAuthClientCredentials(
            f"{settings.base_url.rstrip('/')}/oauth2/v3/token",
            settings.client_id,
            settings.client_secret,
            client_auth="body",
        )

    def build_requests(self, numbers: Sequence[str]) -> Sequence[httpx.Request]:
        settings = self.settings
        return [
            build_track_request(number, base_url=settings.base_url, expand=settings.expand)
            for number in numbers
        ]

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        return parse_tracking(payload, numbers, home_zone=self.home_zone)

    def parse_response(self, numbers: Sequence[str], response: httpx.Response) -> TrackResult:
        payload = decode_json(response, self.code, self.secret_values())
        if response.status_code in self.accept_statuses:
            return parse_error(payload, numbers, status=response.status_code)
        return self.parse_payload(payload, numbers)
