"""What the kernel keeps per shipment: its ``ShipmentState`` (the events, the facts,
the follow-ups and the aggregates derived from them), the live incidents in it and
the index of its event ids.
"""

from __future__ import annotations

import json
import types
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import attrs

from logix_carriers import Shipment

from ..core._durations import from_micros, to_micros
from ..core._errors import ErrorCode, LogixError
from ..core._records import ID, EventRec
from ._actions import LogEntry
from ._identity_memo import TextByIdentity
from ._incidents import Evidence, Remedy

__all__ = [
    "ID_BITS",
    "INDEX_FROM",
    "NOT_INDEXED",
    "NO_FOLLOWUPS",
    "NO_OPEN",
    "NO_VALUES",
    "SCANNED",
    "Facts",
    "Followup",
    "OpenIncident",
    "ShipmentState",
    "StateError",
    "find_event",
    "id_bit",
    "index_events",
    "parked_key",
    "remember_event",
    "shipment_text",
]


@attrs.frozen(slots=True)
class Facts:
    """Shipment facts as the compiled rules read them (times in µs, money as float).

    The tracking number is the state's own (``ShipmentState.tracking_number``), so a
    parcel without OMS facts shares the bare facts of its carrier.
    """

    carrier: str
    origin_country: str | None = None
    destination_country: str | None = None
    lane: str | None = None
    cross_border: bool = False
    service_level: str | None = None
    shipped_at: int | None = None
    promised_at: int | None = None
    declared_value: float | None = None
    freight_cost: float | None = None
    currency: str | None = None
    insured: bool | None = None
    insured_value: float | None = None
    category: str | None = None
    order_id: str | None = None

    @classmethod
    def from_shipment(cls, shipment: Shipment) -> Facts:
        def money(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return cls(
            carrier=shipment.carrier,
            origin_country=shipment.origin_country,
            destination_country=shipment.destination_country,
            lane=shipment.lane,
            cross_border=shipment.cross_border,
            service_level=shipment.service_level,
            shipped_at=None if shipment.shipped_at is None else to_micros(shipment.shipped_at),
            promised_at=None if shipment.promised_at is None else to_micros(shipment.promised_at),
            declared_value=money(shipment.declared_value),
            freight_cost=money(shipment.freight_cost),
            currency=shipment.currency,
            insured=shipment.insured,
            insured_value=money(shipment.insured_value),
            category=shipment.category,
            order_id=shipment.order_id,
        )


@attrs.define(slots=True)
class OpenIncident:
    """A live incident inside the state (the public ``Incident`` is a snapshot of it)."""

    id: str
    kind: str
    opened_at: int
    severity: str
    rank: int
    severity_since: int
    rules: tuple[str, ...]
    lead: tuple[int, int]  # (rule index, step index)
    remedy: Remedy | None
    # The Evidence, or a loaded state's evidence as its JSON (see evidence, LazyEvidence):
    # most loads of a parcel never show its incidents, and evidence is their largest part.
    _evidence: Any = attrs.field(alias="evidence")  # Evidence, or one to load
    explanation: str
    deadlines: dict[str, int]
    # (what, due, target): the deadlines that passed (see Escalation)
    escalations: list[tuple[str, int, str | None]] = attrs.field(factory=list)
    # where a deadline counts from when not from opened_at (a deadline's ``from:``)
    starts: dict[str, int] | None = None
    revisit_done: bool = False  # its revisit fired, or was recorded in time
    # what the trail said caused it when it was last evaluated on an event (see _causes)
    cause: str = "unknown"

    @property
    def evidence(self) -> Evidence:
        held = self._evidence
        if type(held) is not Evidence:
            return held.load()  # type: ignore[no-any-return]  # a StateError if malformed
        return held

    @evidence.setter
    def evidence(self, value: Evidence) -> None:
        self._evidence = value


@attrs.define(slots=True)
class Followup:
    """What people did about one incident: the latest acknowledgement and resolution,
    which the deadlines read, and ``log``, every action in the order it was taken."""

    ack_at: int | None = None
    ack_by: str | None = None
    resolved_at: int | None = None
    resolved_by: str | None = None
    note: str | None = None
    log: list[LogEntry] = attrs.field(factory=list)


def parked_key(incident_id: str) -> str:
    """Where ``ShipmentState.open`` keeps a resolved incident whose condition stopped
    holding (or that was superseded) while its revisit is pending: not under its kind,
    which a new incident of that kind may take (kinds never start with '@')."""
    return "@" + incident_id


# Shared, read-only stand-ins for the empty containers of a fresh state: most parcels
# never need them, and each would cost 64 bytes.  Writers swap in their own dict first.
NO_VALUES: dict[str, Any] = cast("dict[str, Any]", types.MappingProxyType({}))
NO_OPEN: dict[str, OpenIncident] = cast("dict[str, OpenIncident]", types.MappingProxyType({}))
NO_FOLLOWUPS: dict[str, Followup] = cast("dict[str, Followup]", types.MappingProxyType({}))


class _Scanned:
    """``scan_memo``: the rules' last scan, for a timer that only a follow-up deadline
    set off (see ``Evaluation._evaluate``).  Derived, so not a field: neither written by
    the codec, nor copied, nor compared.  Every absorbed event sets it (to None, or to
    the scan its evaluation takes); until then it is unset."""

    __slots__ = ("cause_memo", "scan_memo")
    scan_memo: Any
    #: What ``derived_cause`` last read of a long history (``_causes._from_memo``),
    #: unset until then; checked against the history at each use, so never stale.
    cause_memo: Any


def _same_events(a: list[EventRec], b: list[EventRec]) -> bool:
    """Histories compared as lists, an ``Unread`` as the history it reads."""
    return _events(a) == _events(b)


def _events(held: list[EventRec]) -> list[EventRec]:
    return held if type(held) is list else held.records()  # type: ignore[attr-defined]


def _events_repr(held: list[EventRec]) -> str:
    return repr(_events(held))


# (An Unread and a list are not of one type, which cmp_using requires by default.)
_EVENTS_EQ = attrs.cmp_using(eq=_same_events, require_same_type=False)


@attrs.define(slots=True)
class ShipmentState(_Scanned):
    """Everything the kernel knows about one shipment.  ``next_due`` is public."""

    tracking_number: str
    carrier: str
    facts: Facts
    params: Any
    # A Shipment, or a loaded state's shipment as its JSON text until first read (see
    # shipment): validating it costs more than the rest of a load, and most loads
    # never read it.
    _shipment: Shipment | str | None = attrs.field(default=None, alias="shipment")
    # The events in (time, id) order: a list, or a loaded state's Unread until first
    # read (see history): an in-order step and the write after it never read them.
    _history: list[EventRec] = attrs.field(
        factory=list, alias="history", eq=_EVENTS_EQ, repr=_events_repr
    )
    # The history's ids, while it is short (see INDEX_FROM, NOT_INDEXED), and once it is
    # long: derived, so not compared (a loaded state has none until it is searched).
    id_bits: int = attrs.field(default=0, eq=False)
    id_index: dict[str, EventRec] | None = attrs.field(default=None, eq=False)
    followups: dict[str, Followup] = NO_FOLLOWUPS
    fired_through: int | None = None
    next_due_us: int | None = None
    timer_eval: int | None = None  # the latest instant a timer (not an event) was evaluated at
    # derived from history; rebuilt on replay
    status: str | None = None
    stage: str | None = None
    reason: str | None = None
    final: bool = False
    delivered_at: int | None = None
    first_event: int | None = None
    last_event: int | None = None
    first_scan: int | None = None
    last_scan: int | None = None
    status_entered: int | None = None
    stage_entered: int | None = None
    n_events: int = 0
    n_scans: int = 0
    regressions: int = 0
    after_delivery: int = 0
    # tracker aggregates: the pack's shared tuples of zeros until a tracker matches
    cnt: Sequence[int] = ()
    firsts: Sequence[int | None] = ()
    lasts: Sequence[int | None] = ()
    attr_values: dict[str, Any] = NO_VALUES
    latest: EventRec | None = None
    # The live incidents by kind, and resolved ones waiting for their revisit under
    # parked_key(id).
    open: dict[str, OpenIncident] = NO_OPEN
    # A long history's checkpoints (_checkpoints.Marks): derived, so neither written by
    # the codec nor compared; a state constructed or loaded has none.
    checkpoints: Any = attrs.field(default=None, init=False, eq=False, repr=False)
    # What the codec last read or wrote this state as, for the next write to reuse
    # (_state_codec.Reuse): derived, never compared; only states loaded or dumped through
    # Kernel.loads/dumps hold one (an in-memory engine's never do).
    encoded: Any = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def shipment(self) -> Shipment | None:
        """The OMS facts as given (``Engine.upsert_shipment``), or None."""
        held = self._shipment
        if type(held) is str:
            try:
                held = Shipment.model_validate_json(held)
            except ValueError as exc:  # pydantic's ValidationError is one
                where = f"the stored shipment of {self.tracking_number!r}"
                raise StateError(f"{where}: {exc}") from None
            self._shipment = held
        return held  # type: ignore[return-value]

    @shipment.setter
    def shipment(self, value: Shipment | None) -> None:
        self._shipment = value

    @property
    def history(self) -> list[EventRec]:
        """The events, in (time, id) order (read from a loaded state's body when first
        asked for)."""
        held = self._history
        if type(held) is not list:
            return self._read_history(held)
        return held

    @history.setter
    def history(self, value: list[EventRec]) -> None:
        self._history = value

    def _read_history(self, unread: Any) -> list[EventRec]:
        history: list[EventRec] = unread.records()  # a StateError if malformed
        self._history = history
        # The duplicate search of an Unread leaves the filter unset (see NOT_INDEXED).
        self.id_bits = NOT_INDEXED
        self.id_index = None
        held = self.encoded
        if held is not None and type(held[0]) is int:  # a count of the Unread's events
            self.encoded = (history[: held[0]], held[1], held[2])
        return history

    def shipment_text(self) -> str | None:
        """The shipment as JSON text (what the state codec writes), not validated again."""
        held = self._shipment
        if held is None or isinstance(held, str):
            return held
        # A shipment is frozen and a stream host writes its state at every event.
        return _SHIPMENT_TEXTS(held, shipment_text)

    def set_shipment_text(self, text: str) -> None:
        """Hold a shipment as its JSON text, to be validated when first read."""
        self._shipment = text

    @property
    def next_due(self) -> Any:
        """The earliest instant (aware datetime) at which something can fire, or None."""
        return None if self.next_due_us is None else from_micros(self.next_due_us)


def shipment_text(shipment: Shipment) -> str:
    """A shipment as JSON text, as ``model_dump_json`` writes it but twice as fast:
    its fields are plain values but for times and amounts."""
    out: dict[str, Any] = {}
    for name, value in shipment.__dict__.items():
        kind = type(value)
        if value is None or kind is str or kind is bool or kind is int or kind is float:
            out[name] = value
        elif kind is datetime:
            out[name] = value.isoformat()
        elif kind is Decimal:
            out[name] = str(value)
        else:  # a field of another type: pydantic knows how to write it
            return shipment.model_dump_json()
    return _COMPACT.encode(out)


_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)
#: The texts of the shipments states were last written with, by the object's id.
_SHIPMENT_TEXTS: TextByIdentity[Shipment] = TextByIdentity(4096)


