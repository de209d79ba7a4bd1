"""logix_carriers: the normalized parcel-tracking model and the carrier SDK."""

from ._adapter import BaseAdapter, Capabilities, CarrierAdapter
from ._carrier_time import TimeReading, ZoneFallback, place_naive, read_carrier_time
from ._errors import (
    AuthError,
    CarrierError,
    CarrierUnavailable,
    ConfigError,
    DeadlineExceeded,
    NotFound,
    RateLimited,
    ResponseFormatError,
    ResponseTooLarge,
    WebhookError,
)
from ._estimates import read_estimate
from ._http import HttpSession, OAuthClientCredentials
from ._http_pacing import Clock, RateLimit, RetryPolicy, SystemClock, TokenBucket
from ._model import (
    AttributeValue,
    EventSource,
    Location,
    OffsetSource,
    Shipment,
    TrackingEvent,
    derive_event_id,
)
from ._privacy import mask_event, mask_field, mask_mapping, mask_shipment, personal_names
from ._privacy_text import mask_address, mask_email, mask_name, mask_phone, mask_text
from ._registry import (
    ENTRY_POINT_GROUP,
    AdapterInfo,
    PluginWarning,
    available_adapters,
    clear_adapter_cache,
    get_adapter,
    get_adapter_class,
)
from ._settings import AdapterSettings
from ._status_lookup import UnknownSystemError, map_code, resolve_code
from ._status_maps import Mapped
from ._taxonomy import (
    FINAL_STATUSES,
    REPORT_SYSTEMS,
    STAGE_ORDER,
    Reason,
    Stage,
    Status,
    default_stage,
    implies_stage,
)
from ._track_result import ProblemCode, TrackProblem, TrackResult, TrackResultBuilder
from ._tracked_number import TrackedNumber, facts_of, find_facts
from ._webhook_tokens import WebhookTokens
from ._webhooks import (
    decode_webhook_body,
    decode_webhook_form,
    decode_webhook_json,
    hmac_signature,
    md5_signature,
    require_fresh,
    require_header,
    signatures_match,
    verify_hmac,
    verify_md5,
)
from .carriers._aftership import AfterShipAdapter, AfterShipSettings
from .carriers._dhl import DhlAdapter, DhlSettings
from .carriers._file import FileAdapter, FileSettings
from .carriers._seventeen_track import SeventeenTrackAdapter, SeventeenTrackSettings
from .carriers._ups import UpsAdapter, UpsSettings
from .carriers._usps import UspsAdapter, UspsSettings

__all__ = [
    "ENTRY_POINT_GROUP",
    "FINAL_STATUSES",
    "REPORT_SYSTEMS",
    "STAGE_ORDER",
    "AdapterInfo",
    "AdapterSettings",
    "AfterShipAdapter",
    "AfterShipSettings",
    "AttributeValue",
    "AuthError",
    "BaseAdapter",
    "Capabilities",
    "CarrierAdapter",
    "CarrierError",
    "CarrierUnavailable",
    "Clock",
    "ConfigError",
    "DeadlineExceeded",
    "DhlAdapter",
    "DhlSettings",
    "EventSource",
    "FileAdapter",
    "FileSettings",
    "HttpSession",
    "Location",
    "Mapped",
    "NotFound",
    "OAuthClientCredentials",
    "OffsetSource",
    "PluginWarning",
    "ProblemCode",
    "RateLimit",
    "RateLimited",
    "Reason",
    "ResponseFormatError",
    "ResponseTooLarge",
    "RetryPolicy",
    "SeventeenTrackAdapter",
    "SeventeenTrackSettings",
    "Shipment",
    "Stage",
    "Status",
    "SystemClock",
    "TimeReading",
    "TokenBucket",
    "TrackProblem",
    "TrackResult",
    "TrackResultBuilder",
    "TrackedNumber",
    "TrackingEvent",
    "UnknownSystemError",
    "UpsAdapter",
    "UpsSettings",
    "UspsAdapter",
    "UspsSettings",
    "WebhookError",
    "WebhookTokens",
    "ZoneFallback",
    "available_adapters",
    "clear_adapter_cache",
    "decode_webhook_body",
    "decode_webhook_form",
    "decode_webhook_json",
    "default_stage",
    "derive_event_id",
    "facts_of",
    "find_facts",
    "get_adapter",
    "get_adapter_class",
    "hmac_signature",
    "implies_stage",
    "map_code",
    "mask_address",
    "mask_email",
    "mask_event",
    "mask_field",
    "mask_mapping",
    "mask_name",
    "mask_phone",
    "mask_shipment",
    "mask_text",
    "md5_signature",
    "personal_names",
    "place_naive",
    "read_carrier_time",
    "read_estimate",
    "require_fresh",
    "require_header",
    "resolve_code",
    "signatures_match",
    "verify_hmac",
    "verify_md5",
]
