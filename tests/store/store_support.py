"""What the store tests share: a seeded stream, the in-memory reference run, folding a
feed into the incidents it describes, and reading a store's raw tables."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from logix_carriers import Shipment, TrackingEvent
from logix_rules import Change, ChangeType, Engine, Incident, generate_demo
from logix_rules.store import Store, open_store
from logix_rules.store import _db as store_db
from logix_rules.store._schema import MIGRATIONS

PACK = "default"
#: When ``hourly_scans`` starts.
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


def stream(seed: int, shipments: int) -> tuple[list[Shipment], list[TrackingEvent], datetime]:
    """A demo stream in arrival order (duplicates and late scans included), its OMS
    facts and the instant it is evaluated at."""
    data = generate_demo(seed=seed, shipments=shipments)
    return list(data.shipments), list(data.events), data.at


def batches(events: Sequence[TrackingEvent], size: int) -> list[list[TrackingEvent]]:
    return [list(events[i : i + size]) for i in range(0, len(events), size)]


def feed_in(
    engine: Engine, shipments: Iterable[Shipment], parts: Iterable[list[TrackingEvent]]
) -> None:
    """Upsert the shipments, then each batch of events followed by an ``advance`` to
    its latest event (what a live service does)."""
    for shipment in shipments:
        engine.upsert_shipment(shipment)
    for part in parts:
        engine.ingest(part)
        engine.advance(to=max(e.occurred_at for e in part))


def reference(
    shipments: Sequence[Shipment], events: Sequence[TrackingEvent], at: datetime, size: int = 200
) -> Engine:
    """The uninterrupted in-memory run."""
    engine = Engine(PACK)
    feed_in(engine, shipments, batches(events, size))
    engine.advance(to=at)
    return engine


def fold(changes: Iterable[Change]) -> dict[str, Incident]:
    """Apply changes in order to an empty set: what is open at the end."""
    live: dict[str, Incident] = {}
    for change in changes:
        # A superseded incident is closed; a revisit falls due only after a resolution.
        if change.type in (
            ChangeType.CLEARED,
            ChangeType.RESOLVED,
            ChangeType.SUPERSEDED,
            ChangeType.REVISIT_DUE,
        ):
            live.pop(change.incident.id, None)
        else:
            live[change.incident.id] = change.incident
    return live


def all_changes(store: Store) -> list[Change]:
    from logix_rules.store._feed import read_feed

    with store.db.transaction(write=False):
        return read_feed(store.db, 0, 10**9)


def key(incident: Incident) -> tuple[Any, ...]:
    return (incident.id, incident.kind, incident.severity, incident.state.value)


def keys(incidents: Iterable[Incident]) -> list[tuple[Any, ...]]:
    return sorted(key(i) for i in incidents)


def feed_ids(url: str) -> list[str]:
    with open_store(url) as store, store.db.transaction(write=False):
        return [row[0] for row in store.db.execute("SELECT change_id FROM feed ORDER BY seq")]


def hourly_scans(tn: str, hours: range, *, held: bool = False) -> list[dict[str, object]]:
    """Scans of ``tn`` (DHL) at ``T0`` plus each of ``hours``: picked up at hour 0, in
    transit after; with ``held`` the last is a customs hold (an incident: the unit has
    changes for the feed)."""
    out: list[dict[str, object]] = []
    for n in hours:
        at = (T0 + timedelta(hours=n)).isoformat()
        event: dict[str, object] = {
            "tracking_number": tn, "carrier": "dhl", "occurred_at": at,
            "status": "picked_up" if n == 0 else "in_transit",
            "location": {"facility": f"hub {n}"},
        }  # fmt: skip
        out.append(event)
    if held:
        out[-1] = {**out[-1], "status": "exception", "reason": "customs_hold"}
    return out


def same_changes(changes: Sequence[Change], expected: Sequence[Change]) -> None:
    """Assert that ``changes`` are ``expected``, one for one: type, incident, instant, id."""
    assert [(c.type, c.incident.id, c.at, c.id) for c in changes] == [
        (c.type, c.incident.id, c.at, c.id) for c in expected
    ]


def customs_hold(tn: str, hours: float = 0) -> list[dict[str, object]]:
    """A customs hold, ``hours`` after ``T0``: it opens an incident (a change in the feed)."""
    at = (T0 + timedelta(hours=hours)).isoformat()
    return [
        {"tracking_number": tn, "carrier": "ups", "occurred_at": at,
         "status": "exception", "reason": "customs_hold"}
    ]  # fmt: skip


@contextmanager
def older_store(monkeypatch: pytest.MonkeyPatch, url: str, version: int) -> Iterator[Store]:
    """A store opened by the logix that knew migrations 1 to ``version``: a new database
    is made at that version (a newer logix then upgrades it)."""
    with monkeypatch.context() as older:
        older.setattr(store_db, "MIGRATIONS", MIGRATIONS[:version])
        older.setattr(store_db, "SCHEMA_VERSION", version)
        with open_store(url) as store:
            assert store.schema_version == version
            yield store


def dated_query(store: Any, **window: Any) -> tuple[str, list[Any], list[Any]]:
    """The statement ``store.shipment_facts(**window)`` sends, its parameters, and
    what it returns."""
    sent: list[tuple[str, list[Any]]] = []
    execute = store.db.execute

    def record(sql: str, params: Any = ()) -> Any:
        sent.append((sql, list(params)))
        return execute(sql, params)

    store.db.execute = record
    try:
        found = store.shipment_facts(**window)
    finally:
        del store.db.execute
    ((sql, params),) = [(s, p) for s, p in sent if "FROM shipment_facts" in s]
    return sql, params, found
