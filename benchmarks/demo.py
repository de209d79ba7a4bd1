"""Incremental engine on the demo data: ``ingest`` throughput and one ``advance``.

The ``logix demo`` data set (``generate_demo``, 300 shipments, seed 7, at ``DEMO_AT``)
through ``Engine(default)``: shipments upserted, then every event in one ``ingest``
call, then one ``advance(to=DEMO_AT)``.  Events are given once as ``TrackingEvent``
objects and once as plain JSON dicts (validation included); the ratio between the two
is the cost of validating input.  Best of ``--repeat`` runs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fail, header, parse_args, result_line, settle, table, timed

from logix_rules import DEMO_AT, Engine, generate_demo, load_pack
from logix_rules.demo._files import event_to_json

SIZES = {"full": (300, 7), "quick": (300, 5), "tiny": (40, 1)}


def run(events: Sequence[Any], data: Any) -> tuple[float, float, int]:
    engine = Engine(load_pack("default"))
    for shipment in data.shipments:
        engine.upsert_shipment(shipment)
    t_ingest, _ = timed(lambda: engine.ingest(events))
    t_advance, _ = timed(lambda: engine.advance(to=DEMO_AT))
    return t_ingest, t_advance, len(engine.open_incidents())


def main(argv: Sequence[str] | None = None) -> int:
    args, size = parse_args(__doc__.splitlines()[0] if __doc__ else "", SIZES, argv)
    data = generate_demo(seed=args.seed, shipments=size.n)
    objects = list(data.events)
    dicts = [event_to_json(event) for event in data.events]
    header(
        "demo data", size, f"{size.n:,} shipments, {len(objects):,} events, best of {size.repeat}"
    )
    settle()
    best: dict[str, tuple[float, float]] = {}
    found: dict[str, int] = {}
    for _ in range(size.repeat):
        for kind, events in (("objects", objects), ("dicts", dicts)):
            t_ingest, t_advance, incidents = run(events, data)
            previous = best.get(kind, (float("inf"), float("inf")))
            best[kind] = (min(previous[0], t_ingest), min(previous[1], t_advance))
            found[kind] = incidents
    if found["objects"] != found["dicts"]:
        fail(f"objects and dicts disagree: {found['objects']} vs {found['dicts']} incidents")
    rows = [
        (kind, len(objects) / t_ingest, t_ingest * 1e3, t_advance * 1e3, found[kind])
        for kind, (t_ingest, t_advance) in best.items()
    ]
    table(["input", "events/s", "ingest ms", "advance ms", "incidents"], rows)
    validation = best["dicts"][0] / best["objects"][0]
    print(f"\ndicts/objects = {validation:.2f}  (ingest time ratio: the cost of validating input)")
    print(
        result_line(
            ingest_eps=len(objects) / best["objects"][0],
            ingest_dicts_eps=len(objects) / best["dicts"][0],
            advance_ms=best["objects"][1] * 1e3,
            dicts_over_objects=validation,
            incidents=found["objects"],
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
