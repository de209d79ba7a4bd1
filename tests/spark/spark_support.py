"""Shared pieces of the Spark tests: data, oracles, and a micro-batch host without a JVM.

``MiniStream`` drives ``_spark_rows.handle_rows``/``handle_timer`` exactly as
``transformWithState`` does in event-time mode: the watermark of a micro-batch comes
from the events of the batches before it (maximum event time minus the delay, never
moving back), a key's input rows are handled before the timers the watermark
expires, and one timer per key is kept at ``next_due``.  It checks on every call
that the timer the processor thinks is registered is the one that is.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from logix_carriers import Shipment, TrackingEvent
from logix_rules import Engine, Pack, evaluate, load_pack
from logix_rules.core._durations import from_micros, to_micros
from logix_rules.integrations._spark_rows import (
    KeyOutcome,
    PackSource,
    StateCache,
    event_to_input,
    handle_rows,
    handle_timer,
    kernel_for,
    shipment_to_input,
)

#: Incident fields that do not depend on the instant a snapshot was taken.
STABLE = (
    "id",
    "tracking_number",
    "carrier",
    "kind",
    "severity",
    "rules",
    "opened_at",
    "respond_by",
    "resolve_by",
    "escalate_at",
    "deadlines",
    "escalations",
    "state",
)


def stable(incidents: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Incident dicts cut down to ``STABLE`` (amounts that read `now` are left out)."""
    out = {}
    for ident, inc in incidents.items():
        cut = {key: inc[key] for key in STABLE}
        cut["remedy"] = None if inc["remedy"] is None else inc["remedy"]["code"]
        out[ident] = cut
    return out


def engine_open(
    pack: Pack | str,
    events: Iterable[TrackingEvent],
    shipments: Iterable[Shipment],
    at: datetime,
) -> dict[str, dict[str, Any]]:
    """The in-process engine's open incidents after all events and ``advance(to=at)``."""
    engine = Engine(pack)
    for shipment in shipments:
        engine.upsert_shipment(shipment)
    engine.ingest(list(events))
    engine.advance(to=at)
    return {inc.id: inc.to_dict() for inc in engine.open_incidents()}


def evaluate_open(
    pack: Pack | str,
    events: Iterable[TrackingEvent],
    shipments: Iterable[Shipment],
    at: datetime,
) -> dict[str, dict[str, Any]]:
    found = evaluate(pack, list(events), at=at, shipments=list(shipments))
    return {inc.id: inc.to_dict() for inc in found}


def input_rows(
    events: Sequence[TrackingEvent], shipments: Sequence[Shipment] = ()
) -> list[dict[str, Any]]:
    return [shipment_to_input(s) for s in shipments] + [event_to_input(e) for e in events]


def jittered(events: Sequence[TrackingEvent], max_delay_us: int, seed: int) -> list[TrackingEvent]:
    """Arrival order: each event delayed by up to ``max_delay_us`` after it happened."""
    rnd = random.Random(seed)
    keyed = [(to_micros(e.occurred_at) + rnd.randint(0, max_delay_us), e) for e in events]
    keyed.sort(key=lambda pair: pair[0])
    return [event for _, event in keyed]


def chunks(rows: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(rows[i : i + size]) for i in range(0, len(rows), size)]


class MiniStream:
    """A micro-batch host of the per-key logic, in Spark's order (see module doc)."""

    def __init__(
        self,
        pack: Pack | str = "default",
        *,
        delay_ms: int,
        cache: int = 1000,
    ) -> None:
        self.kernel = kernel_for(PackSource.of(load_pack(pack) if isinstance(pack, str) else pack))
        self.cache = StateCache(cache) if cache > 0 else None
        self.delay_ms = delay_ms
        self.saved: dict[str, tuple[bytes, int]] = {}
        self.timers: dict[str, int] = {}
        self.watermark_ms = 0
        self.max_event_ms: int | None = None
        self.out: list[dict[str, Any]] = []
        self.batches = 0

    def batch(self, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        start = len(self.out)
        wm = self.watermark_ms
        now = wm * 1000 if wm > 0 else None
        by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_key[row["tracking_number"]].append(row)
            if row["record"] == "event" and row["occurred_at_us"] is not None:
                ms = row["occurred_at_us"] // 1000
                self.max_event_ms = ms if self.max_event_ms is None else max(ms, self.max_event_ms)
        for tn, key_rows in by_key.items():
            outcome = handle_rows(
                self.kernel, self.cache, tn, self.saved.get(tn), key_rows, now_us=now
            )
            self._commit(tn, outcome, expired=None)
        self._timers()
        self.batches += 1
        if self.max_event_ms is not None:
            self.watermark_ms = max(self.watermark_ms, self.max_event_ms - self.delay_ms)
        return self.out[start:]

    def finish(self) -> list[dict[str, Any]]:
        """The no-data batch Spark runs when the last batch moved the watermark."""
        start = len(self.out)
        self._timers()
        return self.out[start:]

    @property
    def watermark(self) -> datetime:
        return from_micros(self.watermark_ms * 1000)

    def _timers(self) -> None:
        wm = self.watermark_ms
        for tn, ms in sorted(self.timers.items()):
            if ms <= wm:
                outcome = handle_timer(
                    self.kernel, self.cache, tn, self.saved.get(tn), now_us=wm * 1000
                )
                del self.timers[tn]  # Spark deletes the expired timer after the call
                self._commit(tn, outcome, expired=ms)

    def _commit(self, tn: str, outcome: KeyOutcome, expired: int | None) -> None:
        registered = self.timers.get(tn)
        if expired is None:
            assert outcome.timer_before == registered, (tn, outcome.timer_before, registered)
        if outcome.saved is not None:
            self.saved[tn] = outcome.saved
        if outcome.timer_after is not None:
            assert outcome.timer_after > self.watermark_ms, "a timer at or before the watermark"
            self.timers[tn] = outcome.timer_after
        else:
            self.timers.pop(tn, None)
        self.out.extend(outcome.rows)
