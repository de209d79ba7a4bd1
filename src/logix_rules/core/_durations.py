"""Durations as written in packs (``24h``, ``7d``, ``1d12h``, ``30m``) and time as integers.

Inside the engine every instant is an ``int`` of microseconds since the Unix epoch
(UTC) and every duration an ``int`` of microseconds: exact, hashable, and cheap to
compare on the hot path.  Datetimes exist only at the API boundary.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

__all__ = [
    "EPOCH",
    "MICROS",
    "ONE_US",
    "format_duration",
    "format_span",
    "from_micros",
    "parse_duration",
    "to_micros",
]

MICROS = 1_000_000
_UNITS = {"w": 7 * 86_400, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+(?:\.\d+)?)([wdhms])")
_WHOLE = re.compile(r"^(?:\d+(?:\.\d+)?[wdhms])+$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # instants are kept as µs since this one
ONE_US = timedelta(microseconds=1)


def parse_duration(text: str) -> int:
    """``"1d12h"`` -> microseconds.  Raises ``ValueError`` with the accepted forms."""
    compact = text.strip().replace(" ", "").lower()
    if not _WHOLE.match(compact):
        raise ValueError(
            f"{text!r} is not a duration; write a number and a unit, e.g. '30m', '24h', "
            "'7d', '1d12h' (units: w, d, h, m, s)"
        )
    seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(compact))
    return round(seconds * MICROS)


def format_duration(micros: int) -> str:
    """Microseconds -> the shortest pack spelling, e.g. ``"1d12h"``; ``"0s"`` for zero."""
    sign = "-" if micros < 0 else ""
    seconds, rest = divmod(abs(micros), MICROS)
    out = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    if rest:
        out.append(f"{rest / MICROS:g}s")
    return sign + ("".join(out) or "0s")


def format_span(micros: int) -> str:
    """A duration as people say it: hours below 100h (``26h``, ``73h59m``), else ``7d2h``."""
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    if micros >= 100 * 3_600_000_000 or micros % 1_000_000:
        return sign + format_duration(micros)
    minutes, seconds = divmod(micros // 1_000_000, 60)
    hours, minutes = divmod(minutes, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    text += f"{seconds}s" if seconds else ""
    return sign + (text or "0s")


def to_micros(moment: datetime) -> int:
    """An aware datetime -> microseconds since the epoch."""
    return (moment - EPOCH) // ONE_US


# Where from_micros saturates: a day inside datetime's range, so the result can still
# be shown in any UTC offset.
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)


def from_micros(micros: int) -> datetime:
    """Microseconds since the epoch -> an aware UTC datetime.

    Total: instants beyond what a ``datetime`` holds (a deadline computed from an
    absurd but valid attribute, say) saturate at 9999-12-30 or 0001-01-02 UTC rather
    than raise, as the engine's arithmetic on plain ints never overflows.
    """
    try:
        return EPOCH + ONE_US * micros  # twice as fast as timedelta(microseconds=...)
    except OverflowError:
        return _LATEST if micros > 0 else _EARLIEST
