"""End to end: ``logix run --pack default`` on a JSONL file vs reading and parsing it.

A seeded events file is generated first (``--n`` events, default 1,000,000): the
``logix demo`` data set (``generate_demo``, default pack shapes: nine lanes, ten
carriers, a third exceptions, duplicates and late scans) built once for
``TEMPLATE`` shipments, then copied under new tracking numbers and event ids until
the file holds ``--n`` lines.  The copies are interleaved block by block, so the
file stays in arrival order like a real feed.

Then, each in a fresh child process:

* ``floor``   read the file and ``json.loads`` every line (the least any reader does)
* ``jobs=1``  ``logix run --pack default --events FILE --format jsonl --jobs 1``
* ``jobs=N``  the same with ``--jobs N`` (``--jobs``, default 2): N processes

and prints events/s (wall), the CPU seconds of the run's first process and of the
processes it forked, the peak RSS summed over the processes (``VmHWM`` of the first;
the forked ones' largest ``ru_maxrss`` times their number, an upper bound that also
counts pages they share), and the ratios to the floor in wall and CPU time.  Wall
time only means something on a quiet machine: the load average before and after
each timed run is printed with it.  The outputs of ``jobs=1`` and ``jobs=N`` must be
the same bytes, and every whole copy of the template must get as many incidents.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fail, header, parse_args, result_line, table

from logix_rules import generate_demo
from logix_rules.demo._files import event_to_json

#: Shipments in the template data set that is copied (about 9.3 events each).
TEMPLATE = 2_000
#: Template events per interleaved block: each block is written once per copy.
BLOCK = 500
SIZES = {"full": (1_000_000, 1), "quick": (100_000, 1), "tiny": (3_000, 1)}

# Each child reports its own peak RSS (``VmHWM``, which starts afresh at ``exec``,
# unlike ``ru_maxrss``, which a spawned child inherits from this process), and the
# CPU seconds and largest ``ru_maxrss`` of the processes it forked and reaped.
_PEAK = """
def _peak():
    import re, resource, sys
    try:
        with open("/proc/self/status") as status:
            kib = int(re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1))
    except (OSError, AttributeError):
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    me = resource.getrusage(resource.RUSAGE_SELF)
    forked = resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stderr.write(
        f"\\nPEAK_RSS_KIB={kib}\\nSELF_CPU={me.ru_utime + me.ru_stime}\\n"
        f"FORKED_CPU={forked.ru_utime + forked.ru_stime}\\nFORKED_RSS_KIB={forked.ru_maxrss}\\n"
    )
"""

_FLOOR = (
    _PEAK
    + """
import json, sys
count = 0
with open(sys.argv[1], "rb") as handle:
    for line in handle:
        json.loads(line)
        count += 1
print(count)
_peak()
"""
)

_LOGIX = (
    _PEAK
    + """
