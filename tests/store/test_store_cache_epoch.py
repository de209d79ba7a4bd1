"""SQLite: a unit takes the states its store's own units committed without reading
their rows' versions, while ``PRAGMA data_version`` says no other connection has
committed since (``Database.epoch``, ``StateCache.trusted``).  Another connection's
write, and a caller's transaction rolled back around a unit, make it read them again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from logix_rules import Engine, load_pack
from logix_rules.store import open_store

PACK = load_pack("default")
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
#: The query a unit reads the versions of the rows it takes with (``_units.ROWS``).
VERSIONS = "SELECT tracking_number, version, state IS NULL FROM shipments"


def _scan(tn: str, hour: int) -> dict[str, object]:
    status = "picked_up" if hour == 0 else "in_transit"
    return {"tracking_number": tn, "carrier": "dhl", "status": status,
            "occurred_at": (T0 + timedelta(hours=hour)).isoformat(),
            "location": {"facility": f"hub {hour}"}}  # fmt: skip


def _traced(store: object) -> list[str]:
    """The statements ``store``'s connection runs from now on."""
    seen: list[str] = []
    store.db._conn.set_trace_callback(seen.append)  # type: ignore[attr-defined]
    return seen


def test_cached_states_are_taken_without_a_query_until_another_connection_writes(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'epoch.db'}"
    parcels = ["E1", "E2", "E3"]
    memory = Engine(PACK)
    with open_store(url) as store, open_store(url) as other:
        engine, elsewhere = Engine(PACK, store=store), Engine(PACK, store=other)
        first = [_scan(tn, 0) for tn in parcels]
        engine.ingest(first)
        memory.ingest(first)
        seen = _traced(store)
        engine.ingest([_scan(tn, 1) for tn in parcels])
        memory.ingest([_scan(tn, 1) for tn in parcels])
        assert not [sql for sql in seen if sql.startswith(VERSIONS)]  # all three trusted
        # Another connection steps E2: this store's cached E2 is stale now.
        elsewhere.ingest([_scan("E2", 2)])
        memory.ingest([_scan("E2", 2)])
        seen.clear()
        engine.ingest([_scan(tn, 3) for tn in parcels])
        memory.ingest([_scan(tn, 3) for tn in parcels])
        assert [sql for sql in seen if sql.startswith(VERSIONS)]  # read again
        assert engine.dump(mask=False) == memory.dump(mask=False)
        assert elsewhere.dump(mask=False) == memory.dump(mask=False)


def test_a_unit_in_a_callers_transaction_that_rolls_back_is_not_trusted(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'rollback.db'}"
    memory = Engine(PACK)
    with open_store(url) as store:
        engine = Engine(PACK, store=store)
        engine.ingest([_scan("R1", 0)])
        memory.ingest([_scan("R1", 0)])

        def abandoned() -> None:
            with store.db.transaction(write=True):
                engine.ingest([_scan("R1", 1)])  # stepped, cached, then rolled back
                raise RuntimeError

        with pytest.raises(RuntimeError):
            abandoned()
        engine.ingest([_scan("R1", 2)])
        memory.ingest([_scan("R1", 2)])
        assert engine.dump(mask=False) == memory.dump(mask=False)
    with open_store(url, cache_size=0) as fresh:  # what the rows hold
        assert Engine(PACK, store=fresh).dump(mask=False) == memory.dump(mask=False)
