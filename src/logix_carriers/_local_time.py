"""Giving a carrier's wall-clock time its UTC offset from where the scan happened.

Several carriers (DHL's unified API, some AfterShip checkpoints, UPS activities
without GMT fields) send local times with no offset.  Reading them as UTC is the
classic integration bug; this module reads them in the zone of the event's
location instead and says how sure it is:

- a country with one zone (or whose zones agree at that moment) is unambiguous;
- a multi-zone country is narrowed by city (the main cities of BR, US, CA, RU,
  AU, MX, ID and CN are a table in :mod:`logix_carriers._zones`; a zone's own
  city name, ``"Los Angeles"``, works too) or by region (US states, Canadian
  provinces, Australian states);
- otherwise the country's principal zone is used (``America/Sao_Paulo`` for
  Brazil, ``Europe/Moscow`` for Russia...) and the reading is ``assumed``, with
  a note saying so.

Adapters read carrier timestamps through :mod:`logix_carriers._carrier_time`,
which adds the fallbacks for scans with no readable place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from ._countries import country_zones
from ._zones import PRINCIPAL_ZONES, city_zone, fold_place

__all__ = [
    "BEYOND",
    "EARLIEST",
    "LocalTime",
    "bounded_utc",
    "principal_zone",
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
    ``candidates`` and a human sentence in ``note``.  ``assumed`` is True when the
    zone is the country's principal zone because nothing narrower was given.
    """

    moment: datetime
    zone: str
    basis: str
    ambiguous: bool = False
    candidates: tuple[str, ...] = ()
    note: str = ""
    assumed: bool = False


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


def principal_zone(country: str | None) -> str | None:
    """The zone a country's times are read in when nothing narrower is known."""
    if not country:
        return None
    code = country.strip().upper()
    zones = country_zones(code)
    if not zones:
        return None
    return PRINCIPAL_ZONES.get(code, zones[0])


def _city_zone(code: str, zones: tuple[str, ...], city: str) -> str | None:
    listed = city_zone(code, city)
    if listed is not None:
        return listed
    wanted = fold_place(city)
    for zone in zones:
        if fold_place(zone.rsplit("/", 1)[-1]) == wanted:
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
    assumed = ambiguous and basis == "country"
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
    return LocalTime(moment, zone, basis, ambiguous, candidates, note, assumed)


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
    key = region.strip().upper() if region else ""
    by_region = _REGION_ZONE.get(code, {}).get(key) if key else None
    split = key in _SPLIT_REGIONS.get(code, frozenset())
    # A region of one zone outranks a city name: "Portland, ME" is not Portland, OR.
    if by_region is not None and not split:
        return by_region, "region", False, ""
    if city:
        by_city = _city_zone(code, zones, city)
        if by_city is not None:
            return by_city, "city", False, ""
    if by_region is not None:
        note = f"{key} ({code}) spans several time zones; assumed {by_region}"
        return by_region, "region", True, note
    offsets = {_offset(naive, zone) for zone in zones}
    if len(offsets) == 1:
        return zones[0], "country", False, ""
    where = f"{city}, {code}" if city else code
    principal = PRINCIPAL_ZONES.get(code, zones[0])
    return (
        principal,
        "country",
        True,
        f"{where} spans {len(zones)} time zones with different offsets; assumed the "
        f"principal zone {principal}",
    )
