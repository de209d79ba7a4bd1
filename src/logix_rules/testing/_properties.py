"""The engine's promises, checked for your pack inside your own ``@given`` tests.

Incremental evaluation equals batch evaluation, duplicates change nothing, the
arrival order is irrelevant, and no incident opens before its time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from logix_carriers import Shipment, TrackingEvent

from ..compiler._load import load_pack
from ..compiler._model import Pack
from ..runtime._engine import Engine, evaluate
from ..runtime._explain import explain_events
from ..runtime._explanation import format_instant
from ..runtime._incidents import Change, ChangeType, Incident
from ._arrivals import ArrivalPlan, Ingest, Step, Upsert
from ._timeline_model import Timeline

__all__ = [
    "assert_arrival_order_irrelevant",
    "assert_duplicates_change_nothing",
    "assert_incremental_equals_batch",
    "assert_no_early_incidents",
]


def _pack(pack: Pack | str) -> Pack:
    return load_pack(pack) if isinstance(pack, str) else pack


def _plan(subject: Timeline | ArrivalPlan) -> ArrivalPlan:
    if isinstance(subject, ArrivalPlan):
        return subject
    if isinstance(subject, Timeline):
        return ArrivalPlan(subject, (Upsert(subject.shipment), Ingest(subject.events)))
    raise TypeError(f"expected a Timeline or an ArrivalPlan, got {type(subject).__name__}")


def _canonical(incidents: Iterable[Incident]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(i.tracking_number, i.kind): i.to_dict() for i in incidents}


def _difference(
    label_a: str,
    a: Iterable[Incident],
    label_b: str,
    b: Iterable[Incident],
) -> list[str]:
    left, right = _canonical(a), _canonical(b)
    out = []
    for key in sorted(set(left) | set(right)):
        if key not in right:
            out.append(f"  only {label_a}: {key[1]} {left[key]['severity']}")
        elif key not in left:
            out.append(f"  only {label_b}: {key[1]} {right[key]['severity']}")
        elif left[key] != right[key]:
            fields = [f for f in left[key] if left[key][f] != right[key].get(f)]
            shown = "; ".join(
                f"{f}: {json.dumps(left[key][f], default=str)} vs "
                f"{json.dumps(right[key][f], default=str)}"
                for f in fields
            )
            out.append(f"  {key[1]} differs ({label_a} vs {label_b}): {shown}")
    return out


def _fail(title: str, lines: list[str], subject: Any) -> None:
    raise AssertionError("\n".join([title, *lines, repr(subject)]))


def assert_incremental_equals_batch(
    pack: Pack | str, subject: Timeline | ArrivalPlan, *, at: datetime | None = None
) -> None:
    """After the plan and ``advance(to=at)``, the engine's open incidents equal
    ``evaluate(pack, events, at=at)``.  ``at`` defaults to ``plan.horizon``."""
    compiled, plan = _pack(pack), _plan(subject)
    when = at or plan.horizon
    engine = Engine(compiled)
    plan.apply(engine)
    engine.advance(to=when)
    shipment = plan.timeline.shipment if any(isinstance(s, Upsert) for s in plan.steps) else None
    batch = evaluate(compiled, plan.timeline.events, at=when, shipment=shipment)
    diff = _difference("incremental", engine.open_incidents(), "batch", batch)
    if diff:
        _fail(f"incremental and batch disagree at {format_instant(when)}:", diff, plan)


def assert_duplicates_change_nothing(
    pack: Pack | str, subject: Timeline | ArrivalPlan, *, at: datetime | None = None
) -> None:
    """Feeding every event twice reports no change the second time and ends the same."""
    compiled, plan = _pack(pack), _plan(subject)
    when = at or plan.horizon
    once, twice = Engine(compiled), Engine(compiled)
    plan.apply(once)
    plan.apply(twice)
    repeated = twice.ingest(plan.events)
    if repeated:
        _fail(
            "events ingested a second time reported changes:",
            [f"  {c.type.value} {c.incident.kind} at {format_instant(c.at)}" for c in repeated],
            plan,
        )
    once.advance(to=when)
    twice.advance(to=when)
    diff = _difference("once", once.open_incidents(), "twice", twice.open_incidents())
    if diff:
        _fail(f"duplicated events changed the incidents at {format_instant(when)}:", diff, plan)


def assert_arrival_order_irrelevant(
    pack: Pack | str, plan: ArrivalPlan, *, at: datetime | None = None
) -> None:
    """The plan's arrival order ends with the same incidents as the feed in time order."""
    compiled = _pack(pack)
    when = at or plan.horizon
    shuffled, ordered = Engine(compiled), Engine(compiled)
    plan.apply(shuffled)
    shuffled.advance(to=when)
    if any(isinstance(s, Upsert) for s in plan.steps):
        ordered.upsert_shipment(plan.timeline.shipment)
    ordered.ingest(plan.timeline.distinct_events)
    ordered.advance(to=when)
    diff = _difference(
        "as arrived", shuffled.open_incidents(), "in order", ordered.open_incidents()
    )
    if diff:
        _fail(f"arrival order changed the incidents at {format_instant(when)}:", diff, plan)


def assert_no_early_incidents(
    pack: Pack | str, subject: Timeline | ArrivalPlan, *, at: datetime | None = None
) -> None:
    """No incident opens before a rule of its kind holds: for a time rule, before
    its anchor plus its threshold.

    Every ``opened`` change is checked with ``explain`` at its ``opened_at`` over the
    events the engine had then (a batch is applied in time order, so a change it
    reports may rest on the batch's first events only); the incidents open at the
    end are checked over all events.
    """
    compiled, plan = _pack(pack), _plan(subject)
    when = at or plan.horizon
    known: list[TrackingEvent] = []
    facts: list[Shipment] = []
    problems: list[str] = []

    def holds(incident: Incident, events: Sequence[TrackingEvent]) -> list[str]:
        """Empty when a rule of the incident's kind holds at its opened_at; else why not."""
        explanation = explain_events(
            compiled,
            events,
            tracking_number=incident.tracking_number,
            at=incident.opened_at,
            shipment=facts[-1] if facts else None,
        )
        traces = [t for t in explanation.rules if t.kind == incident.kind]
        if any(t.holds for t in traces):
            return []
        return [f"    {t.rule}: {t.summary}" for t in traces]

    def check(incident: Incident, batch: Sequence[TrackingEvent], moment: str) -> None:
        ordered = sorted(batch, key=lambda e: (e.occurred_at, e.event_id))
        why: list[str] = []
        for size in range(len(ordered), -1, -1) if ordered else [0]:
            why = holds(incident, [*known, *ordered[:size]])
            if not why:
                return
        problems.append(
            f"  {incident.kind} {incident.severity} opened at "
            f"{format_instant(incident.opened_at)} ({moment}), but no rule of that kind "
            "holds then:"
        )
        problems.extend(why)

    def on_step(step: Step, changes: list[Change]) -> None:
        batch: tuple[TrackingEvent, ...] = ()
        if isinstance(step, Ingest):
            batch = step.events
        elif isinstance(step, Upsert):
            facts.append(step.shipment)
        for change in changes:
            if change.type is ChangeType.OPENED:
                check(change.incident, batch, "as reported")
        known.extend(batch)

    engine = Engine(compiled)
    plan.apply(engine, on_step=on_step)
    for change in engine.advance(to=when):
        if change.type is ChangeType.OPENED:
            check(change.incident, (), "as reported")
    for incident in engine.open_incidents():
        check(incident, (), "at the end")
    if problems:
        _fail("incidents opened before their time:", problems, plan)
