"""logix_carriers: the normalized parcel-tracking model and the carrier SDK."""

from ._model import (
    AttributeValue,
    EventSource,
    Location,
    OffsetSource,
    Shipment,
    TrackingEvent,
    derive_event_id,
)
from ._taxonomy import (
    FINAL_STATUSES,
    REPORT_SYSTEMS,
    STAGE_ORDER,
    Reason,
    Stage,
    Status,
    default_stage,
)

__all__ = [
    "FINAL_STATUSES",
    "REPORT_SYSTEMS",
    "STAGE_ORDER",
    "AttributeValue",
    "EventSource",
    "Location",
    "OffsetSource",
    "Reason",
    "Shipment",
    "Stage",
    "Status",
    "TrackingEvent",
    "default_stage",
    "derive_event_id",
]
