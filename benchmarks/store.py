"""The durable store: ingest next to memory, restart, due work, disk and memory.

1. Ingest: the seeded demo stream (``generate_demo``, ``--n`` shipments), ``default``
   pack, in arrival order in batches of 1,000 events (each batch one transaction),
   then one ``advance``: the engine in memory, over SQLite, and over PostgreSQL when
   ``LOGIX_TEST_POSTGRES_DSN`` names a server (a scratch database is created and
   dropped).  Their open incidents must be identical, or the script exits 1.  Ratios:
   ``sqlite/memory`` (target >= 1/3) and ``postgresql/memory`` (>= 1/5), events/s; and
   the same in CPU time (``*_cpu_ratio``: this process's, plus the PostgreSQL backend's
   read from ``/proc`` when the server runs on this machine), which holds still when
   other work loads the machine.  The engines run in turn, ``--repeat`` rounds (5 with
   ``--quick``, 3 at full size), each round in another order and with a fresh store;
   the CPU ratio (``*_cpu_ratio``) is the median of the rounds' own ratios (each the
   memory run and the store's run of one round), the best runs' ratio is printed beside
   it (``*_cpu_ratio_best``), and the events/s figures are each engine's best round.
2. Restart: a SQLite store holding ``small`` and ``large`` parcels (8 events each; the
   rows are written from states the kernel made for two template parcels, renamed,
   so that a million take minutes, not hours), its clock set.  Timed: opening the
   store, an ``Engine`` over it and ``advance`` to its clock (nothing is due).  Next to
   it, ``Engine.load`` of a whole-engine dump of ``small`` parcels.
3. Due work: on each of those stores, ``advance`` to an instant at which 1 % of the
   parcels are due (a tracking stall each): its cost per due parcel at both sizes.
4. Disk: bytes per parcel of a SQLite store after a real ingest of 8-event parcels
   (``small`` of them), indexes and incident rows included.
5. Memory: the peak RSS of a child process that ingests ``rss`` 8-event parcels into
   SQLite with the default cache, and of one that ingests a quarter of them: with a
   bounded cache the two peaks are close.

``--ingest-only`` runs section 1 alone.  ``--parcels N`` runs section 5 alone for one
child of ``N`` parcels (e.g. 1,000,000: the issue's peak-RSS target, several minutes)
and prints its peak RSS, its events/s and the database's bytes per parcel.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Size, fail, header, parse_args, result_line, settle, table, timed
from _synthetic import BASE, TRAIL_8, chunks, trail

from logix_carriers import TrackingEvent
from logix_rules import Engine, Kernel, Pack, ShipmentState, generate_demo, load_pack
from logix_rules.store import open_store

BATCH = 1000
#: Shipments ingested, and the rounds of the three engines (each figure: its best round).
SIZES = {"full": (10_000, 3), "quick": (2_000, 5), "tiny": (150, 1)}
RESTART = {"full": (10_000, 1_000_000), "quick": (10_000, 100_000), "tiny": (1_000, 5_000)}
RSS = {"full": 200_000, "quick": 20_000, "tiny": 2_000}
#: The store's clock for the restart: every parcel's customs scan is before it.
CLOCK = BASE + timedelta(hours=1)
#: The instant at which the "due" parcels' 24 h stall has begun (the others' has not).
DUE_AT = BASE + timedelta(hours=6)
DSN = os.environ.get("LOGIX_TEST_POSTGRES_DSN")


# -- 1. ingest ----------------------------------------------------------------------------
def ingest_run(
    engine: Engine, batches: Sequence[list[TrackingEvent]], at: datetime, server: Any = None
) -> tuple[float, float]:
    """Wall seconds and CPU seconds (this process's, and the PostgreSQL backend's
    when ``server`` is its connection on this machine) of the ingest."""

    def work() -> None:
        for batch in batches:
            engine.ingest(batch)
        engine.advance(to=at)

    backend = backend_cpu(server)
    cpu = time.process_time()
    seconds, _ = timed(work)
    cpu = time.process_time() - cpu + backend_cpu(server) - backend
    return seconds, cpu


def backend_cpu(conn: Any) -> float:
    """CPU seconds (user + system) of the PostgreSQL backend serving ``conn``, read from
    ``/proc`` (0 when there is no such connection or the server runs elsewhere)."""
    if conn is None:
        return 0.0
    (pid,) = conn.execute("SELECT pg_backend_pid()").fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def incidents_of(engine: Engine) -> list[tuple[str, str, str]]:
    return [(i.id, i.kind, i.severity) for i in engine.open_incidents()]


class Scratch:
    """A PostgreSQL database made for one run and dropped after it."""

    def __init__(self, dsn: str) -> None:
        import psycopg

        self.server = dsn
        self.name = f"logix_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        head, _, _ = dsn.rpartition("/")
        self.url = f"{head}/{self.name}"

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def ingest_section(n: int, seed: int, folder: Path, rounds: int) -> dict[str, float | None]:
    """The three engines over the same events in the same batches, ``rounds`` times in
    turn (each round in another order, a fresh store each time): a run of half a second
    moves by a third with what else the machine does, so each engine's figure is its
    best round, and the spread of the rounds' own ratios is printed beside it."""
    data = generate_demo(seed=seed, shipments=n)
    events = list(data.events)
    batches = [events[i : i + BATCH] for i in range(0, len(events), BATCH)]
    pack = load_pack("default")
    names = ["memory", "sqlite", *(["postgresql"] if DSN else [])]
    seconds: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    found: dict[str, list[tuple[str, str, str]]] = {}
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            path = folder / f"ingest-{round_}.db"
            wall, used, got = ingest_once(name, pack, batches, data.at, path)
            seconds[name].append(wall)
            cpu[name].append(used)
            if found.setdefault(name, got) != got:
                fail(f"MISMATCH: two runs of the engine over {name} disagree")
    for name, got in found.items():
        if got != found["memory"]:
            fail(f"MISMATCH: the engine over {name} and the engine in memory disagree")
    print(f"\n## ingest: {n:,} shipments, {len(events):,} events, batches of {BATCH}, "
          f"best of {rounds} rounds")  # fmt: skip
    best = {name: min(values) for name, values in seconds.items()}
    best_cpu = {name: min(values) for name, values in cpu.items()}
    rows = [
        [name, len(events) / best[name], best[name], len(events) / best_cpu[name],
         best_cpu[name], len(found[name])]
        for name in names
    ]  # fmt: skip
    table(["engine", "events/s", "seconds", "events/CPU s", "CPU s", "open incidents"], rows)
    # Each round's own ratio pairs the memory run and the store's run of one round,
    # moments apart: what loads the machine meanwhile weighs on both.  Its median is
    # the figure; the best runs' ratio is printed beside it.
    spread = {
        name: sorted(m / c for m, c in zip(cpu["memory"], cpu[name], strict=True))
        for name in names[1:]
    }
    by_cpu = {name: median(values) for name, values in spread.items()}
    best_ratio = {name: best_cpu["memory"] / best_cpu[name] for name in names[1:]}
    print(
        "in CPU time (client, and for PostgreSQL its backend too), each round's ratio: "
        + "; ".join(
            f"{name}/memory {' '.join(f'{r:.3f}' for r in ratios)} (median {by_cpu[name]:.3f},"
            f" best against best {best_ratio[name]:.3f})"
            for name, ratios in spread.items()
        )
    )
    rate = {name: len(events) / s for name, s in best.items()}
    return {
        "sqlite_cpu_ratio": by_cpu["sqlite"],
        "postgresql_cpu_ratio": by_cpu.get("postgresql"),
        "sqlite_cpu_ratio_best": best_ratio["sqlite"],
        "postgresql_cpu_ratio_best": best_ratio.get("postgresql"),
        "memory_eps": rate["memory"],
        "sqlite_eps": rate["sqlite"],
        "postgresql_eps": rate.get("postgresql"),
        "sqlite_ratio": rate["sqlite"] / rate["memory"],
        "postgresql_ratio": rate["postgresql"] / rate["memory"] if "postgresql" in rate else None,
    }