class StateError(LogixError, ValueError):
    """Serialized state that cannot be loaded (wrong version, corrupt bytes)."""

    code = ErrorCode.BAD_STATE


# A parcel's event ids: a dict of 8 ids would cost 270 bytes, more than the parcel's
# other state, so a short history keeps a Bloom filter of its ids in one int and is
# searched only when the filter says the id may be there; from INDEX_FROM events on,
# a dict.  (The bits depend on the process's string hashing; the answers do not.)
INDEX_FROM = 16
ID_BITS = 60  # an int below 2**60 is 32 bytes
# The filter of a loaded state until it is first searched: every bit set, so every
# search looks.  The first search scans the history (a store or stream host loads a
# state, gives it one event and writes it: hashing every id for one search costs
# several times the scan) and leaves SCANNED, also every bit set; the second makes
# the real filter.  Loading a state thus never hashes its ids.  While a loaded state's
# history is unread (an Unread, _state_lazy) the filter stays NOT_INDEXED, and a search
# looks in the events the Unread holds, then in its body's ids, reading the history only
# when the id is there.
NOT_INDEXED = -1
SCANNED = (1 << ID_BITS) - 1


def index_events(state: ShipmentState) -> None:
    """Index the ids of ``state``'s history: its Bloom filter while short, else a dict
    (not an unread history's, which ``find_event`` searches in its body)."""
    history = state._history
    if type(history) is not list:
        state.id_bits = NOT_INDEXED
        state.id_index = None
        return
    state.id_bits = 0
    state.id_index = None
    if len(history) >= INDEX_FROM:
        state.id_index = {rec[ID]: rec for rec in history}
        return
    bits = 0
    for rec in history:  # id_bit, inline: a loaded state's first step pays this
        bits |= 1 << hash(rec[ID]) % ID_BITS
    state.id_bits = bits


