"""The desk's Jinja2 environment: package templates, autoescaping, and the filters
that write times, countdowns and amounts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

__all__ = ["desk_environment", "iso", "relative", "when"]


def when(moment: datetime | None) -> str:
    """A UTC instant the way the desk shows it: ``2026-03-02 10:05 UTC``."""
    if moment is None:
        return "—"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def local(moment: datetime | None) -> str:
    """A local time with its offset: ``2026-03-02 16:00 +08:00``."""
    if moment is None:
        return "—"
    text = moment.strftime("%Y-%m-%d %H:%M %z")
    return f"{text[:-2]}:{text[-2:]}" if text[-5:-4] in "+-" else text


def iso(moment: datetime) -> str:
    """The instant for the countdown script (``datetime`` attribute of ``<time>``)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def relative(moment: datetime, now: datetime) -> str:
    """``in 3 h 05 min`` or ``4 h 10 min overdue``: the countdown without script."""
    seconds = int((moment - now).total_seconds())
    span = abs(seconds)
    days, rest = divmod(span, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        text = f"{days} d {hours} h"
    elif hours:
        text = f"{hours} h {minutes:02d} min"
    else:
        text = f"{minutes} min"
    return f"in {text}" if seconds >= 0 else f"{text} overdue"


def money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None:
        return "amount unknown"
    return f"{amount:,.2f} {currency or ''}".strip()


def label(code: str | None) -> str:
    """A code as words: ``tracking_stall`` → ``tracking stall``."""
    return "" if code is None else code.replace("_", " ")


@lru_cache(maxsize=1)
def desk_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("logix_rules.service", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters: dict[str, Any] = {
        "when": when,
        "local": local,
        "iso": iso,
        "money": money,
        "label": label,
    }
    env.filters.update(filters)
    env.globals["relative"] = relative
    return env
