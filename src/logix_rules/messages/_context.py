"""The variables a template sees: the incident's facts, written for one recipient.

Times are written in the recipient's zone and locale and amounts with their currency
(``_formats``).  Every value is plain data (text, numbers, lists, dicts), never an
engine object, so the sandbox has nothing to reach through.  Personal data is shown
as it is to the customer, whose own it is, and masked for every other audience
(POLICY §4) with ``logix_carriers``' masking.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any, Final

from babel import Locale

from logix_carriers import Shipment, mask_mapping, mask_shipment, personal_names

from ..runtime._incidents import EvidenceEvent, Incident, Remedy
from ._formats import format_amount, format_moment

__all__ = ["RECIPIENT_FIELDS", "build_context", "carrier_name"]

#: What a ``recipient`` mapping may hold; templates always see all four (None if unknown).
RECIPIENT_FIELDS: Final = ("name", "phone", "email", "address")
#: The evidence events a summary shows, latest first.
EVIDENCE_EVENTS: Final = 5

_CARRIER_NAMES: Final = {
    "ups": "UPS",
    "dhl": "DHL",
    "usps": "USPS",
    "fedex": "FedEx",
    "tnt": "TNT",
    "ems": "EMS",
    "gls": "GLS",
    "dpd": "DPD",
    "sf": "SF Express",
    "sf-express": "SF Express",
    "yunexpress": "YunExpress",
    "4px": "4PX",
    "17track": "17TRACK",
    "correios": "Correios",
    "cainiao": "Cainiao",
}


def carrier_name(slug: str) -> str:
    """How a carrier is named in a message: ``UPS`` for ``ups``."""
    return _CARRIER_NAMES.get(slug, slug.replace("-", " ").replace("_", " ").title())


def build_context(
    incident: Incident,
    *,
    audience: str,
    scenario: str,
    lang: str,
    channel: str,
    zone: tzinfo,
    locale: Locale,
    shipment: Shipment | None,
    recipient: Mapping[str, str | None],
) -> dict[str, Any]:
    """The template variables for ``incident`` as ``audience`` may see it (see docs/messages.md)."""
    person: dict[str, str | None] = {key: recipient.get(key) for key in RECIPIENT_FIELDS}
    if audience != "customer":
        names = [n for n in (person["name"],) if n]
        incident = incident.masked(names=names)
        person = mask_mapping(person, in_person=True)
        if shipment is not None:
            shipment = mask_shipment(shipment, names=names)
    elif person["name"] is None:
        found = personal_names(incident.evidence.values)
        person["name"] = found[0] if found else None

    def when(moment: datetime | None) -> str | None:
        return None if moment is None else format_moment(moment, zone, locale)

    events = sorted(incident.evidence.events, key=lambda e: e.occurred_at, reverse=True)
    shown = [_event(e, when) for e in events[:EVIDENCE_EVENTS]]
    return {
        "audience": audience,
        "scenario": scenario,
        "moment": scenario if scenario != incident.kind else None,
        "lang": lang,
        "locale": str(locale),
        "channel": channel,
        "tz": str(zone),
        "tracking_number": incident.tracking_number,
        "kind": incident.kind,
        "carrier_name": carrier_name(incident.carrier),
        "incident": {
            "id": incident.id,
            "tracking_number": incident.tracking_number,
            "carrier": incident.carrier,
            "carrier_name": carrier_name(incident.carrier),
            "kind": incident.kind,
            "severity": incident.severity,
            "state": incident.state.value,
            "rules": list(incident.rules),
            "opened_at": when(incident.opened_at),
            "respond_by": when(incident.respond_by),
            "resolve_by": when(incident.resolve_by),
            "escalate_at": when(incident.escalate_at),
            "deadlines": {name: when(at) for name, at in sorted(incident.deadlines.items())},
            "escalations": [
                {"what": e.what, "at": when(e.at), "target": e.target} for e in incident.escalations
            ],
            "acknowledged_at": when(incident.acknowledged_at),
            "acknowledged_by": incident.acknowledged_by,
            "resolved_at": when(incident.resolved_at),
            "resolved_by": incident.resolved_by,
            "note": incident.note,
            "explanation": incident.explanation,
            "cause": incident.cause,
            "estimated_delivery": when(_estimate(incident)),
        },
        "remedy": _remedy(incident.remedy, locale),
        "evidence": {
            "rule": incident.evidence.rule,
            "operands": {str(k): _plain(v) for k, v in incident.evidence.values.items()},
            "events": shown,
            "last": shown[0] if shown else None,
            "summary": "\n".join(_event_line(e) for e in shown),
        },
        "shipment": None if shipment is None else _shipment(shipment, when, locale),
        "recipient": person,
    }


def _estimate(incident: Incident) -> datetime | None:
    """The carrier's estimated delivery the leading rule read, if it read one."""
    value = incident.evidence.values.get("estimated_delivery")
    if isinstance(value, str):  # operands hold times as ISO text
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if isinstance(value, datetime) and value.tzinfo is not None else None


