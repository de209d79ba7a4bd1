"""UPS: the Track API (OAuth client credentials) and Track Alert webhooks.

Requests and parsing are pure functions; :class:`UpsAdapter` wires them to the
shared HTTP layer.  UPS's status vocabulary is data in this module:

- :data:`ACTIVITY_TYPES`: the activity status *type* (``I``, ``D``, ``X``, ...);
- :data:`STATUS_CODES`: the three-digit package *status code* (``"005"``, ``"011"``,
  called ``descriptionCode`` in Track Alert), from the Track API appendix
  "Status/Description Codes".

The status code is the finer of the two and wins; an exception-type scan (``X``)
whose code reads like normal progress ("On the Way") stays an exception.  A code
missing from the table falls back to its type (with a ``partial_data`` note); with
both unknown the event is ``unknown`` and an ``unknown_code`` problem is recorded.

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

from .._adapter import BaseAdapter, Capabilities, ProblemCode, TrackResult, TrackResultBuilder
from .._country_codes import to_alpha2
from .._errors import ConfigError, WebhookError
from .._http import OAuthClientCredentials, RateLimit, decode_json
from .._local_time import TimeReading, place_naive
from .._settings import AdapterSettings
from .._status_maps import Mapped
from .._taxonomy import Reason, Stage, Status
from .._webhooks import require_header, signatures_match

__all__ = [
    "ACTIVITY_TYPES",
    "STATUS_CODES",
    "UpsAdapter",
    "UpsSettings",
    "build_track_request",
    "map_activity",
    "markdown_table",
    "parse_track_alert",
    "parse_track_response",
]

SYSTEM = "ups"

S = Status
R = Reason


def _m(status: Status, reason: Reason | None = None, stage: Stage | None = None) -> Mapped:
    return Mapped(status, reason, stage)


#: Activity status types (Track API appendix "Package Activity Types"; ``O``, ``P``
#: and ``RS`` appear in Track API responses, ``U`` only in Track Alert).
ACTIVITY_TYPES: Mapping[str, tuple[str, Mapped]] = {
    "D": ("Delivered", _m(S.DELIVERED)),
    "I": ("In Transit", _m(S.IN_TRANSIT)),
    "M": ("Billing Information Received", _m(S.INFO_RECEIVED)),
    "MV": ("Billing Information Voided", _m(S.CANCELLED)),
    "P": ("Pickup", _m(S.PICKED_UP)),
    "X": ("Exception", _m(S.EXCEPTION)),
    "RS": ("Returned to Shipper", _m(S.RETURNED)),
    "DO": ("Delivered Origin CFS (Freight Only)", _m(S.IN_TRANSIT, stage=Stage.FIRST_MILE)),
    "DD": ("Delivered Destination CFS (Freight Only)", _m(S.IN_TRANSIT, stage=Stage.LAST_MILE)),
    "W": ("Warehousing (Freight Only)", _m(S.IN_TRANSIT)),
    "NA": ("Not Available", _m(S.UNKNOWN)),
    "O": ("Out for Delivery", _m(S.OUT_FOR_DELIVERY)),
    "U": ("Updates (Track Alert only)", _m(S.IN_TRANSIT)),
}

_TRANSIT = _m(S.IN_TRANSIT)
_OFD = _m(S.OUT_FOR_DELIVERY)
_INFO = _m(S.INFO_RECEIVED)
_PICKED = _m(S.PICKED_UP)
_ATTEMPT = _m(S.ATTEMPT_FAILED)
_RETURNING = _m(S.RETURNING)
_CUSTOMS = _m(S.CUSTOMS)
_CUSTOMS_HOLD = _m(S.EXCEPTION, R.CUSTOMS_HOLD)
_DELAY = _m(S.EXCEPTION, R.DELAY_CARRIER)
_WEATHER = _m(S.EXCEPTION, R.DELAY_WEATHER)
_HELD = _m(S.EXCEPTION, R.HELD)
_EXC = _m(S.EXCEPTION)
_PICKUP_EXC = _m(S.EXCEPTION, stage=Stage.FIRST_MILE)
_NO_STATUS = _m(S.UNKNOWN)

#: Package status codes (Track API appendix "Status/Description Codes"), keyed by
#: the zero-padded three-digit form the API sends.  Customer requests (address
#: change, hold, reschedule) are progress, not exceptions: the carrier is acting
#: on an instruction.  Informational codes with no position ("Test", "Package
#: Information Unavailable", investigation bookkeeping) map to ``unknown``.
STATUS_CODES: Mapping[str, tuple[str, Mapped]] = {
    code.zfill(3): (meaning, mapped)
    for code, meaning, mapped in (
        ("0", "Status Not Available", _NO_STATUS),
        ("3", "Shipment Ready for UPS", _INFO),
        ("5", "On the Way", _TRANSIT),
        ("6", "Out for Delivery", _OFD),
        ("7", "Shipment Information Voided", _m(S.CANCELLED)),
        ("10", "On the Way", _TRANSIT),
        ("11", "Delivered", _m(S.DELIVERED)),
        ("12", "Clearance in Progress", _CUSTOMS),
        ("13", "Exception", _EXC),
        ("14", "Clearance Completed", _CUSTOMS),
        ("16", "In Warehouse", _TRANSIT),
        ("17", "Held for Customer Pickup", _m(S.AVAILABLE_FOR_PICKUP)),
        ("18", "Delivery Change Requested: Hold for Pickup", _TRANSIT),
        ("19", "Held for Future Delivery", _HELD),
        ("20", "Held for Future Delivery Requested", _TRANSIT),
        ("21", "Out for Delivery", _OFD),
        ("22", "First Attempt Made", _ATTEMPT),
        ("23", "Second Delivery Attempted", _ATTEMPT),
        ("24", "Final Attempt Made", _ATTEMPT),
        ("25", "On the Way", _TRANSIT),
        ("26", "Delivered by Local Post Office", _m(S.DELIVERED)),
        ("27", "Delivery Address Change Requested", _TRANSIT),
        ("28", "Delivery Address Changed", _TRANSIT),
        ("29", "Exception: Action Required", _EXC),
        ("30", "Local Post Office Exception", _m(S.EXCEPTION, stage=Stage.LAST_MILE)),
        ("32", "Adverse Weather May Cause Delay", _WEATHER),
        ("33", "Return to Sender Requested", _RETURNING),
        ("34", "Returned to Sender", _m(S.RETURNED)),
        ("35", "Returning to Sender", _RETURNING),
        ("36", "Returning to Sender: In Transit", _RETURNING),
        ("37", "Out for Delivery", _OFD),
        ("38", "Picked Up by UPS", _PICKED),
        ("39", "On the Way", _TRANSIT),
        ("40", "Ready for Customer Pickup", _m(S.AVAILABLE_FOR_PICKUP)),
        ("41", "Service Upgrade Requested", _TRANSIT),
        ("42", "Service Upgraded", _TRANSIT),
        ("43", "Voided Pickup", _INFO),
        ("44", "On the Way to UPS", _INFO),
        ("45", "On the Way to UPS", _INFO),
        ("46", "Delay", _DELAY),
        ("47", "On the Way", _TRANSIT),
        ("48", "Delay", _DELAY),
        ("49", "Delay: Action Required", _EXC),
        ("50", "Address Information Required", _m(S.EXCEPTION, R.ADDRESS_ISSUE)),
        ("51", "Delay: Emergency Situation or Severe Weather", _WEATHER),
        ("52", "Delay: Severe Weather", _WEATHER),
        ("53", "Delay: Severe Weather", _WEATHER),
        ("54", "Delivery Change Requested", _TRANSIT),
        ("55", "Rescheduled Delivery", _TRANSIT),
        ("56", "Service Upgrade Requested", _TRANSIT),
        ("57", "On the Way to a Local UPS Access Point", _TRANSIT),
        ("58", "Clearance Information Required", _CUSTOMS_HOLD),
        ("59", "Damage Reported", _m(S.EXCEPTION, R.DAMAGED)),
        ("60", "Delivery Attempted", _ATTEMPT),
        (
            "61",
            "Delivery Attempted: Adult Signature Required",
            _m(S.ATTEMPT_FAILED, R.RECIPIENT_UNAVAILABLE),
        ),
        (
            "62",
            "Delivery Attempted: Funds Required",
            _m(S.ATTEMPT_FAILED, R.PAYMENT_REQUIRED, Stage.LAST_MILE),
        ),
        ("63", "Delivery Change Completed", _TRANSIT),
        ("64", "Delivery Refused", _m(S.EXCEPTION, R.REFUSED)),
        ("65", "Pickup Attempted", _PICKUP_EXC),
        ("66", "Post Office Delivery Attempted", _ATTEMPT),
        ("67", "Returned to Sender by Post Office", _RETURNING),
        ("68", "Sent to Lost and Found", _m(S.EXCEPTION, R.LOST)),
        ("69", "Unable to Deliver", _m(S.EXCEPTION, stage=Stage.LAST_MILE)),
        ("70", "Package not at UPS Access Point yet", _TRANSIT),
        ("71", "Preparing for Delivery", _m(S.IN_TRANSIT, stage=Stage.LAST_MILE)),
        ("72", "Loaded on Delivery Vehicle", _OFD),
        ("73", "In Transit to UPS Delivery Partner", _TRANSIT),
        ("74", "UPS Delivery Partner has Shipment", _TRANSIT),
        ("75", "Scheduled for Delivery", _m(S.IN_TRANSIT, stage=Stage.LAST_MILE)),
        ("76", "UPS Delivery Partner Exception", _m(S.EXCEPTION, stage=Stage.LAST_MILE)),
        ("77", "Scheduled for Pickup Today", _INFO),
        ("78", "Your Driver is Arriving Soon!", _OFD),
        ("79", "Order Processed: In Transit to UPS", _INFO),
        ("80", "Order Processed: Ready for UPS", _INFO),
        ("81", "Returned - Damage Reported", _m(S.RETURNING, R.DAMAGED)),
        ("82", "Delivery Instructions Received", _TRANSIT),
        ("83", "Held", _HELD),
        ("84", "Cleared", _CUSTOMS),
        (
            "85",
            "Held for COD Payment",
            _m(S.EXCEPTION, R.PAYMENT_REQUIRED, Stage.LAST_MILE),
        ),
        ("86", "Delay", _DELAY),
        ("87", "On the Way", _TRANSIT),
        ("88", "Test", _NO_STATUS),
        ("89", "Out for Delivery", _OFD),
        ("90", "Delay", _DELAY),
        ("91", "Out for Delivery", _OFD),
        ("92", "Customs Clearance in Progress", _CUSTOMS),
        ("93", "Premier Recovery In Progress", _EXC),
        ("94", "Premier Recovery Completed", _TRANSIT),
        ("95", "Additional Attempt Requested", _TRANSIT),
        ("96", "Address Change Confirmed", _TRANSIT),
        ("97", "Address Change Requested", _TRANSIT),
        ("98", "Deliver to Original Address Requested", _TRANSIT),
        ("99", "Deliver to Original Address Confirmed", _TRANSIT),
        ("100", "Hold at UPS Access Point Confirmed", _TRANSIT),
        ("101", "Hold at UPS Access Point Requested", _TRANSIT),
        ("102", "Hold for Courier Requested", _TRANSIT),
        ("103", "Hold for Courier Confirmed", _TRANSIT),
        ("104", "Hold for Instructions Confirmed", _HELD),
        ("105", "Hold for Instructions Requested", _HELD),
        ("106", "Hold for Pickup Confirmed", _TRANSIT),
        ("107", "Hold for Pickup Requested", _TRANSIT),
        ("108", "Hold for Pickup Today Confirmed", _TRANSIT),
        ("109", "Hold for Pickup Today Requested", _TRANSIT),
        ("110", "Refrigeration Confirmed", _TRANSIT),
        ("111", "Refrigeration Requested", _TRANSIT),
        ("112", "Re-Ice Confirmed", _TRANSIT),
        ("113", "Re-Ice Requested", _TRANSIT),
        ("114", "Request Canceled", _TRANSIT),
        ("115", "Reschedule Delivery Confirmed", _TRANSIT),
        ("116", "Reschedule Delivery Requested", _TRANSIT),
        ("117", "Return by Saturday Confirmed", _RETURNING),
        ("118", "Return to Sender Confirmed", _RETURNING),
        ("119", "Return to Sender Requested", _RETURNING),
        ("120", "Saturday Delivery Confirmed", _TRANSIT),
        ("121", "Saturday Delivery Requested", _TRANSIT),
        ("122", "Upgrade Confirmed", _TRANSIT),
        ("123", "Pending Release From Non-UPS Broker", _CUSTOMS_HOLD),
        ("124", "Clearance Information Needed", _CUSTOMS_HOLD),
        ("125", "Clearance Information Needed", _CUSTOMS_HOLD),
        ("126", "Pending Government Agency Release", _CUSTOMS_HOLD),
        ("127", "Investigation Closed", _NO_STATUS),
        ("128", "Investigation Canceled", _NO_STATUS),
        ("129", "Investigation Opened", _EXC),
        ("130", "Claim in Progress", _EXC),
        ("131", "Final Pickup Attempted", _PICKUP_EXC),
        ("132", "Airport Security Delay", _m(S.EXCEPTION, R.DELAY_EXTERNAL)),
        ("133", "Return Label Left With Customer", _INFO),
        ("134", "Cleared Import Customs", _CUSTOMS),
        ("135", "Second Pickup Attempted", _PICKUP_EXC),
        ("136", "Delivery Rescheduled for Saturday", _TRANSIT),
        ("137", "Transferred to UPS Delivery Partner", _TRANSIT),
        ("138", "Awaiting Scheduled Departure", _TRANSIT),
        ("139", "Security Access Required", _m(S.EXCEPTION, R.LOCATION_INACCESSIBLE)),
        ("140", "Claim Paid", _EXC),
        ("141", "Incomplete Documentation Received", _CUSTOMS_HOLD),
        ("142", "Claim Voided", _NO_STATUS),
        ("143", "Delivered to Agent", _m(S.DELIVERED)),
        ("144", "Delivered to Post Office for Pickup", _m(S.AVAILABLE_FOR_PICKUP)),
        ("145", "Delivery Attempted", _ATTEMPT),
        ("146", "Out for Delivery", _OFD),
        (
            "147",
            "Seized by Law Enforcement, No Longer in UPS possession",
            _m(S.EXCEPTION, R.DISPOSED),
        ),
        ("148", "Package Information Unavailable", _NO_STATUS),
        (
            "149",
            "Prohibited Contents, Package Destroyed No Longer in UPS possession",
            _m(S.EXCEPTION, R.DISPOSED),
        ),
        ("153", "Updated Delivery Time", _TRANSIT),
        ("154", "Updated Delivery Date", _TRANSIT),
        ("155", "Delivery Photo", _m(S.DELIVERED)),
        ("156", "Commercial Inside Release", _m(S.DELIVERED)),
        ("157", "Shipment Ready for UPS", _INFO),
        ("158", "On the Way", _TRANSIT),
        ("159", "On the Way", _TRANSIT),
        ("160", "We Have Your Package", _PICKED),
        ("161", "Delivered to UPS Access Point", _m(S.AVAILABLE_FOR_PICKUP)),
        ("162", "Out for Delivery", _OFD),
        ("163", "Package Information Unavailable", _NO_STATUS),
        ("164", "On the Way", _TRANSIT),
        ("165", "On the Way", _TRANSIT),
        ("166", "Shipment Ready for Roadie", _INFO),
        ("167", "Dropped off at UPS Store by Customer", _PICKED),
        ("168", "Dropped off at Retail Location by Customer", _PICKED),
        ("169", "Dropped off at a UPS Access Point by Customer", _PICKED),
    )
}

# An exception-type scan keeps one of these statuses; any other is turned into an
# exception (keeping the code's reason), since UPS flagged the scan as abnormal.
_EXCEPTION_FAMILY = frozenset(
    {S.EXCEPTION, S.ATTEMPT_FAILED, S.RETURNING, S.RETURNED, S.CANCELLED, S.UNKNOWN}
)


def _code_key(code: str | None) -> str | None:
    if code is None:
        return None
    text = str(code).strip()
    if not text:
        return None
    return text.zfill(3) if text.isdigit() else text.upper()


def map_activity(type_code: str | None, status_code: str | None) -> tuple[Mapped | None, str]:
    """The mapping of an activity's (type, status code), and a note when only half known.

    Returns ``(None, "")`` when neither is in the tables.
    """
    type_key = type_code.strip().upper() if type_code and type_code.strip() else None
    code_key = _code_key(status_code)
    by_code = STATUS_CODES.get(code_key) if code_key else None
    by_type = ACTIVITY_TYPES.get(type_key) if type_key else None
    if by_code is not None:
        mapped = by_code[1]
        if type_key == "X" and mapped.status not in _EXCEPTION_FAMILY:
            mapped = Mapped(S.EXCEPTION, mapped.reason, None)
        note = f"activity type {type_key!r} is not in the table" if type_key and not by_type else ""
        return mapped, note
    if by_type is not None:
        note = (
            f"status code {code_key!r} is not in the table; classified by its activity "
            f"type {type_key!r} ({by_type[0]})"
            if code_key
            else ""
        )
        return by_type[1], note
    return None, ""


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
        "substatus": _code_key(code),
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
    elif mapped is not None and mapped.status == S.UNKNOWN:
        out.problem(
            number,
            ProblemCode.PARTIAL_DATA,
            f"UPS reports no status for this activity ({type_code}/{_code_key(code)}); "
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
        "status": mapped.status if mapped else S.UNKNOWN,
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
    shipments = track.get("shipment") or []
    requested = numbers[0] if len(numbers) == 1 else None
    for s_index, shipment in enumerate(shipments):
        s_where = f"trackResponse.shipment[{s_index}]"
        if not isinstance(shipment, Mapping):
            out.problem(
                requested,
                ProblemCode.BAD_PAYLOAD,
                "shipment is not an object",
                raw=shipment,
                location=s_where,
            )
            continue
        inquiry = _number(shipment.get("inquiryNumber")) or requested
        for w_index, warning in enumerate(shipment.get("warnings") or []):
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
        for p_index, package in enumerate(shipment.get("package") or []):
            p_where = f"{s_where}.package[{p_index}]"
            if not isinstance(package, Mapping):
                out.problem(
                    inquiry,
                    ProblemCode.BAD_PAYLOAD,
                    "package is not an object",
                    raw=package,
                    location=p_where,
                )
                continue
            own = _number(package.get("trackingNumber"))
            number = inquiry or own
            if number is None:
                out.problem(
                    None,
                    ProblemCode.BAD_PAYLOAD,
                    "package without a tracking number",
                    raw=package,
                    location=p_where,
                )
                continue
            attributes: dict[str, Any] = {}
            if own and own != number:
                attributes["ups_package"] = own
            service = package.get("service")
            if isinstance(service, Mapping) and _text(service.get("description")):
                attributes["ups_service"] = _text(service.get("description"))
            activities = package.get("activity") or []
            if not activities:
                out.problem(
                    number,
                    ProblemCode.NOT_FOUND,
                    "UPS knows the package but reports no activity yet",
                    raw=package.get("currentStatus"),
                    location=p_where,
                )
            for a_index, activity in enumerate(activities):
                _activity(out, number, activity, f"{p_where}.activity[{a_index}]", attributes)
    return out.result()


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


def markdown_table() -> str:
    """The UPS tables (activity types, then status codes) as Markdown, for the docs."""

    def row(code: str, meaning: str, mapped: Mapped) -> str:
        reason = f"`{mapped.reason.value}`" if mapped.reason else "—"
        return (
            f"| `{code}` | {meaning} | `{mapped.status.value}` | {reason} "
            f"| `{mapped.effective_stage.value}` |"
        )

    header = ["| code | meaning | status | reason | stage |", "|---|---|---|---|---|"]
    types = [row(code, meaning, mapped) for code, (meaning, mapped) in ACTIVITY_TYPES.items()]
    codes = [row(code, meaning, mapped) for code, (meaning, mapped) in STATUS_CODES.items()]
    return "\n".join(
        ["Activity types:", "", *header, *types, "", "Status codes:", "", *header, *codes]
    )
