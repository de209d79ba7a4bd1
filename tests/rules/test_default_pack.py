"""The built-in ``default`` pack, rule by rule, and its documentation page.

Every scenario is hand-written: events as plain dicts, one parcel ``TN1`` whose clock
starts at ``T0``.  Thresholds are checked at the exact instant they are reached and
one minute before it, because ``opened_at`` must be the event-time moment a
condition became true, never the moment someone asked.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from logix_rules import (
    Change,
    ChangeType,
    Engine,
    Incident,
    IncidentState,
    evaluate,
    load_pack,
    loads_pack,
)
from logix_rules.compiler._pack_docs import (
    SECTIONS,
    params_table,
    replace_sections,
    rules_table,
)

PACK = load_pack("default")
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
MICRO = timedelta(microseconds=1)
DOC = Path(__file__).resolve().parents[2] / "docs" / "default-pack.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def h(hours: float) -> datetime:
    """The instant ``hours`` after ``T0``."""
    return T0 + timedelta(hours=hours)


def scan(
    status: str,
    hours: float,
    *,
    reason: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    tn: str = "TN1",
) -> dict[str, Any]:
    """A carrier scan (``source.system`` is the carrier)."""
    event: dict[str, Any] = {
        "tracking_number": tn,
        "carrier": "dhl",
        "occurred_at": h(hours).isoformat(),
        "status": status,
        "source": {"system": "dhl"},
    }
    if reason is not None:
        event["reason"] = reason
    if attributes is not None:
        event["attributes"] = dict(attributes)
    return event


def report(
    reason: str,
    hours: float,
    *,
    system: str = "customer",
    status: str = "exception",
    attributes: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A report made by people (customer, warehouse, OMS): never a carrier scan."""
    event = scan(status, hours, reason=reason, attributes=attributes)
    event["source"] = {"system": system}
    return event


def shipment(
    origin: str = "DE",
    destination: str = "DE",
    *,
    promised: float | None = None,
    freight: str = "10.00",
    declared: str = "100.00",
    **extra: Any,
) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "tracking_number": "TN1",
        "carrier": "dhl",
        "origin_country": origin,
        "destination_country": destination,
        "shipped_at": T0.isoformat(),
        "freight_cost": freight,
        "declared_value": declared,
        "currency": "CNY",  # the base currency: figures read as the pack writes them
    }
    if promised is not None:
        facts["promised_at"] = h(promised).isoformat()
    facts.update(extra)
    return facts


def incidents(
    events: list[dict[str, Any]], at: datetime, ship: dict[str, Any] | None = None
) -> dict[str, Incident]:
    """``evaluate`` keyed by kind (and proof that each kind has a single incident)."""
    found = evaluate(PACK, events, at=at, shipment=ship)
    by_kind = {incident.kind: incident for incident in found}
    assert len(by_kind) == len(found), f"two incidents of one kind: {found}"
    return by_kind


def amounts(incident: Incident) -> dict[str, Decimal | None]:
    assert incident.remedy is not None
    return {item.code: item.amount for item in incident.remedy.items}


def of_type(changes: list[Change], kind: ChangeType) -> list[Change]:
    return [change for change in changes if change.type is kind]


def follow_up_windows(incident: Incident, since: datetime) -> None:
    level = PACK.severities[incident.severity]
    assert incident.respond_by == since + timedelta(microseconds=level.respond)
    assert incident.escalate_at == since + timedelta(microseconds=level.escalate_after)
    assert incident.resolve_by == since + timedelta(microseconds=level.resolve)


# -- one example per rule -------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """The incident ``rule`` raises in a scenario, as of ``opened``."""

    rule: str
    kind: str
    severity: str
    remedy: str
    opened: float  # hours after T0
    events: list[dict[str, Any]]
    ship: dict[str, Any] | None = None
    amounts: dict[str, Decimal] = field(default_factory=dict)
    deadlines: dict[str, float] = field(default_factory=dict)  # name -> hours after T0
    joins: float | None = None  # when the rule joins an incident opened earlier by another


