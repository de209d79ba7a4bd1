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
is shared afterwards (saving memory as well).  What else recurs is remembered too: a
dict's key order (its fields set), a carrier string, and a time's hour (a time is read
as its hour plus minutes and seconds; see ``_Hours`` for when that is exact).  A
property test holds the two paths to the same result, ``model_fields_set`` included,
and runs sequences of times through the hour cache.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
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
#: Distinct locations, sources, hours or key orders remembered; past it a memo starts
#: afresh.
_MEMO_LIMIT: Final = 50_000
#: ``"MM:SS"`` to its length of time: the part of an ISO time the hour cache leaves out.
_MINUTE_SECOND: Final = {
    f"{m:02d}:{s:02d}": timedelta(minutes=m, seconds=s) for m in range(60) for s in range(60)
}
_WHOLE_HOUR: Final = timedelta(seconds=3599)
#: An hour not seen yet (compared by identity).
_UNSEEN: Final = (datetime.min, 0)

_sizeof: Final = dict.__sizeof__


def _str_key_sizes() -> frozenset[int]:
    """Sizes (``dict.__sizeof__``) that only a dict whose keys are all exact ``str``
    has; empty where this interpreter does not tell the two apart.

    The memos here find entries with ``==`` and ``hash``, which Python hands to a
    foreign object's ``__eq__`` and ``__hash__``: an object (or a ``str`` subclass)
    that says it is ``"city"`` would be taken for it where the validator refuses it, so
    keys must be exact ``str`` before any lookup, and checking them one by one costs
    ~200 instructions each.  CPython (3.11 on) keeps a dict whose keys are all exact
    ``str`` in a "unicode" table, whose entries hold no hash (16 bytes, not 24), and
    its size shows it.  A size seen here for such dicts, and never for one holding any
    other key, for every table of up to 128 slots, proves the keys exact in one call;
    any other size (a bigger table, an instance's split dict, another interpreter)
    takes the check key by key (``_str_keys``).
    """

    class Other(str):
        __slots__ = ()

    plain: dict[Any, None] = {}
    mixed: dict[Any, None] = {Other("other"): None}
    plain_sizes, mixed_sizes = set(), set()
    for index in range(86):  # 85 keys fill a table of 128 slots; the 86th grows it
        plain_sizes.add(_sizeof(plain))
        mixed_sizes.add(_sizeof(mixed))
        plain[f"key{index}"] = mixed[f"key{index}"] = None
    return frozenset() if plain_sizes & mixed_sizes else frozenset(plain_sizes)


_STR_KEY_SIZES: Final = _str_key_sizes()


def _str_keys(data: dict[Any, Any]) -> bool:
    """True when every key of ``data`` is an exact ``str`` (see ``_str_key_sizes``)."""
    if _sizeof(data) in _STR_KEY_SIZES:
        return True
    for key in data:  # noqa: SIM110 (a loop: no generator at each memo miss)
        if type(key) is not str:
            return False
    return True


def _plain(data: dict[Any, Any]) -> bool:
    """Exact ``str`` keys and exact ``str`` or ``None`` values: what a sub-model memo
    may compare (a value's ``__eq__`` is foreign code too, and a ``str`` subclass's
    own methods are what the validator would call)."""
    if not _str_keys(data):
        return False
    for value in data.values():  # noqa: SIM110 (as above)
        if type(value) is not str and value is not None:
            return False
    return True


_new = object.__new__


def _slot_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """The ``__set__`` of the slot ``name`` of ``cls``: what ``object.__setattr__`` ends
    up calling, without looking the name up along the class's bases each time."""
    for klass in cls.__mro__:
        if name in vars(klass):
            setter: Callable[[Any, Any], None] = vars(klass)[name].__set__
            return setter
    raise TypeError(f"{cls.__name__} has no slot {name}")


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


