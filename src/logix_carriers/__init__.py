"""logix_carriers: the normalized parcel-tracking model and the carrier SDK.

The adapters, their HTTP session, the registry and the webhook helpers are imported
on first use (``__getattr__``): they pull in ``httpx``, ``httpcore`` and ``trio``
(~0.3-0.5 CPU s), which a program that only reads events, such as ``logix run`` on a
file, never needs.  The names and ``__all__`` are the same either way.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._adapter_protocol import Capabilities, CarrierAdapter
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

if TYPE_CHECKING:
    from ._adapter import BaseAdapter
    from ._http import HttpSession, OAuthClientCredentials
    from ._registry import (
        ENTRY_POINT_GROUP,
        AdapterInfo,
        PluginWarning,
        available_adapters,
        clear_adapter_cache,
        get_adapter,
        get_adapter_class,
    )
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

#: The names imported on first use, and their modules.
_LAZY: dict[str, str] = {
    "BaseAdapter": "._adapter",
    "HttpSession": "._http",
    "OAuthClientCredentials": "._http",
    "ENTRY_POINT_GROUP": "._registry",
    "AdapterInfo": "._registry",
    "PluginWarning": "._registry",
    "available_adapters": "._registry",
    "clear_adapter_cache": "._registry",
    "get_adapter": "._registry",
    "get_adapter_class": "._registry",
    "WebhookTokens": "._webhook_tokens",
    "decode_webhook_body": "._webhooks",
    "decode_webhook_form": "._webhooks",
    "decode_webhook_json": "._webhooks",
    "hmac_signature": "._webhooks",
    "md5_signature": "._webhooks",
    "require_fresh": "._webhooks",
    "require_header": "._webhooks",
    "signatures_match": "._webhooks",
    "verify_hmac": "._webhooks",
    "verify_md5": "._webhooks",
    "AfterShipAdapter": ".carriers._aftership",
    "AfterShipSettings": ".carriers._aftership",
    "DhlAdapter": ".carriers._dhl",
    "DhlSettings": ".carriers._dhl",
    "FileAdapter": ".carriers._file",
    "FileSettings": ".carriers._file",
    "SeventeenTrackAdapter": ".carriers._seventeen_track",
    "SeventeenTrackSettings": ".carriers._seventeen_track",
    "UpsAdapter": ".carriers._ups",
    "UpsSettings": ".carriers._ups",
    "UspsAdapter": ".carriers._usps",
    "UspsSettings": ".carriers._usps",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next access is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
