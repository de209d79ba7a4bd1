"""Late events: insert them into the history and replay it, from the latest checkpoint
before the first change (``_checkpoints``), and report the net difference.

``Kernel`` (``_kernel.py``) inherits this, as it does ``Evaluation``.
"""

from __future__ import annotations

import bisect
import functools
import json
import operator
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..compiler._counter_reads import CounterReads, counter_reads
from ..compiler._model import Pack
from ..core._durations import from_micros
from ..core._records import (
    ATTRS,
    CODE,
    DESC,
    ID,
    KIND,
    REASON,
    EventRec,
    T,
    rec_key,
    rec_to_list,
)
from ._causes import CAUSE_OF_REASON, cut_memo, memo_valid
from ._checkpoints import (
    CHECKPOINT_EVERY,
    CHECKPOINT_FROM,
    COUNT_AT,
    Held,
    Marks,
    capture,
    followup_count,
    freeze,
    hold,
    put,
    restore,
    same_open,
    thaw,
)
from ._evaluation import Evaluation
from ._incidents import Change, ChangeType, Incident
from ._snapshots import diff_snapshots, later_snapshot
from ._state import NO_OPEN, NO_VALUES, OpenIncident, ShipmentState, find_event, remember_event

__all__ = ["Replay", "content"]

Later = Callable[[], Incident]  # what later_snapshot returns
_POSITION = operator.itemgetter(0)  # a checkpoint's number of events
# From this length on, a replay cuts the history to the events it absorbed (_run): below
# it the copies evaluation makes of the absorbed part cost less than the cut (callgrind,
# benchmarks/HISTORY.md, late events, ninth session).
CUT_FROM = 64


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
    _reads: CounterReads | None = None
    _anchor_fns: list[Callable[..., Any]] | None = None
    # Tests and benchmarks turn the shortcut of _Tail off for an oracle that replays all.
    _converge = True

    def _insert_all(self, state: ShipmentState, recs: list[EventRec]) -> int | None:
        """Put events into the history without evaluating; the first position of the
        history that changed, or None if nothing did.  Where the events went, when all
        were new, is left in the state's ``Marks`` for ``_replay``'s shortcut."""
        first: int | None = None
        history = state.history
        placed: list[int] | None = []
        # The cause memo while the history is as it read it: a long trail's (below
        # CUT_FROM events, the walk it saves is short).
        memo = memo_valid(state) if len(history) >= CUT_FROM else None
        for rec in recs:
            seen = find_event(state, rec[ID])
            if seen is not None:
                if seen == rec or content(seen) >= content(rec):
                    continue
                at = history.index(seen)
                del history[at]
                # The one place a record leaves the middle of a history: with the new
                # variant put in before the memo's last record, that record would be
                # back at its place over other content.
                state.cause_memo = None
                first = at if first is None or at < first else first
                placed = None  # a variant replaced: the old history is not a subsequence
            at = bisect.bisect_right(history, rec_key(rec), key=rec_key)
            history.insert(at, rec)
            remember_event(state, rec)
            first = at if first is None or at < first else first
            if placed is not None:
                placed = [p + 1 if p >= at else p for p in placed]
                placed.append(at)
        if memo is not None and first is not None and placed is not None:
            cut_memo(state, first, memo)  # (a variant replaced dropped it)
        if first is not None and placed:
            marks = state.checkpoints
            if marks is None:
                marks = state.checkpoints = Marks(state.facts, followup_count(state))
            marks.inserted = sorted(placed)
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
        # The scan its timers took before may match it again (no event absorbed, the
        # same facts) while its incidents are gone.
        state.scan_memo = None

    def _replay(self, state: ShipmentState, clock: int, since: int | None = None) -> list[Change]:
        """Rebuild the derived state from the history and report the difference.

        ``since``: the first position of the history that changed (late events); the
        replay starts from the latest checkpoint at or before it, and may stop once the
        late events made no difference but to counts (``_Tail``).  None: from scratch
        (new facts, a loaded state of another pack)."""
        pack = self.pack
        # A revisit not done yet was never reported (see _revisit_step), whatever its time.
        owed = {inc.id for inc in state.open.values() if not inc.revisit_done}
        reported = state.fired_through
        marks = state.checkpoints
        inserted = None
        if marks is not None:
            inserted, marks.inserted = marks.inserted, None
        tail = None
        if since is not None and inserted is not None and inserted[0] == since and self._converge:
            tail = _Tail.of(self, state, inserted, clock)
        # The incidents' snapshots before the replay: with the shortcut, taken only if
        # the replay changed something (most late events change nothing), from the
        # stored state the shortcut holds (_Tail.before).
        before = None
        if tail is None:
            before = {k: later_snapshot(pack, state, inc, clock) for k, inc in state.open.items()}
        start = 0
        if since is not None and not self._owes_revisit(state):
            # A checkpoint's events are all at or before reported, so a revisit its
            # prefix reported is never news below: skipping the prefix loses nothing.
            memo = memo_valid(state) if since >= CUT_FROM else None
            start = restore(state, since)
            if memo is not None:
                cut_memo(state, start, memo)  # (better than the checkpoint's if it applies)
        if not start:
            self._reset(state)
            self._prime(state)
            state.fired_through = None
            if state.checkpoints is not None:
                state.checkpoints.points.clear()
        # Revisits fall due by the clock alone; those past what was reported are news.
        revisits: list[Change] = []
        kept = False
        if tail is not None:
            revisits.extend(self._run(state, start, tail.since))
            if tail.fork and tail.converges(self, state):
                kept = True  # the rest is the stored tail, its counts shifted
            else:
                at, met = tail.meet(self, state, tail.stop if tail.fork else tail.since)
                if met:
                    kept = True
                else:
                    revisits.extend(self._run(state, at, len(state.history)))
            if kept:
                tail.keep(state)
        else:
            revisits.extend(self._run(state, start, len(state.history)))
        due = state.next_due_us
        if kept and (due is None or due > clock):
            # The stored state is back: its incidents the objects it held before, never
            # altered (a replay works on copies), its other fields as they were but for
            # counts no incident's explanation or remedy reads (_Tail._meets), and no
            # timer due (the clock did not move: _Tail.of).  No incident changed.
            changes: list[Change] = []
        else:
            if before is None:
                assert tail is not None
                before = tail.before(pack, state, clock)
            revisits.extend(self._fire(state, clock))
            after = {k: later_snapshot(pack, state, inc, clock) for k, inc in state.open.items()}
            changes = _net(before, after, from_micros(clock), self._supersedes)
        news = reported if reported is not None else clock
        changes.extend(
            c
            for c in revisits
            if c.type is ChangeType.REVISIT_DUE
            and (reported is None or c.at > from_micros(news) or c.incident.id in owed)
        )
        return changes

    def _run(self, state: ShipmentState, start: int, stop: int) -> list[Change]:
        """Replay the history's events ``start`` to ``stop`` (counted from 1, ``start``
        absorbed already), checkpointing on the way; the revisits that fell due."""
        revisits: list[Change] = []
        history = state.history
        every, first = self._checkpoint_every, self._checkpoint_from
        # Evaluation reads the absorbed part of the history only (evidence, the trail's
        # cause), a copy of the list's head when the list holds more: with an incident
        # open, every event of a long history's replay copied it.  A long list is cut
        # to the absorbed part here, each event put back as it is absorbed.
        cut = len(history) >= CUT_FROM
        rest = history[start:] if cut else history
        if cut:
            del history[start:]
        try:
            for n in range(start + 1, stop + 1):
                if cut:
                    rec = rest[n - 1 - start]
                    history.append(rec)
                else:
                    rec = history[n - 1]
                revisits.extend(self._take(state, rec))
                state.fired_through = rec[T]
                if n >= first and not n % every:
                    capture(state, n, rec[T])
        finally:
            if cut:
                history.extend(rest[len(history) - start :])
        return revisits

    def _counter_reads(self) -> CounterReads:
        """How the pack reads counts (taken once per kernel)."""
        reads = self._reads
        if reads is None:
            pack = self.pack
            reads = self._reads = counter_reads(pack.module_source, (r.id for r in pack.rules))
        return reads

    def _anchors(self) -> list[Callable[..., Any]]:
        """The pack's rules' anchors (taken once per kernel)."""
        anchors = self._anchor_fns
        if anchors is None:
            anchors = self._anchor_fns = [
                rule.anchor for rule in self.pack.rules if rule.anchor is not None
            ]
        return anchors

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


