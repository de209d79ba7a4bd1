"""Turning the country spellings carriers send into ISO-3166 alpha-2 codes.

Carriers name countries three ways: alpha-2 (``"DE"``), alpha-3 (AfterShip's
``"DEU"``) and English names inside free text (DHL Express' ``"MILAN - ITALY"``).
The alpha-3 table is data kept here; names come from ``tzdata``'s public-domain
``iso3166.tab`` plus the everyday spellings that table deliberately avoids.
"""

from __future__ import annotations

import functools
import importlib.resources
import unicodedata

from ._countries import is_country_code

__all__ = ["alpha2_from_alpha3", "alpha2_from_name", "to_alpha2"]

# ISO 3166-1 alpha-3 -> alpha-2, as published by the ISO 3166 Maintenance Agency.
# "XKX" (Kosovo) is the code carriers and the EU use pending an official one.
_ALPHA3 = """
AFG AF ALA AX ALB AL DZA DZ ASM AS AND AD AGO AO AIA AI ATA AQ ATG AG ARG AR ARM AM
ABW AW AUS AU AUT AT AZE AZ BHS BS BHR BH BGD BD BRB BB BLR BY BEL BE BLZ BZ BEN BJ
BMU BM BTN BT BOL BO BES BQ BIH BA BWA BW BVT BV BRA BR IOT IO BRN BN BGR BG BFA BF
BDI BI CPV CV KHM KH CMR CM CAN CA CYM KY CAF CF TCD TD CHL CL CHN CN CXR CX CCK CC
COL CO COM KM COG CG COD CD COK CK CRI CR CIV CI HRV HR CUB CU CUW CW CYP CY CZE CZ
DNK DK DJI DJ DMA DM DOM DO ECU EC EGY EG SLV SV GNQ GQ ERI ER EST EE SWZ SZ ETH ET
FLK FK FRO FO FJI FJ FIN FI FRA FR GUF GF PYF PF ATF TF GAB GA GMB GM GEO GE DEU DE
GHA GH GIB GI GRC GR GRL GL GRD GD GLP GP GUM GU GTM GT GGY GG GIN GN GNB GW GUY GY
HTI HT HMD HM VAT VA HND HN HKG HK HUN HU ISL IS IND IN IDN ID IRN IR IRQ IQ IRL IE
IMN IM ISR IL ITA IT JAM JM JPN JP JEY JE JOR JO KAZ KZ KEN KE KIR KI PRK KP KOR KR
KWT KW KGZ KG LAO LA LVA LV LBN LB LSO LS LBR LR LBY LY LIE LI LTU LT LUX LU MAC MO
MDG MG MWI MW MYS MY MDV MV MLI ML MLT MT MHL MH MTQ MQ MRT MR MUS MU MYT YT MEX MX
FSM FM MDA MD MCO MC MNG MN MNE ME MSR MS MAR MA MOZ MZ MMR MM NAM NA NRU NR NPL NP
NLD NL NCL NC NZL NZ NIC NI NER NE NGA NG NIU NU NFK NF MKD MK MNP MP NOR NO OMN OM
PAK PK PLW PW PSE PS PAN PA PNG PG PRY PY PER PE PHL PH PCN PN POL PL PRT PT PRI PR
QAT QA REU RE ROU RO RUS RU RWA RW BLM BL SHN SH KNA KN LCA LC MAF MF SPM PM VCT VC
WSM WS SMR SM STP ST SAU SA SEN SN SRB RS SYC SC SLE SL SGP SG SXM SX SVK SK SVN SI
SLB SB SOM SO ZAF ZA SGS GS SSD SS ESP ES LKA LK SDN SD SUR SR SJM SJ SWE SE CHE CH
SYR SY TWN TW TJK TJ TZA TZ THA TH TLS TL TGO TG TKL TK TON TO TTO TT TUN TN TUR TR
TKM TM TCA TC TUV TV UGA UG UKR UA ARE AE GBR GB USA US UMI UM URY UY UZB UZ VUT VU
VEN VE VNM VN VGB VG VIR VI WLF WF ESH EH YEM YE ZMB ZM ZWE ZW XKX XK
"""

