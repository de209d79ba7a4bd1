"""What a unit remembers of the rows it reads (``_units.SqlUnit``), so that it writes
again only those whose content changed: a parcel's ``shipment_facts`` row, kept with
the objects it was made from, and a fingerprint of each live incident's row.
"""

from __future__ import annotations

from typing import Any

from ..runtime._state import OpenIncident, ShipmentState
from ._facts import facts_row

__all__ = ["Facts", "Held", "facts_key", "facts_of", "fingerprint", "fingerprints"]


#: What a unit knows of one row it read or wrote (a plain tuple: a unit makes one for
#: every parcel it touches): its version, its bytes, the incidents its state held (by
#: id: what their rows were written from) and its facts (``Facts``) as last written.
Held = tuple[int, "bytes | None", "dict[str, tuple[Any, ...]]", "Facts | None"]
#: A state's ``shipment_facts`` row (``facts_row``) and the fields it is made from
#: (``facts_key``): while they are the same objects, the row is not made again.
Facts = tuple[tuple[Any, ...], tuple[Any, ...]]


def facts_key(state: ShipmentState) -> tuple[Any, ...]:
    return (state.facts, state.carrier, state.first_event, state.first_scan, state.delivered_at)


def facts_of(state: ShipmentState) -> Facts:
    return (facts_key(state), facts_row(state))


def fingerprint(state: ShipmentState, inc: OpenIncident) -> tuple[Any, ...]:
    """Everything an incident's row is written from but the clock: when it is the same
    at ``save`` as at ``load``, the row is left as it is (``reads_now`` rows are
    computed again at reading time anyway)."""
    follow = state.followups.get(inc.id)
    return (
        inc.severity,
        inc.severity_since,
        inc.rules,
        inc.lead,
        inc.remedy,
        inc.explanation,
        dict(inc.deadlines),
        tuple(inc.escalations),
        # As held: a loaded incident's evidence stays unread text (equal to itself).
        inc._evidence,
        None
        if follow is None
        else (follow.ack_at, follow.ack_by, follow.resolved_at, follow.resolved_by, follow.note),
        state.carrier,
        state.facts.lane,
        inc.cause,  # and a cause a person named since (an action logged with one)
        0 if follow is None else len(follow.log),
    )


def fingerprints(state: ShipmentState) -> dict[str, tuple[Any, ...]]:
    return {inc.id: fingerprint(state, inc) for inc in state.open.values()} if state.open else {}
