"""The shortcuts of an incident's description read what the plain computations read:
a remedy from its spec's plan (one shared object when it has no items and no fast
track), the evidence events found by walking back from the end of the history, and
the kind-specific deadlines skipping rungs that name none."""

from __future__ import annotations

import bisect
import copy
import itertools
import random
from datetime import timedelta
from typing import Any

from logix_rules import Engine, generate_demo, load_pack
from logix_rules.compiler._model import Pack, Rule, Step
from logix_rules.core._records import ID, EventRec, T
from logix_rules.runtime._causes import cause_at, derived_cause
from logix_rules.runtime._incidents import Remedy, RemedyItem
from logix_rules.runtime._lifecycle import deadlines_of
from logix_rules.runtime._money import remedy_amount
from logix_rules.runtime._snapshots import evidence_events, remedy_of
from logix_rules.runtime._state import OpenIncident, ShipmentState


def _engine() -> tuple[Pack, list[ShipmentState]]:
    """Demo parcels with their OMS facts, acknowledgements and a named cause."""
    pack = load_pack("default")
    engine = Engine(pack)
    data = generate_demo(seed=5, shipments=150)
    for shipment in data.shipments:
        engine.upsert_shipment(shipment)
    engine.ingest(list(data.events))
    for number, incident in enumerate(engine.open_incidents()[:30]):
        at = incident.opened_at + timedelta(hours=2)
        if number % 3 == 0:
            engine.acknowledge(incident.id, by="ann", at=at)
        elif number % 3 == 1:
            engine.record(incident.id, action="documents_supplied", by="cy", at=at, cause="carrier")
    engine.advance(to=data.at)
    return pack, list(engine._host.states.values())  # type: ignore[attr-defined]


def _instants(s: ShipmentState) -> list[int]:
    times = sorted({rec[T] for rec in s.history})
    return [times[0] - 1, *times, *(t + 1 for t in times), times[-1] + 10**9]


def _reference_events(s: ShipmentState, t: int, anchor: int | None) -> list[EventRec]:
    """evidence_events as it was: both ends of each instant by bisection."""
    history, absorbed = s.history, s.n_events
    out: list[EventRec] = []
    for moment in (anchor, t):
        if moment is None:
            continue
        lo = bisect.bisect_left(history, moment, 0, absorbed, key=lambda rec: rec[T])
        hi = bisect.bisect_right(history, moment, 0, absorbed, key=lambda rec: rec[T])
        out.extend(rec for rec in history[lo:hi] if rec not in out)
    if not out and s.latest is not None and s.latest[T] <= t:
        out.append(s.latest)
    return out


def _moved(rec: EventRec, t: int, event_id: str) -> EventRec:
    moved = list(rec)
    moved[T], moved[ID] = t, event_id
    return tuple(moved)  # type: ignore[return-value]


