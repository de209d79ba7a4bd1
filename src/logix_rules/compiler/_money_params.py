"""Currency-aware money params: every money param carries a currency, and a pack with
``base_currency`` and ``fx_rates`` params compares money in the shipment's currency.

``fx_rates`` (a number param ``by: currency``) gives the units of the base currency
one unit of each currency is worth.  A money param's value is converted to the
shipment's currency (a shipment without one is in the base currency) when the params
of that shipment are chosen, so ``shipment.declared_value >= params.high_value``
means the same in every currency.  A currency without a rate cannot be converted:
its money params are NaN, so no comparison with them holds and no amount computed
from them is given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["BASE_PARAM", "RATES_PARAM", "MoneyPlan", "money_plan"]

BASE_PARAM = "base_currency"
RATES_PARAM = "fx_rates"
_UNKNOWN = math.nan


class MoneyPlan:
    """How to convert one pack's money params: their currencies, the base, the rates."""

    __slots__ = ("base", "params", "rates")

    def __init__(
        self,
        base: str,
        rates: Mapping[str, float],
        params: tuple[tuple[str, str | None, Mapping[str, str]], ...],
    ) -> None:
        self.base = base
        self.rates = dict(rates)
        self.rates[base] = 1.0
        # (name, the default's currency, key -> that value's currency)
        self.params = params

    def rate(self, currency: str | None) -> float:
        """Units of the base currency per unit of ``currency`` (NaN when unknown)."""
        if currency is None:
            return 1.0
        return self.rates.get(currency, _UNKNOWN)

    def convert(self, values: dict[str, Any], chosen: Mapping[str, str | None], to: Any) -> None:
        """Rewrite the money params in ``values`` into currency ``to`` (None: the base).

        ``chosen`` names the ``values`` key each param's value came from (None: its
        default).
        """
        into = self.rate(to)
        for name, currency, per_key in self.params:
            key = chosen.get(name)
            source = per_key.get(key, currency) if key is not None else currency
            factor = self.rate(source or self.base) / into
            if factor != 1.0:
                values[name] = values[name] * factor


def money_plan(params: Mapping[str, Any]) -> MoneyPlan | None:
    """The plan of a pack's params, or None when the pack converts nothing (it has no
    ``base_currency`` string param, or no money param)."""
    base = params.get(BASE_PARAM)
    if base is None or base.type != "string" or not isinstance(base.default, str):
        return None
    money = tuple(
        (p.name, p.currency, dict(p.currencies)) for p in params.values() if p.type == "money"
    )
    if not money:
        return None
    table = params.get(RATES_PARAM)
    rates: dict[str, float] = {}
    if table is not None and table.type == "number":
        rates = {
            str(key): float(value)
            for key, value in table.values.items()
            if isinstance(value, int | float) and value > 0
        }
    return MoneyPlan(base.default, rates, money)
