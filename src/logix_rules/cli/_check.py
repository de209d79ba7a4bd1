"""``logix check``: compile packs and report every problem (``--strict``: lint too)."""

from __future__ import annotations

import argparse
import json
from typing import IO, Any

from ..compiler._lint import lint_pack
from ..core._errors import ErrorCode, PackError
from ._common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, UsageError, _load

__all__ = ["add_parser", "cmd_check"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``check`` (handler in ``args.handler``)."""
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
