"""Tracking numbers in messages: formats, check digits, order numbers, width, grouping."""

from __future__ import annotations

import pytest

from logix_rules.intake import classify, find_tracking_numbers
from logix_rules.intake._text import fold


def numbers(text: str) -> list[tuple[str, str, str]]:
    return [(t.number, t.carrier, t.format) for t in classify(text).tracking_numbers]


@pytest.mark.parametrize(
    ("number", "carrier", "format_"),
    [
        ("1Z999AA10123456784", "ups", "ups"),
        ("LX123456785CN", "china-post", "s10"),
        ("RR776472582GB", "royal-mail", "s10"),
        ("NX177992296BR", "correios", "s10"),
        ("EC210521854US", "usps", "s10"),
        ("9400111201080805483016", "usps", "usps_impb"),
        ("92748931507708513018050063", "usps", "usps_impb"),
        ("00340434161094042557", "dhl", "dhl_paket"),
        ("3318810025", "dhl", "dhl_express"),
        ("JJD0099999999", "dhl", "dhl_piece"),
        ("GM2951173225174494", "dhl", "dhl_ecommerce"),
        ("LP00426407942607", "cainiao", "cainiao"),
        ("4PX30002767094098CN", "4px", "4px"),
        ("YT2229521272164446", "yunexpress", "yunexpress"),
        ("JD3972584441930", "jd", "jd"),
        ("JDVA21631111960", "jd", "jd"),
        ("SF4833541488181", "sf-express", "sf_express"),
    ],
)
def test_each_format_is_recognised(number: str, carrier: str, format_: str) -> None:
    assert numbers(f"my parcel {number} is late") == [(number, carrier, format_)]


@pytest.mark.parametrize(
    "number",
    [
        "LX123456789CN",  # the S10 check digit is 5, not 9
        "1Z999AA10123456785",  # UPS check digit
        "9400111201080805483017",  # IMpb check digit
        "3318810034",  # DHL Express mod 7
        "00340434161094042558",  # GS1 check digit
        "AB123456785XX",  # no country XX
    ],
)
def test_a_wrong_check_digit_is_not_a_tracking_number(number: str) -> None:
    assert numbers(f"parcel {number}") == []


@pytest.mark.parametrize(
    "text",
    [
        "Order no. 7010875266 has not arrived",  # mod-7 valid, but it says order
        "Pedido 6863166531 não chegou",
        "Bestellnummer 9899745354",
        "Commande n° 7392731975",
        "订单号 7010875266",
        "invoice 2394246466",
    ],
)
def test_order_numbers_that_look_like_tracking_numbers_are_left_out(text: str) -> None:
    assert numbers(text) == []


def test_a_tracking_cue_closer_than_the_order_cue_wins() -> None:
    assert numbers("order 55, tracking 7010875266") == [("7010875266", "dhl", "dhl_express")]


def test_numbers_with_a_check_digit_are_kept_after_an_order_cue() -> None:
    assert numbers("Hello, order LX869879736CN arrived broken")[0][0] == "LX869879736CN"


def test_full_width_grouped_and_lower_case_numbers() -> None:
    assert numbers("单号ＵＡ３４７７８７６８５ＣＮ")[0][0] == "UA347787685CN"
    assert numbers("USPS 9400 1112 0108 0805 4830 16 please")[0][0] == "9400111201080805483016"
    assert numbers("lx123456785cn")[0][0] == "LX123456785CN"


def test_spans_point_into_the_original_text_and_each_number_is_listed_once() -> None:
    text = "Ｎº ＬＸ１２３４５６７８５ＣＮ and again LX123456785CN"
    found = classify(text).tracking_numbers
    assert len(found) == 1
    assert text[found[0].start : found[0].end] == found[0].text == "ＬＸ１２３４５６７８５ＣＮ"


def test_find_tracking_numbers_works_on_folded_text_alone() -> None:
    (number,) = find_tracking_numbers(fold("see 1Z999AA10123456784", {}))
    assert number.number == "1Z999AA10123456784"


def test_prefixed_numbers_written_in_groups_as_labels_print_them() -> None:
    # Found blind: heldout7 wrote nine of its 196 numbers this way (issue 17).
    assert numbers("Sendungsnummer RR 656 974 477 DE, bitte") == [
        ("RR656974477DE", "deutsche-post", "s10")
    ]
    assert numbers("Nummer LX 852 881 792 DE.")[0][0] == "LX852881792DE"
    assert numbers("Sendungsnr. 1Z SAD 5D8 03 6830 9493")[0][0] == "1ZSAD5D80368309493"
    assert numbers("单号 RR 695 145 738 CN")[0][0] == "RR695145738CN"
    text = "suivi LA 088 325 446 FR merci"
    (found,) = classify(text).tracking_numbers
    assert text[found.start : found.end] == found.text == "LA 088 325 446 FR"


def test_grouped_look_alikes_stay_out() -> None:
    assert numbers("Sendungsnummer RR 656 974 478 DE") == []  # wrong check digit
    assert numbers("Nummer LX 852 881 792 XQ") == []  # no such country
    assert numbers("call me on 0151 234 567 89 or 12 345 678 901") == []
    assert numbers("it is 12 km and 3 of 4 boxes, ref AB 12 CD 34") == []
