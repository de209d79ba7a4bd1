"""What a claim package holds (POLICY §4), and its two forms: JSON (schema
``logix.claim/1``) and one printable HTML page, self-contained, A4, every text escaped
(carriers' descriptions and people's notes are untrusted)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any, Final

import attrs

from ..runtime._actions import Action

__all__ = [
    "CLAIMABLE_KINDS",
    "CLAIM_ITEMS",
    "CLAIM_SCHEMA",
    "ClaimAmount",
    "ClaimEvent",
    "ClaimPackage",
]

#: The schema id every JSON package carries; a new version means a changed layout.
CLAIM_SCHEMA: Final = "logix.claim/1"
#: The incident kinds a carrier or insurer takes a claim for.
CLAIMABLE_KINDS: Final = ("damaged", "false_delivery", "lost")
#: The items of a package, in the order ``missing`` lists those not found.
CLAIM_ITEMS: Final = (
    "order_id",
    "payment_ref",
    "proof_of_dispatch",
    "shipment_facts",
    "trail",
    "correspondence",
    "amounts",
    "filing_deadline",
)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


@attrs.frozen
class ClaimEvent:
    """One line of the trail: a scan or report, with the carrier's own code.

    ``occurred_at`` is UTC; ``local_time`` is the same instant in the offset the carrier
    reported it in (or the zone of the event's country when only that is known), and
    None when neither is known.
    """

    event_id: str
    occurred_at: datetime
    local_time: datetime | None
    status: str
    stage: str | None
    reason: str | None
    source_system: str
    source_code: str | None
    location: str
    description: str
    is_report: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "occurred_at": _iso(self.occurred_at),
            "local_time": None if self.local_time is None else self.local_time.isoformat(),
            "status": self.status,
            "stage": self.stage,
            "reason": self.reason,
            "source_system": self.source_system,
            "source_code": self.source_code,
            "location": self.location,
            "description": self.description,
            "is_report": self.is_report,
        }


@attrs.frozen
class ClaimAmount:
    """A sum claimed or paid: the cost line it is booked on (the remedy's ``borne_by``)
    and who bears it in the end (``bearer``: merchant, carrier or insurer)."""

    code: str
    amount: Decimal | None
    currency: str | None
    borne_by: str | None
    bearer: str = "merchant"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "amount": None if self.amount is None else str(self.amount),
            "currency": self.currency,
            "borne_by": self.borne_by,
            "bearer": self.bearer,
        }


@attrs.frozen
class ClaimPackage:
    """The evidence a claim with a carrier or insurer needs (POLICY §4).

    Items that could not be found are None or empty and named in ``missing``; nothing
    is made up.  ``masked`` says whether personal data was masked (the default).
    """

    incident_id: str
    kind: str
    severity: str
    state: str
    opened_at: datetime
    carrier: str
    tracking_number: str
    order_id: str | None
    payment_ref: str | None
    first_scan: ClaimEvent | None
    shipment: dict[str, Any] | None
    trail: tuple[ClaimEvent, ...]
    correspondence: tuple[Action, ...]
    amounts: tuple[ClaimAmount, ...]
    remedy_code: str | None
    remedy_text: str
    explanation: str
    filing_deadline: datetime | None
    masked: bool
    missing: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The package as JSON-ready data, schema ``logix.claim/1`` (docs/intake.md)."""
        return {
            "schema": CLAIM_SCHEMA,
            "incident": {
                "id": self.incident_id,
                "kind": self.kind,
                "severity": self.severity,
                "state": self.state,
                "opened_at": _iso(self.opened_at),
                "explanation": self.explanation,
                "remedy": None
                if self.remedy_code is None
                else {"code": self.remedy_code, "text": self.remedy_text},
            },
            "carrier": self.carrier,
            "tracking_number": self.tracking_number,
            "order_id": self.order_id,
            "payment_ref": self.payment_ref,
            "dispatch": {
                "first_scan": None if self.first_scan is None else self.first_scan.to_dict(),
                "shipment": self.shipment,
            },
            "trail": [event.to_dict() for event in self.trail],
            # The notes were masked when the package was built (or deliberately not).
            "correspondence": [action.to_dict(mask=False) for action in self.correspondence],
            "amounts": [amount.to_dict() for amount in self.amounts],
            "filing_deadline": _iso(self.filing_deadline),
            "masked": self.masked,
            "missing": list(self.missing),
        }

    def to_html(self) -> str:
        """A printable page (A4), one self-contained file with every text escaped."""
        return _page(self)


# -- the page --------------------------------------------------------------------------
_STYLE = """
@page { size: A4; margin: 15mm; }
body { font: 10pt/1.35 system-ui, sans-serif; color: #000; margin: 0 auto; max-width: 180mm; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
h2 { font-size: 11.5pt; margin: 6mm 0 2mm; border-bottom: 0.3mm solid #444; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.2mm solid #999; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { page-break-inside: avoid; }
dl { display: grid; grid-template-columns: 45mm 1fr; gap: 1mm 3mm; margin: 0; }
dt { font-weight: 600; }
dd { margin: 0; }
.missing { border: 0.4mm solid #b00; padding: 2mm; color: #b00; }
.small { font-size: 8.5pt; color: #444; }
"""


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.isoformat().replace("+00:00", "Z")
    return escape(str(value), quote=True)


def _facts(pairs: Iterable[tuple[str, Any]]) -> str:
    rows = "".join(f"<dt>{_text(k)}</dt><dd>{_text(v)}</dd>" for k, v in pairs)
    return f"<dl>{rows}</dl>"


def _table(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    cells = "".join(f"<th>{_text(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_text(c)}</td>" for c in row) + "</tr>" for row in rows)
    if not body:
        return "<p>None recorded.</p>"
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _event_row(event: ClaimEvent) -> tuple[Any, ...]:
    return (
        event.occurred_at,
        event.local_time,
        event.status + (f" / {event.reason}" if event.reason else ""),
        event.source_system,
        event.source_code,
        event.location,
        event.description,
    )


def _page(package: ClaimPackage) -> str:
    p = package
    opened = _iso(p.opened_at) or ""
    parts = [
        f"<h1>Claim: {_text(p.kind.replace('_', ' '))} parcel {_text(p.tracking_number)}</h1>",
        f'<p class="small">{_text(CLAIM_SCHEMA)} · incident {_text(p.incident_id)} · '
        f"personal data {'masked' if p.masked else 'NOT masked'}</p>",
    ]
    if p.missing:
        items = ", ".join(_text(item) for item in p.missing)
        parts.append(f'<p class="missing">Missing from this package: {items}</p>')
    parts += [
        "<h2>Claim</h2>",
        _facts(
            [
                ("Tracking number", p.tracking_number),
                ("Carrier", p.carrier),
                ("Order", p.order_id),
                ("Payment record", p.payment_ref),
                (
                    "Incident",
                    f"{p.kind} ({p.severity}, {p.state}) opened {opened}",
                ),
                ("Filing deadline", p.filing_deadline),
                ("Remedy", None if p.remedy_code is None else f"{p.remedy_code}: {p.remedy_text}"),
                ("Why", p.explanation),
            ]
        ),
        "<h2>Amounts</h2>",
        _table(
            ("Item", "Amount", "Currency", "Booked on", "Borne by"),
            ((a.code, a.amount, a.currency, a.borne_by, a.bearer) for a in p.amounts),
        ),
        "<h2>Proof of dispatch</h2>",
        _facts(
            [
                ("First carrier scan", None if p.first_scan is None else _scan(p.first_scan)),
                *((k.replace("_", " ").capitalize(), v) for k, v in (p.shipment or {}).items()),
            ]
        ),
        "<h2>Tracking trail</h2>",
        _table(
            ("UTC", "Local time", "Status", "Source", "Carrier code", "Place", "Description"),
            (_event_row(e) for e in p.trail),
        ),
        "<h2>Carrier correspondence</h2>",
        _table(
            ("When", "Action", "By", "Note"),
            ((a.at, a.action, a.by, a.note) for a in p.correspondence),
        ),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Claim {_text(p.tracking_number)}</title>"
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


def _scan(event: ClaimEvent) -> str:
    where = f" at {event.location}" if event.location else ""
    code = f" (code {event.source_code})" if event.source_code else ""
    return f"{_iso(event.occurred_at) or ''} {event.status}{where}{code}"
