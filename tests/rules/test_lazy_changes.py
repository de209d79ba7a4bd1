"""A change's incident is built when first read (docs/engine.md, "Incidents and
changes"): it must read the same as one built when the change happened, whatever the
engine did in between."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs

from logix_rules import Change, Engine, generate_demo, load_pack


def _run(read_at_once: bool) -> tuple[list[Change], list[dict[str, Any]]]:
    """The first half's changes of a demo stream, and what they read; the engine then
    acknowledges, resolves, takes the second half and advances before they are read,
    unless ``read_at_once``."""
    data = generate_demo(seed=5, shipments=150)
    events = list(data.events)
    half = len(events) // 2
    engine = Engine(load_pack("default"))
    for shipment in data.shipments:
        engine.upsert_shipment(shipment)
    changes: list[Change] = []
    read: list[dict[str, Any]] = []
    for start in range(0, half, 200):
        batch = engine.ingest(events[start : min(start + 200, half)])
        changes.extend(batch)
        if read_at_once:
            read.extend(c.to_dict(mask=False) for c in batch)
    last = max(e.occurred_at for e in events[:half])
    for number, incident in enumerate(engine.open_incidents()):
        at = max(incident.opened_at, last) + timedelta(minutes=number % 30)
        if number % 2:
            engine.acknowledge(incident.id, by="ann", at=at)
        else:
            engine.resolve(incident.id, by="bob", at=at, cause="carrier", note="done")
    engine.ingest(events[half:])
    engine.advance(to=data.at + timedelta(days=3))
    if not read_at_once:
        read = [c.to_dict(mask=False) for c in changes]
    return changes, read


def test_a_change_read_late_reads_as_one_read_at_once() -> None:
    early, read_early = _run(read_at_once=True)
    late, read_late = _run(read_at_once=False)
    assert len(read_early) == len(read_late) > 50
    assert read_late == read_early
    assert [c.id for c in late] == [c.id for c in early]
    assert late == early


def test_a_pending_change_compares_prints_and_copies_as_a_built_one() -> None:
    changes, _ = _run(read_at_once=False)
    for change in changes[:40]:
        twin = Change(change.type, change.incident, change.at)
        assert twin == change
        assert (twin != change) is False
        assert twin.id == change.id
        assert repr(twin) == repr(change)
        stored = attrs.evolve(change, seq=7)
        assert stored == change
        assert stored.seq == 7
        assert stored.incident is change.incident
