"""The public Hypothesis strategies: what they generate (counted), how they validate
their arguments, how they shrink, and their registration through entry points."""

from __future__ import annotations

import importlib.metadata
import itertools
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from logix_carriers import Shipment, TrackingEvent
from logix_rules import Engine, evaluate, load_pack
from logix_rules.strategies import (
    EPOCH,
    OUTCOMES,
    SITUATIONS,
    Advance,
    ArrivalPlan,
    Ingest,
    Timeline,
    Upsert,
    arrivals,
    eventful_timelines,
    shipments,
    timelines,
)

T = TypeVar("T")
PACK = load_pack("default")
CUSTOMS = shipments(lanes=["CN-US", "US-BR", "CN-IN", "CN-DE"])
pytestmark = pytest.mark.slow


def each(strategy: st.SearchStrategy[T], check: Callable[[T], None], examples: int = 25) -> None:
    """Run ``check`` on ``examples`` values of ``strategy``.

    Derandomized: several callers count how often a situation comes up, and such a
    count must not depend on the run's random seed.
    """

    @settings(
        max_examples=examples,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(strategy)
    def run(value: T) -> None:
        check(value)

    run()


def smallest(strategy: st.SearchStrategy[T]) -> T:
    """The value ``strategy`` shrinks to."""
    return find(strategy, lambda _: True, settings=settings(database=None))


def one(strategy: st.SearchStrategy[T]) -> T:
    """Some value of ``strategy`` (drawing it, so arguments get validated)."""
    found: list[T] = []

    @settings(max_examples=1, database=None, phases=[Phase.generate])
    @given(strategy)
    def draw(value: T) -> None:
        found.append(value)

    draw()
    return found[0]


def gaps(timeline: Timeline) -> list[timedelta]:
    times = [e.occurred_at for e in timeline.scans]
    return [b - a for a, b in itertools.pairwise(times)]


# ------------------------------------------------------------------ each knob, verified


def test_a_plain_timeline_is_a_clean_journey() -> None:
    def check(tl: Timeline) -> None:
        assert tl.situations == ()
        assert tl.events == tl.distinct_events  # no noise: the feed is in time order
        assert all(gap <= timedelta(hours=12) for gap in gaps(tl))
        assert tl.events[0].status.value == "info_received"
        assert tl.events[0].occurred_at == tl.shipment.shipped_at
        assert tl.end >= tl.events[-1].occurred_at
        assert tl.outcome in OUTCOMES
        final = tl.scans[-1].status.value
        assert (final in ("delivered", "returned")) == (tl.outcome in ("delivered", "returned"))
        if tl.shipment.promised_at is not None:
            delivered = next((e for e in tl.scans if e.status.value == "delivered"), None)
            assert (delivered.occurred_at if delivered else tl.end) < tl.shipment.promised_at

    each(timelines(), check, 50)


def test_stall() -> None:
    def check(tl: Timeline) -> None:
        stall = tl.situation("stall")
        assert stall is not None
        assert stall.value == timedelta(hours=30)
        assert stall.until is not None
        assert stall.until - stall.at == timedelta(hours=30)
        scan_times = [e.occurred_at for e in tl.scans]
        assert stall.at in scan_times
        assert stall.until in scan_times or stall.until == tl.end
        assert stall.at > tl.scans[0].occurred_at  # after the pickup, not pre-transit
        silent = [e for e in tl.scans if stall.at < e.occurred_at < stall.until]
        assert silent == []

    each(timelines(stall=timedelta(hours=30)), check)


def test_customs_hold_and_customs_time() -> None:
    def check(tl: Timeline) -> None:
        holds = [e for e in tl.scans if e.reason is not None and e.reason.value == "customs_hold"]
        assert len(holds) == 1
        assert holds[0].stage.value == "customs"
        hold = tl.situation("customs_hold")
        assert hold is not None
        assert hold.at == holds[0].occurred_at
        entry = next(e for e in tl.scans if e.status.value == "customs")
        spent = tl.situation("customs_time")
        assert spent is not None
        assert spent.at == entry.occurred_at
        assert spent.until is not None
        assert spent.until - spent.at == timedelta(hours=50)
        later = [e for e in tl.scans if e.occurred_at > entry.occurred_at]
        outside = [e for e in later if e.stage.value != "customs"]
        assert all(e.occurred_at >= spent.until for e in outside)

    each(timelines(CUSTOMS, customs_hold=True, customs_time=timedelta(hours=50)), check)


def test_failed_attempts() -> None:
    def check(tl: Timeline) -> None:
        attempts = [e for e in tl.scans if e.status.value == "attempt_failed"]
        assert len(attempts) == 3
        assert {e.reason.value for e in attempts if e.reason} <= {
            "recipient_unavailable",
            "address_issue",
            "business_closed",
        }
        situation = tl.situation("failed_attempts")
        assert situation is not None
        assert situation.value == 3

    each(timelines(failed_attempts=3), check)


@pytest.mark.parametrize("ratio", [0.3, True])
def test_damage(ratio: Any) -> None:
    def check(tl: Timeline) -> None:
        (damaged,) = [e for e in tl.scans if e.reason is not None and e.reason.value == "damaged"]
        if ratio is True:
            assert "damage_ratio" not in damaged.attributes
        else:
            assert damaged.attributes["damage_ratio"] == ratio
        assert damaged.occurred_at > tl.scans[1].occurred_at - timedelta(seconds=1)
        situation = tl.situation("damage")
        assert situation is not None
        assert situation.value == (None if ratio is True else ratio)

    each(timelines(damage=ratio), check)


def test_lost_and_refused() -> None:
    def lost(tl: Timeline) -> None:
        assert tl.outcome == "lost"
        last = tl.scans[-1]
        assert (last.status.value, last.reason.value if last.reason else None) == (
            "exception",
            "lost",
        )

    def refused(tl: Timeline) -> None:
        statuses = [e.status.value for e in tl.scans]
        assert "delivered" not in statuses
        refusals = [e for e in tl.scans if e.reason is not None and e.reason.value == "refused"]
        assert refusals[0].status.value == "exception"
        assert tl.outcome in ("in_transit", "returned")

    each(timelines(lost=True), lost)
    each(timelines(refused=True), refused)


def test_late_delivery() -> None:
    def check(tl: Timeline) -> None:
        delivered = next((e for e in tl.scans if e.status.value == "delivered"), None)
        reference = delivered.occurred_at if delivered else tl.end
        assert tl.shipment.promised_at is not None
        assert reference - tl.shipment.promised_at == timedelta(hours=5)
        situation = tl.situation("late")
        assert situation is not None
        assert situation.at == tl.shipment.promised_at

    each(timelines(late=timedelta(hours=5)), check)


@pytest.mark.parametrize("reason", ["not_received", "wrong_item", "missing_items", "damaged"])
def test_customer_reports(reason: str) -> None:
    def check(tl: Timeline) -> None:
        (report,) = [e for e in tl.distinct_events if e.is_report]
        assert report.reason is not None
        assert report.reason.value == reason
        assert report.source.system in ("customer", "warehouse")
        assert report.occurred_at > tl.scans[-1].occurred_at  # after what it reacts to
        assert report.occurred_at <= tl.end

    each(timelines(customer_report=reason), check, 10)


def test_carrier_noise() -> None:
    skews: list[timedelta] = []

    def check(tl: Timeline) -> None:
        assert len(tl.events) - len(tl.distinct_events) == 2
        arrival = [e.occurred_at for e in tl.events]
        assert arrival != sorted(arrival)  # something arrives after a later scan
        skew = tl.situation("clock_skew")
        if skew is not None:
            assert timedelta(0) < skew.value <= timedelta(minutes=30)
            skews.append(skew.value)

    each(timelines(duplicates=2, out_of_order=True, clock_skew=timedelta(minutes=30)), check, 25)
    assert len(skews) >= 5


def test_knobs_take_strategies() -> None:
    def check(tl: Timeline) -> None:
        stall = tl.situation("stall")
        assert stall is not None
        assert timedelta(hours=20) <= stall.value <= timedelta(hours=40)
        attempts = sum(e.status.value == "attempt_failed" for e in tl.scans)
        assert 1 <= attempts <= 2

    each(
        timelines(
            stall=st.timedeltas(min_value=timedelta(hours=20), max_value=timedelta(hours=40)),
            failed_attempts=st.integers(1, 2),
            outcome=st.sampled_from(["delivered", "returned"]),
        ),
        check,
    )


def test_size_bounds() -> None:
    each(timelines(min_size=9, max_size=11), lambda tl: 9 <= len(tl.scans) <= 11 or _fail(tl))
    each(timelines(max_size=3), lambda tl: len(tl.scans) <= 3 or _fail(tl))


def _fail(tl: Timeline) -> None:
    raise AssertionError(repr(tl))


# ---------------------------------------------------------- every situation, counted


def test_eventful_timelines_generate_every_situation_and_outcome() -> None:
    seen: Counter[str] = Counter()

    def check(tl: Timeline) -> None:
        seen.update(s.kind for s in tl.situations)
        seen.update(f"outcome:{tl.outcome}" for _ in [0])
        seen.update(f"lane:{'cross' if tl.shipment.cross_border else 'domestic'}" for _ in [0])

    each(eventful_timelines(), check, 200)
    for kind in SITUATIONS:
        assert seen[kind] >= 5, (kind, seen)
    for outcome in OUTCOMES:
        assert seen[f"outcome:{outcome}"] >= 5, (outcome, seen)
    assert seen["lane:cross"] >= 20
    assert seen["lane:domestic"] >= 20


def test_clean_timelines_raise_nothing_under_the_default_pack() -> None:
    def check(tl: Timeline) -> None:
        incidents = evaluate(PACK, tl.events, at=tl.end, shipment=tl.shipment)
        assert incidents == [], (tl, [i.kind for i in incidents])

    each(timelines(outcome=st.sampled_from(["in_transit", "delivered"])), check, 60)


# ------------------------------------------------------------------------------ shipments


def test_shipments() -> None:
    seen: Counter[bool] = Counter()

    def check(ship: Shipment) -> None:
        seen[ship.cross_border] += 1
        assert ship.shipped_at is not None
        assert ship.promised_at is not None
        assert ship.promised_at > ship.shipped_at
        assert ship.currency is not None
        assert ship.declared_value is not None
        assert ship.freight_cost is not None
        assert ship.category

    each(shipments(), check, 60)
    assert seen[True] >= 10
    assert seen[False] >= 10
    each(shipments(cross_border=True), lambda s: s.cross_border or _fail_ship(s))
    when = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    ship = one(
        shipments(
            lanes=["CN-BR"],
            shipped_at=when,
            declared_value=750,
            categories=["books"],
            carriers=["yunexpress"],
        )
    )
    assert (ship.lane, ship.carrier, ship.shipped_at) == ("CN-BR", "yunexpress", when)
    assert (ship.declared_value, ship.category) == (Decimal(750), "books")
    assert one(shipments(promised=False)).promised_at is None


def _fail_ship(ship: Shipment) -> None:
    raise AssertionError(ship)


# ----------------------------------------------------------------- validation at draw time


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: shipments(lanes=["XX-YY"]), "not an ISO-3166"),
        (lambda: shipments(lanes="CN-US"), "non-empty list"),
        (lambda: shipments(lanes=["DE-DE"], cross_border=True), "no lane"),
        (lambda: timelines(stall=timedelta(hours=-1)), "positive"),
        (lambda: timelines(stall=24), "timedelta"),
        (lambda: timelines(failed_attempts=-1), "between 0 and 10"),
        (lambda: timelines(damage=1.5), "between 0 and 1"),
        (lambda: timelines(lost=True, refused=True), "cannot both"),
        (lambda: timelines(customer_report="angry"), "must be one of"),
        (lambda: timelines(outcome="vanished"), "must be one of"),
        (lambda: timelines(min_size=5, max_size=2), "min_size"),
        (lambda: timelines(max_gap=timedelta(minutes=1)), "max_gap"),
        (
            lambda: timelines(first_domestic(), customs_hold=True),
            "goes through customs",
        ),
        (
            lambda: timelines(failed_attempts=5, outcome="delivered", max_size=4),
            "no timeline fits",
        ),
        (lambda: arrivals(timelines(), max_duplicates=-1), "max_duplicates"),
        (lambda: arrivals(timelines(), shipment="later"), "shipment="),
        (lambda: arrivals(st.just("not a timeline")), "needs a Timeline"),
    ],
)
def test_bad_arguments_raise_invalid_argument_when_drawn(
    make: Callable[[], st.SearchStrategy[Any]], message: str
) -> None:
    strategy = make()  # building the strategy never raises: Hypothesis style
    with pytest.raises(InvalidArgument, match=message):
        one(strategy)


