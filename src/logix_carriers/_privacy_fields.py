"""What a field holds, read from its name: ``recipient_name`` a name, ``contact_phone``
a phone, ``email`` an e-mail, ``delivery_address`` an address, ``order_id`` an
identifier; anything else is free text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final, Literal

__all__ = ["FieldKind", "field_kind", "is_person", "word_set"]


def word_set(text: str) -> frozenset[str]:
    """The words of ``text``: the word tables below read better written as prose."""
    return frozenset(text.split())


#: What a field holds, by its name.
FieldKind = Literal["name", "phone", "email", "address", "identifier", "text"]

_PEOPLE: Final = word_set(
    "recipient receiver consignee addressee contact signer signatory customer buyer "
    "client sender person attention attn 收件人 收货人 签收人 联系人 代收人 寄件人"
)
_NAME_PARTS: Final = word_set("name names fullname full first last given family surname")
_NAME_KEYS: Final = word_set(
    "signed_by received_by collected_by delivered_to left_with signature signee "
    "first_name last_name full_name given_name family_name surname 姓名"
)
_PHONE_WORDS: Final = word_set(
    "phone telephone tel mobile cell cellphone fax msisdn whatsapp 电话 手机"
)
_ADDRESS_WORDS: Final = word_set(
    "address addr address1 address2 address3 street street1 street2 地址 住址"
)
_IDENTIFIERS: Final = word_set(
    "tracking_number tracking_numbers waybill awb carrier status substatus stage "
    "reason code system currency country origin_country destination_country lane"
)


@lru_cache(maxsize=4096)
def field_kind(key: str, *, in_person: bool = False) -> FieldKind:
    """What the field ``key`` holds (``event.attributes.recipientPhone`` → ``phone``).

    ``in_person`` says the field sits inside a person's record, where ``name`` and
    ``first`` are names.
    """
    last = re.split(r"[.\[]", key.rstrip("])'\" "))[-1]
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", last).casefold()
    normal = "_".join(w for w in re.split(r"[^\w]+|_", snake) if w)
    words = set(normal.split("_"))
    if normal in _IDENTIFIERS or normal.endswith("_id") or normal == "id":
        return "identifier"
    if "email" in words or ("mail" in words and words & {"e", "address"}) or "邮箱" in normal:
        return "email"
    if words & _PHONE_WORDS or any(w in normal for w in ("电话", "手机")):
        return "phone"
    if words & _ADDRESS_WORDS or "地址" in normal:
        return "address"
    if normal in _NAME_KEYS or normal in _PEOPLE:
        return "name"
    if words & _PEOPLE and words & _NAME_PARTS:
        return "name"
    if in_person and (words & _NAME_PARTS):
        return "name"
    return "text"


def is_person(key: str) -> bool:
    """True when the field ``key`` holds a person (``recipient``), whose own fields
    (``name``) are then personal too."""
    return field_kind(key) == "name" or key.casefold() in _PEOPLE
