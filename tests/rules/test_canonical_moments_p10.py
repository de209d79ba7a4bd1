"""A snapshot's instants are shared datetimes (``runtime/_moments.py``) whose JSON text
is kept with them; the canonical JSON reads that text by the object's identity.  It
must be what ``isoformat`` writes, or change ids would move."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from canonical_text import generic
from logix_rules import Engine, generate_demo, load_pack
from logix_rules.core._durations import from_micros, to_micros
from logix_rules.runtime import _moments
from logix_rules.runtime._canonical import _time
from logix_rules.runtime._incidents import incident_content


def iso_json(moment: datetime) -> str:
    return json.dumps(moment.isoformat().replace("+00:00", "Z"))


EDGES = [
    0,
    1,
    -1,
    999_999,
    1_000_000,
    1_764_770_709_250_000,  # with microseconds
    to_micros(datetime.fromisoformat("0999-12-31T23:59:59+00:00")),  # year below 1000
    to_micros(datetime.fromisoformat("0001-01-02T00:00:00+00:00")),
    to_micros(datetime.fromisoformat("9999-12-30T00:00:00+00:00")),
    10**20,  # beyond a datetime: from_micros saturates
    -(10**20),
]


@pytest.mark.parametrize("micros", EDGES)
def test_an_instant_writes_as_isoformat_and_is_one_object(micros: int) -> None:
    made = _moments.shared_moment(micros)
    assert made == from_micros(micros)
    assert made.tzinfo is from_micros(micros).tzinfo
    assert _moments.shared_moment(micros) is made
    assert _time(made) == iso_json(made)


@given(st.integers(-(2**63), 2**63))
def test_any_instant_writes_as_isoformat(micros: int) -> None:
    made = _moments.shared_moment(micros)
    assert made == from_micros(micros)
    assert _time(made) == iso_json(made)


def test_an_equal_datetime_not_made_here_writes_the_same() -> None:
    made = _moments.shared_moment(1_764_770_709_250_000)
    other = from_micros(1_764_770_709_250_000)
    assert other is not made
    assert _time(other) == _time(made) == iso_json(made)


def test_snapshots_write_the_generic_text_while_the_memo_starts_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A bound of 3 clears the memo every few instants: a text is read only for the
    # very object it was made with, so a cleared entry is made again, never misread.
    monkeypatch.setattr(_moments, "_LIMIT", 3)
    data = generate_demo(seed=9, shipments=120)
    engine = Engine(load_pack("default"))
    changes = engine.ingest(list(data.events)) + engine.advance(to=data.at)
    assert changes
    for change in changes:
        incident = change.incident
        assert incident_content(incident) == generic(incident)
    assert len(_moments.MOMENTS) <= 3
