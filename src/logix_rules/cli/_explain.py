"""``logix explain``: why each rule holds or not for one parcel at one time."""

from __future__ import annotations

import argparse
import json
from typing import IO

from ..compiler._suggest import suggest
from ..core._errors import PackError
from ..runtime._explain import explain_events
from ._common import (
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    _load,
    _read_inputs,
    _zone,
    add_mask_option,
    parse_time,
)
from ._render import names_by_parcel

__all__ = ["add_parser", "cmd_explain"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``explain`` (handler in ``args.handler``)."""
    explain = sub.add_parser(
        "explain",
        help="show why each rule holds or not for one parcel at one time",
        description="Evaluate a pack for one parcel at --at and print, for every rule, "
        "whether it holds and, if not, which part of its condition failed with the actual "
        "values, or how long until its time clause is due.",
    )
    explain.add_argument("--pack", required=True, help="built-in pack name or pack YAML file")
    explain.add_argument("--events", required=True, metavar="FILE", help="events JSONL file")
    explain.add_argument("--tracking-number", required=True, metavar="N", help="the parcel")
    explain.add_argument(
        "--at", metavar="TIME", help="evaluation time (default: the parcel's latest event)"
    )
    explain.add_argument("--shipments", metavar="FILE", help="shipments JSONL or CSV file")
    explain.add_argument(
        "--rule",
        action="append",
        metavar="ID",
        help="show every sub-condition and rung of this rule (repeatable)",
    )
    explain.add_argument("--format", choices=("text", "json"), default="text")
    explain.add_argument(
        "--assume-tz", metavar="ZONE", help="IANA zone for timestamps without a UTC offset"
    )
    add_mask_option(explain)
    explain.set_defaults(handler=cmd_explain)


def cmd_explain(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix explain``: why each rule holds or not for one parcel at one time."""
    zone = _zone(args.assume_tz)
    at = parse_time(args.at, zone) if args.at is not None else None
    try:
        pack = _load(args.pack)
    except PackError as exc:
        err.write(f"logix explain: the pack {args.pack!r} does not compile:\n")
        for issue in exc.issues:
            err.write(f"  {issue}\n")
        return EXIT_USAGE
    for rule_id in args.rule or ():
        if all(r.id != rule_id for r in pack.rules):
            hint = suggest(rule_id, [r.id for r in pack.rules])
            raise UsageError(f"--rule {rule_id!r}: pack {pack.name!r} has no such rule.{hint}")
    number = args.tracking_number
    inputs = _read_inputs(args, zone, err, 20)
    events = [e for e in inputs.events if e.tracking_number == number]
    facts = [s for s in inputs.shipments if s.tracking_number == number]
    if not events and not facts:
        known = {e.tracking_number for e in inputs.events}
        hint = suggest(number, known)
        raise UsageError(f"no events or shipment for tracking number {number!r}.{hint}")
    if at is None:
        if not events:
            raise UsageError(f"{number!r} has no events; pass --at TIME")
        at = max(e.occurred_at for e in events)
    explanation = explain_events(
        pack, events, tracking_number=number, at=at, shipment=facts[-1] if facts else None
    )
    if not args.no_mask:
        explanation = explanation.masked(names=names_by_parcel(events).get(number, ()))
    if args.format == "json":
        document = explanation.to_dict(mask=False)  # masked above unless --no-mask
        out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    elif args.rule:
        out.writelines(line + "\n" for line in explanation.header())
        for rule_id in args.rule:
            out.write(explanation.rule(rule_id).render_detail(mask=False) + "\n")
    else:
        out.write(explanation.render(mask=False) + "\n")
    return EXIT_OK