def id_bit(event_id: str) -> int:
    return 1 << hash(event_id) % ID_BITS


def find_event(state: ShipmentState, event_id: str) -> EventRec | None:
    """The event already held under ``event_id``, if any."""
    index = state.id_index
    if index is not None:
        return index.get(event_id)
    bits = state.id_bits
    if bits == NOT_INDEXED:
        held = state._history
        if type(held) is not list:  # an Unread (see _state_lazy): what it holds, its body
            for rec in held[held.before :]:  # type: ignore[attr-defined]
                if rec[ID] == event_id:
                    return rec
            if not held.in_body(event_id):  # type: ignore[attr-defined]
                return None
            state.history  # noqa: B018  # an event of the body: read them
        state.id_bits = SCANNED
        for rec in state.history:
            if rec[ID] == event_id:
                return rec
        return None
    if bits == SCANNED:
        index_events(state)
    if state.id_bits & id_bit(event_id):
        for rec in state.history:
            if rec[ID] == event_id:
                return rec
    return None


def remember_event(state: ShipmentState, rec: EventRec) -> None:
    """Index ``rec``, which is in the history already, by its id."""
    index = state.id_index
    if index is not None:
        index[rec[ID]] = rec
    elif len(state.history) < INDEX_FROM:
        state.id_bits |= id_bit(rec[ID])
    else:
        index_events(state)
