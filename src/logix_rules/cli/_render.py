"""Showing incidents to people and programs: an aligned table, a summary, JSON, JSONL."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from logix_carriers import TrackingEvent, personal_names

from ..runtime._incidents import Incident, Remedy
from ..runtime._shown_json import document_text, indented, shown_block, shown_dict, shown_line

__all__ = [
    "Counted",
    "format_remedy",
    "incident_row",
    "json_document",
    "json_text_document",
    "names_by_parcel",
    "render_json",
    "render_jsonl",
    "render_rows",
    "render_summary",
    "render_table",
    "shown_incidents",
    "summarize",
]

#: Names to mask per tracking number (see ``names_by_parcel``).
Names = Mapping[str, Sequence[str]]

_TIME_FORMAT = "%Y-%m-%d %H:%M"


class Counted(Protocol):
    """What the summaries count of an incident (an ``Incident`` is one)."""

    @property
    def severity(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def carrier(self) -> str: ...
    @property
    def tracking_number(self) -> str: ...


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def format_remedy(remedy: Remedy | None) -> str:
    """``"freight_coupon: 9.51 EUR"``: the remedy code and the amounts it involves."""
    if remedy is None:
        return "-"
    amounts = [
        # An item named like its remedy would only repeat the code: show the amount.
        f"{'' if item.code == remedy.code else item.code + ' '}{item.amount}"
        f"{' ' + item.currency if item.currency else ''}"
        for item in remedy.items
        if item.amount is not None
    ]
    return f"{remedy.code}: {', '.join(amounts)}" if amounts else remedy.code


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], right: Iterable[int] = ()) -> str:
    """Columns padded to their widest cell; ``right`` lists right-aligned columns."""
    body = [list(row) for row in rows]
    widths = [len(h) for h in header]
    for row in body:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    flush_right = set(right)

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if i in flush_right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in body)])


def render_table(incidents: Sequence[Incident]) -> str:
    """One line per incident, in the order given (the engine's: most severe first).

    Times are UTC, to the minute.
    """
    return render_rows([incident_row(i) for i in incidents])


def incident_row(incident: Incident) -> tuple[str, ...]:
    """An incident's cells in ``render_table``."""
    return (
        incident.severity,
        incident.kind,
        incident.tracking_number,
        incident.carrier,
        _time(incident.opened_at),
        _time(incident.respond_by),
        format_remedy(incident.remedy),
    )


def render_rows(rows: Sequence[Sequence[str]]) -> str:
    """``render_table`` of the incidents' rows (``incident_row``)."""
    if not rows:
        return "No open incidents."
    header = ("SEV", "KIND", "TRACKING NUMBER", "CARRIER", "OPENED (UTC)", "RESPOND BY", "REMEDY")
    return _table(header, rows)


def summarize(
    incidents: Sequence[Counted],
    *,
    parcels_by_carrier: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Counts by kind and by carrier (and severity within each), JSON-ready.

    With ``parcels_by_carrier`` (parcels seen per carrier) each carrier also gets its
    parcel count and exception rate: the share of its parcels with an incident.
    """
    by_kind: dict[str, Counter[str]] = {}
    by_carrier: dict[str, Counter[str]] = {}
    hit: dict[str, set[str]] = {}
    for incident in incidents:
        by_kind.setdefault(incident.kind, Counter())[incident.severity] += 1
        by_carrier.setdefault(incident.carrier, Counter())[incident.severity] += 1
        hit.setdefault(incident.carrier, set()).add(incident.tracking_number)
    carriers = sorted(set(by_carrier) | set(parcels_by_carrier or {}))
    carrier_rows: dict[str, Any] = {}
    for carrier in carriers:
        counts = by_carrier.get(carrier, Counter())
        row: dict[str, Any] = {
            "incidents": sum(counts.values()),
            "by_severity": dict(sorted(counts.items())),
        }
        if parcels_by_carrier is not None:
            parcels = parcels_by_carrier.get(carrier, 0)
            with_incident = len(hit.get(carrier, ()))
            row["parcels"] = parcels
            row["parcels_with_incidents"] = with_incident
            row["exception_rate"] = round(with_incident / parcels, 4) if parcels else None
        carrier_rows[carrier] = row
    kinds = sorted(by_kind, key=lambda k: (-sum(by_kind[k].values()), k))
    return {
        "incidents": len(incidents),
        "by_kind": {
            k: {
                "incidents": sum(by_kind[k].values()),
                "by_severity": dict(sorted(by_kind[k].items())),
            }
            for k in kinds
        },
        "by_carrier": carrier_rows,
    }


def render_summary(
    incidents: Sequence[Counted],
    *,
    parcels_by_carrier: Mapping[str, int] | None = None,
    severities: Sequence[str] | None = None,
) -> str:
    """Two small tables: incidents by kind, and by carrier, split by severity."""
    summary = summarize(incidents, parcels_by_carrier=parcels_by_carrier)
    levels = list(severities) if severities else sorted({i.severity for i in incidents})
    kind_rows = [
        (kind, *(str(data["by_severity"].get(s, 0)) for s in levels), str(data["incidents"]))
        for kind, data in summary["by_kind"].items()
    ]
    numeric = range(1, len(levels) + 2)
    parts = ["By kind", _table(("KIND", *levels, "TOTAL"), kind_rows, right=numeric)]
    carrier_header: tuple[str, ...] = ("CARRIER", *levels, "TOTAL")
    with_parcels = parcels_by_carrier is not None
    if with_parcels:
        carrier_header += ("PARCELS", "WITH INCIDENT", "RATE")
    carrier_rows = []
    for carrier, data in summary["by_carrier"].items():
        row = [
            carrier,
            *(str(data["by_severity"].get(s, 0)) for s in levels),
            str(data["incidents"]),
        ]
        if with_parcels:
            rate = data["exception_rate"]
            row += [
                str(data["parcels"]),
                str(data["parcels_with_incidents"]),
                "-" if rate is None else f"{rate:.0%}",
            ]
        carrier_rows.append(row)
    parts += [
        "",
        "By carrier",
        _table(carrier_header, carrier_rows, right=range(1, len(carrier_header))),
    ]
    return "\n".join(parts)


def names_by_parcel(events: Iterable[TrackingEvent]) -> dict[str, tuple[str, ...]]:
    """The names in each parcel's name fields (``recipient_name``...), which are then
    masked wherever they occur in that parcel's text (POLICY §4)."""
    found: dict[str, dict[str, None]] = {}
    for event in events:
        if event.attributes:
            for name in personal_names(event.attributes):
                found.setdefault(event.tracking_number, {})[name] = None
    return {number: tuple(names) for number, names in found.items()}


def shown_incidents(
    incidents: Sequence[Incident], *, mask: bool = True, names: Names | None = None
) -> list[dict[str, Any]]:
    """The incidents' ``to_dict()``, personal data masked unless ``mask=False``."""
    known = names or {}
    return [shown_dict(i, tuple(known.get(i.tracking_number, ())), mask=mask) for i in incidents]


def render_json(
    incidents: Sequence[Incident],
    *,
    at: datetime | None,
    pack: str,
    parcels_by_carrier: Mapping[str, int] | None = None,
    extra: Mapping[str, Any] | None = None,
    mask: bool = True,
    names: Names | None = None,
) -> str:
    """One JSON document: evaluation time, pack, incidents (``to_dict()``) and summary;
    personal data masked unless ``mask=False``."""
    known = names or {}
    return json_text_document(
        [shown_block(i, tuple(known.get(i.tracking_number, ())), mask=mask) for i in incidents],
        summarize(incidents, parcels_by_carrier=parcels_by_carrier),
        at=at,
        pack=pack,
        extra=extra,
    )


def json_document(
    shown: list[dict[str, Any]],
    summary: dict[str, Any],
    *,
    at: datetime | None,
    pack: str,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """``render_json`` of incidents already shown (``shown_incidents``) and summarized."""
    document: dict[str, Any] = {
        "pack": pack,
        "at": None if at is None else at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        **(extra or {}),
        "incidents": shown,
        "summary": summary,
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def json_text_document(
    blocks: list[str],
    summary: dict[str, Any],
    *,
    at: datetime | None,
    pack: str,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """``json_document`` of incidents already written as indented JSON (``shown_block``):
    the same text, the incidents' lines moved to their depth rather than encoded again."""
    head: dict[str, Any] = {
        "pack": pack,
        "at": None if at is None else at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        **(extra or {}),
    }
    if "incidents" in head or "summary" in head:  # where they go depends on ``extra``
        return json_document(
            [json.loads(b) for b in blocks], summary, at=at, pack=pack, extra=extra
        )
    return document_text(head, [("incidents", blocks), ("summary", indented(summary))])


def render_jsonl(
    incidents: Sequence[Incident], *, mask: bool = True, names: Names | None = None
) -> str:
    """One incident per line (``to_dict()``), for streaming into other tools; personal
    data masked unless ``mask=False``."""
    known = names or {}
    return "".join(
        shown_line(i, tuple(known.get(i.tracking_number, ())), mask=mask) + "\n" for i in incidents
    )
