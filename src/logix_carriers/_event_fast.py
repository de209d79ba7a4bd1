"""A checked shortcut for the common shape of an event dict.

Almost every event read from JSON has the same shape: known keys, already clean
strings, an ISO time with its UTC offset, canonical codes, a location and a source
that recur across thousands of events.  ``build_event`` builds the ``TrackingEvent``
that full validation would build for such a dict, at a fraction of the cost, and
returns ``None`` for anything else, which then takes the full validator (so every
error, and every message, comes from one place).

Every check here is a sufficient condition for the full validator to accept the
value unchanged; when in doubt it declines.  ``Location`` and ``EventSource`` are
validated in full the first time their exact content is seen and the frozen result
is shared afterwards (saving memory as well).  A property test holds the two paths
to the same result, ``model_fields_set`` included.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final, TypeGuard, TypeVar

from ._local_time import BEYOND, EARLIEST
from ._taxonomy import Reason, Stage, Status, default_stage

__all__ = ["event_builder", "instant_of"]

E = TypeVar("E")

_STATUS: Final = {member.value: member for member in Status}
_STAGE: Final = {member.value: member for member in Stage}
_REASON: Final = {member.value: member for member in Reason}
_OFFSET_SOURCES: Final = frozenset({"carrier", "location", "assumed"})
_KEYS: Final = frozenset(
    {
        "tracking_number",
        "carrier",
        "occurred_at",
        "utc_offset_minutes",
        "offset_source",
        "stage",
        "status",
        "reason",
        "location",
        "description",
        "attributes",
        "source",
        "event_id",
        "estimated_delivery",
    }
)
#: Set by the model's own ``_normalize`` for every valid event, whatever it was given.
_ALWAYS_SET: Final = frozenset({"utc_offset_minutes", "stage", "event_id"})
_OFFSET_LIMIT: Final = 18 * 60
_NUMBER_LIMIT: Final = 10**15
#: Distinct locations or sources remembered; past it the memo starts afresh.
_MEMO_LIMIT: Final = 50_000

_new = object.__new__
_set = object.__setattr__


def _clean(value: Any) -> TypeGuard[str]:
    """A plain ``str`` with nothing to strip (``strip`` returns the very object then)."""
    return type(value) is str and value.strip() is value


def _instant(value: Any) -> tuple[datetime, int] | None:
    """An aware time in range, in UTC, and its offset in minutes; None when only full
    validation may say."""
    if type(value) is str:
        try:
            value = datetime.fromisoformat(value.strip().replace("z", "Z"))
        except ValueError:
            return None
    elif type(value) is not datetime:
        return None
    offset = value.utcoffset()
    if offset is None:
        return None
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    if not EARLIEST <= utc < BEYOND:
        return None
    return utc, int(offset.total_seconds() // 60)


#: For readers that take the same shortcut on a time string (``logix run``'s lines).
instant_of: Final = _instant


def _code(table: dict[Any, Any], kind: type, value: Any) -> Any:
    """The member ``value`` names (a plain string or a member), else None."""
    return table.get(value) if type(value) is str or type(value) is kind else None


class _Memo:
    """Validated sub-models by their exact content (plain ``str`` or ``None`` values)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[tuple[str, str | None], ...], Any] = {}

    def get(self, model: Any, data: Any) -> Any:
        if type(data) is not dict:
            return data if type(data) is model else None
        try:
            key = tuple(data.items())
            found = self.seen.get(key)
        except TypeError:  # an unhashable value: the full validator reports it
            return None
        if found is not None:
            return found
        if not all(type(k) is str and (v is None or type(v) is str) for k, v in key):
            return None
        try:
            found = model.model_validate(data)
        except ValueError:
            return None
        if len(self.seen) >= _MEMO_LIMIT:
            self.seen.clear()
        self.seen[key] = found
        return found


_NO_ATTRIBUTES: Final[dict[str, Any]] = {}


