"""``remedy_amount`` keeps each float's rounded amount: a kept one reads as a fresh
rounding, for every float, its sign and zero included, and also on its second read."""

from __future__ import annotations

import math
import random
from decimal import Decimal

from logix_rules.runtime import _money
from logix_rules.runtime._money import remedy_amount


def _fresh(value: float) -> Decimal | None:
    if not math.isfinite(value):
        return None
    return Decimal(repr(value)).quantize(Decimal("0.01"), context=_money._WIDE)


def test_a_kept_amount_reads_as_a_fresh_rounding() -> None:
    chance = random.Random(15)
    values = [0.0, -0.0, 0.005, -0.005, 1.005, 2.675, 12.5, -12.5, 1e300, -1e-300, 1.0]
    values += [math.inf, -math.inf, math.nan, 5e-324, 1.7976931348623157e308]
    values += [chance.uniform(-1e4, 1e4) for _ in range(3000)]
    values += [
        round(chance.uniform(0, 500), 2) * chance.choice((1, 0.05, 0.1)) for _ in range(3000)
    ]
    _money._ROUNDED.clear()
    for _ in range(2):  # made, then kept
        for value in values:
            got, want = remedy_amount(value), _fresh(value)
            assert str(got) == str(want), value
    assert str(remedy_amount(-0.0)) == "-0.00"
    assert str(remedy_amount(0.0)) == "0.00"
    assert 0.0 not in _money._ROUNDED
    assert len(_money._ROUNDED) > 1000


def test_the_table_is_cleared_when_full() -> None:
    _money._ROUNDED.clear()
    for number in range(_money._ROUNDED_LIMIT + 10):
        assert remedy_amount(number + 0.5) == Decimal(number) + Decimal("0.50")
    assert 0 < len(_money._ROUNDED) <= _money._ROUNDED_LIMIT
