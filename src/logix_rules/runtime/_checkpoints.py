"""Checkpoints of a long history, so a late event replays only what comes after it.

A checkpoint is a copy of the replayable part of a ``ShipmentState`` (the aggregates,
trackers, status and clock fields, the open incidents, ``next_due_us``, ``timer_eval``
and ``fired_through``) exactly as a replay from scratch holds it after its first ``n``
events: timers fired only up to what that replay fires before its ``n``-th event is
absorbed, nothing after.  A late event inserted at position ``p`` of the history leaves
every checkpoint with ``n <= p`` true, so the replay restores the latest of them and
goes on from there (``_replay.Replay``).

Checkpoints are derived, never serialized: a loaded state has none and takes them again
as it steps in order or replays.  They hold for one set of facts and follow-ups
(``Marks.facts``, ``Marks.followups``): new facts or a follow-up make all of them stale.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import attrs

from ._state import NO_OPEN, NO_VALUES, OpenIncident, ShipmentState
from ._state_codec import AGGREGATES

__all__ = [
    "CHECKPOINT_EVERY",
    "CHECKPOINT_FROM",
    "COUNT_AT",
    "Checkpoint",
    "Held",
    "Marks",
    "capture",
    "followup_count",
    "freeze",
    "hold",
    "put",
    "restore",
    "same_open",
    "thaw",
]

# Short parcels (the common case: 4-10 events, ~2 KB each in benchmarks/memory.py; 4 %
# of the demo's have 16-25) take no checkpoint, and replay little anyway; from
# CHECKPOINT_FROM events on, one every CHECKPOINT_EVERY events.  The
# latest KEEP_RECENT stay (late events are mostly recent); older ones are thinned to one
# every KEEP_EVERY events, so a long history holds about len/KEEP_EVERY + KEEP_RECENT.
# A late event inside the recent span replays at most CHECKPOINT_EVERY - 1 events more
# than those after it.  A checkpoint costs about 2 KB (it keeps the incidents' evidence
# and texts of its instant alive) and less than a step to take.
CHECKPOINT_FROM = 32
CHECKPOINT_EVERY = 8
KEEP_RECENT = 4
KEEP_EVERY = 64

# The fields a replay rebuilds, but for the mutable containers (copied apart below).
_PLAIN = (
    "status",
    "stage",
    "reason",
    "final",
    *AGGREGATES,
    "latest",
    "next_due_us",
    "timer_eval",
)
_read_plain = attrgetter(*_PLAIN)


def _put_plain(state: ShipmentState, plain: tuple[Any, ...]) -> None:
    """Set the fields of ``_PLAIN`` (in its order) from ``plain``: one assignment, not
    a ``setattr`` call per field (a late event puts them back two or three times)."""
    (
        state.status,
        state.stage,
        state.reason,
        state.final,
        state.delivered_at,
        state.first_event,
        state.last_event,
        state.first_scan,
        state.last_scan,
        state.status_entered,
        state.stage_entered,
        state.n_events,
        state.n_scans,
        state.regressions,
        state.after_delivery,
        state.latest,
        state.next_due_us,
        state.timer_eval,
    ) = plain
    # The rules' last scan is of the state that was: it may match the one put back
    # (the same latest event and count) while that one's incidents are not its own.
    state.scan_memo = None


# Where each count is in a checkpoint's plain fields (late events shift them: _replay).
COUNT_AT = {
    name: _PLAIN.index(name) for name in ("n_events", "n_scans", "regressions", "after_delivery")
}

# (n, fired_through, plain, cnt, firsts, lasts, attr_values, open, cause_memo)
Checkpoint = tuple[int, int, tuple[Any, ...], Any, Any, Any, Any, Any, Any]


class Marks:
    """A state's checkpoints, in history order, and what they hold for."""

    __slots__ = ("facts", "followups", "inserted", "points")

    def __init__(self, facts: Any, followups: int) -> None:
        self.facts = facts
        self.followups = followups
        self.points: list[Checkpoint] = []
        # Where the late events the next replay follows went in the history, when they
        # were all new (not variants of events held): _replay's shortcut needs them.
        self.inserted: list[int] | None = None

    def valid_for(self, state: ShipmentState) -> bool:
        return self.facts is state.facts and self.followups == followup_count(state)


def followup_count(state: ShipmentState) -> int:
    """How many follow-ups ``state`` has logged: every one adds a log entry, so a change
    of this number is a follow-up the checkpoints did not see."""
    follows = state.followups
    return sum(len(f.log) for f in follows.values()) if follows else 0


