"""Rule evaluation at one instant: which incidents open, change, clear or are
superseded, and which follow-up deadlines escalate (the second half of the kernel).

``Kernel`` (``_kernel.py``) inherits this: ``step`` and ``fire`` call ``_evaluate`` at
each evaluation point; replays and follow-ups (``_refresh_due``) call it too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..compiler._model import Pack, Revisit, Rule, Severity
from ._incidents import Change, ChangeType, IncidentState
from ._lifecycle import deadlines_of, met, revisit_due, superseded
from ._snapshots import (
    NO_EVIDENCE,
    describe,
    explanation_of,
    incident_id,
    later_snapshot,
    refresh_cause,
    remedy_of,
    settled_part,
)
from ._state import NO_OPEN, Followup, OpenIncident, ShipmentState, parked_key

__all__ = ["Evaluation"]

# An enum member read off its class goes through EnumType's attribute hook on 3.11
# (about 1 µs, a few thousand instructions): every change read one or two.
_OPENED, _UPDATED, _ESCALATED = ChangeType.OPENED, ChangeType.UPDATED, ChangeType.ESCALATED
_CLEARED, _SUPERSEDED = ChangeType.CLEARED, ChangeType.SUPERSEDED
_REVISIT_DUE = ChangeType.REVISIT_DUE
_CLOSED = IncidentState.CLEARED
_NEVER = 2**63  # after every instant: a scan with nothing due holds until the state moves


class Evaluation:
    """The evaluation half of ``Kernel``: what its ``__init__`` sets, it reads."""

    pack: Pack
    _rules: tuple[Rule, ...]
    _scan: Callable[..., tuple[list[tuple[int, int]] | None, int | None]]
    _severity: Mapping[str, Severity]
    _supersedes: Mapping[str, tuple[str, ...]]
    _actions: Mapping[str, str]
    _revisit: Revisit | None
    _anchored_deadlines: bool
    # Each severity's follow-up deadlines as (what, offset from severity_since, target):
    # built once per kernel, read at every evaluation with an incident open.
    _ladders: dict[str, tuple[tuple[str, int, str | None], ...]] | None = None

    def _make_ladders(self) -> dict[str, tuple[tuple[str, int, str | None], ...]]:
        self._ladders = {
            name: (
                ("respond", level.respond, None),
                ("escalate", level.escalate_after, level.target),
                ("resolve", level.resolve, None),
            )
            for name, level in self._severity.items()
        }
        return self._ladders

    def _evaluate(
        self,
        s: ShipmentState,
        t: int,
        scanned: tuple[list[tuple[int, int]] | None, int | None] | None = None,
        *,
        refresh: bool = False,
    ) -> list[Change]:
        fresh = True  # held and pending come from a scan at t
        if scanned is not None:
            held, pending = scanned
        else:
            # A timer (or a follow-up's refresh): when the rules were scanned since the
            # last event, under the same facts, and none became due since, they hold
            # as they did (a condition cannot read `now`; only a rung's `after` does,
            # and its instant is the scan's pending).  Most timers of a parcel with an
            # incident open are its follow-up deadlines, not the rules'.
            try:
                memo = s.scan_memo
            except AttributeError:  # nothing absorbed since the state was made or loaded
                memo = None
            if (
                memo is not None
                and memo[0] <= t < memo[1]
                and memo[2] is s.latest
                and memo[3] == s.n_events
                and memo[4] is s.facts
                and memo[5] is s.params
            ):
                held, pending = memo[6], memo[7]
                fresh = False
            else:
                held, pending = self._scan(s, s.facts, s.params, t)
        if held is None and not s.open:
            s.next_due_us = pending  # the common case: nothing holds, nothing to clear
            return []
        if fresh:  # the scan just taken, for the timers until it is due
            s.scan_memo = (
                t,
                _NEVER if pending is None else pending,
                s.latest,
                s.n_events,
                s.facts,
                s.params,
                held,
                pending,
            )
        changes: list[Change] = []
        # With the last scan reused and no follow-up, the rules hold as they did at the
        # evaluation that took it, which opened, kept or closed every incident to match
        # them (only a resolve or a follow-up's refresh leaves one otherwise), and a
        # timer moves no rung, cause or remedy: nothing here could change.
        if fresh or s.followups:
            pending = self._settle(s, t, held, pending, changes, scanned is not None, refresh)

        # Follow-up deadlines of every live incident, and revisits after resolutions.
        # (What _deadline does, inline for the common case of a deadline still ahead.)
        followups = s.followups
        ladders = self._ladders or self._make_ladders()
        for key, inc in list(s.open.items()):
            # (most parcels have none: their followups is the shared empty mappingproxy,
            # whose .get parses its arguments, ~1,000 instructions)
            follow = followups.get(inc.id) if followups else None
            ack = resolved = None
            if follow is not None:
                ack, resolved = follow.ack_at, follow.resolved_at
                if resolved is not None:
                    if not inc.revisit_done and self._revisit is not None:
                        pending = self._revisit_step(
                            s, key, inc, follow, resolved, t, pending, changes, refresh
                        )
                    if resolved <= t:
                        continue
            since = inc.severity_since
            for what, offset, target in ladders[inc.severity]:
                deadline = since + offset
                if what == "respond" and ack is not None and ack <= deadline:
                    continue
                if deadline > t:
                    if (resolved is None or resolved > deadline) and (
                        pending is None or deadline < pending
                    ):
                        pending = deadline
                else:  # resolved, if any, is after t
                    for done in inc.escalations:  # (_escalate's test, inline: the common case)
                        if done[1] == deadline and done[0] == what:
                            break
                    else:
                        self._escalated(s, inc, what, deadline, target, changes)
            if inc.deadlines:
                starts = inc.starts
                for name, deadline in inc.deadlines.items():
                    start = inc.opened_at if starts is None else starts.get(name, inc.opened_at)
                    if follow is not None and met(
                        follow, self._actions.get(name, name), start, deadline
                    ):
                        continue
                    if deadline > t:
                        if (resolved is None or resolved > deadline) and (
                            pending is None or deadline < pending
                        ):
                            pending = deadline
                    else:
                        self._escalate(s, inc, name, deadline, None, changes)
        s.next_due_us = pending
        return changes

    def _settle(
        self,
        s: ShipmentState,
        t: int,
        held: list[tuple[int, int]] | None,
        pending: int | None,
        changes: list[Change],
        on_event: bool,
        refresh: bool,
    ) -> int | None:
        """Bring the incidents in line with the rules that hold (``held``, of a scan at
        ``t``): open, update, clear and supersede them, adding the changes to
        ``changes``; returns ``pending``, earlier when an opening is owed to the next
        evaluation.  ``on_event``: an event was just absorbed (then a rung that stays
        may still have moved its cause, remedy or deadlines)."""
        rules = self._rules
        ended: list[OpenIncident] = []
        holding: dict[str, list[tuple[Rule, int]]] = {}
        for index, rung in held or ():
            rule = rules[index]
            same = holding.get(rule.kind)
            if same is None:
                holding[rule.kind] = [(rule, rung)]
            else:
                same.append((rule, rung))

        # Kinds a holding kind supersedes neither open nor stay open (docs/engine.md).
        replaced: dict[str, str] = {}
        supersedes = self._supersedes
        if supersedes:
            for kind in holding:
                if kind in supersedes:  # most evaluations hold no superseding kind
                    replaced = superseded(supersedes, holding)
                    break
        for key in list(s.open):
            inc = s.open[key]
            kind = inc.kind
            if key != kind or (kind in holding and kind not in replaced):
                continue  # parked (resolved, its revisit pending), or still holding
            del s.open[key]
            if s.followups and self._is_resolved(s, inc, t):
                self._park(s, inc)
            elif kind not in replaced:
                changes.append(
                    Change(
                        _CLEARED,
                        later_snapshot(self.pack, s, inc, t, _CLOSED),
                        t,
                    )
                )
            else:
                ended.append(inc)
        closing = len(changes)  # superseded changes go here, before the openings
        for kind, hits in holding.items():
            if kind in replaced:
                continue
            if len(hits) == 1:
                best = hits[0]
                rule_ids: tuple[str, ...] = (best[0].id,)
            else:
                best = min(hits, key=lambda hit: (hit[0].steps[hit[1]].rank, hit[0].index))
                rule_ids = tuple(r.id for r, _ in hits)
            rule, step_index = best
            step = rule.steps[step_index]
            current = s.open.get(kind)
            opened = t
            # (_triggered_again needs a resolve, so only a parcel with follow-ups)
            if current is not None and self._anchored_deadlines and s.followups:
                again = self._triggered_again(s, current, best, hits, t)
                if again is not None and refresh:
                    # A follow-up reports nothing: the next evaluation opens it.
                    pending = t if pending is None or t < pending else pending
                    continue
                if again is not None:
                    del s.open[kind]
                    self._park(s, current)
                    current, opened = None, again
            if current is None:
                inc = OpenIncident(
                    id=incident_id(s.tracking_number, kind, opened),
                    kind=kind,
                    opened_at=opened,
                    severity=step.severity,
                    rank=step.rank,
                    severity_since=opened,
                    rules=rule_ids,
                    lead=(rule.index, step_index),
                    remedy=None,
                    evidence=NO_EVIDENCE,  # describe fills it in
                    explanation="",
                    deadlines={},
                )
                describe(s, inc, rule, step_index, t, hits)
                if s.open is NO_OPEN:
                    s.open = {}
                s.open[kind] = inc
                if not (s.followups and self._is_resolved(s, inc, t)):
                    # describe took the remedy and explanation at t: no need to redo them
                    view = later_snapshot(self.pack, s, inc, t, described=True)
                    changes.append(Change(_OPENED, view, t))
                continue
            inc = current
            if s.followups and self._is_resolved(s, inc, t):
                continue  # resolved by a person: stays closed until the condition clears
            changed = False
            if step.rank != inc.rank:
                inc.severity, inc.rank, inc.severity_since = step.severity, step.rank, t
                changed = True
            if (rule.index, step_index) != inc.lead or rule_ids != inc.rules:
                inc.rules = rule_ids
                inc.lead = (rule.index, step_index)
                describe(s, inc, rule, step_index, t, hits)
                changed = True
            elif on_event:
                # Same rung, but an event may have moved what its amounts read, or its
                # cause.  (Not on a timer: then only `now` moved, which settled_part
                # leaves out.)
                if refresh_cause(s, inc, t):
                    changed = True
                remedy = remedy_of(s, step, t, inc.id, inc.cause)  # the cause just taken
                # (the same object: a remedy without items, the same at every instant)
                if remedy is not inc.remedy and settled_part(remedy, step) != settled_part(
                    inc.remedy, step
                ):
                    inc.remedy = remedy
                    inc.explanation = explanation_of(s, rule, step, t)
                    changed = True
                if self._anchored_deadlines:  # a deadline counting from an event's time
                    due, starts = deadlines_of(s, inc, best, hits, t)
                    if due != inc.deadlines or starts != inc.starts:
                        inc.deadlines, inc.starts = due, starts
                        changed = True
            if changed:
                changes.append(Change(_UPDATED, later_snapshot(self.pack, s, inc, t), t))
        if ended:
            changes[closing:closing] = [
                Change(
                    _SUPERSEDED,
                    later_snapshot(
                        self.pack,
                        s,
                        inc,
                        t,
                        _CLOSED,
                        superseded_by=s.open[replaced[inc.kind]].id,
                    ),
                    t,
                )
                for inc in ended
            ]
        return pending

    def _escalate(
        self,
        s: ShipmentState,
        inc: OpenIncident,
        what: str,
        deadline: int,
        target: str | None,
        changes: list[Change],
    ) -> None:
        """``what`` passed at ``deadline``: an ``escalated`` change, unless one was
        reported already (an evaluation after it sees the same deadline again)."""
        for done in inc.escalations:
            if done[1] == deadline and done[0] == what:
                return
        self._escalated(s, inc, what, deadline, target, changes)

    def _escalated(
        self,
        s: ShipmentState,
        inc: OpenIncident,
        what: str,
        deadline: int,
        target: str | None,
        changes: list[Change],
    ) -> None:
        """Record that ``what`` passed at ``deadline`` and report it (``escalated``)."""
        inc.escalations.append((what, deadline, target))
        view = later_snapshot(self.pack, s, inc, deadline)
        changes.append(Change(_ESCALATED, view, deadline))

    def _revisit_step(
        self,
        s: ShipmentState,
        key: str,
        inc: OpenIncident,
        follow: Followup | None,
        resolved: int,
        t: int,
        pending: int | None,
        changes: list[Change],
        refresh: bool = False,
    ) -> int | None:
        """The revisit of a resolved incident: done when its action was recorded in
        time, due (a ``revisit_due`` change at its own instant) once ``t`` reaches it.

        A follow-up re-evaluation (``refresh``) reports nothing, so a revisit already
        due then (a resolve dated a day before the clock) stays owed: due at ``t``,
        reported with its own instant by the next evaluation."""
        due = revisit_due(self.pack, s, resolved, t)
        if due is None:
            return pending
        assert self._revisit is not None
        if not met(follow, self._revisit.action, resolved, due):
            if due > t or refresh:
                due = max(due, t)
                return due if pending is None or due < pending else pending
            changes.append(
                Change(
                    _REVISIT_DUE,
                    later_snapshot(self.pack, s, inc, due),
                    due,
                )
            )
        inc.revisit_done = True
        if key != inc.kind:
            del s.open[key]  # parked only for its revisit
        return pending

    def _triggered_again(
        self,
        s: ShipmentState,
        inc: OpenIncident,
        lead: tuple[Rule, int],
        hits: list[tuple[Rule, int]],
        t: int,
    ) -> int | None:
        """When a resolved incident's condition was set off again (the latest
        instant a deadline counts from is after the resolve: a new WISMO question),
        or None.  Like a condition that clears and holds again, that is a new
        incident (docs/engine.md, "Follow-up")."""
        follow = s.followups.get(inc.id)
        resolved = None if follow is None else follow.resolved_at
        if resolved is None or resolved > t:
            return None
        starts = deadlines_of(s, inc, lead, hits, t)[1]
        latest = max(starts.values(), default=resolved) if starts else resolved
        return latest if latest > resolved else None

    def _park(self, s: ShipmentState, inc: OpenIncident) -> None:
        """Keep a resolved incident that closes until its revisit is done."""
        if self._revisit is not None and not inc.revisit_done:
            s.open[parked_key(inc.id)] = inc

    def _is_resolved(self, s: ShipmentState, inc: OpenIncident, t: int) -> bool:
        follow = s.followups.get(inc.id)
        return follow is not None and follow.resolved_at is not None and follow.resolved_at <= t