class _Tail:
    """The shortcut of a late event: stop replaying once it made no difference but to
    counts, and keep the stored rest of the state, its counts shifted.

    The late events (all new) went to positions ``inserted`` of the history, the first
    at ``since``.  The *fork*: from the state after ``since`` events (the same for the
    old history and the new), the old history's next events are replayed up to
    ``stop - len(inserted)`` (the old state there), then the new one's up to ``stop``
    (the late events and one old event more).  If the two states differ only in counts,
    every count that differs may shift (``CounterReads``: read by thresholds both sides
    are past, and no incident kept holds a value of it read after ``stop``:
    ``_untouched``), and the late events can never be read again (no cause a trail
    would give but one a later event there overrides, instants before the event at
    ``stop`` and no anchor's), then what the old history did after ``stop`` the new one
    does too: the state is the stored one, its counts shifted.  When the fork does not
    meet (or cannot: a late event names a cause, or is at the instant of the event
    after it), the replay goes on and makes the same comparison at each of the old
    history's checkpoints after ``stop`` (``meet``: the old state there is the
    checkpoint, no second replay), and keeps the stored rest at the first that meets.
    Not with follow-ups (revisits report from inside the replay), nor when the clock
    moved.
    """

    __slots__ = ("cause", "deltas", "fork", "held", "inserted", "points", "since", "stop")

    def __init__(self, state: ShipmentState, inserted: list[int], cause: bool, fork: bool) -> None:
        self.inserted = inserted
        self.since = inserted[0]
        self.stop = inserted[-1] + 2
        self.cause = cause  # some late event names a cause (CAUSE_OF_REASON)
        self.fork = fork  # the fork at stop may meet
        marks = state.checkpoints
        valid = marks is not None and marks.valid_for(state)
        self.points = list(marks.points) if marks is not None and valid else []
        self.held = hold(state)  # a replay replaces these objects, never alters them
        self.deltas: dict[int, int] = {}  # by position in the plain fields

    @classmethod
    def of(
        cls, kernel: Replay, state: ShipmentState, inserted: list[int], clock: int
    ) -> _Tail | None:
        history = state.history
        stop = inserted[-1] + 2
        if state.followups or clock != state.fired_through or stop >= len(history):
            return None
        if not kernel._counter_reads().plain_anchors:
            return None
        last = history[stop - 1][T]
        cause = any(history[at][KIND][REASON] in CAUSE_OF_REASON for at in inserted)
        fork = not cause and all(history[at][T] < last for at in inserted)
        tail = cls(state, inserted, cause, fork)
        if not fork and not tail.points:
            return None  # nowhere to meet
        return tail

    def converges(self, kernel: Replay, state: ShipmentState) -> bool:
        """Replay both histories to ``stop`` and compare: ``state`` holds ``since``
        events of the new history before, ``stop`` after."""
        history = state.history
        since, stop, inserted = self.since, self.stop, self.inserted
        shared = freeze(state, since, state.fired_through)
        # Evaluation reads the absorbed part of the history (evidence, causes): the old
        # one's, its first stop - len(inserted) events, while the old events are
        # replayed.  The list is cut to that in place (a long one to the events
        # absorbed, each put back as it is absorbed, as in _run) and the late events
        # put back after: a copy would touch every event of a long history.
        late = [history[at] for at in inserted]
        after = history[stop:]
        del history[stop:]
        for at in reversed(inserted):
            del history[at]
        cut = len(history) >= CUT_FROM
        replayed = history[since:]
        if cut:
            del history[since:]
        try:
            for rec in replayed:
                if cut:
                    history.append(rec)
                kernel._take(state, rec)
                state.fired_through = rec[T]
        finally:
            if cut:
                history.extend(replayed[len(history) - since :])
            for at, rec in zip(inserted, late, strict=True):
                history.insert(at, rec)
            history.extend(after)
        old = hold(state)
        thaw(state, shared, last=True)
        kernel._run(state, since, stop)  # no revisits: there are no follow-ups
        return self._meets(kernel, state, old, stop)

    def meet(self, kernel: Replay, state: ShipmentState, at: int) -> tuple[int, bool]:
        """Replay on from ``at`` events to each of the old history's checkpoints after
        the late events and compare there; the events replayed then, and whether the
        states met (the stored rest may be kept)."""
        moved = len(self.inserted)
        last = self.inserted[-1]
        for point in self.points:
            n = point[0] + moved  # the checkpoint's position in the new history
            if n <= at or n - 1 <= last:
                continue
            kernel._run(state, at, n)  # no revisits: there are no follow-ups
            at = n
            _, fired, plain, cnt, firsts, lasts, values, live, _ = point
            if self._meets(kernel, state, (plain, cnt, firsts, lasts, values, live, fired), n):
                return at, True
        return at, False

    def _meets(self, kernel: Replay, state: ShipmentState, old: Held, at: int) -> bool:
        """Whether ``state``, after ``at`` events of the new history, is ``old`` (the
        old history's state after ``at - len(inserted)``) but for counts that may
        shift, and the late events can never be read again; if so, the shifts and the
        stored checkpoints after that point to keep are set."""
        new = hold(state)
        # hold(): (plain, cnt, firsts, lasts, attr_values, open, fired_through, ...); the
        # open incidents compared without building their evidence (same_open).
        if new[1:5] != old[1:5] or new[6:] != old[6:] or not same_open(new[5], old[5]):
            return False
        history, inserted = state.history, self.inserted
        was, now = old[0], new[0]
        deltas: dict[int, int] = {}
        shifted: list[tuple[str, int]] = []  # the counts that differ, as the old state has them
        if was != now:
            reads = kernel._counter_reads()
            for name, index in COUNT_AT.items():
                if was[index] != now[index]:
                    if not reads.shiftable(name, min(was[index], now[index])):
                        return False
                    deltas[index] = now[index] - was[index]
                    shifted.append((name, was[index]))
            shifted_was = list(was)
            for index in deltas:
                shifted_was[index] = now[index]
            if tuple(shifted_was) != now:  # a difference beyond the counts
                return False
        t = history[at - 1][T]
        times = {history[index][T] for index in inserted}
        if max(times) >= t:
            return False
        if self.cause and not _overridden(history, inserted, at):
            return False
        f, p = state.facts, state.params
        for anchor in kernel._anchors():
            if anchor(state, f, p, t) in times:
                return False
        if shifted and not _untouched(kernel, kernel._counter_reads(), shifted, self.held[5]):
            return False
        # The checkpoints after this point (in history order), those whose incidents
        # hold no count read that shifted.
        first = at - len(inserted)
        points = self.points
        points = points[bisect.bisect_left(points, first, key=_POSITION) :]
        if shifted:
            reads = kernel._counter_reads()
            points = [point for point in points if _untouched(kernel, reads, shifted, point[7])]
        self.points = points
        self.deltas = deltas
        return True

    def keep(self, state: ShipmentState) -> None:
        """Put the stored state back, its counts and its later checkpoints shifted."""
        plain, cnt, firsts, lasts, values, live, fired = self.held
        put(state, (self._shift(plain), cnt, firsts, lasts, values, live, fired))
        if not self.points:
            return
        marks = state.checkpoints
        if marks is None or not marks.valid_for(state):
            marks = state.checkpoints = Marks(state.facts, followup_count(state))
        points = marks.points
        moved = len(self.inserted)
        for n, at, plain, cnt, firsts, lasts, values, live, _ in self.points:
            if not points or points[-1][0] < n + moved:
                shifted = self._shift(plain)
                # Not the cause memo: its places are the old history's, and a late
                # event before them may name a cause.
                points.append((n + moved, at, shifted, cnt, firsts, lasts, values, live, None))

    def before(self, pack: Pack, state: ShipmentState, clock: int) -> dict[str, Later]:
        """The snapshots of the stored state's incidents, as ``_replay`` takes them
        before a replay without the shortcut: ``held`` put back for the time it takes.

        ``held`` is what the replay started from (taken after the late events went
        into the history, as those snapshots are), never altered (a replay works on
        copies); a snapshot reads nothing else of the state that a replay moves (the
        history is the same list, ``cause_memo`` checks itself against it)."""
        now = hold(state)
        memo = state.scan_memo
        put(state, self.held)
        try:
            return {k: later_snapshot(pack, state, inc, clock) for k, inc in state.open.items()}
        finally:
            put(state, now)
            state.scan_memo = memo

    def _shift(self, plain: tuple[Any, ...]) -> tuple[Any, ...]:
        if not self.deltas:
            return plain
        out = list(plain)
        for at, delta in self.deltas.items():
            out[at] += delta
        return tuple(out)


