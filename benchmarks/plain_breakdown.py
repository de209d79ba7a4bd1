"""Where logix's per-event cost goes, stage by stage, next to ``_plain.py`` (issue 15).

The input is ``ingest.py``'s: ``generate_demo(seed, shipments)`` in arrival order, in
batches of 1,000 pre-built ``TrackingEvent`` objects, then one ``advance`` to the data
set's instant; the five-rule pack for logix (``Engine``), ``benchmarks/_plain.py``
for plain Python. Each contender runs once untimed first (its memos warm, as in the
best of ``ingest.py``'s runs), then ``gc.collect(); gc.freeze()`` and the measured run.

A stage is one function of either side (``Kernel.group``, the generated step loop
with the pack's absorb written in, ``_Shipment.apply``...), replaced for one run by a
wrapper that calls it through ``operator.call``. With valgrind, each stage is its own
child process under ``valgrind --tool=callgrind --toggle-collect=_operator_call``
(instructions inside the stage's calls, nested calls included, ``PYTHONHASHSEED=0``),
less the instructions of ``operator.call`` on an empty function times the calls.
Without valgrind (or with ``--method cpu``) the stages are timed in one process with
``time.process_time_ns`` around each call, less the same wrapper on an empty
function: CPU-time figures, noisier and inflated by the timer itself. The method is printed.

Stages that are inline code, not functions (the time of an event turned into µs, the
key of what an event says), are measured as loops of just that code over the same
events (``inline:`` rows), less an empty loop over them. Everything is divided by the
number of events. Ends with ``RESULT``: the totals, the ratio, the method.
"""

from __future__ import annotations

import functools
import gc
import json
import operator
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _plain
from _common import five_rules_pack, header, parse_args, result_line, table

from logix_carriers import TrackingEvent
from logix_rules import Engine, Pack, generate_demo
from logix_rules.core._durations import EPOCH
from logix_rules.runtime import _engine

SIZES = {"full": (300, 1), "quick": (300, 1), "tiny": (30, 1)}
BATCH = 1000
_call = operator.call
# Called once before each stage and nowhere else: callgrind's --dump-before marker.
_MARK = operator.methodcaller("__len__")

# (stage, side, what it is): one row each; "total" rows are each side's whole run.
STAGES: list[tuple[str, str, str]] = [
    ("logix.total", "logix", "Engine.ingest per batch + advance: everything"),
    ("logix.parse", "logix", "parse_events: the objects' type check"),
    ("logix.group", "logix", "Kernel.group: fields read, kind shared, time in µs, grouped"),
    ("logix.coerce", "logix", "  of it: _coerce of each attribute the pack reads"),
    ("logix.share", "logix", "  of it: _share, a kind seen first (memo misses)"),
    ("logix.new_state", "logix", "Kernel.new_state: a parcel's first event"),
    ("logix.step_many", "logix", "Kernel.step_many: generated, ids, history, absorb, evaluate"),
    ("logix.evaluate", "logix", "  of it: _evaluate (incidents, changes)"),
    ("logix.fire", "logix", "  of it, and advance's: _fire (timers)"),
    ("logix.late", "logix", "  of it: _insert_all + _replay (late events)"),
    ("logix.advance", "logix", "Engine.advance"),
    ("plain.total", "plain", "PlainFiveRules.ingest per batch + advance: everything"),
    ("plain.said", "plain", "_Said: a combination seen first (memo misses)"),
    ("plain.apply", "plain", "_Shipment.apply (replays of late scans included)"),
    ("plain.evaluate", "plain", "_Shipment.evaluate"),
    ("plain.advance", "plain", "PlainFiveRules.advance"),
    ("inline.empty", "inline", "an empty loop over the events (subtracted below)"),
    ("inline.read", "inline", "the fields both sides read, from __dict__"),
    ("inline.time", "inline", "logix: occurred_at - EPOCH in µs"),
    ("inline.key", "inline", "logix: the 8-field key and its memo lookup"),
    ("inline.plain_key", "inline", "plain: the 4-field key and its memo lookup"),
    ("wrapper", "calibration", "operator.call of an empty function, per call"),
]


