"""Placing carrier wall-clock times by location, and reading carriers' country spellings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from logix_carriers._carrier_time import place_naive, read_carrier_time
from logix_carriers._countries import _codes
from logix_carriers._country_codes import _alpha3, alpha2_from_alpha3, alpha2_from_name, to_alpha2
from logix_carriers._local_time import resolve_local_time

NOON = datetime(2026, 1, 15, 12, 0)


def _offset(hours: float) -> timedelta:
    return timedelta(hours=hours)


@pytest.mark.parametrize(
    ("country", "city", "region", "offset", "ambiguous"),
    [
        ("IT", None, None, 1, False),  # one zone
        ("DE", None, None, 1, False),  # two zones that agree (Berlin, Busingen)
        ("CN", "Urumqi", None, 8, False),  # one legal time although tzdata lists two
        ("US", "Los Angeles", None, -8, False),  # narrowed by city
        ("US", "Springfield", "IL", -6, False),  # narrowed by state
        ("US", "Austin", "TX", -6, False),  # a main city: its own zone, though TX spans two
        ("US", "Smallville", "TX", -6, True),  # Texas spans two zones: flagged
        ("US", "El Paso", "TX", -7, False),  # the part of Texas on mountain time
        ("AU", None, "WA", 8, True),
        ("CA", None, "BC", -8, True),
        ("AU", None, "QLD", 10, False),
        ("ES", "Madrid", None, 1, False),
        ("ES", None, None, 1, True),  # the Canaries are an hour behind
        ("US", None, None, -5, True),
    ],
)
def test_resolution(
    country: str, city: str | None, region: str | None, offset: float, ambiguous: bool
) -> None:
    local = resolve_local_time(NOON, country=country, city=city, region=region)
    assert local is not None
    assert local.moment.utcoffset() == _offset(offset)
    assert local.ambiguous is ambiguous
    assert bool(local.note) is ambiguous
    if ambiguous:
        assert len(local.candidates) > 1


def test_unknown_or_missing_country_gives_nothing() -> None:
    assert resolve_local_time(NOON, country=None) is None
    assert resolve_local_time(NOON, country="ZZ") is None


def test_daylight_saving_gap_and_overlap_are_flagged() -> None:
    gap = resolve_local_time(datetime(2026, 3, 29, 2, 30), country="DE")
    assert gap is not None
    assert gap.ambiguous
    assert "does not exist" in gap.note
    overlap = resolve_local_time(datetime(2026, 10, 25, 2, 30), country="DE")
    assert overlap is not None
    assert overlap.ambiguous
    assert "happens twice" in overlap.note
    assert overlap.moment.utcoffset() == _offset(2)  # the earlier instant
    assert overlap.candidates == ("Europe/Berlin",)


def test_aware_input_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        resolve_local_time(NOON.replace(tzinfo=UTC), country="DE")


def test_read_carrier_time() -> None:
    carrier = read_carrier_time("2026-01-15T12:00:00+05:30", country="DE")
    assert carrier.offset_source == "carrier"
    assert carrier.moment.utcoffset() == _offset(5.5)
    placed = read_carrier_time("2026-01-15T12:00:00", country="JP")
    assert placed.offset_source == "location"
    assert placed.moment.astimezone(UTC) == datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
    zulu = read_carrier_time("2026-01-15T12:00:00z", country=None)
    assert zulu.moment.utcoffset() == timedelta(0)
    for bad, match in [(None, "missing"), ("", "missing"), ("15/01/2026", "not ISO-8601")]:
        with pytest.raises(ValueError, match=match):
            read_carrier_time(bad, country="DE")
    with pytest.raises(ValueError, match="no country"):
        place_naive(NOON, country=None)


def test_alpha3_table_covers_every_country_once() -> None:
    table = _alpha3()
    assert set(table.values()) == set(_codes())
    assert len(set(table.values())) == len(table)
    assert all(len(code) == 3 and code.isupper() for code in table)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("DEU", "DE"),
        ("usa", "US"),
        ("GBR", "GB"),
        ("XKX", "XK"),
        ("de", "DE"),
        ("ITALY", "IT"),
        ("United Kingdom", "GB"),
        ("Britain (UK)", "GB"),
        ("Côte d’Ivoire", "CI"),
        ("Bosnia & Herzegovina", "BA"),
        ("Korea (South)", "KR"),
        ("Congo", None),  # two countries: no guess
        ("Atlantis", None),
        ("", None),
        (None, None),
    ],
)
def test_to_alpha2(value: str | None, expected: str | None) -> None:
    assert to_alpha2(value) == expected


def test_direct_lookups() -> None:
    assert alpha2_from_alpha3("CHN") == "CN"
    assert alpha2_from_alpha3("ABC") is None
    assert alpha2_from_name("switzerland") == "CH"
