"""Issue 13: incremental ≡ batch still holds with supersession, deadlines that act,
``record``, revisits and the at-risk estimate.

Phase one delivers a parcel's events in any order, duplicated, between ``advance``
calls.  Phase two, on an engine that has every event, acknowledges, resolves and
records follow-ups at increasing instants.  An engine fed everything at once and
taken through the same phase two must report the very same changes (by id) and end
with the same incidents, before and after a dump/load.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logix_rules import Engine, UnknownIncident, load_pack

PACK = load_pack("default")
BASE = datetime(2026, 3, 1, tzinfo=UTC)
ACTIONS = sorted(PACK.actions)
SCANS = [
    ("picked_up", None, None),
    ("in_transit", None, None),
    ("in_transit", None, "estimate"),
    ("exception", "customs_hold", None),
    ("attempt_failed", "recipient_unavailable", None),
    ("exception", "lost", None),
    ("delivered", None, None),
    ("exception", "wismo", "customer"),
]


@st.composite
def parcel(draw: st.DrawFn, number: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    promised = BASE + timedelta(hours=draw(st.integers(24, 24 * 8)))
    shipment = {
        "tracking_number": number,
        "carrier": "dhl",
        "origin_country": "DE",
        "destination_country": "DE",
        "promised_at": promised.isoformat(),
        "freight_cost": "9.99",
        "declared_value": "50",
        "currency": "EUR",
    }
    events = []
    hour = 0
    for _ in range(draw(st.integers(1, 6))):
        # Gaps cross the thresholds: stall 24 h, transit 3 d, lost 7 d, deadlines.
        hour += draw(st.sampled_from([0, 1, 2, 11, 13, 23, 25, 73, 170]))
        status, reason, extra = draw(st.sampled_from(SCANS))
        event: dict[str, Any] = {
            "tracking_number": number,
            "carrier": "dhl",
            "occurred_at": (BASE + timedelta(hours=hour)).isoformat(),
            "status": status,
            "reason": reason,
            "source": {"system": "customer" if extra == "customer" else "dhl"},
        }
        if extra == "estimate":
            late = draw(st.sampled_from([-2, 0, 1, 30]))
            event["estimated_delivery"] = (promised + timedelta(hours=late)).isoformat()
        events.append(event)
    return shipment, events


@st.composite
def scenario(draw: st.DrawFn) -> dict[str, Any]:
    shipments, events = [], []
    for number in draw(st.lists(st.sampled_from(["T1", "T2"]), min_size=1, unique=True)):
        shipment, mine = draw(parcel(number))
        shipments.append(shipment)
        events.extend(mine)
    arrival = draw(st.permutations(events + draw(st.lists(st.sampled_from(events), max_size=2))))
    advances = draw(st.lists(st.integers(0, 24 * 12), max_size=3))
    follow_ups = draw(
        st.lists(
            st.tuples(
                st.integers(1, 60),  # hours after the previous one
                st.sampled_from(["acknowledge", "resolve", "record", "revisited"]),
                st.integers(0, 5),  # which incident
                st.sampled_from(ACTIONS),
            ),
            max_size=6,
        )
    )
    return {
        "shipments": shipments,
        "events": events,
        "arrival": arrival,
        "advances": advances,
        "follow_ups": follow_ups,
        "end": draw(st.integers(0, 24 * 5)),
    }


def _follow_up(engine: Engine, resolved: list[str], step: tuple[Any, ...], at: datetime) -> None:
    _, what, index, action = step
    if what == "revisited":
        if resolved:
            # Once its revisit is over, the engine has let the incident go.
            with contextlib.suppress(UnknownIncident):
                engine.record(resolved[index % len(resolved)], action="revisited", by="p", at=at)
        return
    live = engine.open_incidents()
    if not live:
        return
    incident = live[index % len(live)]
    if what == "acknowledge":
        engine.acknowledge(incident.id, by="p", at=at)
    elif what == "resolve":
        engine.resolve(incident.id, by="p", at=at)
        resolved.append(incident.id)
    else:
        engine.record(incident.id, action=action, by="p", at=at, cause="carrier")


def _phase_two(engine: Engine, case: dict[str, Any], start: datetime) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    resolved: list[str] = []
    at = start
    for step in case["follow_ups"]:
        at += timedelta(hours=step[0])
        changes.extend(c.to_dict(mask=False) for c in engine.advance(to=at))
        _follow_up(engine, resolved, step, at)
    at += timedelta(hours=case["end"])
    changes.extend(c.to_dict(mask=False) for c in engine.advance(to=at))
    return changes


@pytest.mark.slow
@given(scenario())
def test_incremental_equals_batch_through_follow_ups(case: dict[str, Any]) -> None:
    incremental = Engine(PACK)
    for shipment in case["shipments"]:
        incremental.upsert_shipment(shipment)
    advances = iter(sorted(case["advances"]))
    for n, event in enumerate(case["arrival"]):
        incremental.ingest([event])
        if n % 2 == 1:
            step = next(advances, None)
            if step is not None:
                incremental.advance(to=BASE + timedelta(hours=step))
    last = max(datetime.fromisoformat(e["occurred_at"]) for e in case["events"])
    start = max([last, *(BASE + timedelta(hours=h) for h in case["advances"])])
    incremental.advance(to=start)

    batch = Engine(PACK)
    for shipment in case["shipments"]:
        batch.upsert_shipment(shipment)
    batch.ingest(case["events"])
    batch.advance(to=start)
    assert [i.to_dict() for i in incremental.open_incidents()] == [
        i.to_dict() for i in batch.open_incidents()
    ]

    assert _phase_two(incremental, case, start) == _phase_two(batch, case, start)
    ours = [i.to_dict() for i in incremental.open_incidents()]
    assert ours == [i.to_dict() for i in batch.open_incidents()]
    restored = Engine.load(PACK, incremental.dump(mask=False))
    assert [i.to_dict() for i in restored.open_incidents()] == ours
    assert restored.next_due() == incremental.next_due()
