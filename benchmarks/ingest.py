"""Ingest throughput: logix vs the durable-rules backend vs hand-written Python.

A seeded stream (``logix_rules.generate_demo`` with thousands of shipments: ~10
events each, nine lanes, a third of them exceptions, duplicates and late scans) is
built once as ``TrackingEvent`` objects.  Three contenders run the five-rule pack
over the same objects in one process, batch by batch in arrival order, then one
final ``advance`` at the data set's fixed evaluation time:

* ``logix``   ``Engine(five_rules)``
* ``durable`` ``logix_rules.backends.durable.DurableBackend(five_rules)`` (skipped,
  and reported as ``na``, when durable-rules is not installed)
* ``plain``   ``benchmarks/_plain.py``: the same checks written by hand

Their ``(tracking number, kind, severity)`` sets must be equal, or the script stops
with exit status 1.  Then the full ``default`` pack runs on the same stream (logix
only, with the shipments' OMS facts upserted first, untimed).

Times are the best of ``--repeat`` runs (three times as many for the fast plain
function), interleaved so drift hits all contenders alike.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    durable_available,
    fail,
    five_rules_pack,
    header,
    parse_args,
    result_line,
    settle,
    table,
    timed,
)
from _plain import PlainFiveRules

from logix_carriers import Shipment, TrackingEvent
from logix_rules import Engine, Pack, generate_demo, load_pack

BATCH = 1000
SIZES = {"full": (20_000, 3), "quick": (3_000, 3), "tiny": (120, 1)}
Results = set[tuple[str, str, str]]
# CPU seconds (of this process) of the last ``timed`` call of each contender: on a
# shared machine the wall clock counts other work too, CPU time much less.
_cpu: list[float] = []


def timed_cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    """``timed``, also adding the CPU seconds ``fn`` took to ``_cpu``."""
    start = time.process_time()
    seconds, value = timed(fn)
    _cpu.append(time.process_time() - start)
    return seconds, value


def run_logix(
    pack: Pack,
    batches: Sequence[Sequence[TrackingEvent]],
    at: datetime,
    shipments: Sequence[Shipment] = (),
) -> tuple[float, float, Results]:
    engine = Engine(pack)
    for shipment in shipments:
        engine.upsert_shipment(shipment)

    def ingest() -> None:
        for batch in batches:
            engine.ingest(batch)

    t_ingest, _ = timed_cpu(ingest)
    t_advance, _ = timed_cpu(lambda: engine.advance(to=at))
    found = {(i.tracking_number, i.kind, i.severity) for i in engine.open_incidents()}
    return t_ingest, t_advance, found


def run_plain(
    batches: Sequence[Sequence[TrackingEvent]], at: datetime
) -> tuple[float, float, Results]:
    plain = PlainFiveRules()

    def ingest() -> None:
        for batch in batches:
            plain.ingest(batch)

    t_ingest, _ = timed_cpu(ingest)
    t_advance, _ = timed_cpu(lambda: plain.advance(at))
    return t_ingest, t_advance, plain.results()


def run_durable(
    pack: Pack, batches: Sequence[Sequence[TrackingEvent]], at: datetime
) -> tuple[float, float, Results]:
    from logix_rules.backends.durable import DurableBackend

    with DurableBackend(pack, strict=True) as backend:

        def ingest() -> None:
            for batch in batches:
                backend.ingest(batch)

        t_ingest, _ = timed_cpu(ingest)
        t_advance, _ = timed_cpu(lambda: backend.advance(to=at))
        return t_ingest, t_advance, backend.results()


def durable_floor(pack: Pack, batches: Sequence[Sequence[TrackingEvent]], at: datetime) -> float:
    """Seconds durable_rules itself takes for the facts the durable backend gives it.

    The backend's calls to its ruleset (assert and retract of observation and clock
    facts) are recorded on one run, then replayed, pre-built, into a fresh backend:
    what is timed is durable_rules' own work (JSON, its C engine, the callbacks of the
    rules that fire), with no logix code around it.  No backend that hands durable_rules
    a fact per event can be faster.
    """
    from logix_rules.backends.durable import DurableBackend

    calls: list[tuple[str, dict[str, Any]]] = []
    with DurableBackend(pack, strict=True) as backend:
        ruleset = backend._ruleset
        for name in ("assert_fact", "retract_fact"):
            method = getattr(ruleset, name)

            def record(fact: dict[str, Any], name: str = name, method: Any = method) -> Any:
                calls.append((name, fact))
                return method(fact)

            setattr(ruleset, name, record)
        for batch in batches:
            backend.ingest(batch)
        backend.advance(to=at)
    with DurableBackend(pack, strict=True) as replay:
        ruleset = replay._ruleset
        run, retract = replay._run, ruleset.retract_fact
        bound = {"assert_fact": ruleset.assert_fact}

        def feed() -> None:
            for name, fact in calls:
                if name == "retract_fact":
                    retract(fact)
                else:
                    run(bound[name], fact)

        seconds, _ = timed(feed)
    return seconds


def compare(expected_name: str, expected: Results, name: str, got: Results) -> None:
    if got == expected:
        return
    missing = sorted(expected - got)[:10]
    extra = sorted(got - expected)[:10]
    fail(
        f"MISMATCH: {name} and {expected_name} disagree on the five-rule pack\n"
        f"  {len(expected - got)} only in {expected_name}: {missing}\n"
        f"  {len(got - expected)} only in {name}: {extra}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args, size = parse_args(__doc__.splitlines()[0] if __doc__ else "", SIZES, argv)
    t_gen, data = timed(lambda: generate_demo(seed=args.seed, shipments=size.n))
    events = list(data.events)
    batches = [events[i : i + BATCH] for i in range(0, len(events), BATCH)]
    header(
        "ingest throughput",
        size,
        f"{size.n:,} shipments, {len(events):,} events, batches of {BATCH}, "
        f"best of {size.repeat} (generated in {t_gen:.1f} s)",
    )

    five = five_rules_pack()
    default = load_pack("default")
    with_durable = durable_available()
    contenders: dict[str, Callable[[], tuple[float, float, Results]]] = {
        "logix": lambda: run_logix(five, batches, data.at),
        "plain": lambda: run_plain(batches, data.at),
    }
    if with_durable:
        contenders["durable"] = lambda: run_durable(five, batches, data.at)
    contenders["logix/default"] = lambda: run_logix(default, batches, data.at, data.shipments)

    best: dict[str, tuple[float, float]] = {}
    best_cpu: dict[str, float] = {}  # the least CPU seconds of ingest + advance
    found: dict[str, Results] = {}
    floor: float | None = None
    for _ in range(size.repeat):
        if with_durable:
            settle()
            once = durable_floor(five, batches, data.at)
            floor = once if floor is None else min(floor, once)
        for name, run in contenders.items():
            # The plain function takes a fraction of a second: more tries even out
            # the noise of a shared machine without lengthening the run.
            for _ in range(3 if name == "plain" else 1):
                settle()
                _cpu.clear()
                t_ingest, t_advance, results = run()
                cpu = sum(_cpu)
                best_cpu[name] = min(cpu, best_cpu.get(name, cpu))
                previous = best.get(name)
                if previous is None or t_ingest + t_advance < sum(previous):
                    best[name] = (t_ingest, t_advance)
                found[name] = results

    compare("plain", found["plain"], "logix", found["logix"])
    if with_durable:
        compare("logix", found["logix"], "durable", found["durable"])

    rows = []
    for name, (t_ingest, t_advance) in best.items():
        seconds = t_ingest + t_advance
        pack_name = "default" if name == "logix/default" else "five-rules"
        incidents = len(found[name])
        rows.append(
            [
                name,
                pack_name,
                len(events) / seconds,
                len(events) / best_cpu[name],
                t_ingest,
                t_advance * 1000,
                incidents,
            ]
        )
    print()
    table(
        [
            "contender",
            "pack",
            "events/s",
            "events/CPU s",
            "ingest s",
            "advance ms",
            "incidents",
        ],
        rows,
    )
    if not with_durable:
        print("durable: skipped, durable-rules is not installed (pip install 'logix[durable]')")
    print(f"agreement: the contenders report the same {len(found['logix']):,} incidents")
    if floor is not None:
        print(
            f"durable floor: durable_rules alone, fed the backend's facts pre-built: "
            f"{len(events) / floor:,.0f} events/s"
        )

    def total(name: str) -> float:
        return sum(best[name])

    logix_over_plain = total("logix") / total("plain")
    logix_over_plain_cpu = best_cpu["logix"] / best_cpu["plain"]
    durable_over_logix = total("durable") / total("logix") if with_durable else None
    floor_over_logix = floor / total("logix") if floor is not None else None
    default_over_five = total("logix/default") / total("logix")
    print()
    print(f"logix/plain   = {logix_over_plain:.2f}  (time ratio; target <= 2.0)")
    print(f"logix/plain   = {logix_over_plain_cpu:.2f}  (CPU time ratio; target <= 1.5)")
    if durable_over_logix is not None:
        print(f"durable/logix = {durable_over_logix:.2f}  (time ratio; target >= 20)")
        print(
            f"durable floor/logix = {floor_over_logix:.2f}  (durable_rules' own share: "
            "the most any backend feeding it a fact per event could reach)"
        )
    else:
        print("durable/logix = na")
    print(f"default/five  = {default_over_five:.2f}  (logix, full default pack vs five rules)")
    print(
        result_line(
            logix_over_plain=logix_over_plain,
            logix_over_plain_cpu=logix_over_plain_cpu,
            durable_over_logix=durable_over_logix,
            durable_floor_over_logix=floor_over_logix,
            logix_eps=round(len(events) / total("logix")),
            plain_eps=round(len(events) / total("plain")),
            durable_eps=round(len(events) / total("durable")) if with_durable else None,
            default_eps=round(len(events) / total("logix/default")),
            default_eps_cpu=round(len(events) / best_cpu["logix/default"]),
            events=len(events),
            shipments=size.n,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
