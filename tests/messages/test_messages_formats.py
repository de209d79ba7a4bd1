"""Amounts and times as the recipient reads them: Babel's currency and date formats,
in the recipient's zone, with the locale following the template's language."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from babel import Locale

from logix_rules.messages import MessageError, language_chain, render
from logix_rules.messages._formats import format_amount, format_moment
from logix_rules.messages._languages import formatting_locale, normal_tag
from logix_rules.messages._samples import Sample
from logix_rules.runtime._incidents import Remedy, RemedyItem

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("18.50", "BRL", "pt_BR", f"R${NBSP}18,50"),
        ("18.50", "EUR", "de_DE", f"18,50{NBSP}€"),
        ("18.50", "EUR", "fr_FR", f"18,50{NBSP}€"),
        ("18.50", "CNY", "zh_CN", "¥18.50"),
        ("18.50", "USD", "en", "$18.50"),
        ("12.50", "EUR", "es", f"12,50{NBSP}€"),
        ("1218.50", "EUR", "de", f"1.218,50{NBSP}€"),
        ("7", None, "de", "7,00"),
    ],
)
def test_amounts(amount: str, currency: str | None, locale: str, expected: str) -> None:
    assert format_amount(Decimal(amount), currency, Locale.parse(locale)) == expected


@pytest.mark.parametrize(
    ("zone", "locale", "expected"),
    [
        ("America/Sao_Paulo", "pt_BR", "16 de mar. de 2026 09:00 -03:00 GMT"),
        ("Europe/Berlin", "de", "16.03.2026, 13:00 GMT+01:00"),
        ("Asia/Shanghai", "zh_CN", "2026年3月16日 20:00 GMT+08:00"),
        ("America/New_York", "en", "Mar 16, 2026, 8:00\u202fAM GMT-04:00"),
    ],
)
def test_moments_in_the_recipients_zone(zone: str, locale: str, expected: str) -> None:
    moment = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
    assert format_moment(moment, ZoneInfo(zone), Locale.parse(locale)) == expected


def _priced(sample: Sample, currency: str) -> Sample:
    remedy = Remedy(
        "freight_coupon",
        "Send the customer a freight coupon.",
        (RemedyItem("freight_coupon", Decimal("18.50"), currency, "marketing"),),
    )
    return attrs.evolve(sample, incident=attrs.evolve(sample.incident, remedy=remedy))


@pytest.mark.parametrize(
    ("lang", "currency", "shown"),
    [
        ("pt-BR", "BRL", f"R${NBSP}18,50"),
        ("de", "EUR", f"18,50{NBSP}€"),
        ("fr", "EUR", f"18,50{NBSP}€"),
        ("zh-CN", "CNY", "¥18.50"),
        ("en", "USD", "$18.50"),
    ],
)
def test_remedy_amounts_in_messages(
    lang: str, currency: str, shown: str, samples: dict[str, Sample]
) -> None:
    sample = _priced(samples["delivery_delay"], currency)
    message = render(sample.incident, audience="customer", lang=lang, tz="UTC")
    assert shown in message.body
    sms = render(sample.incident, audience="customer", lang=lang, channel="sms", tz="UTC")
    # No-break spaces would make an SMS UCS-2: the SMS has plain spaces.
    assert shown.replace(NBSP, " ") in sms.body
    assert NBSP not in sms.body


def test_deadlines_in_the_recipients_zone(samples: dict[str, Sample]) -> None:
    sample = samples["customs_hold"]  # documents due 2026-03-04 14:00 UTC
    assert sample.incident.deadlines["documents"] == datetime(2026, 3, 4, 14, tzinfo=UTC)
    br = render(sample.incident, audience="customer", lang="pt-BR", shipment=sample.shipment)
    assert br.tz == "America/Sao_Paulo"
    assert "4 de mar. de 2026 11:00 -03:00 GMT" in br.body
    cn = render(sample.incident, audience="customer", lang="zh", tz="Asia/Shanghai")
    assert "2026年3月4日 22:00 GMT+08:00" in cn.body
    # The carrier's default zone is the origin's (CN), the internal desk's UTC.
    carrier = render(sample.incident, audience="carrier", lang="en", shipment=sample.shipment)
    assert carrier.tz == "Asia/Shanghai"
    internal = render(sample.incident, audience="internal", lang="en", shipment=sample.shipment)
    assert internal.tz == "UTC"
    assert "Mar 4, 2026, 2:00\u202fPM GMT+00:00" in internal.body


def test_the_locale_follows_the_recipient_within_the_templates_language(
    samples: dict[str, Sample],
) -> None:
    sample = samples["customs_hold"]
    pt_pt = render(sample.incident, audience="customer", lang="pt-PT", tz="Europe/Lisbon")
    assert (pt_pt.lang, pt_pt.locale) == ("pt-BR", "pt_PT")  # Portugal's formats
    ja = render(sample.incident, audience="customer", lang="ja", tz="Asia/Tokyo")
    assert (ja.lang, ja.locale) == ("en", "en")  # no Japanese month names in English text
    assert formatting_locale("de-AT", "de") == Locale.parse("de_AT")


def test_language_tags_and_chains() -> None:
    assert normal_tag("pt_br") == "pt-BR"
    assert normal_tag("zh-hant-tw") == "zh-Hant-TW"
    assert language_chain("zh-Hant-TW") == ("zh-Hant-TW", "zh-Hant", "zh", "en")
    assert language_chain("pt-PT", ["pt-BR", "de"]) == ("pt-PT", "pt", "pt-BR", "en")
    assert language_chain("pt-BR", ["pt-BR"]) == ("pt-BR", "pt", "en")
    with pytest.raises(MessageError) as caught:
        normal_tag("english please")
    assert caught.value.loc == "lang"


def test_a_bad_zone_is_named(samples: dict[str, Sample]) -> None:
    with pytest.raises(MessageError) as caught:
        render(samples["lost"].incident, audience="customer", lang="en", tz="Mars/Olympus")
    assert caught.value.loc == "tz"
    assert caught.value.code.value == "bad_message_option"
