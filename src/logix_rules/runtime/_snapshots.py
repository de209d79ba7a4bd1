"""How a live incident of a ``ShipmentState`` reads from outside: what the kernel
records when its leading rung changes (remedy, deadlines, explanation, evidence), its
public ``Incident`` snapshot at an instant, and the changes between two sets of them.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import operator
import types
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..compiler._model import Pack, RemedySpec, Rule, Severity, Step
from ..core._records import EventRec, T
from ._causes import cause_at, derived_cause
from ._incidents import (
    Change,
    ChangeType,
    Escalation,
    Evidence,
    Incident,
    IncidentState,
    Remedy,
    RemedyItem,
)
from ._lifecycle import deadlines_of, superseded
from ._moments import MOMENTS, shared_moment
from ._money import remedy_amount
from ._pending_evidence import PendingEvidence
from ._state import OpenIncident, ShipmentState
from ._state_lazy import Unread

__all__ = [
    "NO_EVIDENCE",
    "describe",
    "diff_snapshots",
    "explanation_of",
    "incident_id",
    "later_snapshot",
    "pending_args",
    "refresh_cause",
    "remedy_of",
    "settled_part",
    "snapshot",
]


# An enum member read off its class goes through EnumType's attribute hook on 3.11
# (about 1 µs): every snapshot reads one.
_OPEN, _ACKNOWLEDGED = IncidentState.OPEN, IncidentState.ACKNOWLEDGED
_RESOLVED = IncidentState.RESOLVED

NO_EVIDENCE = Evidence("", 0, types.MappingProxyType({}))


def incident_id(tracking_number: str, kind: str, opened_at: int) -> str:
    raw = f"{tracking_number}\x1f{kind}\x1f{opened_at}".encode()
    return "inc_" + hashlib.blake2b(raw, digest_size=8).hexdigest()


def describe(
    s: ShipmentState,
    inc: OpenIncident,
    rule: Rule,
    step_index: int,
    t: int,
    hits: list[tuple[Rule, int]],
) -> None:
    """Remedy, deadlines, explanation and evidence of the leading rule's rung, as of ``t``."""
    f, p = s.facts, s.params
    step = rule.steps[step_index]
    inc.cause = derived_cause(s, t)
    remedy = remedy_of(s, step, t, inc.id, inc.cause)  # the cause just taken
    inc.remedy = remedy
    inc.deadlines, inc.starts = deadlines_of(s, inc, (rule, step_index), hits, t)
    inc.explanation = explanation_of(s, rule, step, t)
    anchor = rule.anchor(s, f, p, t) if rule.anchor is not None else None
    # Made into an Evidence when read (see PendingEvidence): the records and operands
    # are taken now.  (Set through the field: the property's setter takes an Evidence.)
    inc._evidence = PendingEvidence(
        rule.id, step_index, rule.values(s, f, p, t), evidence_events(s, t, anchor)
    )


def refresh_cause(s: ShipmentState, inc: OpenIncident, t: int) -> bool:
    """Take the trail's cause at ``t`` into ``inc``; True when it changed."""
    cause = derived_cause(s, t)
    if cause == inc.cause:
        return False
    inc.cause = cause
    return True


def remedy_of(
    s: ShipmentState,
    step: Step,
    t: int,
    incident_id: str | None = None,
    trail: str | None = None,
) -> Remedy | None:
    """The remedy of ``step`` at ``t``: the items whose ``when`` holds and whose
    ``causes`` include the incident's cause (see ``cause_at``)."""
    spec = step.remedy
    if spec is None:
        return None
    plan = _PLANS.get(id(spec))
    if plan is None:
        plan = _plan(spec)
    fixed = plan[1]
    if fixed is not None:
        return fixed
    f, p = s.facts, s.params
    cause = None
    if plan[2]:
        cause = cause_at(s, incident_id, t, trail) if incident_id else derived_cause(s, t)
    items = []
    for item in spec.items:
        if item.when is not None and not item.when(s, f, p, t):
            continue
        if item.causes is not None and cause not in item.causes:
            continue
        amount = item.amount
        items.append(
            RemedyItem(
                item.code,
                None if amount is None else remedy_amount(amount(s, f, p, t)),
                f.currency,
                item.borne_by,
                item.bearer,
            )
        )
    return Remedy(
        spec.code,
        spec.text,
        tuple(items),
        spec.fast_track is not None and bool(spec.fast_track(s, f, p, t)),
    )


