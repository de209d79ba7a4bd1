"""What a tracking call returns: events per tracking number and the problems met.

Parsers fill a :class:`TrackResultBuilder` while they walk a payload; it turns a
bad event into a ``bad_event`` :class:`TrackProblem` instead of an exception, so one
bad event never costs the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from ._model import EventSource, TrackingEvent
from ._privacy import mask_event, mask_field
from ._privacy_text import mask_text

__all__ = [
    "ProblemCode",
    "TrackProblem",
    "TrackResult",
    "TrackResultBuilder",
]


class ProblemCode(StrEnum):
    """Why a tracking number (or a piece of a response) yielded no or partial data."""

    #: The carrier does not know the number (or has no events for it yet).
    NOT_FOUND = "not_found"
    #: The number is malformed for this carrier; it was not sent.
    INVALID_NUMBER = "invalid_number"
    #: Some data is missing (e.g. an event without a location, so no local offset).
    PARTIAL_DATA = "partial_data"
    #: A carrier code missing from the mapping table; the event is kept as ``unknown``.
    UNKNOWN_CODE = "unknown_code"
    #: One event could not be normalized (bad date, missing field); it was dropped.
    BAD_EVENT = "bad_event"
    #: A whole payload (response, file line) could not be read.
    BAD_PAYLOAD = "bad_payload"
    #: The request for this number failed (carrier down, rate limited, ...).
    CARRIER_ERROR = "carrier_error"


@dataclass(frozen=True)
class TrackProblem:
    """A problem with one tracking number, or with one piece of a response.

    ``tracking_number`` is None when the piece cannot be tied to a number (a
    malformed file line).  ``raw`` keeps the offending input; ``location`` says
    where it was (``"line 7"``, ``"shipments[0].events[2]"``).
    """

    tracking_number: str | None
    code: ProblemCode
    message: str
    raw: Any = None
    location: str | None = None

    def __post_init__(self) -> None:
        # Accept plain strings ("not_found") and fail loudly on typos.
        object.__setattr__(self, "code", ProblemCode(self.code))
        if self.tracking_number is not None and type(self.tracking_number) is not str:
            # A TrackedNumber (or other str subclass) is filed as the plain number.
            object.__setattr__(self, "tracking_number", str(self.tracking_number))

    def __str__(self) -> str:
        return self.describe()

    def describe(self, *, mask: bool = True) -> str:
        """``number: code at location: message``; personal data in the message is
        masked (POLICY §4) unless ``mask=False``."""
        where = f" at {self.location}" if self.location else ""
        number = self.tracking_number or "-"
        return f"{number}: {self.code.value}{where}: {self._shown_message(mask=mask)}"

    def _shown_message(self, *, mask: bool) -> str:
        keep = (self.tracking_number,) if self.tracking_number else ()
        return mask_text(self.message, keep=keep) if mask else self.message

    def as_dict(self, *, mask: bool = True) -> dict[str, Any]:
        """A JSON-ready dict; personal data in the message and the raw payload is
        masked (POLICY §4) unless ``mask=False``."""
        keep = (self.tracking_number,) if self.tracking_number else ()
        return {
            "tracking_number": self.tracking_number,
            "code": self.code.value,
            "message": self._shown_message(mask=mask),
            "location": self.location,
            "raw": mask_field("raw", self.raw, keep=keep) if mask else self.raw,
        }


def _sorted_unique(events: Iterable[TrackingEvent]) -> tuple[TrackingEvent, ...]:
    seen: dict[str, TrackingEvent] = {}
    for event in events:
        seen.setdefault(event.event_id, event)
    return tuple(sorted(seen.values(), key=lambda e: (e.occurred_at, e.event_id)))


@dataclass(frozen=True)
class TrackResult:
    """What a tracking call produced: events per tracking number, and problems.

    Events are de-duplicated by ``event_id`` (carriers repeat scans) and sorted by
    time, so the same payload always gives the same result.  Build one with
    :meth:`build` or :class:`TrackResultBuilder`.
    """

    carrier: str
    events: Mapping[str, tuple[TrackingEvent, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    problems: tuple[TrackProblem, ...] = ()

    @classmethod
    def build(
        cls,
        carrier: str,
        events: Iterable[TrackingEvent] = (),
        problems: Iterable[TrackProblem] = (),
        *,
        numbers: Iterable[str] = (),
    ) -> TrackResult:
        """Group ``events`` by tracking number; ``numbers`` get an entry even when empty."""
        grouped: dict[str, list[TrackingEvent]] = {str(n): [] for n in numbers}
        for event in events:
            grouped.setdefault(event.tracking_number, []).append(event)
        return cls(
            carrier=carrier,
            events=MappingProxyType({n: _sorted_unique(evs) for n, evs in grouped.items()}),
            problems=tuple(problems),
        )

    def merge(self, *others: TrackResult) -> TrackResult:
        """This result and ``others`` together (events de-duplicated again)."""
        grouped: dict[str, list[TrackingEvent]] = {n: list(e) for n, e in self.events.items()}
        problems = list(self.problems)
        for other in others:
            for number, events in other.events.items():
                grouped.setdefault(number, []).extend(events)
            problems.extend(other.problems)
        return TrackResult(
            carrier=self.carrier,
            events=MappingProxyType({n: _sorted_unique(evs) for n, evs in grouped.items()}),
            problems=tuple(problems),
        )

    @property
    def numbers(self) -> tuple[str, ...]:
        """Every tracking number with an entry in ``events`` or ``problems``."""
        seen = dict.fromkeys(self.events)
        seen.update(dict.fromkeys(p.tracking_number for p in self.problems if p.tracking_number))
        return tuple(seen)

    @property
    def ok(self) -> bool:
        """True when there are no problems at all."""
        return not self.problems

    def events_for(self, number: str) -> tuple[TrackingEvent, ...]:
        return self.events.get(number, ())

    def problems_for(self, number: str | None) -> tuple[TrackProblem, ...]:
        return tuple(p for p in self.problems if p.tracking_number == number)

    def all_events(self) -> list[TrackingEvent]:
        """Every event of every number, sorted by time then id."""
        return sorted(
            (e for evs in self.events.values() for e in evs),
            key=lambda e: (e.occurred_at, e.event_id),
        )

    def as_dict(self, *, mask: bool = True) -> dict[str, Any]:
        """A JSON-ready dict (events in ``model_dump(mode="json")`` form); personal
        data is masked (POLICY §4) unless ``mask=False``."""
        shown = mask_event if mask else _as_is
        return {
            "carrier": self.carrier,
            "events": {
                n: [shown(e).model_dump(mode="json") for e in evs] for n, evs in self.events.items()
            },
            "problems": [p.as_dict(mask=mask) for p in self.problems],
        }


def _as_is(event: TrackingEvent) -> TrackingEvent:
    return event


def _error_summary(exc: ValidationError) -> str:
    """A ValidationError as ``field: message`` pairs, without the (possibly huge) input."""
    errors = exc.errors(include_input=False, include_url=False)
    # ``stage`` and ``event_id`` are derived from other fields; when those fail the
    # derived ones are reported missing too, which only adds noise.
    primary = [
        e
        for e in errors
        if not (e["type"] == "missing" and e["loc"] in (("stage",), ("event_id",)))
    ]
    parts = []
    for err in primary or errors:
        loc = ".".join(str(p) for p in err["loc"]) or "event"
        message = err["msg"].removeprefix("Value error, ")
        if message.startswith(f"{loc}: "):
            message = message[len(loc) + 2 :]  # the model already names the field
        parts.append(f"{loc}: {message}")
    return "; ".join(parts)


class TrackResultBuilder:
    """Collects events and problems while a parser walks a payload.

    :meth:`event` validates an event dict and turns a validation failure into a
    ``bad_event`` problem instead of an exception, so one bad event never costs
    the others.
    """

    def __init__(self, carrier: str, numbers: Iterable[str] = ()) -> None:
        self.carrier = carrier
        self.numbers = list(numbers)
        self.events: list[TrackingEvent] = []
        self.problems: list[TrackProblem] = []

    def event(
        self,
        data: Mapping[str, Any] | TrackingEvent,
        *,
        raw: Any = None,
        location: str | None = None,
        assume_tz: str | tzinfo | None = None,
    ) -> TrackingEvent | None:
        """Validate and keep one event; None (and a ``bad_event`` problem) if invalid."""
        if isinstance(data, TrackingEvent):
            self.events.append(data)
            return data
        try:
            event = TrackingEvent.parse(dict(data), assume_tz=assume_tz)
        except ValidationError as exc:
            number = data.get("tracking_number")
            self.problem(
                number if isinstance(number, str) else None,
                ProblemCode.BAD_EVENT,
                f"event dropped: {_error_summary(exc)}",
                raw=raw if raw is not None else dict(data),
                location=location,
            )
            return None
        self.events.append(event)
        return event

    def problem(
        self,
        tracking_number: str | None,
        code: ProblemCode | str,
        message: str,
        *,
        raw: Any = None,
        location: str | None = None,
    ) -> TrackProblem:
        problem = TrackProblem(tracking_number, ProblemCode(code), message, raw, location)
        self.problems.append(problem)
        return problem

    def unknown_code(
        self,
        tracking_number: str,
        source: EventSource,
        *,
        raw: Any = None,
        location: str | None = None,
    ) -> TrackProblem:
        """Note a code missing from the mapping table (the event itself is kept as unknown)."""
        codes = "/".join(c for c in (source.status, source.substatus, source.code) if c) or "?"
        return self.problem(
            tracking_number,
            ProblemCode.UNKNOWN_CODE,
            f"{source.system} code {codes!r} is not in the mapping table; "
            "kept with status 'unknown'",
            raw=raw,
            location=location,
        )

    def merge(self, result: TrackResult) -> None:
        for events in result.events.values():
            self.events.extend(events)
        self.problems.extend(result.problems)

    def result(self) -> TrackResult:
        return TrackResult.build(self.carrier, self.events, self.problems, numbers=self.numbers)
