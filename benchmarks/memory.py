"""Memory: bytes per tracked shipment with 8 events, and the peak of a big run.

Measured with ``tracemalloc``: what the engine still holds after its input is
dropped, divided by the number of shipments.  Every shipment has the same 8-event
trail ending in customs (``benchmarks/_synthetic.py``), and the engine has advanced
past the customs timeout, so each also holds one open incident.

1. Per shipment: ``--n`` shipments (5,000 by default) under the five-rule pack and
   under the ``default`` pack.
2. The big run: 200,000 shipments (the ``time_rules.py`` scale; fewer with
   ``--quick``/``--tiny``) under the five-rule pack, fed in chunks of 5,000
   shipments: the traced peak, the bytes per shipment at that scale and the
   process's peak RSS.
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

from _common import five_rules_pack, header, parse_args, result_line, table  # noqa: E402
from _synthetic import BASE, TRAIL_8, chunks, number  # noqa: E402

from logix_rules import Engine, Pack, load_pack  # noqa: E402

SIZES = {"full": (5_000, 1), "quick": (5_000, 1), "tiny": (500, 1)}
BIG = {"full": 200_000, "quick": 20_000, "tiny": 2_000}
LATER = timedelta(hours=60)  # past the 48 h customs timeout of every shipment


def retained(pack: Pack, n: int) -> tuple[int, int, Engine]:
    """(bytes the engine holds for ``n`` shipments, traced peak, the engine)."""
    entered = [BASE - timedelta(minutes=index % 600) for index in range(n)]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        engine = Engine(pack)
        for batch in chunks(n, entered, TRAIL_8):
            engine.ingest(batch)
            del batch
        engine.advance(to=BASE + LATER)
        gc.collect()
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return after - before, peak - before, engine


def main(argv: Sequence[str] | None = None) -> int:
    _, size = parse_args(__doc__.splitlines()[0] if __doc__ else "", SIZES, argv)
    n, big = size.n, BIG[size.mode]
    header("memory", size, f"{n:,} shipments x {len(TRAIL_8)} events; big run {big:,}")
    five = five_rules_pack()
    default = load_pack("default")

    rows = []
    per: dict[str, float] = {}
    for name, pack in (("five-rules", five), ("default", default)):
        held, _, engine = retained(pack, n)
        if len(engine) != n or len(engine.open_incidents(number(0))) != 1:
            print(f"unexpected engine state for {name}: {len(engine)} shipments", file=sys.stderr)
            return 1
        per[name] = held / n
        rows.append([f"{name}, {n:,} shipments", held / n, held / 1e6, "-"])
        del engine

    held, peak, engine = retained(five, big)
    per_big = held / big
    rows.append([f"five-rules, {big:,} shipments (big run)", per_big, held / 1e6, peak / 1e6])
    del engine
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux

    print()
    table(["engine", "bytes/shipment", "held MB", "peak MB"], rows)
    print(f"process peak RSS: {rss:,.0f} MiB (includes tracemalloc's own bookkeeping)")
    print()
    print(f"bytes/shipment (five-rules, 8 events) = {per['five-rules']:,.0f}  (target <= 2048)")
    print(f"big run: {big:,} shipments, traced peak {peak / 1e6:,.0f} MB")
    print(
        result_line(
            bytes_per_shipment=round(per["five-rules"]),
            bytes_per_shipment_default=round(per["default"]),
            bytes_per_shipment_big=round(per_big),
            big_peak_mb=round(peak / 1e6, 1),
            big_shipments=big,
            rss_mb=round(rss),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