# What remedy_of needs of each remedy spec, by the spec's id (the entry keeps the spec
# alive, so no other object can take that id while it lives): the remedy itself when it has
# no items and no fast track (most rungs: the same value at every instant, and a
# Remedy is immutable, so one object serves them all), and whether an item names
# causes (then the incident's cause is looked up).
_PLANS: dict[int, tuple[RemedySpec, Remedy | None, bool]] = {}


def _plan(spec: RemedySpec) -> tuple[RemedySpec, Remedy | None, bool]:
    fixed = None
    if not spec.items and spec.fast_track is None:
        fixed = Remedy(spec.code, spec.text, (), False)
    plan = (spec, fixed, any(item.causes is not None for item in spec.items))
    if len(_PLANS) >= 4096:  # packs compiled over and over (tests, a pack editor)
        _PLANS.clear()
    _PLANS[id(spec)] = plan
    return plan


def explanation_of(s: ShipmentState, rule: Rule, step: Step, t: int) -> str:
    if step.explain is not None:
        return step.explain(s, s.facts, s.params, t)
    return f"{rule.title or rule.kind.replace('_', ' ')} (rule {rule.id})."


def settled_part(remedy: Remedy | None, step: Step) -> Any:
    """What of a remedy does not depend on `now` (so its change is news)."""
    if remedy is None or step.remedy is None:
        return remedy
    # The items are those of the spec whose `when` and `causes` held, in its order.
    specs = iter(step.remedy.items)
    settled = []
    for item in remedy.items:
        spec = next((s for s in specs if s.code == item.code and s.bearer == item.bearer), None)
        moving = spec is None or spec.uses_now
        settled.append((item.code, item.bearer, None if moving else item.amount))
    return remedy.code, remedy.fast_track, tuple(settled)


def evidence_events(s: ShipmentState, t: int, anchor: int | None) -> list[EventRec]:
    """The events at the evaluation instant and at the rule's anchor."""
    moments = (t,) if anchor is None or anchor == t else (anchor, t)
    held = s._history
    out: list[EventRec] = []
    if type(held) is Unread and s.n_events <= len(held):
        # A loaded state's unread history (_state_lazy): its last k records, from those
        # it holds (the body's last, those appended), k grown until the records found
        # at each instant start after the first of them (or the whole history is there).
        n = len(held)
        later = n - s.n_events  # appended, not absorbed yet (see below)
        k = min(n, max(n - held.before, later + 1))
        while _gather(held.last(k), moments, k - later, out) == 0 and k < n:
            out.clear()
            k = min(n, 4 * k)
    else:
        # During a replay, later events are in the list already: n_events counts.
        _gather(s.history, moments, s.n_events, out)
    if not out and s.latest is not None and s.latest[T] <= t:
        out.append(s.latest)
    return out


def _gather(
    history: list[EventRec], moments: tuple[int, ...], absorbed: int, out: list[EventRec]
) -> int:
    """Add ``history[:absorbed]``'s records at each of ``moments`` to ``out`` (each
    once); where the first of them lies in ``history`` (``absorbed`` if none)."""
    first = absorbed
    for moment in moments:
        lo, hi = _span_at(history, moment, absorbed)
        if lo < first:
            first = lo
        for rec in history[lo:hi]:
            if rec not in out:
                out.append(rec)
    return first


