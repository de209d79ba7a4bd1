"""The canonical JSON remembers what an incident's successive snapshots share (the
text from the evidence to the kind, the rules, the carrier, the tracking number) by
the identity of the evidence object.  A snapshot that keeps the evidence object but
changes any of those fields must still write its own text."""

from __future__ import annotations

import attrs
from test_canonical_json import generic

from logix_rules import Engine, generate_demo, load_pack
from logix_rules.runtime._incidents import Incident, incident_content


def _base() -> Incident:
    data = generate_demo(seed=5, shipments=100)
    changes = Engine(load_pack("default")).ingest(list(data.events))
    return changes[0].incident


def test_a_field_changed_beside_the_same_evidence_writes_its_own_text() -> None:
    base = _base()
    assert incident_content(base) == generic(base)  # remembered under its evidence
    for changed in (
        attrs.evolve(base, explanation=base.explanation + " (later)"),
        attrs.evolve(base, id=base.id + "x"),
        attrs.evolve(base, kind=base.kind + "x"),
        attrs.evolve(base, rules=(*base.rules, "another")),
        attrs.evolve(base, carrier=base.carrier + "x"),
        attrs.evolve(base, tracking_number=base.tracking_number + "x"),
        attrs.evolve(base, remedy=None),
    ):
        assert changed.evidence is base.evidence
        assert incident_content(changed) == generic(changed)
        assert incident_content(base) == generic(base)  # and the first one still its own


def test_equal_text_in_another_object_writes_the_same() -> None:
    base = _base()
    copy = attrs.evolve(base, explanation="".join(list(base.explanation)))
    assert copy.explanation is not base.explanation or len(base.explanation) < 2
    assert incident_content(copy) == incident_content(base) == generic(base)
