"""A store for the desk's tests: demo parcels plus a few written out by hand (a P1
customs hold, a damaged parcel whose scan names the recipient, a lost parcel with its
shipment facts), all evaluated up to one fixed instant, and one desk user."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from logix_carriers import Shipment
from logix_rules import Engine, generate_demo
from logix_rules.service import add_user
from logix_rules.store import Store, open_store

USER, PASSWORD = "ana", "correct horse battery"
SECOND_USER, SECOND_PASSWORD = "bo", "another long secret"
PHONE = "+1 512-555-0199"
NAME = "Johanna Smithfield"


def seed_store(where: Path | str, *, shipments: int = 60) -> tuple[Store, datetime]:
    """A store (a SQLite file at a path, or a URL) and the instant it was evaluated to."""
    demo = generate_demo(seed=7, shipments=shipments)
    now = demo.at
    store = open_store(f"sqlite:///{where}" if isinstance(where, Path) else where)
    engine = Engine("default", store=store)
    for shipment in demo.shipments:
        engine.upsert_shipment(shipment)
    engine.ingest(demo.events)
    engine.upsert_shipment(
        Shipment(
            tracking_number="LX123456785CN", carrier="china-post", origin_country="CN",
            destination_country="BR", declared_value="120.00", currency="BRL", order_id="SO-42",
        )
    )  # fmt: skip

    def at(hours: float) -> str:
        return (now - timedelta(hours=hours)).isoformat()

    engine.ingest(
        [
            {"tracking_number": "1Z999AA10123456784", "carrier": "ups", "occurred_at": at(0.05),
             "status": "exception", "reason": "customs_hold",
             "source": {"system": "ups", "code": "X-CH1"}},
            {"tracking_number": "JJD0099999999", "carrier": "dhl", "occurred_at": at(3),
             "status": "exception", "reason": "damaged",
             "description": f"Parcel damaged, recipient {NAME} informed at {PHONE}",
             "attributes": {"recipient_name": NAME},
             "source": {"system": "dhl", "code": "DMG"}},
            {"tracking_number": "LX123456785CN", "carrier": "china-post", "occurred_at": at(40),
             "status": "picked_up", "location": {"country": "CN"},
             "source": {"system": "china-post", "code": "A10"}},
            {"tracking_number": "LX123456785CN", "carrier": "china-post", "occurred_at": at(2),
             "status": "exception", "reason": "lost", "description": "Lost in transit",
             "source": {"system": "china-post", "code": "L99"}},
        ]
    )  # fmt: skip
    engine.advance(to=now)
    add_user(store, USER, PASSWORD)
    add_user(store, SECOND_USER, SECOND_PASSWORD)
    return store, now
