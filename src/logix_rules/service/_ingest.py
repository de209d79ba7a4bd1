"""Events into the store: each delivery (a webhook, a poll) in one transaction, with
the ids of the events already kept, so a carrier's retry changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

from logix_carriers import TrackingEvent

from ..store._db import wall_micros
from ._context import Handle

__all__ = ["KEEP_SEEN_DAYS", "forget_seen", "ingest_delivery"]


def ingest_delivery(handle: Handle, carrier: str, events: Sequence[TrackingEvent]) -> int:
    """Ingest the events of one delivery not seen before, recording their ids in the
    same transaction; return how many were new.

    The ids are inserted in sorted order, so two deliveries sharing events take their
    locks in one order and never wait on each other in a circle (PostgreSQL).
    """
    db = handle.store.db
    unique = {event.event_id: event for event in events}
    now = wall_micros()
    with db.transaction(write=True):
        fresh = [
            unique[event_id]
            for event_id in sorted(unique)
            if db.execute(
                "INSERT INTO webhook_events (carrier, event_id, received) VALUES (?, ?, ?) "
                "ON CONFLICT (carrier, event_id) DO NOTHING RETURNING event_id",
                (carrier, event_id, now),
            )
        ]
        if fresh:
            handle.engine.ingest(fresh)
    return len(fresh)


#: How long the ids of webhook events are kept: carriers stop retrying within days, and
#: a later copy changes nothing anyway (each parcel's state ignores an event it has).
KEEP_SEEN_DAYS = 30


def forget_seen(handle: Handle, before_us: int) -> int:
    """Delete the webhook event ids received before ``before_us``; how many."""
    db = handle.store.db
    with db.transaction(write=True):
        gone = db.execute(
            "DELETE FROM webhook_events WHERE received < ? RETURNING event_id", (before_us,)
        )
    return len(gone)