CASES = [
    Case(
        "pickup_not_scanned",
        "pickup_delay",
        "P3",
        "chase_pickup",
        24,
        [scan("info_received", 0)],
        shipment(),
    ),
    Case(
        "pickup_no_events",
        "pickup_delay",
        "P3",
        "chase_pickup",
        24,
        # The OMS knows the label exists; the carrier has not scanned anything.
        [report("other", 1, system="oms", status="info_received")],
        shipment(),
    ),
    Case(
        "tracking_stall",
        "tracking_stall",
        "P3",
        "query_carrier",
        26,
        [scan("picked_up", 0), scan("in_transit", 2)],
    ),
    Case(
        "lost_declared",
        "lost",
        "P1",
        "reship_or_refund_and_claim",
        5,
        [scan("picked_up", 0), scan("exception", 5, reason="lost")],
        shipment(),
        amounts={"claim": Decimal("100.00")},
        deadlines={"claim": 5 + 24},
    ),
    Case(
        "lost_silence",
        "lost",
        "P1",
        "reship_or_refund_and_claim",
        2 + 7 * 24,
        [scan("picked_up", 0), scan("in_transit", 2)],
        shipment(declared="42.50"),
        amounts={"claim": Decimal("42.50")},
        deadlines={"claim": 2 + 7 * 24 + 24},
    ),
    Case(
        "transit_delay",
        "transit_delay",
        "P2",
        "query_carrier",
        1 + 72,
        [scan("picked_up", 0), *(scan("in_transit", 1 + 20 * k) for k in range(4))],
        shipment(),
    ),
    Case(
        "customs_hold_event",
        "customs_hold",
        "P1",
        "supply_customs_documents",
        10,
        [scan("in_transit", 0), scan("exception", 10, reason="customs_hold")],
        shipment("CN", "DE"),
        deadlines={"documents": 10 + 24},
    ),
    Case(
        "customs_timeout",
        "customs_hold",
        "P1",
        "supply_customs_documents",
        10 + 48,
        [scan("in_transit", 0), scan("customs", 10)],
        shipment("CN", "DE"),
        deadlines={"documents": 10 + 48 + 24},
    ),
    Case(
        "delivery_attempt_failed",
        "delivery_failure",
        "P2",
        "contact_recipient",
        22,
        [scan("out_for_delivery", 20), scan("attempt_failed", 22, reason="recipient_unavailable")],
        deadlines={"solution": 22 + 12},
    ),
    Case(
        "delivery_attempts_exhausted",
        "delivery_failure",
        "P1",
        "reroute_or_return",
        22,
        [
            scan("attempt_failed", 22, reason="recipient_unavailable"),
            scan("attempt_failed", 46, reason="address_issue"),
            scan("attempt_failed", 70, reason="recipient_unavailable"),
        ],
        deadlines={"solution": 70 + 12},  # from the latest attempt (issue 13 §2)
        joins=70,
    ),
    Case(
        "uncollected",
        "delivery_failure",
        "P3",
        "remind_recipient",
        30 + 5 * 24,
        [scan("picked_up", 0), scan("available_for_pickup", 30)],
    ),
    Case(
        "refused",
        "refused",
        "P2",
        "contact_customer",
        30,
        [scan("out_for_delivery", 28), scan("exception", 30, reason="refused")],
    ),
    Case(
        "damaged_minor",
        "damaged",
        "P3",
        "reship_free",
        30,
        [
            scan("in_transit", 0),
            scan("exception", 30, reason="damaged", attributes={"damage_ratio": 0.05}),
        ],
        shipment(freight="12.34"),
        amounts={"reship_freight": Decimal("12.34")},
        deadlines={"payout": 30 + 1},  # the fast track: up to 500 CNY, paid within 1 h
    ),
    Case(
        "damaged_major",
        "damaged",
        "P2",
        "compensate_declared_value",
        30,
        [
            scan("in_transit", 0),
            scan("exception", 30, reason="damaged", attributes={"damage_ratio": 0.06}),
        ],
        shipment(declared="499.99"),
        amounts={"compensation": Decimal("499.99")},
        deadlines={"payout": 30 + 1},
    ),
    Case(
        "damaged_unassessed",
        "damaged",
        "P2",
        "assess_damage",
        30,
        [scan("in_transit", 0), scan("exception", 30, reason="damaged")],
        shipment(),
    ),
    Case(
        "damaged_high_value",
        "damaged",
        "P1",
        "compensate_declared_value",
        30,
        [
            scan("in_transit", 0),
            scan("exception", 30, reason="damaged", attributes={"damage_ratio": 0.3}),
        ],
        shipment(declared="500.00"),
        amounts={"compensation": Decimal("500.00")},
        deadlines={"payout": 30 + 1},  # 500.00 is high value and still fast-track
    ),
    Case(
        "wrong_or_missing_items",
        "wrong_or_missing_items",
        "P2",
        "reship_items",
        40,
        [scan("delivered", 30), report("missing_items", 40, system="warehouse")],
    ),
    Case(
        "false_delivery",
        "false_delivery",
        "P2",
        "delivery_investigation",
        40,
        [scan("out_for_delivery", 28), scan("delivered", 30), report("not_received", 40)],
    ),
    Case(
        "delivery_late",
        "delivery_delay",
        "P3",
        "freight_coupon",
        48,
        [scan("picked_up", 0), scan("in_transit", 40)],
        shipment(promised=48, freight="7.90"),
        amounts={"freight_coupon": Decimal("7.90")},
    ),
    Case(
        "insurance_missing",
        "insurance_missing",
        "P3",
        "insure_or_accept_risk",
        0,  # with the parcel's first evaluation
        [scan("picked_up", 0)],
        shipment(declared="500.00", insured=False),
    ),
    Case(
        "returned_to_sender",
        "returned_to_sender",
        "P3",
        "contact_customer",
        30,
        [scan("in_transit", 0), scan("returning", 30)],
    ),
    Case(
        "tracking_anomaly",
        "tracking_anomaly",
        "P3",
        "verify_with_carrier",
        35,
        [scan("delivered", 30), scan("in_transit", 35)],
    ),
    Case(
        "delivery_at_risk",
        "delivery_at_risk",
        "P3",
        "warn_customer",
        10,
        # The carrier's estimate is a day past the promise (issue 13 §2).
        [{**scan("in_transit", 10), "estimated_delivery": h(72).isoformat()}],
        shipment(promised=48),
    ),
    Case(
        "wismo",
        "wismo",
        "P3",
        "reply_to_customer",
        5,
        [scan("in_transit", 0), report("wismo", 5)],
        deadlines={"reply": 5 + 2},
    ),
]


