"""The canonical tracking taxonomy: stages, statuses and reasons.

Every carrier's vocabulary is mapped onto these three enums.  They are ``StrEnum``
so that values compare equal to their plain strings (``Status.DELIVERED == "delivered"``)
and serialize as such.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "FINAL_STATUSES",
    "REPORT_SYSTEMS",
    "STAGE_ORDER",
    "Reason",
    "Stage",
    "Status",
    "default_stage",
    "implies_stage",
]


class Stage(StrEnum):
    """Where in its journey a parcel is."""

    PRE_TRANSIT = "pre_transit"
    FIRST_MILE = "first_mile"
    LINE_HAUL = "line_haul"
    CUSTOMS = "customs"
    LAST_MILE = "last_mile"
    RETURN = "return"
    TERMINAL = "terminal"


class Status(StrEnum):
    """What the latest scan says happened."""

    NOT_FOUND = "not_found"
    INFO_RECEIVED = "info_received"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    CUSTOMS = "customs"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    ATTEMPT_FAILED = "attempt_failed"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNING = "returning"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class Reason(StrEnum):
    """Why a scan is an exception (or a report's subject)."""

    CUSTOMS_HOLD = "customs_hold"
    CUSTOMS_CLEARED = "customs_cleared"  # released by customs: the customs clock ends
    PAYMENT_REQUIRED = "payment_required"
    ADDRESS_ISSUE = "address_issue"
    RECIPIENT_UNAVAILABLE = "recipient_unavailable"
    BUSINESS_CLOSED = "business_closed"
    REFUSED = "refused"
    UNCLAIMED = "unclaimed"
    CARRIER_REJECTED = "carrier_rejected"
    DAMAGED = "damaged"
    LOST = "lost"
    DISPOSED = "disposed"
    DELAY_WEATHER = "delay_weather"
    DELAY_CARRIER = "delay_carrier"
    DELAY_EXTERNAL = "delay_external"
    HELD = "held"
    LOCATION_INACCESSIBLE = "location_inaccessible"
    NOT_RECEIVED = "not_received"
    WISMO = "wismo"  # a customer asks "where is my parcel" (a report, not a scan)
    WRONG_ITEM = "wrong_item"
    MISSING_ITEMS = "missing_items"
    OTHER = "other"


#: Statuses after which a parcel is not expected to move again.
FINAL_STATUSES: frozenset[Status] = frozenset({Status.DELIVERED, Status.RETURNED, Status.CANCELLED})

#: ``source.system`` values that mark an event as a report from people rather than
#: a carrier scan.  Reports add facts to the history but never move the parcel's
#: carrier status, stage or silence clock.
REPORT_SYSTEMS: frozenset[str] = frozenset({"customer", "warehouse", "merchant", "oms"})

#: The forward order of the journey; ``return`` and ``terminal`` sit outside it.
#: Customs shares line haul's rank: parcels move on through the network after import
#: clearance, so customs followed by line haul is the normal path, not a step back.
STAGE_ORDER: dict[Stage, int] = {
    Stage.PRE_TRANSIT: 0,
    Stage.FIRST_MILE: 1,
    Stage.LINE_HAUL: 2,
    Stage.CUSTOMS: 2,
    Stage.LAST_MILE: 3,
}

_STAGE_OF_STATUS: dict[Status, Stage] = {
    Status.NOT_FOUND: Stage.PRE_TRANSIT,
    Status.INFO_RECEIVED: Stage.PRE_TRANSIT,
    Status.PICKED_UP: Stage.FIRST_MILE,
    Status.IN_TRANSIT: Stage.LINE_HAUL,
    Status.CUSTOMS: Stage.CUSTOMS,
    Status.OUT_FOR_DELIVERY: Stage.LAST_MILE,
    Status.AVAILABLE_FOR_PICKUP: Stage.LAST_MILE,
    Status.ATTEMPT_FAILED: Stage.LAST_MILE,
    Status.DELIVERED: Stage.TERMINAL,
    Status.RETURNING: Stage.RETURN,
    Status.RETURNED: Stage.TERMINAL,
    Status.CANCELLED: Stage.TERMINAL,
}

# ``exception`` and ``unknown`` say nothing about position by themselves; the
# reason, when there is one, usually does.
_STAGE_OF_REASON: dict[Reason, Stage] = {
    Reason.CUSTOMS_HOLD: Stage.CUSTOMS,
    Reason.PAYMENT_REQUIRED: Stage.CUSTOMS,
    # Released: the parcel moves on through the network (customs shares line haul's
    # rank, so this is no step back), and the time spent in customs ends here.
    Reason.CUSTOMS_CLEARED: Stage.LINE_HAUL,
    Reason.ADDRESS_ISSUE: Stage.LAST_MILE,
    Reason.RECIPIENT_UNAVAILABLE: Stage.LAST_MILE,
    Reason.BUSINESS_CLOSED: Stage.LAST_MILE,
    Reason.REFUSED: Stage.LAST_MILE,
    Reason.UNCLAIMED: Stage.LAST_MILE,
    Reason.LOCATION_INACCESSIBLE: Stage.LAST_MILE,
    Reason.CARRIER_REJECTED: Stage.FIRST_MILE,
    Reason.DISPOSED: Stage.TERMINAL,
}


_CUSTOMS_OR_VAGUE = frozenset({Status.CUSTOMS, Status.EXCEPTION, Status.UNKNOWN})


def implies_stage(status: Status, reason: Reason | None = None) -> bool:
    """True when ``status`` (or, for exceptions, ``reason``) says where the parcel is.

    A weather delay or an unknown code says nothing about position; their derived
    stage is only a fallback, and the engine does not let such scans move the stage.
    """
    return status in _STAGE_OF_STATUS or (reason is not None and reason in _STAGE_OF_REASON)


def default_stage(status: Status, reason: Reason | None = None) -> Stage:
    """The stage implied by ``status`` (and ``reason`` for exceptions).

    ``exception`` and ``unknown`` scans take their stage from the reason when it
    implies one, and fall back to ``line_haul`` otherwise: a parcel with an
    unexplained exception is, as far as anyone knows, somewhere in the network.
    """
    if reason is Reason.CUSTOMS_CLEARED and status in _CUSTOMS_OR_VAGUE:
        return Stage.LINE_HAUL  # a release ends the customs stage, whatever the status
    stage = _STAGE_OF_STATUS.get(status)
    if stage is not None:
        return stage
    if reason is not None:
        stage = _STAGE_OF_REASON.get(reason)
        if stage is not None:
            return stage
    return Stage.LINE_HAUL
