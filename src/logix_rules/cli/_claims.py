"""``logix claim INCIDENT_ID --store URL``: an incident's claim package, as a printable
HTML page or JSON (schema ``logix.claim/1``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import IO

from ..core._errors import UnknownIncident
from ..intake import ClaimError, claim_package_from_engine
from ..runtime._engine import Engine
from ._common import EXIT_OK, EXIT_USAGE, UsageError, add_mask_option
from ._store import _opened, _pack, _pack_option, _store_option

__all__ = ["add_parser", "cmd_claim"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``claim``."""
    claim = sub.add_parser(
        "claim",
        help="the claim package of a lost, damaged or falsely delivered parcel",
        description="Gather what a claim with the carrier or insurer needs (POLICY §4): "
        "the order, payment record, proof of dispatch, tracking number, the full trail "
        "with the carriers' own codes, the follow-up log, the amounts and who bears them, "
        "and the filing deadline.  What is not known is listed as missing.  Personal data "
        "is masked unless --no-mask.",
    )
    claim.add_argument("incident_id", metavar="INCIDENT_ID", help="the incident id (inc_...)")
    _store_option(claim)
    _pack_option(claim)
    claim.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    claim.add_argument(
        "--format",
        choices=("html", "json"),
        help="html (a printable page) or json (default: from the -o suffix, else html)",
    )
    claim.add_argument("--order-id", metavar="ID", help="the order id, when the shipment has none")
    claim.add_argument("--payment-ref", metavar="REF", help="the payment record's reference")
    add_mask_option(claim)
    claim.set_defaults(handler=cmd_claim)


def cmd_claim(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix claim INCIDENT_ID --store URL [-o FILE] [--format html|json]``."""
    pack = _pack(args.pack, "claim", err)
    if pack is None:
        return EXIT_USAGE
    fmt = args.format or ("json" if str(args.output or "").endswith(".json") else "html")
    with _opened(args.store) as store:
        engine = Engine(pack, store=store)
        try:
            package = claim_package_from_engine(
                engine,
                args.incident_id,
                order_id=args.order_id,
                payment_ref=args.payment_ref,
                mask=not args.no_mask,
            )
        except UnknownIncident as exc:
            raise UsageError(f"{exc}; `logix incidents --store URL` lists the open ones") from None
        except ClaimError as exc:
            raise UsageError(exc.msg) from None
    if fmt == "json":
        text = json.dumps(package.to_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = package.to_html()
    if args.output is None:
        out.write(text)
    else:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"-o {args.output}: {exc.strerror or exc}") from None
        err.write(f"logix claim: wrote {args.output} ({fmt})\n")
    if package.missing:
        err.write(f"logix claim: missing: {', '.join(package.missing)}\n")
    return EXIT_OK