def test_every_rule_of_the_pack_has_an_example() -> None:
    assert sorted(case.rule for case in CASES) == sorted(rule.id for rule in PACK.rules)
    assert len(PACK.rules) == 24


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.rule)
def test_rule_example(case: Case) -> None:
    opened = h(case.opened)
    fires = h(case.joins if case.joins is not None else case.opened)
    # The exact instant: a timed rule fires at anchor + after, inclusive.
    incident = incidents(case.events, fires, case.ship)[case.kind]
    assert case.rule in incident.rules
    assert incident.severity == case.severity
    assert incident.opened_at == opened
    assert incident.remedy is not None
    assert incident.remedy.code == case.remedy
    for code, value in case.amounts.items():
        assert amounts(incident)[code] == value
        assert all(item.currency == "CNY" for item in incident.remedy.items)
    assert dict(incident.deadlines) == {name: h(at) for name, at in case.deadlines.items()}
    assert incident.state is IncidentState.OPEN
    assert incident.evidence.rule in incident.rules
    assert incident.explanation
    # One minute earlier the rule does not hold.
    earlier = incidents(case.events, fires - MINUTE, case.ship).get(case.kind)
    assert earlier is None or case.rule not in earlier.rules
    if case.joins is None:
        assert earlier is None


# -- pickup: domestic 24 h, cross-border 48 h -----------------------------------------------
def test_pickup_threshold_is_24h_domestic_and_48h_cross_border() -> None:
    events = [scan("info_received", 0)]
    assert "pickup_delay" not in incidents(events, h(24) - MINUTE, shipment())
    assert incidents(events, h(24), shipment())["pickup_delay"].opened_at == h(24)
    cross = shipment("CN", "DE")
    assert "pickup_delay" not in incidents(events, h(48) - MINUTE, cross)
    delay = incidents(events, h(48), cross)["pickup_delay"]
    assert delay.rules == ("pickup_not_scanned",)
    assert delay.opened_at == h(48)


def test_pickup_without_shipment_facts_uses_the_domestic_default() -> None:
    assert incidents([scan("info_received", 0)], h(24))["pickup_delay"].opened_at == h(24)


def test_acceptance_scan_clears_a_pickup_delay() -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(shipment())
    engine.ingest([scan("info_received", 0)])
    opened = of_type(engine.advance(to=h(30)), ChangeType.OPENED)
    assert [c.incident.kind for c in opened] == ["pickup_delay"]
    assert opened[0].at == h(24)
    cleared = of_type(engine.ingest([scan("picked_up", 31)]), ChangeType.CLEARED)
    assert [c.incident.kind for c in cleared] == ["pickup_delay"]
    assert cleared[0].at == h(31)
    assert engine.open_incidents() == []


def test_shipment_without_any_event_raises_pickup_no_events() -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(shipment())
    assert engine.next_due() == h(24)
    (incident,) = evaluate(PACK, [], at=h(24), shipment=shipment())
    assert incident.rules == ("pickup_no_events",)
    assert incident.opened_at == h(24)


def test_pickup_no_events_cross_border_waits_48h() -> None:
    events = [report("other", 1, system="oms", status="info_received")]
    cross = shipment("CN", "DE")
    assert "pickup_delay" not in incidents(events, h(48) - MINUTE, cross)
    assert incidents(events, h(48), cross)["pickup_delay"].rules == ("pickup_no_events",)


# -- stall ---------------------------------------------------------------------------------
def test_stall_opens_at_last_scan_plus_24h_and_climbs_to_p2_at_72h() -> None:
    engine = Engine(PACK)
    # Out for delivery: no transit delay (line haul only) supersedes the stall at 72h.
    engine.ingest([scan("picked_up", 0), scan("out_for_delivery", 2)])
    assert engine.advance(to=h(26) - MINUTE) == []
    assert engine.next_due() == h(26)
    (opened,) = engine.advance(to=h(26))
    assert opened.type is ChangeType.OPENED
    assert opened.at == opened.incident.opened_at == h(26)
    assert opened.incident.severity == "P3"
    follow_up_windows(opened.incident, h(26))

    # Calling advance late changes nothing about when it happened.
    updated = [c for c in engine.advance(to=h(100)) if c.incident.kind == "tracking_stall"]
    climbs = of_type(updated, ChangeType.UPDATED)
    assert [(c.at, c.incident.severity) for c in climbs] == [(h(2 + 72), "P2")]
    (stall,) = [i for i in engine.open_incidents() if i.kind == "tracking_stall"]
    assert stall.severity == "P2"
    assert stall.opened_at == h(26)
    follow_up_windows(stall, h(74))  # the P2 windows count from the climb


def test_a_later_scan_clears_a_stall() -> None:
    engine = Engine(PACK)
    engine.ingest([scan("picked_up", 0)])
    engine.advance(to=h(30))
    (stall,) = engine.open_incidents()
    changes = engine.ingest([scan("in_transit", 31)])
    assert [(c.type, c.incident.id, c.at) for c in changes] == [
        (ChangeType.CLEARED, stall.id, h(31))
    ]
    assert changes[0].incident.state is IncidentState.CLEARED
    assert engine.open_incidents() == []
    assert engine.next_due() == h(31 + 24)


def test_no_stall_once_delivered() -> None:
    found = incidents([scan("picked_up", 0), scan("delivered", 5)], h(24 * 30))
    assert found == {}


