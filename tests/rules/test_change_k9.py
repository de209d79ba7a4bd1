"""``Change`` as a plain slotted class (issue 15): the kernel hands it its instant as
microseconds and the ``datetime`` is made on first read; it stays read-only, equal,
printable and copyable as the frozen class it replaced."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import attrs
import pytest

from logix_rules import Change, ChangeType, Engine, generate_demo, load_pack
from logix_rules.core._durations import from_micros, to_micros
from logix_rules.runtime._incidents import change_instant

_MICROS = to_micros(datetime(2026, 3, 2, 8, 30, 0, 123456, tzinfo=UTC))


def _units() -> list[list[Change]]:
    """The changes of a demo stream's ingest and of an advance after it."""
    data = generate_demo(seed=3, shipments=40)
    engine = Engine(load_pack("default"))
    for shipment in data.shipments:
        engine.upsert_shipment(shipment)
    units = [engine.ingest(list(data.events)), engine.advance(to=data.at)]
    assert all(len(unit) > 10 for unit in units)
    return units


def _changes() -> list[Change]:
    return [change for unit in _units() for change in unit]


def test_the_kernel_hands_changes_their_instant_unmade() -> None:
    units = _units()
    changes = [change for unit in units for change in unit]
    # Not read yet: the instant is still the kernel's int (no datetime was made), and
    # the engine ordered each unit's changes by it without making one either.
    assert all(type(c._at) is int for c in changes)
    for unit in units:
        assert [change_instant(c) for c in unit] == sorted(change_instant(c) for c in unit)
    for change in changes:
        micros = change._at
        assert change.at == from_micros(micros)  # type: ignore[arg-type]
        assert change.at.tzinfo is UTC
        assert change_instant(change) == micros
        assert change.at is change.at  # made once


def test_an_instant_in_micros_reads_as_its_datetime() -> None:
    incident = _changes()[0].incident
    by_micros = Change(ChangeType.UPDATED, incident, _MICROS)
    by_datetime = Change(ChangeType.UPDATED, incident, from_micros(_MICROS))
    assert by_micros.id == by_datetime.id  # the id from the int, the datetime not made
    assert type(by_micros._at) is int
    assert by_micros == by_datetime
    assert repr(by_micros) == repr(by_datetime)
    assert by_micros.to_dict() == by_datetime.to_dict()
    assert change_instant(by_datetime) == change_instant(by_micros) == _MICROS


@pytest.mark.parametrize("name", ["type", "incident", "at", "seq", "id"])
def test_its_attributes_cannot_be_set_or_deleted(name: str) -> None:
    change = _changes()[0]
    before = repr(change)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(change, name, None)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        delattr(change, name)
    assert repr(change) == before


def test_it_evolves_copies_and_matches_as_before() -> None:
    for change in _changes()[:10]:
        stored = attrs.evolve(change, seq=5)
        assert (stored.seq, stored.id, stored.at) == (5, change.id, change.at)
        assert stored == change
        assert copy.copy(change) == change
        assert copy.copy(stored).seq == 5
        match change:
            case Change(kind, incident, at):
                assert (kind, incident, at) == (change.type, change.incident, change.at)
            case _:  # pragma: no cover
                pytest.fail("a change matches its three positional fields")
