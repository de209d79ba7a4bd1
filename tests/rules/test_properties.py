"""Property tests of the default pack written only with the public strategies, the
public property helpers and the public engine API -- and proof that they catch a
deliberately broken copy of the pack (a threshold off by an hour, a wrong severity)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from logix_rules import Incident, Pack, evaluate, load_pack, loads_pack
from logix_rules.runtime._state import Facts
from logix_rules.strategies import (
    ArrivalPlan,
    Ingest,
    Timeline,
    Upsert,
    arrivals,
    assert_arrival_order_irrelevant,
    assert_duplicates_change_nothing,
    assert_incremental_equals_batch,
    assert_no_early_incidents,
    eventful_timelines,
    shipments,
    timelines,
)

pytestmark = pytest.mark.slow

DEFAULT = load_pack("default")
DEFAULT_YAML = (
    Path(__file__).resolve().parents[2] / "src" / "logix_rules" / "packs" / "default.yaml"
).read_text("utf-8")
MINUTE = timedelta(minutes=1)
CUSTOMS_LANES = shipments(lanes=["CN-US", "US-BR", "CN-IN", "CN-DE", "GB-US"])


# ------------------------------------------------------------- the engine's promises


@settings(max_examples=30)
@given(arrivals(eventful_timelines()))
def test_incremental_equals_batch(plan: ArrivalPlan) -> None:
    assert_incremental_equals_batch(DEFAULT, plan)


@settings(max_examples=30)
@given(eventful_timelines())
def test_duplicates_change_nothing(timeline: Timeline) -> None:
    assert_duplicates_change_nothing(DEFAULT, timeline)


@settings(max_examples=30)
@given(arrivals(eventful_timelines()))
def test_arrival_order_changes_nothing(plan: ArrivalPlan) -> None:
    assert_arrival_order_irrelevant(DEFAULT, plan)


@settings(max_examples=30)
@given(arrivals(eventful_timelines()))
def test_no_incident_opens_before_its_anchor_plus_its_threshold(plan: ArrivalPlan) -> None:
    assert_no_early_incidents(DEFAULT, plan)


# ------------------------------------------------ the policy, as properties of a pack


def kinds_at(pack: Pack, timeline: Timeline, at: datetime) -> dict[str, Incident]:
    incidents = evaluate(pack, timeline.events, at=at, shipment=timeline.shipment)
    return {i.kind: i for i in incidents}


def waiting_at_pickup_point(timeline: Timeline, at: datetime) -> bool:
    """The latest carrier scan at or before ``at`` says the parcel waits for its
    recipient: silence there is neither a stall nor a loss (issue 13 §1)."""
    scans = [e for e in timeline.scans if e.occurred_at <= at and e.status.value != "unknown"]
    return bool(scans) and max(scans, key=lambda e: e.occurred_at).status.value == (
        "available_for_pickup"
    )


def stall_policy(pack: Pack, **config: Any) -> Callable[[], None]:
    """A silence of 24h opens a P3 stall exactly then; at 72h it becomes P2."""
    # Longer than 24h: a scan at exactly 24h comes before the stall's timer and ends it.
    silences = st.timedeltas(min_value=timedelta(hours=24, minutes=1), max_value=timedelta(days=5))

    @settings(database=None, **config)
    @given(timelines(stall=silences))
    def check(timeline: Timeline) -> None:
        stall = timeline.situation("stall")
        assert stall is not None
        assert stall.until is not None
        due = stall.at + timedelta(hours=24)
        assert "tracking_stall" not in kinds_at(pack, timeline, due - MINUTE)
        if waiting_at_pickup_point(timeline, stall.at):
            assert "tracking_stall" not in kinds_at(pack, timeline, due)
            return
        incident = kinds_at(pack, timeline, due).get("tracking_stall")
        assert incident is not None, "no stall 24h after the last scan"
        assert incident.opened_at == due
        assert incident.severity == "P3"
        if stall.until - stall.at >= timedelta(hours=72):
            found = kinds_at(pack, timeline, stall.at + timedelta(hours=72))
            if "tracking_stall" in found:
                assert found["tracking_stall"].severity == "P2"
            else:  # in line haul, the transit delay (a later stage) superseded it
                assert "transit_delay" in found or "lost" in found

    return check


def lost_policy(pack: Pack, **config: Any) -> Callable[[], None]:
    """Silence presumes a parcel lost after 7 days (10 days cross-border), as P1."""
    silences = st.timedeltas(min_value=timedelta(days=10), max_value=timedelta(days=12))

    @settings(database=None, **config)
    @given(timelines(stall=silences))
    def check(timeline: Timeline) -> None:
        stall = timeline.situation("stall")
        assert stall is not None
        threshold = timedelta(days=10 if timeline.shipment.cross_border else 7)
        due = stall.at + threshold
        assert "lost" not in kinds_at(pack, timeline, due - MINUTE)
        if waiting_at_pickup_point(timeline, stall.at):
            assert "lost" not in kinds_at(pack, timeline, due)
            return
        incident = kinds_at(pack, timeline, due).get("lost")
        assert incident is not None, f"not presumed lost {threshold} after the last scan"
        assert incident.opened_at == due
        assert incident.severity == "P1"

    return check


def customs_policy(pack: Pack, **config: Any) -> Callable[[], None]:
    """A customs hold is P1 at once, with customs documents due within 24h."""

    @settings(database=None, **config)
    @given(timelines(CUSTOMS_LANES, customs_hold=True))
    def check(timeline: Timeline) -> None:
        hold = timeline.situation("customs_hold")
        assert hold is not None
        assert "customs_hold" not in kinds_at(pack, timeline, hold.at - MINUTE)
        incident = kinds_at(pack, timeline, hold.at).get("customs_hold")
        assert incident is not None
        assert incident.severity == "P1"
        assert incident.opened_at == hold.at
        assert incident.deadlines["documents"] == hold.at + timedelta(hours=24)

    return check


def attempts_policy(pack: Pack, **config: Any) -> Callable[[], None]:
    """A failed attempt is P2 with a solution due in 12h; the third one makes it P1,
    and from then on the solution is due 12h after the latest attempt."""

    @settings(database=None, **config)
    @given(timelines(failed_attempts=st.integers(1, 4)))
    def check(timeline: Timeline) -> None:
        attempts = [e for e in timeline.scans if e.status.value == "attempt_failed"]
        for number, attempt in enumerate(attempts, 1):
            incident = kinds_at(pack, timeline, attempt.occurred_at).get("delivery_failure")
            assert incident is not None
            assert incident.severity == ("P1" if number >= 3 else "P2")
            since = attempt.occurred_at if number >= 3 else attempts[0].occurred_at
            assert incident.deadlines["solution"] == since + timedelta(hours=12)

    return check


def damage_policy(pack: Pack, **config: Any) -> Callable[[], None]:
    """Up to 5% damage: reship free (P3); above: compensate (P2, P1 from 500)."""
    ratios = st.integers(0, 100).map(lambda n: n / 100)

    @settings(database=None, **config)
    @given(timelines(damage=ratios))
    def check(timeline: Timeline) -> None:
        damage = timeline.situation("damage")
        assert damage is not None
        incident = kinds_at(pack, timeline, damage.at)["damaged"]
        value = timeline.shipment.declared_value
        # 500 CNY, in the shipment's currency at the pack's rates
        high = pack.params_for(Facts.from_shipment(timeline.shipment)).high_value
        if damage.value <= 0.05:
            expected = ("P3", "reship_free")
        elif value is not None and value >= high:
            expected = ("P1", "compensate_declared_value")
        else:
            expected = ("P2", "compensate_declared_value")
        assert (incident.severity, incident.remedy.code) == expected

    return check


POLICIES = {
    "stall": stall_policy,
    "lost": lost_policy,
    "customs": customs_policy,
    "attempts": attempts_policy,
    "damage": damage_policy,
}


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_the_default_pack_follows_the_policy(name: str) -> None:
    POLICIES[name](DEFAULT)()


def _broken(old: str, new: str) -> Pack:
    assert DEFAULT_YAML.count(old) == 1, old
    return loads_pack(DEFAULT_YAML.replace(old, new), file="<broken default>")


STALL_24H = "stall_after:\n    type: duration\n    default: 24h"
STALL_P3 = "after: stall_after\n    severity: P3"
HOLD_P1 = "reason in ('customs_hold', 'payment_required')\n    severity: P1"
BREAKS = {
    # a threshold off by an hour
    "stall an hour late": (STALL_24H, STALL_24H.replace("24h", "25h"), "stall"),
    "stall an hour early": (STALL_24H, STALL_24H.replace("24h", "23h"), "stall"),
    "cross-border loss an hour late": ("{cross_border: 10d}", "{cross_border: 10d1h}", "lost"),
    # a wrong severity
    "stall opens as P2": (STALL_P3, STALL_P3.replace("P3", "P2"), "stall"),
    "customs hold only P2": (HOLD_P1, HOLD_P1.replace("P1", "P2"), "customs"),
}


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_a_broken_copy_of_the_default_pack_is_caught(name: str) -> None:
    old, new, policy = BREAKS[name]
    # Finding the failure is the point; shrinking it would only cost time here.
    check = POLICIES[policy](_broken(old, new), phases=[Phase.generate])
    with pytest.raises(AssertionError):
        check()


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(timelines(failed_attempts=1, outcome="in_transit"))
def test_the_helpers_can_fail(timeline: Timeline) -> None:
    """A check that cannot fail is no check: a plan that loses an event on the way
    ends differently from the batch over the whole timeline, and the helpers say how."""
    attempt = next(e for e in timeline.events if e.status.value == "attempt_failed")
    lossy = ArrivalPlan(
        timeline,
        (Upsert(timeline.shipment), Ingest(tuple(e for e in timeline.events if e is not attempt))),
    )
    with pytest.raises(AssertionError, match="incremental and batch disagree") as info:
        assert_incremental_equals_batch(DEFAULT, lossy)
    assert "only batch: delivery_failure P2" in str(info.value)
    assert "ArrivalPlan for" in str(info.value)
    with pytest.raises(AssertionError, match="arrival order changed the incidents"):
        assert_arrival_order_irrelevant(DEFAULT, lossy)
