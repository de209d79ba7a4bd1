"""The ``logix`` command: ``demo``, ``run``, ``check`` (and the carrier commands).

Exit status: 0 done (``run`` also when some input lines were skipped, which it
reports), 1 ``check`` found problems in a pack, 2 usage errors (bad option, missing
or unreadable file, bad time or zone, a pack that does not compile), 130 interrupted.
User mistakes get a one-line message naming the input and what to do, never a
traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any, Final, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from logix_carriers import Shipment, TrackingEvent

from ..compiler._expr import suggest
from ..compiler._lint import lint_pack
from ..compiler._pack import Pack, load_pack
from ..core._errors import ErrorCode, InputProblem, PackError
from ..demo._generator import DEMO_AT, generate_demo, write_demo_files
from ..runtime._engine import evaluate
from ..runtime._explain import explain_events
from ..runtime._incidents import Incident
from ..runtime._io import STDIN, InputFileError, read_events, read_shipments
from ..testing._scenarios import ScenarioError, find_scenario_files, load_scenarios, run_case
from . import _carriers
from ._render import render_json, render_jsonl, render_summary, render_table

__all__ = ["build_parser", "main"]

EXIT_OK: Final = 0
EXIT_PROBLEMS: Final = 1
EXIT_USAGE: Final = 2
EXIT_INTERRUPTED: Final = 130

FORMATS: Final = ("table", "json", "jsonl")


class UsageError(Exception):
    """A mistake in the command line or its inputs: reported in one line, exit 2."""


# --------------------------------------------------------------------------- helpers


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def _zone(name: str | None) -> tzinfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--assume-tz {name!r} is not an IANA time zone; write e.g. Europe/Berlin, "
            "America/New_York or UTC"
        ) from None


def parse_time(text: str, zone: tzinfo | None = None) -> datetime:
    """Read ``--at``: ISO-8601 with an offset (``2026-03-16T12:00:00Z``) or ``now``.

    A time without offset is read in ``zone`` (``--assume-tz``) or refused.
    """
    cleaned = text.strip()
    if cleaned.lower() == "now":
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise UsageError(
            f"--at {text!r} is not an ISO-8601 time; write e.g. 2026-03-16T12:00:00Z "
            "or 2026-03-16T13:00:00+01:00"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        if zone is None:
            raise UsageError(
                f"--at {text!r} has no UTC offset; add one (e.g. {cleaned}Z or "
                f"{cleaned}+01:00) or pass --assume-tz Area/City"
            )
        moment = moment.replace(tzinfo=zone)
    return moment


def _load(pack: str) -> Pack:
    """``load_pack`` with file-system failures turned into ``PackError``-like reports."""
    try:
        return load_pack(pack)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"cannot read the pack {pack!r} ({reason})") from None


def _parcels_by_carrier(
    events: Iterable[TrackingEvent], shipments: Iterable[Shipment]
) -> dict[str, int]:
    carrier_of: dict[str, str] = {}
    for shipment in shipments:
        carrier_of[shipment.tracking_number] = shipment.carrier
    for event in events:
        carrier_of.setdefault(event.tracking_number, event.carrier)
    counts: dict[str, int] = {}
    for carrier in carrier_of.values():
        counts[carrier] = counts.get(carrier, 0) + 1
    return counts


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _emit(
    out: IO[str],
    fmt: str,
    incidents: Sequence[Incident],
    *,
    pack: Pack,
    at: datetime | None,
    headline: str,
    parcels: dict[str, int],
    extra: dict[str, Any],
) -> None:
    if fmt == "json":
        out.write(
            render_json(incidents, at=at, pack=pack.name, parcels_by_carrier=parcels, extra=extra)
            + "\n"
        )
    elif fmt == "jsonl":
        out.write(render_jsonl(incidents))
    else:
        out.write(headline + "\n\n")
        out.write(render_table(incidents) + "\n")
        if incidents:
            affected = len({i.tracking_number for i in incidents})
            out.write(
                f"\n{len(incidents)} open incident{'s' if len(incidents) != 1 else ''} "
                f"on {affected} of {sum(parcels.values())} parcels\n\n"
            )
            levels = list(pack.severities)
            out.write(
                render_summary(incidents, parcels_by_carrier=parcels, severities=levels) + "\n"
            )


# --------------------------------------------------------------------------- commands


def cmd_demo(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix demo``: the default pack over the bundled generated data set."""
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


class _Inputs(NamedTuple):
    events: Sequence[TrackingEvent]
    shipments: Sequence[Shipment]
    skipped: int  # bad lines reported and skipped
    lines: int  # lines read in all


