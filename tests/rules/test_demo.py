"""The seeded demo generator: determinism, coverage, carrier noise, files, and the engine."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from logix_carriers import Shipment, TrackingEvent
from logix_rules import evaluate, load_pack
from logix_rules.demo._files import write_demo_files
from logix_rules.demo._generator import DEMO_AT, DemoData, generate_demo
from logix_rules.demo._scenarios import SCENARIOS

#: The exception kinds of the default pack (ENGINE_API.md, POLICY.md section 1).
KINDS = (
    "pickup_delay",
    "tracking_stall",
    "lost",
    "transit_delay",
    "customs_hold",
    "delivery_failure",
    "refused",
    "damaged",
    "wrong_or_missing_items",
    "false_delivery",
    "delivery_delay",
    "returned_to_sender",
    "tracking_anomaly",
    "wismo",
    "delivery_at_risk",
    "insurance_missing",
)


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo()


def _fingerprint(data: DemoData) -> list[str]:
    return [e.model_dump_json() for e in data.events] + [
        s.model_dump_json() for s in data.shipments
    ]


def _kind(scenario: str) -> str:
    return scenario.split(":", 1)[0]


def test_same_seed_same_data() -> None:
    first = generate_demo(seed=11, shipments=80)
    second = generate_demo(seed=11, shipments=80)
    assert _fingerprint(first) == _fingerprint(second)
    assert first.scenarios == second.scenarios


def test_different_seed_different_data() -> None:
    assert _fingerprint(generate_demo(seed=1, shipments=80)) != _fingerprint(
        generate_demo(seed=2, shipments=80)
    )


def test_generator_leaves_global_random_alone() -> None:
    state = random.getstate()
    generate_demo(seed=5, shipments=30)
    assert random.getstate() == state


def test_default_size_and_fixed_time(demo: DemoData) -> None:
    assert demo.at == DEMO_AT == DEMO_AT.fromisoformat("2026-03-16T12:00:00+00:00")
    assert len(demo.shipments) == 300
    assert set(demo.scenarios) == {s.tracking_number for s in demo.shipments}
    assert {e.tracking_number for e in demo.events} == set(demo.scenarios)
    assert all(e.occurred_at <= DEMO_AT for e in demo.events)


def test_every_kind_and_variant_is_present(demo: DemoData) -> None:
    assert set(demo.scenarios.values()) == set(SCENARIOS)
    assert {_kind(s) for s in demo.scenarios.values()} == {*KINDS, "normal"}


def test_about_a_third_are_exceptions(demo: DemoData) -> None:
    exceptions = sum(1 for s in demo.scenarios.values() if not s.startswith("normal:"))
    assert 0.3 <= exceptions / len(demo.scenarios) <= 0.4


def test_small_sets_still_cover_every_kind() -> None:
    data = generate_demo(seed=3, shipments=len(KINDS))
    assert {_kind(s) for s in data.scenarios.values()} == set(KINDS)
    assert len(generate_demo(shipments=1).shipments) == 1
    with pytest.raises(ValueError, match="at least 1"):
        generate_demo(shipments=0)


def test_several_carriers_lanes_and_sources(demo: DemoData) -> None:
    carriers = Counter(s.carrier for s in demo.shipments)
    lanes = Counter(s.lane for s in demo.shipments)
    assert {"dhl", "ups", "usps", "sf-express", "yanwen"} <= set(carriers)
    assert {"DE-DE", "US-US", "CN-CN", "CN-US", "CN-DE", "DE-FR", "US-BR", "CN-IN", "GB-US"} <= set(
        lanes
    )
    systems = {e.source.system for e in demo.events}
    assert {"dhl", "ups", "17track", "aftership", "customer", "warehouse"} <= systems
    scans = [e for e in demo.events if not e.is_report]
    assert all(e.source.status or e.source.substatus or e.source.code for e in scans)
    assert all(e.description for e in demo.events)


def test_local_offsets_follow_the_event_location(demo: DemoData) -> None:
    by_country: dict[str, set[int]] = defaultdict(set)
    for event in demo.events:
        assert event.location is not None
        assert event.location.country
        by_country[event.location.country].add(event.utc_offset_minutes)
    assert by_country["CN"] == {480}
    assert by_country["IN"] == {330}
    # March 2026: the US switched to summer time on the 8th, Europe has not yet.
    assert by_country["DE"] == {60}
    assert {-300, -240, -360, -420} <= by_country["US"]
    assert by_country["GB"] == {0}


def test_reports_come_from_people(demo: DemoData) -> None:
    reports = [e for e in demo.events if e.is_report]
    assert {e.source.system for e in reports} == {"customer", "warehouse"}
    assert {e.reason for e in reports} == {"wrong_item", "missing_items", "not_received", "wismo"}


def test_shipments_carry_the_oms_facts(demo: DemoData) -> None:
    for shipment in demo.shipments:
        assert shipment.promised_at is not None
        assert shipment.declared_value is not None
        assert shipment.freight_cost is not None
        assert shipment.currency
        assert shipment.category
        assert shipment.order_id


def test_duplicate_scans_and_late_arrivals(demo: DemoData) -> None:
    ids = Counter(e.event_id for e in demo.events)
    assert sum(1 for n in ids.values() if n > 1) >= 5
    late = set()
    seen: dict[str, TrackingEvent] = {}
    for event in demo.events:
        previous = seen.get(event.tracking_number)
        if previous is not None and event.occurred_at < previous.occurred_at:
            late.add(event.tracking_number)
        seen[event.tracking_number] = event
    assert len(late) >= 5


def test_damage_scans_carry_a_ratio(demo: DemoData) -> None:
    damaged = [e for e in demo.events if e.reason == "damaged"]
    assert damaged
    assert all(isinstance(e.attributes.get("damage_ratio"), float) for e in damaged)


def test_written_files_read_back_identically(tmp_path: Path) -> None:
    data = generate_demo(seed=4, shipments=40)
    events_path, shipments_path = write_demo_files(tmp_path / "out", data=data)
    event_lines = events_path.read_text("utf-8").splitlines()
    shipment_lines = shipments_path.read_text("utf-8").splitlines()
    assert len(event_lines) == len(data.events)
    assert len(shipment_lines) == len(data.shipments)
    # Times keep the local offset the carrier reported them in.
    offsets = {json.loads(line)["occurred_at"][-6:] for line in event_lines}
    assert {"+08:00", "+01:00"} <= offsets
    back = [TrackingEvent.parse(json.loads(line)) for line in event_lines]
    assert back == list(data.events)
    assert [Shipment.parse(json.loads(line)) for line in shipment_lines] == list(data.shipments)


def test_write_demo_files_generates_when_not_given_data(tmp_path: Path) -> None:
    events_path, _ = write_demo_files(tmp_path, seed=9, shipments=5)
    expected = generate_demo(seed=9, shipments=5)
    assert len(events_path.read_text("utf-8").splitlines()) == len(expected.events)


# ---------------------------------------------------------------- with the engine


#: The severity each exception scenario must reach at DEMO_AT under the default pack.
SEVERITY = {
    "pickup_delay:domestic": "P3",
    "pickup_delay:cross_border": "P3",
    "tracking_stall:short": "P3",
    "tracking_stall:long": "P2",
    "lost:declared": "P1",
    "lost:silent": "P1",
    "transit_delay:domestic": "P2",
    "transit_delay:cross_border": "P2",
    "customs_hold:held": "P1",
    "customs_hold:payment": "P1",
    "customs_hold:timeout": "P1",
    "customs_hold:timeout_br": "P1",
    "customs_hold:timeout_in": "P1",
    "delivery_failure:address": "P2",
    "delivery_failure:absent": "P2",
    "delivery_failure:closed": "P2",
    "delivery_failure:third_attempt": "P1",
    "refused:refused": "P2",
    "refused:returning": "P2",
    "damaged:minor": "P3",
    "damaged:major": "P2",
    "damaged:high_value": "P1",
    "wrong_or_missing_items:wrong_item": "P2",
    "wrong_or_missing_items:missing_items": "P2",
    "wrong_or_missing_items:warehouse": "P2",
    "false_delivery:not_received": "P2",
    "delivery_delay:coupon": "P3",
    "delivery_delay:sla": "P3",
    "delivery_delay:refund": "P2",
    "delivery_delay:delivered_late": "P3",
    "returned_to_sender:unclaimed": "P3",
    "returned_to_sender:returned": "P3",
    "tracking_anomaly:after_delivery": "P3",
    "tracking_anomaly:backwards": "P3",
    "wismo:asked": "P3",
    "delivery_at_risk:estimate": "P3",
    "insurance_missing:uninsured": "P3",
}


@pytest.fixture(scope="module")
def incidents_by_parcel(demo: DemoData) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for incident in evaluate(
        load_pack("default"), demo.events, at=demo.at, shipments=demo.shipments
    ):
        found[incident.tracking_number][incident.kind] = incident.severity
    return found


def test_every_kind_of_the_default_pack_fires(
    incidents_by_parcel: dict[str, dict[str, str]],
) -> None:
    fired = {kind for kinds in incidents_by_parcel.values() for kind in kinds}
    assert fired == set(load_pack("default").kinds) == set(KINDS)


def test_each_parcel_raises_what_it_was_made_for(
    demo: DemoData, incidents_by_parcel: dict[str, dict[str, str]]
) -> None:
    assert set(SEVERITY) == {s for s in SCENARIOS if not s.startswith("normal:")}
    wrong = []
    for number, scenario in demo.scenarios.items():
        raised = incidents_by_parcel.get(number, {})
        if scenario.startswith("normal:"):
            if raised:
                wrong.append((scenario, number, raised))
        elif raised.get(_kind(scenario)) != SEVERITY[scenario]:
            wrong.append((scenario, number, raised))
    assert wrong == []


def test_other_seeds_keep_their_scenarios() -> None:
    pack = load_pack("default")
    for seed in (1, 99):
        data = generate_demo(seed=seed, shipments=120)
        raised: dict[str, set[str]] = defaultdict(set)
        for incident in evaluate(pack, data.events, at=data.at, shipments=data.shipments):
            raised[incident.tracking_number].add(incident.kind)
        for number, scenario in data.scenarios.items():
            expected = set() if scenario.startswith("normal:") else {_kind(scenario)}
            assert expected <= raised[number], (seed, scenario, number)
            if not expected:
                assert not raised[number], (seed, scenario, number, raised[number])