def first_domestic() -> Shipment:
    return Shipment(
        tracking_number="T1",
        carrier="dhl",
        origin_country="DE",
        destination_country="DE",
        shipped_at=EPOCH,
    )


# ------------------------------------------------------------------------------ shrinking


def test_examples_shrink_to_short_readable_timelines() -> None:
    smallest_stall = smallest(timelines(stall=st.timedeltas(min_value=timedelta(hours=24))))
    assert smallest_stall.shipment.shipped_at == EPOCH
    assert len(smallest_stall.scans) <= 3
    assert all(
        gap <= timedelta(minutes=10) or gap >= timedelta(hours=24) for gap in gaps(smallest_stall)
    )
    text = repr(smallest_stall)
    assert text.splitlines()[0].startswith("Timeline(DE-DE dhl ")
    assert len(text.splitlines()) <= 6

    both = smallest(timelines(one(CUSTOMS), customs_hold=True, damage=0.3))
    assert len(both.events) <= 9
    assert "exception/customs_hold" in repr(both)
    assert "{'damage_ratio': 0.3}" in repr(both)


def test_failing_examples_print_one_scan_a_line() -> None:
    @settings(database=None, max_examples=5, phases=[Phase.generate])
    @given(timelines(failed_attempts=2))
    def broken(tl: Timeline) -> None:
        raise AssertionError("always")

    with pytest.raises(AssertionError) as info:
        broken()
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "attempt_failed/recipient_unavailable" in notes
    assert "Timeline(" in notes
    assert "TrackingEvent(" not in notes


