"""What the durable backend knows of each shipment, asserted as its observation fact:
the values the condition language reads (status, stage, counts, attribute values,
anchor times...), with the core kernel's definitions."""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from typing import Any, NamedTuple

from logix_carriers import (
    FINAL_STATUSES,
    STAGE_ORDER,
    Reason,
    Stage,
    Status,
    default_stage,
    implies_stage,
)

from ..compiler._namespace import ESTIMATE
from ._durable_conditions import _Layout

__all__: list[str] = []

_FINAL = frozenset(s.value for s in FINAL_STATUSES)
_ORDER = {stage.value: rank for stage, rank in STAGE_ORDER.items()}
_RETURN_STATUSES = frozenset({"returning", "returned"})


class _Rec(NamedTuple):
    t: int
    id: str
    status: str
    stage: str | None  # None: the scan says nothing about where the parcel is
    reason: str | None
    system: str
    report: bool
    country: str | None
    code: str | None
    desc: str
    attrs: tuple[tuple[str, Any], ...]

    def content(self) -> tuple[int, int, bool, str]:
        # Of two different events under one id the core engine keeps the richer (more
        # attribute values, then more text, then a source code), then any fixed order.
        row = [*self[:10], [list(pair) for pair in self.attrs]]
        return (
            sum(value is not None for _, value in self.attrs),
            len(self.desc),
            self.code is not None,
            json.dumps(row, sort_keys=True, default=str),
        )


_CODES: dict[tuple[Status, Reason | None, Stage], tuple[str, str | None, str | None]] = {}


def _codes(
    status: Status, reason: Reason | None, stage: Stage
) -> tuple[str, str | None, str | None]:
    """(status, stage, reason) as strings; a stage that is only the fallback of a status
    that says nothing about position (a weather delay) becomes None."""
    codes = _CODES.get((status, reason, stage))
    if codes is None:
        positional = implies_stage(status, reason) or stage != default_stage(status, reason)
        codes = (status.value, stage.value if positional else None, reason and reason.value)
        _CODES[(status, reason, stage)] = codes
    return codes


def _key(rec: _Rec) -> tuple[int, str]:
    return (rec.t, rec.id)


class _Obs:
    """The observations of one shipment, with the core kernel's definitions."""

    __slots__ = (
        "after_delivery",
        "attr_values",
        "cnt",
        "delivered_at",
        "final",
        "first_event",
        "first_scan",
        "firsts",
        "last_event",
        "last_scan",
        "lasts",
        "latest",
        "n_events",
        "n_scans",
        "reason",
        "regressions",
        "stage",
        "stage_entered",
        "status",
        "status_entered",
    )

    def __init__(self, trackers: int) -> None:
        self.status: str | None = None
        self.stage: str | None = None
        self.reason: str | None = None
        self.final = False
        self.delivered_at: int | None = None
        self.first_event: int | None = None
        self.last_event: int | None = None
        self.first_scan: int | None = None
        self.last_scan: int | None = None
        self.status_entered: int | None = None
        self.stage_entered: int | None = None
        self.n_events = 0
        self.n_scans = 0
        self.regressions = 0
        self.after_delivery = 0
        self.cnt = [0] * trackers
        self.firsts: list[int | None] = [None] * trackers
        self.lasts: list[int | None] = [None] * trackers
        self.attr_values: dict[str, Any] = {}
        self.latest: _Rec | None = None

    @property
    def estimated_delivery(self) -> int | None:
        """The latest estimate a carrier gave (the kernel keeps it among attributes)."""
        value = self.attr_values.get(ESTIMATE)
        return value if isinstance(value, int) else None

    def absorb(self, rec: _Rec, trackers: list[tuple[tuple[str, tuple[Any, ...]], ...]]) -> None:
        t = rec.t
        self.n_events += 1
        if self.first_event is None:
            self.first_event = t
        self.last_event = t
        self.latest = rec
        for index, filters in enumerate(trackers):
            if all(getattr(rec, key) in values for key, values in filters):
                self.cnt[index] += 1
                if self.firsts[index] is None:
                    self.firsts[index] = t
                self.lasts[index] = t
        for name, value in rec.attrs:
            if value is not None:
                self.attr_values[name] = value
        if rec.report:
            return  # reports never move status, stage or the scan clock
        self.n_scans += 1
        if self.first_scan is None:
            self.first_scan = t
        self.last_scan = t
        status = rec.status
        if status == "unknown":
            return
        if (
            self.delivered_at is not None
            and status != "delivered"
            and status not in _RETURN_STATUSES
            and rec.stage != "return"
        ):
            self.after_delivery += 1
        if rec.stage is not None:
            previous = _ORDER.get(self.stage or "")
            current = _ORDER.get(rec.stage)
            if previous is not None and current is not None and current < previous:
                self.regressions += 1
            if rec.stage != self.stage:
                self.stage = rec.stage
                self.stage_entered = t
        elif self.stage is None:
            reason = Reason(rec.reason) if rec.reason else None
            self.stage = default_stage(Status(status), reason).value
            self.stage_entered = t
        if status != self.status:
            self.status = status
            self.status_entered = t
        self.reason = rec.reason
        self.final = status in _FINAL
        if status == "delivered" and self.delivered_at is None:
            self.delivered_at = t


