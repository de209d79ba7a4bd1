"""End to end: ``logix run --pack default`` on a JSONL file vs reading and parsing it.

A seeded events file is generated first (``--n`` events, default 1,000,000): the
``logix demo`` data set (``generate_demo``, default pack shapes: nine lanes, ten
carriers, a third exceptions, duplicates and late scans) built once for
``TEMPLATE`` shipments, then copied under new tracking numbers and event ids until
the file holds ``--n`` lines.  The copies are interleaved block by block, so the
file stays in arrival order like a real feed.

Then, each in a fresh child process (its peak RSS read from ``os.wait4``):

* ``floor``   read the file and ``json.loads`` every line (the least any reader does)
* ``logix``   ``logix run --pack default --events FILE --format jsonl``

and prints events/s, peak RSS and the ratio ``logix/floor`` (time).  The run's
output is checked: one JSON line per incident, as many incidents for every copy of
the template.
"""

from __future__ import annotations

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
# unlike ``ru_maxrss``, which a spawned child inherits from this process) on stderr.
_PEAK = """
def _peak():
    import re, resource, sys
    try:
        with open("/proc/self/status") as status:
            kib = int(re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1))
    except (OSError, AttributeError):
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stderr.write(f"\\nPEAK_RSS_KIB={kib}\\n")
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


def timed_child(argv: Sequence[str]) -> tuple[float, int, str, float]:
    """Seconds, peak RSS in bytes, stdout and CPU seconds of one child, reaped here
    so the rusage is its own."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as sink, tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(argv, stdout=sink, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        sink.seek(0)
        errors.seek(0)
        text = errors.read().decode()
        if child.returncode != 0:
            fail(f"{argv[2:4]} failed ({child.returncode}):\n{text[-3000:]}")
        found = re.search(r"PEAK_RSS_KIB=(\d+)", text)
        kib = int(found.group(1)) if found else usage.ru_maxrss
        return seconds, kib * 1024, sink.read().decode(), usage.ru_utime + usage.ru_stime


def main(argv: Sequence[str] | None = None) -> int:
    args, size = parse_args(__doc__.splitlines()[0] if __doc__ else "", SIZES, argv)
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
            f"events, written in {t_gen:.1f} s), best of {size.repeat}",
        )
        python = sys.executable
        floor = logix = None
        out = ""
        for _ in range(size.repeat):
            once = timed_child([python, "-c", _FLOOR, str(path)])
            if int(once[2]) != size.n:
                fail(f"floor read {once[2].strip()} lines, expected {size.n}")
            floor = once if floor is None or once[0] < floor[0] else floor
            command = ["run", "--pack", "default", "--events", str(path), "--format", "jsonl"]
            once = timed_child([python, "-c", _LOGIX, *command])
            out = once[2]
            logix = once if logix is None or once[0] < logix[0] else logix
        assert floor is not None
        assert logix is not None
    rows = [
        ["read + json.loads", size.n / floor[0], floor[0], floor[3], floor[1] / 2**20],
        ["logix run --pack default", size.n / logix[0], logix[0], logix[3], logix[1] / 2**20],
    ]
    print()
    table(["what", "events/s", "s", "CPU s", "peak RSS MiB"], rows)
    incidents = [json.loads(line) for line in out.splitlines() if line.strip()]
    if not incidents:
        fail("logix run reported no incident")
    by_copy: dict[str, int] = {}
    for incident in incidents:
        number = incident.get("tracking_number", "")
        by_copy[number[:5]] = by_copy.get(number[:5], 0) + 1
    counts = {by_copy.get(f"C{c:04d}", 0) for c in whole}
    if len(counts) > 1:
        fail(f"the copies of the template got different incident counts: {sorted(counts)}")
    ratio = logix[0] / floor[0]
    # CPU seconds hold on a machine shared with other work, where wall time does not.
    cpu_ratio = logix[3] / floor[3]
    print(f"incidents: {len(incidents):,}")
    print(f"logix/floor = {ratio:.2f}  (time ratio; target <= 5), {cpu_ratio:.2f} in CPU time")
    print(f"logix events/s = {size.n / logix[0]:,.0f}  (target >= 60,000)")
    print(
        result_line(
            logix_over_floor=ratio,
            logix_over_floor_cpu=cpu_ratio,
            logix_eps=round(size.n / logix[0]),
            floor_eps=round(size.n / floor[0]),
            logix_rss_mib=round(logix[1] / 2**20),
            floor_rss_mib=round(floor[1] / 2**20),
            incidents=len(incidents),
            events=size.n,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