def test_a_late_out_of_order_scan_clears_the_stall_it_disproves() -> None:
    engine = Engine(PACK)
    engine.ingest([scan("picked_up", 0)])
    engine.advance(to=h(30))
    (stall,) = engine.open_incidents()
    assert stall.opened_at == h(24)
    # A scan made at hour 20 reaches us only now: the parcel was never silent for 24 h.
    changes = engine.ingest([scan("in_transit", 20)])
    assert [(c.type, c.incident.id) for c in changes] == [(ChangeType.CLEARED, stall.id)]
    assert engine.open_incidents() == []
    (reopened,) = engine.advance(to=h(44))
    assert reopened.type is ChangeType.OPENED
    assert reopened.incident.opened_at == h(44)
    assert reopened.incident.id != stall.id
    assert [i.id for i in engine.open_incidents()] == [
        i.id for i in evaluate(PACK, [scan("picked_up", 0), scan("in_transit", 20)], at=h(44))
    ]


def test_a_late_delivered_scan_clears_a_lost_parcel() -> None:
    engine = Engine(PACK)
    engine.ingest([scan("picked_up", 0), scan("in_transit", 2)])
    engine.advance(to=h(24 * 8))
    # The loss superseded the stall and the transit delay (issue 13 §1).
    assert {i.kind for i in engine.open_incidents()} == {"lost"}
    changes = engine.ingest([scan("delivered", 20)])
    assert sorted(c.incident.kind for c in of_type(changes, ChangeType.CLEARED)) == ["lost"]
    assert engine.open_incidents() == []


# -- lost: 7 days domestic, 10 days cross-border --------------------------------------------
def test_lost_silence_is_7d_domestic_and_10d_cross_border() -> None:
    events = [scan("picked_up", 0), scan("in_transit", 2)]
    assert "lost" not in incidents(events, h(2 + 7 * 24) - MINUTE, shipment())
    assert incidents(events, h(2 + 7 * 24), shipment())["lost"].opened_at == h(2 + 7 * 24)
    cross = shipment("CN", "DE")
    assert "lost" not in incidents(events, h(2 + 10 * 24) - MINUTE, cross)
    lost = incidents(events, h(2 + 10 * 24), cross)["lost"]
    assert lost.rules == ("lost_silence",)
    assert lost.opened_at == h(2 + 10 * 24)
    assert dict(lost.deadlines) == {"claim": h(2 + 11 * 24)}


def test_a_lost_report_from_a_customer_is_not_a_carrier_loss() -> None:
    found = incidents([scan("in_transit", 0), report("lost", 5)], h(6), shipment())
    assert "lost" not in found


def test_carrier_loss_and_silence_are_one_lost_incident() -> None:
    events = [scan("in_transit", 0), scan("exception", 5, reason="lost")]
    lost = incidents(events, h(5 + 7 * 24), shipment())["lost"]
    assert lost.rules == ("lost_declared", "lost_silence")
    assert lost.opened_at == h(5)
    assert dict(lost.deadlines) == {"claim": h(5 + 24)}


# -- transit delay -------------------------------------------------------------------------
def test_transit_allowance_is_3d_domestic_and_7d_cross_border() -> None:
    # Scans every 20 h: moving (no stall), but never leaving line haul.
    events = [scan("picked_up", 0), *(scan("in_transit", 1 + 20 * k) for k in range(9))]
    assert incidents(events, h(1 + 72), shipment())["transit_delay"].opened_at == h(73)
    cross = shipment("CN", "DE")
    assert "transit_delay" not in incidents(events, h(1 + 168) - MINUTE, cross)
    delay = incidents(events, h(1 + 168), cross)["transit_delay"]
    assert delay.opened_at == h(169)
    assert delay.severity == "P2"


def test_transit_allowance_per_lane_through_a_child_pack() -> None:
    pack = loads_pack(
        "format: 1\nname: lanes\nextends: default\n"
        "params:\n  transit_allowance: {values: {CN-DE: 12d}}\n"
    )
    events = [scan("picked_up", 0), *(scan("in_transit", 1 + 20 * k) for k in range(15))]
    cn_de = shipment("CN", "DE")
    at_12d = h(1 + 12 * 24)
    kinds = {i.kind: i for i in evaluate(pack, events, at=at_12d - MINUTE, shipment=cn_de)}
    assert "transit_delay" not in kinds
    (delay,) = [
        i for i in evaluate(pack, events, at=at_12d, shipment=cn_de) if i.kind == "transit_delay"
    ]
    assert delay.opened_at == at_12d
    # Other cross-border lanes keep the scope value (7 d).
    cn_fr = shipment(origin="CN", destination="FR")
    fr = {i.kind: i for i in evaluate(pack, events, at=h(169), shipment=cn_fr)}
    assert fr["transit_delay"].opened_at == h(169)


# -- customs -------------------------------------------------------------------------------
@pytest.mark.parametrize(("country", "hours"), [("DE", 48), ("BR", 96), ("IN", 72)])
def test_customs_timeout_per_destination_country(country: str, hours: int) -> None:
    events = [scan("in_transit", 0), scan("customs", 10)]
    facts = shipment(origin="CN", destination=country)
    assert "customs_hold" not in incidents(events, h(10 + hours) - MINUTE, facts)
    hold = incidents(events, h(10 + hours), facts)["customs_hold"]
    assert hold.rules == ("customs_timeout",)
    assert hold.opened_at == h(10 + hours)
    assert dict(hold.deadlines) == {"documents": h(10 + hours + 24)}


