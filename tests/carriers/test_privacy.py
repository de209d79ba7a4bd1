"""Masking personal data (POLICY §4): what is found, how it is masked, what is left."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logix_carriers import (
    ProblemCode,
    Shipment,
    TrackingEvent,
    TrackProblem,
    TrackResult,
    mask_address,
    mask_email,
    mask_event,
    mask_field,
    mask_mapping,
    mask_name,
    mask_phone,
    mask_shipment,
    mask_text,
    personal_names,
)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138 **** 5678"),
        ("138-1234-5678", "138-****-5678"),
        ("+8613812345678", "+86138****5678"),
        ("+86 138 1234 5678", "+86 138 **** 5678"),
        ("+1 512-555-0199", "+1 512-***-0199"),
        ("(512) 555-0199", "(512) ***-0199"),
        ("+44 20 7946 0958", "+44 20 7*** 0958"),
        ("+49 30 1234567", "+49 30 ***4567"),
        ("010-12345678", "010-****5678"),
        ("12345", "12***"),
    ],
)
def test_a_phone_keeps_its_country_code_first_and_last_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked
    assert mask_phone(masked) == masked


def test_names_and_emails_keep_their_first_letter() -> None:
    assert mask_name("Johanna Smithfield") == "J*** S***"
    assert mask_name("Maria da Silva") == "M*** da S***"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_email("alice@example.com") == "a***@example.com"
    assert mask_email("13812345678@qq.com") == "1***@qq.com"
    assert mask_email("not an email") == "n***"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("1234 Elmwood Ave", "**** E*** Ave"),
        ("12 N. Main St, Apt 4B", "** N*** M*** St, Apt **"),
        ("Rua Augusta 1500, Lisboa", "Rua A*** ****, Lisboa"),
        ("Avenida Paulista, nº 1578", "Avenida P***, nº ****"),
        ("Calle de Alcalá 45", "Calle de A*** **"),
        ("12 rue de la Paix", "** rue de la P***"),
        ("Hauptstraße 5, 10115 Berlin", "H***straße *, 10115 Berlin"),
        ("Berliner Str. 12a", "B*** Str. ***"),
        ("Keizersgracht 123", "K***gracht ***"),
        ("北京市朝阳区建国路88号", "北京市朝阳区建*路**号"),
        ("上海市浦东新区张江路100号3号楼2单元501室", "上海市浦东新区张*路***号*号楼*单元***室"),
    ],
)
def test_street_addresses_lose_the_street_name_and_house_number(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_an_address_field_is_masked_even_when_no_street_is_recognised() -> None:
    assert mask_address("Flat 3, Rose Cottage") == "Flat *, R*** C***"
    assert mask_address("1234 Elmwood Ave, Austin") == "**** E*** Ave, Austin"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "Notice left for Johanna Smithfield, 1234 Elmwood Ave, call +1 512-555-0199",
            "Notice left for J*** S***, **** E*** Ave, call +1 512-***-0199",
        ),
        ("联系电话13812345678，已签收", "联系电话138****5678，已签收"),
        ("call 138 1234 5678 or 512.555.0199", "call 138 **** 5678 or 512.***.0199"),
        ("tel: 030 1234567", "tel: 030 ***4567"),
        ("write to alice@example.com", "write to a***@example.com"),
        ("Signed by J. SMITH", "Signed by J*** S***"),
        ("Signed for by Jan van der Berg at home", "Signed for by J*** van der B*** at home"),
        ("Contact: Maria da Silva", "Contact: M*** da S***"),
        ("签收人：张三 已签收", "签收人：张* 已签收"),
        ("收件人是李四先生", "收件人是李*先生"),
        ('{"recipient_name": "Johanna Smithfield"}', '{"recipient_name": "J*** S***"}'),
    ],
)
def test_free_text_is_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        # tracking numbers of UPS, China Post, JD, USPS, SF, FedEx, DHL, ZTO
        "1Z999AA10123456784",
        "LX123456789CN",
        "JD014600006181",
        "9400111899223344556677",
        "SF1234567890123",
        "123456789012",
        "1234567890",
        "75312345678901",
        "scan of JD014600006181 at 2026-03-01T10:00:00+08:00",
        "order ORD-2026-000123, amount 1234.56 EUR, +12345678.90",
        "2026-03-01 10:00:00 +0800",
        "Tel 2026-03-01",
        "call 9400111899223344556677",
        "Delivered to Front Door",
        "Left with neighbour",
        "Recipient not available",
        "签收人：本人",
        "Spring 2026 collection",
        "arrived at 10:00 at Leipzig hub, 3 pieces",
        "weight 13812345678901 g",
    ],
)
def test_identifiers_amounts_and_times_are_not_personal_data(text: str) -> None:
    assert mask_text(text) == text


def test_known_names_are_masked_wherever_they_occur() -> None:
    text = "Johanna not home; Smithfield family called"
    assert mask_text(text, names=["Johanna Smithfield"]) == "J*** not home; S*** family called"


def test_kept_strings_are_never_masked() -> None:
    # An 11-digit tracking number in a CN mobile's shape: the record's own number stays.
    text = "parcel 15012345678 at hub, call 13812345678"
    assert mask_text(text, keep=["15012345678"]) == "parcel 15012345678 at hub, call 138****5678"


def test_fields_are_masked_by_what_their_name_says() -> None:
    fields = {
        "recipient_name": "Johanna Smithfield",
        "recipientPhone": "+1 512-555-0199",
        "contact": "alice@example.com",
        "phone": 13812345678,
        "email": "alice@example.com",
        "delivery_address": "1234 Elmwood Ave",
        "recipient": {"name": "张三", "phone": "13812345678", "address": "建国路88号"},
        "note": "Johanna asked for the back door",
        "order_id": "13812345678",
        "tracking_number": "13812345678",
        "damage_ratio": 0.3,
        "photos": 2,
    }
    assert mask_mapping(fields) == {
        "recipient_name": "J*** S***",
        "recipientPhone": "+1 512-***-0199",
        "contact": "a***@example.com",
        "phone": "138****5678",
        "email": "a***@example.com",
        "delivery_address": "**** E*** Ave",
        "recipient": {"name": "张*", "phone": "138****5678", "address": "建*路**号"},
        "note": "J*** asked for the back door",
        "order_id": "13812345678",
        "tracking_number": "13812345678",
        "damage_ratio": 0.3,
        "photos": 2,
    }
    assert personal_names(fields) == ("Johanna Smithfield", "张三")
    assert mask_field("event.attributes.signed_by", "J. Smith") == "J*** S***"
    assert mask_field("lower(event.attributes.recipient_name)", "jo smith") == "j*** s***"


def test_an_event_keeps_its_identity_when_masked() -> None:
    event = TrackingEvent.parse(
        {
            "tracking_number": "1Z999AA10123456784",
            "carrier": "ups",
            "occurred_at": "2026-03-02T10:00:00Z",
            "status": "attempt_failed",
            "description": "Notice left for Johanna, call 13812345678",
            "attributes": {"recipient_name": "Johanna Smithfield", "attempts": 1},
            "source": {"system": "ups", "code": "X1", "text": "JOHANNA SMITHFIELD not home"},
        }
    )
    masked = mask_event(event)
    assert masked.description == "Notice left for J***, call 138****5678"
    assert masked.attributes == {"recipient_name": "J*** S***", "attempts": 1}
    assert masked.source.text == "J*** S*** not home"
    assert (masked.event_id, masked.occurred_at, masked.status) == (
        event.event_id,
        event.occurred_at,
        event.status,
    )
    assert event.description.startswith("Notice left for Johanna")  # the original is kept
    assert TrackingEvent.model_validate_json(masked.model_dump_json()) == masked


def test_a_shipment_without_personal_fields_is_unchanged() -> None:
    shipment = Shipment(tracking_number="13812345678", carrier="sf", order_id="13812345678")
    assert mask_shipment(shipment) is shipment


_FRAGMENTS = [
    "Notice left for Johanna Smithfield",
    "1234 Elmwood Ave",
    "call +1 512-555-0199",
    "13812345678",
    "138 1234 5678",
    "alice@example.com",
    "北京市朝阳区建国路88号",
    "签收人：张三",
    "Rua Augusta 1500",
    "Hauptstraße 5",
    "1Z999AA10123456784",
    "2026-03-01T10:00:00Z",
    "12.50 EUR",
    "Signed by J. SMITH",
    ", ",
    " ",
    "\n",
]


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=8))
def test_masking_is_idempotent(parts: list[str]) -> None:
    once = mask_text("".join(parts))
    assert mask_text(once) == once


@given(st.text(max_size=200))
def test_masking_never_raises_on_any_text(text: str) -> None:
    masked = mask_text(text)
    assert isinstance(masked, str)
    assert mask_text(masked, names=[text[:20]]) is not None


def test_a_problem_masks_its_message_and_raw_payload() -> None:
    raw = {
        "trackingNumber": "JD014600006181",
        "events": [{"desc": "Signed by J. Smith, tel 13812345678", "receiver": "张三"}],
        "line": '{"recipient_name": "Johanna Smithfield", "phone": "+1 512-555-0199"}',
    }
    problem = TrackProblem(
        "JD014600006181", ProblemCode.BAD_EVENT, "event dropped near alice@example.com", raw
    )
    shown = problem.as_dict()
    assert shown["raw"] == {
        "trackingNumber": "JD014600006181",
        "events": [{"desc": "Signed by J*** S***, tel 138****5678", "receiver": "张*"}],
        "line": '{"recipient_name": "J*** S***", "phone": "+1 512-***-0199"}',
    }
    assert shown["message"] == "event dropped near a***@example.com"
    assert "alice@" not in str(problem)
    assert problem.as_dict(mask=False)["raw"] == raw
    assert problem.raw == raw  # the object keeps what it was given


def test_a_track_result_masks_its_events_and_problems() -> None:
    event = TrackingEvent.parse(
        {
            "tracking_number": "LX123456789CN",
            "carrier": "file",
            "occurred_at": "2026-03-02T10:00:00Z",
            "status": "delivered",
            "description": "Delivered, signed by Johanna Smithfield",
            "attributes": {"signed_by": "Johanna Smithfield"},
        }
    )
    problem = TrackProblem("LX123456789CN", ProblemCode.PARTIAL_DATA, "call 13812345678")
    result = TrackResult.build("file", [event], [problem])
    masked = str(result.as_dict())
    assert "Johanna" not in masked
    assert "13812345678" not in masked
    assert "LX123456789CN" in masked
    raw = str(result.as_dict(mask=False))
    assert "Johanna Smithfield" in raw
    assert "13812345678" in raw


@pytest.mark.parametrize(
    "text",
    [
        "HANDED OVER TO AIRLINE, LONDON",
        "DELIVERY ATTEMPTED: RECIPIENT NOT AVAILABLE, NOTICE LEFT",
        "Shipment has not yet been handed over to DHL",
        "Notice Left (No Authorized Recipient Available)",
    ],
)
def test_carrier_texts_in_capitals_hold_no_names(text: str) -> None:
    assert mask_text(text) == text


def test_a_name_in_capitals_ends_at_a_common_word() -> None:
    text = "DELIVERED TO JOHN SMITH AT FRONT DOOR"
    assert mask_text(text) == "DELIVERED TO J*** S*** AT FRONT DOOR"
    assert mask_text("Signed by A. Smith") == "Signed by A*** S***"
