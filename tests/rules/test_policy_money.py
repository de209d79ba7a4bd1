"""Issue 13 §3: money that knows its currency, the fast track for small damage,
insurance and who bears each remedy item, and a delay remedy without cliffs.

Amounts are checked just below, at and just above each threshold; times one minute
before, at and one minute after."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from policy_timeline import AROUND, PACK, h, incidents, scan, shipment

from logix_rules import Engine, ErrorCode, PackError, evaluate, loads_pack

DAMAGE = [
    scan("in_transit", 0),
    scan("exception", 30, reason="damaged", attributes={"damage_ratio": 0.3}),
]


def damaged(**facts: object) -> object:
    return incidents(DAMAGE, h(30), shipment(**facts))["damaged"]


# -- high value means 500 CNY in every currency --------------------------------------------
@pytest.mark.parametrize(
    ("currency", "below", "at_or_above"),
    [
        ("CNY", "499.99", "500.00"),
        ("USD", "70.42", "70.43"),  # 500 / 7.10 = 70.4225...
        ("EUR", "64.51", "64.52"),  # 500 / 7.75 = 64.5161...
        ("JPY", "10416.66", "10416.67"),  # 500 / 0.048 = 10416.666...
    ],
)
def test_high_value_is_500_cny_in_every_currency(
    currency: str, below: str, at_or_above: str
) -> None:
    assert damaged(declared_value=below, currency=currency).severity == "P2"
    assert damaged(declared_value=at_or_above, currency=currency).severity == "P1"


def test_600_yen_is_not_high_value() -> None:
    incident = damaged(declared_value="600", currency="JPY")
    assert (incident.severity, incident.rules) == ("P2", ("damaged_major",))


def test_a_shipment_without_currency_is_in_the_base_currency() -> None:
    assert damaged(declared_value="499.99", currency=None).severity == "P2"
    assert damaged(declared_value="500.00", currency=None).severity == "P1"


def test_a_currency_without_a_rate_compares_with_no_money_param() -> None:
    # KZT has no default rate: nothing says it is high value, nor fast-track.
    incident = damaged(declared_value="10000000", currency="KZT")
    assert incident.severity == "P2"
    assert incident.remedy is not None
    assert not incident.remedy.fast_track


def test_users_override_the_rates() -> None:
    pack = loads_pack(
        "format: 1\nname: shop\nextends: default\nparams:\n  fx_rates: {values: {USD: 10}}\n"
    )
    assert pack.params["fx_rates"].values["EUR"] == 7.75  # the others stay
    for value, severity in (("49.99", "P2"), ("50.00", "P1")):
        found = evaluate(
            pack, DAMAGE, at=h(30), shipment=shipment(declared_value=value, currency="USD")
        )
        assert {i.kind: i.severity for i in found}["damaged"] == severity


def test_a_bare_override_keeps_the_currency() -> None:
    pack = loads_pack("format: 1\nname: shop\nextends: default\nparams:\n  high_value: 800\n")
    assert (pack.params["high_value"].default, pack.params["high_value"].currency) == (800, "CNY")


# -- compiler checks --------------------------------------------------------------------------
def _issue(params: str) -> object:
    with pytest.raises(PackError) as caught:
        loads_pack(f"format: 1\nname: shop\nextends: default\nparams:\n{params}")
    (issue,) = caught.value.issues
    return issue


def test_a_money_param_without_currency_is_refused() -> None:
    issue = _issue("  big: {type: money, default: 800}\n")
    assert issue.code is ErrorCode.MONEY_WITHOUT_CURRENCY  # type: ignore[attr-defined]
    assert issue.line == 5  # type: ignore[attr-defined]


def test_a_money_value_in_an_unknown_currency_is_refused() -> None:
    issue = _issue("  big: {type: money, default: 800 CNY, by: carrier, values: {ups: 90 XYZ}}\n")
    assert issue.code is ErrorCode.UNKNOWN_CURRENCY  # type: ignore[attr-defined]
    assert "big[ups]" in issue.msg  # type: ignore[attr-defined]


def test_a_money_param_in_a_currency_without_rate_is_refused() -> None:
    issue = _issue("  big: {type: money, default: 90000 KZT}\n")
    assert issue.code is ErrorCode.MISSING_FX_RATE  # type: ignore[attr-defined]
    assert _issue("  fx_rates: {values: {ABC: 2}}\n").code is ErrorCode.BAD_PARAM  # type: ignore[attr-defined]


def test_a_rate_added_makes_the_currency_usable() -> None:
    pack = loads_pack(
        "format: 1\nname: shop\nextends: default\nparams:\n"
        "  fx_rates: {values: {KZT: 0.014}}\n  big: {type: money, default: 90000 KZT}\n"
    )
    assert pack.params["big"].currency == "KZT"


@pytest.mark.parametrize(
    "item",
    ["{code: x, bearer: courier}", "{code: x, causes: [weather]}", "{code: x, causes: []}"],
)
def test_a_bad_bearer_or_cause_is_refused(item: str) -> None:
    text = (
        "format: 1\nname: shop\nseverities:\n  P3: {respond: 1h, resolve: 1h, escalate_after: 1h}\n"
        "rules:\n  - {id: r, kind: k, when: scans > 0, severity: P3, remedy: {code: c, items: ["
        + item
        + "]}}\n"
    )
    with pytest.raises(PackError) as caught:
        loads_pack(text)
    assert [i.code for i in caught.value.issues] == [ErrorCode.BAD_REMEDY]


# -- the fast track: damage remedies up to 500 CNY, paid out within 1 h -------------------
@pytest.mark.parametrize(
    ("declared", "currency", "fast"),
    [
        ("500.00", "CNY", True),
        ("500.01", "CNY", False),
        ("70.42", "USD", True),
        ("70.43", "USD", False),
    ],
)
def test_major_damage_up_to_500_cny_is_fast_tracked(
    declared: str, currency: str, fast: bool
) -> None:
    incident = damaged(declared_value=declared, currency=currency)
    assert incident.remedy is not None
    assert incident.remedy.fast_track is fast
    assert ("payout" in incident.deadlines) is fast
    if fast:
        assert incident.deadlines["payout"] == h(31)


@pytest.mark.parametrize(("freight", "fast"), [("500.00", True), ("500.01", False)])
def test_minor_damage_is_fast_tracked_by_its_reship_freight(freight: str, fast: bool) -> None:
    events = [
        scan("in_transit", 0),
        scan("exception", 30, reason="damaged", attributes={"damage_ratio": 0.05}),
    ]
    incident = incidents(events, h(30), shipment(freight_cost=freight))["damaged"]
    assert incident.remedy is not None
    assert (incident.remedy.code, incident.remedy.fast_track) == ("reship_free", fast)
    assert ("payout" in incident.deadlines) is fast


@pytest.mark.parametrize("delta", AROUND)
def test_the_payout_deadline_is_one_hour(delta: timedelta) -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(shipment(declared_value="300"))
    engine.ingest(DAMAGE)
    (incident,) = engine.open_incidents()
    assert incident.deadlines["payout"] == h(31)
    changes = engine.advance(to=h(31) + delta)
    payout = [c for c in changes if c.type.value == "escalated" and c.at == h(31)]
    assert bool(payout) is (delta >= timedelta(0))
    assert "paid_out" in PACK.actions


# -- insurance and who bears what ------------------------------------------------------------
def _items(incident: object) -> list[tuple[str, str | None, str]]:
    return [
        (i.code, None if i.amount is None else str(i.amount), i.bearer)
        for i in incident.remedy.items
    ]  # type: ignore[attr-defined]


def test_insured_damage_pays_the_insured_value_from_the_insurer() -> None:
    incident = damaged(declared_value="1000.00", insured=True, insured_value="800.00")
    assert _items(incident) == [("compensation", "800.00", "insurer")]


def test_the_insured_value_defaults_to_the_declared_value() -> None:
    incident = damaged(declared_value="1000.00", insured=True)
    assert _items(incident) == [("compensation", "1000.00", "insurer")]


@pytest.mark.parametrize("insured", [False, None])
def test_uninsured_damage_pays_the_declared_value_and_claims_up_to_the_carrier_cap(
    insured: bool | None,
) -> None:
    # DHL's liability: 100 EUR = 775.00 CNY at the default rate.
    incident = damaged(declared_value="1000.00", insured=insured)
    assert _items(incident) == [
        ("compensation", "1000.00", "merchant"),
        ("carrier_claim", "775.00", "carrier"),
    ]
    under_cap = damaged(declared_value="774.99", insured=insured)
    assert _items(under_cap)[1] == ("carrier_claim", "774.99", "carrier")


def test_the_liability_cap_is_per_carrier() -> None:
    facts = shipment(declared_value="1000.00", carrier="ups")
    events = [{**e, "carrier": "ups"} for e in DAMAGE]
    (incident,) = [
        i for i in evaluate(PACK, events, at=h(30), shipment=facts) if i.kind == "damaged"
    ]
    assert _items(incident)[1] == ("carrier_claim", "710.00", "carrier")  # 100 USD


def test_a_lost_parcel_is_claimed_from_the_carrier_or_the_insurer() -> None:
    lost = [scan("picked_up", 0), scan("exception", 10, reason="lost")]
    insured = incidents(lost, h(10), shipment(declared_value="2000", insured=True))["lost"]
    assert _items(insured) == [
        ("refund_or_reship", "2000.00", "merchant"),
        ("claim", "2000.00", "insurer"),
    ]
    bare = incidents(lost, h(10), shipment(declared_value="2000"))["lost"]
    assert _items(bare)[1] == ("claim", "775.00", "carrier")


def test_every_remedy_item_says_who_bears_it() -> None:
    for rule in PACK.rules:
        for step in rule.steps:
            for item in step.remedy.items if step.remedy else ():
                assert item.bearer in ("merchant", "carrier", "insurer"), (rule.id, item.code)


@pytest.mark.parametrize(
    ("declared", "insured", "advised"),
    [
        ("499.99", False, False),
        ("500.00", False, True),
        ("500.00", None, False),
        ("900.00", True, False),
    ],
)
def test_high_value_without_insurance_is_flagged_when_upserted(
    declared: str, insured: bool | None, advised: bool
) -> None:
    engine = Engine(PACK)
    engine.ingest([scan("picked_up", 0)])  # the engine's clock runs
    changes = engine.upsert_shipment(shipment(declared_value=declared, insured=insured))
    opened = [c.incident for c in changes if c.type.value == "opened"]
    assert [(i.kind, i.severity) for i in opened] == (
        [("insurance_missing", "P3")] if advised else []
    )


# -- the delay remedy: strict windows, no cliff ---------------------------------------------
LATE = [scan("picked_up", 0), scan("in_transit", 10)]
PROMISE = 24.0


def _delay(at_hours: float, delta: timedelta) -> object:
    found = incidents(
        LATE,
        h(PROMISE + at_hours) + delta,
        shipment(promised_at=h(PROMISE).isoformat(), freight_cost="18.50"),
    )
    return found["delivery_delay"]


@pytest.mark.parametrize("delta", AROUND)
def test_more_than_24h_is_strict_for_an_undelivered_parcel(delta: timedelta) -> None:
    delay = _delay(24, delta)
    assert delay.remedy.code == (  # type: ignore[attr-defined]
        "freight_coupon_and_sla_compensation" if delta > timedelta(0) else "freight_coupon"
    )


@pytest.mark.parametrize("delta", AROUND)
def test_more_than_3_days_is_strict_and_the_refund_is_never_below_the_coupon(
    delta: timedelta,
) -> None:
    delay = _delay(72, delta)
    amounts = {i.code: i.amount for i in delay.remedy.items}  # type: ignore[attr-defined]
    if delta > timedelta(0):
        assert delay.remedy.code == "freight_refund_and_sla_compensation"  # type: ignore[attr-defined]
        # 3 days x 10 % of 18.50 would be 5.55; the coupon at 3 days was 18.50
        assert amounts["freight_refund"] == Decimal("18.50")
    else:
        assert amounts["freight_coupon"] == Decimal("18.50")
