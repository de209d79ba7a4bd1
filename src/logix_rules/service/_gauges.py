"""The gauges ``/metrics`` reads from the store when scraped: the due backlog (parcels
whose timers are due and not fired yet) and each feed consumer's lag."""

from __future__ import annotations

from datetime import datetime

from ..store._codec import micros
from ..store._feed import feed_head
from ._context import Handle
from ._metrics import Labels

__all__ = ["gauges"]


def gauges(handle: Handle, now: datetime) -> dict[str, dict[Labels, float]]:
    db = handle.store.db
    with db.transaction(write=False):
        due = db.execute(
            "SELECT COUNT(*) FROM shipments WHERE next_due IS NOT NULL AND next_due <= ?",
            (micros(now),),
        )
        head = feed_head(db)
        consumers = db.execute("SELECT name, seq FROM consumers ORDER BY name")
    return {
        "logix_due_backlog": {(): float(due[0][0])},
        "logix_feed_lag": {
            (("consumer", str(name)),): float(head - int(seq)) for name, seq in consumers
        },
    }
