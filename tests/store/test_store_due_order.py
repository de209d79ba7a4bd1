"""Parcels due at the same instant are fired in tracking-number order, as the engine in
memory fires them: the changes of an ``advance`` (and so the feed's seqs) come in the
same order on every run and on every host."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from logix_rules import Engine, load_pack
from logix_rules.store import open_store

PACK = load_pack("default")
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


def _pickup(tn: str) -> dict[str, object]:
    return {"tracking_number": tn, "carrier": "dhl", "occurred_at": T0.isoformat(),
            "status": "picked_up", "location": {"city": "Hamburg"}}  # fmt: skip


def test_parcels_due_at_one_instant_fire_in_tracking_number_order(store_url: str) -> None:
    # Stored in the reverse of their order (SQLite's rowids, PostgreSQL's pages), each
    # ingest its own unit; every parcel's stall timer falls at the same instant.
    parcels = [f"T{n:02d}" for n in range(40)][::-1]
    memory = Engine(PACK)
    with open_store(store_url) as store:
        engine = Engine(PACK, store=store)
        for tn in parcels:
            engine.ingest([_pickup(tn)])
            memory.ingest([_pickup(tn)])
        with store.db.transaction(write=False):
            due = store.db.execute("SELECT DISTINCT next_due FROM shipments")
        assert len(due) == 1  # one instant for all
        fired = engine.advance(to=T0 + timedelta(days=3))
        expected = memory.advance(to=T0 + timedelta(days=3))
    assert len({c.at for c in fired}) < len(fired)  # changes share instants
    assert [(c.id, c.incident.tracking_number) for c in fired] == [
        (c.id, c.incident.tracking_number) for c in expected
    ]
    assert [c.seq for c in fired] == sorted(c.seq for c in fired if c.seq is not None)
