"""The namespace conditions are written against: the state's names, the shipment's and
the latest event's fields, the taxonomies (enums) and the filters of ``count``/``seen``.

Each name comes with its static type and the generated code that reads it; the compile
stage (``_codegen``) keeps the state those names read.
"""

from __future__ import annotations

from logix_carriers import Reason, Stage, Status

from ..core._records import KIND, KIND_FIELDS, T
from ._expr_types import BOOL, DATETIME, DURATION, LIST, NUMBER, STR, Ty
from ._model import Param

__all__ = [
    "ANCHOR_NAMES",
    "ENUMS",
    "ESTIMATE",
    "EVENT_FIELDS",
    "SHIPMENT_FIELDS",
    "STATE_NAMES",
    "TRACKER_FIELDS",
]

_OPT_STR = STR.opt()
#: Where the state keeps the latest estimated delivery: among the attribute values,
#: under a name no attribute can take (the kernel never keeps an attribute by it).
ESTIMATE = "@estimated_delivery"
STATE_NAMES: dict[str, tuple[Ty, str, str]] = {
    "status": (Ty("str", True, "status"), "s.status", "status of the latest carrier scan"),
    "stage": (Ty("str", True, "stage"), "s.stage", "stage of the latest carrier scan"),
    "reason": (Ty("str", True, "reason"), "s.reason", "reason of the latest carrier scan"),
    "final": (BOOL, "s.final", "the latest scan's status is delivered, returned or cancelled"),
    "delivered_at": (DATETIME.opt(), "s.delivered_at", "time of the first delivered scan"),
    "first_event": (DATETIME.opt(), "s.first_event", "time of the first event of any kind"),
    "last_event": (DATETIME.opt(), "s.last_event", "time of the latest event of any kind"),
    "first_scan": (DATETIME.opt(), "s.first_scan", "time of the first carrier scan"),
    "last_scan": (DATETIME.opt(), "s.last_scan", "time of the latest carrier scan"),
    "status_entered": (DATETIME.opt(), "s.status_entered", "when the current status began"),
    "stage_entered": (DATETIME.opt(), "s.stage_entered", "when the current stage began"),
    "events": (NUMBER, "s.n_events", "number of distinct events (scans and reports)"),
    "scans": (NUMBER, "s.n_scans", "number of distinct carrier scans"),
    "stage_regressions": (NUMBER, "s.regressions", "times a scan's stage went backwards"),
    "events_after_delivery": (
        NUMBER,
        "s.after_delivery",
        "carrier scans after the first delivered scan, returns excluded",
    ),
    "estimated_delivery": (
        DATETIME.opt(),
        f"s.attr_values.get({ESTIMATE!r})",
        "the latest estimated delivery a carrier gave (an event's estimated_delivery)",
    ),
}
SHIPMENT_FIELDS: dict[str, Ty] = {
    "tracking_number": STR,
    "carrier": STR,
    "origin_country": _OPT_STR,
    "destination_country": _OPT_STR,
    "lane": _OPT_STR,
    "cross_border": BOOL,
    "service_level": _OPT_STR,
    "shipped_at": DATETIME.opt(),
    "promised_at": DATETIME.opt(),
    "declared_value": NUMBER.opt(),
    "freight_cost": NUMBER.opt(),
    "currency": _OPT_STR,
    "insured": BOOL.opt(),
    "insured_value": NUMBER.opt(),
    "category": _OPT_STR,
    "order_id": _OPT_STR,
}
EVENT_FIELDS: dict[str, tuple[Ty, str]] = {
    "status": (Ty("str", True, "status"), "status"),
    "stage": (Ty("str", True, "stage"), "stage"),
    "reason": (Ty("str", True, "reason"), "reason"),
    "at": (DATETIME.opt(), "t"),
    "system": (_OPT_STR, "system"),
    "report": (BOOL, "report"),
    "country": (_OPT_STR, "country"),
    "code": (_OPT_STR, "code"),
}
ENUMS: dict[str, frozenset[str]] = {
    "status": frozenset(s.value for s in Status),
    "stage": frozenset(s.value for s in Stage),
    "reason": frozenset(r.value for r in Reason),
}
TRACKER_FIELDS = {
    "status": "status",
    "stage": "stage",
    "reason": "reason",
    "system": "",
    "report": "bool",
}
ANCHOR_NAMES = tuple(n for n, (ty, _, _) in STATE_NAMES.items() if ty.base == "datetime")


def _param_type(param: Param) -> Ty:
    return {
        "duration": DURATION,
        "number": NUMBER,
        "integer": NUMBER,
        "percent": NUMBER,
        "money": NUMBER,
        "string": STR,
        "boolean": BOOL,
        "strings": LIST,
    }[param.type]


def _event_code(attr: str) -> str:
    where = f"[{T}]" if attr == "t" else f"[{KIND}][{KIND_FIELDS[attr]}]"
    return f"(s.latest or _NOEV){where}"


def _shipment_code(name: str) -> str:
    # The tracking number is the state's own: facts are shared by parcels without OMS facts.
    return "s.tracking_number" if name == "tracking_number" else f"f.{name}"
