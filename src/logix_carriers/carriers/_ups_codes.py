"""UPS's status vocabulary as data, and how an activity's codes are looked up in it.

- :data:`ACTIVITY_TYPES`: the activity status *type* (``I``, ``D``, ``X``, ...);
- :data:`STATUS_CODES`: the three-digit package *status code* (``"005"``, ``"011"``,
  called ``descriptionCode`` in Track Alert), from the Track API appendix
  "Status/Description Codes".

The status code is the finer of the two and wins; an exception-type scan (``X``)
whose code reads like normal progress ("On the Way") stays an exception.  A code
missing from the table falls back to its type (with a ``partial_data`` note).
"""

from __future__ import annotations

from collections.abc import Mapping

from .._status_maps import Mapped
from .._taxonomy import Reason, Stage, Status

__all__ = [
    "ACTIVITY_TYPES",
    "STATUS_CODES",
    "map_activity",
    "markdown_table",
    "status_code_key",
]


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
_CLEARED = _m(S.IN_TRANSIT, R.CUSTOMS_CLEARED)  # released: the customs clock ends
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
        ("14", "Clearance Completed", _CLEARED),
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
        ("84", "Cleared", _CLEARED),
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
        ("134", "Cleared Import Customs", _CLEARED),
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


def status_code_key(code: str | None) -> str | None:
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
    code_key = status_code_key(status_code)
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
