"""Kernel state: ``Kernel.loads`` of a 9-event parcel against one step of that parcel.

Parcels of the seeded demo stream (``generate_demo``) that end with exactly nine
distinct events, ``default`` pack.  "One step" is the mean cost of applying one of a
parcel's events, in time order, to its state: ``kernel.step(state,
kernel.record(event))`` for a validated ``TrackingEvent`` (the definition under which
the version-1 form measured 14x in issue 12), and also, as "kernel step", the
``kernel.step`` of a pre-built record alone.  ``loads`` is the cost of reading the
parcel's final state back from ``Kernel.dumps`` (version 3: a decode, no replay).

"Touch" is what a stream host such as Spark's ``IncidentProcessor`` does to a key for
one new event: ``loads`` the parcel's state after its first eight events, ``step`` the
ninth (``kernel.record`` of the validated event included) and ``dumps`` the result,
both with ``keep=True`` as Spark's rows do; the target (issue 15) is
``touch/step <= 5``.

Both run twice: parcels without OMS facts ("bare") and with their shipment upserted
first ("facts").  For comparison the version-1 form (events, facts and follow-ups only,
rebuilt by a replay) is loaded too.  Best of ``--repeat`` runs, interleaved; the target
is ``loads/step <= 3``.  Times are CPU time (``time.process_time``: the figures hold
when other work loads the machine).  The script checks that every loaded state writes back the same
bytes and holds the same incidents as the state it came from, and that the version-1
replay agrees, and stops (exit 1) otherwise.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fail, header, parse_args, result_line, settle, table

from logix_carriers import Shipment, TrackingEvent
from logix_rules import Kernel, ShipmentState, generate_demo, load_pack
from logix_rules.core._records import rec_to_list

SIZES = {"full": (6_000, 9), "quick": (2_000, 7), "tiny": (150, 1)}
EVENTS = 9
Parcel = tuple[str, str, Shipment | None, list[TrackingEvent]]


def parcels(events: Sequence[TrackingEvent], shipments: Sequence[Shipment]) -> list[Parcel]:
    """The parcels with exactly nine distinct events, each with its events in order."""
    by_number: dict[str, dict[str, TrackingEvent]] = {}
    for event in events:
        by_number.setdefault(event.tracking_number, {})[event.event_id] = event
    facts = {s.tracking_number: s for s in shipments}
    out = []
    for tn, found in by_number.items():
        if len(found) == EVENTS:
            ordered = sorted(found.values(), key=lambda e: (e.occurred_at, e.event_id))
            out.append((tn, ordered[0].carrier, facts.get(tn), ordered))
    return out


def step_events(kernel: Kernel, chosen: Sequence[Parcel], bare: bool) -> list[ShipmentState]:
    """Every parcel's events applied one by one, each validated event made a record."""
    states = []
    step, record = kernel.step, kernel.record
    for tn, carrier, shipment, events in chosen:
        state = kernel.new_state(tn, carrier, None if bare else shipment)
        for event in events:
            step(state, record(event))
        states.append(state)
    return states


def step_records(
    kernel: Kernel, chosen: Sequence[Parcel], records: Sequence[list[Any]], bare: bool
) -> None:
    """The same with the records built beforehand: the kernel's step alone."""
    step = kernel.step
    for (tn, carrier, shipment, _), recs in zip(chosen, records, strict=True):
        state = kernel.new_state(tn, carrier, None if bare else shipment)
        for rec in recs:
            step(state, rec)


def touch(kernel: Kernel, before: Sequence[bytes], last: Sequence[TrackingEvent]) -> None:
    """Each parcel's state read, its last event applied, the state written (as
    ``_spark_rows.handle_rows`` does: with ``keep``)."""
    loads, step, record, dumps = kernel.loads, kernel.step, kernel.record, kernel.dumps
    for blob, event in zip(before, last, strict=True):
        state = loads(blob, keep=True)
        step(state, record(event))
        dumps(state, keep=True)


def v1_bytes(kernel: Kernel, state: ShipmentState) -> bytes:
    """What version 1 wrote: the inputs of the state, to be replayed."""
    shipment = state.shipment
    return json.dumps(
        {
            "v": 1,
            "pack": kernel.pack.fingerprint,
            "tn": state.tracking_number,
            "carrier": state.carrier,
            "shipment": None if shipment is None else shipment.model_dump(mode="json"),
            "events": [rec_to_list(rec) for rec in state.history],
            "fired_through": state.fired_through,
            "followups": {},
        }
    ).encode()


