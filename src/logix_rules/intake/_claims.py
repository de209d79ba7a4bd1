"""``claim_package``: gather the evidence a claim needs from an incident and its parcel.

The facts come from the caller (``shipment``, ``events``, ``actions``) or from an
engine (``claim_package_from_engine``), whose stored history lacks the offsets the
carriers reported in: there a scan's local time is read in its country's zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs

from logix_carriers import (
    REPORT_SYSTEMS,
    Shipment,
    TrackingEvent,
    mask_shipment,
    mask_text,
    personal_names,
)
from logix_carriers._local_time import principal_zone

from ..core._errors import ErrorCode, LogixError
from ..core._records import CODE, COUNTRY, DESC, KIND, REASON, REPORT, STAGE, STATUS, SYSTEM, T
from ..core._records import ID as REC_ID
from ..runtime._actions import Action
from ..runtime._incidents import Incident
from ._claim_model import CLAIM_ITEMS, CLAIMABLE_KINDS, ClaimAmount, ClaimEvent, ClaimPackage

if TYPE_CHECKING:
    from ..core._records import EventRec
    from ..runtime._engine import Engine

__all__ = ["ClaimError", "claim_package", "claim_package_from_engine"]


class ClaimError(LogixError, ValueError):
    """An incident no claim is filed for (code ``not_claimable``).

    ``loc`` names the argument, ``input`` is the offending kind.
    """

    code = ErrorCode.NOT_CLAIMABLE

    def __init__(self, msg: str, *, loc: str, input: Any) -> None:
        self.msg = msg
        self.loc = loc
        self.input = input if not isinstance(input, str) else input[:200]
        super().__init__(f"{loc}: not_claimable: {msg}")


def claim_package(
    incident: Incident,
    *,
    shipment: Shipment | None = None,
    events: Iterable[TrackingEvent | ClaimEvent] = (),
    actions: Iterable[Action] = (),
    order_id: str | None = None,
    payment_ref: str | None = None,
    filing_deadline: datetime | None = None,
    mask: bool = True,
    names: Iterable[str] = (),
) -> ClaimPackage:
    """The claim package of a ``lost``, ``damaged`` or ``false_delivery`` incident.

    ``events`` are the parcel's scans and reports (others are ignored); ``actions``
    its follow-up log (``Engine.actions``).  ``order_id`` defaults to the shipment's;
    ``filing_deadline`` to the incident's ``claim`` deadline.  Personal data (phones,
    e-mails, addresses, ``names``) is masked unless ``mask=False``.
    """
    if incident.kind not in CLAIMABLE_KINDS:
        raise ClaimError(
            f"no claim is filed for a {incident.kind!r} incident; claim packages are for "
            f"{', '.join(CLAIMABLE_KINDS)}",
            loc="incident.kind",
            input=incident.kind,
        )
    tn = incident.tracking_number
    trail = _trail(events, tn)
    names = (*names, *personal_names(incident.evidence.values))
    keep = (tn,)
    shown = incident.masked(names=names) if mask else incident
    if mask:
        trail = tuple(
            _evolve(event, description=mask_text(event.description, names=names, keep=keep))
            for event in trail
        )
        shipment = None if shipment is None else mask_shipment(shipment, names=names)
    log = tuple(sorted((a for a in actions if a.incident_id == incident.id), key=_when))
    if mask:
        log = tuple(_masked_action(a, names, keep) for a in log)
    remedy = shown.remedy
    amounts = tuple(
        ClaimAmount(item.code, item.amount, item.currency, item.borne_by, item.bearer)
        for item in (remedy.items if remedy is not None else ())
    )
    first_scan = next((event for event in trail if not event.is_report), None)
    order = order_id or (shipment.order_id if shipment is not None else None)
    deadline = filing_deadline or incident.deadlines.get("claim")
    found = {
        "order_id": order is not None,
        "payment_ref": payment_ref is not None,
        "proof_of_dispatch": first_scan is not None,
        "shipment_facts": shipment is not None,
        "trail": bool(trail),
        "correspondence": bool(log),
        "amounts": bool(amounts) and all(a.amount is not None for a in amounts),
        "filing_deadline": deadline is not None,
    }
    return ClaimPackage(
        incident_id=incident.id,
        kind=incident.kind,
        severity=incident.severity,
        state=incident.state.value,
        opened_at=incident.opened_at,
        carrier=incident.carrier,
        tracking_number=tn,
        order_id=order,
        payment_ref=payment_ref,
        first_scan=first_scan,
        shipment=None if shipment is None else shipment.model_dump(mode="json"),
        trail=trail,
        correspondence=log,
        amounts=amounts,
        remedy_code=None if remedy is None else remedy.code,
        remedy_text="" if remedy is None else remedy.text,
        explanation=shown.explanation,
        filing_deadline=deadline,
        masked=mask,
        missing=tuple(item for item in CLAIM_ITEMS if not found[item]),
    )


def claim_package_from_engine(
    engine: Engine,
    incident_id: str,
    *,
    events: Iterable[TrackingEvent | ClaimEvent] | None = None,
    order_id: str | None = None,
    payment_ref: str | None = None,
    filing_deadline: datetime | None = None,
    mask: bool = True,
    names: Iterable[str] = (),
) -> ClaimPackage:
    """``claim_package`` with the incident, shipment, trail and follow-up log an engine
    (in memory or over a store) holds.  Pass ``events`` to use the carriers' own
    offsets for the local times instead of the engine's history.

    Raises ``UnknownIncident`` when the engine does not hold the incident.
    """
    incident = engine.incident(incident_id)
    history: tuple[ClaimEvent, ...] = ()
    actions = engine.actions(incident_id)
    try:
        state = engine.shipment_state(incident.tracking_number)
    except KeyError:
        shipment = None
    else:
        shipment = state.shipment
        history = tuple(_from_record(rec, incident.carrier) for rec in state.history)
    return claim_package(
        incident,
        shipment=shipment,
        events=history if events is None else events,
        actions=actions,
        order_id=order_id,
        payment_ref=payment_ref,
        filing_deadline=filing_deadline,
        mask=mask,
        names=names,
    )


def _trail(events: Iterable[TrackingEvent | ClaimEvent], tn: str) -> tuple[ClaimEvent, ...]:
    seen: dict[str, ClaimEvent] = {}
    for event in events:
        if isinstance(event, TrackingEvent):
            if event.tracking_number != tn:
                continue
            event = _from_event(event)
        seen.setdefault(event.event_id, event)  # a re-sent scan is one line
    return tuple(sorted(seen.values(), key=lambda e: (e.occurred_at, e.event_id)))


def _from_event(event: TrackingEvent) -> ClaimEvent:
    return ClaimEvent(
        event_id=event.event_id,
        occurred_at=event.occurred_at,
        local_time=event.local_time,
        status=event.status.value,
        stage=event.stage.value,
        reason=None if event.reason is None else event.reason.value,
        source_system=event.source.system,
        source_code=event.source.code,
        location="" if event.location is None else event.location.label(),
        description=event.description,
        is_report=event.is_report,
    )


def _from_record(rec: EventRec, carrier: str) -> ClaimEvent:
    kind = rec[KIND]
    at = datetime.fromtimestamp(rec[T] / 1_000_000, UTC)
    zone = principal_zone(kind[COUNTRY])
    system = kind[SYSTEM]
    return ClaimEvent(
        event_id=rec[REC_ID],
        occurred_at=at,
        local_time=None if zone is None else at.astimezone(ZoneInfo(zone)),
        status=kind[STATUS],
        stage=kind[STAGE],
        reason=kind[REASON],
        source_system=system,
        source_code=kind[CODE],
        location=kind[COUNTRY] or "",
        description=kind[DESC],
        is_report=bool(kind[REPORT]) or system in REPORT_SYSTEMS,
    )


def _evolve(event: ClaimEvent, *, description: str) -> ClaimEvent:
    return attrs.evolve(event, description=description)


def _masked_action(action: Action, names: tuple[str, ...], keep: tuple[str, ...]) -> Action:
    if action.note is None:
        return action
    return attrs.evolve(action, note=mask_text(action.note, names=names, keep=keep))


def _when(action: Action) -> datetime:
    return action.at
