"""The ``datetime`` of an instant (``int`` µs since the epoch) as a snapshot reads it,
one object per instant, and its JSON text, kept with it.

A store writes every change's incident as canonical JSON: the snapshot turns the
kernel's ints into ``datetime`` objects (``from_micros``: a ``timedelta`` multiplied,
some 2,500 instructions) and the JSON turns them back into text (``isoformat``: about
10,000).  Successive snapshots of an incident, and the incidents of one unit, repeat
the same instants (opened, due, escalated at), so ``shared_moment`` hands out one
object per instant and keeps the text ``iso_text`` writes from the int (the same
characters as ``isoformat`` with ``Z``), which ``_canonical._time`` finds by the
object's identity.  Datetimes are immutable: sharing one changes nothing a reader
can see.  A writer that has only the int (``_canonical_pending``) reads the same text
from ``instant_json``: one cache of the text per instant, whichever way it is asked.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..core._durations import from_micros, to_micros
from ..core._instant_text import iso_text

__all__ = ["MOMENTS", "TEXTS", "held_micros", "instant_json", "shared_moment"]

#: An instant -> its datetime.  Read inline as ``MOMENTS.get(m) or shared_moment(m)``
#: (a datetime is always true): a kept instant costs no call.
MOMENTS: dict[int, datetime] = {}
#: ``id`` of a datetime ``shared_moment`` made -> the datetime (held, so the id stays its
#: own) and its JSON text (``"...Z"``).
TEXTS: dict[int, tuple[datetime, str]] = {}
#: An instant -> its JSON text (``"...Z"``).
_JSON: dict[int, str] = {}
_LIMIT = 1 << 15  # a bound, not an LRU: when full, a cache starts afresh


def shared_moment(micros: int) -> datetime:
    """``from_micros(micros)``, one object per instant while it is kept."""
    found = MOMENTS.get(micros)
    if found is not None:
        return found
    if len(MOMENTS) >= _LIMIT:
        MOMENTS.clear()
        TEXTS.clear()
    made = MOMENTS[micros] = from_micros(micros)
    TEXTS[id(made)] = (made, _JSON.get(micros) or _write_json(micros))
    return made


def instant_json(micros: int) -> str:
    """The JSON text of the instant ``micros`` (``"...Z"``, as ``_canonical`` writes a
    snapshot's ``datetime``); TypeError for anything but an int."""
    found = _JSON.get(micros)
    if found is not None:
        return found
    if type(micros) is not int:
        raise TypeError("not an int")
    return _write_json(micros)


def _write_json(micros: int) -> str:
    if len(_JSON) >= _LIMIT:
        _JSON.clear()
    text = _JSON[micros] = '"' + iso_text(micros) + '"'
    return text


_LOWEST = to_micros(datetime.min.replace(tzinfo=UTC))
_HIGHEST = to_micros(datetime.max.replace(tzinfo=UTC))


def held_micros(micros: int) -> int:
    """``to_micros(from_micros(micros))`` without the ``datetime``: the instant a
    snapshot's ``datetime`` of ``micros`` holds (saturated beyond a datetime's range)."""
    if _LOWEST <= micros <= _HIGHEST:
        return micros
    return to_micros(from_micros(micros))
