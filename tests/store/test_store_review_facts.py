"""Migration 3 on both backends: each parcel's shipment facts are written beside its
state whenever they change, and read back by period for reports; incidents with their
row's lane, state and closing time; many follow-up logs at once; purge removes facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from logix_rules import Engine
from logix_rules.store import SCHEMA_VERSION, ShipmentFacts, open_store

T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


def _event(tn: str, hours: float, status: str, **extra: object) -> dict[str, object]:
    moment = T0 + timedelta(hours=hours)
    return {
        "tracking_number": tn,
        "carrier": "dhl",
        "occurred_at": moment.isoformat(),
        "status": status,
        **extra,
    }


def test_facts_follow_the_parcel_and_read_back_by_period(store_url: str) -> None:
    with open_store(store_url) as store:
        assert store.schema_version == SCHEMA_VERSION >= 3
        engine = Engine("default", store=store)
        engine.upsert_shipment(
            {
                "tracking_number": "F1",
                "carrier": "dhl",
                "origin_country": "DE",
                "destination_country": "FR",
                "shipped_at": T0.isoformat(),
                "promised_at": (T0 + timedelta(days=3)).isoformat(),
                "declared_value": "129.90",
                "currency": "EUR",
                "category": "home",
            }
        )
        engine.ingest([_event("F1", 1, "picked_up"), _event("F2", 2, "in_transit")])
        (f1, f2) = store.shipment_facts()
        assert f1 == ShipmentFacts(
            tracking_number="F1",
            carrier="dhl",
            lane="DE-FR",
            category="home",
            region="FR",
            shipped_at=T0,
            promised_at=T0 + timedelta(days=3),
            declared_value=Decimal("129.9"),
            currency="EUR",
            first_scan=T0 + timedelta(hours=1),
            delivered_at=None,
        )
        # A parcel without OMS facts is dated by its first carrier scan.
        assert (f2.tracking_number, f2.shipped_at, f2.lane) == ("F2", T0 + timedelta(hours=2), None)

        engine.ingest([_event("F1", 30, "delivered")])
        (f1,) = store.shipment_facts(tracking_numbers=["F1"], since=T0, until=T0)
        assert f1.delivered_at == T0 + timedelta(hours=30)

        # By period: shipped, promised or delivered in [since, until).
        later = T0 + timedelta(days=1)
        assert [f.tracking_number for f in store.shipment_facts(since=later, until=later)] == []
        assert [
            f.tracking_number for f in store.shipment_facts(since=later, until=later + timedelta(1))
        ] == ["F1"]  # delivered on the 3rd


def test_incident_records_and_actions_for_reports(store_url: str) -> None:
    with open_store(store_url) as store:
        engine = Engine("default", store=store)
        engine.upsert_shipment(
            {"tracking_number": "S1", "carrier": "dhl", "origin_country": "DE",
             "destination_country": "DE"}
        )  # fmt: skip
        engine.ingest([_event("S1", 0, "in_transit"), _event("S2", 0, "in_transit")])
        engine.advance(to=T0 + timedelta(hours=30))
        stalls = {i.tracking_number: i for i in engine.open_incidents(kind="tracking_stall")}
        engine.acknowledge(stalls["S1"].id, by="ana", at=T0 + timedelta(hours=25))
        engine.resolve(stalls["S1"].id, by="ana", at=T0 + timedelta(hours=26), note="found")
        engine.ingest([_event("S2", 31, "in_transit")])  # the stall of S2 clears

        records = store.incident_records(since=T0, until=T0 + timedelta(days=2))
        by_parcel = {
            r.incident.tracking_number: r for r in records if r.incident.kind == "tracking_stall"
        }
        assert by_parcel["S1"].lane == "DE-DE"
        assert by_parcel["S1"].state == "resolved"
        assert by_parcel["S1"].incident.resolved_at == T0 + timedelta(hours=26)
        assert by_parcel["S2"].state == "closed"
        assert by_parcel["S2"].closed_at == T0 + timedelta(hours=31)
        assert (
            store.incident_records(since=T0 + timedelta(days=2), until=T0 + timedelta(days=3)) == []
        )
        # Named parcels come with every incident, whenever it opened.
        named = store.incident_records(
            since=T0 + timedelta(days=5), until=T0 + timedelta(days=6), tracking_numbers=["S2"]
        )
        assert [r.incident.tracking_number for r in named] == ["S2"] * len(named)
        assert named

        logs = store.actions_of([stalls["S1"].id, stalls["S2"].id, "nothing"])
        assert [(a.action, a.by, a.note) for a in logs[stalls["S1"].id]] == [
            ("acknowledged", "ana", None),
            ("resolved", "ana", "found"),
        ]
        assert stalls["S2"].id not in logs


def test_purge_removes_the_facts(store_url: str) -> None:
    with open_store(store_url) as store:
        engine = Engine("default", store=store)
        engine.ingest([_event("G1", 0, "in_transit"), _event("G1", 5, "delivered")])
        assert len(store.shipment_facts()) == 1
        assert store.purge(closed_before=T0 + timedelta(days=1), force=True) == 1
        assert store.shipment_facts() == []


def test_a_review_reads_the_same_from_both_backends(sqlite_url: str, pg_url: str) -> None:
    from logix_rules.demo._history import generate_history, replay_history
    from logix_rules.review import build_review, render_json

    history = generate_history(seed=11, weeks=3, per_week=25)
    documents = []
    for url in (sqlite_url, pg_url):
        with open_store(url) as store:
            replay_history(history, Engine("default", store=store), seed=11)
            review = build_review(store, kind="monthly", until=history.end)
            documents.append(render_json(review))
    assert documents[0] == documents[1]
    assert '"incidents": 0' not in documents[0].split('"totals"')[1][:80]


def test_parcels_written_before_migration_3_are_backfilled(store_url: str) -> None:
    with open_store(store_url) as store:
        engine = Engine("default", store=store)
        engine.upsert_shipment(
            {"tracking_number": "B1", "carrier": "dhl", "origin_country": "DE",
             "destination_country": "FR", "category": "toys"}
        )  # fmt: skip
        engine.ingest([_event("B1", 0, "in_transit"), _event("B2", 1, "in_transit")])
        written = store.shipment_facts()
        # As a store migrated from version 2 has them: states without facts rows.
        with store.db.transaction(write=True):
            store.db.execute("DELETE FROM shipment_facts")
        assert store.shipment_facts() == []
        assert store.backfill_facts() == 2
        assert store.shipment_facts() == written
        assert store.backfill_facts() == 0
