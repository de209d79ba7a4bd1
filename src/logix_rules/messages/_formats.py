"""Dates and amounts as the recipient reads them (Babel's CLDR data)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency, format_decimal

__all__ = ["format_amount", "format_moment"]


def format_moment(moment: datetime, zone: tzinfo, locale: Locale) -> str:
    """``moment`` in ``zone``: medium date, short time and the offset, in ``locale``.

    ``16 de mar. de 2026 09:00 -03:00 GMT`` (pt-BR), ``2026年3月16日 20:00 GMT+08:00``
    (zh-CN): the offset is always shown, since a deadline read in the wrong zone is
    a missed deadline.
    """
    local = moment.astimezone(zone)
    date = format_date(local, "medium", locale=locale)
    time = format_time(local, "short", tzinfo=zone, locale=locale)
    offset = format_datetime(local, "ZZZZ", tzinfo=zone, locale=locale)
    return f"{str(locale.datetime_formats['medium']).format(time, date)} {offset}"


def format_amount(amount: Decimal, currency: str | None, locale: Locale) -> str:
    """``amount`` with its currency as ``locale`` writes it: ``R$ 18,50`` (pt-BR),
    ``18,50 €`` (de, fr), ``¥18.50`` (zh-CN); a plain number without a currency."""
    if currency is None:
        return format_decimal(amount, format="#,##0.00", locale=locale)
    return format_currency(amount, currency, locale=locale)
