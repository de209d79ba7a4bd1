"""Eight weeks of seeded demo history for ``logix demo --report``: parcels shipped week
after week across the demo carriers and lanes, one carrier getting worse every week,
one lane where delays recur, and a team that acknowledges and resolves what opens.

``generate_history`` makes the data (the same seed, the same bytes); ``replay_history``
feeds it to an engine in time order, moving the clock in steps and recording the
follow-ups when they are due, as a live system would have.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import attrs

from logix_carriers import Shipment, TrackingEvent

from ..core._errors import LogixError
from ..runtime._engine import Engine
from ..runtime._incidents import ChangeType
from ._generator import _event_dicts, _shipment
from ._parcels import _hours, _Parcel
from ._tables import _CATEGORIES, _CITIES, _EXPORT_GATEWAYS, _HUBS, _IMPORT_GATEWAYS, _LANES, _Lane

__all__ = ["HISTORY_END", "History", "generate_history", "replay_history"]

#: The end of the demo history (a Monday, 00:00 UTC), before the demo's own instant.
HISTORY_END: Final = datetime(2026, 3, 16, tzinfo=UTC)
#: The carrier whose exception rate grows week after week.
DEGRADING: Final = "yanwen"
#: The lane where delays recur (slow customs), often enough to be flagged.
DELAY_LANE: Final = ("CN", "IN")
#: Lane weights for the history (the delay lane gets enough parcels to show).
_WEIGHTS: Final = {("CN", "IN"): 14, ("CN", "US"): 24}


@attrs.frozen
class History:
    """Shipments and their events (in the order they happened) from ``start`` to
    ``end``; ``degrading_carrier`` and ``delay_lane`` name what the data was built to
    show."""

    shipments: tuple[Shipment, ...]
    events: tuple[TrackingEvent, ...]
    start: datetime
    end: datetime
    degrading_carrier: str
    delay_lane: str


def _build(rng: random.Random, lane: _Lane, taken: set[str]) -> _Parcel:
    carrier = rng.choice(lane.carriers)
    number = carrier.numbers(rng)
    while number in taken:
        number = carrier.numbers(rng)
    taken.add(number)
    origin = rng.choice(_CITIES[lane.origin])
    dest = rng.choice([p for p in _CITIES[lane.destination] if p.city != origin.city])
    hubs = _HUBS.get(lane.origin) or _EXPORT_GATEWAYS[lane.origin]
    return _Parcel(
        rng,
        lane,
        carrier,
        number,
        origin,
        dest,
        rng.choice(hubs),
        rng.choice(_EXPORT_GATEWAYS.get(lane.origin, hubs)),
        rng.choice(_IMPORT_GATEWAYS.get(lane.destination, (dest,))),
        category=rng.choice(list(_CATEGORIES)),
    )


def _no_long_silence(p: _Parcel, rng: random.Random) -> None:
    """Close the journey's gaps longer than 20 h: a healthy parcel never stalls."""
    scans = sorted(p.scans, key=lambda s: s.at)
    pulled = timedelta()
    for before, scan in itertools.pairwise(scans):
        gap = scan.at - pulled - before.at
        if gap > timedelta(hours=20):
            pulled += gap - _hours(rng, 8, 20)
        scan.at -= pulled


def _shift_after(p: _Parcel, step: str, by: timedelta) -> None:
    """Silence after ``step``: every later scan moves ``by`` later."""
    scans = sorted(p.scans, key=lambda s: s.at)
    index = next((i for i, s in enumerate(scans) if s.step == step), None)
    if index is None:
        return
    for scan in scans[index + 1 :]:
        scan.at += by


