"""``logix test``: run the scenario files (``*.tests.yaml``) of rule packs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import IO

from ..compiler._model import Pack
from ..core._errors import PackError
from ..testing._scenario_files import find_scenario_files, load_scenarios
from ..testing._scenario_model import ScenarioError
from ..testing._scenario_runs import run_case
from ._common import EXIT_OK, EXIT_PROBLEMS, UsageError, _load

__all__ = ["add_parser", "cmd_test"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``test`` (handler in ``args.handler``)."""
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
