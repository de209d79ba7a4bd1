"""The commands over a durable store: ``run --store`` (continue from the last run),
``incidents``, ``ack``, ``resolve`` and ``changes`` (the feed, for one consumer)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO

from ..compiler._model import Pack
from ..core._errors import PackError, UnknownIncident
from ..runtime._engine import Engine
from ..runtime._incidents import Change
from ..runtime._shown_json import change_block, change_line, document_text, indented
from ..store import ChangeFeed, Store, StoreError, open_store
from ._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    FORMATS,
    UsageError,
    _load,
    _read_inputs,
    _report_counts,
    _utc,
    _zone,
    add_mask_option,
    parse_time,
)
from ._render import _table, render_json, render_jsonl, render_table

__all__ = ["add_parsers", "cmd_ack", "cmd_changes", "cmd_incidents", "cmd_resolve", "run_stored"]

#: Events per unit of work when ``run --store`` ingests a file (one transaction each).
RUN_BATCH = 1000
#: How often ``changes --follow`` asks for new changes when there were none.
FOLLOW_INTERVAL = 1.0


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        required=True,
        metavar="URL",
        help="the store: sqlite:///ops.db, sqlite:////abs/ops.db or postgresql://user@host/db",
    )


def _pack_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pack",
        default="default",
        help="the pack the store's engine runs (built-in name or YAML file; default: default)",
    )


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``incidents``, ``ack``, ``resolve`` and ``changes``."""
    incidents = sub.add_parser(
        "incidents",
        help="list the open incidents of a store",
        description="List the open and acknowledged incidents kept in a store, most severe "
        "first, then oldest first; each filter narrows the list.",
    )
    _store_option(incidents)
    _pack_option(incidents)
    incidents.add_argument("--severity", metavar="LEVEL", help="only this severity (e.g. P1)")
    incidents.add_argument("--kind", metavar="KIND", help="only this kind (e.g. customs_hold)")
    incidents.add_argument("--carrier", metavar="CARRIER", help="only this carrier")
    incidents.add_argument("--tracking-number", metavar="N", help="only this parcel")
    incidents.add_argument("--limit", type=_count, metavar="N", help="at most N incidents")
    incidents.add_argument("--format", choices=FORMATS, default="table", help="output format")
    add_mask_option(incidents)
    incidents.set_defaults(handler=cmd_incidents)

    ack = sub.add_parser(
        "ack",
        help="acknowledge an incident of a store",
        description="Record that someone took ownership of an incident (stops its "
        "'respond' escalation).",
    )
    ack.add_argument("incident_id", metavar="ID", help="the incident id (inc_...)")
    ack.add_argument("--by", required=True, metavar="NAME", help="who takes it")
    _follow_up_options(ack)
    ack.set_defaults(handler=cmd_ack)

    resolve = sub.add_parser(
        "resolve",
        help="resolve an incident of a store",
        description="Record that someone resolved an incident; it leaves the open list.",
    )
    resolve.add_argument("incident_id", metavar="ID", help="the incident id (inc_...)")
    resolve.add_argument("--by", required=True, metavar="NAME", help="who resolved it")
    resolve.add_argument("--note", metavar="TEXT", help="what was done")
    _follow_up_options(resolve)
    resolve.set_defaults(handler=cmd_resolve)

    changes = sub.add_parser(
        "changes",
        help="print the changes a consumer has not handled yet (the change feed)",
        description="Print the store's changes after the consumer's committed position, "
        "one JSON object per line by default, and commit each batch once printed. With "
        "--follow, keep polling until interrupted (Ctrl-C).",
    )
    _store_option(changes)
    changes.add_argument("--consumer", required=True, metavar="NAME", help="the cursor's name")
    changes.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    changes.add_argument("--limit", type=_count, metavar="N", help="print at most N changes")
    changes.add_argument("--follow", action="store_true", help="keep polling for new changes")
    changes.add_argument(
        "--interval",
        type=float,
        default=FOLLOW_INTERVAL,
        metavar="SECONDS",
        help=f"with --follow, the pause when nothing is new (default {FOLLOW_INTERVAL:g})",
    )
    add_mask_option(changes)
    changes.set_defaults(handler=cmd_changes)