def capture(state: ShipmentState, n: int, at: int) -> None:
    """Checkpoint ``state`` after its first ``n`` events, the last of them at ``at``
    (the ``fired_through`` a replay holds there, whatever timers fired since)."""
    marks = state.checkpoints
    if marks is None or not marks.valid_for(state):
        marks = state.checkpoints = Marks(state.facts, followup_count(state))
    points = marks.points
    if points and points[-1][0] >= n:
        return  # taken already (a replay passing a checkpoint it restored before)
    points.append(freeze(state, n, at))
    older = len(points) - KEEP_RECENT - 1  # the one that just left the recent span
    if older >= 0 and points[older][0] % KEEP_EVERY:
        del points[older]


def restore(state: ShipmentState, position: int) -> int:
    """Put back the latest valid checkpoint at or before ``position`` (events of the
    history that did not change) and drop the later ones; the number of events it
    holds, or 0 when there is none (the caller replays from scratch)."""
    marks = state.checkpoints
    if marks is None:
        return 0
    points = marks.points
    if not marks.valid_for(state):
        points.clear()
        return 0
    while points and points[-1][0] > position:
        points.pop()
    if not points:
        return 0
    thaw(state, points[-1])
    return int(points[-1][0])


def freeze(state: ShipmentState, n: int, at: Any) -> Checkpoint:
    """A copy of what a replay rebuilds of ``state``, as a checkpoint after ``n``
    events, the last at ``at``: nothing evaluation does to ``state`` after alters it."""
    cnt, firsts, lasts = state.cnt, state.firsts, state.lasts
    if type(cnt) is list:  # a tracker matched: the absorber owns (and mutates) lists
        cnt, firsts, lasts = cnt.copy(), list(firsts), list(lasts)
    values = state.attr_values
    return (
        n,
        at,
        _read_plain(state),
        cnt,
        firsts,
        lasts,
        values if values is NO_VALUES else dict(values),
        _copy_open(state.open),
        # Not replayable state but a memo of the trail's latest cause (_causes): given
        # back with the rest, a replay from here need not walk a long trail back to it.
        getattr(state, "cause_memo", None),
    )


def thaw(state: ShipmentState, point: Checkpoint, *, last: bool = False) -> None:
    """Put ``point`` back into ``state``: copies, so the checkpoint stays as it was,
    unless it is its ``last`` use (then the state takes its objects)."""
    _, at, plain, cnt, firsts, lasts, values, live, memo = point
    _put_plain(state, plain)
    if memo is not None:  # (it checks itself against the history when read)
        state.cause_memo = memo
    if not last:
        # The pack's shared tuples of zeros are never written to; lists are copied.
        if type(cnt) is list:
            cnt, firsts, lasts = cnt.copy(), list(firsts), list(lasts)
        values = values if values is NO_VALUES else dict(values)
        live = _copy_open(live)
    state.cnt, state.firsts, state.lasts = cnt, firsts, lasts
    state.attr_values = values
    state.open = live
    state.fired_through = at


Held = tuple[tuple[Any, ...], Any, Any, Any, Any, dict[str, OpenIncident], Any]


def hold(state: ShipmentState) -> Held:
    """What a replay rebuilds of ``state``, not copied: the plain fields, the trackers'
    counts, firsts and lasts, the attribute values, the open incidents, fired_through."""
    return (
        _read_plain(state),
        state.cnt,
        state.firsts,
        state.lasts,
        state.attr_values,
        state.open,
        state.fired_through,
    )


def put(state: ShipmentState, held: Held) -> None:
    """Give ``state`` what ``hold`` took (the objects themselves)."""
    plain, state.cnt, state.firsts, state.lasts, state.attr_values, state.open, fired = held
    _put_plain(state, plain)
    state.fired_through = fired


def _copy_open(live: dict[str, OpenIncident]) -> dict[str, OpenIncident]:
    """Open incidents deep enough to be independent: evaluation mutates an incident's
    fields and appends to its escalations; it replaces its other containers whole."""
    if live is NO_OPEN:
        return NO_OPEN
    out = {}
    for key, inc in live.items():
        twin = OpenIncident(*_read_incident(inc))  # copy.copy takes twice as long
        twin.escalations = list(inc.escalations)
        out[key] = twin
    return out


def same_open(live: dict[str, OpenIncident], other: dict[str, OpenIncident]) -> bool:
    """Whether two states' open incidents are equal, as ``live == other`` says.

    ``OpenIncident``'s generated ``__eq__`` compares field by field with ``==``, so an
    incident a replay left holding the stored one's evidence (the common case: a late
    event changed no rung) still builds that evidence, both sides, to compare it
    (``PendingEvidence``).  The tuples of fields compare items by identity first."""
    if live is other:
        return True
    if len(live) != len(other):
        return False
    for key, inc in live.items():
        twin = other.get(key)
        if twin is None or (twin is not inc and _read_incident(twin) != _read_incident(inc)):
            return False
    return True


# An incident's fields in the order OpenIncident() takes them.
_read_incident = attrgetter(*(field.name for field in attrs.fields(OpenIncident)))
