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


# Remedies compute the same float amounts again and again (a late parcel's coupon at
# every escalation): each float's rounded Decimal is made once and kept, in a table
# cleared when it is full.  Zero is left out: 0.0 and -0.0 are one key but round to
# "0.00" and "-0.00".
_ROUNDED: dict[float, Decimal | None] = {}
_ROUNDED_LIMIT: Final = 4096


def remedy_amount(value: Any) -> Decimal | None:
    """A computed amount rounded half-up to cents, or ``None`` when it is not a finite number."""
    if type(value) is float and value:
        try:
            return _ROUNDED[value]
        except KeyError:
            rounded = _rounded(value)
            if len(_ROUNDED) >= _ROUNDED_LIMIT:
                _ROUNDED.clear()
            if value == value:  # NaN is no key: it equals nothing, not even itself
                _ROUNDED[value] = rounded
            return rounded
    return _rounded(value)


def _rounded(value: Any) -> Decimal | None:
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
