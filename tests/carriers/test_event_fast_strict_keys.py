"""The shortcut's memos (key orders, locations, sources) find entries with ``==`` and
``hash``, which Python hands to a foreign object's ``__eq__`` and ``__hash__``.  An
object that poses as a field name, a location or a source value (a non-``str``, or a
``str`` subclass that lies about its characters) must get what ``model_validate``
gives it, never the remembered string's event."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from logix_carriers import TrackingEvent
from logix_carriers._model import build_event

GOOD: dict[str, Any] = {
    "tracking_number": "1Z7VATW80245956641",
    "carrier": "ups",
    "occurred_at": "2026-03-01T12:47:00-07:00",
    "stage": "pre_transit",
    "status": "info_received",
    "location": {"country": "US", "city": "Denver"},
    "description": "Shipment information received",
    "attributes": {},
    "source": {
        "system": "ups",
        "status": "M",
        "code": "MP",
        "text": "Shipment information received",
    },
    "event_id": "ev_ce9a6ae551c65499f069",
}


class Posing:
    """Hashes and compares like the string it poses as, and is no ``str``."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __hash__(self) -> int:
        return hash(self.text)

    def __eq__(self, other: object) -> bool:
        return other == self.text


class Lying(str):
    """A ``str`` whose characters are ``real`` and whose ``__eq__``/``__hash__`` say ``posed``."""

    posed: str

    def __new__(cls, real: str, posed: str) -> Lying:
        made = super().__new__(cls, real)
        made.posed = posed
        return made

    def __hash__(self) -> int:
        return hash(self.posed)

    def __eq__(self, other: object) -> bool:
        return other == self.posed


class OwnHash(str):
    """The characters of a field name, another hash: a dict never finds it by that name."""

    def __hash__(self) -> int:
        return 12345


def _key(data: dict[str, Any], name: str, new: object) -> dict[Any, Any]:
    return {(new if k == name else k): v for k, v in data.items()}


def _in(part: str, data: dict[str, Any]) -> dict[str, Any]:
    return {**GOOD, part: data}


LOCATION, SOURCE = GOOD["location"], GOOD["source"]
CASES = {
    "event key": _key(GOOD, "description", Posing("description")),
    "event key, lying str": _key(GOOD, "description", Lying("descriptionX", "description")),
    "event key, own hash": _key(GOOD, "description", OwnHash("description")),
    "location key": _in("location", _key(LOCATION, "country", Posing("country"))),
    "location key, lying str": _in("location", _key(LOCATION, "city", Lying("cityX", "city"))),
    "location key, own hash": _in("location", _key(LOCATION, "city", OwnHash("city"))),
    "location value": _in("location", {**LOCATION, "city": Posing("Denver")}),
    "location value, lying str": _in("location", {**LOCATION, "city": Lying("Boulder", "Denver")}),
    "country, lying str": _in("location", {**LOCATION, "country": Lying("DE", "US")}),
    "source key": _in("source", _key(SOURCE, "code", Posing("code"))),
    "source key, lying str": _in("source", _key(SOURCE, "code", Lying("codeX", "code"))),
    "source value": _in("source", {**SOURCE, "status": Posing("M")}),
    "source value, lying str": _in("source", {**SOURCE, "status": Lying("X", "M")}),
}


def _outcome(validate: Any, data: dict[Any, Any]) -> Any:
    try:
        event = validate(data)
    except ValidationError as exc:
        return [(e["type"], e["loc"]) for e in exc.errors()]
    return event, event.model_fields_set, event.location, event.source


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_posing_key_or_value_gets_what_the_validator_gives(name: str) -> None:
    assert build_event(dict(GOOD)) is not None  # every memo now holds the real strings
    data = CASES[name]
    assert build_event(data) is None  # declined: the full validator decides
    assert _outcome(TrackingEvent.parse, data) == _outcome(TrackingEvent.model_validate, data)


def test_a_plain_str_subclass_key_is_read_like_the_validator() -> None:
    """An honest subclass is valid; the shortcut may decline it, never change it."""
    data = _key(GOOD, "description", type("Honest", (str,), {})("description"))
    assert _outcome(TrackingEvent.parse, data) == _outcome(TrackingEvent.model_validate, data)


class _Key(str):
    __slots__ = ()


class _Holder:
    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


def _dicts() -> list[dict[Any, Any]]:
    """Dicts made in every way a caller's could be: grown, presized, parsed, copied,
    shrunk by deletions from a bigger table, an instance's split dict, with keys of
    other types, and the same with a key that is a ``str`` subclass."""
    import json

    out: list[dict[Any, Any]] = []
    for n in (0, 1, 2, 5, 6, 10, 11, 21, 22, 42, 43, 85, 86, 170, 171, 700):
        names = [f"field{i}" for i in range(n)]
        grown: dict[Any, Any] = {}
        for name in names:
            grown[name] = None
        out += [
            grown,
            dict.fromkeys(names),
            dict(zip(names, range(n), strict=True)),
            json.loads(json.dumps(dict.fromkeys(names))),
            grown.copy(),
            {**grown},
        ]
        big = {f"extra{i}": None for i in range(2 * n + 100)} | grown
        for i in range(2 * n + 100):
            del big[f"extra{i}"]
        out.append(big)
        for odd in (_Key("odd"), 7, None, ("a",), 1.5):
            mixed = dict(grown)
            mixed[odd] = None
            out.append(mixed)
            grown_mixed: dict[Any, Any] = {odd: None}
            grown_mixed.update(grown)
            out.append(grown_mixed)
            shrunk = {odd: None, **{f"extra{i}": None for i in range(n + 50)}}
            for i in range(n + 50):
                del shrunk[f"extra{i}"]
            shrunk.update(grown)
            out.append(shrunk)
            out.append({**dict.fromkeys(names), odd: None})
    out.append(vars(_Holder(city="Denver", country="US")))
    split = vars(_Holder(city="Denver"))
    split[_Key("posing")] = None  # an instance dict made general
    out.append(split)
    return out


def test_the_one_call_key_check_agrees_with_checking_each_key() -> None:
    # The shortcut takes a dict's size (dict.__sizeof__) as proof that its keys are
    # all exact str only for sizes no dict with another key has (_event_fast); this
    # checks that proof on this interpreter against the key-by-key answer.
    from logix_carriers import _event_fast

    for data in _dicts():
        exact = all(type(key) is str for key in data)
        assert _event_fast._str_keys(data) is exact, (len(data), type(data), list(data)[:3])
        if not exact:
            assert dict.__sizeof__(data) not in _event_fast._STR_KEY_SIZES
