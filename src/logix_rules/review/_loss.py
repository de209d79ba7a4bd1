"""Loss: the remedy amounts of the incidents opened in a period by kind, cause and
carrier, and the exception loss rate (cost of exceptions / shipped declared value),
in one reporting currency when an FX table is known, else per currency."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from ._figures import Figure, Period
from ._frame import UNKNOWN, Frame
from ._input import cause_of
from ._settings import ReviewSettings

__all__ = ["Loss", "loss"]

Amounts = dict[str, Decimal]  # currency -> amount


def _add(into: Amounts, currency: str, amount: Decimal) -> None:
    into[currency] = into.get(currency, Decimal(0)) + amount


def _shown(amounts: Mapping[str, Decimal]) -> dict[str, str]:
    return {cur: str(amount.quantize(Decimal("0.01"))) for cur, amount in sorted(amounts.items())}


@attrs.frozen
class Loss:
    """Money, as ``currency -> amount`` maps.  ``base_currency`` is the one reporting
    currency when amounts were converted (None: grouped per currency);
    ``unconverted`` holds amounts in currencies the FX table lacks (kept apart, never
    dropped).  ``loss_rate`` has one figure per currency (one only when converted)."""

    base_currency: str | None
    total: Amounts
    by_kind: dict[str, Amounts]
    by_cause: dict[str, Amounts]
    by_carrier: dict[str, Amounts]
    declared: Amounts
    loss_rate: dict[str, Figure]
    unconverted: Amounts
    incidents_with_cost: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency_mode": "converted" if self.base_currency else "per_currency",
            "base_currency": self.base_currency,
            "total": _shown(self.total),
            "by_kind": {k: _shown(v) for k, v in sorted(self.by_kind.items())},
            "by_cause": {k: _shown(v) for k, v in sorted(self.by_cause.items())},
            "by_carrier": {k: _shown(v) for k, v in sorted(self.by_carrier.items())},
            "declared_value_shipped": _shown(self.declared),
            "loss_rate": {cur: f.to_dict() for cur, f in sorted(self.loss_rate.items())},
            "unconverted": _shown(self.unconverted),
            "incidents_with_cost": self.incidents_with_cost,
        }


class _Converter:
    def __init__(self, settings: ReviewSettings) -> None:
        self.base = settings.base_currency if settings.fx_rates is not None else None
        self.rates = dict(settings.fx_rates or {})
        if self.base is not None:
            self.rates.setdefault(self.base, Decimal(1))

    def __call__(self, currency: str, amount: Decimal) -> tuple[str, Decimal] | None:
        """``(reporting currency, amount)``, or None when it cannot be converted."""
        if self.base is None:
            return currency, amount
        rate = self.rates.get(currency)
        return None if rate is None else (self.base, amount * rate)


def loss(frame: Frame, period: Period, settings: ReviewSettings) -> Loss:
    convert = _Converter(settings)
    total: Amounts = {}
    unconverted: Amounts = {}
    groups: dict[str, dict[str, Amounts]] = {d: defaultdict(dict) for d in ("kind", "cause")}
    carriers: dict[str, Amounts] = defaultdict(dict)
    costly = 0
    for record in frame.opened(period):
        incident = record.incident
        remedy = incident.remedy
        parcel = frame.data.parcels.get(incident.tracking_number)
        spent = False
        for item in remedy.items if remedy is not None else ():
            if item.amount is None:
                continue
            currency = item.currency or (parcel.currency if parcel else None) or UNKNOWN
            converted = convert(currency, item.amount)
            if converted is None:
                _add(unconverted, currency, item.amount)
                continue
            spent = True
            cur, amount = converted
            _add(total, cur, amount)
            _add(groups["kind"][incident.kind], cur, amount)
            _add(groups["cause"][cause_of(incident)], cur, amount)
            _add(carriers[frame.incident_key("carrier", record)], cur, amount)
        costly += spent
    declared: Amounts = {}
    for parcel in frame.shipped(period):
        if parcel.declared_value is None:
            continue
        converted = convert(parcel.currency or UNKNOWN, parcel.declared_value)
        if converted is not None:
            _add(declared, *converted)
    rates: dict[str, Figure] = {}
    for cur in sorted(set(total) | set(declared)):
        cost, value = total.get(cur, Decimal(0)), declared.get(cur, Decimal(0))
        if value == 0:
            rates[cur] = Figure(
                None, "ratio", float(cost), 0.0, period, f"no declared value shipped in {cur}"
            )
        else:
            rates[cur] = Figure(float(cost / value), "ratio", float(cost), float(value), period)
    return Loss(
        convert.base,
        total,
        dict(groups["kind"]),
        dict(groups["cause"]),
        dict(carriers),
        declared,
        rates,
        unconverted,
        costly,
    )
