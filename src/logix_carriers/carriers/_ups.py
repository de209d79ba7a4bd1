"""UPS: the Track API (OAuth client credentials) and Track Alert webhooks.

Requests and parsing are pure functions; :class:`UpsAdapter` wires them to the
shared HTTP layer.  UPS's status vocabulary (activity types and status codes) is
data in :mod:`logix_carriers.carriers._ups_codes`; with both codes of an activity
unknown the event is ``unknown`` and an ``unknown_code`` problem is recorded.

Times: UPS activities carry ``gmtDate``/``gmtTime`` (UTC) and ``gmtOffset`` (the
local offset), so the instant and its offset both come from UPS.  Activities
without them are local wall time and are placed by their location.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from .._adapter import BaseAdapter, Capabilities
from .._country_codes import to_alpha2
from .._errors import ConfigError, WebhookError
from .._http import OAuthClientCredentials, decode_json
from .._http_pacing import RateLimit
from .._local_time import TimeReading, place_naive
from .._parse_guard import piece, plain_text
from .._settings import AdapterSettings
from .._taxonomy import Status
from .._track_result import ProblemCode, TrackResult, TrackResultBuilder
from .._webhooks import require_header, signatures_match
from ._ups_codes import map_activity, status_code_key

__all__ = [
    "UpsAdapter",
    "UpsSettings",
    "build_track_request",
    "parse_track_alert",
    "parse_track_response",
]

SYSTEM = "ups"
_BAD_PAYLOAD = ProblemCode.BAD_PAYLOAD


# -- time ------------------------------------------------------------------------------

_OFFSET = re.compile(r"^([+-])(\d{1,2}):?(\d{2})$")


def _date(value: Any, field: str) -> tuple[int, int, int]:
    text = str(value or "").strip().replace("-", "")
    if not re.fullmatch(r"\d{8}", text):
        raise ValueError(f"{field} {value!r} is not YYYYMMDD")
    return int(text[:4]), int(text[4:6]), int(text[6:])


def _time(value: Any, field: str) -> tuple[int, int, int]:
    text = str(value or "").strip().replace(":", "")
    # UPS drops the leading zero of early hours ("74700" is 07:47:00).
    if not re.fullmatch(r"\d{5,6}", text):
        raise ValueError(f"{field} {value!r} is not HHMMSS")
    text = text.zfill(6)
    return int(text[:2]), int(text[2:4]), int(text[4:])


def _naive(date: Any, time: Any, prefix: str) -> datetime:
    return datetime(*_date(date, f"{prefix}date"), *_time(time, f"{prefix}time"))


def _offset(value: Any) -> timezone:
    match = _OFFSET.match(str(value or "").strip())
    if match is None:
        raise ValueError(f"gmtOffset {value!r} is not ±HH:MM")
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-delta if sign == "-" else delta)


def _place(naive: datetime, location: Mapping[str, Any] | None) -> TimeReading:
    location = location or {}
    return place_naive(
        naive,
        country=location.get("country"),
        city=location.get("city"),
        region=location.get("region"),
    )


def activity_time(
    activity: Mapping[str, Any], location: Mapping[str, Any] | None
) -> tuple[TimeReading, str]:
    """The aware time of a Track API activity, and a note if UPS contradicts itself."""
    gmt_date, gmt_time = activity.get("gmtDate"), activity.get("gmtTime")
    local_date, local_time = activity.get("date"), activity.get("time")
    offset_text = activity.get("gmtOffset")
    if gmt_date and gmt_time:
        instant = _naive(gmt_date, gmt_time, "gmt").replace(tzinfo=UTC)
        if offset_text:
            moment = instant.astimezone(_offset(offset_text))
            note = ""
            if local_date and local_time:
                try:
                    local = _naive(local_date, local_time, "")
                except ValueError as exc:
                    return TimeReading(moment, "carrier"), f"{exc}; the GMT fields were used"
                if local != moment.replace(tzinfo=None):
                    note = (
                        f"local time {local.isoformat()} does not match gmtDate/gmtTime "
                        f"{instant.isoformat()} at offset {offset_text}; the GMT fields were used"
                    )
            return TimeReading(moment, "carrier"), note
        try:
            placed = _place(instant.replace(tzinfo=None), location)
        except ValueError:
            return TimeReading(instant, "carrier"), ""
        zone = placed.moment.tzinfo
        return TimeReading(instant.astimezone(zone), "location", placed.note), ""
    if local_date and local_time:
        local = _naive(local_date, local_time, "")
        if offset_text:
            return TimeReading(local.replace(tzinfo=_offset(offset_text)), "carrier"), ""
        return _place(local, location), ""
    raise ValueError("activity has neither gmtDate/gmtTime nor date/time")


# -- parsing ---------------------------------------------------------------------------


def _location(address: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(address, Mapping):
        return None
    country = to_alpha2(address.get("countryCode") or address.get("country"))
    fields = {
        "country": country,
        "region": _text(address.get("stateProvince")),
        "city": _text(address.get("city")),
        "postal_code": _text(address.get("postalCode")),
    }
    return {k: v for k, v in fields.items() if v} or None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> str | None:
    text = re.sub(r"\s+", "", str(value or ""))
    return text or None


def _event(
    out: TrackResultBuilder,
    number: str,
    status: Mapping[str, Any] | None,
    reading: TimeReading,
    location: dict[str, Any] | None,
    *,
    raw: Any,
    where: str,
    attributes: dict[str, Any],
) -> None:
    status = status or {}
    type_code = _text(status.get("type"))
    code = _text(status.get("statusCode") or status.get("descriptionCode"))
    source = {
        "system": SYSTEM,
        "status": type_code,
        "substatus": status_code_key(code),
        "code": _text(status.get("code")),
        "text": _text(status.get("simplifiedTextDescription")),
    }
    mapped, note = map_activity(type_code, code)
    if not status:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            "activity has no status; kept with status 'unknown'",
            raw=raw,
            location=where,
        )
    elif note:
        out.problem(number, ProblemCode.PARTIAL_DATA, note, raw=raw, location=where)
    elif mapped is not None and mapped.status == Status.UNKNOWN:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            f"UPS reports no status for this activity ({type_code}/{status_code_key(code)}); "
            "kept with status 'unknown'",
            raw=raw,
            location=where,
        )
    if reading.note:
        out.problem(number, ProblemCode.PARTIAL_DATA, reading.note, raw=raw, location=where)
    data = {
        "tracking_number": number,
        "carrier": SYSTEM,
        "occurred_at": reading.moment,
        "offset_source": reading.offset_source,
        "status": mapped.status if mapped else Status.UNKNOWN,
        "reason": mapped.reason if mapped else None,
        "stage": mapped.effective_stage if mapped else None,
        "location": location,
        "description": _text(status.get("description")) or "",
        "source": source,
        "attributes": attributes,
    }
    event = out.event(data, raw=raw, location=where)
    if event is not None and mapped is None and status:
        out.unknown_code(number, event.source, raw=raw, location=where)


def _activity(
    out: TrackResultBuilder,
    number: str,
    activity: Any,
    where: str,
    attributes: dict[str, Any],
) -> None:
    if not isinstance(activity, Mapping):
        out.problem(
            number,
            ProblemCode.BAD_EVENT,
            f"activity is {type(activity).__name__}, not an object; dropped",
            raw=activity,
            location=where,
        )
        return
    raw_location = activity.get("location")
    address = raw_location.get("address") if isinstance(raw_location, Mapping) else None
    location = _location(address)
    try:
        reading, mismatch = activity_time(activity, location)
    except ValueError as exc:
        out.problem(
            number, ProblemCode.BAD_EVENT, f"event dropped: {exc}", raw=activity, location=where
        )
        return
    if mismatch:
        out.problem(number, ProblemCode.PARTIAL_DATA, mismatch, raw=activity, location=where)
    extra = dict(attributes)
    if isinstance(raw_location, Mapping) and _text(raw_location.get("slic")):
        extra["ups_slic"] = _text(raw_location.get("slic"))
    status = activity.get("status")
    _event(
        out,
        number,
        status if isinstance(status, Mapping) else None,
        reading,
        location,
        raw=activity,
        where=where,
        attributes=extra,
    )


def _errors(out: TrackResultBuilder, numbers: Sequence[str], errors: Any, where: str) -> None:
    for index, error in enumerate(errors if isinstance(errors, list) else [errors]):
        code = str(error.get("code", "")) if isinstance(error, Mapping) else ""
        message = str(error.get("message", "")) if isinstance(error, Mapping) else str(error)
        if code.startswith("TV"):
            kind = ProblemCode.INVALID_NUMBER
        elif code.startswith("TW"):
            kind = ProblemCode.NOT_FOUND
        else:
            kind = ProblemCode.CARRIER_ERROR
        targets: Sequence[str | None] = list(numbers) or [None]
        for number in targets:
            out.problem(
                number,
                kind,
                f"UPS error {code}: {message}".strip(),
                raw=error,
                location=f"{where}[{index}]",
            )


def parse_track_response(payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
    """Normalize a decoded Track API response (``trackResponse`` or an error body)."""
    out = TrackResultBuilder(SYSTEM, numbers)
    if not isinstance(payload, Mapping):
        raise ValueError(f"UPS response is {type(payload).__name__}, not a JSON object")
    response = payload.get("response")
    if isinstance(response, Mapping) and "errors" in response:
        _errors(out, numbers, response["errors"], "response.errors")
        return out.result()
    track = payload.get("trackResponse")
    if not isinstance(track, Mapping):
        raise ValueError("UPS response has neither trackResponse nor response.errors")
    shipments = _listed(track.get("shipment"))
    requested = numbers[0] if len(numbers) == 1 else None
    for s_index, shipment in enumerate(shipments):
        s_where = f"trackResponse.shipment[{s_index}]"
        number = plain_text(shipment, "inquiryNumber") or requested
        with piece(out, number, raw=shipment, location=s_where, what="shipment", code=_BAD_PAYLOAD):
            _shipment(out, shipment, s_where, requested)
    return out.result()


def _shipment(out: TrackResultBuilder, shipment: Any, s_where: str, requested: str | None) -> None:
    if not isinstance(shipment, Mapping):
        out.problem(
            requested, _BAD_PAYLOAD, "shipment is not an object", raw=shipment, location=s_where
        )
        return
    inquiry = _number(shipment.get("inquiryNumber")) or requested
    for w_index, warning in enumerate(_listed(shipment.get("warnings"))):
        code = str(warning.get("code", "")) if isinstance(warning, Mapping) else ""
        message = str(warning.get("message", "")) if isinstance(warning, Mapping) else ""
        kind = ProblemCode.NOT_FOUND if code == "TW0001" else ProblemCode.PARTIAL_DATA
        out.problem(
            inquiry,
            kind,
            f"UPS warning {code}: {message}".strip(),
            raw=warning,
            location=f"{s_where}.warnings[{w_index}]",
        )
    for p_index, package in enumerate(_listed(shipment.get("package"))):
        p_where = f"{s_where}.package[{p_index}]"
        number = inquiry or plain_text(package, "trackingNumber")
        with piece(out, number, raw=package, location=p_where, what="package", code=_BAD_PAYLOAD):
            _package(out, package, p_where, inquiry)


def _listed(value: Any) -> list[Any]:
    """A list field as a list: an empty value is none, a lone value is a list of one."""
    if value is None or (isinstance(value, str | list | dict) and not value):
        return []
    return value if isinstance(value, list) else [value]


def _package(out: TrackResultBuilder, package: Any, p_where: str, inquiry: str | None) -> None:
    if not isinstance(package, Mapping):
        out.problem(
            inquiry, _BAD_PAYLOAD, "package is not an object", raw=package, location=p_where
        )
        return
    own = _number(package.get("trackingNumber"))
    number = inquiry or own
    if number is None:
        out.problem(
            None, _BAD_PAYLOAD, "package without a tracking number", raw=package, location=p_where
        )
        return
    attributes: dict[str, Any] = {}
    if own and own != number:
        attributes["ups_package"] = own
    service = package.get("service")
    if isinstance(service, Mapping) and _text(service.get("description")):
        attributes["ups_service"] = _text(service.get("description"))
    activities = _listed(package.get("activity"))
    if not activities:
        out.problem(
            number,
            ProblemCode.NOT_FOUND,
            "UPS knows the package but reports no activity yet",
            raw=package.get("currentStatus"),
            location=p_where,
        )
    for a_index, activity in enumerate(activities):
        a_where = f"{p_where}.activity[{a_index}]"
        with piece(out, number, raw=activity, location=a_where):
            _activity(out, number, activity, a_where, attributes)


def parse_track_alert(payload: Any) -> TrackResult:
    """Normalize one Track Alert webhook message (one event per delivery)."""
    if not isinstance(payload, Mapping):
        raise ValueError(f"Track Alert message is {type(payload).__name__}, not an object")
    number = _number(payload.get("trackingNumber"))
    if number is None:
        raise ValueError("Track Alert message has no trackingNumber")
    out = TrackResultBuilder(SYSTEM, [number])
    raw_location = payload.get("activityLocation")
    location = _location(
        {
            "countryCode": raw_location.get("country"),
            "stateProvince": raw_location.get("stateProvince"),
            "city": raw_location.get("city"),
            "postalCode": raw_location.get("postalCode"),
        }
        if isinstance(raw_location, Mapping)
        else None
    )
    try:
        reading = _alert_time(payload, location)
    except ValueError as exc:
        out.problem(
            number, ProblemCode.BAD_EVENT, f"event dropped: {exc}", raw=payload, location="$"
        )
        return out.result()
    status = payload.get("activityStatus")
    attributes: dict[str, Any] = {}
    if _text(payload.get("scheduledDeliveryDate")):
        attributes["ups_scheduled_delivery_date"] = _text(payload.get("scheduledDeliveryDate"))
    _event(
        out,
        number,
        status if isinstance(status, Mapping) else None,
        reading,
        location,
        raw=payload,
        where="$",
        attributes=attributes,
    )
    return out.result()


def _alert_time(payload: Mapping[str, Any], location: dict[str, Any] | None) -> TimeReading:
    gmt_date, gmt_time = payload.get("gmtActivityDate"), payload.get("gmtActivityTime")
    local_date, local_time = payload.get("localActivityDate"), payload.get("localActivityTime")
    if gmt_date and gmt_time:
        instant = _naive(gmt_date, gmt_time, "gmtActivity").replace(tzinfo=UTC)
        if local_date and local_time:
            local = _naive(local_date, local_time, "localActivity")
            minutes = round((local - instant.replace(tzinfo=None)).total_seconds() / 60)
            if abs(minutes) <= 18 * 60:
                return TimeReading(
                    instant.astimezone(timezone(timedelta(minutes=minutes))), "carrier"
                )
        return TimeReading(instant, "carrier")
    if local_date and local_time:
        return _place(_naive(local_date, local_time, "localActivity"), location)
    raise ValueError("message has neither gmtActivityDate/Time nor localActivityDate/Time")


# -- requests --------------------------------------------------------------------------


def build_track_request(
    number: str,
    *,
    base_url: str,
    locale: str = "en_US",
    transaction_src: str = "logix",
    trans_id: str,
) -> httpx.Request:
    """``GET /api/track/v1/details/{inquiryNumber}`` (the bearer token is added later)."""
    return httpx.Request(
        "GET",
        f"{base_url.rstrip('/')}/api/track/v1/details/{quote(number, safe='')}",
        params={
            "locale": locale,
            "returnSignature": "false",
            "returnMilestones": "false",
            "returnPOD": "false",
        },
        headers={
            "Accept": "application/json",
            "transId": trans_id,
            "transactionSrc": transaction_src,
        },
    )


# -- adapter ---------------------------------------------------------------------------


class UpsSettings(AdapterSettings):
    """``LOGIX_UPS_CLIENT_ID``, ``LOGIX_UPS_CLIENT_SECRET`` (required), and options.

    ``base_url`` is production; use ``https://wwwcie.ups.com`` for UPS's test
    environment.  ``merchant_id`` is sent as ``x-merchant-id`` when fetching tokens.
    ``webhook_secret`` is the Track Alert ``credential`` you chose when subscribing.
    """

    client_id: str
    client_secret: SecretStr
    base_url: str = "https://onlinetools.ups.com"
    merchant_id: str | None = None
    locale: str = "en_US"
    transaction_src: str = "logix"
    webhook_secret: SecretStr | None = None


class UpsAdapter(BaseAdapter[UpsSettings]):
    """UPS Track API: one inquiry number per request, OAuth bearer token."""

    code: ClassVar[str] = SYSTEM
    name: ClassVar[str] = "UPS Track API"
    settings_model: ClassVar[type[AdapterSettings]] = UpsSettings
    # UPS publishes no per-second figure; 5/s stays well clear of the 429s UPS
    # sends under load, and Retry-After is honoured when they come anyway.
    capabilities: ClassVar[Capabilities] = Capabilities(
        batch_size=1,
        rate_limit=RateLimit(5),
        auth="oauth2",
        webhooks=True,
        signs_webhooks=False,
    )
    accept_statuses: ClassVar[frozenset[int]] = frozenset({400, 404})
    number_pattern: ClassVar[re.Pattern[str] | None] = re.compile(r"[0-9A-Za-z]{7,34}")

    def oauth(self) -> OAuthClientCredentials:
        settings = self.settings
        headers = {"x-merchant-id": settings.merchant_id} if settings.merchant_id else None
        return OAuthClientCredentials(
            f"{settings.base_url.rstrip('/')}/security/v1/oauth/token",
            settings.client_id,
            settings.client_secret,
            extra_headers=headers,
        )

    def build_requests(self, numbers: Sequence[str]) -> Sequence[httpx.Request]:
        settings = self.settings
        return [
            build_track_request(
                number,
                base_url=settings.base_url,
                locale=settings.locale,
                transaction_src=settings.transaction_src,
                # UPS wants an id unique to each request (at most 32 characters).
                trans_id=uuid.uuid4().hex,
            )
            for number in numbers
        ]

    def parse_payload(self, payload: Any, numbers: Sequence[str] = ()) -> TrackResult:
        return parse_track_response(payload, numbers)

    def parse_response(self, numbers: Sequence[str], response: httpx.Response) -> TrackResult:
        payload = decode_json(response, self.code, self.secret_values())
        return self.parse_payload(payload, numbers)

    def verify_webhook(self, headers: httpx.Headers, body: bytes, secret: SecretStr | None) -> None:
        # Track Alert does not sign bodies: it echoes the opaque ``credential`` given
        # at subscription.  Without it configured every delivery would be trusted.
        if secret is None:
            raise ConfigError(
                "UPS Track Alert deliveries are authenticated by the credential chosen at "
                f"subscription: pass secret=... or set {self.env_var('webhook_secret')}",
                variable=self.env_var("webhook_secret"),
                carrier=self.code,
            )
        given = require_header(headers, "credential", carrier=self.code)
        if not signatures_match(secret.get_secret_value(), given):
            raise WebhookError(
                "Track Alert credential header does not match the configured credential",
                carrier=self.code,
            )

    def parse_webhook_payload(self, payload: Any, headers: httpx.Headers) -> TrackResult:
        return parse_track_alert(payload)
