"""The home country of carriers that aggregators name by slug: data.

An aggregator (AfterShip) relays many carriers.  A checkpoint that names no place
and whose leg the shipment's countries cannot place is read in the home zone of
the carrier that scanned it (its ``slug``), as a last resort marked ``assumed``.
Slugs are AfterShip's courier slugs ("Supported Couriers"); countries ISO-3166.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from ._local_time import principal_zone

__all__ = ["SLUG_COUNTRIES", "slug_home_zone"]

SLUG_COUNTRIES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "usps": "US",
        "ups": "US",
        "fedex": "US",
        "ontrac": "US",
        "lasership": "US",
        "dhl": "DE",
        "dhl-germany": "DE",
        "deutsch-post": "DE",
        "dpd-de": "DE",
        "hermes-de": "DE",
        "gls": "DE",
        "china-post": "CN",
        "china-ems": "CN",
        "cainiao": "CN",
        "yunexpress": "CN",
        "4px": "CN",
        "yanwen": "CN",
        "sf-express": "CN",
        "jd-logistics": "CN",
        "yto": "CN",
        "zto-express": "CN",
        "sto": "CN",
        "yunda": "CN",
        "hong-kong-post": "HK",
        "royal-mail": "GB",
        "parcel-force": "GB",
        "evri": "GB",
        "canada-post": "CA",
        "purolator": "CA",
        "australia-post": "AU",
        "brazil-correios": "BR",
        "russian-post": "RU",
        "mexico-post": "MX",
        "estafeta": "MX",
        "pos-indonesia": "ID",
        "japan-post": "JP",
        "yamato": "JP",
        "sagawa": "JP",
        "kr-post": "KR",
        "cj-logistics": "KR",
        "la-poste-colissimo": "FR",
        "chronopost-france": "FR",
        "postnl": "NL",
        "postnl-international": "NL",
        "bpost": "BE",
        "poste-italiane": "IT",
        "spain-correos-es": "ES",
        "ctt": "PT",
        "poczta-polska": "PL",
        "swiss-post": "CH",
        "austrian-post": "AT",
        "posten-norge": "NO",
        "postnord": "SE",
        "india-post": "IN",
        "singapore-post": "SG",
        "thailand-post": "TH",
        "malaysia-post": "MY",
        "new-zealand-post": "NZ",
    }
)


def slug_home_zone(slug: str | None) -> str | None:
    """The principal zone of the carrier ``slug``'s home country, or None."""
    if not slug:
        return None
    return principal_zone(SLUG_COUNTRIES.get(slug.strip().lower()))
