"""A pack's per-event cost under callgrind (issue 15): ``Engine.ingest`` on objects.

    PYTHONHASHSEED=0 valgrind --tool=callgrind --toggle-collect=functools_reduce \\
        python benchmarks/pack_callgrind.py default|five

``generate_demo(seed=7, shipments=300)`` (2,765 events), the OMS facts upserted, the
collector's survivors frozen, then every event ingested in batches of 1,000 inside
``functools.reduce``, the one call callgrind collects: divide its total by the events
printed.  Instructions do not move with the machine's load, so this is the measure of
a change to the per-event path (benchmarks/HISTORY.md, "Default pack, tenth session").
"""

from __future__ import annotations

import functools
import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import five_rules_pack

from logix_rules import Engine, generate_demo, load_pack


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in ("default", "five"):
        print("usage: pack_callgrind.py default|five", file=sys.stderr)
        return 2
    pack = load_pack("default") if argv[0] == "default" else five_rules_pack()
    data = generate_demo(seed=7, shipments=300)
    events = list(data.events)
    batches = [events[i : i + 1000] for i in range(0, len(events), 1000)]
    engine = Engine(pack)
    for shipment in data.shipments:
        engine.upsert_shipment(shipment)
    gc.collect()
    gc.freeze()
    functools.reduce(lambda _, batch: engine.ingest(batch), batches, None)
    print(f"events {len(events)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