class _Hours:
    """``_instant`` of ISO time strings, through a cache by everything but the minutes
    and seconds (``"2026-03-01T10:"`` + ``"+01:00"``): parsing a time and moving it to
    UTC is the dearest part of an event, and a feed's times share few hours.

    An hour is cached only when ``_instant`` reads its ``:00:00`` as the base, its
    ``:59:59`` as the base plus 3,599 seconds and the time that brought it as the base
    plus its minutes and seconds, all with one offset: the two positions are then the
    minutes and seconds of one in-range hour.  Anything else takes ``_instant``.
    """

    def __init__(self) -> None:
        self.bases: dict[str, tuple[datetime, int] | None] = {}

    def read(self, value: Any) -> tuple[datetime, int] | None:
        if type(value) is str:
            step = _MINUTE_SECOND.get(value[14:19])
            if step is not None:
                key = value[:14] + value[19:]
                base = self.bases.get(key, _UNSEEN)
                if base is _UNSEEN:
                    base = self._learn(key, value, step)
                if base is not None:
                    return base[0] + step, base[1]
        return _instant(value)

    def _learn(self, key: str, value: str, step: timedelta) -> tuple[datetime, int] | None:
        first = _instant(f"{key[:14]}00:00{key[14:]}")
        last = _instant(f"{key[:14]}59:59{key[14:]}")
        whole = _instant(value)
        base = None
        if (
            key[13:14] == ":"
            and first is not None
            and last is not None
            and whole is not None
            and first[1] == last[1] == whole[1]
            and last[0] - first[0] == _WHOLE_HOUR
            and whole[0] - first[0] == step
        ):
            base = first
        if len(self.bases) >= _MEMO_LIMIT:
            self.bases.clear()
        self.bases[key] = base
        return base


