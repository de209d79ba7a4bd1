"""The follow-up log of an incident: who acknowledged or resolved it, when, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from logix_carriers import mask_text

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

    def to_dict(self, *, mask: bool = True) -> dict[str, Any]:
        """A JSON-ready dict; personal data in the note is masked (POLICY §4) unless
        ``mask=False``.  ``by`` names the person who acted and is kept."""
        note = self.note
        return {
            "incident_id": self.incident_id,
            "action": self.action,
            "by": self.by,
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "note": mask_text(note) if mask and note is not None else note,
        }


def action_of(incident_id: str, entry: LogEntry) -> Action:
    what, by, at, note = entry
    return Action(incident_id, what, by, from_micros(at), note)
