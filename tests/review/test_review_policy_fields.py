"""What the review reads from the policy work (issue 13): the incident's ``cause`` and
the default pack's FX table (``base_currency``, ``fx_rates``).  Each test skips, and
says why, while its field is not in the engine yet."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from review_support import ACTIONS, PARCELS, RECORDS, SINCE, UNTIL

from logix_rules import Incident, load_pack
from logix_rules.review import ReviewData, ReviewSettings, build_review, settings_from_pack


def test_statistics_and_loss_by_cause() -> None:
    if "cause" not in attrs.fields_dict(Incident):
        pytest.skip("Incident.cause is not there yet (issue 13 §3)")
    causes = {"I1": "carrier", "I2": "customer", "I3": "carrier", "I4": "carrier"}
    records = [
        attrs.evolve(r, incident=attrs.evolve(r.incident, cause=causes[r.incident.id]))
        if r.incident.id in causes
        else r
        for r in RECORDS
    ]
    data = ReviewData.from_lists(shipments=PARCELS, incidents=records, actions=ACTIONS)
    review = build_review(data, since=SINCE, until=UNTIL)
    rows = {row.key: (row.excepted, row.incidents) for row in review.breakdowns["cause"].rows}
    # P2 (I1), P3 (I2 customer, I3 carrier) and P4 (I4) had a carrier-caused incident.
    assert rows == {"carrier": (3, 3), "customer": (1, 1), "unknown": (0, 1)}
    assert review.loss.by_cause == {
        "carrier": {"EUR": Decimal("10"), "USD": Decimal("80")},
        "customer": {"USD": Decimal("2.50")},
    }


def test_the_default_packs_fx_table_gives_one_reporting_currency() -> None:
    pack = load_pack("default")
    if "fx_rates" not in pack.params or "base_currency" not in pack.params:
        pytest.skip("the default pack has no FX table yet (issue 13 §3)")
    settings = settings_from_pack(pack, ReviewSettings(grade_min_sample=1))
    base = str(pack.params["base_currency"].default)
    rates = {cur: Decimal(str(rate)) for cur, rate in pack.params["fx_rates"].values.items()}
    assert settings.base_currency == base
    assert settings.fx_rates == {**rates, base: Decimal(1)}
    data = ReviewData.from_lists(shipments=PARCELS, incidents=RECORDS, actions=ACTIONS)
    loss = build_review(data, since=SINCE, until=UNTIL, settings=settings).loss
    total = Decimal("10") * rates["EUR"] + Decimal("82.50") * rates["USD"]
    assert loss.total == {base: total}
    assert loss.declared == {base: Decimal("400") * rates["EUR"] + Decimal("130") * rates["USD"]}
    assert loss.to_dict()["currency_mode"] == "converted"


def test_a_pack_without_an_fx_table_keeps_the_currencies_apart() -> None:
    pack = load_pack("default")
    bare = attrs.evolve(
        pack,
        params={k: v for k, v in pack.params.items() if k not in ("fx_rates", "base_currency")},
    )
    assert settings_from_pack(bare) == ReviewSettings()