def _attributes(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if type(value) is not dict:
        return None
    for key, item in value.items():
        if not _clean(key):
            return None
        kind = type(item)
        if kind is str:
            if item.strip() is not item:
                return None
        elif kind is int or kind is float:
            if not -_NUMBER_LIMIT < item < _NUMBER_LIMIT:
                return None
        elif item is not None and kind is not bool:
            return None
    return dict(value)


def event_builder(
    cls: type[E],
    location_type: type,
    source_type: type,
    derive: Callable[..., str],
) -> Callable[[dict[str, Any]], E | None]:
    """The shortcut for ``cls`` (``TrackingEvent``), given its parts and ``derive_event_id``."""
    default_source = source_type()
    locations, sources = _Memo(), _Memo()

    def build(data: dict[str, Any]) -> E | None:
        """The event full validation would build from ``data``, or None to ask it."""
        if not data.keys() <= _KEYS:
            return None
        get = data.get
        number = get("tracking_number")
        if type(number) is not str or number.strip() is not number or not 0 < len(number) <= 80:
            return None
        carrier = get("carrier")
        if type(carrier) is not str:
            return None
        carrier = carrier.strip().lower()
        if not 0 < len(carrier) <= 40 or carrier.strip() is not carrier:
            return None
        instant = _instant(get("occurred_at"))
        if instant is None:
            return None
        occurred, offset = instant
        if "utc_offset_minutes" in data:
            offset = data["utc_offset_minutes"]
            if type(offset) is not int:
                return None
        if not -_OFFSET_LIMIT <= offset <= _OFFSET_LIMIT:
            return None
        offset_source = get("offset_source", "carrier")
        if type(offset_source) is not str or offset_source not in _OFFSET_SOURCES:
            return None
        status = get("status")
        status = _STATUS.get(status) if type(status) is str or type(status) is Status else None
        if status is None:
            return None
        reason = get("reason")
        if reason is not None:
            reason = _code(_REASON, Reason, reason)
            if reason is None:
                return None
        stage = get("stage")
        stage = default_stage(status, reason) if stage is None else _code(_STAGE, Stage, stage)
        if stage is None:
            return None
        location = get("location")
        if location is not None:
            location = locations.get(location_type, location)
            if location is None:
                return None
        if "source" in data:
            source = sources.get(source_type, data["source"])
            if source is None:
                return None
        else:
            source = default_source
        description = get("description", "")
        if type(description) is not str or description.strip() is not description:
            return None
        attributes = get("attributes", _NO_ATTRIBUTES)
        # A new dict, as the validator gives each event its own.
        attributes = {} if type(attributes) is dict and not attributes else _attributes(attributes)
        if attributes is None:
            return None
        estimate = get("estimated_delivery")
        if estimate is not None:
            instant = _instant(estimate)
            if instant is None:
                return None
            estimate = instant[0]
        event_id = get("event_id")
        if not event_id:
            event_id = derive(
                carrier=carrier,
                tracking_number=number,
                occurred_at=occurred,
                status=status.value,
                reason=reason.value if reason else None,
                source=source,
                location=location,
            )
        elif not _clean(event_id) or len(event_id) > 200:
            return None
        event: E = _new(cls)
        _set(
            event,
            "__dict__",
            {
                "tracking_number": number,
                "carrier": carrier,
                "occurred_at": occurred,
                "utc_offset_minutes": offset,
                "offset_source": offset_source,
                "stage": stage,
                "status": status,
                "reason": reason,
                "location": location,
                "description": description,
                "attributes": attributes,
                "source": source,
                "event_id": event_id,
                "estimated_delivery": estimate,
            },
        )
        _set(event, "__pydantic_fields_set__", set(data).union(_ALWAYS_SET))
        _set(event, "__pydantic_extra__", None)
        _set(event, "__pydantic_private__", None)
        return event

    return build
