"""The journey model behind ``timelines()``.

A parcel's life is built from the scans its outcome and knobs need (pre-transit,
pickup, line haul, customs for cross-border lanes, last mile, then delivered,
returned, lost or still in transit); then the scans get times, the injected
situations their lengths, and the feed its noise (duplicate scans, out-of-order
arrival, clock skew within a bound).  What was injected is recorded in
``Timeline.situations`` with its times.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from logix_carriers import Shipment, TrackingEvent

from ._arguments import _bad, _choice, _draw, _ints, _strategy
from ._knobs import _Knobs, _knobs
from ._shipments import _SHIPMENTS, EPOCH, _has_customs
from ._timeline_model import OUTCOMES, SITUATIONS, Situation, Timeline

_MINUTE = timedelta(minutes=1)


# country -> (city, IANA zone, hub facility)
_PLACES: Final = {
    "DE": ("Berlin", "Europe/Berlin", "Hub Leipzig"),
    "FR": ("Paris", "Europe/Paris", "Roissy Hub"),
    "US": ("Chicago", "America/Chicago", "Memphis Hub"),
    "CN": ("Shenzhen", "Asia/Shanghai", "Baiyun Sorting Centre"),
    "GB": ("London", "Europe/London", "Heathrow Worldwide Distribution Centre"),
    "BR": ("São Paulo", "America/Sao_Paulo", "Curitiba International Centre"),
    "IN": ("Mumbai", "Asia/Kolkata", "Air Cargo Complex Mumbai"),
}


@attrs.define
class _Scan:
    """A scan of the model, before times and noise are applied."""

    step: str
    status: str
    stage: str | None = None
    reason: str | None = None
    where: str = "origin"  # origin | hub | destination
    attributes: dict[str, Any] = attrs.field(factory=dict)
    t: timedelta = timedelta(0)
    system: str | None = None  # a report's system; None for carrier scans


_TEXT: Final = {
    "label": "Shipment information received",
    "pickup": "Picked up by the courier",
    "depart": "Departed the origin facility",
    "hub": "Processed at sort facility",
    "customs": "Customs clearance started",
    "hold": "Held by customs: documents required",
    "payment": "Import duties due",
    "release": "Customs clearance completed",
    "inbound": "Arrived at the destination hub",
    "out_for_delivery": "Out for delivery",
    "attempt": "Delivery attempted",
    "pickup_point": "Available for collection at a pickup point",
    "refused": "Delivery refused by the recipient",
    "returning": "Returning to sender",
    "returned": "Returned to sender",
    "delivered": "Delivered",
    "damaged": "Parcel damaged in handling",
    "lost": "Parcel could not be located and is declared lost",
    "report": "Reported by the customer",
}
_ATTEMPT_REASONS: Final = ("recipient_unavailable", "address_issue", "business_closed")

# Phases a parcel still in transit can have reached, in journey order.
_PHASES: Final = ("first_mile", "line_haul", "customs", "last_mile")


def _skeleton(k: _Knobs, cross: bool, outcome: str, reached: str) -> list[_Scan]:
    """The scans of the journey for an outcome, before fillers, damage and times."""
    scans = [
        _Scan("label", "info_received", "pre_transit"),
        _Scan("pickup", "picked_up", "first_mile"),
    ]
    final = outcome != "in_transit" and outcome != "lost"
    depth = _PHASES.index(reached) if not final else len(_PHASES) - 1
    if depth >= 1:
        scans.append(_Scan("depart", "in_transit", "line_haul", where="hub"))
    if cross and depth >= 2:
        scans.append(_Scan("customs", "customs", "customs", where="destination"))
        if k.customs_hold:
            scans.append(_Scan("hold", "exception", None, "customs_hold", "destination"))
            scans.append(_Scan("release", "customs", "customs", where="destination"))
        if depth >= 3:
            scans.append(_Scan("inbound", "in_transit", "line_haul", where="destination"))
    if depth >= 3:
        scans.append(
            _Scan("out_for_delivery", "out_for_delivery", "last_mile", where="destination")
        )
        for n in range(k.failed_attempts):
            scans.append(
                _Scan(
                    "attempt",
                    "attempt_failed",
                    "last_mile",
                    _ATTEMPT_REASONS[n % len(_ATTEMPT_REASONS)],
                    "destination",
                )
            )
        if k.refused:
            scans.append(_Scan("refused", "exception", None, "refused", "destination"))
    if outcome == "delivered":
        if k.failed_attempts:
            scans.append(
                _Scan("out_for_delivery", "out_for_delivery", "last_mile", where="destination")
            )
        scans.append(_Scan("delivered", "delivered", "terminal", where="destination"))
    elif outcome == "returned":
        reason = "refused" if k.refused else "unclaimed"
        if not k.refused:
            scans.append(
                _Scan("pickup_point", "available_for_pickup", "last_mile", where="destination")
            )
        scans.append(_Scan("returning", "returning", "return", reason, "destination"))
        scans.append(_Scan("returned", "returned", "terminal", where="origin"))
    elif outcome == "lost":
        scans.append(_Scan("lost", "exception", None, "lost", "hub"))
    if k.damage is not None:
        scans.append(_Scan("damaged", "exception", None, "damaged", "hub"))  # placed later
    return scans


def _needed_depth(k: _Knobs, cross: bool) -> int:
    depth = 0
    if k.customs_hold or k.customs_time is not None:
        depth = 2
    if k.failed_attempts or k.refused:
        depth = 3
    return depth


def _plans(k: _Knobs, cross: bool, outcome: Any) -> list[tuple[str, str]]:
    """The (outcome, phase reached) pairs the knobs allow, smallest story first."""
    outcomes = list(OUTCOMES) if outcome is None else [outcome]
    depth = _needed_depth(k, cross)
    phases = [p for i, p in enumerate(_PHASES) if i >= depth and (cross or p != "customs")]
    out: list[tuple[str, str]] = []
    for name in outcomes:
        if k.lost != (name == "lost"):
            continue
        if k.refused and name == "delivered":
            continue
        if name in ("in_transit", "lost"):
            out.extend((name, phase) for phase in phases)
        else:
            out.append((name, "last_mile"))
    return out


def _timeline(draw: st.DrawFn, shipment: Any, raw: dict[str, Any]) -> Timeline:
    min_size, max_size = raw["min_size"], raw["max_size"]
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 0:
        raise InvalidArgument(f"min_size={min_size!r} must be a non-negative integer")
    if max_size is not None and (
        isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < min_size
    ):
        raise InvalidArgument(f"max_size={max_size!r} must be an integer >= min_size={min_size}")
    outcome, fixed_outcome = _draw(draw, raw["outcome"])
    if outcome is not None and outcome not in OUTCOMES:
        raise InvalidArgument(f"outcome={outcome!r} must be one of {', '.join(OUTCOMES)}")
    ship = draw(_SHIPMENTS if shipment is None else _strategy(shipment))
    if not isinstance(ship, Shipment):
        raise InvalidArgument(f"shipment must be a Shipment or a strategy of them, got {ship!r}")
    if ship.shipped_at is None:
        ship = ship.model_copy(update={"shipped_at": EPOCH})
    cross = _has_customs(ship)
    k = _knobs(draw, raw, cross, not isinstance(shipment, Shipment))
    if outcome == "lost" and not k.lost:
        k = attrs.evolve(k, lost=True)

    feasible = []
    for plan in _plans(k, cross, outcome):
        size = len(_skeleton(k, cross, *plan))
        has_hubs = plan[1] != "first_mile" or plan[0] in ("delivered", "returned")
        if max_size is not None and size > max_size:
            continue
        if not has_hubs and size < min_size:
            continue
        feasible.append(plan)
    if not feasible:
        _bad(
            not k.drawn and fixed_outcome,
            f"no timeline fits min_size={min_size}, max_size={max_size} with these knobs "
            f"(outcome={outcome!r}); allow more scans",
        )
    # The outcome first (each equally likely), then how far an unfinished parcel got.
    outcomes = list(dict.fromkeys(name for name, _ in feasible))
    chosen = draw(_choice(outcomes))
    plan = draw(_choice([p for p in feasible if p[0] == chosen]))
    scans = _skeleton(k, cross, *plan)
    base = len(scans)  # the damage scan included
    damage_scan = scans.pop() if k.damage is not None else None

    # Fillers: more hub scans in line haul (only if the parcel got that far).
    depart = next((i for i, s in enumerate(scans) if s.step == "depart"), None)
    if depart is not None:
        low = max(0, min_size - base)
        high = low + 4 if max_size is None else max_size - base
        for _ in range(draw(_ints(low, max(low, high)))):
            scans.insert(depart + 1, _Scan("hub", "in_transit", "line_haul", where="hub"))
    if damage_scan is not None:
        # Damage happens somewhere after the pickup, before a final scan.
        last = len(scans) - (1 if plan[0] in ("delivered", "returned", "lost") else 0)
        position = draw(_ints(2, max(2, last)))
        damage_scan.where = scans[min(position, len(scans)) - 1].where
        if k.damage is not True:
            damage_scan.attributes = {"damage_ratio": k.damage}
        scans.insert(position, damage_scan)

    situations: list[tuple[str, int, int | None, Any]] = []  # kind, scan index, until, value
    _times(draw, scans, k, plan, situations)
    return _finish(draw, ship, scans, k, plan, situations)


def _gap(draw: st.DrawFn, k: _Knobs) -> timedelta:
    minutes = draw(_ints(10, max(10, k.max_gap // _MINUTE - 1)))
    return timedelta(minutes=minutes)


def _times(
    draw: st.DrawFn,
    scans: list[_Scan],
    k: _Knobs,
    plan: tuple[str, str],
    situations: list[tuple[str, int, int | None, Any]],
) -> None:
    """Give every scan its offset from the shipping time."""
    t = timedelta(0)
    entry = next((i for i, s in enumerate(scans) if s.step == "customs"), None)
    leave = next((i for i, s in enumerate(scans) if s.step == "inbound"), len(scans))
    window = k.customs_time is not None and entry is not None
    for i, scan in enumerate(scans):
        if i:
            t += _gap(draw, k)
        if window and entry is not None and i == leave:
            assert k.customs_time is not None
            t = scans[entry].t + k.customs_time
        scan.t = t
    if window and entry is not None:
        assert k.customs_time is not None
        # The scans in customs fall strictly between its entry and its end.
        inside = list(range(entry + 1, leave))
        span = k.customs_time // _MINUTE
        if span > len(inside):
            minutes = sorted(
                draw(
                    st.lists(
                        st.integers(1, span - 1) if span > 1 else st.just(0),
                        min_size=len(inside),
                        max_size=len(inside),
                        unique=True,
                    )
                )
            )
        else:
            minutes = [0] * len(inside)
        for index, offset in zip(inside, minutes, strict=True):
            scans[index].t = scans[entry].t + timedelta(minutes=offset)
    # A stall: one gap between two carrier scans after the pickup (or the final
    # silence of a parcel still in transit) becomes the chosen length.
    if k.stall is not None:
        eligible = [
            i
            for i in range(1, len(scans) - 1)
            if not (window and entry is not None and entry <= i < leave)
        ]
        if plan[0] == "in_transit" and not (window and leave == len(scans)):
            eligible.append(len(scans) - 1)
        if not eligible:
            _bad(not k.drawn, "no gap of this timeline can hold the stall; allow more scans")
        index = draw(_choice(eligible))
        if index + 1 < len(scans):
            shift = scans[index].t + k.stall - scans[index + 1].t
            for later in scans[index + 1 :]:
                later.t += shift
            situations.append(("stall", index, index + 1, k.stall))
        else:
            situations.append(("stall", index, None, k.stall))


def _finish(
    draw: st.DrawFn,
    ship: Shipment,
    scans: list[_Scan],
    k: _Knobs,
    plan: tuple[str, str],
    marks: list[tuple[str, int, int | None, Any]],
) -> Timeline:
    assert ship.shipped_at is not None
    start = ship.shipped_at
    outcome = plan[0]
    last = scans[-1].t
    stall_end = None
    if marks and marks[0][0] == "stall" and marks[0][2] is None:
        stall_end = scans[marks[0][1]].t + k.stall if k.stall is not None else None
    quiet = _gap(draw, k) if stall_end is None else timedelta(0)

    # Reports come from people, after the scans they react to.
    report_scan = None
    if k.customer_report is not None:
        system = "customer"
        if k.customer_report in ("wrong_item", "missing_items"):
            system = draw(_choice(("customer", "warehouse")))
        when = last + _gap(draw, k)
        report_scan = _Scan(
            "report", "exception", None, k.customer_report, "destination", t=when, system=system
        )
    ends = [last + quiet, *([stall_end] if stall_end is not None else [])]
    if report_scan is not None:
        ends.append(report_scan.t)
    entry = next((s for s in scans if s.step == "customs"), None)
    still_in_customs = not any(s.step == "inbound" for s in scans)
    if k.customs_time is not None and entry is not None and still_in_customs:
        ends.append(entry.t + k.customs_time)
    end_offset = max(ends)

    # Carrier noise: skewed clocks.
    skews = [timedelta(0)] * len(scans)
    applied = timedelta(0)
    if k.clock_skew:
        bound = max(1, k.clock_skew // _MINUTE)
        skews = [timedelta(minutes=draw(_ints(-bound, bound))) for _ in scans]
        skews[0] = timedelta(0)  # the label is written by the shipper, not the carrier
        applied = max(abs(s) for s in skews)

    # A carrier reports where the parcel is even on an exception scan.
    stage = "pre_transit"
    for scan in scans:
        if scan.stage is None:
            scan.stage = "customs" if scan.reason in ("customs_hold", "payment_required") else stage
        stage = scan.stage
    events = [
        _event(ship, start + scan.t + skew, scan) for scan, skew in zip(scans, skews, strict=True)
    ]
    report_event = _event(ship, start + report_scan.t, report_scan) if report_scan else None
    end = start + end_offset
    latest = max(e.occurred_at for e in events)
    end = max(end, latest)

    feed = list(events)
    if report_event is not None:
        feed.append(report_event)
    moved = 0
    if k.out_of_order and len(feed) >= 2:
        # A scan the feed delivers after a later one (carriers batch and retry).
        index = draw(_ints(0, len(feed) - 2))
        target = draw(_ints(index + 1, len(feed) - 1))
        event = feed.pop(index)
        feed.insert(target, event)
        moved = 1
    dupes = 0
    for _ in range(k.duplicates):
        original = feed[draw(_ints(0, len(events) - 1))]
        feed.insert(draw(_ints(0, len(feed))), original)
        dupes += 1

    # The promise decides lateness: delivered (or still out) after it is late.
    reference = next((e.occurred_at for e in events if e.status.value == "delivered"), None)
    late = k.late
    if late is True:
        # Late by up to the whole journey, so the promise stays after the shipping.
        journey = ((reference or end) - start) // _MINUTE
        late = timedelta(minutes=draw(_ints(1, max(1, journey - 60))))
    if isinstance(late, timedelta):
        promise = (reference or end) - late
    elif ship.promised_at is None:
        promise = None
    else:
        promise = max(ship.promised_at, (reference or end) + timedelta(hours=1))
    ship = ship.model_copy(update={"promised_at": promise})

    situations = []
    for kind, index, until, value in marks:
        until_at = events[until].occurred_at if until is not None else end
        situations.append(Situation(kind, events[index].occurred_at, until_at, value))
    for i, scan in enumerate(scans):
        if scan.step == "hold":
            release = events[i + 1] if i + 1 < len(events) else None
            situations.append(
                Situation("customs_hold", events[i].occurred_at, _at(release), scan.reason)
            )
        elif scan.step == "damaged":
            situations.append(
                Situation(
                    "damage", events[i].occurred_at, None, scan.attributes.get("damage_ratio")
                )
            )
        elif scan.step == "lost":
            situations.append(Situation("lost", events[i].occurred_at))
        elif scan.step == "refused":
            situations.append(Situation("refused", events[i].occurred_at))
        elif scan.step == "customs" and k.customs_time is not None:
            # Leaves customs then (or would, for a parcel still there at the end).
            entered = events[i].occurred_at
            situations.append(
                Situation("customs_time", entered, entered + k.customs_time, k.customs_time)
            )
    if k.failed_attempts:
        first = next(e for e in events if e.status.value == "attempt_failed")
        situations.append(Situation("failed_attempts", first.occurred_at, None, k.failed_attempts))
    if isinstance(late, timedelta) and promise is not None:
        situations.append(Situation("late", promise, reference, late))
    if report_event is not None:
        situations.append(
            Situation("customer_report", report_event.occurred_at, None, k.customer_report)
        )
    if dupes:
        situations.append(Situation("duplicates", start, None, dupes))
    if moved:
        situations.append(Situation("out_of_order", start, None, moved))
    if applied:
        situations.append(Situation("clock_skew", start, None, applied))
    order = {name: i for i, name in enumerate(SITUATIONS)}
    situations.sort(key=lambda s: (order[s.kind], s.at))
    # Events carry the final shipment's tracking number already; the shipment's
    # promise changed, nothing else.
    return Timeline(ship, tuple(feed), end, outcome, tuple(situations))


def _at(event: TrackingEvent | None) -> datetime | None:
    return None if event is None else event.occurred_at


def _event(ship: Shipment, moment: datetime, scan: _Scan) -> TrackingEvent:
    country = {
        "origin": ship.origin_country,
        "hub": ship.origin_country,
        "destination": ship.destination_country,
    }[scan.where]
    place = _PLACES.get(country or "")
    location: dict[str, Any] | None = None
    local = moment
    if place is not None:
        city, zone, hub = place
        location = {"country": country, "city": city}
        if scan.where == "hub":
            location["facility"] = hub
        local = moment.astimezone(ZoneInfo(zone))
    elif country:
        location = {"country": country}
    data: dict[str, Any] = {
        "tracking_number": ship.tracking_number,
        "carrier": ship.carrier,
        "occurred_at": local,
        "status": scan.status,
        "reason": scan.reason,
        "location": location,
        "description": _TEXT.get(scan.step, scan.step),
        "attributes": scan.attributes,
        "source": {"system": scan.system or ship.carrier, "code": scan.step.upper()[:12]},
    }
    if scan.stage is not None:
        data["stage"] = scan.stage
    return TrackingEvent.parse(data)
