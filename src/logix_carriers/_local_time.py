"""Giving a carrier's wall-clock time its UTC offset from where the scan happened.

Several carriers (DHL's unified API, some AfterShip checkpoints, UPS activities
without GMT fields) send local times with no offset.  Reading them as UTC is the
classic integration bug; this module reads them in the zone of the event's
location instead and says how sure it is:

- a country with one zone (or whose zones agree at that moment) is unambiguous;
- a multi-zone country is narrowed by region (US states, Canadian provinces,
  Australian states) or by city (``"Los Angeles"`` -> ``America/Los_Angeles``);
- otherwise the country's first zone is used and the result is flagged
  ``ambiguous`` with the candidates, so callers can report it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from ._countries import country_zones
from ._shown import shown as _shown

__all__ = [
    "BEYOND",
    "EARLIEST",
    "LocalTime",
    "TimeReading",
    "bounded_utc",
    "place_naive",
    "read_carrier_time",
    "resolve_local_time",
]

#: The first instant logix accepts: the Unix epoch (the engine counts from it).
EARLIEST: Final = datetime(1970, 1, 1, tzinfo=UTC)
#: The first instant beyond the accepted range.  Far enough for any parcel, and near
#: enough that a deadline a century after it still fits a ``datetime`` (year 9999).
BEYOND: Final = datetime(2200, 1, 1, tzinfo=UTC)


_PLACEHOLDER_HINT: Final = "placeholders such as 9999-12-31 are not times: leave the field out"


def bounded_utc(
    moment: datetime, what: str = "timestamp", hint: str = _PLACEHOLDER_HINT
) -> datetime:
    """An aware ``moment`` in UTC; ``ValueError`` when it is outside [EARLIEST, BEYOND).

    Placeholder dates (``0001-01-01``, ``9999-12-31``) with an offset cannot even be
    moved to UTC (``OverflowError``); they get the same sentence as any other
    out-of-range time, so every reader reports them as a bad item.
    """
    try:
        utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not EARLIEST <= utc < BEYOND:
        raise ValueError(
            f"{what}: {moment.isoformat()} is outside the supported range "
            f"1970-01-01T00:00:00Z <= t < 2200-01-01T00:00:00Z; {hint}"
        )
    return utc


@dataclass(frozen=True)
class LocalTime:
    """A wall-clock time placed in a zone.

    ``basis`` says what chose the zone (``"country"``, ``"region"``, ``"city"``);
    ``ambiguous`` is True when the location does not pin one offset down (or the
    wall time falls in a daylight-saving overlap), with the zones considered in
    ``candidates`` and a human sentence in ``note``.
    """

    moment: datetime
    zone: str
    basis: str
    ambiguous: bool = False
    candidates: tuple[str, ...] = ()
    note: str = ""


# Countries whose legal time is one zone although tzdata lists more (tzdata keeps
# Asia/Urumqi for the unofficial Xinjiang time; carriers stamp Beijing time).
_LEGAL_ZONE = {"CN": "Asia/Shanghai"}


# Sub-national regions -> the zone most of the region keeps.  Regions split between
# zones are in _SPLIT_REGIONS and only count when the city does not narrow it down.
def _each(codes: str, zone: str) -> dict[str, str]:
    return dict.fromkeys(codes.split(), zone)


_REGION_ZONE: dict[str, dict[str, str]] = {
    "US": {
        **_each("CT DE DC FL GA KY ME MD MA NH NJ NY NC OH PA RI SC VT VA WV", "America/New_York"),
        **_each("AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI", "America/Chicago"),
        **_each("CO MT NM UT WY", "America/Denver"),
        **_each("CA NV OR WA", "America/Los_Angeles"),
        "AZ": "America/Phoenix",
        "ID": "America/Boise",
        "IN": "America/Indiana/Indianapolis",
        "MI": "America/Detroit",
        "AK": "America/Anchorage",
        "HI": "Pacific/Honolulu",
        "PR": "America/Puerto_Rico",
    },
    "CA": {
        **_each("AB NT", "America/Edmonton"),
        **_each("NS PE", "America/Halifax"),
        **_each("ON QC", "America/Toronto"),
        "BC": "America/Vancouver",
        "MB": "America/Winnipeg",
        "NB": "America/Moncton",
        "NL": "America/St_Johns",
        "NU": "America/Iqaluit",
        "SK": "America/Regina",
        "YT": "America/Whitehorse",
    },
    "AU": {
        **_each("ACT NSW", "Australia/Sydney"),
        "VIC": "Australia/Melbourne",
        "QLD": "Australia/Brisbane",
        "SA": "Australia/Adelaide",
        "WA": "Australia/Perth",
        "TAS": "Australia/Hobart",
        "NT": "Australia/Darwin",
    },
}

_SPLIT_REGIONS: dict[str, frozenset[str]] = {
    "US": frozenset(_each("FL ID IN KS KY MI NE ND OR SD TN TX", "")),
    "CA": frozenset(_each("BC NU ON QC", "")),
    "AU": frozenset(_each("NSW WA", "")),
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


def _city_zone(zones: tuple[str, ...], city: str) -> str | None:
    wanted = _fold(city)
    for zone in zones:
        if _fold(zone.rsplit("/", 1)[-1]) == wanted:
            return zone
    return None


def _offset(naive: datetime, zone: str, fold: int = 0) -> timedelta | None:
    return naive.replace(tzinfo=ZoneInfo(zone), fold=fold).utcoffset()


def resolve_local_time(
    naive: datetime,
    *,
    country: str | None,
    city: str | None = None,
    region: str | None = None,
) -> LocalTime | None:
    """Place ``naive`` (a wall-clock time) in the zone of its location.

    ``None`` when the country is missing or unknown: the caller then has no basis
    for an offset and must report the timestamp instead of guessing.
    """
    if naive.tzinfo is not None:
        raise ValueError("resolve_local_time expects a naive wall-clock time")
    if not country:
        return None
    code = country.strip().upper()
    zones = country_zones(code)
    if not zones:
        return None

    zone, basis, ambiguous, note = _choose(naive, code, zones, city, region)
    moment = naive.replace(tzinfo=ZoneInfo(zone))
    candidates = zones if ambiguous else (zone,)
    if _offset(naive, zone, 0) != _offset(naive, zone, 1):
        ambiguous = True
        try:
            gap = moment.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None) != naive
        except OverflowError:  # at the ends of datetime's range; bounded_utc refuses it
            gap = False
        note = (
            f"{naive.isoformat()} does not exist in {zone} (clocks jumped forward)"
            if gap
            else f"{naive.isoformat()} happens twice in {zone} (clocks went back); "
            "the earlier instant was used"
        )
    return LocalTime(moment, zone, basis, ambiguous, candidates, note)


def _choose(
    naive: datetime,
    code: str,
    zones: tuple[str, ...],
    city: str | None,
    region: str | None,
) -> tuple[str, str, bool, str]:
    if len(zones) == 1:
        return zones[0], "country", False, ""
    if code in _LEGAL_ZONE:
        return _LEGAL_ZONE[code], "country", False, ""
    if city:
        by_city = _city_zone(zones, city)
        if by_city is not None:
            return by_city, "city", False, ""
    if region:
        key = region.strip().upper()
        by_region = _REGION_ZONE.get(code, {}).get(key)
        if by_region is not None:
            if key in _SPLIT_REGIONS.get(code, frozenset()):
                return (
                    by_region,
                    "region",
                    True,
                    f"{key} ({code}) spans several time zones; assumed {by_region}",
                )
            return by_region, "region", False, ""
    offsets = {_offset(naive, zone) for zone in zones}
    if len(offsets) == 1:
        return zones[0], "country", False, ""
    where = f"{city}, {code}" if city else code
    return (
        zones[0],
        "country",
        True,
        f"{where} spans {len(zones)} time zones with different offsets; assumed {zones[0]}",
    )


@dataclass(frozen=True)
class TimeReading:
    """A carrier timestamp made aware, and where its offset came from.

    ``note`` is set when the offset is a best guess (see :class:`LocalTime`); the
    adapters turn it into a ``partial_data`` problem so the guess is visible.
    """

    moment: datetime
    offset_source: str
    note: str = ""


def read_carrier_time(
    value: object,
    *,
    country: str | None,
    city: str | None = None,
    region: str | None = None,
) -> TimeReading:
    """An ISO-8601 carrier timestamp as an aware datetime.

    A timestamp with an offset is taken as is (``offset_source="carrier"``); a naive
    one is placed in the zone of the event location (``"location"``).  Raises
    ``ValueError`` with a sentence fit for a problem report when the value is not
    ISO-8601, is outside the supported range (see ``bounded_utc``), or is naive with
    no country to place it.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"timestamp missing (got {_shown(value)})")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError(f"timestamp {_shown(text)} is not ISO-8601") from None
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        bounded_utc(moment)
        return TimeReading(moment, "carrier")
    return place_naive(moment, country=country, city=city, region=region)


def place_naive(
    naive: datetime,
    *,
    country: str | None,
    city: str | None = None,
    region: str | None = None,
) -> TimeReading:
    """``naive`` placed in its location's zone, or ``ValueError`` naming what is missing
    (or that the time is outside the supported range)."""
    local = resolve_local_time(naive, country=country, city=city, region=region)
    if local is None:
        where = f"country {_shown(country)}" if country else "no country"
        raise ValueError(
            f"timestamp {naive.isoformat()} has no UTC offset and the event has {where} "
            "to place it in a time zone"
        )
    bounded_utc(local.moment)
    return TimeReading(local.moment, "location", local.note if local.ambiguous else "")
