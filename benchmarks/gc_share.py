"""The cyclic garbage collector's share of ``ingest`` with many tracked shipments.

Unlike the other scripts, this one does *not* call ``settle()`` (which freezes
everything alive out of the collector's sight): the engine runs the way a user's
process runs it.  ``--n`` shipments of 4 events each (``_synthetic``, ending in
customs; the ``default`` pack) are ingested in chunks of 5,000 shipments; a
``gc.callbacks`` hook times every collection that happens inside ``ingest`` and
counts them by generation.  The share is GC seconds over ingest seconds (target
<= 5 % at 400,000 shipments).  The chunks are built outside the timed calls.

A collection deferred out of ``ingest`` would only move into the caller's code, so
the same hook also times every collection of the whole loop (building each chunk,
ingesting it, dropping it): the second share, GC seconds over the loop's seconds, is
the process's honest figure.  All are CPU seconds of this process
(``time.process_time``), so the shares hold on a machine shared with other work,
where wall-clock time inside a collection is mostly time spent waiting for a core.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fail, header, parse_args, result_line, table
from _synthetic import BASE, TRAIL_4, check_template, chunks

from logix_rules import Engine, load_pack

SIZES = {"full": (400_000, 1), "quick": (100_000, 1), "tiny": (4_000, 1)}


class GcClock:
    """Seconds spent in collections while ``on`` is set, split by whether ``inside``
    was set too, and their counts by generation."""

    def __init__(self) -> None:
        self.on = False
        self.inside = False
        self.seconds = 0.0  # all collections while on
        self.inside_seconds = 0.0
        self.counts = [0, 0, 0]
        self.inside_counts = [0, 0, 0]
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if not self.on:
            return
        if phase == "start":
            self._start = time.process_time()
            return
        spent = time.process_time() - self._start
        self.seconds += spent
        self.counts[info["generation"]] += 1
        if self.inside:
            self.inside_seconds += spent
            self.inside_counts[info["generation"]] += 1


def main(argv: Sequence[str] | None = None) -> int:
    _, size = parse_args(__doc__.splitlines()[0] if __doc__ else "", SIZES, argv)
    check_template()
    header(
        "GC share of ingest",
        size,
        f"{size.n:,} shipments x 4 events, default pack, no gc.freeze by the benchmark",
    )
    # Customs entered 60 h before BASE for all: every shipment opens an incident at
    # advance, none while ingesting (the clock is not set before).
    customs_at = [BASE - timedelta(hours=60)] * size.n
    engine = Engine(load_pack("default"))
    clock = GcClock()
    gc.callbacks.append(clock)
    ingest = 0.0
    events = 0
    loop_start = time.process_time()
    clock.on = True
    try:
        for batch in chunks(size.n, customs_at, TRAIL_4):
            events += len(batch)
            clock.inside = True
            start = time.process_time()
            engine.ingest(batch)
            ingest += time.process_time() - start
            clock.inside = False
            del batch
    finally:
        clock.on = False
        gc.callbacks.remove(clock)
    loop = time.process_time() - loop_start
    if len(engine) != size.n:
        fail(f"the engine tracks {len(engine):,} shipments, expected {size.n:,}")
    share = clock.inside_seconds / ingest
    loop_share = clock.seconds / loop
    print()
    table(
        ["part", "CPU s", "GC s", "GC share", "gen0/1/2"],
        [
            [
                "inside ingest",
                ingest,
                clock.inside_seconds,
                f"{share:.1%}",
                "/".join(str(c) for c in clock.inside_counts),
            ],
            [
                "whole loop",
                loop,
                clock.seconds,
                f"{loop_share:.1%}",
                "/".join(str(c) for c in clock.counts),
            ],
        ],
    )
    print(
        f"{size.n:,} shipments, {events:,} events, {events / ingest:,.0f} events/s in ingest; "
        f"frozen objects at the end: {gc.get_freeze_count():,}"
    )
    print(f"GC share of ingest = {share:.1%}  (target <= 5 % at 400,000 shipments)")
    print(f"GC share of the whole loop (building chunks, ingest, dropping them) = {loop_share:.1%}")
    print(
        result_line(
            gc_share=share,
            gc_s=clock.inside_seconds,
            ingest_s=ingest,
            events_per_s=round(events / ingest),
            full_collections=clock.inside_counts[2],
            loop_gc_share=loop_share,
            loop_gc_s=clock.seconds,
            loop_s=loop,
            loop_full_collections=clock.counts[2],
            shipments=size.n,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
