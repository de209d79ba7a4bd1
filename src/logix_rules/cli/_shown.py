"""Incidents as an output format shows them, apart from the incidents themselves.

``logix run --jobs`` renders each shard's incidents in the process that found them
(an ``Incident`` does not travel between processes; its rendering does) and merges
the renderings in the engine's order; a run in one process renders through the same
two steps, so the bytes are the same either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import IO, Any, NamedTuple

from ..compiler._model import Pack
from ..runtime._incidents import Incident
from ..runtime._shown_json import shown_block, shown_line
from ._render import (
    Names,
    incident_row,
    json_text_document,
    render_rows,
    render_summary,
    summarize,
)

__all__ = ["Shown", "emit_shown", "shown_for"]


class Shown(NamedTuple):
    """One incident as ``fmt`` shows it (``body``: a JSONL line, the incident's indented
    JSON or a table row), with what the summaries count of it."""

    severity: str
    kind: str
    carrier: str
    tracking_number: str
    body: Any


def shown_for(
    fmt: str, incidents: Sequence[Incident], *, mask: bool, names: Names | None
) -> list[Shown]:
    """Each incident rendered for ``fmt``, personal data masked unless ``mask=False``."""
    bodies: Sequence[Any]
    known = names or {}
    if fmt == "table":
        bodies = [incident_row(i) for i in incidents]
    elif fmt == "json":
        bodies = [
            shown_block(i, tuple(known.get(i.tracking_number, ())), mask=mask) for i in incidents
        ]
    else:
        bodies = [
            shown_line(i, tuple(known.get(i.tracking_number, ())), mask=mask) + "\n"
            for i in incidents
        ]
    return [
        Shown(i.severity, i.kind, i.carrier, i.tracking_number, body)
        for i, body in zip(incidents, bodies, strict=True)
    ]


def emit_shown(
    out: IO[str],
    fmt: str,
    shown: Sequence[Shown],
    *,
    pack: Pack,
    at: datetime | None,
    headline: str,
    parcels: dict[str, int],
    extra: dict[str, Any],
) -> None:
    """Print rendered incidents (``shown_for``) in ``fmt``: a JSON document, JSON
    lines, or the headline, a table and its summary."""
    if fmt == "json":
        summary = summarize(shown, parcels_by_carrier=parcels)
        body = [s.body for s in shown]
        out.write(json_text_document(body, summary, at=at, pack=pack.name, extra=extra) + "\n")
    elif fmt == "jsonl":
        out.write("".join(s.body for s in shown))
    else:
        out.write(headline + "\n\n")
        out.write(render_rows([s.body for s in shown]) + "\n")
        if shown:
            affected = len({s.tracking_number for s in shown})
            out.write(
                f"\n{len(shown)} open incident{'s' if len(shown) != 1 else ''} "
                f"on {affected} of {sum(parcels.values())} parcels\n\n"
            )
            levels = list(pack.severities)
            out.write(render_summary(shown, parcels_by_carrier=parcels, severities=levels) + "\n")