def _span_at(history: list[EventRec], moment: int, absorbed: int) -> tuple[int, int]:
    """Where ``history[:absorbed]``'s records at ``moment`` lie (the history is in time
    order): found by walking back from the end, as the instants looked at are mostly the
    latest event's or after it; far back, by bisection."""
    hi = absorbed
    while hi and history[hi - 1][T] > moment:
        hi -= 1
        if absorbed - hi > 8:
            lo = bisect.bisect_left(history, moment, 0, hi, key=_event_time)
            hi = bisect.bisect_right(history, moment, lo, hi, key=_event_time)
            return lo, hi
    lo = hi
    while lo and history[lo - 1][T] == moment:
        lo -= 1
    return lo, hi


_event_time = operator.itemgetter(T)


def _by_cause(step: Step) -> bool:
    return step.remedy is not None and any(i.causes is not None for i in step.remedy.items)


def snapshot(
    pack: Pack, s: ShipmentState, inc: OpenIncident, at: int, state: IncidentState | None = None
) -> Incident:
    """The public view of ``inc`` as of ``at`` (amounts that read `now` use ``at``)."""
    return later_snapshot(pack, s, inc, at, state)()


def later_snapshot(
    pack: Pack,
    s: ShipmentState,
    inc: OpenIncident,
    at: int,
    state: IncidentState | None = None,
    superseded_by: str | None = None,
    *,
    described: bool = False,
) -> Callable[[], Incident]:
    """``snapshot``, with what it reads of the mutable state taken now and the
    ``Incident`` built when the function is called (what a ``Change`` holds until its
    incident is read).  What it keeps is immutable: the incident's remedy, evidence and
    deadlines are replaced, never changed in place, and its escalations are copied; the
    evidence may be ``describe``'s ``PendingEvidence``, made with the incident.

    ``described``: ``describe`` has just taken the remedy and explanation at ``at``."""
    remedy, explanation = inc.remedy, inc.explanation
    lead = inc.lead
    moving = pack._moving.get(lead)
    if moving is None:
        step = pack.rules[lead[0]].steps[lead[1]]
        moving = pack._moving[lead] = step.uses_now or _by_cause(step)
    if moving and not described:  # amounts read `now`, or a cause named since may change the items
        rule = pack.rules[lead[0]]
        step = rule.steps[lead[1]]
        remedy = remedy_of(s, step, at, inc.id, inc.cause)
        explanation = explanation_of(s, rule, step, at)
    followups = s.followups
    follow = followups.get(inc.id) if followups else None  # (see Evaluation._evaluate)
    followed: tuple[Any, ...] | None = None
    cause = inc.cause
    if follow is not None:
        followed = (
            follow.ack_at,
            follow.ack_by,
            follow.resolved_at,
            follow.resolved_by,
            follow.note,
        )
        cause = cause_at(s, inc.id, at, inc.cause)
    evidence = inc._evidence
    if type(evidence) is not PendingEvidence:  # (a loaded state's is read now, as before)
        evidence = inc.evidence
    if state is None:
        if follow is not None and follow.resolved_at is not None:
            state = _RESOLVED
        elif follow is not None and follow.ack_at is not None:
            state = _ACKNOWLEDGED
        else:
            state = _OPEN
    return functools.partial(
        _incident,
        inc.id,
        s.tracking_number,
        s.carrier,
        inc.kind,
        inc.severity,
        inc.rules,
        inc.opened_at,
        inc.severity_since,
        pack.severities[inc.severity],
        inc.deadlines,
        remedy,
        evidence,
        explanation,
        state,
        tuple(inc.escalations),
        followed,
        cause,
        superseded_by,
    )


def pending_args(view: object) -> tuple[Any, ...] | None:
    """What the pending snapshot ``view`` (``later_snapshot``'s) took, as ``_incident``'s
    arguments in order; None for anything else (a built ``Incident``...)."""
    if type(view) is functools.partial and view.func is _incident and not view.keywords:
        return view.args
    return None


