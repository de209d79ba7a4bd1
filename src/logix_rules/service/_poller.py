"""The poller: carriers without push are asked for their parcels not yet in a final
state, each parcel every ``interval`` seconds (default 10 min), within the carrier's
batch size and rate limit.

Several processes share the work through the store: a claim takes request tokens
from the carrier's bucket (``rate_buckets``, so the limit holds for all processes
together), takes due parcels with ``FOR UPDATE SKIP LOCKED`` and moves their
``next_poll`` on in the same short transaction; the HTTP call happens after it, so a
parcel is never polled by two processes in one interval.  A parcel whose latest event
is final (delivered, returned, cancelled) is not polled again.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import attrs

from logix_carriers import FINAL_STATUSES, CarrierAdapter, TrackResult

from ..store._db import wall_micros
from ._context import Handle
from ._metrics import Metrics
from ._rate_buckets import give_back, take_tokens

__all__ = ["PollReport", "Poller", "claim_due", "schedule_new_parcels"]

log = logging.getLogger("logix.service.poller")

#: The most requests one claim may spend (the rest waits for the next round).
MAX_REQUESTS_PER_CLAIM = 20
#: Seconds between two looks for parcels new to the schedule (each reads the carrier's
#: parcels in the store, so not every round).
SCHEDULE_EVERY = 60.0


def schedule_new_parcels(handle: Handle, carrier: str, now_us: int) -> int:
    """Put the store's parcels of ``carrier`` that have no schedule yet on it, due now;
    how many were added.  Parcels reach the store by webhooks, by ``logix run --store``
    or by your own engine, so the poller looks for new ones every ``SCHEDULE_EVERY``
    seconds."""
    db = handle.store.db
    with db.transaction(write=True):
        added = db.execute(
            "INSERT INTO poll_schedule (tracking_number, carrier, next_poll, final, polled) "
            "SELECT s.tracking_number, s.carrier, ?, 0, NULL FROM shipments s "
            "WHERE s.carrier = ? AND s.state IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM poll_schedule p WHERE p.tracking_number = s.tracking_number) "
            "ON CONFLICT (tracking_number) DO NOTHING RETURNING tracking_number",
            (now_us, carrier),
        )
    return len(added)


def claim_due(handle: Handle, adapter: CarrierAdapter, interval: float, now_us: int) -> list[str]:
    """Claim the parcels of ``adapter``'s carrier due for a poll, as many as its
    shared rate limit allows now; their next poll moves ``interval`` seconds on."""
    db = handle.store.db
    carrier = adapter.code
    caps = adapter.capabilities
    with db.transaction(write=True):
        requests = take_tokens(db, carrier, caps.rate_limit, MAX_REQUESTS_PER_CLAIM, now_us)
        if not requests:
            return []
        rows = db.execute(
            "SELECT tracking_number FROM poll_schedule "
            "WHERE carrier = ? AND final = 0 AND next_poll <= ? "
            f"ORDER BY next_poll, tracking_number LIMIT ?{db.for_update_skip_locked}",
            (carrier, now_us, requests * caps.batch_size),
        )
        numbers = sorted(str(tn) for (tn,) in rows)
        give_back(db, carrier, requests - math.ceil(len(numbers) / caps.batch_size))
        if numbers:
            match, params = db.in_list(numbers)
            db.execute(
                f"UPDATE poll_schedule SET next_poll = ?, polled = ? WHERE tracking_number {match}",
                [now_us + int(interval * 1_000_000), now_us, *params],
            )
    return numbers


@attrs.frozen
class PollReport:
    """What one round did for one carrier."""

    carrier: str
    parcels: int = 0
    requests: int = 0
    events: int = 0
    final: int = 0
    problems: int = 0


def store_result(handle: Handle, result: TrackResult) -> tuple[int, int]:
    """Ingest a poll's events and mark the parcels that reached a final state, in one
    transaction; (events, parcels now final)."""
    db = handle.store.db
    events = result.all_events()
    final = sorted(
        number
        for number, found in result.events.items()
        if found and found[-1].status in FINAL_STATUSES
    )
    with db.transaction(write=True):
        if events:
            handle.engine.ingest(events)
        if final:
            match, params = db.in_list(final)
            db.execute(f"UPDATE poll_schedule SET final = 1 WHERE tracking_number {match}", params)
    return len(events), len(final)


class Poller:
    """Polls the given adapters' carriers; ``step`` runs one round for one carrier."""

    def __init__(
        self,
        adapters: Sequence[CarrierAdapter],
        intervals: dict[str, float],
        *,
        metrics: Metrics | None = None,
    ) -> None:
        self.adapters = {adapter.code: adapter for adapter in adapters}
        self.intervals = intervals
        self.metrics = metrics if metrics is not None else Metrics()
        self._scheduled: dict[str, int] = {}  # carrier -> when new parcels were last looked for

    def step(self, handle: Handle, carrier: str, *, now_us: int | None = None) -> PollReport:
        adapter = self.adapters[carrier]
        now = wall_micros() if now_us is None else now_us
        last = self._scheduled.get(carrier)
        if last is None or not 0 <= now - last < SCHEDULE_EVERY * 1_000_000:
            schedule_new_parcels(handle, carrier, now)
            self._scheduled[carrier] = now
        numbers = claim_due(handle, adapter, self.intervals.get(carrier, 600.0), now)
        if not numbers:
            return PollReport(carrier)
        requests = math.ceil(len(numbers) / adapter.capabilities.batch_size)
        self.metrics.inc("logix_polls_total", requests, carrier=carrier)
        self.metrics.inc("logix_polled_parcels_total", len(numbers), carrier=carrier)
        result = adapter.track(numbers)
        for problem in result.problems[:20]:
            log.warning("%s poll: %s", carrier, problem)
        events, final = store_result(handle, result)
        self.metrics.inc("logix_events_ingested_total", events, carrier=carrier, source="poll")
        return PollReport(carrier, len(numbers), requests, events, final, len(result.problems))
