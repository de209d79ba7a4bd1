"""What the desk's incident page shows, gathered from an engine over the store.

Personal data is masked here, once (POLICY §4, ``logix_carriers`` masking): the
incident through ``Incident.masked``, the trail's descriptions and the follow-up notes
with the same names.  Tracking numbers, ids, codes, times and amounts stay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from logix_carriers import mask_text, personal_names

from ..intake import CLAIMABLE_KINDS, ClaimEvent
from ..intake._claims import _from_record as trail_event
from ..runtime._actions import Action
from ..runtime._engine import Engine
from ..runtime._incidents import Incident, IncidentState

__all__ = ["Deadline", "IncidentView", "incident_view", "next_deadline"]


@attrs.frozen
class Deadline:
    """One follow-up deadline: its name, when, and whether it was met or passed."""

    name: str
    at: datetime
    met_at: datetime | None
    passed: bool

    @property
    def status(self) -> str:
        if self.met_at is not None:
            return "met"
        return "missed" if self.passed else "due"


@attrs.frozen
class IncidentView:
    incident: Incident  # masked
    live: bool  # open or acknowledged: the follow-up buttons apply
    deadlines: tuple[Deadline, ...]
    trail: tuple[ClaimEvent, ...]  # masked descriptions, oldest first
    actions: tuple[Action, ...]  # masked notes, oldest first
    lane: str | None
    destination: str | None
    cause: str | None
    claimable: bool
    amounts: tuple[dict[str, Any], ...]


def next_deadline(incident: Incident) -> tuple[str, datetime]:
    """The deadline the desk counts down to: respond until acknowledged, then resolve."""
    if incident.acknowledged_at is None:
        return "respond", incident.respond_by
    return "resolve", incident.resolve_by


def _deadlines(
    incident: Incident, now: datetime, actions: Sequence[Action], meets: Mapping[str, str]
) -> tuple[Deadline, ...]:
    """Every deadline, soonest first: a kind's own deadline (``documents``, ``claim``)
    is met by the action the pack names for it (``meets``), recorded in the log."""
    done = incident.resolved_at

    def met(name: str) -> datetime | None:
        wanted = meets.get(name)
        found = [a.at for a in actions if wanted is not None and a.action == wanted]
        return min(found, default=done)

    found = [
        Deadline("respond", incident.respond_by, incident.acknowledged_at or done, False),
        Deadline("escalate", incident.escalate_at, done, False),
        Deadline("resolve", incident.resolve_by, done, False),
    ]
    found += [Deadline(name, at, met(name), False) for name, at in incident.deadlines.items()]
    shown = [attrs.evolve(d, passed=d.met_at is None and d.at <= now) for d in found]
    return tuple(sorted(shown, key=lambda d: d.at))


def _amounts(incident: Incident) -> tuple[dict[str, Any], ...]:
    if incident.remedy is None:
        return ()
    # ``bearer`` pays in the end (merchant, carrier, insurer); ``borne_by`` is the budget.
    return tuple(
        {
            "code": item.code,
            "amount": item.amount,
            "currency": item.currency,
            "borne_by": item.borne_by,
            "bearer": item.bearer,
        }
        for item in incident.remedy.items
    )


def _masked_actions(
    actions: Sequence[Action], names: tuple[str, ...], keep: str
) -> tuple[Action, ...]:
    return tuple(
        a if a.note is None else attrs.evolve(a, note=mask_text(a.note, names=names, keep=(keep,)))
        for a in actions
    )


def incident_view(engine: Engine, found: Incident, now: datetime) -> IncidentView:
    """Everything the incident page shows; ``found`` may be a closed incident's last
    snapshot (the engine then holds no live copy, but the trail and log remain)."""
    names = personal_names(found.evidence.values)
    tn = found.tracking_number
    shown = found.masked()
    trail: tuple[ClaimEvent, ...] = ()
    lane = destination = None
    try:
        state = engine.shipment_state(tn)
    except KeyError:
        pass
    else:
        trail = tuple(
            attrs.evolve(e, description=mask_text(e.description, names=names, keep=(tn,)))
            for e in sorted(
                (trail_event(rec, found.carrier) for rec in state.history),
                key=lambda e: (e.occurred_at, e.event_id),
            )
        )
        lane = state.facts.lane
        if state.shipment is not None:
            destination = state.shipment.destination_country
    try:
        actions = engine.actions(found.id)
    except LookupError:
        actions = []
    return IncidentView(
        incident=shown,
        live=found.state in (IncidentState.OPEN, IncidentState.ACKNOWLEDGED),
        deadlines=_deadlines(found, now, actions, engine.pack.deadline_actions),
        trail=trail,
        actions=_masked_actions(actions, names, tn),
        lane=lane,
        destination=destination,
        cause=found.cause,
        claimable=found.kind in CLAIMABLE_KINDS,
        amounts=_amounts(found),
    )
