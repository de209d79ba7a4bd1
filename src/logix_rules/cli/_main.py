"""The ``logix`` command: ``demo``, ``run``, ``check`` (and the carrier commands).

Exit status: 0 done (``run`` also when some input lines were skipped, which it
reports), 1 ``check`` found problems in a pack, 2 usage errors (bad option, missing
or unreadable file, bad time or zone, a pack that does not compile), 130 interrupted.
User mistakes get a one-line message naming the input and what to do, never a
traceback.  Each sub-command group lives in its own module (``_demo``, ``_run``,
``_check``, ``_test``, ``_explain``, ``_store``, ``_messages``, ``_claims``,
``_carriers``); this one assembles the parser and dispatches.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from . import _run
from ._common import EXIT_INTERRUPTED, EXIT_PROBLEMS, EXIT_USAGE, UsageError

__all__ = ["build_parser", "main"]


def _version() -> str:
    try:
        return version("logix")
    except PackageNotFoundError:  # running from a source tree without installing
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The ``logix`` argument parser; each subcommand sets ``handler``."""
    parser, sub = _bare_parser()
    from . import (
        _carriers,
        _check,
        _claims,
        _demo,
        _explain,
        _messages,
        _report,
        _serve,
        _store,
        _test,
    )

    _demo.add_parser(sub)
    _run.add_parser(sub)
    _check.add_parser(sub)
    _test.add_parser(sub)
    _explain.add_parser(sub)
    _store.add_parsers(sub)
    _messages.add_parsers(sub)
    _claims.add_parser(sub)
    _report.add_parser(sub)
    _carriers.add_parsers(sub)
    _serve.add_parsers(sub)
    return parser


def _run_parser() -> argparse.ArgumentParser:
    """``build_parser`` with ``run`` as its only sub-command: what ``logix run ...``
    parses and prints the same way (a sub-command's usage and errors name only
    ``logix`` and itself), without importing every other command's room (the
    store, reviews, intake: a fifth of start-up, paid again by every run)."""
    parser, sub = _bare_parser()
    _run.add_parser(sub)
    return parser


def _bare_parser() -> tuple[argparse.ArgumentParser, Any]:
    """The ``logix`` parser without sub-commands, and where they are added."""
    parser = argparse.ArgumentParser(
        prog="logix",
        description="Parcel exception follow-up: turn tracking events into incidents.",
    )
    parser.add_argument("--version", action="version", version=f"logix {_version()}")
    # Most handlers take ``(args, out, err)``; the carrier and service commands, which
    # write through their own channels, set ``args_only=True`` with their handler.
    parser.set_defaults(args_only=False)
    return parser, parser.add_subparsers(dest="command", metavar="COMMAND", required=True)


def main(argv: list[str] | None = None) -> int:
    """Run ``logix`` with ``argv`` (default: the process arguments); return the exit status."""
    given = sys.argv[1:] if argv is None else argv
    parser = _run_parser() if given[:1] == ["run"] else build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and argparse's usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    out, err = sys.stdout, sys.stderr
    command = f"logix {args.command}"
    try:
        if args.args_only:
            return int(args.handler(args))
        return int(args.handler(args, out, err))
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
