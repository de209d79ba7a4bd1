"""A late event's shortcut compares the replayed state's open incidents with the stored
ones (``_checkpoints.same_open``, ``_replay._Tail._meets``): as ``==`` would, but
without building evidence that both sides hold as the same object (issue 15)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest
from test_late_shortcut import converged, kernels, trail

from logix_rules import Engine, Kernel, generate_demo, load_pack
from logix_rules.runtime._checkpoints import freeze, same_open
from logix_rules.runtime._pending_evidence import PendingEvidence
from logix_rules.runtime._state import OpenIncident

PACK = load_pack("default")


def _open_dicts() -> list[dict[str, OpenIncident]]:
    engine = Engine(PACK)
    data = generate_demo(seed=9, shipments=80)
    for shipment in data.shipments:
        engine.upsert_shipment(shipment)
    engine.ingest(list(data.events))
    engine.advance(to=data.at + timedelta(days=2))
    states = [s for s in engine._host.states.values() if s.open]  # type: ignore[attr-defined]
    assert len(states) > 10
    return [s.open for s in states]


# One change to each field of an incident (the evidence: a new PendingEvidence of other
# values); evolve names the evidence by its alias.
_CHANGES: dict[str, Any] = {
    "id": lambda inc: inc.id + "x",
    "kind": lambda inc: inc.kind + "x",
    "opened_at": lambda inc: inc.opened_at + 1,
    "severity": lambda inc: inc.severity + "x",
    "rank": lambda inc: inc.rank + 1,
    "severity_since": lambda inc: inc.severity_since + 1,
    "rules": lambda inc: (*inc.rules, "x"),
    "lead": lambda inc: (inc.lead[0], inc.lead[1] + 1),
    "remedy": lambda inc: None if inc.remedy is not None else inc.remedy,
    "evidence": lambda inc: PendingEvidence("x", 0, {"n": 1}, ()),
    "explanation": lambda inc: inc.explanation + "x",
    "deadlines": lambda inc: {**inc.deadlines, "x": 1},
    "escalations": lambda inc: [*inc.escalations, ("x", 1, None)],
    "starts": lambda inc: {"x": 1},
    "revisit_done": lambda inc: not inc.revisit_done,
    "cause": lambda inc: inc.cause + "x",
}


def test_every_field_of_an_incident_is_compared() -> None:
    names = {field.alias for field in attrs.fields(OpenIncident)}
    assert names == set(_CHANGES)  # a new field needs a case here


@pytest.mark.parametrize("field", sorted(_CHANGES))
def test_same_open_agrees_with_equality(field: str) -> None:
    for live in _open_dicts():
        twin = freeze_open(live)
        assert twin is not live
        assert same_open(live, twin)
        assert live == twin
        assert same_open(live, live)
        for key, inc in live.items():
            changed = dict(twin)
            changed[key] = attrs.evolve(inc, **{field: _CHANGES[field](inc)})
            assert same_open(live, changed) == (live == changed)
            assert same_open(changed, live) == (changed == live)
            fewer = {k: v for k, v in twin.items() if k != key}
            assert not same_open(live, fewer)
            assert not same_open(fewer, live)
            renamed = {(k + "x" if k == key else k): v for k, v in twin.items()}
            assert not same_open(live, renamed)


def freeze_open(live: dict[str, OpenIncident]) -> dict[str, OpenIncident]:
    """The copy a checkpoint holds: new incidents holding the same field objects."""
    kernel = Kernel(PACK)
    state = kernel.new_state("X", "dhl")
    state.open = live
    copied: dict[str, OpenIncident] = freeze(state, 0, 0)[7]
    return copied


def test_a_late_event_that_converges_leaves_the_evidence_unbuilt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An address issue at the 4th event: tracking_anomaly and transit_delay stay open,
    # their evidence taken then (a PendingEvidence, built when first read).  The late
    # scan 20 back changes counts only: the shortcut keeps the stored incidents, and
    # comparing them with the replayed ones builds nothing.
    recs = trail(PACK, 41, {3: ("exception", "address_issue")})
    late = recs.pop(20)
    short, whole = kernels(PACK, 8)
    a, b = short.new_state("S1", "dhl"), whole.new_state("S1", "dhl")
    for rec in recs:
        short.step(a, rec)
        whole.step(b, rec)
    assert set(a.open) == {"tracking_anomaly", "transit_delay"}
    stored = dict(a.open)
    for inc in stored.values():
        assert type(inc._evidence) is PendingEvidence
        assert inc._evidence._read is None
    answers = converged(monkeypatch)
    assert short.step(a, late)[1] == whole.step(b, late)[1]
    assert answers == [True]
    for key, inc in a.open.items():
        assert inc is stored[key]  # the stored rest, kept
        assert inc._evidence._read is None
    assert a == b
    assert short.dumps(a) == whole.dumps(b)
    assert short.incidents(a) == whole.incidents(b)
