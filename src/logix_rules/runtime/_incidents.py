"""What the engine hands to the user's OMS: incidents and the changes to them."""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from logix_carriers import mask_mapping, mask_text, personal_names

from ..core._durations import from_micros, to_micros
from ._canonical import canonical_incident

__all__ = [
    "Change",
    "ChangeType",
    "Escalation",
    "Evidence",
    "EvidenceEvent",
    "Incident",
    "IncidentState",
    "Remedy",
    "RemedyItem",
    "change_id",
    "change_instant",
    "change_view",
    "content_change_id",
    "incident_content",
]


class ChangeType(StrEnum):
    """What happened to an incident."""

    OPENED = "opened"
    UPDATED = "updated"  # severity, rules, remedy or deadlines changed
    ESCALATED = "escalated"  # a follow-up deadline passed without the follow-up
    CLEARED = "cleared"  # the condition stopped holding (e.g. a new scan ends a stall)
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    # a later stage of the same problem opened (``superseded_by`` names it): closed
    SUPERSEDED = "superseded"
    REVISIT_DUE = "revisit_due"  # the revisit after a resolution fell due, not recorded


class IncidentState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    CLEARED = "cleared"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


@attrs.frozen
class RemedyItem:
    """One money-bearing part of a remedy, e.g. a freight coupon of 12.50 EUR.

    ``borne_by`` is the cost line it is booked on (``freight``, ``marketing``...);
    ``bearer`` who pays it in the end: ``merchant``, ``carrier`` or ``insurer``.
    """

    code: str
    amount: Decimal | None = None
    currency: str | None = None
    borne_by: str | None = None
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
class Remedy:
    """The suggested remedy (POLICY.md §3) with amounts computed from the shipment."""

    code: str
    text: str = ""
    items: tuple[RemedyItem, ...] = ()
    fast_track: bool = False  # paid on the fast track (POLICY §3): small damage, at once

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "items": [i.to_dict() for i in self.items],
            "fast_track": self.fast_track,
        }


@attrs.frozen
class EvidenceEvent:
    """A reference to an event that made a rule fire."""

    event_id: str
    occurred_at: datetime
    status: str
    reason: str | None
    source: str
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "occurred_at": _iso(self.occurred_at),
            "status": self.status,
            "reason": self.reason,
            "source": self.source,
            "description": self.description,
        }


@attrs.frozen
class Evidence:
    """Why the incident is open: the leading rule, its rung, its operands and events."""

    rule: str
    step: int
    values: MappingProxyType[str, Any]
    events: tuple[EvidenceEvent, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "step": self.step,
            "values": dict(self.values),
            "events": [e.to_dict() for e in self.events],
        }

    def masked(self, *, names: Iterable[str] = (), keep: Iterable[str] = ()) -> Evidence:
        """A copy with the operand values and event descriptions masked (POLICY §4)."""
        names, keep = tuple(names), tuple(keep)
        return attrs.evolve(
            self,
            values=MappingProxyType(mask_mapping(self.values, names=names, keep=keep)),
            events=tuple(
                attrs.evolve(e, description=mask_text(e.description, names=names, keep=keep))
                for e in self.events
            ),
        )


@attrs.frozen
class Escalation:
    """A follow-up deadline that passed: ``respond`` (not acknowledged in time),
    ``escalate`` (unresolved past the escalation window), ``resolve`` (not resolved
    in time), or a kind-specific deadline by its name (``claim``...) whose action was
    not recorded in time.  ``target`` is whom it goes to, as the severity scheme
    names it (``management``...), if it names one."""

    what: str
    at: datetime
    target: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "at": _iso(self.at), "target": self.target}