import sys
from logix_rules.cli._main import main
code = main(sys.argv[1:])
sys.stdout.flush()
_peak()
sys.exit(code)
"""
)


def write_events(path: Path, events: int, seed: int) -> tuple[list[int], int]:
    """Write ``events`` lines to ``path``; the copies written whole, and the events
    of one copy.  The whole copies are interleaved block by block; what is left over
    is the start of one more copy, at the end."""
    data = generate_demo(seed=seed, shipments=min(TEMPLATE, max(1, events // 12)))
    lines = []
    for event in data.events:
        doc = event_to_json(event)
        doc["tracking_number"] = "@@TN@@"
        doc["event_id"] = "@@ID@@"
        text = json.dumps(doc, ensure_ascii=False)
        lines.append((text, event.tracking_number, event.event_id))

    def copied(copy: int, block: list[tuple[str, str, str]]) -> str:
        return "".join(
            text.replace("@@TN@@", f"C{copy:04d}{number}").replace("@@ID@@", f"{event_id}_{copy:x}")
            + "\n"
            for text, number, event_id in block
        )

    whole, rest = divmod(events, len(lines))
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for start in range(0, len(lines), BLOCK):
            block = lines[start : start + BLOCK]
            for copy in range(whole):
                out.write(copied(copy, block))
        out.write(copied(whole, lines[:rest]))
    return list(range(whole)), len(lines)


class Timed:
    """One child's run: wall seconds, stdout, CPU seconds of the child and of the
    processes it forked, peak RSS in bytes (the child's and the forked ones' largest),
    the load average before and after."""

    def __init__(self, argv: Sequence[str]) -> None:
        self.load = os.getloadavg()[0]
        start = time.perf_counter()
        with tempfile.TemporaryFile() as sink, tempfile.TemporaryFile() as errors:
            child = subprocess.Popen(argv, stdout=sink, stderr=errors)
            _, status, usage = os.wait4(child.pid, 0)
            self.seconds = time.perf_counter() - start
            self.load_after = os.getloadavg()[0]
            code = os.waitstatus_to_exitcode(status)
            sink.seek(0)
            errors.seek(0)
            text = errors.read().decode()
            if code != 0:
                fail(f"{argv[2:4]} failed ({code}):\n{text[-3000:]}")
            self.out = sink.read().decode()

        def figure(name: str, default: float) -> float:
            found = re.search(rf"{name}=([\d.]+)", text)
            return float(found.group(1)) if found else default

        self.cpu = figure("SELF_CPU", usage.ru_utime + usage.ru_stime)
        self.forked_cpu = figure("FORKED_CPU", 0.0)
        self.rss = figure("PEAK_RSS_KIB", usage.ru_maxrss) * 1024
        self.forked_rss = figure("FORKED_RSS_KIB", 0.0) * 1024

    def rss_sum(self, forked: int) -> float:
        """Peak RSS over the child and its ``forked`` processes (an upper bound)."""
        return self.rss + forked * self.forked_rss


def main(argv: Sequence[str] | None = None) -> int:
    extra = argparse.ArgumentParser(add_help=False)
    extra.add_argument("--jobs", type=int, default=2, help="processes of the second run")
    known, rest = extra.parse_known_args(argv)
    jobs = max(2, known.jobs)
    args, size = parse_args(__doc__.splitlines()[0] if __doc__ else "", SIZES, rest)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.jsonl"
        start = time.perf_counter()
        whole, per_copy = write_events(path, size.n, args.seed)
        t_gen = time.perf_counter() - start
        megabytes = path.stat().st_size / 1e6
        header(
            "logix run on JSONL",
            size,
            f"{size.n:,} events ({megabytes:,.0f} MB, {len(whole)} whole copies of {per_copy:,} "
            f"events, written in {t_gen:.1f} s), best of {size.repeat}, jobs 1 and {jobs}",
        )
        python = sys.executable
        best: dict[str, Timed] = {}

        def keep(name: str, once: Timed) -> None:
            if name not in best or once.seconds < best[name].seconds:
                best[name] = once

        command = ["run", "--pack", "default", "--events", str(path), "--format", "jsonl"]
        for _ in range(size.repeat):
            once = Timed([python, "-c", _FLOOR, str(path)])
            if int(once.out) != size.n:
                fail(f"floor read {once.out.strip()} lines, expected {size.n}")
            keep("floor", once)
            keep("one", Timed([python, "-c", _LOGIX, *command, "--jobs", "1"]))
            keep("many", Timed([python, "-c", _LOGIX, *command, "--jobs", str(jobs)]))
    floor, one, many = best["floor"], best["one"], best["many"]
    if one.out != many.out:
        fail(f"logix run --jobs {jobs} printed other bytes than --jobs 1")
    if one.forked_cpu > 0.1:  # start-up runs a helper or two (a few ms)
        fail(f"logix run --jobs 1 forked a process ({one.forked_cpu:.2f} CPU s)")
    rows = []
    for name, run, forked in [
        ("read + json.loads", floor, 0),
        ("logix run --jobs 1", one, 0),
        (f"logix run --jobs {jobs}", many, jobs - 1),
    ]:
        rows.append(
            [
                name,
                size.n / run.seconds,
                run.seconds,
                run.cpu,
                run.forked_cpu,
                size.n / (run.cpu + run.forked_cpu),
                run.rss_sum(forked) / 2**20,
                f"{run.load:.1f}-{run.load_after:.1f}",
            ]
        )
    print()
    table(
        [
            "what",
            "events/s",
            "wall s",
            "CPU s",
            "CPU s forked",
            "events/CPU s",
            "peak RSS MiB",
            "load avg",
        ],
        rows,
    )
    incidents = [json.loads(line) for line in many.out.splitlines() if line.strip()]
    if not incidents:
        fail("logix run reported no incident")
    by_copy: dict[str, int] = {}
    for incident in incidents:
        number = incident.get("tracking_number", "")
        by_copy[number[:5]] = by_copy.get(number[:5], 0) + 1
    counts = {by_copy.get(f"C{c:04d}", 0) for c in whole}
    if len(counts) > 1:
        fail(f"the copies of the template got different incident counts: {sorted(counts)}")
    ratio = many.seconds / floor.seconds
    # CPU seconds hold on a machine shared with other work, where wall time does not.
    cpu_ratio = one.cpu / floor.cpu
    many_cpu = many.cpu + many.forked_cpu
    print(f"incidents: {len(incidents):,} (the same bytes with --jobs 1 and --jobs {jobs})")
    print(
        f"logix/floor = {ratio:.2f} wall with --jobs {jobs} (target <= 5), "
        f"{one.seconds / floor.seconds:.2f} with --jobs 1; CPU: {cpu_ratio:.2f} (--jobs 1), "
        f"{many_cpu / floor.cpu:.2f} (--jobs {jobs}, all processes)"
    )
    print(
        f"logix events/s = {size.n / many.seconds:,.0f} wall with --jobs {jobs} (target >= 60,000 "
        f"on 2 cores), {size.n / one.seconds:,.0f} with --jobs 1; per CPU second of the busiest "
        f"process: {size.n / max(many.cpu, many.forked_cpu / (jobs - 1)):,.0f}  "
        f"(load average {many.load:.1f}: wall time means little on a busy machine)"
    )
    print(
        result_line(
            logix_over_floor=ratio,
            logix_over_floor_jobs1=one.seconds / floor.seconds,
            logix_over_floor_cpu=cpu_ratio,
            logix_eps=round(size.n / many.seconds),
            logix_eps_jobs1=round(size.n / one.seconds),
            jobs=jobs,
            cpu_s_jobs1=round(one.cpu, 2),
            cpu_s_first=round(many.cpu, 2),
            cpu_s_forked=round(many.forked_cpu, 2),
            floor_eps=round(size.n / floor.seconds),
            logix_rss_mib=round(many.rss_sum(jobs - 1) / 2**20),
            logix_rss_mib_jobs1=round(one.rss / 2**20),
            floor_rss_mib=round(floor.rss / 2**20),
            load=round(many.load, 1),
            incidents=len(incidents),
            events=size.n,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
