"""Every figure of a review on the hand-built history of review_support, with the
value, numerator and denominator worked out by hand; and the empty/undefined cases."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest
from review_support import SINCE, UNTIL, history

from logix_rules.review import (
    Figure,
    GradeBounds,
    Period,
    Review,
    ReviewData,
    ReviewError,
    ReviewSettings,
    build_review,
)

PERIOD = Period(SINCE, UNTIL)
PREVIOUS = Period(datetime(2026, 2, 23, tzinfo=UTC), SINCE)
ONE = ReviewSettings(grade_min_sample=1)


@pytest.fixture(scope="module")
def review() -> Review:
    return build_review(history(), since=SINCE, until=UNTIL, settings=ONE)


def figure(value: float | None, num: float | None, den: float | None, unit: str = "ratio") -> tuple:
    return (pytest.approx(value) if value is not None else None, unit, num, den)


def shape(f: Figure) -> tuple:
    return (
        f.value,
        f.unit,
        pytest.approx(f.numerator) if f.numerator else f.numerator,
        f.denominator,
    )


# -- KPIs ---------------------------------------------------------------------------


def test_exception_rate_is_parcels_with_an_incident_over_parcels_shipped(review: Review) -> None:
    kpi = review.kpi("exception_rate")
    assert shape(kpi.figure) == figure(0.75, 3, 4)  # P2, P3, P4 of P1–P4
    assert kpi.figure.period == PERIOD
    assert shape(kpi.previous) == figure(1.0, 1, 1)  # P5 and its stall
    assert kpi.previous.period == PREVIOUS
    assert (kpi.met, kpi.trend, kpi.improving) == (False, "down", True)


def test_first_contact_resolution_counts_the_contacts_before_the_resolution(
    review: Review,
) -> None:
    kpi = review.kpi("first_contact_resolution")
    # I1: acknowledged, resolved (one contact); I2: a customer contact, then resolved.
    assert shape(kpi.figure) == figure(0.5, 1, 2)
    assert shape(kpi.previous) == figure(1.0, 1, 1)
    assert (kpi.met, kpi.trend, kpi.improving) == (False, "down", False)


def test_mean_handling_time_is_opened_to_resolved(review: Review) -> None:
    kpi = review.kpi("mean_handling_time")
    assert shape(kpi.figure) == figure(6.5, 13.0, 2, "hours")  # 3 h and 10 h
    assert shape(kpi.previous) == figure(6.0, 6.0, 1, "hours")
    assert kpi.met is False
    assert kpi.target is not None
    assert kpi.target.value == 4.0


def test_handling_cycle_runs_from_a_parcels_first_incident_to_its_last_closing(
    review: Review,
) -> None:
    kpi = review.kpi("handling_cycle")
    # P2: 3 h (0.125 d); P3: I3 opened 03-06 00:00 to I2 resolved 03-07 10:00 (34 h);
    # P4 and PX still have open incidents.
    assert shape(kpi.figure) == figure(1.5416667 / 2, 0.125 + 34 / 24, 2, "days")
    assert shape(kpi.previous) == figure(0.25, 0.25, 1, "days")
    assert kpi.met is True


def test_complaint_rate_counts_customer_reports(review: Review) -> None:
    kpi = review.kpi("complaint_rate")
    assert shape(kpi.figure) == figure(0.25, 1, 4)  # I4 came from the customer
    assert shape(kpi.previous) == (0.0, "ratio", 0, 1)
    assert kpi.met is False


# -- statistics ---------------------------------------------------------------------


def rows(review: Review, dimension: str) -> dict[str, tuple]:
    return {
        row.key: (row.shipped, row.excepted, row.incidents, row.last_week, row.this_week)
        for row in review.breakdowns[dimension].rows
    }


def test_breakdown_by_carrier(review: Review) -> None:
    assert rows(review, "carrier") == {
        "ups": (2, 2, 3, 0, 3),
        "dhl": (2, 1, 1, 1, 1),
        "usps": (0, 0, 1, 0, 1),  # I6, on a parcel without facts: the incident's carrier
    }
    table = review.breakdowns["carrier"]
    assert (table.total.shipped, table.total.excepted, table.total.incidents) == (4, 3, 5)
    usps = next(row for row in table.rows if row.key == "usps")
    assert usps.rate.value is None
    assert usps.rate.undefined == "no parcels shipped (usps) in the period"
    assert next(row for row in table.rows if row.key == "dhl").rate.value == 0.5


def test_breakdowns_by_kind_lane_category_region_and_cause(review: Review) -> None:
    assert rows(review, "kind") == {
        "delivery_delay": (4, 2, 2, 0, 2),
        "tracking_stall": (4, 1, 1, 1, 1),
        "damaged": (4, 1, 1, 0, 1),
        "refused": (4, 0, 1, 0, 1),
    }
    assert rows(review, "lane") == {
        "US-US": (2, 2, 3, 0, 3),
        "DE-DE": (2, 1, 1, 1, 1),
        "unknown": (0, 0, 1, 0, 1),
    }
    assert rows(review, "category") == {
        "apparel": (2, 1, 2, 0, 2),
        "electronics": (1, 1, 1, 0, 1),
        "home": (1, 1, 1, 0, 1),
        "unknown": (0, 0, 1, 1, 1),  # I6 this week, P5's stall the week before
    }
    assert rows(review, "region") == {
        "US": (2, 2, 3, 0, 3),
        "DE": (2, 1, 1, 1, 1),
        "unknown": (0, 0, 1, 0, 1),
    }
    # Incidents carry no cause yet (or "unknown"): every one lands there.
    assert rows(review, "cause") == {"unknown": (4, 3, 5, 1, 5)}


def test_top_movements_are_the_biggest_weekly_changes(review: Review) -> None:
    assert [str(m) for m in review.movements] == [
        "cause unknown: 1 → 5 (+4)",
        "carrier ups: 0 → 3 (+3)",
        "lane US-US: 0 → 3 (+3)",
        "region US: 0 → 3 (+3)",
        "kind delivery_delay: 0 → 2 (+2)",
    ]


def test_weekly_series_by_kind(review: Review) -> None:
    assert len(review.weeks) == 8
    assert review.weeks[-1].period == PERIOD
    assert review.weeks[-1].by_kind == {
        "delivery_delay": 2,
        "tracking_stall": 1,
        "damaged": 1,
        "refused": 1,
    }
    assert review.weeks[-2].by_kind == {"tracking_stall": 1}
    assert all(week.by_kind == {} for week in review.weeks[:-2])
    # The chart colours each kind by its usual severity (every incident here is P2).
    assert review.kind_severity == dict.fromkeys(
        ("damaged", "delivery_delay", "refused", "tracking_stall"), "P2"
    )


# -- carriers -----------------------------------------------------------------------


def test_dhl_scorecard(review: Review) -> None:
    dhl = next(card for card in review.scorecards if card.carrier == "dhl")
    assert shape(dhl.exception_rate) == figure(0.5, 1, 2)
    assert shape(dhl.rectification_rate) == figure(1.0, 1, 1)  # I1 resolved by 08:00
    assert dhl.claim_timeliness.value is None
    assert dhl.claim_timeliness.undefined == "no claims due in the period"
    assert shape(dhl.ack_median) == (0.5, "hours", None, 1)
    assert shape(dhl.ack_p90) == (0.5, "hours", None, 1)
    # P1 and P5 kept their promise, P2 did not.
    assert shape(dhl.on_time_rate) == figure(2 / 3, 2, 3)
    (lane,) = dhl.transit
    assert lane.lane == "DE-DE"
    assert shape(lane.mean) == figure((46 / 24 + 2.5 + 5.5) / 3, 46 / 24 + 8, 3, "days")
    assert shape(lane.p90) == (pytest.approx(4.9), "days", None, 3)


def test_ups_and_usps_scorecards(review: Review) -> None:
    ups = next(card for card in review.scorecards if card.carrier == "ups")
    assert shape(ups.exception_rate) == figure(1.0, 2, 2)
    # I2 resolved two hours late, I4 not at all; I3 cleared by itself: not counted.
    assert shape(ups.rectification_rate) == (0.0, "ratio", 0, 2)
    assert shape(ups.claim_timeliness) == figure(1.0, 1, 1)  # filed 19:00, due 20:00
    assert shape(ups.ack_median) == (2.0, "hours", None, 1)
    assert shape(ups.on_time_rate) == (0.0, "ratio", 0, 1)  # P3 never arrived
    assert [(t.lane, t.mean.value) for t in ups.transit] == [("US-US", 3.0)]
    usps = next(card for card in review.scorecards if card.carrier == "usps")
    assert usps.exception_rate.value is None
    assert usps.on_time_rate.value is None
    assert usps.ack_median.undefined == "no acknowledgements in the period"


def test_grades_ranks_and_replacement_candidates(review: Review) -> None:
    assert [(c.rank, c.carrier, c.grade, c.replace) for c in review.scorecards] == [
        (1, "dhl", "D", True),
        (2, "ups", "D", True),
        (3, "usps", "D", True),
    ]
    assert review.replacement_candidates == ("dhl", "ups", "usps")


def test_grade_thresholds_are_parameters() -> None:
    lenient = attrs.evolve(
        ONE,
        grades={"A": GradeBounds(0.6, 0.6, 0.9), "B": GradeBounds(1.0, 0.0, 0.0)},
        replace_grades=("C", "D"),
    )
    graded = build_review(history(), since=SINCE, until=UNTIL, settings=lenient)
    assert [(c.carrier, c.grade, c.replace) for c in graded.scorecards] == [
        ("dhl", "A", False),
        ("ups", "B", False),
        ("usps", "B", False),
    ]


def test_a_grade_needs_enough_cases() -> None:
    # With the default minimum of 5 cases no figure of this small history counts.
    graded = build_review(history(), since=SINCE, until=UNTIL)
    assert {c.grade for c in graded.scorecards} == {None}
    assert graded.replacement_candidates == ()


# -- lanes --------------------------------------------------------------------------


def test_recurring_delay_lanes(review: Review) -> None:
    assert [(f.lane, f.delays, f.flagged) for f in review.lanes] == [
        ("DE-DE", 2, False),
        ("US-US", 2, False),
    ]
    assert review.lanes[0].window == Period(datetime(2026, 2, 7, tzinfo=UTC), UNTIL)
    assert review.lanes[1].by_carrier == {"ups": 2}
    flagged = build_review(
        history(), since=SINCE, until=UNTIL, settings=attrs.evolve(ONE, recurring_delays=2)
    )
    assert [f.lane for f in flagged.flagged_lanes] == ["DE-DE", "US-US"]


def test_heatmap_and_transit_distribution(review: Review) -> None:
    assert [(c.lane, c.carrier, c.rate.numerator, c.rate.denominator) for c in review.heatmap] == [
        ("DE-DE", "dhl", 1, 2),
        ("US-US", "ups", 1, 2),  # P3's delay and stall; P4's damage is no delay
    ]
    assert [(s.lane, s.median.value, s.p90.value) for s in review.transit] == [
        ("DE-DE", 2.5, pytest.approx(4.9)),
        ("US-US", 3.0, 3.0),
    ]


# -- loss ---------------------------------------------------------------------------


def test_loss_per_currency_without_an_fx_table(review: Review) -> None:
    loss = review.loss
    assert loss.base_currency is None
    assert loss.total == {"EUR": Decimal("10"), "USD": Decimal("82.50")}
    assert loss.by_kind == {
        "delivery_delay": {"EUR": Decimal("10"), "USD": Decimal("2.50")},
        "damaged": {"USD": Decimal("80")},
    }
    assert loss.by_carrier == {"dhl": {"EUR": Decimal("10")}, "ups": {"USD": Decimal("82.50")}}
    assert loss.by_cause == {"unknown": {"EUR": Decimal("10"), "USD": Decimal("82.50")}}
    assert loss.declared == {"EUR": Decimal("400"), "USD": Decimal("130")}
    assert shape(loss.loss_rate["EUR"]) == figure(0.025, 10.0, 400.0)
    assert shape(loss.loss_rate["USD"]) == figure(82.5 / 130, 82.5, 130.0)
    assert loss.incidents_with_cost == 3
    assert review.to_dict()["loss"]["currency_mode"] == "per_currency"


def test_loss_in_one_reporting_currency() -> None:
    fx = attrs.evolve(
        ONE, base_currency="CNY", fx_rates={"EUR": Decimal("7.5"), "USD": Decimal("7")}
    )
    loss = build_review(history(), since=SINCE, until=UNTIL, settings=fx).loss
    assert loss.total == {"CNY": Decimal("652.5")}
    assert loss.declared == {"CNY": Decimal("3910")}
    assert shape(loss.loss_rate["CNY"]) == figure(652.5 / 3910, 652.5, 3910.0)
    assert loss.unconverted == {}


def test_amounts_without_a_rate_are_kept_apart() -> None:
    fx = attrs.evolve(ONE, base_currency="EUR", fx_rates={})
    loss = build_review(history(), since=SINCE, until=UNTIL, settings=fx).loss
    assert loss.total == {"EUR": Decimal("10")}
    assert loss.unconverted == {"USD": Decimal("82.50")}


# -- empty and undefined --------------------------------------------------------------


def test_an_empty_history_has_only_undefined_figures() -> None:
    empty = build_review(ReviewData.from_lists(), since=SINCE, until=UNTIL)
    for kpi in empty.kpis:
        assert kpi.figure.value is None, kpi.name
        assert kpi.previous.value is None, kpi.name
        assert kpi.figure.undefined
        assert kpi.met is None
        assert kpi.trend is None
    assert empty.kpi("exception_rate").figure.undefined == "no parcels shipped in the period"
    assert empty.kpi("mean_handling_time").figure.shown() == "n/a"
    assert all(not table.rows for table in empty.breakdowns.values())
    assert empty.breakdowns["kind"].total.rate.value is None
    assert (empty.scorecards, empty.lanes, empty.heatmap, empty.transit) == ((), (), (), ())
    assert empty.loss.total == {}
    assert empty.loss.loss_rate == {}
    assert empty.movements == ()


def test_a_figure_with_nothing_to_divide_by_is_never_zero(review: Review) -> None:
    document = review.to_dict()
    undefined = [f for f in _figures(document) if f["value"] is None]
    assert undefined, "the history has undefined figures (usps, claims of dhl...)"
    assert all(f["undefined"] for f in undefined)
    assert all(f["undefined"] is None for f in _figures(document) if f["value"] is not None)


def _figures(node: object) -> list[dict]:
    if isinstance(node, dict):
        if {"value", "unit", "numerator", "denominator", "period"} <= node.keys():
            return [node]
        return [f for value in node.values() for f in _figures(value)]
    if isinstance(node, list):
        return [f for value in node for f in _figures(value)]
    return []


def test_periods_and_their_errors() -> None:
    weekly = build_review(history(), kind="weekly", until=UNTIL)
    assert weekly.period == PERIOD
    assert weekly.title == "Weekly brief: 2 Mar 2026 – 8 Mar 2026"
    monthly = build_review(history(), kind="monthly", until=UNTIL)
    assert monthly.period == Period(datetime(2026, 2, 9, tzinfo=UTC), UNTIL)
    with pytest.raises(ReviewError) as caught:
        build_review(history(), since=UNTIL, until=SINCE)
    assert caught.value.code.value == "bad_review_period"
    assert caught.value.loc == "since"
    with pytest.raises(ReviewError) as caught:
        build_review(history(), until=datetime(2026, 3, 9))
    assert caught.value.code.value == "bad_review_period"
    assert caught.value.loc == "until"
    with pytest.raises(ReviewError):
        build_review(history(), until=UNTIL)  # custom needs since
