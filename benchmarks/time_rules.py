"""Time rules at scale: ``advance`` touches only the due shipments.

N shipments (200,000 in the full run) are tracked under the five-rule pack; each
sits in customs, so each has one pending timer (customs > 48 h).  Their customs
scans are placed so that, after a first ``advance`` to BASE that fires nothing,

* ``advance(BASE + 1 h)`` finds 0.1 % of the shipments due,
* ``advance(BASE + 5 h)`` finds another 1 %,
* ``advance(BASE + 9 h)`` finds another 10 %,

while the others stay pending (due between BASE + 12 h and BASE + 46 h).  Between
two timed calls an untimed ``advance`` lets the follow-up deadlines of the incidents
just opened (respond, escalate, resolve: all within 2 h for P1) fire, so each timed
call finds exactly its band due.  The 1 % ``advance`` is compared with a full
re-evaluation of every shipment at the same instant: ``evaluate(pack, its events,
at=BASE + 5 h)`` per shipment, measured on a sample and scaled to N when N is large
(the cost is per shipment).
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

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
from _synthetic import BASE, TRAIL_4, chunks, trail

from logix_rules import Engine, evaluate

SIZES = {"full": (200_000, 1), "quick": (20_000, 1), "tiny": (2_000, 1)}
SAMPLE = 20_000
TIMEOUT = timedelta(hours=48)
BANDS = (("0.1%", 0.001, 1), ("1%", 0.01, 5), ("10%", 0.1, 9))
DRAIN = timedelta(hours=2, minutes=30)


def customs_times(n: int, seed: int) -> list[datetime]:
    """When each shipment enters customs: its timer is due 48 h later."""
    rng = random.Random(seed)
    due: list[datetime] = []
    for _, share, hour in BANDS:
        for _ in range(max(1, round(n * share))):
            # Strictly inside (BASE + (hour - 1) h, BASE + hour h].
            due.append(BASE + timedelta(hours=hour, seconds=-rng.randint(0, 3599)))
    while len(due) < n:
        due.append(BASE + timedelta(hours=12, seconds=rng.randint(1, 34 * 3600)))
    due = due[:n]
    rng.shuffle(due)
    return [moment - TIMEOUT for moment in due]


def main(argv: Sequence[str] | None = None) -> int:
    args, size = parse_args(__doc__.splitlines()[0] if __doc__ else "", SIZES, argv)
    n = size.n
    pack = five_rules_pack()
    entered = customs_times(n, args.seed)
    engine = Engine(pack)

    def track() -> None:
        for batch in chunks(n, entered, TRAIL_4):
            engine.ingest(batch)

    t_track, _ = timed(track)
    header(
        "time rules at scale",
        size,
        f"{n:,} tracked shipments ({len(TRAIL_4)} events each, five-rule pack), "
        f"tracked in {t_track:.1f} s",
    )
    if engine.advance(to=BASE):
        fail("the warm-up advance fired something: the bands are misplaced")

    rows = []
    per_band: dict[str, tuple[int, float]] = {}
    for label, share, hour in BANDS:
        moment = BASE + timedelta(hours=hour)
        settle()
        seconds, changes = timed(partial(engine.advance, to=moment))
        due = len({change.incident.tracking_number for change in changes})
        expected = max(1, round(n * share))
        if due != expected:
            fail(f"advance at {label} fired {due:,} shipments, expected {expected:,}")
        per_band[label] = (due, seconds)
        rows.append([f"advance, {label} due", due, seconds * 1000, seconds / due * 1e6])
        engine.advance(to=moment + DRAIN)

    # The full re-evaluation at the 1 % instant, from each shipment's events.
    at = BASE + timedelta(hours=BANDS[1][2])
    sample = min(n, SAMPLE)
    picked = sorted(random.Random(args.seed + 1).sample(range(n), sample))
    histories = [trail(index, entered[index], TRAIL_4) for index in picked]
    settle()

    def reevaluate() -> int:
        return sum(len(evaluate(pack, events, at=at)) for events in histories)

    seconds, opened = timed(reevaluate)
    full = seconds * n / sample
    expected_open = sum(1 for index in picked if entered[index] + TIMEOUT <= at)
    if opened != expected_open:
        fail(f"re-evaluation found {opened:,} open incidents, expected {expected_open:,}")
    scaled = f", scaled x{n / sample:.0f}" if sample < n else ""
    rows.append(
        [f"full re-evaluation ({sample:,} measured{scaled})", n, full * 1000, full / n * 1e6]
    )
    print()
    table(["operation", "shipments", "ms", "us/shipment"], rows)

    one = per_band["1%"][1]
    ratio = one / full
    growth_1 = per_band["1%"][1] / per_band["0.1%"][1]
    growth_10 = per_band["10%"][1] / per_band["1%"][1]
    print()
    print(f"advance(1%)/full re-evaluation = {ratio:.4f}  (target <= 0.05)")
    print(f"advance growth 0.1%->1% = x{growth_1:.1f}, 1%->10% = x{growth_10:.1f}  (linear: x10)")
    print(
        result_line(
            advance_over_full=ratio,
            advance_1pct_ms=one * 1000,
            advance_01pct_ms=per_band["0.1%"][1] * 1000,
            advance_10pct_ms=per_band["10%"][1] * 1000,
            full_ms=full * 1000,
            growth_01_to_1=growth_1,
            growth_1_to_10=growth_10,
            shipments=n,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
