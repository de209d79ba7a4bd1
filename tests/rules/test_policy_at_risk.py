"""Issue 13 §2, advance notice: ``delivery_at_risk`` opens when the latest estimated
delivery a carrier gave is strictly later than the promise, clears when a later
estimate is back within it, and ``delivery_delay`` supersedes it at the promise.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from policy_timeline import AROUND, PACK, h, incidents, scan, shipment

from logix_rules import ChangeType, Engine, load_pack

PROMISED = 48.0
SHIPMENT = shipment(promised_at=h(PROMISED).isoformat())
ZERO = timedelta(0)


def estimate(hours: float, expected: datetime) -> dict[str, Any]:
    event = scan("in_transit", hours)
    event["estimated_delivery"] = expected.isoformat()
    return event


@pytest.mark.parametrize("offset", AROUND)
def test_an_estimate_past_the_promise_opens_at_the_events_time(offset: timedelta) -> None:
    found = incidents([estimate(10, h(PROMISED) + offset)], h(11), SHIPMENT)
    if offset <= ZERO:  # strictly later only
        assert "delivery_at_risk" not in found
        return
    risk = found["delivery_at_risk"]
    assert (risk.severity, risk.opened_at, risk.remedy and risk.remedy.code) == (
        "P3",
        h(10),
        "warn_customer",
    )


@pytest.mark.parametrize("offset", AROUND)
def test_a_later_estimate_back_within_the_promise_clears_it(offset: timedelta) -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(SHIPMENT)
    engine.ingest([estimate(10, h(60))])
    changes = engine.ingest([estimate(20, h(PROMISED) + offset)])
    cleared = [c for c in changes if c.type is ChangeType.CLEARED]
    assert [c.at for c in cleared] == ([] if offset > ZERO else [h(20)])


def test_the_latest_estimate_counts_not_the_latest_event() -> None:
    found = incidents([estimate(10, h(60)), scan("in_transit", 20)], h(21), SHIPMENT)
    assert "delivery_at_risk" in found  # a scan without an estimate keeps the last one
    found = incidents([estimate(10, h(60)), estimate(20, h(40))], h(21), SHIPMENT)
    assert "delivery_at_risk" not in found


def test_without_a_promise_or_an_estimate_nothing_is_at_risk() -> None:
    assert "delivery_at_risk" not in incidents([estimate(10, h(60))], h(11), shipment())
    assert "delivery_at_risk" not in incidents([scan("in_transit", 10)], h(11), SHIPMENT)


@pytest.mark.parametrize("offset", AROUND)
def test_the_late_delivery_supersedes_the_risk_at_the_promise(offset: timedelta) -> None:
    events = [estimate(10, h(60)), scan("in_transit", 30)]
    found = incidents(events, h(PROMISED) + offset, SHIPMENT)
    assert set(found) & {"delivery_at_risk", "delivery_delay"} == (
        {"delivery_at_risk"} if offset < ZERO else {"delivery_delay"}
    )
    engine = Engine(PACK)
    engine.upsert_shipment(SHIPMENT)
    engine.ingest(events)
    changes = engine.advance(to=h(PROMISED) + offset)
    superseded = [c for c in changes if c.type is ChangeType.SUPERSEDED]
    if offset >= ZERO:
        (change,) = superseded
        assert change.incident.kind == "delivery_at_risk"
        assert change.at == h(PROMISED)
        assert change.incident.superseded_by == found["delivery_delay"].id
    else:
        assert superseded == []


def test_the_estimate_is_kept_through_a_state_round_trip() -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(SHIPMENT)
    engine.ingest([estimate(10, h(60)), scan("in_transit", 20)])
    restored = Engine.load(PACK, engine.dump(mask=False))
    assert [i.to_dict() for i in restored.open_incidents()] == [
        i.to_dict() for i in engine.open_incidents()
    ]
    changes = restored.ingest([estimate(30, h(40))])
    assert [c.incident.kind for c in changes if c.type is ChangeType.CLEARED] == [
        "delivery_at_risk"
    ]


def test_a_pack_that_never_reads_the_estimate_does_not_keep_it() -> None:
    assert "@estimated_delivery" in PACK.attr_types
    five = Path(__file__).resolve().parents[2] / "src/logix_rules/packs/five_rules.yaml"
    assert "@estimated_delivery" not in load_pack(five).attr_types