def test_evidence_events_at_every_instant_and_anchor() -> None:
    _, states = _engine()
    # A long trail, so an instant far back is looked up by bisection.
    longest = max(states, key=lambda s: len(s.history))
    long = copy.copy(longest)
    # ... with pairs of events at one instant (copies under other ids)
    long.history = sorted(
        (
            _moved(rec, rec[T] + shift // 2 * 10**7, f"{rec[ID]}-{shift}")
            for shift in range(6)
            for rec in longest.history
        ),
        key=lambda rec: rec[T],
    )
    long.n_events = len(long.history)
    long.latest = long.history[-1]
    checked = 0
    for s in [*states[:60], long]:
        instants = _instants(s)
        for t in instants:
            for anchor in (None, t, instants[0], instants[len(instants) // 2]):
                got = evidence_events(s, t, anchor)
                assert got == _reference_events(s, t, anchor)
                checked += bool(got)
        absorbed = s.n_events  # as during a replay: later events in the list already
        s.n_events = len(s.history) // 2
        for t in instants:
            assert evidence_events(s, t, None) == _reference_events(s, t, None)
        s.n_events = absorbed
    assert len(long.history) > 40
    assert len({rec[T] for rec in long.history}) * 2 == len(long.history)
    assert checked > 1000


def _reference_remedy(
    s: ShipmentState, step: Step, t: int, incident_id: str | None, trail: str | None
) -> Remedy | None:
    """remedy_of as it was: every item's test and amount, no plan."""
    spec = step.remedy
    if spec is None:
        return None
    f, p = s.facts, s.params
    cause = None
    if any(item.causes is not None for item in spec.items):
        cause = cause_at(s, incident_id, t, trail) if incident_id else derived_cause(s, t)
    return Remedy(
        spec.code,
        spec.text,
        tuple(
            RemedyItem(
                item.code,
                remedy_amount(item.amount(s, f, p, t)) if item.amount is not None else None,
                f.currency,
                item.borne_by,
                item.bearer,
            )
            for item in spec.items
            if (item.when is None or bool(item.when(s, f, p, t)))
            and (item.causes is None or cause in item.causes)
        ),
        spec.fast_track is not None and bool(spec.fast_track(s, f, p, t)),
    )


def test_remedy_of_every_rung_reads_as_the_plain_computation() -> None:
    pack, states = _engine()
    steps = [step for rule in pack.rules for step in rule.steps if step.remedy is not None]
    assert any(not step.remedy.items for step in steps if step.remedy is not None)
    assert any(step.remedy.items for step in steps if step.remedy is not None)
    shared = kinds = 0
    for s in states[:80]:
        ids: list[str | None] = [None, *(inc.id for inc in s.open.values())]
        for t, step, incident_id in itertools.product(_instants(s)[::3], steps, ids):
            for trail in (None, "customer"):
                got = remedy_of(s, step, t, incident_id, trail)
                assert got == _reference_remedy(s, step, t, incident_id, trail)
                assert got is not None
                assert step.remedy is not None
                if not step.remedy.items and step.remedy.fast_track is None:
                    assert got is remedy_of(s, step, t + 1)  # one object serves them all
                    shared += 1
                kinds += bool(got.items)
    assert shared > 100
    assert kinds > 100


def _reference_deadlines(
    s: ShipmentState,
    inc: OpenIncident,
    lead: tuple[Rule, int],
    hits: list[tuple[Rule, int]],
    t: int,
) -> tuple[dict[str, int], dict[str, int] | None]:
    """deadlines_of as it was: every holding rung, named deadlines or not."""
    f, p = s.facts, s.params
    deadlines: dict[str, int] = {}
    starts: dict[str, int] = {}
    led: set[str] = set()
    for rule, step_index in (lead, *(hit for hit in hits if hit[0] is not lead[0])):
        step = rule.steps[step_index]
        anchors = dict(step.deadline_from) if step.deadline_from else None
        for name, fn in step.deadlines:
            window = fn(s, f, p, t)
            if window is None or name in led:
                continue
            start = inc.opened_at
            if anchors is not None and name in anchors:
                anchored = anchors[name](s, f, p, t)
                if anchored is not None:
                    start = anchored
            due = start + window
            if rule is lead[0]:
                led.add(name)
            elif name in deadlines and deadlines[name] <= due:
                continue
            deadlines[name] = due
            starts[name] = start
    own = {name: at for name, at in starts.items() if at != inc.opened_at}
    return deadlines, own or None


def test_deadlines_of_any_holding_rungs_reads_as_the_plain_computation() -> None:
    pack, states = _engine()
    rungs = [(rule, index) for rule in pack.rules for index in range(len(rule.steps))]
    named = [rung for rung in rungs if rung[0].steps[rung[1]].deadlines]
    assert named
    assert len(named) < len(rungs)
    chance = random.Random(8)
    incidents: list[tuple[ShipmentState, Any]] = [
        (s, inc) for s in states for inc in s.open.values()
    ]
    assert len(incidents) > 30
    found = 0
    for s, inc in incidents:
        for t in _instants(s)[::2]:
            for _ in range(6):
                lead = chance.choice(named if chance.random() < 0.5 else rungs)
                others = chance.sample(rungs, chance.randrange(3))
                hits = [lead, *others] if chance.random() < 0.7 else [*others, lead]
                got = deadlines_of(s, inc, lead, hits, t)
                assert got == _reference_deadlines(s, inc, lead, hits, t)
                found += bool(got[0])
                assert deadlines_of(s, inc, lead, [lead], t) == _reference_deadlines(
                    s, inc, lead, [lead], t
                )
    assert found > 100
