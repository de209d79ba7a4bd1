"""``logix report``: the weekly brief, the monthly review or any period's review of a
store, as HTML, Markdown, JSON or CSV (the work is ``logix_rules.review``'s)."""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from ..core._errors import PackError
from ..demo._history import generate_history, replay_history
from ..review import (
    ReviewError,
    ReviewSettings,
    build_review,
    render_csv,
    render_html,
    render_json,
    render_markdown,
    settings_from_pack,
)
from ..review._review import Review, midnight
from ..runtime._engine import Engine
from ..store import Store, open_store
from ._common import EXIT_OK, UsageError, _load, parse_time
from ._store import _opened

__all__ = ["add_parser", "cmd_report", "write_demo_report"]

REPORT_FORMATS = ("html", "md", "json", "csv")
_SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".json": "json", ".csv": "csv"}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``report``."""
    report = sub.add_parser(
        "report",
        help="exception statistics, carrier scorecards and KPIs of a store (docs/review.md)",
        description="Review a period of a store: statistics by kind, carrier, lane, category, "
        "region and cause; carrier scorecards with grades; recurring-delay lanes; loss; KPIs "
        "against their targets.  --weekly: the 7 days before --until (the weekly brief); "
        "--monthly: the month before it (the monthly review); otherwise --since to --until.",
    )
    report.add_argument(
        "--store",
        required=True,
        metavar="URL",
        help="the store: sqlite:///ops.db, sqlite:////abs/ops.db or postgresql://user@host/db",
    )
    span = report.add_mutually_exclusive_group()
    span.add_argument("--weekly", action="store_true", help="the weekly brief")
    span.add_argument("--monthly", action="store_true", help="the monthly review")
    report.add_argument("--since", metavar="TIME", help="start of the period (ISO-8601, inclusive)")
    report.add_argument(
        "--until",
        metavar="TIME",
        help="end of the period (exclusive; default: the start of the store clock's day)",
    )
    report.add_argument(
        "--format",
        choices=REPORT_FORMATS,
        help="output format (default: from the -o file's suffix, else md)",
    )
    report.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not stdout")
    report.add_argument(
        "--pack",
        default="default",
        help="the pack whose base_currency and fx_rates params convert money (default: default)",
    )
    report.set_defaults(handler=cmd_report)


def _day_or_time(text: str, option: str) -> datetime:
    """``2026-03-01`` (midnight UTC) or a full ISO-8601 time with an offset."""
    if len(text.strip()) == 10:
        try:
            return datetime.fromisoformat(text.strip()).replace(tzinfo=UTC)
        except ValueError:
            pass
    try:
        return parse_time(text)
    except UsageError as exc:
        raise UsageError(str(exc).replace("--at", option)) from None


def _settings(pack_name: str) -> ReviewSettings:
    try:
        return settings_from_pack(_load(pack_name))
    except PackError as exc:
        raise UsageError(f"--pack {pack_name!r} does not compile: {exc}") from None


def render(review: Review, fmt: str) -> str:
    """The review in one of ``REPORT_FORMATS``."""
    if fmt == "html":
        return render_html(review)
    if fmt == "json":
        return render_json(review)
    if fmt == "csv":
        return render_csv(review)
    return render_markdown(review)


def _write(text: str, path: str | None, out: IO[str]) -> None:
    if path is None:
        out.write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path!r} ({exc.strerror or exc})") from None


def cmd_report(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix report``: a review of a store's period."""
    fmt = args.format
    if fmt is None:
        fmt = _SUFFIXES.get(Path(args.output).suffix.lower(), "md") if args.output else "md"
    kind = "weekly" if args.weekly else "monthly" if args.monthly else "custom"
    if kind == "custom" and args.since is None:
        raise UsageError("give --since (and --until), or ask for --weekly or --monthly")
    settings = _settings(args.pack)
    with _opened(args.store) as store:
        try:
            until = _until(args.until, store)
            since = None if args.since is None else _day_or_time(args.since, "--since")
            review = build_review(store, kind=kind, since=since, until=until, settings=settings)
            text = render(review, fmt)
        except ReviewError as exc:
            raise UsageError(str(exc)) from None
    _write(text, args.output, out)
    if args.output:
        err.write(f"wrote {review.title} ({fmt}) to {args.output}\n")
    return EXIT_OK


def _until(text: str | None, store: Store) -> datetime:
    if text is not None:
        return _day_or_time(text, "--until")
    return midnight(store.clock() or datetime.now(UTC))


def write_demo_report(path: str, *, seed: int, err: IO[str]) -> None:
    """``logix demo --report FILE``: eight weeks of seeded history through an engine
    over a scratch SQLite store, then the monthly review of its last month as HTML."""
    history = generate_history(seed=seed)
    err.write(
        f"logix demo: replaying 8 weeks of history ({len(history.shipments)} parcels, "
        f"{len(history.events)} events; {history.degrading_carrier} degrades, "
        f"{history.delay_lane} has recurring delays)...\n"
    )
    with tempfile.TemporaryDirectory(prefix="logix-demo-") as scratch:
        store = open_store(f"sqlite:///{os.path.join(scratch, 'demo.db')}")
        try:
            replay_history(history, Engine("default", store=store), seed=seed)
            review = build_review(
                store, kind="monthly", until=history.end, settings=_settings("default")
            )
            text = render_html(review)
        except ReviewError as exc:
            raise UsageError(str(exc)) from None
        finally:
            store.close()
    _write(text, path, err)
    err.write(f"wrote the monthly review to {path}; open it in a browser\n")
