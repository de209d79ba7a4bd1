"""Memory: bytes per tracked shipment with 8 events, and the peak of a big run.

1. Per shipment, with ``tracemalloc``: what the engine still holds after its input
   is dropped, divided by the number of shipments (``--n``, 5,000 by default).
   Every shipment has the same 8-event trail ending in customs
   (``benchmarks/_synthetic.py``): first as just tracked (no incident), then after
   an ``advance`` past the 48 h customs timeout (one open incident each); under the
   five-rule pack and the ``default`` pack.
2. The big run: 200,000 shipments (the ``time_rules.py`` scale; fewer with
   ``--quick``/``--tiny``) under the five-rule pack, fed in chunks of 5,000
   shipments, then advanced past the timeout.  It runs first and without
   ``tracemalloc`` (which would slow it 5x): the process's peak RSS, and its RSS
   growth per shipment.
"""

from __future__ import annotations

import gc
import resource
import sys
import tracemalloc
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import five_rules_pack, header, parse_args, result_line, table, timed
from _synthetic import BASE, TRAIL_8, chunks

from logix_rules import Engine, Pack, load_pack

SIZES = {"full": (5_000, 1), "quick": (2_000, 1), "tiny": (300, 1)}
BIG = {"full": 200_000, "quick": 10_000, "tiny": 1_000}
LATER = timedelta(hours=60)  # past the 48 h customs timeout of every shipment


def feed(pack: Pack, n: int, past_timeout: bool) -> Engine:
    entered = [BASE - timedelta(minutes=index % 600) for index in range(n)]
    engine = Engine(pack)
    for batch in chunks(n, entered, TRAIL_8):
        engine.ingest(batch)
        del batch
    if past_timeout:
        engine.advance(to=BASE + LATER)
    return engine


def retained(pack: Pack, n: int, past_timeout: bool) -> tuple[int, int]:
    """(bytes the engine holds for ``n`` shipments, open incidents)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        engine = feed(pack, n, past_timeout)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    if len(engine) != n:
        raise SystemExit(f"the engine tracks {len(engine)} shipments, expected {n}")
    return held, len(engine.open_incidents())


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def main(argv: Sequence[str] | None = None) -> int:
    _, size = parse_args(__doc__.splitlines()[0] if __doc__ else "", SIZES, argv)
    n, big = size.n, BIG[size.mode]
    header("memory", size, f"{n:,} shipments x {len(TRAIL_8)} events; big run {big:,}")
    five = five_rules_pack()
    default = load_pack("default")

    gc.collect()
    rss_before = rss_mib()
    seconds, engine = timed(lambda: feed(five, big, past_timeout=True))
    if len(engine.open_incidents()) != big:
        raise SystemExit("the big run should hold one open incident per shipment")
    rss_after = rss_mib()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    del engine
    gc.collect()

    rows = []
    per: dict[tuple[str, bool], float] = {}
    for name, pack in (("five-rules", five), ("default", default)):
        for past in (False, True):
            held, incidents = retained(pack, n, past)
            per[(name, past)] = held / n
            state = f"{incidents / n:.0f} open incident(s) each" if past else "no incident"
            rows.append([f"{name}, {state}", held / n, held / 1e6])
    print()
    table(["engine (tracemalloc)", "bytes/shipment", "held MB"], rows)
    growth = (rss_after - rss_before) * 2**20 / big
    print()
    print(
        f"big run: {big:,} shipments x {len(TRAIL_8)} events, one incident each, "
        f"fed and advanced in {seconds:.1f} s"
    )
    print(f"  peak RSS {peak_rss:,.0f} MiB; RSS growth {growth:,.0f} bytes/shipment")
    print()
    print(
        f"bytes/shipment (five-rules, 8 events, tracked) = {per[('five-rules', False)]:,.0f}"
        "  (target <= 2048)"
    )
    print(
        result_line(
            bytes_per_shipment=round(per[("five-rules", False)]),
            bytes_per_shipment_incident=round(per[("five-rules", True)]),
            bytes_per_shipment_default=round(per[("default", False)]),
            big_peak_rss_mb=round(peak_rss),
            big_rss_bytes_per_shipment=round(growth),
            big_shipments=big,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
