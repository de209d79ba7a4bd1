"""Incidents and changes as the store keeps them: the JSON of ``to_dict`` and back."""

from __future__ import annotations

import types
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..core._durations import from_micros, to_micros
from ..runtime._incidents import (
    Escalation,
    Evidence,
    EvidenceEvent,
    Incident,
    IncidentState,
    Remedy,
    RemedyItem,
)

__all__ = ["incident_from_dict", "micros", "moment", "parse_time"]


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _maybe_time(text: str | None) -> datetime | None:
    return None if text is None else parse_time(text)


def micros(moment: datetime) -> int:
    return to_micros(moment)


def moment(us: int) -> datetime:
    return from_micros(us)


def _remedy(doc: dict[str, Any] | None) -> Remedy | None:
    if doc is None:
        return None
    return Remedy(
        doc["code"],
        doc.get("text", ""),
        tuple(
            RemedyItem(
                item["code"],
                None if item.get("amount") is None else Decimal(item["amount"]),
                item.get("currency"),
                item.get("borne_by"),
                item.get("bearer", "merchant"),
            )
            for item in doc.get("items", ())
        ),
        bool(doc.get("fast_track", False)),
    )


def incident_from_dict(doc: dict[str, Any]) -> Incident:
    """The ``Incident`` whose ``to_dict()`` is ``doc``."""
    evidence = doc["evidence"]
    return Incident(
        id=doc["id"],
        tracking_number=doc["tracking_number"],
        carrier=doc["carrier"],
        kind=doc["kind"],
        severity=doc["severity"],
        rules=tuple(doc["rules"]),
        opened_at=parse_time(doc["opened_at"]),
        respond_by=parse_time(doc["respond_by"]),
        resolve_by=parse_time(doc["resolve_by"]),
        escalate_at=parse_time(doc["escalate_at"]),
        deadlines=types.MappingProxyType(
            {name: parse_time(at) for name, at in doc["deadlines"].items()}
        ),
        remedy=_remedy(doc["remedy"]),
        evidence=Evidence(
            evidence["rule"],
            evidence["step"],
            types.MappingProxyType(dict(evidence["values"])),
            tuple(
                EvidenceEvent(
                    e["event_id"],
                    parse_time(e["occurred_at"]),
                    e["status"],
                    e["reason"],
                    e["source"],
                    e.get("description", ""),
                )
                for e in evidence["events"]
            ),
        ),
        explanation=doc["explanation"],
        state=IncidentState(doc["state"]),
        escalations=tuple(
            Escalation(e["what"], parse_time(e["at"]), e.get("target")) for e in doc["escalations"]
        ),
        acknowledged_at=_maybe_time(doc["acknowledged_at"]),
        acknowledged_by=doc["acknowledged_by"],
        resolved_at=_maybe_time(doc["resolved_at"]),
        resolved_by=doc["resolved_by"],
        note=doc["note"],
        superseded_by=doc.get("superseded_by"),
        cause=doc.get("cause", "unknown"),
    )
