"""A shipment's state with its personal data masked, for dumps meant for sharing
(``Engine.dump(mask=True)``, POLICY §4).

What the kernel keeps of people is text: event descriptions, the attributes the pack
reads, the evidence, explanation and remedy text of open incidents, and the notes of
follow-ups.  Those are masked in a copy; the state itself is not touched.  Numbers and
flags keep their types, so a masked state loads and runs like any other (rules that
read a masked text then see the masked text).
"""

from __future__ import annotations

from typing import Any

import attrs

from logix_carriers import mask_field, mask_shipment, mask_text, personal_names

from ..core._records import ATTRS, DESC, ID, KIND, EventKind, EventRec, T
from ._state import Followup, OpenIncident, ShipmentState

__all__ = ["masked_state"]


def masked_state(state: ShipmentState) -> ShipmentState:
    """A copy of ``state`` whose personal data is masked; ``state`` is left as it is."""
    names = _names(state)
    keep = (state.tracking_number,)
    kinds: dict[int, EventKind] = {}  # kinds are shared tuples: each is masked once

    def record(rec: EventRec) -> EventRec:
        kind = rec[KIND]
        shown = kinds.get(id(kind))
        if shown is None:
            shown = kinds[id(kind)] = _masked_kind(kind, names, keep)
        return (rec[T], rec[ID], shown)

    def text(value: str) -> str:
        return mask_text(value, names=names, keep=keep)

    def note(value: str | None) -> str | None:
        return None if value is None else text(value)

    def incident(inc: OpenIncident) -> OpenIncident:
        remedy = inc.remedy
        return attrs.evolve(
            inc,
            evidence=inc.evidence.masked(names=names, keep=keep),
            explanation=text(inc.explanation),
            remedy=None if remedy is None else attrs.evolve(remedy, text=text(remedy.text)),
        )

    def followup(f: Followup) -> Followup:
        log = [(what, by, at, note(said), cause) for what, by, at, said, cause in f.log]
        return attrs.evolve(f, note=note(f.note), log=log)

    changes: dict[str, Any] = {
        "history": [record(rec) for rec in state.history],
        "latest": None if state.latest is None else record(state.latest),
        "attr_values": {k: _value(k, v, names, keep) for k, v in state.attr_values.items()},
        "open": {key: incident(inc) for key, inc in state.open.items()},
        "followups": {key: followup(f) for key, f in state.followups.items()},
    }
    if state.id_index is not None:
        changes["id_index"] = {rec[ID]: rec for rec in changes["history"]}
    shipment = state.shipment
    if shipment is not None and (shown := mask_shipment(shipment, names=names)) is not shipment:
        changes["shipment"] = shown
    return attrs.evolve(state, **changes)


def _names(state: ShipmentState) -> tuple[str, ...]:
    """The names the state holds in name fields: of the events' attributes and of the
    values the pack read."""
    found = list(personal_names(state.attr_values))
    seen: set[int] = set()
    for rec in state.history:
        kind = rec[KIND]
        if id(kind) not in seen and kind[ATTRS]:
            seen.add(id(kind))
            found.extend(personal_names(dict(kind[ATTRS])))
    return tuple(dict.fromkeys(found))


def _masked_kind(kind: EventKind, names: tuple[str, ...], keep: tuple[str, ...]) -> EventKind:
    fields = list(kind)
    fields[DESC] = mask_text(kind[DESC], names=names, keep=keep)
    fields[ATTRS] = tuple((k, _value(k, v, names, keep)) for k, v in kind[ATTRS])
    return tuple(fields)  # type: ignore[return-value]


def _value(key: str, value: Any, names: tuple[str, ...], keep: tuple[str, ...]) -> Any:
    # Only text is masked: the rules compare numbers as numbers.
    return mask_field(key, value, names=names, keep=keep) if isinstance(value, str) else value
