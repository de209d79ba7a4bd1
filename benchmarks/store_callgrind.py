"""A store's ingest against the in-memory engine's, in instructions (issue 12).

    python benchmarks/store_callgrind.py [--n 400] [--backend sqlite|postgresql ...]

runs each engine under ``valgrind --tool=callgrind`` (``PYTHONHASHSEED=0``) and prints
the instructions of each and ``memory/backend``: the issue's targets are SQLite at
least 1/3 and PostgreSQL at least 1/5 of memory's events/s.  One run is
``generate_demo(seed=7, shipments=N)`` ingested in batches of 1,000, then one
``advance`` to the data's instant, all inside ``functools.reduce``, the one call
callgrind collects (``--toggle-collect=functools_reduce``).  Instruction counts do not
move with the machine's load, where the CPU ratios of ``store.py`` move 10-20 % from
run to run.  PostgreSQL (``LOGIX_TEST_POSTGRES_DSN``, a scratch database made and
dropped) counts the client's instructions only: the server's work is not in them.

    PYTHONHASHSEED=0 valgrind --tool=callgrind --toggle-collect=functools_reduce \\
        python benchmarks/store_callgrind.py --run N memory|sqlite|postgresql

is one run by hand (for ``callgrind_annotate``).
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from logix_carriers import TrackingEvent
from logix_rules import Engine, generate_demo, load_pack
from logix_rules.store import open_store

BACKENDS = ("sqlite", "postgresql")


@contextmanager
def _store_url(backend: str, folder: str) -> Iterator[str | None]:
    """The URL of an empty store of ``backend`` (None: in memory), removed after."""
    if backend == "memory":
        yield None
    elif backend == "sqlite":
        yield f"sqlite:///{folder}/store.db"
    else:
        import psycopg

        dsn = os.environ.get("LOGIX_TEST_POSTGRES_DSN")
        if not dsn:
            raise SystemExit("postgresql: set LOGIX_TEST_POSTGRES_DSN")
        name = f"logix_cg_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield dsn.rpartition("/")[0] + "/" + name
        finally:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def run(shipments: int, backend: str) -> None:
    """One run (under callgrind): ingest and advance inside ``functools.reduce``."""
    data = generate_demo(seed=7, shipments=shipments)
    events = list(data.events)
    batches: list[list[TrackingEvent] | None] = [
        list(events[i : i + 1000]) for i in range(0, len(events), 1000)
    ]
    pack = load_pack("default")
    with tempfile.TemporaryDirectory() as folder, _store_url(backend, folder) as url:
        store = None if url is None else open_store(url)
        engine = Engine(pack) if store is None else Engine(pack, store=store)

        def work(_: object, batch: list[TrackingEvent] | None) -> None:
            if batch is None:
                engine.advance(to=data.at)
            else:
                engine.ingest(batch)

        gc.collect()
        functools.reduce(work, [*batches, None], None)
        if store is not None:
            store.close()
    print(f"events {len(events)}", file=sys.stderr)


def measure(shipments: int, backend: str) -> int:
    """The instructions of ``run(shipments, backend)`` under callgrind."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--toggle-collect=functools_reduce",
                f"--callgrind-out-file={folder}/callgrind.out",
                sys.executable,
                __file__,
                "--run",
                str(shipments),
                backend,
            ],
            env={**os.environ, "PYTHONHASHSEED": "0"},
            capture_output=True,
            text=True,
            check=True,
        )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"no total in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=400, help="demo shipments (default 400)")
    parser.add_argument("--backend", action="append", choices=BACKENDS)
    parser.add_argument("--run", nargs=2, metavar=("N", "BACKEND"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run is not None:
        run(int(args.run[0]), args.run[1])
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed", file=sys.stderr)
        return 2
    backends = args.backend or ["sqlite"]
    memory = measure(args.n, "memory")
    print(f"memory {memory:,} instructions", flush=True)
    result = [f"shipments={args.n}", f"memory={memory}"]
    for backend in backends:
        total = measure(args.n, backend)
        print(f"{backend} {total:,} instructions, memory/{backend} {memory / total:.3f}")
        result += [f"{backend}={total}", f"{backend}_ratio={memory / total:.3f}"]
    print("RESULT " + " ".join(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
