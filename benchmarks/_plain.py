"""The pure-Python limit: the five-rule pack written by hand as one small class.

It does exactly the checks of ``logix_rules/packs/five_rules.yaml`` with the engine's
semantics, and nothing more (no evidence, remedies, explanations or follow-up):

* per-shipment state; an event id seen before changes nothing;
* status, stage and reason come from the latest carrier scan in event time (an
  out-of-order scan is inserted into the history and the state rebuilt); reports
  from people and scans of status ``unknown`` never move them, and a scan whose
  stage is only the fallback of its status (a weather delay) keeps the stage;
* one incident per shipment and kind, at the most severe rule that holds;
* the customs > 48 h timer is checked when a later event arrives and at ``advance``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from logix_carriers import Reason, Stage, Status, TrackingEvent, default_stage, implies_stage

CUSTOMS_TIMEOUT = timedelta(hours=48)
MAX_ATTEMPTS = 3
DAMAGE_MINOR_MAX = 0.05
FINAL = frozenset({"delivered", "returned", "cancelled"})
CUSTOMS_REASONS = frozenset({"customs_hold", "payment_required"})


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


_POSITIONAL: dict[tuple[Status, Reason | None, Stage], bool] = {}


def _positional(status: Status, reason: Reason | None, stage: Stage) -> bool:
    """Whether a scan moves the parcel: not when its stage is only the fallback of a
    status that says nothing about position (a weather delay)."""
    known = _POSITIONAL.get((status, reason, stage))
    if known is None:
        known = implies_stage(status, reason) or stage != default_stage(status, reason)
        _POSITIONAL[(status, reason, stage)] = known
    return known


def _key(event: TrackingEvent) -> tuple[datetime, str]:
    return (event.occurred_at, event.event_id)


class _Shipment:
    __slots__ = (
        "address",
        "attempts",
        "damaged",
        "final",
        "history",
        "ids",
        "open",
        "ratio",
        "reason",
        "stage",
        "stage_entered",
        "status",
    )

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.history: list[TrackingEvent] = []
        self.open: dict[str, str] = {}
        self.reset()

    def reset(self) -> None:
        self.status: str | None = None
        self.stage: Stage | None = None
        self.reason: str | None = None
        self.stage_entered: datetime | None = None
        self.final = False
        self.damaged = False
        self.ratio: float | None = None
        self.attempts = 0
        self.address = False

    def apply(self, event: TrackingEvent) -> None:
        reason = event.reason
        if reason == "damaged":
            self.damaged = True
        if event.attributes:
            ratio = _number(event.attributes.get("damage_ratio"))
            if ratio is not None:
                self.ratio = ratio
        if event.is_report:
            return
        status = event.status
        if status == "attempt_failed":
            self.attempts += 1
        if reason == "address_issue":
            self.address = True
        if status == "unknown":
            return
        stage = event.stage
        if _positional(status, reason, stage):
            if stage != self.stage:
                self.stage = stage
                self.stage_entered = event.occurred_at
        elif self.stage is None:
            self.stage = default_stage(status, reason)
            self.stage_entered = event.occurred_at
        self.status = status
        self.reason = reason
        self.final = status in FINAL

    def evaluate(self, now: datetime) -> None:
        found: dict[str, str] = {}
        if (self.status == "exception" and self.reason in CUSTOMS_REASONS) or (
            self.stage == "customs"
            and self.stage_entered is not None
            and self.stage_entered + CUSTOMS_TIMEOUT <= now
        ):
            found["customs_hold"] = "P1"
        if self.damaged and self.ratio is not None and self.ratio > DAMAGE_MINOR_MAX:
            found["damaged"] = "P2"
        if not self.final:
            if self.attempts >= MAX_ATTEMPTS:
                found["delivery_failure"] = "P1"
            elif self.address:
                found["delivery_failure"] = "P2"
        self.open = found


class PlainFiveRules:
    """``ingest`` / ``advance`` / ``results`` over the five rules, by hand."""

    def __init__(self) -> None:
        self.shipments: dict[str, _Shipment] = {}
        self.clock: datetime | None = None

    def ingest(self, events: Iterable[TrackingEvent]) -> None:
        shipments = self.shipments
        clock = self.clock
        for event in events:
            state = shipments.get(event.tracking_number)
            if state is None:
                state = shipments[event.tracking_number] = _Shipment()
            if event.event_id in state.ids:
                continue
            state.ids.add(event.event_id)
            history = state.history
            if not history or _key(event) > _key(history[-1]):
                history.append(event)
                state.apply(event)
            else:
                bisect.insort(history, event, key=_key)
                state.reset()
                for earlier in history:
                    state.apply(earlier)
            now = history[-1].occurred_at
            state.evaluate(now if clock is None or now > clock else clock)

    def advance(self, to: datetime) -> None:
        if self.clock is None or to > self.clock:
            self.clock = to
        for state in self.shipments.values():
            if state.stage == "customs":
                latest = state.history[-1].occurred_at
                state.evaluate(latest if latest > to else to)

    def results(self) -> set[tuple[str, str, str]]:
        return {
            (number, kind, severity)
            for number, state in self.shipments.items()
            for kind, severity in state.open.items()
        }