def cpu_seconds(fn: Callable[[], Any]) -> float:
    """CPU seconds ``fn()`` took (this process's)."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def best_of(repeat: int, fns: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """The best CPU time of each function over ``repeat`` interleaved rounds."""
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeat):
        for name, fn in fns.items():
            best[name] = min(best[name], cpu_seconds(fn))
    return best


def main(argv: Sequence[str] | None = None) -> int:
    args, size = parse_args(__doc__.splitlines()[0] if __doc__ else "", SIZES, argv)
    data = generate_demo(seed=args.seed, shipments=size.n)
    kernel = Kernel(load_pack("default"))
    chosen = parcels(list(data.events), data.shipments)
    if not chosen:
        fail("no parcel of the demo stream has nine events")
    detail = f"{len(chosen):,} parcels of {EVENTS} events, best of {size.repeat}"
    header("kernel state", size, detail)
    records = [[kernel.record(e) for e in events] for *_, events in chosen]
    rows = []
    figures: dict[str, float] = {}
    for mode in ("bare", "facts"):
        bare = mode == "bare"
        states = step_events(kernel, chosen, bare)
        blobs = [kernel.dumps(s) for s in states]
        old = [v1_bytes(kernel, s) for s in states]
        for state, blob, legacy in zip(states, blobs, old, strict=True):
            loaded = kernel.loads(blob)
            if kernel.dumps(loaded) != blob or kernel.incidents(loaded) != kernel.incidents(state):
                fail(f"{state.tracking_number}: the loaded state differs from the dumped one")
            if kernel.dumps(kernel.loads(legacy)) != blob:
                fail(f"{state.tracking_number}: the version-1 replay differs from the state")
        early = [(tn, carrier, shipment, events[:-1]) for tn, carrier, shipment, events in chosen]
        before = [kernel.dumps(s) for s in step_events(kernel, early, bare)]
        last = [events[-1] for *_, events in chosen]
        settle()
        loads = kernel.loads
        best = best_of(
            size.repeat,
            {
                "step": lambda: step_events(kernel, chosen, bare),  # noqa: B023
                "kernel": lambda: step_records(kernel, chosen, records, bare),  # noqa: B023
                "loads": lambda: [loads(b) for b in blobs],  # noqa: B023
                "v1": lambda: [loads(b) for b in old],  # noqa: B023
                "dumps": lambda: [kernel.dumps(s) for s in states],  # noqa: B023
                "touch": lambda: touch(kernel, before, last),  # noqa: B023
            },
        )
        steps = len(chosen) * EVENTS
        step, kernel_step = best["step"] / steps, best["kernel"] / steps
        each = {name: best[name] / len(chosen) for name in ("loads", "v1", "dumps", "touch")}
        size_b = sum(len(b) for b in blobs) / len(blobs)
        rows.append(
            (
                mode,
                step * 1e6,
                kernel_step * 1e6,
                each["loads"] * 1e6,
                each["dumps"] * 1e6,
                each["v1"] * 1e6,
                each["touch"] * 1e6,
                size_b,
            )
        )
        figures[f"{mode}_touch"] = each["touch"] / step
        figures[mode] = each["loads"] / step
        figures[f"{mode}_kernel"] = each["loads"] / kernel_step
        figures[f"{mode}_v1"] = each["v1"] / step
        figures[f"{mode}_step_us"] = step * 1e6
        figures[f"{mode}_loads_us"] = each["loads"] * 1e6
        figures[f"{mode}_bytes"] = size_b
    table(
        [
            "parcels",
            "step µs",
            "kernel step µs",
            "loads µs",
            "dumps µs",
            "v1 loads µs",
            "touch µs",
            "bytes",
        ],
        rows,
    )
    print(
        f"\nloads/step = {figures['bare']:.2f} bare, {figures['facts']:.2f} with facts "
        f"(target <= 3); against the kernel step alone {figures['bare_kernel']:.2f} and "
        f"{figures['facts_kernel']:.2f}; version 1 (a replay): {figures['bare_v1']:.1f} and "
        f"{figures['facts_v1']:.1f}"
    )
    print(
        f"touch/step = {figures['bare_touch']:.2f} bare, {figures['facts_touch']:.2f} with "
        "facts (loads, step one event, dumps; target <= 5)"
    )
    print(
        result_line(
            loads_over_step=figures["bare"],
            loads_over_step_facts=figures["facts"],
            loads_over_kernel_step=figures["bare_kernel"],
            loads_over_kernel_step_facts=figures["facts_kernel"],
            v1_over_step=figures["bare_v1"],
            v1_over_step_facts=figures["facts_v1"],
            touch_over_step=figures["bare_touch"],
            touch_over_step_facts=figures["facts_touch"],
            step_us=figures["bare_step_us"],
            loads_us=figures["bare_loads_us"],
            state_bytes=round(figures["bare_bytes"]),
            parcels=len(chosen),
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