def test_brazil_is_not_flagged_at_the_german_timeout() -> None:
    events = [scan("in_transit", 0), scan("customs", 10)]
    assert "customs_hold" in incidents(events, h(58), shipment(origin="CN", destination="DE"))
    assert "customs_hold" not in incidents(events, h(58), shipment(origin="CN", destination="BR"))


@pytest.mark.parametrize("reason", ["customs_hold", "payment_required"])
def test_customs_hold_event(reason: str) -> None:
    events = [scan("in_transit", 0), scan("exception", 10, reason=reason)]
    hold = incidents(events, h(10), shipment("CN", "DE"))["customs_hold"]
    assert hold.rules == ("customs_hold_event",)
    assert hold.severity == "P1"
    follow_up_windows(hold, h(10))


def test_customs_hold_event_and_timeout_are_one_incident_with_two_rules() -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(shipment("CN", "DE"))
    (opened,) = engine.ingest([scan("in_transit", 0), scan("exception", 10, reason="customs_hold")])
    assert opened.type is ChangeType.OPENED
    assert opened.incident.rules == ("customs_hold_event",)
    changes = [c for c in engine.advance(to=h(60)) if c.incident.kind == "customs_hold"]
    (updated,) = of_type(changes, ChangeType.UPDATED)
    assert of_type(changes, ChangeType.OPENED) == []
    assert updated.at == h(10 + 48)
    assert updated.incident.id == opened.incident.id
    assert updated.incident.rules == ("customs_hold_event", "customs_timeout")
    holds = [i for i in engine.open_incidents() if i.kind == "customs_hold"]
    assert len(holds) == 1
    assert holds[0].opened_at == h(10)
    assert dict(holds[0].deadlines) == {"documents": h(10 + 24)}


# -- delivery failures -----------------------------------------------------------------------
def test_third_failed_attempt_makes_the_failure_p1() -> None:
    engine = Engine(PACK)
    first = engine.ingest([scan("attempt_failed", 22, reason="recipient_unavailable")])
    assert [(c.type, c.incident.severity) for c in first] == [(ChangeType.OPENED, "P2")]
    engine.ingest([scan("attempt_failed", 46, reason="recipient_unavailable")])
    (failure,) = [i for i in engine.open_incidents() if i.kind == "delivery_failure"]
    assert failure.severity == "P2"
    assert failure.rules == ("delivery_attempt_failed",)
    changes = engine.ingest([scan("attempt_failed", 70, reason="address_issue")])
    (climb,) = [c for c in changes if c.incident.kind == "delivery_failure"]
    assert climb.type is ChangeType.UPDATED
    assert climb.at == h(70)
    assert climb.incident.id == first[0].incident.id
    assert climb.incident.severity == "P1"
    assert climb.incident.rules == ("delivery_attempt_failed", "delivery_attempts_exhausted")
    assert climb.incident.remedy is not None
    assert climb.incident.remedy.code == "reroute_or_return"
    assert climb.incident.opened_at == h(22)
    follow_up_windows(climb.incident, h(70))


def test_delivery_after_a_failed_attempt_clears_the_failure() -> None:
    events = [scan("attempt_failed", 22, reason="recipient_unavailable"), scan("delivered", 40)]
    assert "delivery_failure" not in incidents(events, h(41))


# -- refused, returned ------------------------------------------------------------------------
def test_refusal_on_the_way_back_is_refused_and_returned() -> None:
    events = [scan("out_for_delivery", 28), scan("returning", 30, reason="refused")]
    found = incidents(events, h(31))
    assert found["refused"].rules == ("refused",)
    assert found["refused"].severity == "P2"
    assert found["returned_to_sender"].rules == ("returned_to_sender",)
    assert found["returned_to_sender"].severity == "P3"


def test_a_refusal_reported_by_the_customer_is_not_a_carrier_refusal() -> None:
    assert "refused" not in incidents([scan("in_transit", 0), report("refused", 5)], h(6))


def test_returned_parcel_stays_flagged_and_is_not_late() -> None:
    events = [scan("in_transit", 0), scan("returning", 30), scan("returned", 60)]
    found = incidents(events, h(24 * 10), shipment(promised=48))
    assert set(found) == {"returned_to_sender"}
    assert found["returned_to_sender"].opened_at == h(30)


# -- damage classes -------------------------------------------------------------------------
FREIGHT = {"reship_freight": "10.00"}
CLAIM_FREIGHT = {"carrier_claim": "10.00"}


