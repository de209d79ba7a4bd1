"""The canonical JSON reuses the parts of an incident's text that its last change
wrote (by the incident's id) while their fields are the same objects or equal
instants in UTC.  A change of any of those fields, or an equal instant written in
another zone, must still write its own text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType

import attrs
from test_canonical_json import generic

from logix_rules import Engine, generate_demo, load_pack
from logix_rules.runtime._incidents import (
    Escalation,
    Incident,
    IncidentState,
    incident_content,
)

_PLUS_TWO = timezone(timedelta(hours=2))


def _base() -> Incident:
    data = generate_demo(seed=5, shipments=100)
    changes = Engine(load_pack("default")).ingest(list(data.events))
    return changes[0].incident


def _copy(moment: datetime) -> datetime:
    """The same instant in UTC, another object."""
    return datetime.fromtimestamp(moment.timestamp(), UTC)


def _changed(base: Incident) -> list[Incident]:
    later = base.opened_at + timedelta(minutes=7)
    return [
        attrs.evolve(base, acknowledged_at=later, acknowledged_by="ops"),
        attrs.evolve(base, cause=base.cause + "x"),
        attrs.evolve(base, escalate_at=later),
        attrs.evolve(base, escalate_at=base.escalate_at.astimezone(_PLUS_TWO)),
        attrs.evolve(base, deadlines=MappingProxyType({"ship_label": later})),
        attrs.evolve(base, deadlines=MappingProxyType({"ship_label": later.astimezone(_PLUS_TWO)})),
        attrs.evolve(base, note="called"),
        attrs.evolve(base, opened_at=base.opened_at.astimezone(_PLUS_TWO)),
        attrs.evolve(base, resolve_by=later),
        attrs.evolve(base, respond_by=base.respond_by.astimezone(_PLUS_TWO)),
        attrs.evolve(base, resolved_at=later, resolved_by="ops"),
        attrs.evolve(base, severity="P1"),
        attrs.evolve(base, remedy=None),
        attrs.evolve(base, rules=(*base.rules, "another")),
        attrs.evolve(base, state=IncidentState.CLEARED),
        attrs.evolve(base, superseded_by="inc_other"),
        attrs.evolve(base, escalations=(Escalation("respond", later, None),)),
    ]


def test_a_changed_field_after_the_last_change_writes_its_own_text() -> None:
    base = _base()
    for changed in _changed(base):
        assert incident_content(base) == generic(base)  # the last change: base
        assert incident_content(changed) == generic(changed)
        assert incident_content(changed) != generic(base)


def test_changes_in_turn_each_write_their_own_text() -> None:
    """Each change follows another one (not the base) under the same id."""
    base = _base()
    for changed in [base, *_changed(base), base]:
        assert incident_content(changed) == generic(changed)


def test_equal_instants_in_utc_as_other_objects_write_the_same_text() -> None:
    base = _base()
    with_deadline = attrs.evolve(base, deadlines=MappingProxyType({"ship_label": base.opened_at}))
    assert incident_content(with_deadline) == generic(with_deadline)
    copy = attrs.evolve(
        with_deadline,
        opened_at=_copy(base.opened_at),
        respond_by=_copy(base.respond_by),
        resolve_by=_copy(base.resolve_by),
        escalate_at=_copy(base.escalate_at),
        deadlines=MappingProxyType({"ship_label": _copy(base.opened_at)}),
    )
    assert copy.opened_at is not base.opened_at
    assert incident_content(copy) == generic(copy) == generic(with_deadline)


def test_evidence_values_of_every_kind_write_as_the_encoder_does() -> None:
    base = _base()
    for values in (
        {},
        {"b": "x", "a": None, "c": True, "d": False},
        {"stage": "in_transit", "n": 3},
        {"ratio": 1.5, "ok": True},
        {"gap": float("inf")},
        {"nested": {"z": 1, "a": [1, "two"]}},
        {"when": base.opened_at},
        {"quote": 'say "hi"\n', "é": "ü"},
    ):
        evidence = attrs.evolve(base.evidence, values=MappingProxyType(values))
        changed = attrs.evolve(base, evidence=evidence)
        assert incident_content(changed) == generic(changed)


def test_escalations_added_or_changed_after_the_last_change_write_their_own_text() -> None:
    base = _base()
    at = base.opened_at
    one = (Escalation("respond", at, None),)
    two = (Escalation("respond", _copy(at), None), Escalation("resolve", at, "ops"))
    for escalations in (
        one,
        two,
        (Escalation("respond", at.astimezone(_PLUS_TWO), None), two[1]),
        (Escalation("respond", at, "lead"), two[1]),
        (Escalation("remind", at, None), two[1]),
        (Escalation("respond", at + timedelta(seconds=1), None), two[1]),
        (*two, Escalation("close", at, None)),
        one,
        (),
        two,
    ):
        changed = attrs.evolve(base, escalations=escalations)
        assert incident_content(changed) == generic(changed)
    # One escalation more than the last change, with the first one changed in any field.
    extra = Escalation("close", at, None)
    for first in (
        Escalation("respond", at.astimezone(_PLUS_TWO), None),
        Escalation("respond", at, "lead"),
        Escalation("remind", at, None),
        Escalation("respond", at + timedelta(seconds=1), None),
    ):
        before = attrs.evolve(base, escalations=one)
        assert incident_content(before) == generic(before)
        changed = attrs.evolve(base, escalations=(first, extra))
        assert incident_content(changed) == generic(changed)