def _read_inputs(
    args: argparse.Namespace, zone: tzinfo | None, err: IO[str], limit: int
) -> _Inputs:
    """``--events`` and ``--shipments``: bad lines reported and skipped, never fatal."""
    try:
        loaded = read_events(args.events, assume_tz=zone, progress=err)
        shipments = (
            read_shipments(args.shipments, assume_tz=zone, progress=err)
            if args.shipments is not None
            else None
        )
    except InputFileError as exc:
        raise UsageError(str(exc)) from None
    problems = [*loaded.problems, *(shipments.problems if shipments else ())]
    _report_problems(err, problems, limit, zone is not None)
    return _Inputs(
        loaded.items,
        shipments.items if shipments else (),
        len(problems),
        loaded.lines + (shipments.lines if shipments else 0),
    )


def _report_problems(
    err: IO[str], problems: Sequence[InputProblem], limit: int, zone_given: bool
) -> None:
    shown = problems if limit == 0 else problems[:limit]
    for problem in shown:
        err.write(f"skipped {problem}\n")
    if len(shown) < len(problems):
        err.write(
            f"... and {len(problems) - len(shown)} more skipped line(s) "
            "(--max-problems 0 shows all)\n"
        )
    naive = any("no UTC offset" in str(e.get("msg", "")) for p in problems for e in p.errors)
    if naive and not zone_given:
        err.write(
            "hint: some timestamps have no UTC offset; pass --assume-tz Area/City "
            "(e.g. --assume-tz Europe/Berlin) to say which zone they are in\n"
        )


def cmd_run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix run``: a pack over the user's events (and shipments) files."""
    if args.events == STDIN and args.shipments == STDIN:
        raise UsageError(
            "--events and --shipments cannot both read stdin ('-'); save one to a file"
        )
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
    if inputs.skipped:
        err.write(f"logix run: skipped {inputs.skipped} problem line(s) of {inputs.lines} read\n")
    if at is None:
        if not events:
            err.write(
                f"logix run: no valid events in {args.events}; nothing to evaluate "
                "(pass --at TIME to evaluate the shipments alone)\n"
            )
        else:
            at = max(e.occurred_at for e in events)
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
    )
    return EXIT_OK