def ingest_once(
    name: str, pack: Pack, batches: Sequence[list[TrackingEvent]], at: datetime, path: Path
) -> tuple[float, float, list[tuple[str, str, str]]]:
    """One engine's ingest of ``batches`` (in memory, into a new SQLite file at
    ``path``, or into a new PostgreSQL database): wall and CPU seconds, open incidents."""
    settle()
    if name == "memory":
        engine = Engine(pack)
        wall, used = ingest_run(engine, batches, at)
        return wall, used, incidents_of(engine)
    if name == "sqlite":
        with open_store(f"sqlite:///{path}") as store:
            engine = Engine(pack, store=store)
            wall, used = ingest_run(engine, batches, at)
            got = incidents_of(engine)
        for part in path.parent.glob(f"{path.name}*"):
            part.unlink()
        return wall, used, got
    assert DSN is not None
    scratch = Scratch(DSN)
    try:
        settle()
        with open_store(scratch.url) as store:
            engine = Engine(pack, store=store)
            conn = getattr(store.db, "_conn", None)
            wall, used = ingest_run(engine, batches, at, conn)
            return wall, used, incidents_of(engine)
    finally:
        scratch.drop()


# -- 2 and 3. restart and due work ------------------------------------------------------------
def template_states(kernel: Kernel) -> tuple[ShipmentState, ShipmentState]:
    """Two parcels' states at ``CLOCK``: one whose 24 h stall begins before ``DUE_AT``
    and one whose first timer falls after it; neither has an incident open."""
    states = []
    for events in (trail(0, BASE - timedelta(hours=20), TRAIL_8), trail(1, BASE, TRAIL_8)):
        groups, carriers = kernel.group(events)
        ((tn, recs),) = groups.items()
        state = kernel.new_state(tn, carriers[tn])
        kernel.step_many(state, sorted(recs))
        kernel.fire(state, _micros(CLOCK))
        states.append(state)
    due, later = states
    if not (due.next_due_us or 0) <= _micros(DUE_AT) < (later.next_due_us or 0):
        fail("the template parcels' timers moved: pick another DUE_AT")
    return due, later


