"""A new incident's evidence is written from ``describe``'s ``PendingEvidence``
(``_state_incident.pending_text``) without being made into an ``Evidence``: the bytes are
those a write of the made evidence gives, and reading the evidence afterwards gives
the object the pending one makes."""

from __future__ import annotations

from typing import Any

from logix_rules import Kernel, generate_demo, load_pack
from logix_rules.runtime._pending_evidence import PendingEvidence
from logix_rules.runtime._state_incident import LazyEvidence, evidence_text, pending_text

PACK = load_pack("default")
DEMO = generate_demo(seed=41, shipments=150)


def parcels() -> list[tuple[str, str, list[Any]]]:
    events: dict[str, list[Any]] = {}
    for event in DEMO.events:
        events.setdefault(event.tracking_number, []).append(event)
    return [(tn, found[0].carrier, found) for tn, found in events.items()]


def test_a_pending_evidence_is_written_as_the_made_one() -> None:
    kernel = Kernel(PACK)
    pending_written = from_pending = 0
    for tn, carrier, events in parcels():
        unread = kernel.new_state(tn, carrier, None)
        made = kernel.new_state(tn, carrier, None)
        seen: list[PendingEvidence] = []  # describe's, not made when written
        for event in events:
            kernel.step(unread, kernel.record(event))
            kernel.step(made, kernel.record(event))
            pending = [
                inc._evidence
                for inc in unread.open.values()
                if type(inc._evidence) is PendingEvidence and inc._evidence._read is None
            ]
            for inc in made.open.values():
                inc.evidence  # noqa: B018  # made before the write
            assert kernel.dumps(unread, keep=True) == kernel.dumps(made, keep=True)
            pending_written += len(pending)
            seen += pending
            for inc in unread.open.values():
                held = inc._evidence
                assert type(held) is LazyEvidence
                if held.pending is not None:  # written from the pending one, not made
                    from_pending += 1
                    assert any(held.pending is p for p in seen)
                    assert held.read is None or held.read is held.pending.load()
                    assert inc.evidence is held.pending.load()
    assert pending_written > 20
    assert from_pending >= pending_written


def test_the_text_of_extreme_instants_is_the_made_one() -> None:
    kernel = Kernel(PACK)
    kind = kernel.record(DEMO.events[0])[2]
    values = {"n": 3, "at": (1, "x"), "d": None}
    for t in (-(1 << 62) + 1, -62135596800000000, 0, 253402214400000000, (1 << 62) - 1):
        pending = PendingEvidence("rule", 1, values, [(t, "e1", kind), (t, "e2", kind)])
        assert pending_text(pending) == evidence_text(pending.load())
