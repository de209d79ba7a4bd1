"""Remedy amounts as money: total over every number a rule can compute.

A remedy amount is an expression over shipment money (validated: finite, below
``MONEY_LIMIT``), params and attributes, so it can reach far beyond what the default
decimal context quantizes (28 digits: ``1e27`` to cents fails with
``InvalidOperation``), or overflow a float to ``inf``.  Rounding here uses a context
wide enough for any finite float, and an amount that is not a finite number is
reported as no amount (``None``) rather than stopping the engine.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any, Final

__all__ = ["remedy_amount"]

_CENT: Final = Decimal("0.01")
# A finite float is below 1.8e308: 309 integer digits and 2 decimals fit in 400.
_WIDE: Final = Context(prec=400, rounding=ROUND_HALF_UP, Emax=999_999, Emin=-999_999)
# Ints and Decimals beyond a float's range are no amount either (and an int's str()
# past 4300 digits would raise).
_LARGEST: Final = Decimal("1e309")


def remedy_amount(value: Any) -> Decimal | None:
    """A computed amount rounded half-up to cents, or ``None`` when it is not a finite number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        number = Decimal(repr(value))
    elif isinstance(value, int):
        if value.bit_length() > 1026:  # beyond 1.8e308
            return None
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    else:
        return None
    if not number.is_finite() or abs(number) >= _LARGEST:
        return None
    return number.quantize(_CENT, context=_WIDE)
