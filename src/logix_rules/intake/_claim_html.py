"""A claim package as one printable HTML page: no scripts, fonts or images to fetch,
A4 margins, every text escaped (carriers' descriptions and notes are untrusted)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape
from typing import Any

from ._claim_model import CLAIM_SCHEMA, ClaimEvent, ClaimPackage

__all__ = ["claim_html"]

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


def claim_html(package: ClaimPackage) -> str:
    """The page of ``package`` (see ``ClaimPackage.to_html``)."""
    p = package
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
                ("Incident", f"{p.kind} ({p.severity}, {p.state}) opened {_iso(p.opened_at)}"),
                ("Filing deadline", p.filing_deadline),
                ("Remedy", None if p.remedy_code is None else f"{p.remedy_code}: {p.remedy_text}"),
                ("Why", p.explanation),
            ]
        ),
        "<h2>Amounts</h2>",
        _table(
            ("Item", "Amount", "Currency", "Borne by"),
            ((a.code, a.amount, a.currency, a.borne_by) for a in p.amounts),
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


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _scan(event: ClaimEvent) -> str:
    where = f" at {event.location}" if event.location else ""
    code = f" (code {event.source_code})" if event.source_code else ""
    return f"{_iso(event.occurred_at)} {event.status}{where}{code}"