@pytest.mark.parametrize(
    ("ratio", "declared", "rules", "severity", "remedy", "items"),
    [
        # Damage is the carrier's doing: what the merchant pays is claimed back from it.
        (0.02, "100.00", ("damaged_minor",), "P3", "reship_free", {**FREIGHT, **CLAIM_FREIGHT}),
        (0.05, "900.00", ("damaged_minor",), "P3", "reship_free", {**FREIGHT, **CLAIM_FREIGHT}),
        (
            0.051,
            "100.00",
            ("damaged_major",),
            "P2",
            "compensate_declared_value",
            {"compensation": "100.00", "carrier_claim": "100.00"},
        ),
        (
            0.3,
            "499.99",
            ("damaged_major",),
            "P2",
            "compensate_declared_value",
            {"compensation": "499.99", "carrier_claim": "499.99"},
        ),
        (
            0.3,
            "500.00",
            ("damaged_major", "damaged_high_value"),
            "P1",
            "compensate_declared_value",
            {"compensation": "500.00", "carrier_claim": "500.00"},
        ),
        (None, "900.00", ("damaged_unassessed",), "P2", "assess_damage", {}),
    ],
)
def test_damage_classes(
    ratio: float | None,
    declared: str,
    rules: tuple[str, ...],
    severity: str,
    remedy: str,
    items: dict[str, str],
) -> None:
    attributes = None if ratio is None else {"damage_ratio": ratio}
    events = [scan("in_transit", 0), scan("exception", 30, reason="damaged", attributes=attributes)]
    damaged = incidents(events, h(30), shipment(declared=declared))["damaged"]
    assert damaged.rules == rules
    assert damaged.severity == severity
    assert damaged.remedy is not None
    assert damaged.remedy.code == remedy
    assert amounts(damaged) == {code: Decimal(value) for code, value in items.items()}


def test_customer_damage_report_with_a_ratio_reclassifies_the_damage() -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(shipment())
    changes = engine.ingest([scan("delivered", 30), report("damaged", 33)])
    (opened,) = [c for c in of_type(changes, ChangeType.OPENED) if c.incident.kind == "damaged"]
    assert opened.incident.rules == ("damaged_unassessed",)
    changes = engine.ingest([report("damaged", 40, attributes={"damage_ratio": 0.03})])
    (assessed,) = of_type(changes, ChangeType.UPDATED)
    assert assessed.at == h(40)
    assert assessed.incident.id == opened.incident.id
    assert assessed.incident.rules == ("damaged_minor",)
    assert assessed.incident.severity == "P3"
    assert amounts(assessed.incident) == {
        "reship_freight": Decimal("10.00"),
        "carrier_claim": Decimal("10.00"),  # damage: the carrier's doing
    }


# -- reports: wrong items, false delivery ----------------------------------------------------
@pytest.mark.parametrize(
    ("reason", "system"), [("missing_items", "warehouse"), ("wrong_item", "customer")]
)
def test_wrong_or_missing_items_come_from_reports(reason: str, system: str) -> None:
    events = [scan("delivered", 30), report(reason, 40, system=system)]
    found = incidents(events, h(40))
    assert set(found) == {"wrong_or_missing_items"}
    assert system in found["wrong_or_missing_items"].explanation


def test_a_carrier_scan_saying_wrong_item_is_not_a_report() -> None:
    assert incidents([scan("exception", 5, reason="wrong_item")], h(6)) == {}


def test_false_delivery_needs_a_not_received_report_after_delivery() -> None:
    before = [report("not_received", 20), scan("out_for_delivery", 28), scan("delivered", 30)]
    assert "false_delivery" not in incidents(before, h(31))
    after = [scan("out_for_delivery", 28), scan("delivered", 30), report("not_received", 40)]
    claim = incidents(after, h(40))["false_delivery"]
    assert claim.rules == ("false_delivery",)
    assert claim.opened_at == h(40)
    follow_up_windows(claim, h(40))


# -- delivery delay ladder ------------------------------------------------------------------
def test_delivery_delay_ladder_amounts() -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(shipment(promised=48, freight="20.00"))
    engine.ingest([scan("picked_up", 0), scan("in_transit", 40)])
    late = [
        c
        for c in engine.advance(to=h(48 + 96))
        if c.incident.kind == "delivery_delay" and c.type is not ChangeType.ESCALATED
    ]
    # "More than 24 h" and "more than 3 days" are strict: 1 µs past each window.
    assert [(c.type, c.at, c.incident.severity) for c in late] == [
        (ChangeType.OPENED, h(48), "P3"),
        (ChangeType.UPDATED, h(48 + 24) + MICRO, "P3"),
        (ChangeType.UPDATED, h(48 + 72) + MICRO, "P2"),
    ]
    coupon, sla, refund = (c.incident for c in late)
    assert coupon.remedy is not None
    assert coupon.remedy.code == "freight_coupon"
    assert amounts(coupon) == {"freight_coupon": Decimal("20.00")}
    assert sla.remedy is not None
    assert sla.remedy.code == "freight_coupon_and_sla_compensation"
    assert amounts(sla) == {"freight_coupon": Decimal("20.00"), "sla_compensation": Decimal("1.00")}
    assert refund.remedy is not None
    assert refund.remedy.code == "freight_refund_and_sla_compensation"
    # 3 days late x 10 % a day of 20.00 freight is 6.00, less than the 20.00 coupon
    # of a shorter delay: the refund is never smaller (no cliff); plus 5 % SLA.
    assert amounts(refund) == {
        "freight_refund": Decimal("20.00"),
        "sla_compensation": Decimal("1.00"),
    }
    assert all(i.opened_at == h(48) for i in (coupon, sla, refund))
    follow_up_windows(refund, h(48 + 72) + MICRO)
    for at in (h(48 + 72) - MINUTE, h(48 + 72)):
        before_refund = incidents([scan("in_transit", 40)], at, shipment(promised=48))
        assert before_refund["delivery_delay"].severity == "P3"