class _Memo:
    """Validated sub-models by their exact content (plain ``str`` or ``None`` values)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[tuple[str, str | None], ...], Any] = {}

    def get(self, model: Any, data: Any) -> Any:
        if type(data) is not dict:
            return data if type(data) is model else None
        if not _plain(data):
            return None  # the full validator decides
        key = tuple(data.items())
        found = self.seen.get(key)
        if found is not None:
            return found
        try:
            found = model.model_validate(data)
        except ValueError:
            return None
        if len(self.seen) >= _MEMO_LIMIT:
            self.seen.clear()
        self.seen[key] = found
        return found


class _Values:
    """What an event's ``__dict__`` is made from: one instance per event, its fields
    set as attributes in field order.  CPython gives all instances of a class one
    shared table of attribute names (PEP 412), so ``__dict__`` of such an instance is a
    "split" dict holding only the 14 values: a plain ``dict`` to every reader, 184
    bytes (``sys.getsizeof``) instead of a 14-key literal's 464, and ~1.4k instructions
    cheaper to build."""

    tracking_number: Any
    carrier: Any
    occurred_at: Any
    utc_offset_minutes: Any
    offset_source: Any
    stage: Any
    status: Any
    reason: Any
    location: Any
    description: Any
    attributes: Any
    source: Any
    event_id: Any
    estimated_delivery: Any


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


def _fields_set(keys: tuple[Any, ...]) -> frozenset[str] | None:
    """The fields an event built from a dict with these keys has set; None for a key
    that is not a field (or a repeated one: only a dict's own keys come here)."""
    if not _KEYS.issuperset(keys):
        return None
    return _ALWAYS_SET.union(keys)


def _carrier(value: str) -> str | None:
    """A carrier code as validation leaves it (stripped, lower case), if it accepts it."""
    code = value.strip().lower()
    return code if 0 < len(code) <= 40 and code.strip() is code else None


def event_builder(
    cls: type[E],
    location_type: type,
    source_type: type,
    derive: Callable[..., str],
) -> Callable[[dict[str, Any]], E | None]:
    """The shortcut for ``cls`` (``TrackingEvent``), given its parts and ``derive_event_id``."""
    default_source = source_type()
    locations, sources = _Memo(), _Memo()
    seen_locations, seen_sources = locations.seen, sources.seen
    set_dict, set_fields, set_extra, set_private = (
        _slot_setter(cls, name)
        for name in (
            "__dict__",
            "__pydantic_fields_set__",
            "__pydantic_extra__",
            "__pydantic_private__",
        )
    )
    hours = _Hours()
    read_time, bases = hours.read, hours.bases
    sizeof, str_key_sizes = _sizeof, _STR_KEY_SIZES
    # What a dict's keys (in their order) and a carrier string come to, remembered:
    # feeds repeat both.
    shapes: dict[tuple[Any, ...], frozenset[str] | None] = {}
    carriers: dict[str, str | None] = {}

    def build(data: dict[str, Any]) -> E | None:
        """The event full validation would build from ``data``, or None to ask it."""
        if sizeof(data) not in str_key_sizes and not _str_keys(data):
            return None  # before any lookup: see _str_key_sizes
        keys = tuple(data)
        fields = shapes.get(keys, shapes)
        if fields is shapes:
            if len(shapes) >= _MEMO_LIMIT:
                shapes.clear()
            fields = shapes[keys] = _fields_set(keys)
        if fields is None:
            return None
        get = data.get
        number = get("tracking_number")
        if type(number) is not str or number.strip() is not number or not 0 < len(number) <= 80:
            return None
        carrier = get("carrier")
        if type(carrier) is not str:
            return None
        code = carriers.get(carrier, carriers)
        if code is carriers:
            if len(carriers) >= _MEMO_LIMIT:
                carriers.clear()
            code = carriers[carrier] = _carrier(carrier)
        if code is None:
            return None
        # ``_Hours.read`` inlined for an hour seen before: the commonest case by far.
        moment: Any = get("occurred_at")
        step = _MINUTE_SECOND.get(moment[14:19]) if type(moment) is str else None
        base = None if step is None else bases.get(moment[:14] + moment[19:])
        if base is not None and step is not None:
            occurred, offset = base[0] + step, base[1]
        else:
            instant = read_time(moment)
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
            reason = _REASON.get(reason) if type(reason) is str or type(reason) is Reason else None
            if reason is None:
                return None
        stage = get("stage")
        if stage is None:
            stage = default_stage(status, reason)
        else:
            stage = _STAGE.get(stage) if type(stage) is str or type(stage) is Stage else None
            if stage is None:
                return None
        # A location or source seen before, looked up here (a call less); the memo's
        # ``get`` for anything else.
        location = get("location")
        if location is not None:
            found = None
            # _plain written out here and for the source: its two calls an event cost
            # 4.5 M instructions of 248 M in the dicts run (dicts/objects 2.013 -> 2.049).
            if type(location) is dict and (
                sizeof(location) in str_key_sizes or _str_keys(location)
            ):
                for value in location.values():
                    if type(value) is not str and value is not None:
                        break
                else:
                    found = seen_locations.get(tuple(location.items()))
            location = found if found is not None else locations.get(location_type, location)
            if location is None:
                return None
        source = get("source", default_source)
        if source is not default_source:
            found = None
            if type(source) is dict and (sizeof(source) in str_key_sizes or _str_keys(source)):
                for value in source.values():
                    if type(value) is not str and value is not None:
                        break
                else:
                    found = seen_sources.get(tuple(source.items()))
            source = found if found is not None else sources.get(source_type, source)
            if source is None:
                return None
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
            instant = read_time(estimate)
            if instant is None:
                return None
            estimate = instant[0]
        event_id = get("event_id")
        if not event_id:
            event_id = derive(
                carrier=code,
                tracking_number=number,
                occurred_at=occurred,
                status=status.value,
                reason=reason.value if reason else None,
                source=source,
                location=location,
            )
        elif type(event_id) is not str or event_id.strip() is not event_id or len(event_id) > 200:
            return None
        # The values go in as attributes of a ``_Values`` in field order, and its
        # ``__dict__`` becomes the event's (see ``_Values``).
        values = _new(_Values)
        values.tracking_number = number
        values.carrier = code
        values.occurred_at = occurred
        values.utc_offset_minutes = offset
        values.offset_source = offset_source
        values.stage = stage
        values.status = status
        values.reason = reason
        values.location = location
        values.description = description
        values.attributes = attributes
        values.source = source
        values.event_id = event_id
        values.estimated_delivery = estimate
        event: E = _new(cls)
        set_dict(event, values.__dict__)
        set_fields(event, set(fields))
        set_extra(event, None)
        set_private(event, None)
        return event

    return build
