"""``logix run``: a pack over the user's events (and shipments) files."""

from __future__ import annotations

import argparse
import contextlib
import gc
from collections.abc import Callable, Iterator
from datetime import datetime, tzinfo
from typing import IO, NamedTuple

from logix_carriers import Shipment

from ..compiler._model import Pack
from ..core._errors import InputProblem, PackError
from ..runtime._engine import Engine
from ..runtime._io import STDIN, InputFileError, Loaded, read_shipments
from ..runtime._line_records import RecordChunks
from ..runtime._stream_evaluate import evaluate_grouped
from ._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    FORMATS,
    UsageError,
    _FileCount,
    _Inputs,
    _load,
    _positive,
    _report_counts,
    _report_problems,
    _utc,
    _zone,
    add_mask_option,
    parse_time,
)
from ._run_jobs import JOBS_FROM_BYTES, MAX_AUTO_JOBS, WorkerLost, jobs_for, run_sharded
from ._shown import Shown, emit_shown, shown_for

__all__ = ["add_parser", "cmd_run"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``run`` (handler in ``args.handler``)."""
    run = sub.add_parser(
        "run",
        help="run a pack over your events (and shipments) files",
        description="Evaluate a rule pack over tracking events read from JSONL (one event "
        "object per line; '-' reads stdin) and optional shipments (JSONL or CSV). Lines "
        "that cannot be read are reported on stderr with their line numbers and skipped.",
    )
    run.add_argument(
        "--pack",
        required=True,
        help="built-in pack name (e.g. default) or path to a pack YAML file",
    )
    run.add_argument(
        "--events", required=True, metavar="FILE", help="events JSONL file, or - for stdin"
    )
    run.add_argument("--shipments", metavar="FILE", help="shipments JSONL or CSV file")
    run.add_argument(
        "--at",
        metavar="TIME",
        help="evaluation time, ISO-8601 with offset or 'now' (default: the latest event time)",
    )
    run.add_argument("--format", choices=FORMATS, default="table", help="output format")
    run.add_argument(
        "--assume-tz",
        metavar="ZONE",
        help="IANA zone for timestamps without a UTC offset (e.g. Asia/Shanghai)",
    )
    run.add_argument(
        "--max-problems",
        type=int,
        default=20,
        metavar="N",
        help="skipped lines to list on stderr (default 20, 0 for all)",
    )
    run.add_argument(
        "--store",
        metavar="URL",
        help="keep state in this store (sqlite:///ops.db, postgresql://...) and continue from "
        "its last run: only the changes this run causes are reported",
    )
    run.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="processes to split the events file across, by tracking number (default "
        f"'auto': every core, at most {MAX_AUTO_JOBS}, for a file of "
        f"{JOBS_FROM_BYTES >> 20} MiB or more, else 1); the output is the same whatever N",
    )
    add_mask_option(run)
    run.set_defaults(handler=cmd_run)


def _jobs(text: str) -> int | None:
    """``--jobs``: a whole number of at least 1, or ``auto`` (None)."""
    if text.strip().lower() == "auto":
        return None
    return _positive(text)


def _nothing_read(err: IO[str], inputs: _Inputs) -> int:
    """Exit 1 when not one event or shipment could be read: "No open incidents" over
    nothing must not pass for a clean run in a script."""
    if not inputs.empty:
        return EXIT_OK
    err.write("logix run: no valid events or shipments were read; nothing was evaluated\n")
    return EXIT_PROBLEMS


def cmd_run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix run``: a pack over the user's events (and shipments) files."""
    if args.events == STDIN and args.shipments == STDIN:
        raise UsageError(
            "--events and --shipments cannot both read stdin ('-'); save one to a file"
        )
    if args.store is not None:
        if args.jobs is not None and args.jobs > 1:
            raise UsageError(
                "--jobs applies to a run without --store (a store's run continues its "
                "state in one process); leave --jobs out"
            )
        from ._store import run_stored  # the store's room: only a run that keeps state

        return run_stored(args, out, err)
    zone = _zone(args.assume_tz)
    at = parse_time(args.at, zone) if args.at is not None else None
    try:
        pack = _load(args.pack)
    except PackError as exc:
        err.write(f"logix run: the pack {args.pack!r} does not compile:\n")
        for issue in exc.issues:
            err.write(f"  {issue}\n")
        err.write(f"run `logix check {args.pack}` after fixing it\n")
        return EXIT_USAGE
    with _collector_paused():
        return _run_streamed(args, pack, zone, at, out, err)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for one run, then as it was.

    A run holds every parcel's records and states until it prints, and makes next to
    no reference cycles (a few thousand objects for 30,000 lines, a third of them bad),
    so the collections would only rescan what is alive: 8 % of a 1,000,000-event run.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Outcome(NamedTuple):
    """What a run found, in one process or several."""

    shown: list[Shown]  # the open incidents, rendered, in the engine's order
    at: datetime | None
    events: int
    later: int
    parcels: dict[str, int]  # parcels per carrier named by events and not by a shipment
    problems: tuple[InputProblem, ...]  # the events file's skipped lines
    lines: int  # the events file's lines read


def _run_streamed(
    args: argparse.Namespace,
    pack: Pack,
    zone: tzinfo | None,
    at: datetime | None,
    out: IO[str],
    err: IO[str],
) -> int:
    """Read the events a chunk at a time straight into the kernel's records (a large
    file never lives as a million events), then evaluate as ``evaluate`` would: in
    one process, or split by tracking number across ``--jobs`` processes."""
    mask = not args.no_mask
    loaded_shipments: list[Loaded[Shipment]] = []

    def shipments() -> tuple[Shipment, ...]:
        if args.shipments is None:
            return ()
        if not loaded_shipments:
            try:
                loaded = read_shipments(args.shipments, assume_tz=zone, progress=err)
            except InputFileError as exc:
                raise UsageError(str(exc)) from None
            loaded_shipments.append(loaded)
        return loaded_shipments[0].items

    jobs = jobs_for(args.jobs, args.events)
    try:
        if jobs > 1:
            found = _run_jobs(args, pack, jobs, zone, at, err, shipments)
        else:
            found = _run_one(args, pack, zone, at, err, shipments)
    except (InputFileError, WorkerLost) as exc:
        raise UsageError(str(exc)) from None
    ship_items = shipments()
    problems = [*found.problems, *(s for loaded in loaded_shipments for s in loaded.problems)]
    _report_problems(err, problems, args.max_problems, zone is not None, mask=mask)
    files = [_FileCount(args.events, len(found.problems), found.lines)]
    for loaded in loaded_shipments:
        files.append(_FileCount(args.shipments, len(loaded.problems), loaded.lines))
    inputs = _Inputs(
        (),
        ship_items,
        len(problems),
        sum(f.lines for f in files),
        tuple(files),
    )
    _report_counts(err, "run", inputs)
    at = found.at
    if at is None and ship_items:  # with nothing at all, _nothing_read says so once
        err.write(
            f"logix run: no valid events in {args.events}; nothing to evaluate "
            "(pass --at TIME to evaluate the shipments alone)\n"
        )
    if found.later:
        assert at is not None
        err.write(f"logix run: ignored {found.later} event(s) after --at {_utc(at)}\n")
    headline = (
        f"logix run: {found.events} events from {args.events}"
        + (f", {len(ship_items)} shipments from {args.shipments}" if args.shipments else "")
        + f", pack {pack.name!r}"
        + (f", at {_utc(at)}" if at is not None else "")
    )
    parcels: dict[str, int] = {}
    for carrier in {s.tracking_number: s.carrier for s in ship_items}.values():
        parcels[carrier] = parcels.get(carrier, 0) + 1
    for carrier, count in found.parcels.items():
        parcels[carrier] = parcels.get(carrier, 0) + count
    emit_shown(
        out,
        args.format,
        found.shown,
        pack=pack,
        at=at,
        headline=headline,
        parcels=parcels,
        extra={"events": found.events, "skipped_lines": inputs.skipped},
    )
    if found.events or ship_items:
        return EXIT_OK
    return _nothing_read(err, inputs)


def _run_one(
    args: argparse.Namespace,
    pack: Pack,
    zone: tzinfo | None,
    at: datetime | None,
    err: IO[str],
    shipments: Callable[[], tuple[Shipment, ...]],
) -> _Outcome:
    """The run in this process."""
    mask = not args.no_mask
    engine = Engine(pack)
    chunks = RecordChunks(args.events, engine._kernel, names=mask, assume_tz=zone, progress=err)
    result = evaluate_grouped(engine, chunks, at=at, shipments=shipments)
    names = None if not mask else {n: tuple(v) for n, v in chunks.names.items()}
    numbers = {s.tracking_number for s in shipments()}
    parcels: dict[str, int] = {}
    for number, carrier in result.carriers.items():
        if number not in numbers:
            parcels[carrier] = parcels.get(carrier, 0) + 1
    return _Outcome(
        shown_for(args.format, result.incidents, mask=mask, names=names),
        result.at,
        result.events,
        result.later,
        parcels,
        chunks.problems,
        chunks.lines,
    )


def _run_jobs(
    args: argparse.Namespace,
    pack: Pack,
    jobs: int,
    zone: tzinfo | None,
    at: datetime | None,
    err: IO[str],
    shipments: Callable[[], tuple[Shipment, ...]],
) -> _Outcome:
    """The run split across ``jobs`` processes (``_run_jobs``)."""
    found = run_sharded(
        args.events,
        pack,
        jobs,
        zone=zone,
        at=at,
        fmt=args.format,
        mask=not args.no_mask,
        shipments=shipments,
        progress=err,
    )
    return _Outcome(*found)