def test_delivered_late_within_the_grace_does_not_climb() -> None:
    events = [scan("picked_up", 0), scan("delivered", 48 + 10)]
    found = incidents(events, h(48 + 24 * 10), shipment(promised=48))
    assert set(found) == {"delivery_delay"}
    delay = found["delivery_delay"]
    assert delay.severity == "P3"
    assert delay.opened_at == h(48)
    assert delay.remedy is not None
    assert delay.remedy.code == "freight_coupon"
    assert delay.evidence.step == 0


def test_delivered_two_days_late_gets_the_sla_compensation_but_no_refund() -> None:
    events = [scan("picked_up", 0), scan("delivered", 48 + 48)]
    delay = incidents(events, h(48 + 24 * 10), shipment(promised=48))["delivery_delay"]
    assert delay.severity == "P3"
    assert delay.remedy is not None
    assert delay.remedy.code == "freight_coupon_and_sla_compensation"
    assert amounts(delay) == {
        "freight_coupon": Decimal("10.00"),
        "sla_compensation": Decimal("0.50"),
    }


def test_delivered_on_time_is_not_late() -> None:
    events = [scan("picked_up", 0), scan("delivered", 48)]
    assert incidents(events, h(24 * 10), shipment(promised=48)) == {}


def test_proportional_refund_follows_the_actual_delay() -> None:
    # Delivered 5 days late: 5 x 10 % of the 10.00 freight, but never less than the
    # coupon (the whole freight by default; 30 % below makes the ladder continuous).
    events = [scan("picked_up", 0), scan("delivered", 48 + 5 * 24)]
    delay = incidents(events, h(48 + 24 * 10), shipment(promised=48))["delivery_delay"]
    assert delay.severity == "P2"
    assert amounts(delay) == {
        "freight_refund": Decimal("10.00"),
        "sla_compensation": Decimal("0.50"),
    }
    continuous = loads_pack(
        "format: 1\nname: continuous\nextends: default\nparams: {coupon_rate: 30%}\n"
    )
    found = evaluate(continuous, events, at=h(48 + 24 * 10), shipment=shipment(promised=48))
    (delay,) = [i for i in found if i.kind == "delivery_delay"]
    assert amounts(delay) == {
        "freight_refund": Decimal("5.00"),
        "sla_compensation": Decimal("0.50"),
    }


# -- tracking anomalies --------------------------------------------------------------------
def test_scan_after_delivery_is_an_anomaly_but_a_return_is_not() -> None:
    assert "tracking_anomaly" in incidents([scan("delivered", 30), scan("in_transit", 35)], h(36))
    found = incidents([scan("delivered", 30), scan("returning", 35)], h(36))
    assert "tracking_anomaly" not in found
    assert "returned_to_sender" in found


def test_stage_going_backwards_is_an_anomaly() -> None:
    events = [scan("picked_up", 0), scan("out_for_delivery", 20), scan("picked_up", 25)]
    anomaly = incidents(events, h(25))["tracking_anomaly"]
    assert anomaly.rules == ("tracking_anomaly",)
    assert anomaly.opened_at == h(25)
    assert anomaly.evidence.values["stage_regressions"] == 1


def test_in_transit_after_customs_clearance_is_not_an_anomaly() -> None:
    events = [
        scan("picked_up", 0),
        scan("in_transit", 2),
        scan("customs", 30),
        scan("in_transit", 40),
        scan("out_for_delivery", 50),
        scan("delivered", 52),
    ]
    assert incidents(events, h(53), shipment("CN", "DE")) == {}


# -- follow-up: acknowledge, resolve, escalations --------------------------------------------
def _customs_hold_engine() -> tuple[Engine, Incident]:
    engine = Engine(PACK)
    engine.upsert_shipment(shipment("CN", "DE"))
    (opened,) = engine.ingest([scan("in_transit", 0), scan("exception", 10, reason="customs_hold")])
    return engine, opened.incident


def test_escalations_fire_at_exactly_respond_escalate_and_resolve_by() -> None:
    engine, hold = _customs_hold_engine()  # P1: respond 5 m, escalate 30 m, resolve 2 h
    assert (hold.respond_by, hold.escalate_at, hold.resolve_by) == (
        h(10) + 5 * MINUTE,
        h(10) + 30 * MINUTE,
        h(12),
    )
    assert engine.next_due() == hold.respond_by
    assert engine.advance(to=hold.respond_by - timedelta(seconds=1)) == []
    (respond,) = engine.advance(to=hold.respond_by)
    assert (respond.type, respond.at) == (ChangeType.ESCALATED, hold.respond_by)
    assert [(e.what, e.at) for e in respond.incident.escalations] == [("respond", hold.respond_by)]
    assert engine.next_due() == hold.escalate_at
    (escalate,) = engine.advance(to=hold.escalate_at)
    assert (escalate.type, escalate.at) == (ChangeType.ESCALATED, hold.escalate_at)
    (resolve,) = engine.advance(to=hold.resolve_by)
    assert (resolve.type, resolve.at) == (ChangeType.ESCALATED, hold.resolve_by)
    assert [(e.what, e.at) for e in resolve.incident.escalations] == [
        ("respond", hold.respond_by),
        ("escalate", hold.escalate_at),
        ("resolve", hold.resolve_by),
    ]


