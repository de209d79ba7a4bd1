"""SMS length: GSM-7 (160, then 153 a segment) and UCS-2 (70, then 67), extension
characters as two septets, and folding to GSM-7 only where it makes the text GSM-7."""

from __future__ import annotations

import pytest

from logix_rules.messages import count_sms, fold_to_gsm


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # the extension table: two septets each
        ("€" * 81, "GSM-7", 162, 2),
        ("Olá, São Paulo", "UCS-2", 14, 1),
        ("ä" * 160, "GSM-7", 160, 1),  # ä is in the basic alphabet
        ("包" * 70, "UCS-2", 70, 1),
        ("包" * 71, "UCS-2", 71, 2),
        ("包" * 134, "UCS-2", 134, 2),
        ("包" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),  # astral characters take two code units
    ],
)
def test_counts(text: str, encoding: str, units: int, segments: int) -> None:
    count = count_sms(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


def test_two_unit_characters_are_not_split() -> None:
    # 152 septets, then an escape pair: it does not fit the first segment's last septet.
    assert count_sms("a" * 152 + "€" + "a" * 150).segments == 2
    assert count_sms("a" * 152 + "€" + "a" * 153).segments == 3
    # 66 code units and a surrogate pair: the pair starts the second segment.
    assert count_sms("包" * 66 + "😀" + "包" * 65).segments == 2
    assert count_sms("包" * 66 + "😀" + "包" * 66).segments == 3


def test_folding() -> None:
    assert (
        fold_to_gsm("Sua encomenda não chegou até às 18h.")
        == "Sua encomenda nao chegou até às 18h."
    )  # é, à are GSM-7
    assert fold_to_gsm("R$\u00a018,50 – “ok”…") == 'R$ 18,50 - "ok"...'
    assert fold_to_gsm("Müller, Señor, café") == "Müller, Señor, café"  # GSM-7 already
    assert fold_to_gsm("您的包裹已丢失") == "您的包裹已丢失"  # UCS-2 as written
    # An emoji has no GSM-7 form: the text keeps its accents and goes out in UCS-2.
    assert fold_to_gsm("Não chegou 😞") == "Não chegou 😞"