# -- the child: one or more stages measured in this process ----------------------------
class _Counter:
    """Calls through ``operator.call`` and, when timing, their nanoseconds."""

    def __init__(self, timing: bool) -> None:
        self.calls = 0
        self.ns = 0
        self.timing = timing

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        if self.timing:
            clock = time.process_time_ns  # CPU, not wall: the machine is shared

            def timed(*args: Any, **kwargs: Any) -> Any:
                self.calls += 1
                start = clock()
                try:
                    return _call(fn, *args, **kwargs)
                finally:
                    self.ns += clock() - start

            return timed

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return _call(fn, *args, **kwargs)

        return counted


@contextmanager
def _patched(owner: Any, name: str, value: Any) -> Iterator[None]:
    had = name in vars(owner)
    old = vars(owner).get(name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        if had:
            setattr(owner, name, old)
        else:
            delattr(owner, name)


def _logix_run(batches: Sequence[Sequence[TrackingEvent]], at: Any, engine: Engine) -> None:
    for batch in batches:
        engine.ingest(batch)
    engine.advance(to=at)


def _plain_run(batches: Sequence[Sequence[TrackingEvent]], at: Any, plain: Any) -> None:
    for batch in batches:
        plain.ingest(batch)
    plain.advance(at)


def _measure(stage: str, batches: list[list[TrackingEvent]], at: Any, timing: bool) -> _Counter:
    """Run ``stage``'s side once with that stage wrapped; the counter of its calls."""
    counter = _Counter(timing)
    side = stage.split(".")[0]
    events = [event for batch in batches for event in batch]
    if side == "logix" or stage == "wrapper":
        engine = Engine(_pack(), settle_gc=False)
        kernel = engine._kernel
    if side == "plain":
        plain = _plain.PlainFiveRules()
    gc.collect()
    gc.freeze()
    if stage == "logix.total":
        counter.wrap(_logix_run)(batches, at, engine)
    elif stage == "plain.total":
        counter.wrap(_plain_run)(batches, at, plain)
    elif stage == "logix.parse":
        with _patched(_engine, "parse_events", counter.wrap(_engine.parse_events)):
            _logix_run(batches, at, engine)
    elif stage == "logix.coerce" or stage == "logix.share":
        from logix_rules.runtime import _kernel

        if stage == "logix.coerce":
            with _patched(_kernel, "_coerce", counter.wrap(_kernel._coerce)):
                _logix_run(batches, at, engine)
        else:
            kernel._share = counter.wrap(kernel._share)  # type: ignore[method-assign]
            _logix_run(batches, at, engine)
    elif stage == "logix.advance":
        engine.advance = counter.wrap(engine.advance)  # type: ignore[method-assign]
        _logix_run(batches, at, engine)
    elif stage == "logix.late":
        # Both halves of a late event's path, one counter: _insert_all, then _replay.
        kernel._insert_all = counter.wrap(kernel._insert_all)  # type: ignore[method-assign]
        kernel._replay = counter.wrap(kernel._replay)  # type: ignore[method-assign]
        _logix_run(batches, at, engine)
    elif side == "logix":
        name = {"evaluate": "_evaluate", "fire": "_fire"}.get(stage[6:], stage[6:])
        setattr(kernel, name, counter.wrap(getattr(kernel, name)))
        _logix_run(batches, at, engine)
    elif stage == "plain.advance":
        plain.advance = counter.wrap(plain.advance)  # type: ignore[method-assign]
        _plain_run(batches, at, plain)
    elif side == "plain":
        owner, name = {
            "plain.said": (_plain, "_Said"),
            "plain.apply": (_plain._Shipment, "apply"),
            "plain.evaluate": (_plain._Shipment, "evaluate"),
        }[stage]
        with _patched(owner, name, counter.wrap(getattr(owner, name))):
            _plain_run(batches, at, plain)
    elif side == "inline":
        counter.wrap(_INLINE[stage])(events, kernel_said(), _plain._SAID)
    elif stage == "wrapper":
        wrapped = counter.wrap(_empty)
        for _ in range(len(events)):
            wrapped(None, None)
    gc.unfreeze()
    return counter


@functools.cache
def _pack() -> Pack:
    """One compiled pack for every run, as ``ingest.py`` does: its memo of what events
    said stays warm from the untimed run."""
    return five_rules_pack()


def kernel_said() -> dict[Any, Any]:
    """The logix memo of what events said, as the warm run left it."""
    return _pack()._said


def _empty(*args: Any) -> None:
    return None


def _inline_empty(events: list[Any], said: Any, plain_said: Any) -> None:
    for _event in events:
        pass


def _inline_read(events: list[Any], said: Any, plain_said: Any) -> None:
    for event in events:
        fields = event.__dict__
        fields["tracking_number"]
        fields["event_id"]
        fields["status"], fields["reason"], fields["stage"]
        fields["source"].__dict__["system"]
        fields["occurred_at"]
        fields["attributes"]


def _inline_time(events: list[Any], said: Any, plain_said: Any) -> None:
    epoch = EPOCH
    for event in events:
        d = event.__dict__["occurred_at"] - epoch
        d.days * 86_400_000_000 + d.seconds * 1_000_000 + d.microseconds


def _inline_key(events: list[Any], said: Any, plain_said: Any) -> None:
    # Kernel.group's key, attributes left out (each its own stage: _coerce).
    for event in events:
        fields = event.__dict__
        source = fields["source"].__dict__
        loc = fields["location"]
        said.get(
            (
                fields["status"],
                fields["reason"],
                fields["stage"],
                source["system"],
                None if loc is None else loc.country,
                source["code"] or source["status"],
                fields["description"],
                (),
            )
        )


def _inline_plain_key(events: list[Any], said: Any, plain_said: Any) -> None:
    for event in events:
        fields = event.__dict__
        system = fields["source"].__dict__["system"]
        plain_said.get((fields["status"], fields["reason"], fields["stage"], system))


_INLINE: dict[str, Callable[[list[Any], Any, Any], None]] = {
    "inline.empty": _inline_empty,
    "inline.read": _inline_read,
    "inline.time": _inline_time,
    "inline.key": _inline_key,
    "inline.plain_key": _inline_plain_key,
}


def _data(seed: int, shipments: int) -> tuple[list[list[TrackingEvent]], Any]:
    data = generate_demo(seed=seed, shipments=shipments)
    events = list(data.events)
    return [events[i : i + BATCH] for i in range(0, len(events), BATCH)], data.at


def _warm(batches: list[list[TrackingEvent]], at: Any) -> None:
    """One untimed run of each side: the memos of kinds and combinations fill."""
    _logix_run(batches, at, Engine(_pack(), settle_gc=False))
    _plain_run(batches, at, _plain.PlainFiveRules())


def child(stages: list[str], seed: int, shipments: int, timing: bool) -> None:
    batches, at = _data(seed, shipments)
    _warm(batches, at)
    events = sum(len(batch) for batch in batches)
    for stage in stages:
        best: _Counter | None = None
        for _ in range(3 if timing else 1):
            _MARK(())  # callgrind dumps what it counted so far: the stage before
            counter = _measure(stage, batches, at, timing)
            if best is None or counter.ns < best.ns:
                best = counter
        assert best is not None
        print(json.dumps({"stage": stage, "events": events, "calls": best.calls, "ns": best.ns}))


# -- the parent: run the children, print the table -------------------------------------
def _callgrind(stages: list[str], seed: int, shipments: int, folder: str) -> dict[str, Any]:
    """Every stage in one child under callgrind: a dump before each stage holds the
    one before it (the last is in the file written at exit)."""
    out = os.path.join(folder, "cg")
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--toggle-collect=_operator_call",
            "--dump-before=methodcaller_call",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--child",
            ",".join(stages),
            "--seed",
            str(seed),
            "--n",
            str(shipments),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the stages failed under valgrind:\n{done.stdout}\n{done.stderr}")
    files = [f"{out}.{index}" for index in range(2, len(stages) + 1)] + [out]
    if os.path.exists(f"{out}.{len(stages) + 1}"):
        raise SystemExit("more dumps than stages: the marker ran inside a stage")
    found = {}
    for line, name in zip(done.stdout.strip().splitlines(), files, strict=True):
        row = json.loads(line)
        for text in Path(name).read_text().splitlines():
            if text.startswith("totals:"):
                row["cost"] = int(text.split()[1])
        found[row["stage"]] = row
    return found


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--child" in argv:  # one stage (callgrind) or all of them (CPU time)
        at = argv.index("--child")
        stages = argv[at + 1].split(",")
        rest = argv[:at] + argv[at + 2 :]
        timing = "--timing" in rest
        rest = [arg for arg in rest if arg != "--timing"]
        args, size = parse_args("child", SIZES, rest)
        child(stages, args.seed, size.n, timing)
        return 0
    method = "callgrind"
    if "--method" in argv:
        at = argv.index("--method")
        method = argv[at + 1]
        argv = argv[:at] + argv[at + 2 :]
    args, size = parse_args(__doc__.splitlines()[0] if __doc__ else "", SIZES, argv)
    if method not in ("callgrind", "cpu"):
        raise SystemExit("--method is callgrind or cpu")
    if size.mode == "tiny" and "--method" not in sys.argv:
        method = "cpu"  # a smoke run: valgrind takes minutes
    if method == "callgrind" and shutil.which("valgrind") is None:
        method = "cpu"
    names = [stage for stage, _, _ in STAGES]
    if method == "callgrind":
        unit = "instructions per event (callgrind, inside the stage's calls)"
        with tempfile.TemporaryDirectory() as folder:
            found = _callgrind(names, args.seed, size.n, folder)
    else:
        unit = "ns of CPU per event (process_time_ns around each call, best of 3)"
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                ",".join(names),
                "--timing",
                "--seed",
                str(args.seed),
                "--n",
                str(size.n),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        found = {}
        for line in done.stdout.strip().splitlines():
            row = json.loads(line)
            row["cost"] = row["ns"]
            found[row["stage"]] = row
    events = found["logix.total"]["events"]
    header(
        "logix against plain Python, stage by stage",
        size,
        f"{size.n:,} demo shipments, {events:,} events, five-rule pack; method: {method}",
    )
    print(f"# unit: {unit}")
    wrapper = found["wrapper"]["cost"] / found["wrapper"]["calls"]
    empty = found["inline.empty"]["cost"]

    def per_event(name: str) -> float:
        row = found[name]
        cost = row["cost"] - wrapper * row["calls"]
        if name.startswith("inline.") and name != "inline.empty":
            cost -= empty
        return cost / events

    rows = []
    for name, _side, what in STAGES:
        if name in ("wrapper", "inline.empty"):
            continue
        rows.append((name, what, found[name]["calls"], per_event(name)))
    logix, plain = per_event("logix.total"), per_event("plain.total")
    parts = ("parse", "group", "new_state", "step_many", "advance")
    rows.append(
        (
            "logix.rest",
            "the engine's loop, the host (load, save, emit), sorting changes",
            "",
            logix - sum(per_event(f"logix.{part}") for part in parts),
        )
    )
    rows.append(
        (
            "plain.rest",
            "the loop: fields, state lookup, ids, key, history",
            "",
            plain - sum(per_event(f"plain.{part}") for part in ("apply", "evaluate", "advance")),
        )
    )
    table(["stage", "what", "calls", "per event"], rows)
    print(f"# wrapper per call (subtracted): {wrapper:,.0f}")
    if method == "cpu":
        print("# CPU time: the clock costs about as much as a small stage; coarse, use valgrind")
    ratio = logix / plain
    print(f"logix/plain = {ratio:.2f}  ({logix:,.0f} / {plain:,.0f} per event; target <= 1.5)")
    print(
        result_line(
            method=method,
            events=events,
            logix_per_event=logix,
            plain_per_event=plain,
            logix_over_plain=ratio,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