@attrs.frozen
class Incident:
    """One exception of one kind on one parcel, with its follow-up deadlines.

    ``id`` is stable: it depends only on the tracking number, the kind and
    ``opened_at`` (the event-time moment the condition became true), so the same
    incident gets the same id across restarts, replays and batch evaluation.
    """

    id: str
    tracking_number: str
    carrier: str
    kind: str
    severity: str
    rules: tuple[str, ...]
    opened_at: datetime
    respond_by: datetime
    resolve_by: datetime
    escalate_at: datetime
    deadlines: MappingProxyType[str, datetime]
    remedy: Remedy | None
    evidence: Evidence
    explanation: str
    state: IncidentState = IncidentState.OPEN
    escalations: tuple[Escalation, ...] = ()
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    note: str | None = None
    superseded_by: str | None = None  # the incident that replaced it (a ``superseded`` change)
    # carrier, customer, internal, force_majeure or unknown: from the trail, or as a
    # person corrected it (resolve or record with cause=)
    cause: str = "unknown"

    def __repr__(self) -> str:
        # Masked like every display of an incident; the fields keep the raw values.
        shown = self.masked()
        fields = ", ".join(f"{f.name}={getattr(shown, f.name)!r}" for f in attrs.fields(Incident))
        return f"Incident({fields})"

    def masked(self, *, names: Iterable[str] = ()) -> Incident:
        """A copy for display and export, with personal data masked (POLICY §4).

        Names come from the name fields among the evidence values (and ``names``);
        phones, e-mails and street addresses are found in the evidence, explanation,
        remedy text and note.  The tracking number, ids, codes, times and amounts stay.
        """
        names = (*names, *personal_names(self.evidence.values))
        keep = (self.tracking_number,)

        def text(value: str) -> str:
            return mask_text(value, names=names, keep=keep)

        remedy = self.remedy
        return attrs.evolve(
            self,
            evidence=self.evidence.masked(names=names, keep=keep),
            explanation=text(self.explanation),
            remedy=None if remedy is None else attrs.evolve(remedy, text=text(remedy.text)),
            note=None if self.note is None else text(self.note),
        )

    def to_dict(self, *, mask: bool = True) -> dict[str, Any]:
        """A JSON-ready dict: ISO-8601 times, amounts as strings; personal data masked
        (see ``masked``) unless ``mask=False``."""
        if mask:
            return self.masked().to_dict(mask=False)
        return {
            "id": self.id,
            "tracking_number": self.tracking_number,
            "carrier": self.carrier,
            "kind": self.kind,
            "severity": self.severity,
            "rules": list(self.rules),
            "opened_at": _iso(self.opened_at),
            "respond_by": _iso(self.respond_by),
            "resolve_by": _iso(self.resolve_by),
            "escalate_at": _iso(self.escalate_at),
            "deadlines": {name: _iso(at) for name, at in self.deadlines.items()},
            "remedy": None if self.remedy is None else self.remedy.to_dict(),
            "evidence": self.evidence.to_dict(),
            "explanation": self.explanation,
            "state": self.state.value,
            "escalations": [e.to_dict() for e in self.escalations],
            "acknowledged_at": _iso(self.acknowledged_at),
            "acknowledged_by": self.acknowledged_by,
            "resolved_at": _iso(self.resolved_at),
            "resolved_by": self.resolved_by,
            "note": self.note,
            "superseded_by": self.superseded_by,
            "cause": self.cause,
        }


def _read_only(self: object, *_: object) -> None:
    raise attrs.exceptions.FrozenInstanceError