# ------------------------------------------------------------------------------ arrivals


def test_arrival_plans() -> None:
    def check(plan: ArrivalPlan) -> None:
        tl = plan.timeline
        ids = Counter(e.event_id for e in plan.events)
        assert set(ids) == {e.event_id for e in tl.events}
        assert sum(ids.values()) - len(tl.events) <= 3
        advances = [s for s in plan.steps if isinstance(s, Advance)]
        assert len(advances) <= 3
        assert sum(isinstance(s, Upsert) for s in plan.steps) == 1
        assert all(isinstance(s, Ingest | Advance | Upsert) for s in plan.steps)
        assert plan.horizon >= tl.end
        engine = Engine(PACK)
        plan.apply(engine)
        assert len(engine) == 1

    each(arrivals(eventful_timelines()), check, 20)
    never = one(arrivals(timelines(max_size=3), shipment="never"))
    assert not any(isinstance(s, Upsert) for s in never.steps)
    timeline = one(timelines(max_size=4))
    plan = smallest(arrivals(st.just(timeline), shipment="first"))
    assert isinstance(plan.steps[0], Upsert)
    assert plan.steps[1:] == (Ingest(plan.timeline.events),)  # shrinks to the feed, one batch
    assert repr(plan).startswith("ArrivalPlan for ")


# ---------------------------------------------------------------- registration, imports


def test_type_strategies_are_registered_through_the_entry_point() -> None:
    names = {e.value for e in importlib.metadata.entry_points(group="hypothesis")}
    assert "logix_rules.strategies:_hypothesis_setup_hook" in names
    plugins = {e.value for e in importlib.metadata.entry_points(group="pytest11")}
    assert "logix_rules.testing._pytest_plugin" in plugins
    for kind in (Shipment, TrackingEvent, Timeline):
        each(st.from_type(kind), lambda value, kind=kind: _is(value, kind), 3)


def _is(value: object, kind: type) -> None:
    assert isinstance(value, kind), value


def test_logix_rules_imports_without_hypothesis() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "import logix_rules, logix_rules.cli._main\n"
        "assert 'logix_rules.strategies' not in sys.modules\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr
