"""``logix run``: a pack over the user's events (and shipments) files."""

from __future__ import annotations

import argparse
from typing import IO

from ..core._errors import PackError
from ..runtime._engine import evaluate
from ..runtime._incidents import Incident
from ..runtime._io import STDIN
from ._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    FORMATS,
    UsageError,
    _emit,
    _Inputs,
    _load,
    _parcels_by_carrier,
    _read_inputs,
    _report_counts,
    _utc,
    _zone,
    add_mask_option,
    parse_time,
)
from ._render import names_by_parcel
from ._store import run_stored

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
    add_mask_option(run)
    run.set_defaults(handler=cmd_run)


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
    inputs = _read_inputs(args, zone, err, args.max_problems)
    events, ship_items = inputs.events, inputs.shipments
    _report_counts(err, "run", inputs)
    if at is None:
        if events:
            at = max(e.occurred_at for e in events)
        elif ship_items:  # with nothing at all, _nothing_read says so once
            err.write(
                f"logix run: no valid events in {args.events}; nothing to evaluate "
                "(pass --at TIME to evaluate the shipments alone)\n"
            )
    incidents: list[Incident] = []
    if at is not None:
        later = sum(1 for e in events if e.occurred_at > at)
        if later:
            err.write(f"logix run: ignored {later} event(s) after --at {_utc(at)}\n")
        incidents = evaluate(pack, events, at=at, shipments=ship_items)
    headline = (
        f"logix run: {len(events)} events from {args.events}"
        + (f", {len(ship_items)} shipments from {args.shipments}" if args.shipments else "")
        + f", pack {pack.name!r}"
        + (f", at {_utc(at)}" if at is not None else "")
    )
    _emit(
        out,
        args.format,
        incidents,
        pack=pack,
        at=at,
        headline=headline,
        parcels=_parcels_by_carrier(events, ship_items),
        extra={"events": len(events), "skipped_lines": inputs.skipped},
        mask=not args.no_mask,
        names=None if args.no_mask else names_by_parcel(events),
    )
    return _nothing_read(err, inputs)
