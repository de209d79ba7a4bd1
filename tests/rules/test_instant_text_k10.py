"""``minute_text`` and ``iso_text`` spell an instant as the datetime calls they replace
do (``strftime("%Y-%m-%d %H:%MZ")``, ``isoformat()`` with ``Z``), character for
character: every day of the calendar's two ends, years below 1000 (``%Y`` unpadded,
``isoformat`` four digits), instants with and without microseconds, negative ones, and
the instants ``from_micros`` saturates; also when a day's text is read again from the
cache.  The explanations and evidence of a pack read them through ``_fmt_dt``/``_iso``."""

from __future__ import annotations

import random

from logix_rules.compiler._codegen import _fmt_dt, _iso
from logix_rules.core import _instant_text
from logix_rules.core._durations import from_micros
from logix_rules.core._instant_text import iso_text, minute_text

_DAY = 86_400_000_000
_FIRST = -62_135_596_800_000_000  # 0001-01-01T00:00:00Z
_LAST = 253_402_300_799_999_999  # 9999-12-31T23:59:59.999999Z


def _instants() -> list[int]:
    chance = random.Random(10)
    edges = [0, 1, -1, 999_999, -999_999, _DAY - 1, -_DAY, _FIRST, _FIRST - 1, _LAST]
    edges += [_LAST + 1, 2**62, -(2**62), 10**30, -(10**30)]
    edges += [_FIRST + day * _DAY + chance.randrange(_DAY) for day in range(400)]
    edges += [_LAST - day * _DAY - chance.randrange(_DAY) for day in range(400)]
    edges += [chance.randrange(_FIRST, _LAST) for _ in range(20_000)]
    # whole seconds and whole minutes, as most scan times are
    edges += [chance.randrange(-(10**11), 10**11) * 1_000_000 for _ in range(5_000)]
    edges += [chance.randrange(-(10**9), 10**9) * 60_000_000 for _ in range(5_000)]
    return edges


def test_the_spellings_are_the_datetime_ones() -> None:
    _instant_text._DAYS.clear()
    for _ in range(2):  # made, then the days' texts kept
        for micros in _instants():
            moment = from_micros(micros)
            assert minute_text(micros) == moment.strftime("%Y-%m-%d %H:%MZ"), micros
            assert iso_text(micros) == moment.isoformat().replace("+00:00", "Z"), micros


def test_the_day_cache_is_bounded() -> None:
    _instant_text._DAYS.clear()
    for day in range(_instant_text._DAYS_LIMIT + 10):
        minute_text(day * _DAY)
    assert len(_instant_text._DAYS) <= _instant_text._DAYS_LIMIT
    assert minute_text(5 * _DAY + 61_000_000) == "1970-01-06 00:01Z"


def test_the_pack_formatters_read_them() -> None:
    # An int goes through the new spelling, a float through the datetime's own.
    assert _fmt_dt(1_764_770_400_000_000) == "2025-12-03 14:00Z"
    assert _fmt_dt(None) == "unknown"
    assert _iso(1_764_770_400_250_000) == "2025-12-03T14:00:00.250000Z"
    assert _iso(1_764_770_400_000_000.0) == "2025-12-03T14:00:00Z"
    assert _iso(None) is None
