"""``logix run --jobs N``: one events file evaluated by N processes, one output.

Parcels are independent, so the file is split by tracking number: every process
reads the whole file and keeps one shard of it (``RecordChunks(shard=(k, N))``:
leaving a line to another shard costs a few byte searches, not a JSON parse), this
process being shard 0 and N - 1 forked children the others.  Each shard reports
its latest event time; the evaluation time is the latest of all (or ``--at``), sent
back to every shard, which then evaluates its parcels and renders its incidents
(``_shown``).  The renderings are merged in the engine's incident order (a total
order: severity, opening time, tracking number, kind), the skipped lines by line
number, the counts summed, so the output is byte for byte the one process's.

A failure in a child comes back as the exception it raised (or, if that cannot
travel, a ``RuntimeError`` naming it, its traceback attached as a note); a child that
dies without an answer is a ``WorkerLost``; never a hang.  The children are
stopped, however the run ends.
"""

from __future__ import annotations

import contextlib
import heapq
import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from multiprocessing.connection import Connection
from operator import itemgetter
from typing import Any, Final, NamedTuple

from logix_carriers import Shipment

from ..compiler._model import Pack
from ..core._durations import EPOCH, ONE_US, from_micros
from ..core._errors import InputProblem, LogixError
from ..runtime._engine import Engine
from ..runtime._host import incident_order
from ..runtime._io import STDIN
from ..runtime._line_records import RecordChunks, shard_of
from ..runtime._stream_evaluate import Collected, collect_grouped, evaluate_collected
from ._shown import Shown, shown_for

__all__ = ["JOBS_FROM_BYTES", "MAX_AUTO_JOBS", "Sharded", "WorkerLost", "jobs_for", "run_sharded"]

#: ``--jobs auto`` (the default) splits a file only from this size on (about 50,000
#: events): below it, starting the processes and reading the file in each costs
#: more than it saves.
JOBS_FROM_BYTES: Final = 16 << 20
#: The most processes ``--jobs auto`` starts, however many cores there are.
MAX_AUTO_JOBS: Final = 8


class WorkerLost(LogixError):
    """A process of ``logix run --jobs`` ended without an answer (killed, out of memory)."""


def usable_cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def jobs_for(requested: int | None, events: str) -> int:
    """The processes a run uses: ``requested`` (None: ``auto``), but one for stdin or
    where processes cannot be forked; ``auto`` is every usable core (at most
    ``MAX_AUTO_JOBS``) for a file of at least ``JOBS_FROM_BYTES``, else one."""
    if events == STDIN or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if requested is not None:
        return requested
    try:
        size = os.stat(events).st_size
    except OSError:
        return 1  # the reader reports it
    return min(usable_cores(), MAX_AUTO_JOBS) if size >= JOBS_FROM_BYTES else 1


@dataclass(frozen=True)
class _Task:
    """What every shard knows (a child inherits it with the forked memory)."""

    path: str
    pack: Pack
    zone: tzinfo | None
    fmt: str
    mask: bool
    jobs: int
    shipments: tuple[Shipment, ...]
    shipment_numbers: frozenset[str]


class _ShardResult(NamedTuple):
    """What one shard sends back (plain data: it is pickled)."""

    shown: list[tuple[tuple[Any, ...], Shown]]  # (incident order key, rendering), in order
    events: int
    later: int
    parcels: dict[str, int]  # parcels named by events only (no shipment), per carrier
    problems: tuple[InputProblem, ...]
    lines: int


class Sharded(NamedTuple):
    """The merged answer of every shard."""

    shown: list[Shown]
    at: datetime | None
    events: int
    later: int
    parcels: dict[str, int]
    problems: tuple[InputProblem, ...]
    lines: int