# Everyday English names that ``iso3166.tab`` spells differently on purpose.
_ALIASES = {
    "united kingdom": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "uk": "GB",
    "usa": "US",
    "united states of america": "US",
    "america": "US",
    "czechia": "CZ",
    "turkiye": "TR",
    "south korea": "KR",
    "republic of korea": "KR",
    "korea": "KR",
    "north korea": "KP",
    "russian federation": "RU",
    "viet nam": "VN",
    "hong kong sar": "HK",
    "hong kong sar china": "HK",
    "macao": "MO",
    "macau sar": "MO",
    "uae": "AE",
    "holland": "NL",
    "the netherlands": "NL",
    "ivory coast": "CI",
    "cote divoire": "CI",
    "myanmar": "MM",
    "burma": "MM",
    "eswatini": "SZ",
    "swaziland": "SZ",
    "cabo verde": "CV",
    "timor leste": "TL",
    "american samoa": "AS",
    "samoa": "WS",
    "vatican": "VA",
    "holy see": "VA",
    "kosovo": "XK",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "republic of the congo": "CG",
    "mainland china": "CN",
    "peoples republic of china": "CN",
    "taiwan china": "TW",
    "saint barthelemy": "BL",
    "saint lucia": "LC",
    "saint helena": "SH",
    "saint kitts and nevis": "KN",
    "saint vincent and the grenadines": "VC",
    "saint pierre and miquelon": "PM",
    "sint maarten": "SX",
    "curacao": "CW",
    "reunion": "RE",
    "bosnia": "BA",
    "macedonia": "MK",
    "moldova republic of": "MD",
    "iran islamic republic of": "IR",
    "tanzania united republic of": "TZ",
    "lao peoples democratic republic": "LA",
    "syrian arab republic": "SY",
    "brunei darussalam": "BN",
    "central african republic": "CF",
}

# Country names in the countries' own languages, as carriers answering in that
# language write them (DHL Parcel DE: "Deutschland"; Correios: "Brasil").
_NATIVE_NAMES = {
    "deutschland": "DE",
    "bundesrepublik deutschland": "DE",
    "osterreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
    "nederland": "NL",
    "belgie": "BE",
    "belgique": "BE",
    "espana": "ES",
    "italia": "IT",
    "polska": "PL",
    "cesko": "CZ",
    "danmark": "DK",
    "sverige": "SE",
    "norge": "NO",
    "suomi": "FI",
    "magyarorszag": "HU",
    "hrvatska": "HR",
    "brasil": "BR",
    "rossiya": "RU",
    "россия": "RU",
    "中国": "CN",
    "中华人民共和国": "CN",
    "中國": "CN",
    "香港": "HK",
    "日本": "JP",
    "대한민국": "KR",
    "한국": "KR",
}


def _fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("’", "").replace("'", "").replace("&", " and ")
    kept = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text)
    return " ".join(kept.split())


@functools.cache
def _alpha3() -> dict[str, str]:
    tokens = _ALPHA3.split()
    return dict(zip(tokens[::2], tokens[1::2], strict=True))


@functools.cache
def _names() -> dict[str, str]:
    text = importlib.resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab")
    names: dict[str, str] = {}
    for line in text.read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, name = line.split("\t")[:2]
        names[_fold(name)] = code
        # "Britain (UK)", "Korea (South)": also index the part outside brackets
        # only when it is unambiguous ("Congo" is not, so it is skipped).
        bare = _fold(name.split("(")[0])
        names.setdefault(bare, code)
    for ambiguous in ("congo", "korea", "samoa", "virgin islands", "st martin"):
        names.pop(ambiguous, None)
    names.update({_fold(alias): code for alias, code in _ALIASES.items()})
    names.update({_fold(native): code for native, code in _NATIVE_NAMES.items()})
    return names


def alpha2_from_alpha3(code: str) -> str | None:
    """``"DEU"`` -> ``"DE"``; ``None`` for anything that is not a known alpha-3 code."""
    return _alpha3().get(code.strip().upper())


def alpha2_from_name(name: str) -> str | None:
    """An English country name (any case, accents optional) -> alpha-2, or ``None``."""
    return _names().get(_fold(name))


def to_alpha2(value: str | None) -> str | None:
    """Whatever a carrier put in a country field -> alpha-2, or ``None`` when unsure."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if len(text) == 2 and is_country_code(text.upper()):
        return text.upper()
    if len(text) == 3 and text.isalpha():
        found = alpha2_from_alpha3(text)
        if found is not None:
            return found
    return alpha2_from_name(text)
