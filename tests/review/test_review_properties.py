"""Properties of any review: every breakdown sums to the totals, rates stay in [0, 1],
and the loss by kind, cause or carrier sums to the total loss."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from review_support import SINCE, UNTIL, incident, parcel

from logix_rules.review import (
    IncidentRecord,
    Review,
    ReviewData,
    ReviewSettings,
    build_review,
)
from logix_rules.runtime._actions import Action
from logix_rules.runtime._incidents import IncidentState

pytestmark = pytest.mark.slow

START = SINCE - timedelta(days=21)
SPAN = int((UNTIL - START) / timedelta(hours=1))

hours = st.integers(min_value=0, max_value=SPAN)
maybe_hours = st.none() | st.integers(min_value=0, max_value=SPAN + 48)


@st.composite
def histories(draw: st.DrawFn) -> ReviewData:
    parcels = []
    for i in range(draw(st.integers(0, 12))):
        shipped = START + timedelta(hours=draw(hours))
        delivered = draw(maybe_hours)
        parcels.append(
            parcel(
                f"P{i}",
                draw(st.sampled_from(("dhl", "ups", "usps"))),
                draw(st.sampled_from(("DE-DE", "US-US", "CN-US"))),
                draw(st.sampled_from(("apparel", "home", None))),
                shipped,
                shipped + timedelta(hours=draw(st.integers(1, 200))),
                None if delivered is None else shipped + timedelta(hours=delivered % 300),
                shipped + timedelta(hours=1),
                str(draw(st.integers(1, 500))),
                draw(st.sampled_from(("EUR", "USD"))),
            )
        )
    records, actions = [], []
    for j in range(draw(st.integers(0, 15))):
        tn = draw(st.sampled_from([p.tracking_number for p in parcels] + ["PX"]))
        opened = START + timedelta(hours=draw(hours))
        state = draw(st.sampled_from(list(IncidentState)))
        resolved = opened + timedelta(hours=draw(st.integers(0, 30)))
        is_resolved = state is IncidentState.RESOLVED
        made = incident(
            f"I{j}",
            tn,
            draw(st.sampled_from(("dhl", "ups", "usps"))),
            draw(st.sampled_from(("tracking_stall", "lost", "damaged", "delivery_delay"))),
            opened,
            opened + timedelta(hours=draw(st.integers(1, 24))),
            state=state,
            acknowledged=draw(st.none() | st.just(opened + timedelta(minutes=20))),
            resolved=resolved if is_resolved else None,
            deadlines=draw(st.sampled_from(({}, {"claim": opened + timedelta(hours=24)}))),
            remedy=draw(st.none() | st.just(("claim", "12.50", "EUR"))),
            source=draw(st.sampled_from(("carrier", "customer"))),
        )
        row_state = {"cleared": "closed"}.get(state.value, state.value)
        records.append(IncidentRecord(made, None, row_state, resolved if is_resolved else None))
        for what in draw(st.lists(st.sampled_from(("acknowledged", "claim_filed", "called")))):
            actions.append(Action(made.id, what, "ana", opened + timedelta(hours=1)))
        if is_resolved:
            actions.append(Action(made.id, "resolved", "ana", resolved))
    return ReviewData.from_lists(shipments=parcels, incidents=records, actions=actions)


def _ratios(review: Review) -> list[float | None]:
    found = [k.figure.value for k in review.kpis if k.figure.unit == "ratio"]
    found += [row.rate.value for table in review.breakdowns.values() for row in table.rows]
    for card in review.scorecards:
        found += [
            card.exception_rate.value,
            card.on_time_rate.value,
            card.rectification_rate.value,
            card.claim_timeliness.value,
        ]
    found += [cell.rate.value for cell in review.heatmap]
    return found


@settings(deadline=timedelta(seconds=5))  # examples: the profile's (ci: 60)
@given(histories(), st.sampled_from(("weekly", "monthly")))
def test_breakdowns_sum_to_the_totals_and_rates_stay_in_range(data: ReviewData, kind: str) -> None:
    review = build_review(data, kind=kind, until=UNTIL, settings=ReviewSettings())
    for dimension, table in review.breakdowns.items():
        total = table.total
        assert sum(row.incidents for row in table.rows) == total.incidents, dimension
        assert sum(row.this_week for row in table.rows) == total.this_week, dimension
        assert sum(row.last_week for row in table.rows) == total.last_week, dimension
        if dimension in ("carrier", "lane", "category", "region"):
            assert sum(row.shipped for row in table.rows) == total.shipped, dimension
            assert sum(row.excepted for row in table.rows) == total.excepted, dimension
        for row in table.rows:
            assert row.excepted <= row.shipped
    kinds = review.breakdowns["kind"].total
    assert kinds.incidents == sum(sum(w.by_kind.values()) for w in review.weeks[-1:]) or (
        review.kind == "monthly"
    )
    for value in _ratios(review):
        assert value is None or 0.0 <= value <= 1.0
    loss = review.loss
    for groups in (loss.by_kind, loss.by_cause, loss.by_carrier):
        summed: dict[str, Decimal] = {}
        for amounts in groups.values():
            for currency, amount in amounts.items():
                summed[currency] = summed.get(currency, Decimal(0)) + amount
        assert summed == loss.total
