"""A store writes a change's incident as canonical JSON straight from its pending
snapshot (``runtime/_canonical_pending.py``), never building the ``Incident``.  The
text must be the generic encoder's over the built incident's ``to_dict(mask=False)``,
or change ids would move; a field not of the shape must say so (None) and leave the
text to the built incident's path."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from canonical_text import generic
from logix_rules import Engine, generate_demo, load_pack
from logix_rules.compiler._model import Severity
from logix_rules.runtime._canonical_pending import pending_content
from logix_rules.runtime._incidents import (
    IncidentState,
    Remedy,
    RemedyItem,
    change_view,
    incident_content,
)
from logix_rules.runtime._pending_evidence import PendingEvidence
from logix_rules.runtime._snapshots import _incident, pending_args


def test_every_demo_change_writes_the_built_incidents_text() -> None:
    # Ingest, acknowledge and resolve some incidents (their snapshots then carry who and
    # when), then advance far: openings, updates, escalations, clearings, revisits.
    data = generate_demo(seed=5, shipments=250)
    engine = Engine(load_pack("default"))
    changes = engine.ingest(list(data.events)) + engine.advance(to=data.at)
    opened = [i.id for i in engine.open_incidents()]
    assert len(opened) > 6
    for n, ident in enumerate(opened[:6]):
        if n % 2:
            changes.append(engine.resolve(ident, by="Ana Ruiz", at=data.at, note="refunded\n€5"))
        else:
            changes.append(engine.acknowledge(ident, by="ops", at=data.at))
    changes += engine.advance(to=data.at + timedelta(days=60))
    pending = 0
    for change in changes:
        args = pending_args(change_view(change))
        if args is None:
            continue
        pending += 1
        assert pending_content(args) == generic(change.incident)
    assert pending > 0.9 * len(changes)
    kinds = {c.type.value for c in changes}
    assert {"opened", "escalated", "cleared", "acknowledged", "resolved"} <= kinds


odd = st.sampled_from('"\\\x00\x1f\n\u2028é\ud800')  # escapes, a separator, a surrogate
text = st.text(st.characters(codec="utf-8") | odd, max_size=10)
opt_text = st.none() | text
# Any int64, beyond a datetime's range too (both sides saturate alike).
instants = st.integers(-(2**63), 2**63) | st.integers(1_700_000_000_000_000, 1_800_000_000_000_000)
kinds = st.builds(
    lambda status, reason, system, desc: (
        status,
        None,
        reason,
        system,
        False,
        None,
        None,
        desc,
        (),
    ),
    text,
    opt_text,
    text,
    text,
)
records = st.lists(st.tuples(instants, text, kinds), max_size=3)
values = st.dictionaries(
    text,
    st.none() | st.booleans() | text | st.integers() | st.decimals(allow_nan=False, places=2),
    max_size=3,
)
pending_evidence = st.builds(PendingEvidence, text, st.integers(0, 9), values, records)
# Pending as ``describe`` makes it, or built (a state loaded from its bytes holds that).
evidence = pending_evidence | pending_evidence.map(PendingEvidence.load)
remedies = st.none() | st.builds(
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
windows = st.integers(0, 10**12)
levels = st.builds(Severity, text, st.integers(0, 5), windows, windows, windows)
follows = st.none() | st.tuples(
    st.none() | instants, opt_text, st.none() | instants, opt_text, opt_text
)


@st.composite
def snapshot_args(draw: Any) -> tuple[Any, ...]:
    """What ``later_snapshot`` takes, in ``_incident``'s order."""
    return (
        draw(text),  # id
        draw(text),  # tracking number
        draw(text),  # carrier
        draw(text),  # kind
        draw(text),  # severity
        tuple(draw(st.lists(text, max_size=3))),  # rules
        draw(instants),  # opened_at
        draw(st.integers(-(2**62), 2**62)),  # severity_since
        draw(levels),
        draw(st.dictionaries(text, instants, max_size=3)),  # deadlines
        draw(remedies),
        draw(evidence),
        draw(text),  # explanation
        draw(st.sampled_from(list(IncidentState))),
        tuple(draw(st.lists(st.tuples(text, instants, opt_text), max_size=3))),  # escalations
        draw(follows),
        draw(text),  # cause
        draw(opt_text),  # superseded_by
    )


@given(snapshot_args())
def test_any_snapshot_writes_the_built_incidents_text(args: tuple[Any, ...]) -> None:
    assert pending_content(args) == generic(_incident(*args))


# Each field's values, by its place in the arguments (the id stays: one incident).
FIELDS: dict[int, Any] = {
    1: text,
    2: text,
    3: text,
    4: text,
    5: st.lists(text, max_size=3).map(tuple),
    6: instants,
    7: st.integers(-(2**62), 2**62),
    8: levels,
    9: st.dictionaries(text, instants, max_size=3),
    10: remedies,
    11: evidence,
    12: text,
    13: st.sampled_from(list(IncidentState)),
    15: follows,
    16: text,
    17: opt_text,
}
edits = st.one_of(
    *(st.tuples(st.just(place), values) for place, values in FIELDS.items()),
    # an escalation added, as the kernel's escalated changes do
    st.tuples(st.just(14), st.tuples(text, instants, opt_text)),
)


@given(snapshot_args(), st.lists(edits, max_size=8))
def test_successive_snapshots_of_one_incident_write_their_own_text(
    args: tuple[Any, ...], changes: list[tuple[int, Any]]
) -> None:
    # What one change wrote is reused by the next only where it is still true.
    assert pending_content(args) == generic(_incident(*args))
    for place, value in changes:
        moved = list(args)
        moved[place] = (*args[14], value) if place == 14 else value
        args = tuple(moved)
        assert pending_content(args) == generic(_incident(*args))


def test_a_field_of_another_type_is_left_to_the_built_incident() -> None:
    data = generate_demo(seed=5, shipments=60)
    engine = Engine(load_pack("default"))
    change = engine.ingest(list(data.events))[0]
    args = pending_args(change_view(change))
    assert args is not None
    odd = list(args)
    odd[12] = 42  # an explanation that is not a string
    assert pending_content(tuple(odd)) is None
    # The built incident's path writes it (as the generic encoder does).
    built = _incident(*odd)
    assert incident_content(built) == generic(built)
    kind: Any = ("exception", None, None, "ups", False, None, None, None, ())
    record = (1_764_770_709_000_000, "e1", kind)
    odd = list(args)
    odd[11] = PendingEvidence("r", 0, {}, [record])  # an event without a description
    assert pending_content(tuple(odd)) is None