def test_escalations_are_dated_when_due_even_if_advance_comes_late() -> None:
    engine, hold = _customs_hold_engine()
    escalated = of_type(engine.advance(to=h(13)), ChangeType.ESCALATED)
    assert [c.at for c in escalated] == [hold.respond_by, hold.escalate_at, hold.resolve_by]


def test_acknowledge_stops_the_respond_escalation_only() -> None:
    engine, hold = _customs_hold_engine()
    ack = engine.acknowledge(hold.id, by="ana", at=h(10) + 3 * MINUTE)
    assert ack.type is ChangeType.ACKNOWLEDGED
    assert ack.incident.state is IncidentState.ACKNOWLEDGED
    assert engine.advance(to=h(10) + 29 * MINUTE) == []
    changes = engine.advance(to=h(12))
    assert [(c.type, c.at) for c in changes] == [
        (ChangeType.ESCALATED, hold.escalate_at),
        (ChangeType.ESCALATED, hold.resolve_by),
    ]
    (current,) = [i for i in engine.open_incidents() if i.kind == "customs_hold"]
    assert [e.what for e in current.escalations] == ["escalate", "resolve"]
    assert current.acknowledged_by == "ana"


def test_resolved_incident_leaves_and_does_not_come_back_while_the_condition_holds() -> None:
    engine, hold = _customs_hold_engine()
    resolved = engine.resolve(hold.id, by="ana", at=h(10) + 3 * MINUTE, note="duties paid")
    assert resolved.type is ChangeType.RESOLVED
    assert resolved.incident.state is IncidentState.RESOLVED
    assert engine.open_incidents() == []
    # The parcel is still held, customs times out too, another hold scan arrives:
    # none of it reopens the incident, and its follow-up deadlines are void.
    changes = engine.ingest([scan("exception", 11, reason="customs_hold")])
    changes += engine.advance(to=h(10 + 48))
    hold = [c for c in changes if c.incident.kind == "customs_hold"]
    # Only the revisit, a day after the resolution (issue 13 §2).
    assert [(c.type, c.at) for c in hold] == [(ChangeType.REVISIT_DUE, h(34) + 3 * MINUTE)]
    assert [i.kind for i in engine.open_incidents()] == ["tracking_stall"]


def test_resolved_incident_ends_silently_when_its_condition_clears() -> None:
    engine = Engine(PACK)
    (failure,) = engine.ingest([scan("attempt_failed", 22, reason="recipient_unavailable")])
    engine.resolve(failure.incident.id, by="bo", at=h(22) + 10 * MINUTE)
    assert engine.ingest([scan("attempt_failed", 46, reason="recipient_unavailable")]) == []
    # The only change after the resolution: its revisit, a day later (issue 13 §2).
    (revisit,) = engine.ingest([scan("delivered", 50)])
    assert (revisit.type, revisit.at) == (ChangeType.REVISIT_DUE, h(46) + 10 * MINUTE)
    assert engine.open_incidents() == []


# -- the documentation page -----------------------------------------------------------------
def test_doc_tables_are_generated_from_the_pack() -> None:
    text = DOC.read_text("utf-8")
    for name, generate in SECTIONS.items():
        match = re.search(rf"<!-- {name} -->\n(.*?)\n<!-- /{name} -->", text, re.DOTALL)
        assert match, f"docs/default-pack.md lacks the <!-- {name} --> markers"
        assert match.group(1) == generate(PACK), (
            f"the {name} table of docs/default-pack.md is stale; regenerate it with "
            "python -m logix_rules.compiler._pack_docs docs/default-pack.md"
        )
    assert replace_sections(text, PACK) == text


def test_doc_python_examples_run() -> None:
    blocks = BLOCK.findall(DOC.read_text("utf-8"))
    assert len(blocks) >= 2, "docs/default-pack.md should show evaluation and an override"
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        for number, block in enumerate(blocks, 1):
            namespace: dict[str, Any] = {"__name__": f"default_pack_doc_{number}"}
            exec(compile(block, f"docs/default-pack.md (python block {number})", "exec"), namespace)
    # The printed lines are shown in the page as comments; keep them true.
    for block, printed in _printed_comments(blocks):
        assert printed in output.getvalue(), f"{printed!r} is not what the example prints:\n{block}"


def _printed_comments(blocks: list[str]) -> list[tuple[str, str]]:
    out = []
    for block in blocks:
        lines = block.splitlines()
        for before, line in itertools.pairwise(lines):
            if before.lstrip().startswith("print(") and line.startswith("# "):
                out.append((block, line[2:] + "\n"))
    return out


def test_rules_table_lists_every_rule_once() -> None:
    table = rules_table(PACK)
    for rule in PACK.rules:
        assert table.count(f"| `{rule.id}` |") == 1
    assert "claim within `claim_within`" in table
    assert "P3 → P2 after `stall_escalate_after`" in table


def test_params_table_uses_param_display() -> None:
    table = params_table(PACK)
    assert "| `customs_timeout` | duration | 2d | by destination_country: BR: 4d, IN: 3d |" in table
    assert "| `damage_minor_max` | percent | 5% | — |" in table
    assert table.count("\n") == len(PACK.params) + 1


def test_replace_sections_refuses_a_page_without_markers() -> None:
    with pytest.raises(ValueError, match="<!-- rules -->"):
        replace_sections("<!-- severities -->\nx\n<!-- /severities -->\n", PACK)
