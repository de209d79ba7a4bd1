"""An incident's evidence is taken at ``describe`` and made into an ``Evidence`` when
first read (issue 15): it reads as the evidence made at once, in the state, in a
change's incident and through a dump and load."""

from __future__ import annotations

import types
from datetime import timedelta

from logix_rules import Engine, Evidence, EvidenceEvent, generate_demo, load_pack
from logix_rules.core._durations import from_micros
from logix_rules.core._records import DESC, ID, KIND, REASON, STATUS, SYSTEM, T
from logix_rules.runtime._pending_evidence import PendingEvidence
from logix_rules.runtime._state import ShipmentState


def _engine() -> Engine:
    engine = Engine(load_pack("default"))
    data = generate_demo(seed=9, shipments=80)
    for shipment in data.shipments:
        engine.upsert_shipment(shipment)
    engine.ingest(list(data.events))
    engine.advance(to=data.at + timedelta(days=2))
    return engine


def _states(engine: Engine) -> list[ShipmentState]:
    return [s for s in engine._host.states.values() if s.open]  # type: ignore[attr-defined]


def test_describe_leaves_the_evidence_unmade_and_it_reads_as_made_at_once() -> None:
    engine = _engine()
    states = _states(engine)
    assert len(states) > 10
    pack = engine._kernel.pack
    for s in states:
        for inc in s.open.values():
            pending = inc._evidence
            assert type(pending) is PendingEvidence  # nothing read it yet
            rule = pack.rules[inc.lead[0]]
            # What describe made before: the records at the rule's anchor and at the
            # incident's last description, each an EvidenceEvent with its datetime.
            records = pending._records
            assert records, inc.id
            made = Evidence(
                rule.id,
                inc.lead[1],
                types.MappingProxyType(pending._values),
                tuple(
                    EvidenceEvent(
                        rec[ID],
                        from_micros(rec[T]),
                        rec[KIND][STATUS],
                        rec[KIND][REASON],
                        rec[KIND][SYSTEM],
                        rec[KIND][DESC],
                    )
                    for rec in records
                ),
            )
            assert pending == made
            assert made == pending
            assert inc.evidence == made
            assert inc.evidence is inc.evidence  # made once
            assert type(inc.evidence) is Evidence
            assert all(rec in s.history for rec in records)


def test_changes_dumps_and_loads_read_the_evidence_made() -> None:
    engine = _engine()
    shown = engine.open_incidents()
    assert all(i.evidence.events for i in shown)
    dumped = engine.dump(mask=False)
    # Dumping made and kept each evidence (the state codec reads it).
    held = [inc._evidence for s in _states(engine) for inc in s.open.values()]
    assert not any(type(evidence) is PendingEvidence for evidence in held)
    again = Engine.load(load_pack("default"), dumped)
    assert again.dump(mask=False) == dumped
    assert again.open_incidents() == shown == engine.open_incidents()
