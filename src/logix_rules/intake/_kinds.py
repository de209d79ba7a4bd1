"""What a customer report can be about, the fields it must carry, and their reasons."""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final

from logix_carriers import Reason

__all__ = ["REASON_OF_KIND", "MissingField", "ReportKind"]


class ReportKind(StrEnum):
    """The subject of a customer report."""

    DAMAGED = "damaged"
    NOT_RECEIVED = "not_received"
    DELAYED = "delayed"
    WRONG_ITEM = "wrong_item"
    MISSING_ITEMS = "missing_items"
    REFUSED = "refused"
    ADDRESS_CHANGE = "address_change"
    WISMO = "wismo"
    OTHER = "other"


class MissingField(StrEnum):
    """What a report must carry (POLICY §6) and may not yet."""

    TRACKING_NUMBER = "tracking_number"
    GOODS = "goods"
    DESCRIPTION = "description"
    PHOTOS = "photos"


#: The taxonomy reason a report of each kind becomes (``report_to_event``).  A delay
#: whose cause the customer cannot know is ``delay_carrier``, as the taxonomy files a
#: carrier's "delayed" with no stated cause.  "Where is my parcel" and anything else
#: have no reason of their own yet: ``other``, with the kind kept in the attributes.
REASON_OF_KIND: Final = MappingProxyType(
    {
        ReportKind.DAMAGED: Reason.DAMAGED,
        ReportKind.NOT_RECEIVED: Reason.NOT_RECEIVED,
        ReportKind.DELAYED: Reason.DELAY_CARRIER,
        ReportKind.WRONG_ITEM: Reason.WRONG_ITEM,
        ReportKind.MISSING_ITEMS: Reason.MISSING_ITEMS,
        ReportKind.REFUSED: Reason.REFUSED,
        ReportKind.ADDRESS_CHANGE: Reason.ADDRESS_ISSUE,
        ReportKind.WISMO: Reason.OTHER,
        ReportKind.OTHER: Reason.OTHER,
    }
)
