"""The follow-up log of an incident: who acknowledged or resolved it, when, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ..core._durations import from_micros

__all__ = ["ACKNOWLEDGED", "RESOLVED", "Action", "LogEntry", "action_of"]

ACKNOWLEDGED = "acknowledged"
RESOLVED = "resolved"

#: How a ``Followup`` keeps one action: (what, by, at in µs, note).
LogEntry = tuple[str, str, int, str | None]


@attrs.frozen
class Action:
    """One follow-up on an incident, as ``Engine.actions(incident_id)`` lists them.

    ``action`` is ``"acknowledged"`` or ``"resolved"``; ``at`` is the instant the
    person gave (or the engine's clock); ``note`` is the resolution note, if any.
    """

    incident_id: str
    action: str
    by: str
    at: datetime
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "action": self.action,
            "by": self.by,
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "note": self.note,
        }


def action_of(incident_id: str, entry: LogEntry) -> Action:
    what, by, at, note = entry
    return Action(incident_id, what, by, from_micros(at), note)
