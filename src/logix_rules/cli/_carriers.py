"""The ``logix carriers`` and ``logix track`` commands.

``add_parsers`` registers both on the main parser's subparsers; each sets
``handler`` to a function taking the parsed namespace and returning the exit
status: 0 all fine, 1 some numbers had problems, 2 configuration error (missing
credential, unknown carrier, unreadable file), 3 the carrier failed or refused
the credentials.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, TextIO

from logix_carriers import TrackingEvent, mask_event
from logix_carriers._adapter_protocol import CarrierAdapter
from logix_carriers._errors import CarrierError, ConfigError
from logix_carriers._settings import AdapterSettings
from logix_carriers._track_result import TrackResult

if TYPE_CHECKING:
    from logix_carriers._registry import AdapterInfo

# The registry and the adapters are imported by the commands that use them: they
# pull in httpx, httpcore and trio, which every other command (``logix run``) would
# pay for at start-up.

from ._common import add_mask_option
from ._render import names_by_parcel

__all__ = ["add_parsers", "cmd_carriers", "cmd_track"]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_CONFIG = 2
EXIT_CARRIER = 3


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``carriers`` and ``track`` (handlers in ``args.handler``)."""
    carriers = subparsers.add_parser(
        "carriers",
        help="list the installed carrier adapters",
        description="List carrier adapters with the distribution each comes from, "
        "its capabilities and the environment variables it reads.",
    )
    carriers.add_argument("--json", action="store_true", help="print JSON instead of a table")
    carriers.set_defaults(handler=cmd_carriers, args_only=True)

    track = subparsers.add_parser(
        "track",
        help="fetch and print normalized tracking events",
        description="Fetch tracking numbers from a carrier and print normalized events. "
        "Credentials come from LOGIX_<CARRIER>_<SETTING> environment variables "
        "(see `logix carriers`). `logix track file PATH...` reads JSONL exports offline.",
    )
    track.add_argument("carrier", help="adapter code, e.g. dhl, ups, 17track, aftership, file")
    track.add_argument(
        "numbers",
        nargs="+",
        metavar="NUMBER",
        help="tracking numbers (for the file adapter: paths of JSONL files)",
    )
    track.add_argument(
        "--json",
        action="store_true",
        help="print one normalized event per line as JSON (readable by `logix track file`)",
    )
    add_mask_option(track)
    track.set_defaults(handler=cmd_track, args_only=True)


def _settings_help(info: AdapterInfo) -> list[str]:
    model = info.adapter_class.settings_model
    env = model.env_vars(info.code)  # type: ignore[attr-defined]
    required = set(model.required_fields())  # type: ignore[attr-defined]
    shown = [n for n in env if n not in AdapterSettings.model_fields]  # the common ones
    return [f"{env[n]}{' (required)' if n in required else ''}" for n in shown]


def cmd_carriers(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """``logix carriers``: one block per adapter."""
    out = out or sys.stdout
    from logix_carriers._registry import available_adapters

    adapters = available_adapters()
    if args.json:
        rows = [
            {
                "code": info.code,
                "name": info.name,
                "distribution": info.distribution,
                "version": info.version,
                "builtin": info.builtin,
                "entry_point": info.entry_point,
                "batch_size": info.capabilities.batch_size,
                "rate_limit": info.capabilities.rate_limit.describe()
                if info.capabilities.rate_limit
                else None,
                "auth": info.capabilities.auth,
                "webhooks": info.capabilities.webhooks,
                "signs_webhooks": info.capabilities.signs_webhooks,
                "settings": _settings_help(info),
            }
            for info in adapters.values()
        ]
        json.dump(rows, out, indent=2)
        out.write("\n")
        return EXIT_OK
    if not adapters:
        out.write("no carrier adapters installed\n")
        return EXIT_OK
    for info in adapters.values():
        origin = "built-in" if info.builtin else "plugin"
        out.write(f"{info.code:<12} {info.name}\n")
        out.write(f"{'':<12} from {info.source} ({origin}, {info.entry_point})\n")
        out.write(f"{'':<12} {info.capabilities.describe()}\n")
        settings = _settings_help(info)
        if settings:
            out.write(f"{'':<12} settings: {', '.join(settings)}\n")
    return EXIT_OK


def _track(adapter: CarrierAdapter, numbers: list[str]) -> TrackResult:
    from logix_carriers.carriers._file import FileAdapter

    if isinstance(adapter, FileAdapter):
        # For the file adapter the arguments are export files, not tracking numbers.
        results = [adapter.read(path) for path in numbers]
        return results[0].merge(*results[1:])
    return adapter.track(numbers)


def _shown(result: TrackResult, mask: bool) -> dict[str, list[TrackingEvent]]:
    """Each number's events, personal data masked unless ``mask`` is False."""
    if not mask:
        return {number: list(events) for number, events in result.events.items()}
    names = names_by_parcel(result.all_events())
    return {
        number: [mask_event(e, names=names.get(number, ())) for e in events]
        for number, events in result.events.items()
    }


def _print_human(shown: dict[str, list[TrackingEvent]], out: TextIO) -> None:
    for number, events in shown.items():
        out.write(f"{number}  ({len(events)} event{'s' if len(events) != 1 else ''})\n")
        for event in events:
            when = event.local_time.isoformat(timespec="minutes")
            reason = f" ({event.reason.value})" if event.reason else ""
            where = event.location.label() if event.location else ""
            text = f"  {event.description}" if event.description else ""
            out.write(f"  {when}  {event.status.value}{reason}  {where}{text}\n".rstrip() + "\n")


def cmd_track(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """``logix track CARRIER NUMBER...``."""
    from logix_carriers._registry import get_adapter

    out = out or sys.stdout
    err = err or sys.stderr
    carrier = args.carrier.strip().lower()
    adapter: CarrierAdapter | None = None
    try:
        adapter = get_adapter(carrier)
        result = _track(adapter, list(args.numbers))
    except ConfigError as exc:
        err.write(f"logix track: {exc}\n")
        if exc.variable:
            err.write(f"hint: export {exc.variable}=... and run the command again\n")
        return EXIT_CONFIG
    except CarrierError as exc:
        err.write(f"logix track: {exc}\n")
        return EXIT_CARRIER
    finally:
        close = getattr(adapter, "close", None)
        if callable(close):
            close()
    mask = not getattr(args, "no_mask", False)
    shown = _shown(result, mask)
    if args.json:
        every = sorted(
            (e for events in shown.values() for e in events),
            key=lambda e: (e.occurred_at, e.event_id),
        )
        for event in every:
            out.write(event.model_dump_json() + "\n")
    else:
        _print_human(shown, out)
    for problem in result.problems:
        err.write(f"problem: {problem.describe(mask=mask)}\n")
    return EXIT_OK if result.ok else EXIT_PROBLEMS
