"""The state codec's per-parcel cost under callgrind (issues 12 and 15).

    python benchmarks/state_callgrind.py PARCELS.pickle bare|facts PART N
    PYTHONHASHSEED=0 valgrind --tool=callgrind --toggle-collect=functools_reduce \\
        python benchmarks/state_callgrind.py PARCELS.pickle bare|facts PART N

The parcels are ``benchmarks/state.py``'s: those of ``generate_demo(seed=7,
shipments=2000)`` with exactly nine distinct events, ``default`` pack.  Making them
takes about a minute natively and far longer under valgrind, so the first run (without
valgrind) writes them to ``PARCELS.pickle`` and later runs read them from it.

The first ``N`` parcels are stepped through their first eight events (bare: no OMS
facts; facts: the shipment upserted first) and dumped; then every parcel's ``PART``
runs once as a warm-up and once inside ``functools.reduce``, the one call callgrind
collects: divide its total by the parcels printed.  The parts:

- ``loads``: ``kernel.loads(blob, keep=True)`` of the 8-event state;
- ``touch``: that load, ``kernel.step`` of the ninth event with its ``kernel.record``,
  and ``kernel.dumps(state, keep=True)``: what Spark's rows do for a key (issue 15's
  touch/step target);
- ``dumps``: ``kernel.dumps(state, keep=True)`` of a state loaded with ``keep`` and
  stepped through its ninth event: what a store's save of a cached state does (issue 12);
- ``step``: ``kernel.step`` of a loaded state with the ninth event's record pre-built.

Instructions do not move with the machine's load, so this is the measure of a change
to the codec (benchmarks/HISTORY.md, "State codec", tenth and eleventh sessions).
"""

from __future__ import annotations

import functools
import gc
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import state as bench

from logix_rules import Kernel, ShipmentState, generate_demo, load_pack

PARTS = ("loads", "touch", "dumps", "step")


def chosen_parcels(path: Path) -> list[bench.Parcel]:
    """``state.py``'s parcels, from ``path`` (made and written there when absent)."""
    if path.exists():
        with path.open("rb") as f:
            found: list[bench.Parcel] = pickle.load(f)  # a file this script wrote
        return found
    data = generate_demo(seed=7, shipments=2000)
    found = bench.parcels(data.events, data.shipments)
    with path.open("wb") as f:
        pickle.dump(found, f)
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[1] not in ("bare", "facts") or argv[2] not in PARTS:
        print(f"usage: state_callgrind.py PARCELS.pickle bare|facts {'|'.join(PARTS)} N",
              file=sys.stderr)  # fmt: skip
        return 2
    chosen = chosen_parcels(Path(argv[0]))[: int(argv[3])]
    bare, part = argv[1] == "bare", argv[2]
    kernel = Kernel(load_pack("default"))
    loads, dumps, step, record = kernel.loads, kernel.dumps, kernel.step, kernel.record
    early = [(tn, carrier, shipment, events[:-1]) for tn, carrier, shipment, events in chosen]
    before = [dumps(s) for s in bench.step_events(kernel, early, bare)]
    last = [events[-1] for *_, events in chosen]
    records = [record(event) for event in last]
    stepped: list[ShipmentState] = []

    def fresh(with_step: bool) -> None:
        """Each parcel's 8-event state loaded (with keep), stepped when asked."""
        stepped.clear()
        for blob, rec in zip(before, records, strict=True):
            state = loads(blob, keep=True)
            if with_step:
                step(state, rec)
            stepped.append(state)

    def touch1(_: Any, i: int) -> None:
        state = loads(before[i], keep=True)
        step(state, record(last[i]))
        dumps(state, keep=True)

    def loads1(_: Any, i: int) -> None:
        loads(before[i], keep=True)

    def dumps1(_: Any, i: int) -> None:
        dumps(stepped[i], keep=True)

    def step1(_: Any, i: int) -> None:
        step(stepped[i], records[i])

    fn: Callable[[Any, int], None] = {
        "loads": loads1,
        "touch": touch1,
        "dumps": dumps1,
        "step": step1,
    }[part]
    indices = range(len(before))
    # A warm-up pass over the same parcels (the kinds' and facts' pools filled), then
    # states as the measured pass needs them: a dumps or step changes the state it is
    # given, so those two are measured on states made afresh.
    fresh(part == "dumps")
    for i in indices:
        fn(None, i)
    if part in ("dumps", "step"):
        fresh(part == "dumps")
    gc.collect()
    gc.freeze()
    functools.reduce(fn, indices, None)
    print(f"parcels {len(before)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
