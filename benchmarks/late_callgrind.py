"""Late events under callgrind: one late step against one in-order step (issue 15).

    PYTHONHASHSEED=0 valgrind --tool=callgrind --toggle-collect=functools_reduce \\
        python benchmarks/late_callgrind.py LENGTH BACK N late|in [fork|meet]

Parcels of ``late_events.parcel`` (seed 5), ``default`` pack, records built beforehand.
``late``: N states holding every event of their parcel but the one BACK from the end
(``late_events.built``, in order, so they hold the checkpoints an in-memory engine has),
each stepped with it; ``in``: N states holding all but their parcel's last 8 events,
stepped with those one at a time.  Only the steps run inside ``functools.reduce``, the
region callgrind collects; divide its total by N (late) or 8 N (in order).  One late
step of an extra parcel runs before, outside it: what a kernel computes once (the
pack's counter reads, its anchors) is not a late step's cost.

``fork`` / ``meet`` (late only): keep only the parcels whose late event the shortcut
of ``runtime/_replay.py`` settles at the fork (the state two events after it equals
the stored one but for counts) or does not (``_Tail.meet``: the replay goes on to a
stored checkpoint, or to the end), classified by a dry run on other states.
"""

from __future__ import annotations

import functools
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from late_events import LAST, built, parcel

from logix_rules import Kernel, ShipmentState, load_pack
from logix_rules.core._records import EventRec
from logix_rules.runtime import _replay


def _met_at_fork(kernel: Kernel, parcels: list[list[EventRec]], back: int) -> list[bool]:
    """Per parcel, whether its late step ends at the fork (no ``_Tail.meet``)."""
    flags: list[bool] = []
    meet = _replay._Tail.meet

    def counted(self: _replay._Tail, *args: object) -> tuple[int, bool]:
        flags[-1] = False
        return meet(self, *args)  # type: ignore[arg-type]

    setattr(_replay._Tail, "meet", counted)  # noqa: B010
    try:
        for state, recs in zip(built(kernel, parcels, back), parcels, strict=True):
            flags.append(True)
            kernel.step_many(state, [recs[-1 - back]])
    finally:
        setattr(_replay._Tail, "meet", meet)  # noqa: B010
    return flags


def main() -> None:
    length, back, n, mode = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    subset = sys.argv[5] if len(sys.argv) > 5 else None
    kernel = Kernel(load_pack("default"))
    rng = random.Random(5)
    events = [parcel(i, length, rng) for i in range(n + 1)]
    parcels = [[kernel.record(e) for e in trail] for trail in events]
    warm = parcels.pop()
    kernel.step_many(built(kernel, [warm], back)[0], [warm[-1 - back]])
    if subset is not None:
        flags = _met_at_fork(kernel, parcels, back)
        parcels = [r for r, f in zip(parcels, flags, strict=True) if f == (subset == "fork")]
    work: list[tuple[ShipmentState, EventRec]] = []
    if mode == "late":
        states = built(kernel, parcels, back)
        work = [(s, recs[-1 - back]) for s, recs in zip(states, parcels, strict=True)]
    else:
        for recs in parcels:
            state = kernel.new_state(recs[0][1].split("-")[0], "dhl")
            kernel.step_many(state, recs[:-LAST])
            work.extend((state, rec) for rec in recs[-LAST:])

    def one(done: int, item: tuple[ShipmentState, EventRec]) -> int:
        kernel.step_many(item[0], [item[1]])
        return done + 1

    steps = functools.reduce(one, work, 0)
    print(f"{steps} steps ({len(parcels)} parcels)", file=sys.stderr)


if __name__ == "__main__":
    main()