def cmd_check(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix check``: compile packs and print every problem, or a summary line."""
    status = EXIT_OK
    reports: list[dict[str, Any]] = []
    for ref in args.packs:
        try:
            pack = _load(ref)
        except PackError as exc:
            missing = any(
                i.code in (ErrorCode.FILE_NOT_FOUND, ErrorCode.UNKNOWN_PACK) for i in exc.issues
            )
            status = max(status, EXIT_USAGE if missing else EXIT_PROBLEMS)
            reports.append({"pack": ref, "ok": False, "issues": [i.to_dict() for i in exc.issues]})
            if args.format == "text":
                for issue in exc.issues:
                    out.write(f"{issue}\n")
                count = len(exc.issues)
                out.write(f"{ref}: {count} problem{'s' if count != 1 else ''}\n")
            continue
        except UsageError as exc:
            status = max(status, EXIT_USAGE)
            reports.append({"pack": ref, "ok": False, "issues": [], "error": str(exc)})
            err.write(f"logix check: {exc}\n")
            continue
        warnings = lint_pack(pack) if args.strict else []
        reports.append(
            {
                "pack": ref,
                "ok": not warnings,
                "name": pack.name,
                "rules": len(pack.rules),
                "kinds": list(pack.kinds),
                "params": list(pack.params),
                "summary": pack.summary(),
                **({"warnings": [w.to_dict() for w in warnings]} if args.strict else {}),
            }
        )
        if warnings:
            status = max(status, EXIT_PROBLEMS)
        if args.format == "text":
            for warning in warnings:
                out.write(f"{warning}\n")
            if warnings:
                count = len(warnings)
                out.write(
                    f"{ref}: compiles, but --strict found {count} "
                    f"warning{'s' if count != 1 else ''}\n"
                )
            else:
                out.write(f"{ref}: {pack.summary()}\n")
    if args.format == "json":
        out.write(json.dumps(reports, indent=2, ensure_ascii=False) + "\n")
    return status


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def cmd_test(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix test``: run scenario files (``*.tests.yaml``) against their packs."""
    try:
        files = find_scenario_files(args.paths)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    override = _load_for_test(args.pack, out) if args.pack is not None else None
    if args.pack is not None and override is None:
        return EXIT_PROBLEMS
    cases = failed = broken = 0
    for path in files:
        name = _shown(path)
        try:
            scenarios = load_scenarios(path)
            pack = override or scenarios.load_pack()
        except ScenarioError as exc:
            broken += 1
            out.write(f"ERROR {name}: the scenario file cannot be used\n")
            out.writelines(f"  {issue}\n" for issue in exc.issues)
            continue
        except PackError as exc:
            broken += 1
            out.write(f"ERROR {name}: its pack does not compile\n")
            out.writelines(f"  {issue}\n" for issue in exc.issues)
            continue
        selected = [c for c in scenarios.cases if args.case is None or args.case in c.name]
        file_failed = 0
        for case in selected:
            result = run_case(case, pack)
            cases += 1
            if result.passed:
                if args.verbose:
                    out.write(f"PASS {name}:{case.line}: {case.name}\n")
                continue
            file_failed += 1
            out.write("FAIL " + result.report().replace(case.file, name, 1) + "\n\n")
        failed += file_failed
        out.write(
            f"{name}: {len(selected)} case{'s' if len(selected) != 1 else ''} against pack "
            f"{pack.name!r}, " + (f"{file_failed} failed" if file_failed else "all passed") + "\n"
        )
    summary = f"{cases - failed} of {cases} case{'s' if cases != 1 else ''} passed"
    if broken:
        summary += f"; {broken} file{'s' if broken != 1 else ''} could not be run"
    out.write(summary + "\n")
    return EXIT_PROBLEMS if failed or broken else EXIT_OK


def _load_for_test(ref: str, out: IO[str]) -> Pack | None:
    try:
        return _load(ref)
    except PackError as exc:
        out.write(f"ERROR the pack {ref!r} does not compile\n")
        out.writelines(f"  {issue}\n" for issue in exc.issues)
        return None


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
    if args.format == "json":
        out.write(json.dumps(explanation.to_dict(), indent=2, ensure_ascii=False) + "\n")
    elif args.rule:
        out.writelines(line + "\n" for line in explanation.header())
        for rule_id in args.rule:
            out.write(explanation.rule(rule_id).render_detail() + "\n")
    else:
        out.write(explanation.render() + "\n")
    return EXIT_OK


# ---------------------------------------------------------------------------- parser


def _version() -> str:
    try:
        return version("logix")
    except PackageNotFoundError:  # running from a source tree without installing
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The ``logix`` argument parser; each subcommand sets ``handler``."""
    parser = argparse.ArgumentParser(
        prog="logix",
        description="Parcel exception follow-up: turn tracking events into incidents.",
    )
    parser.add_argument("--version", action="version", version=f"logix {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

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
    demo.set_defaults(handler=cmd_demo)

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
    run.set_defaults(handler=cmd_run)

    check = sub.add_parser(
        "check",
        help="compile rule packs and report every problem",
        description="Compile each pack and print every problem as file:line:column: code: "
        "message, or a one-line summary for a valid pack. Exits 1 when a pack has problems.",
    )
    check.add_argument("packs", nargs="+", metavar="PACK", help="pack YAML files or built-in names")
    check.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    check.add_argument(
        "--strict",
        action="store_true",
        help="also warn about rules that can never fire, ladders out of order, unused "
        "params, conflicting severities and contradicting thresholds (exit 1 on a warning)",
    )
    check.set_defaults(handler=cmd_check)

    test = sub.add_parser(
        "test",
        help="run the scenario tests of rule packs (*.tests.yaml)",
        description="Run every case of the scenario files against their packs and print "
        "each failure with the difference and the rule trace. A PATH is a scenario file, a "
        "directory (searched for *.tests.yaml), a pack file (its NAME.tests.yaml beside "
        "it) or a built-in pack name. Exits 1 when a case fails.",
    )
    test.add_argument("paths", nargs="+", metavar="PATH", help="scenario files, dirs or packs")
    test.add_argument("--pack", help="test this pack instead of each file's own")
    test.add_argument("-k", "--case", metavar="TEXT", help="run only cases whose name has TEXT")
    test.add_argument("-v", "--verbose", action="store_true", help="list passing cases too")
    test.set_defaults(handler=cmd_test)

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
    explain.set_defaults(handler=cmd_explain)

    _carriers.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``logix`` with ``argv`` (default: the process arguments); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and argparse's usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    out, err = sys.stdout, sys.stderr
    command = f"logix {args.command}"
    try:
        if args.handler in (cmd_demo, cmd_run, cmd_check, cmd_test, cmd_explain):
            return int(args.handler(args, out, err))
        return int(args.handler(args))
    except UsageError as exc:
        err.write(f"{command}: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write(f"{command}: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`logix demo | head`): stop quietly, like other tools.
        _silence_stdout()
        return EXIT_PROBLEMS


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":  # pragma: no cover - `python -m logix_rules.cli._main`
    sys.exit(main())
