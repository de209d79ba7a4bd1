"""Late events: one late event against one in-order event, by history length and distance.

Seeded long parcels (in-transit scans 2-8 h apart, 1 in 20 an exception or customs
scan, so incidents open, escalate and clear along the way), ``default`` pack, records
built beforehand.  "In order" is the mean CPU time of ``kernel.step`` of a parcel's
last 8 events, in order, onto a state holding the others (what one event costs varies
with what is open at its instant); "late, k back" is that of one step of the event with
``k`` events after it in time, onto a state holding all the others (built in order,
so it has the checkpoints an in-memory engine has).  Histories of 60 events (late 10
and 50 back) and of 1,000 events (late 5 and 20 back).  Each late case runs twice: as
the kernel is (checkpoints, ``runtime/_checkpoints.py``, and the shortcut that keeps the
stored rest of the state once the late event changed only counts, ``_Tail`` in
``runtime/_replay.py``) and without either (``checkpoint_from`` out of reach,
``_converge`` off: the whole history replayed, as before issue 15).  Targets (issue
15): late/in-order <= 3 for 50 back in 60, <= 10 in a 1,000-event history.

Best of ``--repeat`` rounds (fresh states each round), CPU time (``time.process_time``);
and ``absorbed...``: the events a late event absorbs (replays), which no load moves.
Checks that every late state writes the same bytes with and without checkpoints, and
holds the same incidents as the state that took every event in order, and stops (exit 1)
otherwise.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fail, header, parse_args, result_line, settle, table

from logix_carriers import TrackingEvent
from logix_rules import Engine, Kernel, Pack, ShipmentState, load_pack
from logix_rules.core._records import EventRec
from logix_rules.runtime._incidents import Change

#: --n is the number of 60-event parcels; 1,000-event parcels are n // 10 (at least 2).
LAST = 8  # "in order": the mean of each parcel's last LAST events
SIZES = {"full": (300, 5), "quick": (90, 3), "tiny": (6, 1)}
CASES = ((60, (10, 50)), (1000, (5, 20)))
BASE = datetime(2026, 3, 1, tzinfo=UTC)
ODD = (
    ("exception", "delay_weather"),
    ("exception", "customs_hold"),
    ("customs", None),
    ("exception", "address_issue"),
)


def parcel(index: int, length: int, rng: random.Random) -> list[TrackingEvent]:
    """One parcel's events in time order."""
    tn = f"LATE{index:07d}"
    at = BASE
    events = []
    for k in range(length):
        status, reason = ("info_received", None) if k == 0 else ("picked_up", None)
        if k > 1:
            status, reason = ODD[rng.randrange(4)] if rng.random() < 0.05 else ("in_transit", None)
        event = TrackingEvent.model_validate(
            {
                "tracking_number": tn,
                "carrier": "dhl",
                "occurred_at": at,
                "status": status,
                "reason": reason,
                "event_id": f"{tn}-{k}",
            }
        )
        events.append(event)
        at += timedelta(hours=rng.choice((2, 3, 4, 5, 6, 8)))
    return events


def built(kernel: Kernel, parcels: Sequence[list[EventRec]], skip: int) -> list[ShipmentState]:
    """Each parcel's state holding every event but the one ``skip`` from the end."""
    states = []
    for recs in parcels:
        state = kernel.new_state(recs[0][1].split("-")[0], "dhl")
        gone = len(recs) - 1 - skip
        for k, rec in enumerate(recs):
            if k != gone:
                kernel.step(state, rec)
        states.append(state)
    return states


def in_order(kernel: Kernel, parcels: Sequence[list[EventRec]]) -> float:
    """CPU seconds per ``kernel.step`` of each parcel's last LAST events, in order,
    onto a state holding the others (the mean: what an event costs varies with what is
    open at its instant)."""
    states = []
    for recs in parcels:
        state = kernel.new_state(recs[0][1].split("-")[0], "dhl")
        for rec in recs[:-LAST]:
            kernel.step(state, rec)
        states.append(state)
    settle()
    start = time.process_time()
    for state, recs in zip(states, parcels, strict=True):
        for rec in recs[-LAST:]:
            kernel.step(state, rec)
    spent = time.process_time() - start
    gc.unfreeze()
    return spent / (len(states) * LAST)


def timed_steps(kernel: Kernel, states: list[ShipmentState], recs: list[EventRec]) -> float:
    """CPU seconds per ``kernel.step`` of ``recs[i]`` onto ``states[i]``."""
    settle()
    start = time.process_time()
    for state, rec in zip(states, recs, strict=True):
        kernel.step(state, rec)
    spent = time.process_time() - start
    gc.unfreeze()
    return spent / len(states)


def engine_steps(pack: Pack, parcels: Sequence[list[TrackingEvent]], skip: int | None) -> float:
    """The same through ``Engine.ingest`` of one validated event per call (an engine
    holding every parcel); CPU seconds per call.  Checks the incidents after.  ``skip``
    None: each parcel's last LAST events in order."""
    engine = Engine(pack, settle_gc=False)
    if skip is None:
        engine.ingest([e for events in parcels for e in events[:-LAST]])
        calls = [[e] for events in parcels for e in events[-LAST:]]
    else:
        gone = [events[len(events) - 1 - skip] for events in parcels]
        held = [e for events, g in zip(parcels, gone, strict=True) for e in events if e is not g]
        engine.ingest(held)
        calls = [[g] for g in gone]
    settle()
    start = time.process_time()
    for call in calls:
        engine.ingest(call)
    spent = time.process_time() - start
    gc.unfreeze()
    whole = Engine(pack, settle_gc=False)
    whole.ingest([e for events in parcels for e in events])
    if _canonical(engine) != _canonical(whole):
        fail(f"Engine: {skip} back, the incidents differ from the in-order arrival")
    return spent / len(calls)


