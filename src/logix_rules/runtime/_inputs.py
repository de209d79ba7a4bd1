"""What the runtime's entry points accept: events, shipments and instants, validated
the same way by the ``Engine``, ``evaluate``, ``explain_events`` and the backends.

An item that fails in any way, not only by failing validation, is that item's
problem (see ``_problems``): one hostile event never aborts a batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import repeat
from typing import Any, cast

from logix_carriers import Shipment, TrackingEvent
from logix_carriers._local_time import bounded_utc
from logix_carriers._model import build_event

from ..core._durations import to_micros
from ..core._errors import ErrorCode, InputProblem, InvalidEvents
from ._problems import item_problem, validation_errors

__all__ = [
    "EventInput",
    "ShipmentInput",
    "aware_micros",
    "parse_events",
    "parse_shipment",
    "validation_errors",
]

EventInput = TrackingEvent | dict[str, Any]
ShipmentInput = Shipment | dict[str, Any]


def aware_micros(moment: datetime, name: str) -> int:
    """``moment`` in microseconds; ``name`` is the argument named when it is not aware.

    Like event times, it must lie in the supported range (1970 to 2200, see
    ``logix_carriers._local_time.bounded_utc``), so the engine's time arithmetic
    never leaves what a ``datetime`` can hold.
    """
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{name}={moment.isoformat()} has no time zone; "
            "pass an aware datetime (e.g. tzinfo=UTC)"
        )
    return to_micros(bounded_utc(moment, name, "pass a time in that range"))


def parse_shipment(shipment: ShipmentInput, *, assume_tz: str | None = None) -> Shipment:
    """Validate one shipment (objects pass through); ``InvalidEvents`` if it is bad."""
    try:
        return Shipment.parse(shipment, assume_tz=assume_tz)
    except Exception as exc:  # whatever broke, it is this item's problem
        problem = item_problem(ErrorCode.INVALID_SHIPMENT, 0, shipment, exc)
        raise InvalidEvents([problem]) from exc


def parse_events(
    events: Iterable[EventInput],
    *,
    assume_tz: str | None = None,
    on_invalid: Callable[[InputProblem], None] | None = None,
) -> list[TrackingEvent]:
    """Validate events (objects pass through) the way every entry point does.

    With ``on_invalid=None`` all items are checked and ``InvalidEvents`` lists every bad
    one; with a callback, each bad item goes to it and the good ones are returned.
    """
    items = events if isinstance(events, list) else list(events)
    if all(map(isinstance, items, repeat(TrackingEvent))):
        return cast(list[TrackingEvent], items)  # validated already (checked in C)
    parsed: list[TrackingEvent] = []
    problems: list[InputProblem] = []
    parse, validate = TrackingEvent.parse, TrackingEvent.model_validate
    for index, item in enumerate(items):
        try:
            # A dict is what ``parse`` would make of it, minus its call and the ABC
            # ``isinstance`` a dict fails (~2k instructions an event): the checked
            # shortcut, else the full validator, as in ``parse``.
            if type(item) is dict:
                event = build_event(item)
                parsed.append(
                    event if event is not None else validate(item, context={"assume_tz": assume_tz})
                )
            elif isinstance(item, TrackingEvent):
                parsed.append(item)
            else:
                parsed.append(parse(item, assume_tz=assume_tz))
        except Exception as exc:  # not only ValidationError: see _problems
            problem = item_problem(ErrorCode.INVALID_EVENT, index, item, exc)
            if on_invalid is None:
                problems.append(problem)
            else:
                on_invalid(problem)
    if problems:
        raise InvalidEvents(problems)
    return parsed
