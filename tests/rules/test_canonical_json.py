"""The canonical JSON of an incident (what change ids digest, what a store writes) is
written from its fields by ``runtime/_canonical.py``; it must be the very text of the
generic encoder over ``to_dict(mask=False)``, or change ids would move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from canonical_text import generic
from logix_rules import Engine, generate_demo, load_pack
from logix_rules.runtime._incidents import (
    Escalation,
    Evidence,
    EvidenceEvent,
    Incident,
    IncidentState,
    Remedy,
    RemedyItem,
    change_id,
    incident_content,
)


def test_every_demo_change_writes_the_generic_text() -> None:
    data = generate_demo(seed=5, shipments=300)
    engine = Engine(load_pack("default"))
    changes = engine.ingest(list(data.events)) + engine.advance(to=data.at)
    assert changes
    for change in changes:
        assert incident_content(change.incident) == generic(change.incident)


odd = st.sampled_from('"\\\x00\x1f\n\u2028é\ud800')  # escapes, a separator, a surrogate
text = st.text(st.characters(codec="utf-8") | odd, max_size=12)
opt_text = st.none() | text
zones = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))])
moments = st.builds(
    lambda micros, zone: (
        datetime(2024, 1, 1, tzinfo=UTC).astimezone(zone) + timedelta(microseconds=micros)
    ),
    st.integers(0, 10**13),
    zones,
)
opt_moment = st.none() | moments
values = st.dictionaries(
    text,
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | text
    | st.decimals(allow_nan=False, places=2)
    | st.tuples(st.integers(), text)
    | moments,
    max_size=4,
)
evidence = st.builds(
    Evidence,
    text,
    st.integers(0, 9),
    values.map(MappingProxyType),
    st.lists(st.builds(EvidenceEvent, text, moments, text, opt_text, text, text), max_size=3).map(
        tuple
    ),
)
remedy = st.none() | st.builds(
    Remedy,
    text,
    text,
    st.lists(
        st.builds(
            RemedyItem,
            text,
            st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=2),
            opt_text,
            opt_text,
            st.sampled_from(["merchant", "carrier", "insurer"]),
        ),
        max_size=2,
    ).map(tuple),
    st.booleans(),
)


@st.composite
def incidents(draw: Any) -> Incident:
    return Incident(
        id=draw(text),
        tracking_number=draw(text),
        carrier=draw(text),
        kind=draw(text),
        severity=draw(text),
        rules=tuple(draw(st.lists(text, max_size=3))),
        opened_at=draw(moments),
        respond_by=draw(moments),
        resolve_by=draw(moments),
        escalate_at=draw(moments),
        deadlines=MappingProxyType(draw(st.dictionaries(text, moments, max_size=3))),
        remedy=draw(remedy),
        evidence=draw(evidence),
        explanation=draw(text),
        state=draw(st.sampled_from(list(IncidentState))),
        escalations=tuple(
            draw(st.lists(st.builds(Escalation, text, moments, opt_text), max_size=2))
        ),
        acknowledged_at=draw(opt_moment),
        acknowledged_by=draw(opt_text),
        resolved_at=draw(opt_moment),
        resolved_by=draw(opt_text),
        note=draw(opt_text),
        superseded_by=draw(opt_text),
        cause=draw(text),
    )


@pytest.mark.slow
@given(incidents())
def test_any_incident_writes_the_generic_text(incident: Incident) -> None:
    assert incident_content(incident) == generic(incident)


def test_a_field_of_another_type_takes_the_generic_path() -> None:
    data = generate_demo(seed=5, shipments=100)
    engine = Engine(load_pack("default"))
    changes = engine.ingest(list(data.events))
    base = changes[0].incident
    for odd in (
        attrs.evolve(base, rules=("a", 3)),  # type: ignore[arg-type]
        attrs.evolve(base, note=7),  # type: ignore[arg-type]
        attrs.evolve(base, remedy=Remedy("c", "t", (), 1)),  # type: ignore[arg-type]
        attrs.evolve(base, evidence=attrs.evolve(base.evidence, step=True)),
    ):
        assert incident_content(odd) == generic(odd)


def test_change_ids_are_those_of_the_generic_text() -> None:
    data = generate_demo(seed=5, shipments=100)
    engine = Engine(load_pack("default"))
    change = engine.ingest(list(data.events))[0]
    content = generic(change.incident)
    assert change.id == change_id(change.type, change.incident, change.at, content=content)