def _exception(p: _Parcel, rng: random.Random, kind: str) -> None:
    scans = sorted(p.scans, key=lambda s: s.at)
    delivered = scans[-1]
    if kind == "stall":
        _shift_after(
            p,
            rng.choice(("origin_facility", "hub_arrive", "delivery_facility")),
            _hours(rng, 30, 60),
        )
    elif kind == "late":
        step = "customs_in" if any(s.step == "customs_in" for s in scans) else "depart"
        _shift_after(p, step, _hours(rng, 5 * 24, 9 * 24))
    elif kind == "attempt":
        delivered.at += _hours(rng, 20, 30)
        p.add("attempt_absent", delivered.at - _hours(rng, 18, 24), delivered.place)
    elif kind == "damaged":
        middle = scans[len(scans) // 2]
        p.add(
            "damaged",
            middle.at + _hours(rng, 1, 4),
            middle.place,
            attributes={"damage_ratio": round(rng.uniform(0.02, 0.4), 2)},
        )
    elif kind == "lost":
        cut = next(i for i, s in enumerate(scans) if s.step == "depart")
        p.scans[:] = scans[: cut + 1]
        p.add("lost", scans[cut].at + _hours(rng, 3 * 24, 6 * 24), scans[cut].place)
    elif kind == "complaint":
        p.add(
            "report",
            delivered.at + _hours(rng, 4, 30),
            p.dest,
            reason="not_received",
            report="customer",
            text="Tracking says delivered but nothing arrived",
            attributes={"ticket": f"CS-{rng.randint(100000, 999999)}"},
        )


_KINDS: Final = ("stall", "late", "attempt", "damaged", "lost", "complaint")
_KIND_WEIGHTS: Final = (5, 4, 4, 2, 1, 2)


def _share(carrier: str, lane: _Lane, week: int) -> float:
    """The chance a parcel has an exception: the degrading carrier gets worse."""
    if (lane.origin, lane.destination) == DELAY_LANE:
        return 0.55
    if carrier == DEGRADING:
        return 0.05 + 0.07 * week
    return 0.07


def generate_history(
    *, seed: int = 7, weeks: int = 8, per_week: int = 110, end: datetime = HISTORY_END
) -> History:
    """``weeks`` weeks of ``per_week`` shipments each, ending at ``end``."""
    if weeks < 1 or per_week < 1:
        raise ValueError(f"weeks and per_week must be at least 1, got {weeks}, {per_week}")
    rng = random.Random(seed)
    start = end - timedelta(weeks=weeks)
    weights = [_WEIGHTS.get((lane.origin, lane.destination), lane.weight) for lane in _LANES]
    taken: set[str] = set()
    shipments: list[Shipment] = []
    events: list[dict[str, Any]] = []
    for week in range(weeks):
        for _ in range(per_week):
            lane = rng.choices(_LANES, weights=weights)[0]
            p = _build(rng, lane, taken)
            label = start + timedelta(weeks=week) + _hours(rng, 0, 7 * 24 - 8)
            first = p.happy_path(at=label + timedelta(days=30))
            for scan in p.scans:
                scan.at += label - first
            _no_long_silence(p, rng)
            days = rng.randint(*lane.promise_days)
            p.promised_at = label + timedelta(days=days, hours=rng.randint(0, 12))
            late = lane.cross_border and (lane.origin, lane.destination) == DELAY_LANE
            if rng.random() < _share(p.carrier.code, lane, week):
                kind = (
                    "late" if late and rng.random() < 0.8 else rng.choices(_KINDS, _KIND_WEIGHTS)[0]
                )
                _exception(p, rng, kind)
            p.scans[:] = [s for s in p.scans if s.at < end]
            shipments.append(_shipment(p))
            events.extend(_event_dicts(p))
    parsed = sorted(
        (TrackingEvent.parse(e) for e in events), key=lambda e: (e.occurred_at, e.event_id)
    )
    return History(
        tuple(shipments),
        tuple(parsed),
        start,
        end,
        DEGRADING,
        "-".join(DELAY_LANE),
    )


_TEAM: Final = ("ana", "ben", "chen", "dara")


def replay_history(
    history: History,
    engine: Engine,
    *,
    step: timedelta = timedelta(hours=6),
    seed: int = 7,
    progress: Callable[[datetime], None] | None = None,
) -> int:
    """Feed the history to ``engine`` in time order, advancing the clock every ``step``
    and acknowledging and resolving the incidents that open (most within the hour and
    a few hours; some late); return how many follow-ups were recorded."""
    rng = random.Random(seed)
    by_number = {s.tracking_number: s for s in history.shipments}
    known: set[str] = set()
    due: list[tuple[datetime, int, str, str, str]] = []  # (at, order, what, incident, by)
    order = 0
    recorded = 0
    events = list(history.events)
    position = 0
    record = getattr(engine, "record", None)
    moment = history.start
    while moment < history.end:
        until = min(moment + step, history.end)
        batch = []
        while position < len(events) and events[position].occurred_at < until:
            batch.append(events[position])
            position += 1
        for event in batch:
            if event.tracking_number not in known:
                known.add(event.tracking_number)
                engine.upsert_shipment(by_number[event.tracking_number])
        changes = engine.ingest(batch) if batch else []
        changes += engine.advance(to=until)
        for change in changes:
            if change.type is not ChangeType.OPENED:
                continue
            incident = change.incident
            who = rng.choice(_TEAM)
            ack = max(incident.opened_at, change.at) + _hours(
                rng, 0.02, 0.6 if rng.random() < 0.85 else 6
            )
            slow = rng.random() < 0.25
            done = ack + _hours(rng, 0.3, 3.5) if not slow else ack + _hours(rng, 5, 30)
            plan = [(ack, "acknowledged"), (done, "resolved")]
            if incident.deadlines.get("claim") is not None and record is not None:
                plan.insert(1, (ack + _hours(rng, 0.5, 30), "claim_filed"))
            for at, what in plan:
                heapq.heappush(due, (at, order, what, incident.id, who))
                order += 1
        while due and due[0][0] <= until:
            at, _, what, ident, who = heapq.heappop(due)
            try:
                if what == "acknowledged":
                    engine.acknowledge(ident, by=who, at=at)
                elif what == "resolved":
                    engine.resolve(ident, by=who, at=at, note="handled")
                elif record is not None:
                    record(ident, action=what, by=who, at=at)
                recorded += 1
            except (LogixError, ValueError):
                continue  # it cleared meanwhile, or the pack has no such action
        if progress is not None:
            progress(until)
        moment = until
    return recorded
