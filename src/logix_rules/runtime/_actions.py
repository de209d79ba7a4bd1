"""The follow-up log of an incident: who acknowledged, resolved or followed it up
(``Engine.record``: documents supplied, claim filed...), when, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from logix_carriers import mask_text

from ..compiler._suggest import suggest
from ..core._durations import from_micros
from ..core._errors import ErrorCode, LogixError, clip_input

__all__ = [
    "ACKNOWLEDGED",
    "CAUSES",
    "RESOLVED",
    "Action",
    "FollowUpError",
    "LogEntry",
    "action_of",
    "check_cause",
]

ACKNOWLEDGED = "acknowledged"
RESOLVED = "resolved"
#: The causes an action may name (POLICY §1); the cause helper's derivation uses them.
CAUSES = ("carrier", "customer", "internal", "force_majeure", "unknown")

#: How a ``Followup`` keeps one action: (what, by, at in µs, note, cause).
LogEntry = tuple[str, str, int, str | None, str | None]


class FollowUpError(LogixError, ValueError):
    """``Engine.record`` was given an action the pack does not declare
    (``unknown_action``) or a cause that is not one of ``CAUSES`` (``bad_cause``)."""

    def __init__(self, code: ErrorCode, msg: str, *, input: Any, hint: str) -> None:
        super().__init__(f"{msg} {hint}")
        self.code, self.msg, self.input, self.hint = code, msg, clip_input(input), hint


def check_cause(cause: Any) -> str | None:
    """``cause`` if it is None or one of ``CAUSES``; else a ``FollowUpError``."""
    if cause is None or (isinstance(cause, str) and cause in CAUSES):
        return cause
    raise FollowUpError(
        ErrorCode.BAD_CAUSE,
        f"{cause!r} is not a cause.{suggest(str(cause), CAUSES)}",
        input=cause,
        hint="Causes: " + ", ".join(CAUSES) + ".",
    )


@attrs.frozen
class Action:
    """One follow-up on an incident, as ``Engine.actions(incident_id)`` lists them.

    ``action`` is ``"acknowledged"``, ``"resolved"`` or an action the pack declares
    (``Engine.record``); ``at`` is the instant the person gave (or the engine's
    clock); ``note`` is the note, if any; ``cause`` the cause the person named, if any.
    """

    incident_id: str
    action: str
    by: str
    at: datetime
    note: str | None = None
    cause: str | None = None

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
            "cause": self.cause,
        }


def action_of(incident_id: str, entry: tuple[Any, ...]) -> Action:
    """The ``Action`` of a log entry (a store's rows may leave the cause out)."""
    what, by, at, note = entry[:4]
    return Action(
        incident_id, what, by, from_micros(at), note, entry[4] if len(entry) > 4 else None
    )
