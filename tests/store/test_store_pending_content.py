"""A unit writes each change's incident (the feed's payload, the digest of its id) and
each live incident's row from the pending snapshot, without building the ``Incident``
(``store/_snapshot_rows.py``).  The texts must be the generic encoder's over the built
incidents, whether the states were stepped from the cache or loaded from their rows
(whose evidence is then built, not pending)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from store_support import batches, stream

from canonical_text import generic
from logix_rules import Engine, load_pack
from logix_rules.runtime._incidents import change_id
from logix_rules.store import open_store

PACK = load_pack("default")


@pytest.mark.parametrize("cache_size", [10_000, 0])
def test_feed_and_incident_rows_hold_the_built_incidents_text(
    store_url: str, cache_size: int
) -> None:
    shipments, events, at = stream(seed=5, shipments=120)
    memory = Engine(PACK)
    with open_store(store_url, cache_size=cache_size) as store:
        engine = Engine(PACK, store=store)
        changes = []
        for shipment in shipments:
            changes += engine.upsert_shipment(shipment)
            memory.upsert_shipment(shipment)
        for part in batches(events, 150):
            changes += engine.ingest(part)
            memory.ingest(part)
        changes += engine.advance(to=at)
        memory.advance(to=at)
        opened = [i.id for i in engine.open_incidents()]
        assert len(opened) > 4
        for n, ident in enumerate(opened[:4]):
            if n % 2:
                changes.append(engine.resolve(ident, by="Ana Ruiz", at=at, note="paid €5"))
                memory.resolve(ident, by="Ana Ruiz", at=at, note="paid €5")
            else:
                changes.append(engine.acknowledge(ident, by="ops", at=at))
                memory.acknowledge(ident, by="ops", at=at)
        later = at + timedelta(days=3)
        changes += engine.advance(to=later)
        memory.advance(to=later)
        db = store.db
        with db.transaction(write=False):
            feed = db.execute("SELECT seq, change_id, payload FROM feed ORDER BY seq")
            rows: dict[str, str] = dict(
                db.execute("SELECT id, snapshot FROM incidents WHERE reads_now = 0")
            )
    assert [(c.seq, c.id) for c in changes] == [row[:2] for row in feed]
    for change, (_, ident, payload) in zip(changes, feed, strict=True):
        assert payload == generic(change.incident)
        assert ident == change_id(change.type, change.incident, change.at)
    held = {i.id: i for i in memory.open_incidents()}
    for ident in opened[:4]:  # resolved ones are held while their condition holds
        held.setdefault(ident, memory.incident(ident))
    live = [i for i in held.values() if i.id in rows]
    assert len(live) > 4
    assert any(i.acknowledged_by for i in live)
    assert any(i.resolved_by for i in live)
    for incident in live:  # (rows whose amounts read `now` hold them as of their write)
        assert rows[incident.id] == generic(incident)