class _Shard:
    """One shard's run: read (``latest`` known), then ``finish`` at the common time."""

    def __init__(self, task: _Task, index: int, progress: Any) -> None:
        self.task = task
        self.index = index
        self.engine = Engine(task.pack)
        self.reader = RecordChunks(
            task.path,
            self.engine._kernel,
            names=task.mask,
            assume_tz=task.zone,
            progress=progress,
            shard=(index, task.jobs),
        )
        self.collected: Collected | None = None

    def read(self) -> int | None:
        """Read the file; the shard's latest event time (µs; None: no event)."""
        self.collected = collect_grouped(self.reader)
        return self.collected.latest

    def finish(self, at: datetime | None) -> _ShardResult:
        task, index, reader = self.task, self.index, self.reader
        assert self.collected is not None
        mine = tuple(s for s in task.shipments if shard_of(s.tracking_number, task.jobs) == index)
        result = evaluate_collected(self.engine, self.collected, at=at, shipments=lambda: mine)
        self.collected = None
        incidents = result.incidents
        names = None
        if task.mask:
            found = reader.names
            names = {i.tracking_number: tuple(found.get(i.tracking_number, ())) for i in incidents}
        shown = shown_for(task.fmt, incidents, mask=task.mask, names=names)
        order = incident_order(task.pack)
        keyed = [
            (order(i.severity, (i.opened_at - EPOCH) // ONE_US, i.tracking_number, i.kind), s)
            for i, s in zip(incidents, shown, strict=True)
        ]
        parcels: dict[str, int] = {}
        numbers = task.shipment_numbers
        for number, carrier in result.carriers.items():
            if number not in numbers:
                parcels[carrier] = parcels.get(carrier, 0) + 1
        return _ShardResult(
            keyed, result.events, result.later, parcels, reader.problems, reader.lines
        )


def run_sharded(
    path: str,
    pack: Pack,
    jobs: int,
    *,
    zone: tzinfo | None,
    at: datetime | None,
    fmt: str,
    mask: bool,
    shipments: Callable[[], Iterable[Shipment]],
    progress: Any,
) -> Sharded:
    """Evaluate the events file ``path`` in ``jobs`` processes (see the module
    docstring).  ``shipments`` is called once, before the children start.  Raises
    ``InputFileError`` when the file cannot be opened, as one process does."""
    first = _Shard(_Task(path, pack, zone, fmt, mask, jobs, (), frozenset()), 0, progress)
    ship_items = tuple(shipments())
    task = _Task(
        path,
        pack,
        zone,
        fmt,
        mask,
        jobs,
        ship_items,
        frozenset(s.tracking_number for s in ship_items),
    )
    first.task = task
    context = multiprocessing.get_context("fork")
    children: list[tuple[Any, Connection]] = []
    # What is buffered now would be written again by every child that flushes it.
    for stream in (sys.stdout, sys.stderr, progress):
        _flush(stream)
    try:
        for index in range(1, jobs):
            mine, theirs = context.Pipe()
            child = context.Process(target=_child, args=(task, index, theirs), daemon=True)
            child.start()
            theirs.close()
            children.append((child, mine))
        times = [first.read()]
        for index, (child, conn) in enumerate(children, 1):
            times.append(_answer(child, conn, index, jobs))
        known = [t for t in times if t is not None]
        if at is None and known:
            at = from_micros(max(known))
        for _, conn in children:
            conn.send(at)
        results = [first.finish(at)]
        for index, (child, conn) in enumerate(children, 1):
            results.append(_answer(child, conn, index, jobs))
    finally:
        for child, conn in children:
            conn.close()
            if child.is_alive():
                child.terminate()
            child.join()
    return _merged(results, at)


def _merged(results: list[_ShardResult], at: datetime | None) -> Sharded:
    first = itemgetter(0)
    shown = [s for _, s in heapq.merge(*(r.shown for r in results), key=first)]
    parcels: dict[str, int] = {}
    for result in results:
        for carrier, count in result.parcels.items():
            parcels[carrier] = parcels.get(carrier, 0) + count
    problems = heapq.merge(*(r.problems for r in results), key=_line_of)
    return Sharded(
        shown,
        at,
        sum(r.events for r in results),
        sum(r.later for r in results),
        parcels,
        tuple(problems),
        results[0].lines,  # every shard counts every line
    )


def _line_of(problem: InputProblem) -> int:
    return problem.index


def _answer(child: Any, conn: Connection, index: int, jobs: int) -> Any:
    """The child's next answer, or what it raised, raised here."""
    try:
        kind, value = conn.recv()
    except (EOFError, OSError):
        child.join()
        raise WorkerLost(
            f"worker process {index} of {jobs} ended without an answer (exit status "
            f"{child.exitcode}); the machine may be short of memory: try --jobs 1"
        ) from None
    if kind == "error":
        raise value
    return value


#: A forked shard's engine and reader, never let go: the process ends with
#: ``os._exit`` (the fork start method), so what is still referenced here is not
#: freed one object at a time (~1 µs an event, a tenth of a second per 100,000).
_KEPT: list[Any] = []


def _child(task: _Task, index: int, conn: Connection) -> None:
    """A forked shard: read, say when its events end, finish at the time it is sent."""
    # Ctrl-C reaches the whole process group: the parent stops the children itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        shard = _Shard(task, index, None)
        _KEPT.append(shard)
        conn.send(("read", shard.read()))
        conn.send(("done", shard.finish(conn.recv())))
    except Exception as exc:
        with contextlib.suppress(OSError):  # the parent is gone: nobody to tell
            conn.send(("error", _portable(exc, index)))
    finally:
        conn.close()


def _portable(exc: Exception, index: int) -> object:
    """What pickles to ``exc`` as it was, with the child's traceback as a note.

    ``exc`` itself when pickling gives it back as it was; else its class, ``args``
    and attributes, remade without calling ``__init__`` (``CodedError``s, whose
    ``__init__`` takes other arguments than their ``args``); else (a class that cannot
    be found by name) a ``RuntimeError`` naming it."""
    note = f"in worker {index} of logix run:\n" + "".join(traceback.format_exception(exc))
    exc.__traceback__ = None
    exc.add_note(note)
    for portable in (exc, _Remade(type(exc), exc.args, dict(vars(exc)))):
        try:
            back = pickle.loads(pickle.dumps(portable))
        except Exception:
            continue
        if type(back) is type(exc) and str(back) == str(exc):
            return portable
    named = RuntimeError(f"{type(exc).__name__}: {exc}")
    named.add_note(note)
    return named


class _Remade(NamedTuple):
    """An exception as its class, ``args`` and attributes: pickled as the exception."""

    cls: type[Exception]
    args: tuple[Any, ...]
    state: dict[str, Any]

    def __reduce__(self) -> tuple[Any, ...]:
        return _remade, (self.cls, self.args, self.state)


def _remade(cls: type[Exception], args: tuple[Any, ...], state: dict[str, Any]) -> Exception:
    exc = cls.__new__(cls)
    exc.args = args
    exc.__dict__.update(state)
    return exc


def _flush(stream: Any) -> None:
    with contextlib.suppress(AttributeError, ValueError, OSError):
        stream.flush()
