"""Issue 13 §3: every incident has a cause, derived from the trail and corrected by
the follow-up; the remedy depends on it (no SLA compensation for delays the customer
or force majeure caused; what the carrier caused is claimed back from it)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from policy_timeline import AROUND, PACK, h, incidents, scan, shipment

from logix_rules import Engine, ErrorCode
from logix_rules.runtime._causes import CAUSE_OF_REASON

PROMISE = 24.0
FACTS = shipment(promised_at=h(PROMISE).isoformat(), freight_cost="20.00")
LATE_AT = h(PROMISE + 30)  # past the 24 h grace: the SLA rung


def delay_with(reason: str | None, *, report: bool = False) -> object:
    events = [scan("picked_up", 0), scan("in_transit", 5)]
    if reason is not None:
        system = "customer" if report else "dhl"
        events.append(scan("exception", 10, reason=reason, system=system))
    return incidents(events, LATE_AT, FACTS)["delivery_delay"]


def codes(incident: object) -> dict[str, Decimal | None]:
    return {i.code: i.amount for i in incident.remedy.items}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("reason", "cause"),
    [
        ("address_issue", "customer"),
        ("recipient_unavailable", "customer"),
        ("refused", "customer"),
        ("delay_weather", "force_majeure"),
        ("delay_external", "force_majeure"),
        ("delay_carrier", "carrier"),
        ("damaged", "carrier"),
        ("lost", "carrier"),
        (None, "unknown"),
        ("other", "unknown"),
    ],
)
def test_the_cause_comes_from_the_latest_exception_reason(reason: str | None, cause: str) -> None:
    assert delay_with(reason).cause == cause  # type: ignore[attr-defined]


def test_wrong_or_missing_items_are_internal() -> None:
    assert delay_with("wrong_item", report=True).cause == "internal"  # type: ignore[attr-defined]
    assert CAUSE_OF_REASON["missing_items"] == "internal"


@pytest.mark.parametrize(
    ("reason", "sla"),
    [("address_issue", False), ("delay_weather", False), ("delay_carrier", True), (None, True)],
)
def test_no_sla_compensation_for_customer_or_force_majeure_delays(
    reason: str | None, sla: bool
) -> None:
    found = codes(delay_with(reason))
    assert ("sla_compensation" in found) is sla
    assert found["freight_coupon"] == Decimal("20.00")


def test_a_carrier_caused_delay_carries_the_amount_to_claim_back() -> None:
    found = codes(delay_with("delay_carrier"))
    assert found["carrier_claim"] == Decimal("21.00")  # the coupon and the 5 % SLA
    assert "carrier_claim" not in codes(delay_with(None))


@pytest.mark.parametrize("delta", AROUND)
def test_the_cause_is_that_of_the_trail_at_the_evaluation_point(delta: timedelta) -> None:
    # Weather first; a carrier delay at +40h takes over from then on, not before.
    events = [
        scan("picked_up", 0),
        scan("exception", 10, reason="delay_weather"),
        scan("in_transit", 20),
        scan("exception", 40, reason="delay_carrier"),
    ]
    stall = incidents(events, h(40) + delta, FACTS)["delivery_delay"]
    assert stall.cause == ("carrier" if delta >= timedelta(0) else "force_majeure")


def test_resolve_corrects_the_cause_and_the_remedy_follows() -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(FACTS)
    engine.ingest([scan("picked_up", 0), scan("exception", 10, reason="address_issue")])
    engine.advance(to=LATE_AT)
    (delay,) = [i for i in engine.open_incidents() if i.kind == "delivery_delay"]
    assert delay.cause == "customer"
    assert "sla_compensation" not in codes(delay)
    change = engine.resolve(delay.id, by="ops", at=LATE_AT + timedelta(hours=1), cause="carrier")
    assert change.incident.cause == "carrier"
    assert codes(change.incident)["sla_compensation"] == Decimal("1.00")
    assert codes(change.incident)["carrier_claim"] == Decimal("21.00")
    (action,) = [a for a in engine.actions(delay.id) if a.action == "resolved"]
    assert action.cause == "carrier"


def test_a_correction_counts_from_its_instant_and_survives_a_dump() -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(FACTS)
    engine.ingest([scan("picked_up", 0), scan("exception", 10, reason="delay_weather")])
    engine.advance(to=LATE_AT)
    (delay,) = [i for i in engine.open_incidents() if i.kind == "delivery_delay"]
    engine.record(delay.id, action="revisited", by="ops", at=LATE_AT, cause="internal")
    again = Engine.load(PACK, engine.dump(mask=False))
    (after,) = [i for i in again.open_incidents() if i.kind == "delivery_delay"]
    assert after.cause == "internal"
    assert "sla_compensation" in codes(after)


def test_a_cause_that_is_none_of_the_five_is_refused() -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(FACTS)
    engine.ingest([scan("picked_up", 0)])
    engine.advance(to=LATE_AT)
    (delay,) = [i for i in engine.open_incidents() if i.kind == "delivery_delay"]
    with pytest.raises(ValueError, match="'weather' is not a cause") as caught:
        engine.resolve(delay.id, by="ops", cause="weather")
    assert caught.value.code is ErrorCode.BAD_CAUSE  # type: ignore[attr-defined]


def test_cause_travels_in_to_dict() -> None:
    document = delay_with("refused").to_dict()  # type: ignore[attr-defined]
    assert document["cause"] == "customer"
    assert all("bearer" in item for item in document["remedy"]["items"])


def test_bearers_fast_track_and_causes_survive_a_dump() -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(shipment(declared_value="300.00"))
    engine.ingest(
        [
            scan("in_transit", 0),
            scan("exception", 30, reason="damaged", attributes={"damage_ratio": 0.3}),
        ]
    )
    before = engine.open_incidents()
    after = Engine.load(PACK, engine.dump(mask=False)).open_incidents()
    assert after == before
    (damaged,) = after
    assert damaged.remedy is not None
    assert damaged.remedy.fast_track
    assert [i.bearer for i in damaged.remedy.items] == ["merchant", "carrier"]
    assert damaged.cause == "carrier"