class _Track:
    __slots__ = ("carrier", "fact", "fixed", "history", "holding", "obs", "records", "sid", "tn")

    def __init__(self, tn: str, carrier: str, sid: str, trackers: int) -> None:
        self.tn = tn
        self.carrier = carrier
        self.sid = sid
        self.records: dict[str, _Rec] = {}
        self.history: list[_Rec] = []
        self.obs = _Obs(trackers)
        self.fixed: dict[str, Any] = {}  # shipment fields and per-shipment params
        self.fact: dict[str, Any] | None = None
        self.holding: set[str] = set()


def _getters(layout: _Layout) -> list[tuple[str, Callable[[_Obs], Any]]]:
    getters: list[tuple[str, Callable[[_Obs], Any]]] = []
    for key in sorted(layout.state):
        getters.append((key, operator.attrgetter(key)))
    for index in range(len(layout.trackers)):
        getters.append((f"t{index}_n", _item("cnt", index)))
        getters.append((f"t{index}_first", _item("firsts", index)))
        getters.append((f"t{index}_last", _item("lasts", index)))
    for name in sorted(layout.attrs):
        if layout.pack.attr_types.get(name, "any") == "any":
            getters.append((f"a_{name}", _attr_present(name)))
            getters.append((f"a_{name}_n", _attr_number(name)))
            getters.append((f"a_{name}_s", _attr_text(name)))
        else:
            getters.append((f"a_{name}", _attr_value(name)))
    for name in sorted(layout.event):
        getters.append((f"ev_{name}", _event_field(name)))
    return getters


def _item(attr: str, index: int) -> Callable[[_Obs], Any]:
    def get(obs: _Obs) -> Any:
        return getattr(obs, attr)[index]

    return get


def _attr_value(name: str) -> Callable[[_Obs], Any]:
    def get(obs: _Obs) -> Any:
        return obs.attr_values.get(name)

    return get


def _attr_present(name: str) -> Callable[[_Obs], Any]:
    def get(obs: _Obs) -> Any:
        return 1 if name in obs.attr_values else None

    return get


def _attr_number(name: str) -> Callable[[_Obs], Any]:
    def get(obs: _Obs) -> Any:
        value = obs.attr_values.get(name)
        if isinstance(value, bool):
            return int(value)
        return value if isinstance(value, int | float) else None

    return get


def _attr_text(name: str) -> Callable[[_Obs], Any]:
    def get(obs: _Obs) -> Any:
        value = obs.attr_values.get(name)
        return value if isinstance(value, str) else None

    return get


_EVENT_ATTR = {"at": "t"}


def _event_field(name: str) -> Callable[[_Obs], Any]:
    attr = _EVENT_ATTR.get(name, name)

    def get(obs: _Obs) -> Any:
        latest = obs.latest
        if latest is None:
            return False if name == "report" else None
        return getattr(latest, attr)

    return get
