"""The two spellings of an instant (``int`` µs since the epoch, UTC) that explanations
and evidence use, written from the integer: ``minute_text`` is
``from_micros(m).strftime("%Y-%m-%d %H:%MZ")`` and ``iso_text`` is
``from_micros(m).isoformat()`` with ``Z`` for ``+00:00``, character for character.

Why not those calls: on CPython 3.11 ``strftime`` costs about 20,000 instructions (a
time tuple and the C library) and every ``:02d`` of an f-string about 2,000, where a
day's text kept by day number and a table of the 1,440 ``HH:MM`` of a day cost a few
hundred.  An incident's description spells its instants (a parcel's last scan, its
promised date) and most are new.
"""

from __future__ import annotations

from datetime import date

from ._durations import from_micros, to_micros

__all__ = ["iso_text", "minute_text"]

_DAY = 86_400_000_000
_MINUTE = 60_000_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# The days a datetime can hold; from_micros saturates beyond them (at 9999-12-30 and
# 0001-01-02 UTC), and so do these.
_FIRST_DAY = date.min.toordinal() - _EPOCH_ORDINAL
_LAST_DAY = date.max.toordinal() - _EPOCH_ORDINAL
_TWO = tuple(f"{i:02d}" for i in range(100))
_HOUR_MINUTE = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in range(60))

# Each day's date as strftime's %Y spells it (glibc: the year unpadded) and as
# isoformat does (four digits): the same from year 1000 on.  A cache, cleared when full.
_DAYS: dict[int, tuple[str, str]] = {}
_DAYS_LIMIT = 4096


def _day_of(micros: int) -> tuple[tuple[str, str], int]:
    """The texts of ``micros``'s day and the µs into it, as ``from_micros`` reads it
    (saturated alike); the day's texts are kept."""
    day, rest = divmod(micros, _DAY)
    if not _FIRST_DAY <= day <= _LAST_DAY:
        day, rest = divmod(to_micros(from_micros(micros)), _DAY)
    texts = _DAYS.get(day)
    if texts is None:
        moment = date.fromordinal(day + _EPOCH_ORDINAL)
        tail = "-" + _TWO[moment.month] + "-" + _TWO[moment.day]
        texts = (str(moment.year) + tail, f"{moment.year:04d}" + tail)
        if len(_DAYS) >= _DAYS_LIMIT:
            _DAYS.clear()
        _DAYS[day] = texts
    return texts, rest


# (Each function looks its day up inline first: a kept day costs no call.)
def minute_text(micros: int) -> str:
    """``"2026-12-03 14:05Z"``: the instant to the minute."""
    day, rest = divmod(micros, _DAY)
    texts = _DAYS.get(day)  # only days a datetime holds are kept
    if texts is None:
        texts, rest = _day_of(micros)
    return texts[0] + " " + _HOUR_MINUTE[rest // _MINUTE] + "Z"


def iso_text(micros: int) -> str:
    """``"2026-12-03T14:05:09Z"``, ``"...T14:05:09.250000Z"`` with microseconds."""
    day, rest = divmod(micros, _DAY)
    texts = _DAYS.get(day)
    if texts is None:
        texts, rest = _day_of(micros)
    seconds, micro = divmod(rest, 1_000_000)
    minutes, second = divmod(seconds, 60)
    text = texts[1] + "T" + _HOUR_MINUTE[minutes] + ":" + _TWO[second]
    if micro:
        return text + "." + str(micro + 1_000_000)[1:] + "Z"
    return text + "Z"