def _event(event: EvidenceEvent, when: Any) -> dict[str, Any]:
    return {
        "at": when(event.occurred_at),
        "status": event.status,
        "reason": event.reason,
        "source": event.source,
        "description": event.description,
    }


def _event_line(event: Mapping[str, Any]) -> str:
    what = event["status"] + (f" ({event['reason']})" if event["reason"] else "")
    text = f": {event['description']}" if event["description"] else ""
    return f"- {event['at']} {what}{text}"


def _remedy(remedy: Remedy | None, locale: Locale) -> dict[str, Any] | None:
    if remedy is None:
        return None
    items = [
        {
            "code": item.code,
            "amount": None
            if item.amount is None
            else format_amount(item.amount, item.currency, locale),
            "currency": item.currency,
            "borne_by": item.borne_by,
            "bearer": item.bearer,
        }
        for item in remedy.items
    ]
    priced = [i for i in remedy.items if i.amount is not None]
    currencies = {i.currency for i in priced}
    total = None
    if priced and len(currencies) == 1:
        total = format_amount(
            sum((i.amount or Decimal(0) for i in priced), Decimal(0)), currencies.pop(), locale
        )
    return {
        "code": remedy.code,
        "text": remedy.text,
        "lines": items,
        "amounts": {i["code"]: i["amount"] for i in items if i["amount"] is not None},
        "total": total,
        "fast_track": remedy.fast_track,
    }


def _shipment(shipment: Shipment, when: Any, locale: Locale) -> dict[str, Any]:
    def money(name: str) -> str | None:
        value = getattr(shipment, name)
        if value is None:
            return None
        return format_amount(Decimal(str(value)), shipment.currency, locale)

    return {
        "order_id": shipment.order_id,
        "carrier": shipment.carrier,
        "carrier_name": carrier_name(shipment.carrier),
        "origin_country": shipment.origin_country,
        "origin_name": _country_name(shipment.origin_country, locale),
        "destination_country": shipment.destination_country,
        "destination_name": _country_name(shipment.destination_country, locale),
        "service_level": shipment.service_level,
        "category": shipment.category,
        "shipped_at": when(shipment.shipped_at),
        "promised_at": when(shipment.promised_at),
        "declared_value": money("declared_value"),
        "freight_cost": money("freight_cost"),
        "currency": shipment.currency,
        "insured": shipment.insured,
        "insured_value": money("insured_value"),
    }


def _country_name(code: str | None, locale: Locale) -> str | None:
    """The country's name in the recipient's language (``Brasil``, ``巴西``)."""
    if code is None:
        return None
    return str(locale.territories.get(code, code))


def _plain(value: Any) -> Any:
    """An operand value as a template may hold it: JSON-like data, else its text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