def _canonical(engine: Engine) -> list[tuple[str, str, str]]:
    return sorted((i.tracking_number, i.kind, i.id) for i in engine.open_incidents())


def main(argv: Sequence[str] | None = None) -> int:
    args, size = parse_args(__doc__.splitlines()[0] if __doc__ else "", SIZES, argv)
    pack = load_pack("default")
    kernel, plain = Kernel(pack), Kernel(pack)
    plain._checkpoint_from = 1 << 40  # never: every late event replays the whole history
    plain._converge = False  # to its end (runtime/_replay.py, _Tail)
    rng = random.Random(args.seed)
    counts = {60: size.n, 1000: max(2, size.n // 10)}
    header("late events", size, f"{counts[60]} parcels of 60, {counts[1000]} of 1,000 events")
    rows: list[list[object]] = []
    figures: dict[str, float] = {}
    for length, backs in CASES:
        events = [parcel(i, length, rng) for i in range(counts[length])]
        parcels = [[kernel.record(e) for e in trail] for trail in events]
        best = {"in": float("inf"), "engine_in": float("inf")}
        for _ in range(size.repeat):
            best["in"] = min(best["in"], in_order(kernel, parcels))
            best["engine_in"] = min(best["engine_in"], engine_steps(pack, events, None))
            for back in backs:
                spent = engine_steps(pack, events, back)
                best[f"engine{back}"] = min(best.get(f"engine{back}", spent), spent)
            for back in backs:
                late = [recs[-1 - back] for recs in parcels]
                for name, k in (("with", kernel), ("without", plain)):
                    states = built(k, parcels, back)
                    spent = timed_steps(k, states, late)
                    best[f"{name}{back}"] = min(best.get(f"{name}{back}", spent), spent)
                    check(k, states, parcels, f"{length} events, {back} back, {name}")
        in_engine = best["engine_in"]
        rows.append(
            [f"{length} events: in order", best["in"] * 1e6, 1.0, "", "", in_engine * 1e6, 1.0]
        )
        for back in backs:
            w, wo = best[f"with{back}"], best[f"without{back}"]
            on_engine = best[f"engine{back}"] / best["engine_in"]
            rows.append(
                [
                    f"{length} events: late, {back} back",
                    w * 1e6,
                    w / best["in"],
                    wo * 1e6,
                    wo / best["in"],
                    best[f"engine{back}"] * 1e6,
                    on_engine,
                ]
            )
            figures[f"late{length}_{back}"] = w / best["in"]
            figures[f"late{length}_{back}_replay_all"] = wo / best["in"]
            figures[f"speedup{length}_{back}"] = wo / w
            figures[f"engine{length}_{back}"] = on_engine
            figures[f"absorbed{length}_{back}"] = absorbed(kernel, parcels, back)
    print("# kernel.step; without checkpoints (replay all); Engine.ingest of one event")
    headers = ["case", "µs", "x in order", "µs, replay all", "x", "Engine µs", "x"]
    table(headers, rows)
    print()
    for key, value in figures.items():
        print(f"{key} = {value:.2f}")
    print(result_line(**{key: round(value, 2) for key, value in figures.items()}))
    return 0


def absorbed(kernel: Kernel, parcels: Sequence[list[EventRec]], back: int) -> float:
    """Events a late event absorbs (``Kernel._take``), per late event: what the replay
    costs, in steps, whatever the machine's load."""
    states = built(kernel, parcels, back)
    calls = [0]
    take = kernel._take

    def counted(state: ShipmentState, rec: EventRec) -> list[Change]:
        calls[0] += 1
        return take(state, rec)

    setattr(kernel, "_take", counted)  # noqa: B010  (an instance attribute over the method)
    try:
        for state, recs in zip(states, parcels, strict=True):
            kernel.step(state, recs[-1 - back])
    finally:
        del kernel._take
    return calls[0] / len(parcels)


_REFERENCE: dict[str, bytes] = {}


def check(
    kernel: Kernel, states: list[ShipmentState], parcels: Sequence[list[EventRec]], case: str
) -> None:
    """Every late state as the in-order one, and the same bytes with or without."""
    for state, recs in zip(states, parcels, strict=True):
        fresh = kernel.new_state(state.tracking_number, "dhl")
        kernel.step_many(fresh, list(recs))
        assert state.fired_through is not None
        kernel.fire(fresh, state.fired_through)
        if kernel.incidents(fresh) != kernel.incidents(state) or fresh.history != state.history:
            fail(f"{case}: {state.tracking_number} differs from the in-order arrival")
        key = f"{case.rsplit(',', 1)[0]}/{state.tracking_number}"
        data = kernel.dumps(state)
        if _REFERENCE.setdefault(key, data) != data:
            fail(f"{case}: {state.tracking_number} differs with and without checkpoints")


if __name__ == "__main__":
    sys.exit(main())
