"""ISO-3166 alpha-2 country codes and their time zones, read from ``tzdata``.

``tzdata`` is already a dependency (naive carrier timestamps are resolved through
``zoneinfo``), and it ships the public-domain ``iso3166.tab`` and ``zone.tab``
tables, so no second country database is needed.
"""

from __future__ import annotations

import functools
import importlib.resources

__all__ = ["country_zones", "is_country_code"]


def _read_table(name: str) -> list[list[str]]:
    text = importlib.resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@functools.cache
def _codes() -> frozenset[str]:
    # "XK" (Kosovo) is not in ISO 3166 but every carrier uses it.
    return frozenset(row[0] for row in _read_table("iso3166.tab")) | {"XK"}


@functools.cache
def _zones() -> dict[str, tuple[str, ...]]:
    zones: dict[str, list[str]] = {}
    for row in _read_table("zone.tab"):
        zones.setdefault(row[0], []).append(row[2])
    return {code: tuple(names) for code, names in zones.items()}


def is_country_code(code: str) -> bool:
    """True when ``code`` is an upper-case ISO-3166 alpha-2 code (or ``XK``)."""
    return code in _codes()


def country_zones(code: str) -> tuple[str, ...]:
    """The IANA zones of a country, most populous region first (``zone.tab`` order).

    Empty for an unknown code.  A country with one zone gives an unambiguous local
    offset; with several, callers must narrow it down (city, region) or say so.
    """
    return _zones().get(code.upper(), ())
