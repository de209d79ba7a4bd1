"""What the ``logix`` sub-commands share: exit statuses, usage errors, option
parsers, reading the input files and printing incidents."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import IO, Any, Final, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from logix_carriers import Shipment, TrackingEvent, mask_text
from logix_carriers._local_time import bounded_utc

from ..compiler._load import load_pack
from ..compiler._model import Pack
from ..core._errors import InputProblem
from ..runtime._incidents import Incident
from ..runtime._io import InputFileError, read_events, read_shipments
from ._render import Names
from ._shown import emit_shown, shown_for

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "FORMATS",
    "UsageError",
    "add_mask_option",
    "parse_time",
]

EXIT_OK: Final = 0
EXIT_PROBLEMS: Final = 1
EXIT_USAGE: Final = 2
EXIT_INTERRUPTED: Final = 130

FORMATS: Final = ("table", "json", "jsonl")


class UsageError(Exception):
    """A mistake in the command line or its inputs: reported in one line, exit 2."""


def add_mask_option(parser: argparse.ArgumentParser) -> None:
    """``--no-mask``: every command that prints data masks personal data by default."""
    parser.add_argument(
        "--no-mask",
        action="store_true",
        help="print names, phones, e-mails and street addresses unmasked (for internal "
        "use; by default they are masked, e.g. 138****5678, a***@example.com)",
    )


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

    A time without offset is read in ``zone`` (``--assume-tz``) or refused, and so is
    one outside the range event times may take (1970 to 2200).
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
    try:
        bounded_utc(moment, f"--at {text!r}", "pass a time in that range")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
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
    mask: bool = True,
    names: Names | None = None,
) -> None:
    shown = shown_for(fmt, incidents, mask=mask, names=names)
    emit_shown(out, fmt, shown, pack=pack, at=at, headline=headline, parcels=parcels, extra=extra)


class _FileCount(NamedTuple):
    name: str  # the path as the user gave it
    skipped: int  # bad lines reported and skipped
    lines: int  # lines read


class _Inputs(NamedTuple):
    events: Sequence[TrackingEvent]
    shipments: Sequence[Shipment]
    skipped: int  # bad lines reported and skipped, all files
    lines: int  # lines read in all
    files: tuple[_FileCount, ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing valid was read: no event and no shipment."""
        return not self.events and not self.shipments


def _report_counts(err: IO[str], command: str, inputs: _Inputs) -> None:
    """One line per run that skipped lines, counted per file: an events file and a
    shipments file hold different things, and one total would hide which was bad."""
    if not inputs.skipped:
        return
    counts = "; ".join(
        f"{count.name}: skipped {count.skipped} of {count.lines} line"
        f"{'s' if count.lines != 1 else ''}"
        for count in inputs.files
    )
    err.write(f"logix {command}: {counts}\n")


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
    mask = not getattr(args, "no_mask", False)
    _report_problems(err, problems, limit, zone is not None, mask=mask)
    files = [_FileCount(args.events, len(loaded.problems), loaded.lines)]
    if shipments is not None:
        files.append(_FileCount(args.shipments, len(shipments.problems), shipments.lines))
    return _Inputs(
        loaded.items,
        shipments.items if shipments else (),
        len(problems),
        loaded.lines + (shipments.lines if shipments else 0),
        tuple(files),
    )


# The model's advice names the Python argument; on the command line it is a flag.
_API_ZONE_ADVICE: Final = "pass assume_tz='Area/City'"
_CLI_ZONE_ADVICE: Final = "pass --assume-tz Area/City"


def _cli_advice(text: str) -> str:
    return text.replace(_API_ZONE_ADVICE, _CLI_ZONE_ADVICE)


def _report_problems(
    err: IO[str], problems: Sequence[InputProblem], limit: int, zone_given: bool, *, mask: bool
) -> None:
    shown = problems if limit == 0 else problems[:limit]
    for problem in shown:
        # A skipped line is quoted: its personal data is masked like any output's.
        text = _cli_advice(str(problem))
        err.write(f"skipped {mask_text(text) if mask else text}\n")
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