def _overridden(history: list[EventRec], inserted: list[int], at: int) -> bool:
    """Whether every late event that names a cause has a later event among the first
    ``at`` of the history that names one too: the trail's cause at any instant from
    the ``at``-th event on is then never a late event's (``derived_cause`` takes the
    latest one at or before its instant, and every event after it is at or after
    it)."""
    named = [index for index in inserted if history[index][KIND][REASON] in CAUSE_OF_REASON]
    if not named:
        return True
    for index in range(at - 1, named[-1], -1):
        reason = history[index][KIND][REASON]
        if reason is not None and reason in CAUSE_OF_REASON:
            return True
    return False


def _untouched(
    kernel: Replay,
    reads: CounterReads,
    shifted: list[tuple[str, int]],
    live: Mapping[str, OpenIncident],
) -> bool:
    """Whether no incident of ``live`` holds what its leading rule read of a count
    that shifted after the replay stopped (where the old state held ``was`` of it).

    Evidence keeps a count as one of its values: taken below ``was``, it was taken
    before the stop (counts never go down), so the replay compared it already.  A
    count read anywhere else (an explanation, a remedy) may have been read since."""
    rules = kernel._rules
    for inc in live.values():
        lead = rules[inc.lead[0]].id
        for name, was in shifted:
            if lead in reads.captured_by[name]:
                return False
            key = reads.kept_by[name].get(lead)
            if key is not None:
                value = inc.evidence.values.get(key)
                if type(value) is not int or value >= was:
                    return False
    return True


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
