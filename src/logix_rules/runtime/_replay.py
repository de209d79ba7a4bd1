"""Late events: insert them into the history and replay it, from the latest checkpoint
before the first change (``_checkpoints``), and report the net difference.

``Kernel`` (``_kernel.py``) inherits this, as it does ``Evaluation``.
"""

from __future__ import annotations

import bisect
import functools
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..core._durations import from_micros
from ..core._records import ATTRS, CODE, DESC, ID, KIND, EventRec, T, rec_key, rec_to_list
from ._checkpoints import CHECKPOINT_EVERY, CHECKPOINT_FROM, capture, restore
from ._evaluation import Evaluation
from ._incidents import Change, ChangeType, Incident
from ._snapshots import diff_snapshots, later_snapshot
from ._state import NO_OPEN, NO_VALUES, ShipmentState, find_event, remember_event

__all__ = ["Replay", "content"]

Later = Callable[[], Incident]  # what later_snapshot returns


class Replay(Evaluation):
    """The replay half of ``Kernel``: what its ``__init__`` sets, it reads."""

    _absorb: Callable[..., tuple[list[tuple[int, int]] | None, int | None]]
    _zeros: tuple[int, ...]
    _nones: tuple[None, ...]
    _prime: Callable[[ShipmentState], None]
    _fire: Callable[[ShipmentState, int], list[Change]]
    # Tests lower these on one kernel to checkpoint short histories.
    _checkpoint_from = CHECKPOINT_FROM
    _checkpoint_every = CHECKPOINT_EVERY

    def _insert_all(self, state: ShipmentState, recs: list[EventRec]) -> int | None:
        """Put events into the history without evaluating; the first position of the
        history that changed, or None if nothing did."""
        first: int | None = None
        history = state.history
        for rec in recs:
            seen = find_event(state, rec[ID])
            if seen is not None:
                if seen == rec or content(seen) >= content(rec):
                    continue
                at = history.index(seen)
                del history[at]
                first = at if first is None or at < first else first
            at = bisect.bisect_right(history, rec_key(rec), key=rec_key)
            history.insert(at, rec)
            remember_event(state, rec)
            first = at if first is None or at < first else first
        return first

    def _reset(self, state: ShipmentState) -> None:
        state.status = state.stage = state.reason = None
        state.final = False
        state.delivered_at = state.first_event = state.last_event = None
        state.first_scan = state.last_scan = state.status_entered = state.stage_entered = None
        state.n_events = state.n_scans = state.regressions = state.after_delivery = 0
        state.cnt = self._zeros
        state.firsts = state.lasts = self._nones
        state.attr_values = NO_VALUES
        state.latest = None
        state.open = NO_OPEN
        state.next_due_us = None
        state.timer_eval = None

    def _replay(self, state: ShipmentState, clock: int, since: int | None = None) -> list[Change]:
        """Rebuild the derived state from the history and report the difference.

        ``since``: the first position of the history that changed (late events); the
        replay starts from the latest checkpoint at or before it.  None: from scratch
        (new facts, a loaded state of another pack)."""
        pack = self.pack
        before = {key: later_snapshot(pack, state, inc, clock) for key, inc in state.open.items()}
        # A revisit not done yet was never reported (see _revisit_step), whatever its time.
        owed = {inc.id for inc in state.open.values() if not inc.revisit_done}
        reported = state.fired_through
        start = 0
        if since is not None and not self._owes_revisit(state):
            # A checkpoint's events are all at or before reported, so a revisit its
            # prefix reported is never news below: skipping the prefix loses nothing.
            start = restore(state, since)
        if not start:
            self._reset(state)
            self._prime(state)
            state.fired_through = None
            if state.checkpoints is not None:
                state.checkpoints.points.clear()
        # Revisits fall due by the clock alone; those past what was reported are news.
        revisits: list[Change] = []
        history = state.history
        every, first = self._checkpoint_every, self._checkpoint_from
        for n in range(start + 1, len(history) + 1):
            rec = history[n - 1]
            revisits.extend(self._take(state, rec))
            state.fired_through = rec[T]
            if n >= first and not n % every:
                capture(state, n, rec[T])
        revisits.extend(self._fire(state, clock))
        after = {key: later_snapshot(pack, state, inc, clock) for key, inc in state.open.items()}
        changes = _net(before, after, from_micros(clock), self._supersedes)
        news = reported if reported is not None else clock
        changes.extend(
            c
            for c in revisits
            if c.type is ChangeType.REVISIT_DUE
            and (reported is None or c.at > from_micros(news) or c.incident.id in owed)
        )
        return changes

    def _owes_revisit(self, state: ShipmentState) -> bool:
        """Whether a resolved incident still owes its revisit: a replay from scratch may
        report it from any point of the history (see _revisit_step), so it replays all.
        The resolve made the checkpoints of before it stale, but a replay since (a
        late event) took new ones that saw it, so a later late event reaches this
        (tests/rules/test_late_revisit.py)."""
        follows = state.followups
        if not follows or self._revisit is None:
            return False
        for inc in state.open.values():
            follow = follows.get(inc.id)
            if follow is not None and follow.resolved_at is not None and not inc.revisit_done:
                return True
        return False

    def _take(self, s: ShipmentState, rec: EventRec) -> list[Change]:
        """The in-order step: fire what is due before ``rec``, absorb it, evaluate.

        Absorbing is compiled with the pack (``Pack.absorb``): it moves the aggregates
        the pack keeps, feeds the pack's trackers and scans its rules, in one call.
        ``step_many`` has this inline; replays, which report only their net effect,
        call it.
        """
        t = rec[T]
        due = s.next_due_us
        changes: list[Change] = []
        if due is not None and due < t:
            changes = self._fire(s, t - 1)
        held, pending = self._absorb(s, rec, s.facts, s.params, t)
        # The common case inline: nothing holds and nothing is open (see _evaluate).
        if held is None and not s.open:
            s.next_due_us = pending
        else:
            changes.extend(self._evaluate(s, t, (held, pending)))
        return changes


