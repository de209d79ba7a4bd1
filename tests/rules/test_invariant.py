"""The engine's central promise, tested with Hypothesis.

For any set of events delivered in any order, with duplicates, and any sequence of
``advance`` calls, the open incidents after ``advance(to=T)`` equal
``evaluate(pack, events, at=T)``.  The same holds after a dump/load round trip.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logix_rules import Engine, evaluate, load_pack

PACK = load_pack("default")
BASE = datetime(2026, 3, 1, tzinfo=UTC)
NUMBERS = ("T1", "T2", "T3")
SCANS = [
    ("info_received", None),
    ("picked_up", None),
    ("in_transit", None),
    ("in_transit", None),
    ("customs", None),
    ("exception", "customs_hold"),
    ("out_for_delivery", None),
    ("attempt_failed", "recipient_unavailable"),
    ("delivered", None),
    ("exception", "lost"),
    ("exception", "damaged"),
    ("exception", "refused"),
    ("returning", "refused"),
    ("unknown", None),
]
REPORTS = [("exception", "not_received"), ("exception", "wrong_item"), ("exception", "damaged")]


@st.composite
def scenario(draw: st.DrawFn) -> dict[str, Any]:
    numbers = draw(st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=3, unique=True))
    events: list[dict[str, Any]] = []
    shipments = []
    for number in numbers:
        cross = draw(st.booleans())
        shipments.append(
            {
                "tracking_number": number,
                "carrier": "dhl",
                "origin_country": "CN" if cross else "DE",
                "destination_country": draw(st.sampled_from(["DE", "BR"])),
                "promised_at": (BASE + timedelta(hours=draw(st.integers(24, 24 * 12)))).isoformat(),
                "shipped_at": BASE.isoformat(),
                "freight_cost": str(draw(st.sampled_from([0, 9.99, 20]))),
                "declared_value": str(draw(st.sampled_from([50, 800]))),
                "currency": "EUR",
            }
        )
        hour = 0
        for _ in range(draw(st.integers(0, 8))):
            # Gaps cross the interesting thresholds (24 h stall, 48 h customs...).
            hour += draw(st.sampled_from([0, 1, 5, 23, 24, 25, 47, 49, 80, 170]))
            is_report = draw(st.integers(0, 9)) == 0
            status, reason = draw(st.sampled_from(REPORTS if is_report else SCANS))
            event: dict[str, Any] = {
                "tracking_number": number,
                "carrier": "dhl",
                "occurred_at": (BASE + timedelta(hours=hour)).isoformat(),
                "status": status,
                "reason": reason,
                "source": {"system": "customer" if is_report else "dhl"},
            }
            if reason == "damaged" and draw(st.booleans()):
                event["attributes"] = {"damage_ratio": draw(st.sampled_from([0.02, 0.05, 0.3]))}
            events.append(event)
    last = max((BASE + timedelta(hours=0),), key=lambda d: d)
    if events:
        last = max(datetime.fromisoformat(e["occurred_at"]) for e in events)
    horizon = last + timedelta(hours=draw(st.integers(0, 24 * 15)))
    return {"events": events, "shipments": shipments, "at": horizon}


def canonical(incidents: list[Any]) -> list[dict[str, Any]]:
    return sorted((i.to_dict() for i in incidents), key=lambda d: (d["tracking_number"], d["kind"]))


@st.composite
def arrival(draw: st.DrawFn, case: dict[str, Any]) -> list[Any]:
    """The events shuffled, some duplicated, with advance points and shipment upserts."""
    events = list(case["events"])
    dupes = draw(st.lists(st.sampled_from(events), max_size=4)) if events else []
    order = draw(st.permutations(events + dupes))
    steps: list[Any] = []
    for event in order:
        if draw(st.integers(0, 3)) == 0:
            steps.append(("advance", BASE + timedelta(hours=draw(st.integers(0, 24 * 20)))))
        steps.append(("event", event))
    insert_at = draw(st.integers(0, len(steps)))
    steps[insert_at:insert_at] = [("shipments", case["shipments"])]
    return steps


@pytest.mark.slow
@given(st.data())
def test_incremental_equals_batch(data: st.DataObject) -> None:
    case = data.draw(scenario())
    steps = data.draw(arrival(case))
    at = case["at"]
    max_advance = max([s[1] for s in steps if s[0] == "advance"], default=at)
    at = max(at, max_advance)

    engine = Engine(PACK)
    batch: list[Any] = []
    for kind, payload in steps:
        if kind == "event":
            batch.append(payload)
            if data.draw(st.booleans()):  # vary batch sizes
                engine.ingest(batch)
                batch = []
        elif kind == "advance":
            engine.ingest(batch)
            batch = []
            engine.advance(to=payload)
        else:
            engine.ingest(batch)
            batch = []
            for shipment in payload:
                engine.upsert_shipment(shipment)
    engine.ingest(batch)
    engine.advance(to=at)

    expected = evaluate(PACK, case["events"], at=at, shipments=case["shipments"])
    assert canonical(engine.open_incidents()) == canonical(expected)

    restored = Engine.load(PACK, engine.dump(mask=False))
    assert canonical(restored.open_incidents()) == canonical(expected)
    assert restored.next_due() == engine.next_due()


@pytest.mark.slow
@given(scenario())
def test_duplicates_change_nothing(case: dict[str, Any]) -> None:
    once = Engine(PACK)
    for shipment in case["shipments"]:
        once.upsert_shipment(shipment)
    once.ingest(case["events"])
    twice = Engine(PACK)
    for shipment in case["shipments"]:
        twice.upsert_shipment(shipment)
    twice.ingest(case["events"])
    assert twice.ingest(case["events"]) == []
    once.advance(to=case["at"])
    twice.advance(to=case["at"])
    assert canonical(once.open_incidents()) == canonical(twice.open_incidents())