def _incident(
    id: str,
    tracking_number: str,
    carrier: str,
    kind: str,
    severity: str,
    rules: tuple[str, ...],
    opened_at: int,
    since: int,
    level: Severity,
    deadlines: dict[str, int],
    remedy: Remedy | None,
    evidence: Evidence | PendingEvidence,
    explanation: str,
    state: IncidentState,
    escalations: tuple[tuple[str, int, str | None], ...],
    follow: tuple[int | None, str | None, int | None, str | None, str | None] | None,
    cause: str,
    superseded_by: str | None,
) -> Incident:
    """The ``Incident`` of what ``later_snapshot`` took."""
    ack_at = ack_by = resolved_at = resolved_by = note = None
    if isinstance(evidence, PendingEvidence):
        evidence = evidence.load()
    if follow is not None:
        ack, ack_by, resolved, resolved_by, note = follow
        ack_at = None if ack is None else shared_moment(ack)
        resolved_at = None if resolved is None else shared_moment(resolved)
    # One datetime per instant (``_moments``), its JSON text kept with it: a store
    # writes every snapshot, and they repeat their instants.
    known = MOMENTS.get
    respond, resolve, escalate = (
        since + level.respond,
        since + level.resolve,
        since + level.escalate_after,
    )
    return Incident(
        id=id,
        tracking_number=tracking_number,
        carrier=carrier,
        kind=kind,
        severity=severity,
        rules=rules,
        opened_at=known(opened_at) or shared_moment(opened_at),
        respond_by=known(respond) or shared_moment(respond),
        resolve_by=known(resolve) or shared_moment(resolve),
        escalate_at=known(escalate) or shared_moment(escalate),
        deadlines=types.MappingProxyType(
            {k: known(v) or shared_moment(v) for k, v in sorted(deadlines.items())}
        ),
        remedy=remedy,
        evidence=evidence,
        explanation=explanation,
        state=state,
        escalations=tuple(
            Escalation(what, known(at) or shared_moment(at), target)
            for what, at, target in escalations
        ),
        acknowledged_at=ack_at,
        acknowledged_by=ack_by,
        resolved_at=resolved_at,
        resolved_by=resolved_by,
        note=note,
        superseded_by=superseded_by,
        cause=cause,
    )


def diff_snapshots(
    before: dict[str, Incident],
    after: dict[str, Incident],
    at: Any,
    supersedes: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Change]:
    """The changes from ``before`` to ``after`` (incidents by their key in
    ``ShipmentState.open``): an incident gone is ``superseded`` when a live incident
    of ``after`` supersedes its kind, else ``cleared``."""
    changes: list[Change] = []
    replacing = superseded(
        supersedes or {}, [i.kind for i in after.values() if i.state is not IncidentState.RESOLVED]
    )
    live = {i.kind: i for key, i in after.items() if key == i.kind}
    for kind, old in before.items():
        replacement = after.get(kind)
        gone = replacement is None or replacement.id != old.id
        if gone and old.state is not IncidentState.RESOLVED:
            closed = attrs.evolve(old, state=IncidentState.CLEARED)
            by = replacing.get(old.kind)
            if by is not None and by in live:
                new = live[by]
                changes.append(
                    Change(
                        ChangeType.SUPERSEDED,
                        attrs.evolve(closed, superseded_by=new.id),
                        max(new.opened_at, old.opened_at),
                    )
                )
                continue
            changes.append(Change(ChangeType.CLEARED, closed, at))
    for kind, new in after.items():
        previous = before.get(kind)
        if previous is None or previous.id != new.id:
            if new.state is not IncidentState.RESOLVED:
                changes.append(Change(ChangeType.OPENED, new, new.opened_at))
        elif new != previous:
            fresh = [e for e in new.escalations if e not in previous.escalations]
            if fresh and attrs.evolve(new, escalations=previous.escalations) == previous:
                changes.extend(Change(ChangeType.ESCALATED, new, e.at) for e in fresh)
            else:
                changes.append(Change(ChangeType.UPDATED, new, at))
    return changes