def _micros(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=moment.tzinfo)) // timedelta(microseconds=1)


def build_store(path: Path, count: int) -> None:
    """``count`` parcels, 1 % of them due at ``DUE_AT``, the clock at ``CLOCK``."""
    kernel = Kernel(load_pack("default"))
    due, later = template_states(kernel)
    db = sqlite3.connect(path)
    open_store(f"sqlite:///{path}").close()  # the schema
    rows = []
    every = 100  # one parcel in a hundred is due
    db.execute("BEGIN")
    for index in range(count):
        state = due if index % every == 0 else later
        state.tracking_number = f"BM{index:09d}"
        blob = kernel.dumps(state)
        rows.append((state.tracking_number, "dhl", blob, state.next_due_us, state.last_event, 1, 0))
        if len(rows) == 10_000:
            db.executemany("INSERT INTO shipments VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            rows = []
    db.executemany("INSERT INTO shipments VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.execute("UPDATE meta SET value = ? WHERE key = 'clock'", (_micros(CLOCK),))
    db.execute("COMMIT")
    db.close()


def restart(path: Path) -> float:
    def work() -> None:
        store = open_store(f"sqlite:///{path}")
        engine = Engine("default", store=store)
        engine.advance(to=CLOCK)
        store.close()

    return timed(work)[0]


def due_work(path: Path, count: int) -> tuple[float, int]:
    store = open_store(f"sqlite:///{path}")
    engine = Engine("default", store=store)
    seconds, changes = timed(lambda: engine.advance(to=DUE_AT))
    opened = len(engine.open_incidents(kind="tracking_stall"))
    store.close()
    if opened != (count + 99) // 100:
        fail(f"advance opened {opened} stalls, expected {(count + 99) // 100}")
    return seconds, len(changes)


def whole_engine_load(count: int) -> float:
    engine = Engine("default")
    for batch in chunks(count, [BASE] * count, TRAIL_8):
        engine.ingest(batch)
    engine.advance(to=CLOCK)
    dump = engine.dump(mask=False)
    del engine
    settle()
    return timed(lambda: Engine.load("default", dump))[0]


def restart_section(small: int, large: int, folder: Path) -> dict[str, float]:
    figures: dict[str, float] = {}
    rows = []
    for count in (small, large):
        path = folder / f"restart-{count}.db"
        build_seconds, _ = timed(lambda count=count, path=path: build_store(path, count))
        settle()
        seconds = restart(path)
        due_seconds, _ = due_work(path, count)
        due = (count + 99) // 100
        figures[f"restart_s_{count}"] = seconds
        figures[f"due_us_per_parcel_{count}"] = due_seconds / due * 1e6
        rows.append([f"{count:,} parcels", seconds * 1000, due, due_seconds * 1000,
                     due_seconds / due * 1e6, build_seconds])  # fmt: skip
        path.unlink()
    load_seconds = whole_engine_load(small)
    figures["whole_load_s"] = load_seconds
    print("\n## restart (open + advance to the clock) and advance with 1 % due")
    table(["store", "restart ms", "due", "advance ms", "µs per due parcel", "built in s"], rows)
    print(f"whole-engine Engine.load of {small:,} parcels: {load_seconds * 1000:,.0f} ms")
    return figures


# -- 4. disk ------------------------------------------------------------------------------
def disk_section(count: int, folder: Path) -> float:
    path = folder / "disk.db"
    store = open_store(f"sqlite:///{path}")
    engine = Engine("default", store=store)
    for batch in chunks(count, [BASE - timedelta(minutes=i % 600) for i in range(count)], TRAIL_8):
        for start in range(0, len(batch), BATCH):
            engine.ingest(batch[start : start + BATCH])
    engine.advance(to=CLOCK)
    store.close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    per = pages * size / count
    print(f"\n## disk: {count:,} parcels x 8 events in SQLite: {per:,.0f} bytes per parcel")
    return per


# -- 5. memory ----------------------------------------------------------------------------
class CustomsTimes:
    """Each parcel's customs scan, made when asked: a list of a million instants would
    weigh in the peak being measured."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> datetime:
        return BASE - timedelta(minutes=index % 600)


def _rss_child(count: int, path: str, out: Any) -> None:
    store = open_store(f"sqlite:///{path}")
    engine = Engine("default", store=store)
    events = 0
    start = time.perf_counter()
    for batch in chunks(count, CustomsTimes(count), TRAIL_8, size=BATCH // 8):  # type: ignore[arg-type]
        events += len(batch)
        engine.ingest(batch)
    engine.advance(to=CLOCK)
    seconds = time.perf_counter() - start
    store.close()
    out.put((high_water_mib(), seconds, events))


def high_water_mib() -> float:
    """This process's peak RSS.  ``ru_maxrss`` would do, but a child started by fork
    and exec inherits its parent's figure; ``VmHWM`` is its own."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss(count: int, folder: Path) -> float:
    return rss_run(count, folder)[0]


def rss_run(count: int, folder: Path) -> tuple[float, float, int, int]:
    """Peak RSS (MiB), seconds, events and database bytes of a child that ingests
    ``count`` 8-event parcels into SQLite (batches of 1,000 events), then advances."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    path = folder / f"rss-{count}.db"
    child = context.Process(target=_rss_child, args=(count, str(path), queue))
    child.start()
    peak, seconds, events = queue.get(timeout=24 * 3600)
    child.join()
    size = sum(p.stat().st_size for p in folder.glob(f"rss-{count}.db*"))
    for part in folder.glob(f"rss-{count}.db*"):
        part.unlink()
    return float(peak), float(seconds), int(events), size


def parcels_main(count: int) -> int:
    print(f"# store --parcels {count:,}: peak RSS of one SQLite run, default cache")
    with tempfile.TemporaryDirectory(prefix="logix-bench-store-") as name:
        peak, seconds, events, size = rss_run(count, Path(name))
    print(f"{count:,} parcels, {events:,} events in {seconds:,.0f} s: {events / seconds:,.0f} "
          f"events/s, peak RSS {peak:,.0f} MiB (target <= 500), database {size / count:,.0f} "
          "bytes per parcel before a checkpoint and VACUUM")  # fmt: skip
    print(
        result_line(
            parcels=count,
            events=events,
            seconds=seconds,
            events_per_s=events / seconds,
            peak_rss_mb=round(peak),
            db_bytes_per_parcel=round(size / count),
        )
    )
    return 0


def ratios(ingest: dict[str, float | None]) -> None:
    """The ratio lines: events/s (wall, moved by other work), then CPU time."""
    print(f"sqlite/memory = {ingest['sqlite_ratio']:.3f}  (target >= 0.333)")
    if ingest["postgresql_ratio"] is not None:
        print(f"postgresql/memory = {ingest['postgresql_ratio']:.3f}  (target >= 0.2)")
    print(f"sqlite/memory in CPU time = {ingest['sqlite_cpu_ratio']:.3f}  (target >= 0.333)")
    if ingest["postgresql_cpu_ratio"] is not None:
        print(f"postgresql/memory in CPU time = {ingest['postgresql_cpu_ratio']:.3f}  "
              "(target >= 0.2)")  # fmt: skip


def ingest_main(args: argparse.Namespace, size: Size) -> int:
    header("store", size, f"ingest {size.n:,} shipments only, {size.repeat} rounds")
    with tempfile.TemporaryDirectory(prefix="logix-bench-store-") as name:
        ingest = ingest_section(size.n, args.seed, Path(name), size.repeat)
    print()
    ratios(ingest)
    print(result_line(**ingest))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    only = argparse.ArgumentParser(add_help=False)
    only.add_argument("--parcels", type=int, default=None)
    only.add_argument("--ingest-only", action="store_true")
    known, rest = only.parse_known_args(argv)
    if known.parcels is not None:
        if known.parcels < 1:
            fail("--parcels must be at least 1")
        return parcels_main(known.parcels)
    args, size = parse_args(__doc__.splitlines()[0] if __doc__ else "", SIZES, rest)
    if known.ingest_only:
        return ingest_main(args, size)
    small, large = RESTART[size.mode]
    rss = RSS[size.mode]
    header(
        "store",
        size,
        f"ingest {size.n:,} shipments; restart {small:,} and {large:,}; RSS {rss:,}; "
        f"PostgreSQL {'yes' if DSN else 'no (set LOGIX_TEST_POSTGRES_DSN)'}",
    )
    with tempfile.TemporaryDirectory(prefix="logix-bench-store-") as name:
        folder = Path(name)
        ingest = ingest_section(size.n, args.seed, folder, size.repeat)
        restarts = restart_section(small, large, folder)
        disk = disk_section(small, folder)
        gc.collect()
        rss_small, rss_big = peak_rss(rss // 4, folder), peak_rss(rss, folder)
    print(f"\n## memory: peak RSS {rss_small:,.0f} MiB for {rss // 4:,} parcels, "
          f"{rss_big:,.0f} MiB for {rss:,} (default cache)")  # fmt: skip
    print()
    ratios(ingest)
    print(f"restart at {large:,} parcels = {restarts[f'restart_s_{large}']:.3f} s  (target < 1)")
    print(f"disk bytes per parcel = {disk:,.0f}  (target <= 2048)")
    print(
        result_line(
            memory_eps=ingest["memory_eps"],
            sqlite_eps=ingest["sqlite_eps"],
            postgresql_eps=ingest["postgresql_eps"],
            sqlite_ratio=ingest["sqlite_ratio"],
            postgresql_ratio=ingest["postgresql_ratio"],
            sqlite_cpu_ratio=ingest["sqlite_cpu_ratio"],
            postgresql_cpu_ratio=ingest["postgresql_cpu_ratio"],
            sqlite_cpu_ratio_best=ingest["sqlite_cpu_ratio_best"],
            postgresql_cpu_ratio_best=ingest["postgresql_cpu_ratio_best"],
            restart_s_small=restarts[f"restart_s_{small}"],
            restart_s_large=restarts[f"restart_s_{large}"],
            whole_load_s_small=restarts["whole_load_s"],
            due_us_small=restarts[f"due_us_per_parcel_{small}"],
            due_us_large=restarts[f"due_us_per_parcel_{large}"],
            disk_bytes_per_parcel=round(disk),
            peak_rss_mb=round(rss_big),
            peak_rss_mb_quarter=round(rss_small),
            rss_parcels=rss,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
