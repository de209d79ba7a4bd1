"""A seeded generator of realistic demo data: shipments, scans and reports.

``logix demo`` runs the default pack over it.  Everything is derived from one
``random.Random(seed)`` and the fixed evaluation time ``DEMO_AT``, so a seed always
gives the same data, byte for byte, on every machine.

Each shipment is built for one *scenario*: ``"normal:<variant>"`` for parcels that
must not raise anything at ``DEMO_AT`` (several sit just under a threshold), or
``"<kind>:<variant>"`` for parcels built to be clearly past the threshold of that
exception kind of the default pack.  ``DemoData.scenarios`` records which, so tests
can check that every parcel raises what it was made for.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from logix_carriers import Shipment, Stage, Status, TrackingEvent

from ._parcels import DEMO_AT, _hours, _Parcel, _Scan
from ._scenarios import _EXCEPTIONS, _NORMAL, _Scenario
from ._tables import (
    _CATEGORIES,
    _CITIES,
    _CNY_PER_UNIT,
    _CODES,
    _EXPORT_GATEWAYS,
    _HUBS,
    _IMPORT_GATEWAYS,
    _LANES,
    _STEPS,
    _TEXT,
    _TEXT_ZH,
    _Lane,
    _Place,
)

__all__ = ["DEMO_AT", "DemoData", "generate_demo"]


#: Share of shipments built as exceptions.
EXCEPTION_SHARE: Final = 0.35


@attrs.frozen
class DemoData:
    """A generated data set: shipments, events in arrival order, evaluation time.

    ``events`` keep the carrier noise of real feeds: some scans are reported twice
    and some arrive after later scans.  ``scenarios`` maps each tracking number to
    the scenario its shipment was made for (``"lost:silent"``, ``"normal:delivered"``).
    """

    shipments: tuple[Shipment, ...]
    events: tuple[TrackingEvent, ...]
    at: datetime
    scenarios: dict[str, str]


# -------------------------------------------------------------------- shipments


def _pick_lane(rng: random.Random, scenario: _Scenario) -> _Lane:
    lanes = [lane for lane in _LANES if scenario.lanes(lane)]
    return rng.choices(lanes, weights=[lane.weight for lane in lanes])[0]


def _other(rng: random.Random, places: Sequence[_Place], not_: _Place) -> _Place:
    choices = [p for p in places if p.city != not_.city] or list(places)
    return rng.choice(choices)


def _parcel(rng: random.Random, scenario: _Scenario, taken: set[str]) -> _Parcel:
    lane = _pick_lane(rng, scenario)
    carrier = rng.choice(lane.carriers)
    number = carrier.numbers(rng)
    while number in taken:
        number = carrier.numbers(rng)
    taken.add(number)
    origin = rng.choice(_CITIES[lane.origin])
    dest = _other(rng, _CITIES[lane.destination], origin)
    hubs = _HUBS.get(lane.origin) or _EXPORT_GATEWAYS[lane.origin]
    export = rng.choice(_EXPORT_GATEWAYS.get(lane.origin, hubs))
    import_ = rng.choice(_IMPORT_GATEWAYS.get(lane.destination, (dest,)))
    category = rng.choice(list(_CATEGORIES))
    return _Parcel(
        rng,
        lane,
        carrier,
        number,
        origin,
        dest,
        rng.choice(hubs),
        export,
        import_,
        category=category,
    )


def _money(rng: random.Random, low: float, high: float, currency: str) -> Decimal:
    scale = _CNY_PER_UNIT if currency == "CNY" else 1
    return Decimal(round(rng.uniform(low, high) * scale, 2)).quantize(Decimal("0.01"))


def _shipment(p: _Parcel) -> Shipment:
    rng, lane = p.rng, p.lane
    currency = lane.currency
    value = p.declared_value
    if value is None:
        value = _money(rng, *_CATEGORIES[p.category], currency)
    freight = _money(rng, 9, 38, currency) if lane.cross_border else _money(rng, 4, 12, currency)
    pickup = [s.at for s in p.scans if s.step == "pickup"]
    service = "express" if lane.cross_border and rng.random() < 0.25 else "standard"
    return Shipment(
        tracking_number=p.tracking_number,
        carrier=p.carrier.code,
        origin_country=lane.origin,
        destination_country=lane.destination,
        service_level=service,
        shipped_at=pickup[0] if pickup else None,
        promised_at=p.promised_at,
        declared_value=value,
        freight_cost=freight,
        currency=currency,
        # Insured when valuable (or one in ten), else unknown: an OMS that says False
        # for a high-value parcel gets an insurance_missing advisory.
        insured=p.insured if p.insured is not None else value >= 300 or rng.random() < 0.1 or None,
        category=p.category,
        order_id=f"SO-{rng.randint(1000000, 9999999)}",
    )


# ------------------------------------------------------------------------ events


def _event_dict(p: _Parcel, scan: _Scan, stage: Stage) -> dict[str, Any]:
    local = scan.at.astimezone(ZoneInfo(scan.place.zone))
    if scan.report is not None:
        return {
            "tracking_number": p.tracking_number,
            "carrier": p.carrier.code,
            "occurred_at": local.isoformat(),
            "status": Status.EXCEPTION.value,
            "reason": scan.reason,
            # A report does not move the parcel: it carries the carrier stage as it was.
            "stage": stage.value,
            "location": scan.place.location(),
            "description": scan.text or "",
            "attributes": scan.attributes,
            "source": {"system": scan.report, "code": "ticket", "text": scan.text},
        }
    status, fixed_stage, reason = _STEPS[scan.step]
    system = p.carrier.system
    text_table = _TEXT_ZH if system == "sf-express" else _TEXT
    city = scan.place.local_name if system == "sf-express" and scan.place.local_name else None
    text = text_table.get(scan.step, _TEXT[scan.step]).format(city=city or scan.place.city)
    src_status, substatus, code = _CODES[system].get(scan.step, (None, None, None))
    estimate = {} if scan.estimate is None else {"estimated_delivery": scan.estimate.isoformat()}
    return {
        **estimate,
        "tracking_number": p.tracking_number,
        "carrier": p.carrier.code,
        "occurred_at": local.isoformat(),
        "status": status.value,
        "reason": scan.reason or reason,
        "stage": (fixed_stage or stage).value,
        "location": scan.place.location(),
        "description": text,
        "attributes": scan.attributes,
        "source": {
            "system": system,
            "status": src_status,
            "substatus": substatus,
            "code": code,
            "text": text,
        },
    }


def _event_dicts(p: _Parcel) -> list[dict[str, Any]]:
    stage = Stage.PRE_TRANSIT
    out: list[dict[str, Any]] = []
    for scan in sorted(p.scans, key=lambda s: s.at):
        if scan.at > DEMO_AT:
            # A scenario that schedules scans after the evaluation time is a generator bug.
            raise RuntimeError(f"{p.tracking_number}: scan {scan.step} after DEMO_AT")
        data = _event_dict(p, scan, stage)
        if scan.report is None:
            stage = Stage(data["stage"])
        out.append(data)
    return out


@attrs.frozen
class _Arrival:
    received: datetime
    seq: int
    data: dict[str, Any]


def _arrivals(
    rng: random.Random, events: list[dict[str, Any]], seq: int, *, duplicate: bool, reorder: bool
) -> list[_Arrival]:
    """When each event reaches us: shortly after it happened, with carrier noise."""
    times = [datetime.fromisoformat(e["occurred_at"]) for e in events]
    received = [t + _hours(rng, 0.05, 1.5) for t in times]
    carrier_idx = [i for i, e in enumerate(events) if e["source"]["system"] not in _PEOPLE]
    if reorder and len(carrier_idx) >= 3:
        # A scan held back by the carrier's batch upload arrives after a later one.
        i = rng.choice(carrier_idx[1:-1])
        received[i] = received[i + 1] + _hours(rng, 0.1, 6)
    out = [_Arrival(r, seq + i, e) for i, (r, e) in enumerate(zip(received, events, strict=True))]
    if duplicate and carrier_idx:
        i = rng.choice(carrier_idx)
        copy = json.loads(json.dumps(events[i]))
        if rng.random() < 0.5:
            # Re-sent with re-worded text: the codes and time still make it the same scan.
            copy["description"] = copy["description"].upper()
        out.append(_Arrival(received[i] + _hours(rng, 0.2, 12), seq + len(events), copy))
    return out


_PEOPLE: Final = frozenset({"customer", "warehouse", "merchant", "oms"})


# --------------------------------------------------------------------------- API


def _plan(rng: random.Random, shipments: int) -> list[_Scenario]:
    exceptions = min(shipments, max(round(shipments * EXCEPTION_SHARE), len(_EXCEPTIONS)))
    plan = list(_EXCEPTIONS[:exceptions])
    extra = exceptions - len(plan)
    plan += rng.choices(_EXCEPTIONS, weights=[s.weight for s in _EXCEPTIONS], k=extra)
    plan += rng.choices(_NORMAL, weights=[s.weight for s in _NORMAL], k=shipments - exceptions)
    rng.shuffle(plan)
    return plan


def generate_demo(*, seed: int = 7, shipments: int = 300) -> DemoData:
    """Generate the demo data set for ``seed``: the same seed gives the same data.

    About 35 % of the shipments are exceptions; with 34 shipments or more every
    scenario variant appears at least once, and with 13 or more every exception kind
    of the default pack does.
    """
    if shipments < 1:
        raise ValueError(f"shipments must be at least 1, got {shipments}")
    rng = random.Random(seed)
    taken: set[str] = set()
    built: list[Shipment] = []
    arrivals: list[_Arrival] = []
    scenarios: dict[str, str] = {}
    for scenario in _plan(rng, shipments):
        parcel = _parcel(rng, scenario, taken)
        scenario.build(parcel)
        events = _event_dicts(parcel)
        arrivals += _arrivals(
            rng,
            events,
            len(arrivals),
            duplicate=rng.random() < 0.12,
            reorder=rng.random() < 0.12,
        )
        built.append(_shipment(parcel))
        scenarios[parcel.tracking_number] = scenario.name
    arrivals.sort(key=lambda a: (a.received, a.seq))
    return DemoData(
        shipments=tuple(built),
        events=tuple(TrackingEvent.parse(a.data) for a in arrivals),
        at=DEMO_AT,
        scenarios=scenarios,
    )
