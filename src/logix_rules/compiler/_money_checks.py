"""Checks of money params (part of ``resolve``): each carries a currency in use, and a
pack that converts (it has a ``base_currency``) has a rate for every currency its
money params name."""

from __future__ import annotations

from ..core._errors import ErrorCode
from ._build import _Build
from ._currencies import is_currency
from ._model import Param
from ._money_params import BASE_PARAM, RATES_PARAM

__all__ = ["check_money"]

_HINT_CURRENCY = "Write the amount with its ISO 4217 code, e.g. '500 CNY' or '70 USD'."


def check_money(build: _Build) -> None:
    """Report money params without a currency (``money_without_currency``), codes that
    are no currency in use (``unknown_currency``) and currencies the pack converts
    without a rate (``missing_fx_rate``)."""
    base_param = build.params.get(BASE_PARAM)
    base: str | None = None
    if base_param is not None and base_param.type == "string":
        if is_currency(base_param.default):
            base = base_param.default
        else:
            _issue(
                build,
                base_param,
                ErrorCode.UNKNOWN_CURRENCY,
                f"{BASE_PARAM} {base_param.default!r} is not an ISO 4217 currency code in use.",
                base_param.default,
                "e.g. 'CNY', 'EUR' or 'USD'.",
            )
    rates = build.params.get(RATES_PARAM)
    known: set[str] = set()
    if rates is not None and rates.type == "number":
        for code, value in rates.values.items():
            if not isinstance(value, int | float) or value <= 0:
                _issue(
                    build,
                    rates,
                    ErrorCode.BAD_PARAM,
                    f"{RATES_PARAM}[{code}] is {value!r}: a rate must be above zero.",
                    value,
                    "A rate is how many units of the base currency one unit is worth.",
                )
            else:
                known.add(code)
    for param in build.params.values():
        if param.type != "money":
            continue
        named: list[tuple[str | None, str | None]] = [(None, param.currency)]
        named += [(key, param.currencies.get(key, param.currency)) for key in param.values]
        for key, currency in named:
            where = param.name if key is None else f"{param.name}[{key}]"
            if key is None and param.default is None:
                continue  # its default was refused already
            if currency is None:
                _issue(
                    build,
                    param,
                    ErrorCode.MONEY_WITHOUT_CURRENCY,
                    f"money param {where!r} has no currency.",
                    param.default if key is None else param.values[key],
                    _HINT_CURRENCY,
                )
            elif not is_currency(currency):
                _issue(
                    build,
                    param,
                    ErrorCode.UNKNOWN_CURRENCY,
                    f"money param {where!r}: {currency!r} is not an ISO 4217 currency code in use.",
                    currency,
                    _HINT_CURRENCY,
                )
            elif base is not None and currency != base and currency not in known:
                _issue(
                    build,
                    param,
                    ErrorCode.MISSING_FX_RATE,
                    f"money param {where!r} is in {currency}, but {RATES_PARAM} has no "
                    f"rate for {currency} (the base currency is {base}).",
                    currency,
                    f"Add it: '{RATES_PARAM}: {{values: {{{currency}: <units of {base} "
                    f"per {currency}>}}}}', or write the amount in {base}.",
                )


def _issue(
    build: _Build, param: Param, code: ErrorCode, msg: str, value: object, hint: str
) -> None:
    doc, path = build.param_docs.get(param.name, (build.docs[-1], ("params", param.name)))
    build.issue(doc, path, code, msg, value=value, hint=hint)