def _net(
    before: dict[str, Later],
    after: dict[str, Later],
    at: datetime,
    supersedes: Mapping[str, tuple[str, ...]],
) -> list[Change]:
    """``diff_snapshots`` of the incidents ``before`` and ``after`` build.

    Most replays leave most incidents as they were: one whose snapshot took the same
    values before and after builds the same ``Incident`` and is no change, so only the
    others are built.  Unless an incident is gone (cleared or superseded, which reads
    every live one): then all are."""
    taken = {key: _taken(later) for key, later in before.items()}
    for key, was in taken.items():
        now = _taken(after[key]) if key in after else None
        if was is None or now is None or now[1][0] != was[1][0]:  # the incident's id
            built = {key: later() for key, later in before.items()}
            return diff_snapshots(built, {k: v() for k, v in after.items()}, at, supersedes)
    was_built: dict[str, Incident] = {}
    now_built: dict[str, Incident] = {}
    for key, later in after.items():
        was = taken.get(key)
        if was is None or was != _taken(later):
            now_built[key] = later()
            if was is not None:
                was_built[key] = before[key]()
    return diff_snapshots(was_built, now_built, at, supersedes) if now_built else []


def _taken(later: Later) -> tuple[Any, tuple[Any, ...]] | None:
    """The builder of a snapshot and the values it took (``later_snapshot`` returns
    the ``Incident``'s builder with them bound), or None if it is no such thing."""
    if type(later) is not functools.partial or later.keywords:
        return None
    return later.func, later.args


def content(rec: EventRec) -> tuple[int, int, int, str]:
    """Orders variants of one event: the richer one wins, then any fixed tie-break."""
    kind = rec[KIND]
    return (
        sum(value is not None for _, value in kind[ATTRS]),
        len(kind[DESC]),
        kind[CODE] is not None,
        json.dumps(rec_to_list(rec), sort_keys=True, default=str),
    )