# Not ``attrs.frozen``: a frozen class sets each field in ``__init__`` through
# ``object.__setattr__`` (a method-wrapper call per field: ~1.35 µs per change against
# ~0.5 µs for plain slot stores), and the kernel makes one per change.  The fields are
# private slots behind read-only properties instead: setting or deleting ``type``,
# ``incident``, ``at``, ``seq`` or ``id`` raises ``FrozenInstanceError`` as before, and
# ``attrs.evolve``, pickling and copying go through the attrs fields (by their aliases).
@attrs.define(init=False, eq=False, repr=False, match_args=False)
class Change:
    """A change to an incident at event time ``at``.

    ``id`` is deterministic (see ``change_id``): the same change computed twice, after
    a restart, by ``evaluate`` or on Spark, has the same id, so a consumer can drop
    the repeats of a retry.  ``seq`` is the change's position in a store's change feed
    (None without a store); it takes no part in equality.

    ``incident`` may be given as a function that builds it (the kernel captures what
    a snapshot reads when the change happens and builds it on first read: most changes
    of a bulk ingest are never looked at).  ``at`` may be given as an ``int`` of
    microseconds since the epoch (the kernel's instants), read as the aware UTC
    ``datetime`` it stands for.  It reads the same either way.
    """

    _type: ChangeType = attrs.field(alias="type")
    _incident: Incident | Callable[[], Incident] = attrs.field(alias="incident")
    _at: datetime | int = attrs.field(alias="at")
    _seq: int | None = attrs.field(default=None, kw_only=True, alias="seq")
    _id: str | None = attrs.field(default=None, kw_only=True, alias="id")

    __match_args__ = ("type", "incident", "at")

    def __init__(
        self,
        type: ChangeType,
        incident: Incident | Callable[[], Incident],
        at: datetime | int,
        *,
        seq: int | None = None,
        id: str | None = None,
    ) -> None:
        self._type = type
        self._incident = incident
        self._at = at
        self._seq = seq
        self._id = id

    def _incident_of(self) -> Incident:
        held = self._incident
        if type(held) is Incident:
            return held
        assert not isinstance(held, Incident)
        built = held()  # a pending snapshot (see runtime._snapshots): built once
        self._incident = built
        return built

    def _at_of(self) -> datetime:
        at = self._at
        if type(at) is int:  # (not a bool)
            at = self._at = from_micros(at)  # made once: most changes are never read
        assert isinstance(at, datetime)
        return at

    def _id_of(self) -> str:
        known = self._id
        if known is None:  # computed on first use: most changes of a run are never asked
            at = self._at
            micros = at if type(at) is int else to_micros(self.at)  # (no datetime made)
            known = self._id = _change_id(self._type, self.incident, micros)
        return known

    if TYPE_CHECKING:  # what a type checker sees: read-only attributes

        @property
        def type(self) -> ChangeType:
            return self._type

        @property
        def incident(self) -> Incident:
            return self._incident_of()

        @property
        def at(self) -> datetime:
            return self._at_of()

        @property
        def seq(self) -> int | None:
            return self._seq

        @property
        def id(self) -> str:
            return self._id_of()

    else:
        type = property(operator.attrgetter("_type"), _read_only, _read_only)
        incident = property(_incident_of, _read_only, _read_only)
        at = property(_at_of, _read_only, _read_only)
        seq = property(operator.attrgetter("_seq"), _read_only, _read_only)
        id = property(_id_of, _read_only, _read_only)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Change)
        return (self.type, self.incident, self.at) == (other.type, other.incident, other.at)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash((self.type, self.incident, self.at))

    def __repr__(self) -> str:
        return (
            f"Change(type={self.type!r}, incident={self.incident!r}, at={self.at!r}, "
            f"seq={self.seq!r})"
        )

    def to_dict(self, *, mask: bool = True) -> dict[str, Any]:
        """A JSON-ready dict; ``seq`` appears only once a store has assigned it.  The
        incident's personal data is masked unless ``mask=False`` (see ``Incident``)."""
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type.value,
            "at": _iso(self.at),
            "incident": self.incident.to_dict(mask=mask),
        }
        if self.seq is not None:
            out["seq"] = self.seq
        return out


def change_view(change: Change) -> Incident | Callable[[], Incident]:
    """What ``change`` holds for its incident: the ``Incident``, or the pending snapshot
    that builds it on first read (a store writes the latter's text without building it)."""
    return change._incident


def change_instant(change: Change) -> int:
    """``change.at`` in microseconds since the epoch, without making the ``datetime``
    of a change that holds an int (the engine sorts each unit's changes by it)."""
    at = change._at
    return at if type(at) is int else to_micros(change.at)


def change_id(
    change_type: ChangeType, incident: Incident, at: datetime, *, content: str | None = None
) -> str:
    """``chg_`` and 128 bits of a hash of the incident id, the change type, the
    event-time instant and the incident's content (its canonical JSON).

    The content tells apart two different ``updated`` changes of one incident at one
    instant (late events can cause them), and makes two computations of one change
    agree wherever they run.  ``content`` is ``incident_content(incident)`` when the
    caller has it already (a store writes that very text).
    """
    return _change_id(change_type, incident, to_micros(at), content)


def _change_id(
    change_type: ChangeType, incident: Incident, micros: int, content: str | None = None
) -> str:
    if content is None:
        content = incident_content(incident)
    return content_change_id(change_type, incident.id, micros, content)


def content_change_id(change_type: ChangeType, incident_id: str, micros: int, content: str) -> str:
    """``change_id`` of the incident ``incident_id`` whose canonical JSON is ``content``
    (a store writes that text from a pending snapshot, without the ``Incident``)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{incident_id}\x1f{change_type.value}\x1f{micros}\x1f".encode())
    digest.update(content.encode("utf-8", "surrogatepass"))
    return "chg_" + digest.hexdigest()


def incident_content(incident: Incident) -> str:
    """The canonical JSON of an incident, unmasked: what its changes' ids digest
    (written from its fields by ``_canonical``: the text of ``_unmasked`` encoded with
    sorted keys)."""
    return canonical_incident(incident, _unmasked)


def _unmasked(incident: Incident) -> dict[str, Any]:
    return incident.to_dict(mask=False)
