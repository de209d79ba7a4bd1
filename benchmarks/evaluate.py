"""Batch ``evaluate`` throughput over the demo data.

``logix_rules.evaluate(pack, events, at=..., shipments=...)`` over a generated demo
data set (``generate_demo``: 300 shipments is the ``logix demo`` set; more here so
the timing is stable), with the ``default`` pack and the five-rule pack, given
``TrackingEvent`` objects and given plain JSON dicts (as read from a JSONL file,
so validation is included).  Best of ``--repeat`` runs.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    fail,
    five_rules_pack,
    header,
    parse_args,
    result_line,
    settle,
    table,
    timed,
)

from logix_rules import Pack, evaluate, generate_demo, load_pack
from logix_rules.demo._files import event_to_json, shipment_to_json

SIZES = {"full": (5_000, 3), "quick": (1_500, 3), "tiny": (100, 1)}


def main(argv: Sequence[str] | None = None) -> int:
    args, size = parse_args(__doc__.splitlines()[0] if __doc__ else "", SIZES, argv)
    data = generate_demo(seed=args.seed, shipments=size.n)
    events: list[Any] = list(data.events)
    dicts = [event_to_json(event) for event in data.events]
    shipments = [shipment_to_json(shipment) for shipment in data.shipments]
    header(
        "batch evaluate",
        size,
        f"demo data: {size.n:,} shipments, {len(events):,} events, best of {size.repeat}",
    )
    packs: list[tuple[str, Pack]] = [
        ("default", load_pack("default")),
        ("five-rules", five_rules_pack()),
    ]
    cases = [
        (name, pack, kind, items)
        for name, pack in packs
        for kind, items in (("objects", events), ("dicts", dicts))
    ]
    best: dict[tuple[str, str], float] = {}
    best_cpu: dict[tuple[str, str], float] = {}  # CPU seconds: steadier on a shared machine
    counts: dict[str, set[int]] = {}
    for _ in range(size.repeat):
        for name, pack, kind, items in cases:
            settle()
            start = time.process_time()
            seconds, found = timed(partial(evaluate, pack, items, at=data.at, shipments=shipments))
            cpu = time.process_time() - start
            best[(name, kind)] = min(seconds, best.get((name, kind), seconds))
            best_cpu[(name, kind)] = min(cpu, best_cpu.get((name, kind), cpu))
            counts.setdefault(name, set()).add(len(found))
    for name, seen in counts.items():
        if len(seen) != 1:
            fail(f"evaluate gave different incident counts for {name}: {sorted(seen)}")
    rows = [
        [
            name,
            kind,
            len(events) / seconds,
            len(events) / best_cpu[(name, kind)],
            seconds,
            next(iter(counts[name])),
        ]
        for (name, kind), seconds in best.items()
    ]
    print()
    table(["pack", "input", "events/s", "events/CPU s", "seconds", "incidents"], rows)
    default_eps = len(events) / best[("default", "objects")]
    print()
    print(f"evaluate(default) = {default_eps:,.0f} events/s on TrackingEvent objects")
    print(
        result_line(
            default_eps=round(default_eps),
            default_eps_cpu=round(len(events) / best_cpu[("default", "objects")]),
            default_dicts_eps=round(len(events) / best[("default", "dicts")]),
            five_eps=round(len(events) / best[("five-rules", "objects")]),
            five_dicts_eps=round(len(events) / best[("five-rules", "dicts")]),
            events=len(events),
            shipments=size.n,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
