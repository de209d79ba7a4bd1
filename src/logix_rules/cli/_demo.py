"""``logix demo``: the default pack over a generated sample data set."""

from __future__ import annotations

import argparse
from typing import IO

from ..compiler._load import load_pack
from ..demo._files import write_demo_files
from ..demo._generator import DEMO_AT, generate_demo
from ..runtime._engine import evaluate
from ._common import EXIT_OK, FORMATS, UsageError, _emit, _parcels_by_carrier, _positive, _utc
from ._report import write_demo_report

__all__ = ["add_parser", "cmd_demo"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``demo`` (handler in ``args.handler``)."""
    demo = sub.add_parser(
        "demo",
        help="run the default pack over generated sample data",
        description="Generate a sample data set (seeded, several carriers and lanes, every "
        f"exception kind) and run the default pack over it at {DEMO_AT.isoformat()}.",
    )
    demo.add_argument("--format", choices=FORMATS, default="table", help="output format")
    demo.add_argument(
        "--shipments",
        type=_positive,
        default=300,
        metavar="N",
        help="number of shipments to generate (default 300)",
    )
    demo.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    demo.add_argument(
        "--write",
        metavar="DIR",
        help="also write events.jsonl and shipments.jsonl to DIR for `logix run`",
    )
    demo.add_argument(
        "--report",
        metavar="FILE",
        help="instead: replay 8 weeks of seeded history (one carrier degrading, one lane with "
        "recurring delays) and write its monthly review to FILE as HTML (docs/review.md)",
    )
    demo.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix demo``: the default pack over the bundled generated data set."""
    if args.report is not None:
        write_demo_report(args.report, seed=args.seed, err=err)
        return EXIT_OK
    data = generate_demo(seed=args.seed, shipments=args.shipments)
    if args.write is not None:
        try:
            events_path, shipments_path = write_demo_files(args.write, data=data)
        except OSError as exc:
            raise UsageError(
                f"cannot write the demo files to {args.write!r} ({exc.strerror or exc}); "
                "choose a writable directory"
            ) from None
        err.write(
            f"wrote {len(data.events)} events to {events_path} and {len(data.shipments)} "
            f"shipments to {shipments_path}; try:\n  logix run --pack default "
            f"--events {events_path} --shipments {shipments_path} "
            f"--at {DEMO_AT.isoformat().replace('+00:00', 'Z')}\n"
        )
    pack = load_pack("default")
    incidents = evaluate(pack, data.events, at=data.at, shipments=data.shipments)
    headline = (
        f"logix demo: {len(data.shipments)} parcels, {len(data.events)} events "
        f"(seed {args.seed}), pack {pack.name!r}, at {_utc(data.at)}"
    )
    _emit(
        out,
        args.format,
        incidents,
        pack=pack,
        at=data.at,
        headline=headline,
        parcels=_parcels_by_carrier((), data.shipments),
        extra={"seed": args.seed, "events": len(data.events)},
    )
    return EXIT_OK
