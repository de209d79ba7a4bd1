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

It is written as tight as plain Python goes for these checks (issue 15): what a
(status, reason, stage, system) means for them is worked out once per combination,
and fields are read from the model's ``__dict__`` (a third of the cost of an
attribute of a pydantic model), as the engine does.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from logix_carriers import (
    REPORT_SYSTEMS,
    Reason,
    Stage,
    Status,
    TrackingEvent,
    default_stage,
    implies_stage,
)

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


class _Said:
    """What the five checks read from one (status, reason, stage, system), worked out
    once per combination (there are a few hundred): the engine's own shortcut too."""

    __slots__ = (
        "address",
        "attempt",
        "customs_event",
        "damaged",
        "default",
        "final",
        "positional",
        "report",
        "unknown",
    )

    def __init__(self, status: Status, reason: Reason | None, stage: Stage, system: str) -> None:
        self.report = system in REPORT_SYSTEMS
        self.damaged = reason == "damaged"
        self.attempt = status == "attempt_failed"
        self.address = reason == "address_issue"
        self.unknown = status == "unknown"
        # Whether a scan moves the parcel: not when its stage is only the fallback of
        # a status that says nothing about position (a weather delay).
        self.positional = implies_stage(status, reason) or stage != default_stage(status, reason)
        self.default = default_stage(status, reason)
        self.final = status in FINAL
        self.customs_event = status == "exception" and reason in CUSTOMS_REASONS


_SAID: dict[tuple[Status, Reason | None, Stage, str], _Said] = {}


class _Shipment:
    __slots__ = (
        "address",
        "attempts",
        "customs_event",
        "damaged",
        "final",
        "history",
        "ids",
        "open",
        "ratio",
        "stage",
        "stage_entered",
    )

    def __init__(self) -> None:
        self.ids: set[str] = set()
        # (occurred_at, event_id, event fields, what it said), in event time
        self.history: list[tuple[datetime, str, dict[str, Any], _Said]] = []
        self.open: dict[str, str] = {}
        self.reset()

    def reset(self) -> None:
        self.stage: Stage | None = None
        self.stage_entered: datetime | None = None
        self.final = False
        self.customs_event = False
        self.damaged = False
        self.ratio: float | None = None
        self.attempts = 0
        self.address = False

    def apply(self, fields: dict[str, Any], said: _Said, at: datetime) -> None:
        if said.damaged:
            self.damaged = True
        attributes = fields["attributes"]
        if attributes:
            ratio = attributes.get("damage_ratio")
            if ratio is not None:
                ratio = _number(ratio)
                if ratio is not None:
                    self.ratio = ratio
        if said.report:
            return
        if said.attempt:
            self.attempts += 1
        if said.address:
            self.address = True
        if said.unknown:
            return
        if said.positional:
            stage = fields["stage"]
            if stage != self.stage:
                self.stage = stage
                self.stage_entered = at
        elif self.stage is None:
            self.stage = said.default
            self.stage_entered = at
        self.customs_event = said.customs_event
        self.final = said.final

    def evaluate(self, now: datetime) -> None:
        found: dict[str, str] = {}
        if self.customs_event or (
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
        said_before = _SAID
        for event in events:
            # The model keeps its field values in its __dict__: one dict read each.
            fields = event.__dict__
            number = fields["tracking_number"]
            state = shipments.get(number)
            if state is None:
                state = shipments[number] = _Shipment()
            event_id = fields["event_id"]
            ids = state.ids
            if event_id in ids:
                continue
            ids.add(event_id)
            status, reason, stage = fields["status"], fields["reason"], fields["stage"]
            system = fields["source"].__dict__["system"]
            said = said_before.get((status, reason, stage, system))
            if said is None:
                said = said_before[(status, reason, stage, system)] = _Said(
                    status, reason, stage, system
                )
            at = fields["occurred_at"]
            entry = (at, event_id, fields, said)
            history = state.history
            if history:
                last = history[-1]
                in_order = at > last[0] or (at == last[0] and event_id > last[1])
            else:
                in_order = True
            if in_order:
                history.append(entry)
                state.apply(fields, said, at)
            else:
                bisect.insort(history, entry, key=_entry_key)
                state.reset()
                for earlier_at, _, earlier, earlier_said in history:
                    state.apply(earlier, earlier_said, earlier_at)
            now = history[-1][0]
            state.evaluate(now if clock is None or now > clock else clock)

    def advance(self, to: datetime) -> None:
        if self.clock is None or to > self.clock:
            self.clock = to
        for state in self.shipments.values():
            if state.stage == "customs":
                latest = state.history[-1][0]
                state.evaluate(latest if latest > to else to)

    def results(self) -> set[tuple[str, str, str]]:
        return {
            (number, kind, severity)
            for number, state in self.shipments.items()
            for kind, severity in state.open.items()
        }


def _entry_key(entry: tuple[datetime, str, dict[str, Any], _Said]) -> tuple[datetime, str]:
    return entry[0], entry[1]
