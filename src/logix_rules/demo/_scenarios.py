"""The scenarios a demo parcel is built for.

``"normal:<variant>"`` parcels must not raise anything at ``DEMO_AT`` (several sit
just under a threshold); ``"<kind>:<variant>"`` parcels are clearly past the
threshold of that exception kind of the default pack.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs

from ._parcels import DEMO_AT, _ago, _hours, _Parcel
from ._tables import _EXPORT_GATEWAYS, _HUBS, _IMPORT_GATEWAYS, _Lane, _Place

__all__ = ["SCENARIOS"]


_Builder = Callable[[_Parcel], None]


def _normal_delivered(p: _Parcel) -> None:
    done = _ago(p.rng, 2, 10 * 24)
    p.happy_path(at=done)
    p.promise(after=done)


def _normal_just_in_time(p: _Parcel) -> None:
    done = _ago(p.rng, 6, 5 * 24)
    p.happy_path(at=done)
    p.promised_at = done + _hours(p.rng, 1, 3)


def _normal_attempt_then_delivered(p: _Parcel) -> None:
    attempt = _ago(p.rng, 30, 6 * 24)
    p.happy_path(until="out_for_delivery", at=attempt - _hours(p.rng, 1, 5))
    p.add(p.rng.choice(("attempt_absent", "attempt_closed")), attempt)
    ofd = attempt + _hours(p.rng, 16, 24)
    p.add("out_for_delivery", ofd)
    p.add("delivered", ofd + _hours(p.rng, 1, 6))
    p.promise(after=ofd + timedelta(hours=6))


def _in_transit_steps(p: _Parcel) -> list[str]:
    steps = [leg[0] for leg in p.journey()]
    return steps[1 : steps.index("out_for_delivery") + 1]


def _normal_in_transit(p: _Parcel) -> None:
    p.happy_path(until=p.rng.choice(_in_transit_steps(p)), at=_ago(p.rng, 1, 20))
    p.promise(after=DEMO_AT)


def _normal_pre_transit(p: _Parcel) -> None:
    hours = (30, 44) if p.lane.cross_border else (12, 22)
    p.happy_path(until="label", at=_ago(p.rng, *hours))
    p.promise(after=DEMO_AT)


def _normal_quiet(p: _Parcel) -> None:
    # Silent for a little less than the 24 h stall threshold.
    steps = ["pickup", "origin_facility", "delivery_facility"]
    p.happy_path(until=p.rng.choice(steps), at=_ago(p.rng, 20, 23))
    p.promise(after=DEMO_AT)


def _fill(
    p: _Parcel,
    steps: Sequence[str],
    places: Sequence[_Place],
    start: datetime,
    end: datetime,
    every: tuple[float, float],
) -> None:
    """Regular scans from ``start`` to ``end`` so the trail never goes quiet."""
    at, i = start + _hours(p.rng, *every), 0
    while at <= end:
        p.add(steps[i % len(steps)], at, places[(i // 2) % len(places)])
        at += _hours(p.rng, *every)
        i += 1


def _line_haul_for(p: _Parcel, hours: tuple[float, float]) -> None:
    """Departed ``hours`` ago and still in line haul, with scans every half day."""
    entered = _ago(p.rng, *hours)
    p.happy_path(until="depart", at=entered)
    places = _HUBS.get(p.lane.origin, _EXPORT_GATEWAYS[p.lane.origin])
    _fill(p, ("hub_arrive", "hub_depart"), places, entered, _ago(p.rng, 1, 4), (8, 16))


def _normal_line_haul_long(p: _Parcel) -> None:
    _line_haul_for(p, (5.6 * 24, 6.5 * 24) if p.lane.cross_border else (60, 66))
    p.promise(after=DEMO_AT)


_CUSTOMS_UNDER: Final = {"BR": (80, 90), "IN": (60, 68)}
_CUSTOMS_OVER: Final = {"BR": (104, 120), "IN": (80, 92)}


def _in_customs_for(p: _Parcel, hours: tuple[float, float]) -> None:
    entered = _ago(p.rng, *hours)
    p.happy_path(until="customs_in", at=entered)
    _fill(p, ("customs_processing",), (p.import_,), entered, _ago(p.rng, 1, 6), (10, 18))


def _normal_customs_long(p: _Parcel) -> None:
    _in_customs_for(p, _CUSTOMS_UNDER.get(p.lane.destination, (36, 44)))
    p.promise(after=DEMO_AT)


def _pickup_delay(p: _Parcel) -> None:
    hours = (3.5 * 24, 5 * 24) if p.lane.cross_border else (40, 70)
    first = _ago(p.rng, *hours)
    p.happy_path(until="label", at=first)
    if p.rng.random() < 0.5:
        p.add("label_update", first + _hours(p.rng, 3, 20))
    p.promise(after=DEMO_AT)


def _stall(hours: tuple[float, float]) -> _Builder:
    def build(p: _Parcel) -> None:
        # Quiet in first or last mile, so a long stall is not also a transit delay.
        steps = ["pickup", "origin_facility", "delivery_facility", "out_for_delivery"]
        p.happy_path(until=p.rng.choice(steps), at=_ago(p.rng, *hours))
        p.promise(after=DEMO_AT)

    return build


def _lost_declared(p: _Parcel) -> None:
    last = _ago(p.rng, 3 * 24, 5 * 24)
    p.happy_path(until=p.rng.choice(("pickup", "origin_facility")), at=last)
    p.add("lost", _ago(p.rng, 2, 30))
    p.promise(after=last, margin=(24, 72))


def _lost_silent(p: _Parcel) -> None:
    hours = (11 * 24, 13 * 24) if p.lane.cross_border else (8 * 24, 9 * 24)
    last = _ago(p.rng, *hours)
    p.happy_path(until=p.rng.choice(("origin_facility", "depart", "hub_arrive")), at=last)
    p.promise(after=last, margin=(24, 72))


def _transit_delay(p: _Parcel) -> None:
    _line_haul_for(p, (8 * 24, 9.5 * 24) if p.lane.cross_border else (3.6 * 24, 4.5 * 24))
    if p.rng.random() < 0.5:
        p.add("delay", _ago(p.rng, 13, 31))
    p.promise(after=DEMO_AT)


def _customs_event(step: str) -> _Builder:
    def build(p: _Parcel) -> None:
        held = _ago(p.rng, 3, 20)
        p.happy_path(until="customs_in", at=held - _hours(p.rng, 1, 10))
        p.add(step, held, p.import_)
        p.promise(after=DEMO_AT)

    return build


def _customs_timeout(p: _Parcel) -> None:
    _in_customs_for(p, _CUSTOMS_OVER.get(p.lane.destination, (56, 70)))
    p.promise(after=DEMO_AT)


def _attempt(step: str) -> _Builder:
    def build(p: _Parcel) -> None:
        attempt = _ago(p.rng, 2, 10)
        p.happy_path(until="out_for_delivery", at=attempt - _hours(p.rng, 1, 5))
        p.add(step, attempt)
        p.promise(after=DEMO_AT, margin=(6, 48))

    return build


def _third_attempt(p: _Parcel) -> None:
    last = _ago(p.rng, 2, 10)
    attempts = [
        last - timedelta(days=2) + _hours(p.rng, -2, 2),
        last - timedelta(days=1) + _hours(p.rng, -2, 2),
        last,
    ]
    p.happy_path(until="out_for_delivery", at=attempts[0] - _hours(p.rng, 1, 5))
    for i, at in enumerate(attempts):
        if i:
            p.add("out_for_delivery", at - _hours(p.rng, 1, 5))
        p.add(p.rng.choice(("attempt_absent", "attempt_address")), at)
    p.promise(after=DEMO_AT, margin=(-48, 24))


def _refused(p: _Parcel) -> None:
    refused = _ago(p.rng, 3, 20)
    p.happy_path(until="out_for_delivery", at=refused - _hours(p.rng, 1, 5))
    p.add("refused", refused)
    p.promise(after=DEMO_AT, margin=(6, 48))


def _refused_returning(p: _Parcel) -> None:
    refused = _ago(p.rng, 30, 50)
    p.happy_path(until="out_for_delivery", at=refused - _hours(p.rng, 1, 5))
    p.add("refused", refused)
    p.add("returning_refused", refused + _hours(p.rng, 10, 24), p.dest)
    p.promise(after=DEMO_AT, margin=(6, 48))


def _damaged(ratio: tuple[float, float], value: tuple[int, int]) -> _Builder:
    def build(p: _Parcel) -> None:
        found = _ago(p.rng, 2, 20)
        steps = ["origin_facility", "hub_arrive", "delivery_facility"]
        p.happy_path(until=p.rng.choice(steps), at=found - _hours(p.rng, 1, 6))
        share = round(p.rng.uniform(*ratio), 2)
        p.add("damaged", found, attributes={"damage_ratio": share})
        p.declared_value = Decimal(p.rng.randint(*value)) + Decimal("0.99")
        p.promise(after=DEMO_AT, margin=(6, 48))

    return build


def _delivered_then_report(
    report: str, reason: str, text: str, attributes: Callable[[random.Random], dict[str, Any]]
) -> _Builder:
    def build(p: _Parcel) -> None:
        delivered = _ago(p.rng, 30, 4 * 24)
        p.happy_path(at=delivered)
        place = p.dest if report == "customer" else p.origin
        when = min(delivered + _hours(p.rng, 4, 48), _ago(p.rng, 2, 6))
        ticket = f"CS-{p.rng.randint(100000, 999999)}"
        p.add(
            "report",
            when,
            place,
            reason=reason,
            report=report,
            text=text,
            attributes={"ticket": ticket, **attributes(p.rng)},
        )
        p.promise(after=delivered)

    return build


def _warehouse_mispick(p: _Parcel) -> None:
    when = _ago(p.rng, 4, 12)
    p.happy_path(until=p.rng.choice(_in_transit_steps(p)), at=when - _hours(p.rng, 1, 10))
    sku = p.rng.randint(10000, 99999)
    p.add(
        "report",
        when,
        p.origin,
        reason="wrong_item",
        report="warehouse",
        text="Pick audit: order packed with the wrong SKU",
        attributes={"expected_sku": f"SKU-{sku}", "packed_sku": f"SKU-{sku + 1}"},
    )
    p.promise(after=DEMO_AT)


def _delivery_delay(late: tuple[float, float]) -> _Builder:
    def build(p: _Parcel) -> None:
        promised = _ago(p.rng, *late)
        arrived = promised - _hours(p.rng, 6, 30)
        p.happy_path(until="delivery_facility", at=arrived)
        _fill(p, ("delivery_wait",), (p.dest,), arrived, _ago(p.rng, 1, 5), (8, 16))
        p.promised_at = promised

    return build


def _delivered_late(p: _Parcel) -> None:
    delivered = _ago(p.rng, 24, 3 * 24)
    start = p.happy_path(at=delivered)
    # More than a day late, yet promised at least half a day after the label.
    late = min(_hours(p.rng, 30, 70), delivered - start - timedelta(hours=12))
    p.promised_at = delivered - late


def _returned_unclaimed(p: _Parcel) -> None:
    returning = _ago(p.rng, 2, 20)
    ready = returning - _hours(p.rng, 7 * 24, 8 * 24)
    p.happy_path(until="delivery_facility", at=ready - _hours(p.rng, 2, 12))
    p.add("pickup_point", ready, p.dest)
    p.add("returning_unclaimed", returning)
    p.promise(after=ready)


def _wismo(p: _Parcel) -> None:
    """Moving normally, but the customer asks where it is (a reply is due in 2 h)."""
    last = _ago(p.rng, 3, 20)
    p.happy_path(until=p.rng.choice(_in_transit_steps(p)), at=last)
    p.add(
        "report",
        min(last + _hours(p.rng, 1, 12), _ago(p.rng, 1, 2)),
        p.dest,
        reason="wismo",
        report="customer",
        text="Where is my parcel? It has not moved for a while.",
        attributes={"ticket": f"CS-{p.rng.randint(100000, 999999)}"},
    )
    p.promise(after=DEMO_AT)


def _at_risk(p: _Parcel) -> None:
    """Moving normally, but the carrier now expects delivery after the promise."""
    p.happy_path(until=p.rng.choice(_in_transit_steps(p)), at=_ago(p.rng, 1, 20))
    p.promise(after=DEMO_AT)
    assert p.promised_at is not None
    p.last().estimate = p.promised_at + _hours(p.rng, 6, 48)


def _uninsured(p: _Parcel) -> None:
    """Valuable goods that the OMS says are not insured, delivered on time."""
    done = _ago(p.rng, 2, 48)
    p.happy_path(at=done)
    p.promise(after=done)
    p.declared_value = Decimal(p.rng.randint(800, 3000)) + Decimal("0.99")
    p.insured = False


def _returned(p: _Parcel) -> None:
    back = _ago(p.rng, 4, 30)
    start = back - _hours(p.rng, 3 * 24, 4 * 24)
    ready = start - _hours(p.rng, 7 * 24, 8 * 24)
    p.happy_path(until="delivery_facility", at=ready - _hours(p.rng, 2, 12))
    p.add("pickup_point", ready, p.dest)
    p.add("returning_unclaimed", start)
    _fill(p, ("return_transit",), (p.hub, p.origin), start, back - _hours(p.rng, 2, 6), (10, 20))
    p.add("returned", back, p.origin)
    p.promise(after=start)


def _anomaly_after_delivery(p: _Parcel) -> None:
    delivered = _ago(p.rng, 24, 3 * 24)
    p.happy_path(at=delivered)
    p.add("late_scan", _ago(p.rng, 2, 20), p.dest)
    p.promise(after=delivered)


def _anomaly_backwards(p: _Parcel) -> None:
    missort = _ago(p.rng, 2, 10)
    p.happy_path(until="out_for_delivery", at=missort - _hours(p.rng, 3, 12))
    hubs = _HUBS.get(p.lane.destination, _IMPORT_GATEWAYS.get(p.lane.destination, ()))
    p.add("misroute", missort, p.rng.choice(hubs) if hubs else p.dest)
    p.promise(after=DEMO_AT)


def _customer_attrs(rng: random.Random) -> dict[str, Any]:
    return {"channel": rng.choice(("email", "chat", "phone"))}


def _missing_attrs(rng: random.Random) -> dict[str, Any]:
    ordered = rng.randint(2, 5)
    return {
        "channel": rng.choice(("email", "chat")),
        "ordered_items": ordered,
        "received_items": rng.randint(1, ordered - 1),
    }


def _wrong_attrs(rng: random.Random) -> dict[str, Any]:
    return {"channel": rng.choice(("email", "chat")), "photos": rng.randint(1, 4)}


@attrs.frozen
class _Scenario:
    name: str
    build: _Builder
    weight: int
    lanes: Callable[[_Lane], bool] = lambda lane: True


def _customs_lane(lane: _Lane) -> bool:
    return lane.customs


def _domestic_lane(lane: _Lane) -> bool:
    return not lane.cross_border


def _cross_lane(lane: _Lane) -> bool:
    return lane.cross_border


def _lane_to(country: str) -> Callable[[_Lane], bool]:
    return lambda lane: lane.destination == country


_NORMAL: Final[tuple[_Scenario, ...]] = (
    _Scenario("normal:delivered", _normal_delivered, 52),
    _Scenario("normal:in_transit", _normal_in_transit, 20),
    _Scenario("normal:just_in_time", _normal_just_in_time, 5),
    _Scenario("normal:pre_transit", _normal_pre_transit, 5),
    _Scenario("normal:quiet", _normal_quiet, 5),
    _Scenario("normal:line_haul_long", _normal_line_haul_long, 4),
    _Scenario("normal:customs_long", _normal_customs_long, 4, _customs_lane),
    _Scenario("normal:attempt_then_delivered", _normal_attempt_then_delivered, 5),
)

# The first sixteen cover each kind of the default pack once, so even a small data
# set has every kind; the rest add variants (thresholds per lane, severity steps).
_EXCEPTIONS: Final[tuple[_Scenario, ...]] = (
    _Scenario("pickup_delay:domestic", _pickup_delay, 4, _domestic_lane),
    _Scenario("tracking_stall:short", _stall((30, 44)), 6),
    _Scenario("lost:declared", _lost_declared, 2),
    _Scenario("transit_delay:domestic", _transit_delay, 3, _domestic_lane),
    _Scenario("customs_hold:held", _customs_event("customs_hold"), 3, _customs_lane),
    _Scenario("delivery_failure:address", _attempt("attempt_address"), 4),
    _Scenario("refused:refused", _refused, 2),
    _Scenario("damaged:minor", _damaged((0.01, 0.04), (20, 300)), 2),
    _Scenario(
        "wrong_or_missing_items:wrong_item",
        _delivered_then_report(
            "customer", "wrong_item", "Received a different item than ordered", _wrong_attrs
        ),
        2,
    ),
    _Scenario(
        "false_delivery:not_received",
        _delivered_then_report(
            "customer",
            "not_received",
            "Tracking says delivered but nothing arrived",
            _customer_attrs,
        ),
        3,
    ),
    _Scenario("delivery_delay:coupon", _delivery_delay((6, 20)), 4),
    _Scenario("returned_to_sender:unclaimed", _returned_unclaimed, 2),
    _Scenario("tracking_anomaly:after_delivery", _anomaly_after_delivery, 2),
    _Scenario("wismo:asked", _wismo, 3),
    _Scenario("delivery_at_risk:estimate", _at_risk, 3),
    _Scenario("insurance_missing:uninsured", _uninsured, 2),
    _Scenario("pickup_delay:cross_border", _pickup_delay, 3, _cross_lane),
    _Scenario("tracking_stall:long", _stall((80, 110)), 4),
    _Scenario("lost:silent", _lost_silent, 2),
    _Scenario("transit_delay:cross_border", _transit_delay, 3, _cross_lane),
    _Scenario("customs_hold:payment", _customs_event("customs_payment"), 2, _customs_lane),
    _Scenario("customs_hold:timeout", _customs_timeout, 2, _customs_lane),
    _Scenario("customs_hold:timeout_br", _customs_timeout, 1, _lane_to("BR")),
    _Scenario("customs_hold:timeout_in", _customs_timeout, 1, _lane_to("IN")),
    _Scenario("delivery_failure:absent", _attempt("attempt_absent"), 4),
    _Scenario("delivery_failure:closed", _attempt("attempt_closed"), 2),
    _Scenario("delivery_failure:third_attempt", _third_attempt, 2),
    _Scenario("refused:returning", _refused_returning, 1),
    # below 500 CNY in any lane's currency (at most 9.05 CNY a unit): not high value
    _Scenario("damaged:major", _damaged((0.15, 0.6), (20, 50)), 2),
    _Scenario("damaged:high_value", _damaged((0.2, 0.8), (600, 2400)), 1),
    _Scenario(
        "wrong_or_missing_items:missing_items",
        _delivered_then_report(
            "customer", "missing_items", "Parcel arrived with items missing", _missing_attrs
        ),
        2,
    ),
    _Scenario("wrong_or_missing_items:warehouse", _warehouse_mispick, 1),
    _Scenario("delivery_delay:sla", _delivery_delay((30, 60)), 3),
    _Scenario("delivery_delay:refund", _delivery_delay((4.2 * 24, 6 * 24)), 2),
    _Scenario("delivery_delay:delivered_late", _delivered_late, 2, _cross_lane),
    _Scenario("returned_to_sender:returned", _returned, 2),
    _Scenario("tracking_anomaly:backwards", _anomaly_backwards, 2),
)

#: Every scenario name the generator can produce.
SCENARIOS: Final[tuple[str, ...]] = tuple(s.name for s in (*_NORMAL, *_EXCEPTIONS))