def _follow_up_options(parser: argparse.ArgumentParser) -> None:
    _store_option(parser)
    _pack_option(parser)
    parser.add_argument(
        "--at",
        metavar="TIME",
        help="when it happened, ISO-8601 or 'now' (default: the store's clock)",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    add_mask_option(parser)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


@contextmanager
def _opened(url: str) -> Iterator[Store]:
    try:
        store = open_store(url)
    except StoreError as exc:
        raise UsageError(f"--store: {exc}") from None
    try:
        yield store
    finally:
        store.close()


def _pack(name: str, command: str, err: IO[str]) -> Pack | None:
    try:
        return _load(name)
    except PackError as exc:
        err.write(f"logix {command}: the pack {name!r} does not compile:\n")
        for issue in exc.issues:
            err.write(f"  {issue}\n")
        return None


# -- run --store ----------------------------------------------------------------------------
def run_stored(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix run --store URL``: apply the files to the store's engine and report only
    the changes they caused (re-sent events cause none)."""
    zone = _zone(args.assume_tz)
    at = parse_time(args.at, zone) if args.at is not None else None
    pack = _pack(args.pack, "run", err)
    if pack is None:
        return EXIT_USAGE
    inputs = _read_inputs(args, zone, err, args.max_problems)
    _report_counts(err, "run", inputs)
    with _opened(args.store) as store:
        engine = Engine(pack, store=store)
        if at is None:
            at = max(e.occurred_at for e in inputs.events) if inputs.events else store.clock()
        events = list(inputs.events)
        if at is not None:
            later = sum(1 for e in events if e.occurred_at > at)
            if later:
                err.write(f"logix run: ignored {later} event(s) after --at {_utc(at)}\n")
                events = [e for e in events if e.occurred_at <= at]
        changes: list[Change] = []
        for shipment in inputs.shipments:
            changes.extend(engine.upsert_shipment(shipment))
        for start in range(0, len(events), RUN_BATCH):
            changes.extend(engine.ingest(events[start : start + RUN_BATCH]))
        if at is not None:
            changes.extend(engine.advance(to=at))
        open_count = len(engine.open_incidents())
        headline = (
            f"logix run: {len(events)} events from {args.events}"
            + (f", {len(inputs.shipments)} shipments" if args.shipments else "")
            + f", pack {pack.name!r}, store {store!r}"
            + (f", at {_utc(at)}" if at is not None else "")
        )
        mask = not args.no_mask
        _print_changes(out, args.format, changes, headline, open_count, pack.name, at, mask)
    if inputs.empty and inputs.lines:
        # Lines were given and none could be read: not a clean run.  An empty file is
        # a legitimate way to advance the store's clock.
        err.write("logix run: no valid events or shipments were read\n")
        return EXIT_PROBLEMS
    return EXIT_OK


def _print_changes(
    out: IO[str],
    fmt: str,
    changes: Sequence[Change],
    headline: str,
    open_count: int,
    pack: str,
    at: datetime | None,
    mask: bool,
) -> None:
    if fmt == "jsonl":
        out.write(_jsonl(changes, mask))
        return
    if fmt == "json":
        out.write(_json_document(changes, pack, at, open_count, mask) + "\n")
        return
    out.write(headline + "\n\n")
    out.write(render_changes(changes) + "\n")
    out.write(
        f"\n{len(changes)} new change{'s' if len(changes) != 1 else ''}; "
        f"{open_count} open incident{'s' if open_count != 1 else ''} in the store\n"
    )


def _jsonl(changes: Sequence[Change], mask: bool) -> str:
    return "".join(change_line(c, mask=mask) + "\n" for c in changes)


def _json_document(
    changes: Sequence[Change], pack: str, at: datetime | None, open_count: int, mask: bool
) -> str:
    """``json.dumps({"pack", "at", "changes", "open_incidents"}, indent=2)``, each change
    written by ``change_block`` and its lines moved to their depth."""
    head = {
        "pack": pack,
        "at": None if at is None else at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    blocks = [change_block(c, mask=mask) for c in changes]
    return document_text(head, [("changes", blocks), ("open_incidents", indented(open_count))])


def render_changes(changes: Sequence[Change]) -> str:
    """One line per change: its seq, type, time and incident."""
    if not changes:
        return "No new changes."
    header = ("SEQ", "CHANGE", "AT (UTC)", "SEV", "KIND", "TRACKING NUMBER", "INCIDENT")
    rows = [
        (
            "-" if c.seq is None else str(c.seq),
            c.type.value,
            c.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            c.incident.severity,
            c.incident.kind,
            c.incident.tracking_number,
            c.incident.id,
        )
        for c in changes
    ]
    return _table(header, rows, right=(0,))


# -- incidents ------------------------------------------------------------------------------
def cmd_incidents(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix incidents``: the open incidents of a store, filtered."""
    pack = _pack(args.pack, "incidents", err)
    if pack is None:
        return EXIT_USAGE
    with _opened(args.store) as store:
        engine = Engine(pack, store=store)
        incidents = engine.open_incidents(
            args.tracking_number,
            severity=args.severity,
            kind=args.kind,
            carrier=args.carrier,
            limit=args.limit,
        )
        clock = store.clock()
        mask = not args.no_mask
        if args.format == "json":
            out.write(render_json(incidents, at=clock, pack=pack.name, mask=mask) + "\n")
        elif args.format == "jsonl":
            out.write(render_jsonl(incidents, mask=mask))
        else:
            out.write(render_table(incidents) + "\n")
            if incidents:
                shown = len(incidents)
                out.write(f"\n{shown} open incident{'s' if shown != 1 else ''}")
                out.write(f" (store clock {_utc(clock)})\n" if clock is not None else "\n")
    return EXIT_OK


# -- ack / resolve --------------------------------------------------------------------------
def cmd_ack(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix ack ID --by NAME``."""
    return _follow_up(args, out, err, resolve=False)


def cmd_resolve(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix resolve ID --by NAME --note TEXT``."""
    return _follow_up(args, out, err, resolve=True)


def _follow_up(args: argparse.Namespace, out: IO[str], err: IO[str], *, resolve: bool) -> int:
    command = "resolve" if resolve else "ack"
    at = parse_time(args.at) if args.at is not None else None
    pack = _pack(args.pack, command, err)
    if pack is None:
        return EXIT_USAGE
    with _opened(args.store) as store:
        if at is None and store.clock() is None:
            raise UsageError(
                "--at: the store has no clock yet (nothing was run over it); pass --at TIME"
            )
        engine = Engine(pack, store=store)
        try:
            if resolve:
                change = engine.resolve(args.incident_id, by=args.by, at=at, note=args.note)
            else:
                change = engine.acknowledge(args.incident_id, by=args.by, at=at)
        except UnknownIncident as exc:
            raise UsageError(f"{exc}; `logix incidents --store URL` lists the open ones") from None
    if args.format == "json":
        out.write(change_block(change, mask=not args.no_mask) + "\n")
    else:
        inc = change.incident
        out.write(
            f"{change.type.value} {inc.id} ({inc.severity} {inc.kind}, "
            f"{inc.tracking_number}) by {args.by} at {_utc(change.at)}; seq {change.seq}\n"
        )
    return EXIT_OK


# -- changes --------------------------------------------------------------------------------
def cmd_changes(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix changes``: print what the consumer has not handled, commit it."""
    if args.interval <= 0:
        raise UsageError(f"--interval must be more than 0 seconds, got {args.interval:g}")
    with _opened(args.store) as store:
        try:
            feed = ChangeFeed(store, args.consumer)
        except ValueError as exc:
            raise UsageError(f"--consumer: {exc}") from None
        printed = 0
        while True:
            room = None if args.limit is None else args.limit - printed
            if room == 0:
                break
            batch = feed.poll(limit=min(500, room) if room is not None else 500)
            if batch:
                if args.format == "table":
                    out.write(render_changes(batch) + "\n")
                else:
                    out.write(_jsonl(batch, not args.no_mask))
                out.flush()
                feed.commit()  # printed: handled, as far as this consumer goes
                printed += len(batch)
            elif args.follow:
                time.sleep(args.interval)
            else:
                break
    if args.format == "table" and printed == 0:
        out.write("No new changes.\n")
    return EXIT_OK
