"""Carrier and aggregator status codes mapped onto the canonical taxonomy, as data.

Every documented status code and sub-status code of six tracking systems has a
row in :data:`ROWS`; :mod:`logix_carriers._status_lookup` indexes them as ``TABLES``
and looks codes up (``map_code``, ``resolve_code``).  Where each vocabulary comes
from (the documentation page names):

``aftership``
    AfterShip Tracking API reference, enum pages "Delivery Statuses" (the ``tag``)
    and "Delivery Sub-statuses" (the ``subtag``; versions 2025-04 and 2026-07), and
    the AfterShip help-centre article "Learn About Delivery Sub-Status" for the
    sub-statuses added on 27 March 2026 (``Exception_016`` to ``Exception_018``).
    ``OutForDelivery_002`` comes from older copies of the sub-status table;
    ``Pending_002`` to ``Pending_006`` are enum values carried by AfterShip-derived
    SDK enums whose descriptions the pages above do not give.
``easypost``
    EasyPost API docs, "Trackers" (Tracker object: ``status`` and ``status_detail``),
    checked against the doc comments of EasyPost's .NET client.  EasyPost documents
    the two lists independently, so every (status, status_detail) pair has an entry.
``17track``
    17TRACK API v2 documentation, main-status and sub-status tables, and the
    17TRACK help-centre article "Understanding Tracking Status (Main Status &
    Substatus)".
``shippo``
    Shippo docs, "Tracking" guide (``tracking_status.status`` and
    ``substatus.code``, grouped by status), and ``TrackingStatusEnum`` of Shippo's
    JavaScript SDK.
``dhl``
    DHL Developer Portal, "Shipment Tracking - Unified API" reference (response data
    schema, ``status.statusCode``) and the DHL developer-support article "What are
    the different status codes available in the DHL Shipment Tracking - Unified
    API?".  DHL documents no finer code: the event's ``status`` is free text that
    differs per DHL division.
``usps``
    USPS Publication 97 ("Tracking Event Codes" appendix) and the USPS Web Tools /
    Tracking API documentation of ``eventCode`` (the same two-character codes the
    Tracking API v3 returns), cross-checked against public client libraries' code
    tables.  Codes of the international exchange offices are not listed there and
    stay ``unknown`` (with an ``unknown_code`` problem) until they are.

``docs/taxonomy.md`` holds one generated table per system and explains each
judgement call; regenerate its tables with
``python -m logix_carriers._status_docs --write-docs docs/taxonomy.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType
from typing import Final, NamedTuple

from ._taxonomy import Reason, Stage, Status, default_stage

__all__ = [
    "ROWS",
    "SYSTEMS",
    "Mapped",
]

S = Status
R = Reason
G = Stage


class Mapped(NamedTuple):
    """Where one source code lands in the canonical taxonomy.

    ``stage`` is set only where :func:`~logix_carriers.default_stage` would be wrong
    for this code; ``None`` means "the default stage of ``status`` and ``reason``".
    """

    status: Status
    reason: Reason | None = None
    stage: Stage | None = None

    @property
    def effective_stage(self) -> Stage:
        """``stage`` if set, otherwise the default stage of ``status`` and ``reason``."""
        return self.stage if self.stage is not None else default_stage(self.status, self.reason)


class _Row(NamedTuple):
    code: str
    subcode: str | None
    meaning: str
    mapped: Mapped


def _m(status: Status, reason: Reason | None = None, stage: Stage | None = None) -> Mapped:
    # Keep entries canonical: a stage equal to the default is recorded as "no override".
    if stage is not None and stage == default_stage(status, reason):
        stage = None
    return Mapped(status, reason, stage)


# --------------------------------------------------------------------------- AfterShip

_AFTERSHIP_ROWS: Final[tuple[_Row, ...]] = (
    _Row("Pending", None, "New tracking not yet tracked, or no information yet", _m(S.NOT_FOUND)),
    _Row("Pending", "Pending_001", "No information from the carrier yet", _m(S.NOT_FOUND)),
    *(
        _Row(
            "Pending",
            f"Pending_00{n}",
            "Pending sub-status without a published description; read like Pending",
            _m(S.NOT_FOUND),
        )
        for n in range(2, 7)
    ),
    _Row(
        "InfoReceived",
        None,
        "Carrier has the shipper's request and is about to pick up",
        _m(S.INFO_RECEIVED),
    ),
    _Row(
        "InfoReceived",
        "InfoReceived_001",
        "Carrier has the shipper's request and is about to pick up",
        _m(S.INFO_RECEIVED),
    ),
    _Row(
        "InTransit",
        None,
        "Accepted or picked up by the carrier; on the way",
        _m(S.IN_TRANSIT),
    ),
    _Row("InTransit", "InTransit_001", "On the way", _m(S.IN_TRANSIT)),
    _Row("InTransit", "InTransit_002", "Acceptance scan by the carrier", _m(S.PICKED_UP)),
    _Row("InTransit", "InTransit_003", "Arrival scan at a hub or sorting centre", _m(S.IN_TRANSIT)),
    _Row(
        "InTransit",
        "InTransit_004",
        "International shipment arrived in the destination country",
        _m(S.IN_TRANSIT),
    ),
    _Row(
        "InTransit",
        "InTransit_005",
        "Customs clearance completed",
        _m(S.IN_TRANSIT, R.CUSTOMS_CLEARED),
    ),
    _Row("InTransit", "InTransit_006", "Handed to customs for clearance", _m(S.CUSTOMS)),
    _Row("InTransit", "InTransit_007", "Departure scan: left a facility", _m(S.IN_TRANSIT)),
    _Row("InTransit", "InTransit_008", "Earlier problem resolved; moving again", _m(S.IN_TRANSIT)),
    _Row(
        "InTransit", "InTransit_009", "Forwarded to a different delivery address", _m(S.IN_TRANSIT)
    ),
    _Row(
        "OutForDelivery",
        None,
        "About to be delivered, or ready to be picked up",
        _m(S.OUT_FOR_DELIVERY),
    ),
    _Row("OutForDelivery", "OutForDelivery_001", "Out for delivery", _m(S.OUT_FOR_DELIVERY)),
    _Row(
        "OutForDelivery",
        "OutForDelivery_002",
        "At the sorting centre, available for pickup (older sub-status tables)",
        _m(S.AVAILABLE_FOR_PICKUP),
    ),
    _Row(
        "OutForDelivery",
        "OutForDelivery_003",
        "Customer contacted before the final delivery",
        _m(S.OUT_FOR_DELIVERY),
    ),
    _Row(
        "OutForDelivery",
        "OutForDelivery_004",
        "Delivery appointment scheduled",
        _m(S.OUT_FOR_DELIVERY),
    ),
    _Row(
        "AttemptFail",
        None,
        "Delivery attempt failed; usually a notice is left and delivery retried",
        _m(S.ATTEMPT_FAILED),
    ),
    _Row(
        "AttemptFail",
        "AttemptFail_001",
        "Delivery attempt failed for an unstated reason",
        _m(S.ATTEMPT_FAILED),
    ),
    _Row(
        "AttemptFail",
        "AttemptFail_002",
        "Addressee not available at the address",
        _m(S.ATTEMPT_FAILED, R.RECIPIENT_UNAVAILABLE),
    ),
    _Row(
        "AttemptFail",
        "AttemptFail_003",
        "Business closed at delivery time",
        _m(S.ATTEMPT_FAILED, R.BUSINESS_CLOSED),
    ),
    _Row("Delivered", None, "Delivered", _m(S.DELIVERED)),
    _Row("Delivered", "Delivered_001", "Delivered", _m(S.DELIVERED)),
    _Row("Delivered", "Delivered_002", "Picked up by the customer", _m(S.DELIVERED)),
    _Row("Delivered", "Delivered_003", "Delivered and signed for by the customer", _m(S.DELIVERED)),
    _Row(
        "Delivered",
        "Delivered_004",
        "Delivered; cash on delivery collected",
        _m(S.DELIVERED),
    ),
    _Row("Delivered", "Delivered_005", "Delivered to a neighbour", _m(S.DELIVERED)),
    _Row(
        "AvailableForPickup",
        None,
        "At a pickup point near the recipient, ready to collect",
        _m(S.AVAILABLE_FOR_PICKUP),
    ),
    _Row(
        "AvailableForPickup",
        "AvailableForPickup_001",
        "At a pickup point near the recipient, ready to collect",
        _m(S.AVAILABLE_FOR_PICKUP),
    ),
    _Row(
        "Exception",
        None,
        "Customs hold, undelivered, returned or another shipping exception",
        _m(S.EXCEPTION),
    ),
    _Row(
        "Exception",
        "Exception_001",
        "Delivery failed because of an unspecified shipping exception",
        _m(S.EXCEPTION),
    ),
    _Row(
        "Exception",
        "Exception_002",
        "Delivery failed: the customer has moved",
        _m(S.EXCEPTION, R.ADDRESS_ISSUE),
    ),
    _Row(
        "Exception",
        "Exception_003",
        "Delivery failed: the recipient refused the parcel",
        _m(S.EXCEPTION, R.REFUSED),
    ),
    _Row(
        "Exception",
        "Exception_004",
        "Delayed by problems in customs clearance",
        _m(S.EXCEPTION, R.CUSTOMS_HOLD),
    ),
    _Row(
        "Exception",
        "Exception_005",
        "Delayed by unforeseen external factors",
        _m(S.EXCEPTION, R.DELAY_EXTERNAL),
    ),
    _Row(
        "Exception",
        "Exception_006",
        "Held until the customer pays",
        _m(S.EXCEPTION, R.PAYMENT_REQUIRED),
    ),
    _Row(
        "Exception",
        "Exception_007",
        "Not delivered: incorrect recipient address",
        _m(S.EXCEPTION, R.ADDRESS_ISSUE),
    ),
    _Row(
        "Exception",
        "Exception_008",
        "Ready for pickup but not collected",
        _m(S.EXCEPTION, R.UNCLAIMED),
    ),
    _Row(
        "Exception",
        "Exception_009",
        "Rejected by the carrier for not meeting its guidelines",
        _m(S.EXCEPTION, R.CARRIER_REJECTED),
    ),
    _Row("Exception", "Exception_010", "On its way back to the sender", _m(S.RETURNING)),
    _Row("Exception", "Exception_011", "Return received by the sender", _m(S.RETURNED)),
    _Row("Exception", "Exception_012", "Damaged", _m(S.EXCEPTION, R.DAMAGED)),
    _Row("Exception", "Exception_013", "Lost", _m(S.EXCEPTION, R.LOST)),
    _Row(
        "Exception",
        "Exception_016",
        "Delayed by a processing issue in the carrier network (vehicle, missort, misroute)",
        _m(S.EXCEPTION, R.DELAY_CARRIER),
    ),
    _Row(
        "Exception",
        "Exception_017",
        "Delayed by extreme weather",
        _m(S.EXCEPTION, R.DELAY_WEATHER),
    ),
    _Row(
        "Exception",
        "Exception_018",
        "On hold: documents required by regulatory agencies are wrong or missing",
        _m(S.EXCEPTION, R.CUSTOMS_HOLD),
    ),
    _Row(
        "Expired",
        None,
        "No tracking information for 30 days; AfterShip stopped tracking",
        _m(S.EXCEPTION, R.OTHER),
    ),
    _Row(
        "Expired",
        "Expired_001",
        "No tracking information for 30 days; AfterShip stopped tracking",
        _m(S.EXCEPTION, R.OTHER),
    ),
)

# --------------------------------------------------------------------------- 17TRACK

_17TRACK_ROWS: Final[tuple[_Row, ...]] = (
    _Row("NotFound", None, "No result for the tracking number yet", _m(S.NOT_FOUND)),
    _Row("NotFound", "NotFound_Other", "The carrier returned no information", _m(S.NOT_FOUND)),
    _Row("NotFound", "NotFound_InvalidCode", "The tracking number is invalid", _m(S.NOT_FOUND)),
    _Row(
        "InfoReceived",
        None,
        "Carrier has the order and waits to pick the parcel up",
        _m(S.INFO_RECEIVED),
    ),
    _Row(
        "InfoReceived",
        "InfoReceived",
        "Carrier has the order and waits to pick the parcel up",
        _m(S.INFO_RECEIVED),
    ),
    _Row("InTransit", None, "On the way", _m(S.IN_TRANSIT)),
    _Row(
        "InTransit",
        "InTransit_PickedUp",
        "Collected from the sender by the carrier",
        _m(S.PICKED_UP),
    ),
    _Row("InTransit", "InTransit_Other", "In transit, no finer detail", _m(S.IN_TRANSIT)),
    _Row(
        "InTransit",
        "InTransit_Departure",
        "Left the port of the origin country or region",
        _m(S.IN_TRANSIT),
    ),
    _Row(
        "InTransit",
        "InTransit_Arrival",
        "Arrived at the port of the destination country or region",
        _m(S.IN_TRANSIT),
    ),
    _Row(
        "InTransit",
        "InTransit_CustomsProcessing",
        "Import or export customs clearance under way",
        _m(S.CUSTOMS),
    ),
    _Row(
        "InTransit",
        "InTransit_CustomsReleased",
        "Import or export customs clearance completed",
        _m(S.IN_TRANSIT, R.CUSTOMS_CLEARED),
    ),
    _Row(
        "InTransit",
        "InTransit_CustomsRequiringInformation",
        "Clearance cannot finish until more information is supplied",
        _m(S.EXCEPTION, R.CUSTOMS_HOLD),
    ),
    _Row(
        "Expired",
        None,
        "In transport for a long time without being delivered",
        _m(S.EXCEPTION, R.OTHER),
    ),
    _Row(
        "Expired",
        "Expired_Other",
        "In transport for a long time without being delivered",
        _m(S.EXCEPTION, R.OTHER),
    ),
    _Row(
        "AvailableForPickup",
        None,
        "At the delivery point, waiting for the recipient to collect it",
        _m(S.AVAILABLE_FOR_PICKUP),
    ),
    _Row(
        "AvailableForPickup",
        "AvailableForPickup_Other",
        "At the delivery point, waiting for the recipient to collect it",
        _m(S.AVAILABLE_FOR_PICKUP),
    ),
    _Row("OutForDelivery", None, "Being delivered", _m(S.OUT_FOR_DELIVERY)),
    _Row("OutForDelivery", "OutForDelivery_Other", "Being delivered", _m(S.OUT_FOR_DELIVERY)),
    _Row(
        "DeliveryFailure",
        None,
        "A delivery attempt did not succeed",
        _m(S.ATTEMPT_FAILED),
    ),
    _Row(
        "DeliveryFailure",
        "DeliveryFailure_Other",
        "Delivery failed for a reason without a sub-status",
        _m(S.ATTEMPT_FAILED),
    ),
    _Row(
        "DeliveryFailure",
        "DeliveryFailure_NoBody",
        "Recipient could not be reached during delivery",
        _m(S.ATTEMPT_FAILED, R.RECIPIENT_UNAVAILABLE),
    ),
    _Row(
        "DeliveryFailure",
        "DeliveryFailure_Security",
        "Security, clearance or fee problem found during delivery",
        _m(S.ATTEMPT_FAILED, R.CUSTOMS_HOLD),
    ),
    _Row(
        "DeliveryFailure",
        "DeliveryFailure_Rejected",
        "Recipient refused the parcel",
        _m(S.ATTEMPT_FAILED, R.REFUSED),
    ),
    _Row(
        "DeliveryFailure",
        "DeliveryFailure_InvalidAddress",
        "Recipient address is incorrect",
        _m(S.ATTEMPT_FAILED, R.ADDRESS_ISSUE),
    ),
    _Row("Delivered", None, "Delivered", _m(S.DELIVERED)),
    _Row("Delivered", "Delivered_Other", "Delivered", _m(S.DELIVERED)),
    _Row(
        "Exception",
        None,
        "Possibly returned, held by customs, damaged, lost or delayed",
        _m(S.EXCEPTION),
    ),
    _Row(
        "Exception",
        "Exception_Other",
        "Exception without a sub-status",
        _m(S.EXCEPTION),
    ),
    _Row("Exception", "Exception_Returning", "On its way back to the sender", _m(S.RETURNING)),
    _Row("Exception", "Exception_Returned", "Return received by the sender", _m(S.RETURNED)),
    _Row(
        "Exception",
        "Exception_NoBody",
        "Recipient details found faulty before delivery",
        _m(S.EXCEPTION, R.ADDRESS_ISSUE),
    ),
    _Row(
        "Exception",
        "Exception_Security",
        "Security, clearance or fee problem found before delivery",
        _m(S.EXCEPTION, R.CUSTOMS_HOLD),
    ),
    _Row("Exception", "Exception_Damage", "Damaged in transport", _m(S.EXCEPTION, R.DAMAGED)),
    _Row(
        "Exception",
        "Exception_Rejected",
        "Recipient refused the parcel before delivery",
        _m(S.EXCEPTION, R.REFUSED),
    ),
    _Row(
        "Exception",
        "Exception_Delayed",
        "Delayed beyond the expected transit time",
        _m(S.EXCEPTION, R.DELAY_CARRIER),
    ),
    _Row("Exception", "Exception_Lost", "Lost", _m(S.EXCEPTION, R.LOST)),
    _Row(
        "Exception",
        "Exception_Destroyed",
        "Undeliverable and destroyed",
        _m(S.EXCEPTION, R.DISPOSED),
    ),
    _Row("Exception", "Exception_Cancel", "The logistics order was cancelled", _m(S.CANCELLED)),
)

# --------------------------------------------------------------------------- Shippo

_SHIPPO_ROWS: Final[tuple[_Row, ...]] = (
    _Row(
        "PRE_TRANSIT",
        None,
        "Label created; the carrier does not have the package yet",
        _m(S.INFO_RECEIVED),
    ),
    _Row(
        "PRE_TRANSIT",
        "information_received",
        "The carrier received information about the package",
        _m(S.INFO_RECEIVED),
    ),
    _Row("TRANSIT", None, "In transit", _m(S.IN_TRANSIT)),
    _Row(
        "TRANSIT",
        "address_issue",
        "Address information is incorrect; contact the carrier",
        _m(S.EXCEPTION, R.ADDRESS_ISSUE),
    ),
    _Row(
        "TRANSIT",
        "contact_carrier",
        "Contact the carrier for more information",
        _m(S.EXCEPTION, R.OTHER),
    ),
    _Row("TRANSIT", "delayed", "Delivery is delayed", _m(S.EXCEPTION, R.DELAY_CARRIER)),
    _Row(
        "TRANSIT",
        "delivery_attempted",
        "Delivery was attempted; contact the carrier",
        _m(S.ATTEMPT_FAILED),
    ),
    _Row(
        "TRANSIT",
        "delivery_rescheduled",
        "Delivery has been rescheduled",
        _m(S.EXCEPTION, R.DELAY_CARRIER, G.LAST_MILE),
    ),
    _Row(
        "TRANSIT",
        "delivery_scheduled",
        "Scheduled for delivery",
        _m(S.IN_TRANSIT, stage=G.LAST_MILE),
    ),
    _Row(
        "TRANSIT",
        "location_inaccessible",
        "The carrier could not reach the delivery location",
        _m(S.ATTEMPT_FAILED, R.LOCATION_INACCESSIBLE),
    ),
    _Row(
        "TRANSIT",
        "notice_left",
        "A notice was left during an attempted delivery",
        _m(S.ATTEMPT_FAILED, R.RECIPIENT_UNAVAILABLE),
    ),
    _Row("TRANSIT", "out_for_delivery", "Out for delivery", _m(S.OUT_FOR_DELIVERY)),
    _Row(
        "TRANSIT",
        "package_accepted",
        "Accepted into the carrier network",
        _m(S.PICKED_UP),
    ),
    _Row(
        "TRANSIT",
        "package_arrived",
        "Arrived at an intermediate location",
        _m(S.IN_TRANSIT),
    ),
    _Row(
        "TRANSIT",
        "package_damaged",
        "Damaged; contact the carrier",
        _m(S.EXCEPTION, R.DAMAGED),
    ),
    _Row(
        "TRANSIT",
        "package_departed",
        "Departed an intermediate location",
        _m(S.IN_TRANSIT),
    ),
    _Row("TRANSIT", "package_forwarded", "Forwarded", _m(S.IN_TRANSIT)),
    _Row(
        "TRANSIT",
        "package_held",
        "Held at a carrier location; contact the carrier",
        _m(S.EXCEPTION, R.HELD),
    ),
    _Row(
        "TRANSIT",
        "package_processed",
        "Processed at an intermediate location",
        _m(S.IN_TRANSIT),
    ),
    _Row(
        "TRANSIT",
        "package_processing",
        "Being processed at an intermediate location",
        _m(S.IN_TRANSIT),
    ),
    _Row(
        "TRANSIT",
        "pickup_available",
        "Available for pickup at a carrier location",
        _m(S.AVAILABLE_FOR_PICKUP),
    ),
    _Row(
        "TRANSIT",
        "reschedule_delivery",
        "Not delivered; contact the carrier to reschedule",
        _m(S.ATTEMPT_FAILED),
    ),
    _Row("DELIVERED", None, "Delivered", _m(S.DELIVERED)),
    _Row("DELIVERED", "delivered", "Delivered", _m(S.DELIVERED)),
    _Row(
        "RETURNED",
        None,
        "Being returned, or returned, to the sender",
        _m(S.RETURNING),
    ),
    _Row(
        "RETURNED",
        "return_to_sender",
        "To be returned to the sender",
        _m(S.RETURNING),
    ),
    _Row(
        "RETURNED",
        "package_unclaimed",
        "Unclaimed, going back to the sender",
        _m(S.RETURNING, R.UNCLAIMED),
    ),
    _Row("FAILURE", None, "Delivery failed", _m(S.EXCEPTION)),
    _Row(
        "FAILURE",
        "package_undeliverable",
        "Cannot be delivered",
        _m(S.EXCEPTION),
    ),
    _Row("FAILURE", "package_disposed", "Disposed of", _m(S.EXCEPTION, R.DISPOSED)),
    _Row("FAILURE", "package_lost", "Lost; contact the carrier", _m(S.EXCEPTION, R.LOST)),
    _Row("UNKNOWN", None, "No tracking information from the carrier", _m(S.UNKNOWN)),
    _Row("UNKNOWN", "other", "A carrier status Shippo does not recognise", _m(S.UNKNOWN)),
)

# --------------------------------------------------------------------------- DHL

_DHL_ROWS: Final[tuple[_Row, ...]] = (
    _Row(
        "pre-transit",
        None,
        "Awaiting shipment; tracking updates once DHL has the parcel",
        _m(S.INFO_RECEIVED),
    ),
    _Row(
        "transit",
        None,
        "Accepted or picked up by DHL; on the way",
        _m(S.IN_TRANSIT),
    ),
    _Row("delivered", None, "Delivered", _m(S.DELIVERED)),
    _Row(
        "failure",
        None,
        "Could not be delivered, or an unforeseen event (customs, not collected, returned)",
        _m(S.EXCEPTION),
    ),
    _Row("unknown", None, "No simplified status code is available", _m(S.UNKNOWN)),
)

# --------------------------------------------------------------------------- USPS


def _usps_return(code: str, meaning: str, reason: Reason) -> _Row:
    return _Row(code, None, f"Return to sender: {meaning}", _m(S.RETURNING, reason))


_USPS_ROWS: Final[tuple[_Row, ...]] = (
    _Row("GX", None, "Shipping label created, USPS awaiting item", _m(S.INFO_RECEIVED)),
    _Row("MA", None, "Pre-shipment info sent to USPS (manifest acknowledged)", _m(S.INFO_RECEIVED)),
    _Row("TM", None, "Shipment received, package acceptance pending", _m(S.PICKED_UP)),
    _Row("PA", None, "Shipment acceptance (passive)", _m(S.PICKED_UP)),
    _Row("03", None, "Accepted or picked up by USPS", _m(S.PICKED_UP)),
    _Row("OA", None, "Accepted at USPS origin facility", _m(S.PICKED_UP)),
    _Row("43", None, "Picked up", _m(S.PICKED_UP)),
    _Row("80", None, "Picked up by shipping partner", _m(S.PICKED_UP)),
    _Row("81", None, "Arrived at shipping partner facility", _m(S.IN_TRANSIT)),
    _Row("82", None, "Departed shipping partner facility", _m(S.IN_TRANSIT)),
    _Row("42", None, "USPS handoff to shipping partner", _m(S.IN_TRANSIT)),
    _Row("41", None, "Received at opening unit", _m(S.IN_TRANSIT)),
    _Row("10", None, "Processed through USPS facility", _m(S.IN_TRANSIT)),
    _Row("EF", None, "Departed USPS sort facility", _m(S.IN_TRANSIT)),
    _Row("SF", None, "Departed post office", _m(S.IN_TRANSIT)),
    _Row("06", None, "Forwarded to a new address", _m(S.IN_TRANSIT)),
    _Row(
        "07",
        None,
        "Arrived at the delivery unit (post office)",
        _m(S.IN_TRANSIT, stage=G.LAST_MILE),
    ),
    _Row(
        "PC",
        None,
        "Sorting / processing complete at the delivery unit",
        _m(S.IN_TRANSIT, stage=G.LAST_MILE),
    ),
    _Row("OF", None, "Out for delivery", _m(S.OUT_FOR_DELIVERY)),
    _Row("01", None, "Delivered", _m(S.DELIVERED)),
    _Row("17", None, "Picked up by the addressee's agent", _m(S.DELIVERED)),
    _Row("14", None, "Arrived at the pickup point", _m(S.AVAILABLE_FOR_PICKUP)),
    _Row("16", None, "Available for pickup", _m(S.AVAILABLE_FOR_PICKUP)),
    _Row(
        "02",
        None,
        "Delivery attempted, notice left",
        _m(S.ATTEMPT_FAILED, R.RECIPIENT_UNAVAILABLE),
    ),
    _Row("52", None, "Notice left", _m(S.ATTEMPT_FAILED, R.RECIPIENT_UNAVAILABLE)),
    _Row(
        "53",
        None,
        "Notice left: receptacle blocked",
        _m(S.ATTEMPT_FAILED, R.LOCATION_INACCESSIBLE),
    ),
    _Row(
        "54", None, "Notice left: receptacle full or item oversized", _m(S.ATTEMPT_FAILED, R.OTHER)
    ),
    _Row(
        "55",
        None,
        "Notice left: no secure location available",
        _m(S.ATTEMPT_FAILED, R.LOCATION_INACCESSIBLE),
    ),
    _Row(
        "56",
        None,
        "Notice left: no authorized recipient available",
        _m(S.ATTEMPT_FAILED, R.RECIPIENT_UNAVAILABLE),
    ),
    _Row("51", None, "Business closed", _m(S.ATTEMPT_FAILED, R.BUSINESS_CLOSED)),
    _Row("04", None, "Refused by the addressee", _m(S.EXCEPTION, R.REFUSED)),
    _Row("05", None, "Undeliverable as addressed", _m(S.EXCEPTION, R.ADDRESS_ISSUE)),
    _Row("08", None, "Missent", _m(S.EXCEPTION, R.DELAY_CARRIER)),
    _Row("15", None, "Mis-shipped", _m(S.EXCEPTION, R.DELAY_CARRIER)),
    _Row("11", None, "Dead letter (sent to the Mail Recovery Center)", _m(S.EXCEPTION, R.LOST)),
    _Row("09", None, "Return to sender", _m(S.RETURNING)),
    _usps_return("21", "no such number", R.ADDRESS_ISSUE),
    _usps_return("22", "insufficient address", R.ADDRESS_ISSUE),
    _usps_return("23", "moved, left no address", R.ADDRESS_ISSUE),
    _usps_return("24", "forward expired", R.ADDRESS_ISSUE),
    _usps_return("25", "addressee unknown", R.ADDRESS_ISSUE),
    _usps_return("26", "vacant", R.ADDRESS_ISSUE),
    _usps_return("27", "unclaimed", R.UNCLAIMED),
    _usps_return("28", "deceased", R.OTHER),
    _usps_return("29", "other", R.OTHER),
    _usps_return("31", "not picked up", R.UNCLAIMED),
    _Row("44", None, "Recalled by the sender", _m(S.RETURNING)),
    _Row("DX", None, "Delivery status not updated", _m(S.UNKNOWN)),
)

# --------------------------------------------------------------------------- EasyPost

_EASYPOST_STATUSES: Final[tuple[_Row, ...]] = (
    _Row("unknown", None, "Status not known", _m(S.UNKNOWN)),
    _Row(
        "pre_transit",
        None,
        "Label exists; the carrier does not have the parcel yet",
        _m(S.INFO_RECEIVED),
    ),
    _Row("in_transit", None, "In transit", _m(S.IN_TRANSIT)),
    _Row("out_for_delivery", None, "Out for delivery", _m(S.OUT_FOR_DELIVERY)),
    _Row("delivered", None, "Delivered", _m(S.DELIVERED)),
    _Row("available_for_pickup", None, "Available for pickup", _m(S.AVAILABLE_FOR_PICKUP)),
    _Row("return_to_sender", None, "Being returned to the sender", _m(S.RETURNING)),
    _Row("failure", None, "Delivery failed", _m(S.EXCEPTION)),
    _Row("cancelled", None, "Tracking or shipment cancelled", _m(S.CANCELLED)),
    _Row("error", None, "EasyPost could not track the parcel", _m(S.UNKNOWN)),
)


class _Kind(Enum):
    # A problem names something wrong and outranks a non-final status; a milestone
    # names a position and refines only vague statuses; a neutral detail adds nothing.
    PROBLEM = "problem"
    MILESTONE = "milestone"
    NEUTRAL = "neutral"


class _Detail(NamedTuple):
    code: str
    meaning: str
    kind: _Kind
    mapped: Mapped | None


_EASYPOST_DETAILS: Final[tuple[_Detail, ...]] = (
    _Detail("address_correction", "The carrier corrected the address", _Kind.NEUTRAL, None),
    _Detail(
        "arrived_at_destination",
        "Arrived at the destination",
        _Kind.MILESTONE,
        _m(S.IN_TRANSIT, stage=G.LAST_MILE),
    ),
    _Detail("arrived_at_facility", "Arrived at a facility", _Kind.MILESTONE, _m(S.IN_TRANSIT)),
    _Detail(
        "arrived_at_pickup_location",
        "Arrived at the pickup location",
        _Kind.MILESTONE,
        _m(S.AVAILABLE_FOR_PICKUP),
    ),
    _Detail(
        "awaiting_information",
        "The carrier is waiting for information",
        _Kind.PROBLEM,
        _m(S.EXCEPTION, R.HELD),
    ),
    _Detail("cancelled", "Cancelled", _Kind.PROBLEM, _m(S.CANCELLED)),
    _Detail("damaged", "Reported damaged", _Kind.PROBLEM, _m(S.EXCEPTION, R.DAMAGED)),
    _Detail("delayed", "Delayed", _Kind.PROBLEM, _m(S.EXCEPTION, R.DELAY_CARRIER)),
    _Detail(
        "delivery_exception",
        "Exception during delivery",
        _Kind.PROBLEM,
        _m(S.ATTEMPT_FAILED),
    ),
    _Detail("departed_facility", "Departed a facility", _Kind.MILESTONE, _m(S.IN_TRANSIT)),
    _Detail(
        "departed_origin_facility",
        "Departed the origin facility",
        _Kind.MILESTONE,
        _m(S.IN_TRANSIT),
    ),
    _Detail(
        "expired",
        "Tracking expired without further updates",
        _Kind.PROBLEM,
        _m(S.EXCEPTION, R.OTHER),
    ),
    _Detail("failure", "Delivery failed", _Kind.PROBLEM, _m(S.EXCEPTION)),
    _Detail("held", "Held at a carrier facility", _Kind.PROBLEM, _m(S.EXCEPTION, R.HELD)),
    _Detail("in_transit", "In transit", _Kind.MILESTONE, _m(S.IN_TRANSIT)),
    _Detail("label_created", "Label created", _Kind.MILESTONE, _m(S.INFO_RECEIVED)),
    _Detail("lost", "Reported lost", _Kind.PROBLEM, _m(S.EXCEPTION, R.LOST)),
    _Detail("missorted", "Missorted", _Kind.PROBLEM, _m(S.EXCEPTION, R.DELAY_CARRIER)),
    _Detail("out_for_delivery", "Out for delivery", _Kind.MILESTONE, _m(S.OUT_FOR_DELIVERY)),
    _Detail(
        "received_at_destination_facility",
        "Received at the destination facility",
        _Kind.MILESTONE,
        _m(S.IN_TRANSIT, stage=G.LAST_MILE),
    ),
    _Detail(
        "received_at_origin_facility",
        "Received at the origin facility",
        _Kind.MILESTONE,
        _m(S.PICKED_UP),
    ),
    _Detail("refused", "Refused by the recipient", _Kind.PROBLEM, _m(S.EXCEPTION, R.REFUSED)),
    _Detail("return", "Returning to the sender", _Kind.PROBLEM, _m(S.RETURNING)),
    _Detail("status_update", "A status update without more detail", _Kind.NEUTRAL, None),
    _Detail(
        "transferred_to_destination_carrier",
        "Handed to the carrier in the destination country",
        _Kind.MILESTONE,
        _m(S.IN_TRANSIT, stage=G.LAST_MILE),
    ),
    _Detail("transit_exception", "Exception in transit", _Kind.PROBLEM, _m(S.EXCEPTION)),
    _Detail("unknown", "Detail not known", _Kind.NEUTRAL, None),
    _Detail(
        "weather_delay",
        "Delayed by weather",
        _Kind.PROBLEM,
        _m(S.EXCEPTION, R.DELAY_WEATHER),
    ),
)

# EasyPost statuses vague enough for a milestone detail to say more than they do.
_EASYPOST_VAGUE: Final = frozenset({"unknown", "error", "pre_transit", "in_transit"})


def _easypost_pair(status: _Row, detail: _Detail) -> Mapped:
    """The mapping of one (status, status_detail) pair; see docs/taxonomy.md."""
    base = status.mapped
    if detail.mapped is None:
        return base
    found = detail.mapped
    if base.status in (S.DELIVERED, S.CANCELLED):
        # A final status stands; damage is the one detail still worth keeping.
        keep = found.reason if base.status is S.DELIVERED and found.reason is R.DAMAGED else None
        return _m(base.status, keep)
    if base.status is S.RETURNING:
        return _m(S.RETURNING, found.reason)
    if detail.kind is _Kind.MILESTONE:
        if status.code not in _EASYPOST_VAGUE:
            return base
        if status.code == "in_transit" and found.status is S.INFO_RECEIVED:
            return base  # never walk a parcel the carrier holds back to pre-transit
        return found
    # A problem outranks the status.  Its stage is its own when its status or reason
    # places it; otherwise the parcel is wherever the status said it was.
    placed = found.stage is not None or default_stage(found.status, found.reason) != G.LINE_HAUL
    if placed or base.status in (S.UNKNOWN, S.EXCEPTION):
        return found
    return _m(found.status, found.reason, base.effective_stage)


def _easypost_rows() -> tuple[_Row, ...]:
    rows = list(_EASYPOST_STATUSES)
    for status in _EASYPOST_STATUSES:
        rows.extend(
            _Row(status.code, detail.code, detail.meaning, _easypost_pair(status, detail))
            for detail in _EASYPOST_DETAILS
        )
    return tuple(rows)


# --------------------------------------------------------------------------- tables

#: The systems that have a table, in documentation order.
SYSTEMS: tuple[str, ...] = ("aftership", "easypost", "17track", "shippo", "dhl", "usps")

#: system -> its rows (code, subcode, meaning, mapping), in documentation order.
ROWS: Final[Mapping[str, tuple[_Row, ...]]] = MappingProxyType(
    {
        "aftership": _AFTERSHIP_ROWS,
        "easypost": _easypost_rows(),
        "17track": _17TRACK_ROWS,
        "shippo": _SHIPPO_ROWS,
        "dhl": _DHL_ROWS,
        "usps": _USPS_ROWS,
    }
)
