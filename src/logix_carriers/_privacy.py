"""Masking personal data in fields, payloads, events and shipments (POLICY §4).

A field's name says what it holds: ``recipient_name`` a name, ``contact_phone`` a
phone, ``email`` an e-mail, ``delivery_address`` an address.  Those values get their
own mask; every other string is free text (see ``mask_text``), and identifiers and
codes (``tracking_number``, ``order_id``, ``status``) are left as they are.  Nested
payloads are walked: inside a person (``"recipient": {...}``) a bare ``name`` is a
name too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from ._model import Shipment, TrackingEvent
from ._privacy_fields import field_kind, is_person
from ._privacy_text import mask_address, mask_email, mask_name_field, mask_phone, mask_text

__all__ = [
    "mask_event",
    "mask_field",
    "mask_mapping",
    "mask_shipment",
    "personal_names",
]


def mask_field(
    key: str,
    value: Any,
    *,
    names: Iterable[str] = (),
    keep: Iterable[str] = (),
    in_person: bool = False,
) -> Any:
    """``value`` masked as what the field ``key`` holds; other types pass unchanged.

    Numbers in phone fields become masked strings; a mapping or list is walked.
    ``names`` and ``keep`` are passed to ``mask_text`` for free text.
    """
    if type(value) in _UNMASKED:
        return value  # not a phone field's number (below): nothing masks these
    if isinstance(value, Mapping):
        person = in_person or is_person(key)
        return mask_mapping(value, names=names, keep=keep, in_person=person)
    if isinstance(value, list | tuple):
        return [mask_field(key, v, names=names, keep=keep, in_person=in_person) for v in value]
    kind = field_kind(key, in_person=in_person)
    if kind == "identifier":
        return value
    if kind == "phone" and isinstance(value, int) and not isinstance(value, bool):
        return mask_phone(str(value))
    if not isinstance(value, str):
        return value
    if kind == "name":
        return mask_name_field(value)
    if kind == "phone":
        return mask_phone(value)
    if kind == "email":
        return mask_email(value)
    if kind == "address":
        return mask_address(value)
    return mask_text(value, names=names, keep=keep)


def mask_mapping(
    fields: Mapping[Any, Any],
    *,
    names: Iterable[str] = (),
    keep: Iterable[str] = (),
    in_person: bool = False,
) -> dict[Any, Any]:
    """A copy of ``fields`` (event attributes, a raw payload) with personal data masked.

    Names found in the mapping's own name fields are also masked in its free text.
    """
    known = (*names, *personal_names(fields, in_person=in_person))
    keep = tuple(keep)
    return {
        key: mask_field(str(key), value, names=known, keep=keep, in_person=in_person)
        for key, value in fields.items()
    }


def personal_names(fields: Mapping[Any, Any], *, in_person: bool = False) -> tuple[str, ...]:
    """The names held in the name fields of ``fields`` (walked like ``mask_mapping``)."""
    found: list[str] = []
    for key, value in fields.items():
        if isinstance(value, str):  # the common case first: no ``Mapping`` check (slow)
            # (``field_kind`` is looked up faster without a keyword)
            kind = field_kind(str(key), in_person=True) if in_person else field_kind(str(key))
            if kind == "name" and not _NOT_A_NAME.search(value):
                found.append(value)
        elif type(value) in _UNMASKED or type(value) is int:
            continue  # neither a name nor a mapping
        elif isinstance(value, Mapping):
            person = in_person or is_person(str(key))
            found.extend(personal_names(value, in_person=person))
    return tuple(found)


#: Types no mask changes (an ``int`` is masked in a phone field, so it is not here).
_UNMASKED: Final = frozenset({bool, float, type(None)})


# A name field holding a phone or an e-mail (``contact``) holds no name.
_NOT_A_NAME: Final = re.compile(r"[\d@]")


def mask_event(event: TrackingEvent, *, names: Iterable[str] = ()) -> TrackingEvent:
    """A copy of ``event`` with its description, attributes and source text masked.

    The id, times, codes and location stay, so the copy is still the same event.
    """
    known = (*names, *personal_names(event.attributes))
    keep = (event.tracking_number,)
    update: dict[str, Any] = {
        "description": mask_text(event.description, names=known, keep=keep),
        "attributes": mask_mapping(event.attributes, names=known, keep=keep),
    }
    if event.source.text:
        update["source"] = event.source.model_copy(
            update={"text": mask_text(event.source.text, names=known, keep=keep)}
        )
    return event.model_copy(update=update)


def mask_shipment(shipment: Shipment, *, names: Iterable[str] = ()) -> Shipment:
    """A copy of ``shipment`` whose personal fields (if any) are masked."""
    keep = (shipment.tracking_number,)
    update = {
        name: mask_field(name, value, names=names, keep=keep)
        for name in type(shipment).model_fields
        if isinstance(value := getattr(shipment, name), str)
    }
    changed = {k: v for k, v in update.items() if v != getattr(shipment, k)}
    return shipment.model_copy(update=changed) if changed else shipment
