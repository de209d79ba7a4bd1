"""Which zone a country's or a city's wall-clock times are in: data.

``tzdata`` lists every zone of a country but in no useful order: its first zone
for Brazil is ``America/Noronha`` (UTC-2, an island), for Russia
``Europe/Kaliningrad``, for Australia ``Australia/Lord_Howe``.  A scan that names
only the country is read in the country's *principal* zone instead, the one of
its capital and most of its people (and of its postal and customs hubs), and is
marked ``assumed``.  Scans that name a main city of a country with several zones
are read in that city's own zone.

Sources: the zone assignments of the IANA time zone database (``zone1970.tab``
comments and the zone files' region notes); the cities are the largest ones and
the parcel hubs of each country (international service centres, customs and
sorting hubs).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["CITY_ZONES", "PRINCIPAL_ZONES", "city_zone", "fold_place"]

#: Countries whose zones disagree at some moment -> the zone of the capital and of
#: most of the population.  China keeps one legal time (tzdata's ``Asia/Urumqi`` is
#: the unofficial Xinjiang time; carriers stamp Beijing time).
PRINCIPAL_ZONES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "AU": "Australia/Sydney",
        "BR": "America/Sao_Paulo",
        "CA": "America/Toronto",
        "CD": "Africa/Kinshasa",
        "CL": "America/Santiago",
        "CN": "Asia/Shanghai",
        "EC": "America/Guayaquil",
        "ES": "Europe/Madrid",
        "FM": "Pacific/Pohnpei",
        "GL": "America/Nuuk",
        "ID": "Asia/Jakarta",
        "KI": "Pacific/Tarawa",
        "MN": "Asia/Ulaanbaatar",
        "MX": "America/Mexico_City",
        "NZ": "Pacific/Auckland",
        "PF": "Pacific/Tahiti",
        "PG": "Pacific/Port_Moresby",
        "PT": "Europe/Lisbon",
        "RU": "Europe/Moscow",
        "UA": "Europe/Kyiv",
        "US": "America/New_York",
    }
)


def _cities(zone: str, names: str) -> dict[str, str]:
    return {name.strip(): zone for name in names.split(";") if name.strip()}


#: country -> city (as carriers spell it, any case and accents) -> zone.
CITY_ZONES: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "BR": {
            **_cities(
                "America/Sao_Paulo",
                "Sao Paulo; Rio de Janeiro; Brasilia; Belo Horizonte; Curitiba; Porto Alegre;"
                "Goiania; Campinas; Guarulhos; Cajamar; Barueri; Osasco; Santos; Florianopolis;"
                "Vitoria; Joinville; Londrina; Uberlandia; Ribeirao Preto; Sorocaba;"
                "Sao Jose dos Pinhais; Niteroi; Juiz de Fora; Jundiai",
            ),
            **_cities("America/Bahia", "Salvador; Feira de Santana; Vitoria da Conquista"),
            **_cities("America/Recife", "Recife; Jaboatao dos Guararapes; Olinda; Petrolina"),
            **_cities(
                "America/Fortaleza",
                "Fortaleza; Natal; Joao Pessoa; Sao Luis; Teresina; Campina Grande",
            ),
            **_cities("America/Maceio", "Maceio; Aracaju"),
            **_cities("America/Belem", "Belem; Ananindeua; Macapa"),
            **_cities("America/Araguaina", "Palmas; Araguaina"),
            **_cities("America/Manaus", "Manaus"),
            **_cities("America/Cuiaba", "Cuiaba; Varzea Grande"),
            **_cities("America/Campo_Grande", "Campo Grande; Dourados"),
            **_cities("America/Porto_Velho", "Porto Velho"),
            **_cities("America/Boa_Vista", "Boa Vista"),
            **_cities("America/Rio_Branco", "Rio Branco"),
            **_cities("America/Santarem", "Santarem"),
            **_cities("America/Noronha", "Fernando de Noronha"),
        },
        "US": {
            **_cities(
                "America/New_York",
                "New York; Jamaica; Brooklyn; Queens; Bronx; Newark; Jersey City; Philadelphia;"
                "Boston; Washington; Baltimore; Atlanta; Miami; Orlando; Tampa; Jacksonville;"
                "Charlotte; Raleigh; Columbus; Cleveland; Cincinnati; Pittsburgh; Buffalo;"
                "Detroit; Indianapolis; Louisville; Richmond; Norfolk; Hartford; Providence;"
                "Secaucus; Kearny; Edison",
            ),
            **_cities(
                "America/Chicago",
                "Chicago; Houston; Dallas; Fort Worth; San Antonio; Austin; Memphis; Nashville;"
                "Kansas City; Saint Louis; St. Louis; Minneapolis; Saint Paul; Milwaukee;"
                "New Orleans; Oklahoma City; Tulsa; Omaha; Des Moines; Little Rock; Wichita;"
                "Bensenville; Elk Grove Village",
            ),
            **_cities(
                "America/Denver", "Denver; Aurora; El Paso; Albuquerque; Salt Lake City; Billings"
            ),
            **_cities("America/Boise", "Boise"),
            **_cities("America/Phoenix", "Phoenix; Tucson; Mesa; Chandler; Scottsdale; Tempe"),
            **_cities(
                "America/Los_Angeles",
                "Los Angeles; San Diego; San Jose; San Francisco; Oakland; Sacramento; Fresno;"
                "Long Beach; Ontario; Riverside; San Bernardino; Seattle; Tacoma; Portland;"
                "Las Vegas; Reno; City of Industry",
            ),
            **_cities("America/Anchorage", "Anchorage; Fairbanks"),
            **_cities("America/Juneau", "Juneau"),
            **_cities("Pacific/Honolulu", "Honolulu"),
        },
        "CA": {
            **_cities(
                "America/Toronto",
                "Toronto; Mississauga; Brampton; Hamilton; Ottawa; Montreal; Laval; Quebec;"
                "Quebec City; Gatineau; London; Kitchener; Windsor; Markham; Vaughan",
            ),
            **_cities("America/Vancouver", "Vancouver; Surrey; Burnaby; Richmond; Victoria"),
            **_cities("America/Edmonton", "Calgary; Edmonton; Red Deer"),
            **_cities("America/Winnipeg", "Winnipeg"),
            **_cities("America/Regina", "Regina; Saskatoon"),
            **_cities("America/Halifax", "Halifax; Dartmouth; Charlottetown"),
            **_cities("America/Moncton", "Moncton; Saint John; Fredericton"),
            **_cities("America/St_Johns", "St. John's; Saint John's; St Johns"),
            **_cities("America/Whitehorse", "Whitehorse"),
            **_cities("America/Iqaluit", "Iqaluit"),
        },
        "RU": {
            **_cities(
                "Europe/Moscow",
                "Moscow; Moskva; Москва; Saint Petersburg; St. Petersburg; Sankt-Peterburg;"
                "Санкт-Петербург; Kazan; Nizhny Novgorod; Rostov-on-Don; Krasnodar; Voronezh;"
                "Vnukovo; Sheremetyevo; Podolsk; Tver; Yaroslavl; Tula; Sochi",
            ),
            **_cities("Europe/Kaliningrad", "Kaliningrad"),
            **_cities("Europe/Samara", "Samara; Tolyatti; Izhevsk"),
            **_cities("Europe/Volgograd", "Volgograd"),
            **_cities("Europe/Saratov", "Saratov"),
            **_cities("Europe/Ulyanovsk", "Ulyanovsk"),
            **_cities(
                "Asia/Yekaterinburg",
                "Yekaterinburg; Ekaterinburg; Chelyabinsk; Ufa; Perm; Tyumen; Orenburg",
            ),
            **_cities("Asia/Omsk", "Omsk"),
            **_cities("Asia/Novosibirsk", "Novosibirsk; Tolmachevo"),
            **_cities("Asia/Barnaul", "Barnaul"),
            **_cities("Asia/Tomsk", "Tomsk"),
            **_cities("Asia/Novokuznetsk", "Novokuznetsk; Kemerovo"),
            **_cities("Asia/Krasnoyarsk", "Krasnoyarsk"),
            **_cities("Asia/Irkutsk", "Irkutsk; Ulan-Ude"),
            **_cities("Asia/Chita", "Chita"),
            **_cities("Asia/Yakutsk", "Yakutsk"),
            **_cities("Asia/Vladivostok", "Vladivostok; Khabarovsk"),
            **_cities("Asia/Magadan", "Magadan"),
            **_cities("Asia/Sakhalin", "Yuzhno-Sakhalinsk"),
            **_cities("Asia/Kamchatka", "Petropavlovsk-Kamchatsky"),
        },
        "AU": {
            **_cities("Australia/Sydney", "Sydney; Canberra; Newcastle; Wollongong; Parramatta"),
            **_cities("Australia/Melbourne", "Melbourne; Geelong; Tullamarine"),
            **_cities(
                "Australia/Brisbane", "Brisbane; Gold Coast; Sunshine Coast; Townsville; Cairns"
            ),
            **_cities("Australia/Perth", "Perth"),
            **_cities("Australia/Adelaide", "Adelaide"),
            **_cities("Australia/Hobart", "Hobart; Launceston"),
            **_cities("Australia/Darwin", "Darwin; Alice Springs"),
            **_cities("Australia/Broken_Hill", "Broken Hill"),
        },
        "MX": {
            **_cities(
                "America/Mexico_City",
                "Mexico City; Ciudad de Mexico; CDMX; Mexico; Guadalajara; Puebla; Leon;"
                "Queretaro; Toluca; San Luis Potosi; Aguascalientes; Morelia; Veracruz;"
                "Acapulco; Oaxaca; Tlalnepantla",
            ),
            **_cities("America/Monterrey", "Monterrey; Saltillo; Torreon; Apodaca"),
            **_cities("America/Matamoros", "Matamoros; Reynosa; Nuevo Laredo"),
            **_cities("America/Cancun", "Cancun; Chetumal; Playa del Carmen"),
            **_cities("America/Merida", "Merida; Campeche"),
            **_cities("America/Chihuahua", "Chihuahua"),
            **_cities("America/Ciudad_Juarez", "Ciudad Juarez; Juarez"),
            **_cities("America/Mazatlan", "Mazatlan; Culiacan; La Paz; Tepic"),
            **_cities("America/Hermosillo", "Hermosillo"),
            **_cities("America/Tijuana", "Tijuana; Mexicali; Ensenada"),
            **_cities("America/Bahia_Banderas", "Puerto Vallarta; Bahia de Banderas"),
        },
        "ID": {
            **_cities(
                "Asia/Jakarta",
                "Jakarta; Surabaya; Bandung; Medan; Semarang; Palembang; Tangerang; Bekasi;"
                "Depok; Bogor; Yogyakarta; Malang; Batam; Padang; Pekanbaru",
            ),
            **_cities(
                "Asia/Makassar",
                "Makassar; Denpasar; Bali; Balikpapan; Samarinda; Manado; Mataram; Kupang;"
                "Banjarmasin",
            ),
            **_cities("Asia/Pontianak", "Pontianak; Palangkaraya"),
            **_cities("Asia/Jayapura", "Jayapura; Ambon; Sorong"),
        },
        "CN": _cities(
            "Asia/Shanghai",
            "Shanghai; Beijing; Guangzhou; Shenzhen; Dongguan; Yiwu; Hangzhou; Ningbo;"
            "Suzhou; Xiamen; Quanzhou; Fuzhou; Chengdu; Chongqing; Wuhan; Tianjin; Qingdao;"
            "Zhengzhou; Xi'an; Kunming; Nanjing; Foshan; Jinhua; Urumqi; Kashgar; Lhasa;"
            "Harbin; Shenyang",
        ),
    }
)


def fold_place(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a place name."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    for mark in ("_", "-", ".", "'", "’"):
        text = text.replace(mark, " ")
    return " ".join(text.casefold().split())


def _folded() -> dict[str, dict[str, str]]:
    return {
        country: {fold_place(city): zone for city, zone in cities.items()}
        for country, cities in CITY_ZONES.items()
    }


_FOLDED: Final = _folded()


def city_zone(country: str, city: str) -> str | None:
    """The zone of ``city`` in ``country`` when the table knows it, else None."""
    return _FOLDED.get(country.upper(), {}).get(fold_place(city))
