"""The durable-rules backend: a rule pack compiled into a ``durable_rules`` ruleset.

``pip install 'logix[durable]'`` brings durable-rules 2.0.28 (its last release).  The
backend answers the question "which incidents are open" exactly like the core
engine, for every rule it can express, so the two can be compared and benchmarked
on the same packs::

    backend = DurableBackend(load_pack("default"))   # warns about rules it cannot run
    backend.ingest(events)
    backend.advance(to=when)
    backend.results()   # {(tracking_number, kind, severity), ...}

How a pack becomes a ruleset, and why:

* durable_rules matches facts; it has no aggregates (counts, first/last over a
  history) and no notion of "the latest scan in event time".  The backend therefore
  keeps, per shipment, the observations the condition language reads (status, stage,
  counts, attribute values, anchor times...) with the core engine's semantics, and
  asserts them as one *observation fact* per shipment.  Every rule condition and
  every time threshold is evaluated by durable_rules.
* A posted event is consumed by at most one rule, so observations are asserted and
  retracted as *facts*, which every matching rule sees.  An observation no rule
  matches raises ``MessageNotHandledException``; that is expected and ignored.
* durable_rules' timers follow the wall clock, so time rules are driven by *clock
  facts*: ``advance(to=T)`` retracts the clock fact of every session and asserts one
  saying ``now = T``; a time rule is a join of an observation and the clock
  (``clock.now >= anchor + after``), plus the same test against the shipment's own
  latest event time, which is when the core engine evaluates it too.
* One ruleset holds at most 1,024 live sessions, so shipments are spread over a
  fixed number of sessions (``sessions=``, 16 by default) by a hash of their
  tracking number, never one session per shipment.
* Ruleset names are global per process: each backend registers a unique name and
  deletes its ruleset on ``close()``.
* The backend drives durable_rules synchronously (no background dispatch thread),
  so ``results()`` is complete as soon as ``ingest``/``advance`` return.

Rules it cannot express are reported by name when the pack is compiled: a
``UnsupportedRulesWarning`` (or, with ``strict=True``, ``UnsupportedRulesError``)
lists each with the reason.  They are never silently dropped.
"""

from __future__ import annotations

import bisect
import importlib
import itertools
import uuid
import zlib
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from types import ModuleType, SimpleNamespace
from typing import Any

from logix_carriers import Shipment, TrackingEvent

from ..compiler._model import Pack
from ..compiler._namespace import ESTIMATE
from ..core._durations import to_micros
from ..core._errors import InputProblem
from ..runtime._inputs import aware_micros, parse_events, parse_shipment
from ..runtime._kernel import _coerce
from ..runtime._lifecycle import superseded
from ._durable_compile import _CLOCK, _STATE, DurableProgram, compile_pack
from ._durable_observe import _codes, _getters, _key, _Obs, _Rec, _Track
from ._durable_reports import DurableIncident, DurableUnavailable, UnsupportedRulesError

__all__ = ["MAX_SESSIONS", "DurableBackend"]

MAX_SESSIONS = 1024
"""durable-rules 2.0.28 keeps at most this many live sessions per ruleset."""

_CLOCK_ID = "$clock"
_TIMED = ("@clock", "@mark")
_NAMES = itertools.count(1)


def _plain_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_micros(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _durable() -> tuple[ModuleType, ModuleType]:
    try:
        return (
            importlib.import_module("durable.engine"),
            importlib.import_module("durable_rules_engine"),
        )
    except ImportError:
        raise DurableUnavailable() from None


# -- the backend ---------------------------------------------------------------------------
class DurableBackend:
    """A pack running on durable_rules: ``upsert_shipment``, ``ingest``, ``advance``,
    then ``results()`` or ``open_incidents()``.

    Use it as a context manager (or call ``close()``) to free the durable_rules
    ruleset.  ``sessions`` spreads shipments over that many durable_rules sessions
    (at most 1,024, durable-rules' limit per ruleset).
    """

    def __init__(
        self,
        pack: Pack | str | DurableProgram,
        *,
        strict: bool = False,
        sessions: int = 16,
        assume_tz: str | None = None,
    ) -> None:
        if not 1 <= sessions <= MAX_SESSIONS:
            raise ValueError(
                f"sessions={sessions}: durable-rules holds 1 to {MAX_SESSIONS} live "
                "sessions per ruleset; shipments are spread over them by tracking number"
            )
        engine, native = _durable()
        program = pack if isinstance(pack, DurableProgram) else compile_pack(pack, strict=strict)
        if isinstance(pack, DurableProgram) and strict and program.unsupported:
            raise UnsupportedRulesError(program.unsupported, program.pack.name)
        self.program = program
        self.pack = program.pack
        self.sessions = sessions
        self._assume_tz = assume_tz
        self._engine = engine
        self._native = native
        self._not_handled = (engine.MessageNotHandledException, engine.MessageObservedException)
        self._tracks: dict[str, _Track] = {}
        self._clock: int | None = None
        self._error: BaseException | None = None
        self._rules = self.pack.rules
        layout = program.layout
        self._trackers = layout.trackers
        self._wanted_attrs = {
            name: kind for name, kind in self.pack.attr_types.items() if name in layout.attrs
        }
        self._getters = _getters(layout)
        self._keeps_estimate = "estimated_delivery" in layout.state
        self.name = f"logix-{self.pack.name}-{next(_NAMES)}-{uuid.uuid4().hex[:8]}"
        definition: dict[str, Any] = {}
        for rule_name, body in program.definition.items():
            alias = "st" if "st" in body["all"][0] else "m"
            definition[rule_name] = {**body, "run": self._action(rule_name, alias)}
        self._ruleset: Any = engine.Ruleset(self.name, _Host(), definition)
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"<DurableBackend pack={self.pack.name!r} rules={len(self.program.supported)} "
            f"shipments={len(self._tracks)}>"
        )

    def __enter__(self) -> DurableBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Delete the durable_rules ruleset (its facts live outside Python's heap)."""
        if not self._closed:
            self._closed = True
            self._native.delete_ruleset(self._ruleset._handle)

    # -- input ---------------------------------------------------------------------------
    def upsert_shipment(self, shipment: Shipment | dict[str, Any]) -> None:
        """Add or replace the OMS facts of a shipment."""
        self._check_open()
        parsed = parse_shipment(shipment, assume_tz=self._assume_tz)
        track = self._track(parsed.tracking_number, parsed.carrier)
        self._fix(track, parsed)
        self._assert(track)

    def ingest(
        self,
        events: Iterable[TrackingEvent | dict[str, Any]],
        *,
        on_invalid: Callable[[InputProblem], None] | None = None,
    ) -> None:
        """Apply events (``TrackingEvent`` objects or plain dicts), as ``Engine.ingest``."""
        self._check_open()
        records = [
            (self._record(event), event.tracking_number, event.carrier)
            for event in parse_events(events, assume_tz=self._assume_tz, on_invalid=on_invalid)
        ]
        # Time order keeps most shipments on the append-only path, as in the engine.
        records.sort(key=lambda item: _key(item[0]))
        for rec, tn, carrier in records:
            track = self._track(tn, carrier)
            # Every event is evaluated, as the core engine does to report changes:
            # durable_rules sees each intermediate state, not only the batch's last.
            if self._absorb(track, rec):
                self._assert(track)

    def advance(self, *, to: datetime) -> None:
        """Move every session's clock fact to ``to``; due time rules fire."""
        self._check_open()
        now = aware_micros(to, "to")
        if self._clock is not None and now <= self._clock:
            return
        self._clock = now
        for shard in range(self.sessions):
            sid = str(shard)
            self._ruleset.retract_fact({"sid": sid, "id": _CLOCK_ID})
            self._run(
                self._ruleset.assert_fact, {"sid": sid, "id": _CLOCK_ID, **_CLOCK, "now": now}
            )

    # -- output --------------------------------------------------------------------------
    def open_incidents(self) -> list[DurableIncident]:
        """One incident per shipment and kind, at the most severe rule that holds."""
        self._check_open()
        rules = self._rules
        out: list[DurableIncident] = []
        targets = self.program.targets
        for tn, track in self._tracks.items():
            if not track.holding:
                continue
            if not track.history and not any(name.endswith(_TIMED) for name in track.holding):
                # No event and no due time reached yet: the core engine has not
                # evaluated this shipment at all, so nothing can be open.
                continue
            active: dict[int, int] = {}
            for name in track.holding:
                rule_index, step = targets[name]
                if step > active.get(rule_index, -1):
                    active[rule_index] = step
            by_kind: dict[str, list[tuple[int, int]]] = {}
            for rule_index in sorted(active):
                by_kind.setdefault(rules[rule_index].kind, []).append(
                    (rule_index, active[rule_index])
                )
                # A kind a holding kind supersedes is not open (see docs/engine.md).
            for kind in superseded(self.pack.supersedes, by_kind):
                by_kind.pop(kind, None)
            for kind, hits in by_kind.items():
                lead, step = min(hits, key=lambda hit: (rules[hit[0]].steps[hit[1]].rank, hit[0]))
                out.append(
                    DurableIncident(
                        tn,
                        kind,
                        rules[lead].steps[step].severity,
                        tuple(rules[index].id for index, _ in hits),
                    )
                )
        out.sort(key=lambda inc: (inc.tracking_number, inc.kind))
        return out

    def results(self) -> set[tuple[str, str, str]]:
        """``{(tracking number, kind, severity)}`` of the open incidents."""
        return {(i.tracking_number, i.kind, i.severity) for i in self.open_incidents()}

    # -- internals -----------------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("this DurableBackend is closed")

    def _track(self, tn: str, carrier: str) -> _Track:
        track = self._tracks.get(tn)
        if track is None:
            sid = str(zlib.crc32(tn.encode()) % self.sessions)
            track = self._tracks[tn] = _Track(tn, carrier, sid, len(self._trackers))
            self._fix(track, None)
        return track

    def _fix(self, track: _Track, shipment: Shipment | None) -> None:
        layout = self.program.layout
        facts: Any = shipment
        if facts is None:
            facts = SimpleNamespace(
                tracking_number=track.tn,
                carrier=track.carrier,
                origin_country=None,
                destination_country=None,
                lane=None,
                cross_border=False,
                service_level=None,
                category=None,
            )
        fixed: dict[str, Any] = {}
        for name in layout.shipment:
            value = _plain_value(getattr(facts, name, None))
            if value is not None:
                fixed[f"sh_{name}"] = value
        if layout.params:
            params = self.pack.params_for(facts)
            for name in layout.params:
                fixed[f"p_{name}"] = getattr(params, name)
        track.fixed = fixed

    def _record(self, event: TrackingEvent) -> _Rec:
        kept: list[tuple[str, Any]] = []
        wanted = self._wanted_attrs
        if wanted and event.attributes:
            for name, value in event.attributes.items():
                if name in wanted:
                    kept.append((name, _coerce(wanted[name], value)))
        if self._keeps_estimate and event.estimated_delivery is not None:
            kept.append((ESTIMATE, to_micros(event.estimated_delivery)))
        loc = event.location
        source = event.source
        status, stage, reason = _codes(event.status, event.reason, event.stage)
        return _Rec(
            to_micros(event.occurred_at),
            event.event_id,
            status,
            stage,
            reason,
            source.system,
            event.is_report,
            None if loc is None else loc.country,
            source.code or source.status,
            event.description,
            tuple(kept),
        )

    def _absorb(self, track: _Track, rec: _Rec) -> bool:
        seen = track.records.get(rec.id)
        history = track.history
        if seen is not None:
            if seen == rec or seen.content() >= rec.content():
                return False
            history.remove(seen)
            track.records[rec.id] = rec
            bisect.insort(history, rec, key=_key)
            self._rebuild(track)
            return True
        track.records[rec.id] = rec
        if not history or _key(rec) > _key(history[-1]):
            history.append(rec)
            track.obs.absorb(rec, self._trackers)
        else:
            bisect.insort(history, rec, key=_key)
            self._rebuild(track)
        return True

    def _rebuild(self, track: _Track) -> None:
        obs = track.obs = _Obs(len(self._trackers))
        for rec in track.history:
            obs.absorb(rec, self._trackers)

    def _assert(self, track: _Track) -> None:
        fact: dict[str, Any] = {"sid": track.sid, "id": track.tn, **_STATE, "tn": track.tn}
        if track.history:
            fact["at"] = track.history[-1].t
        obs = track.obs
        for key, getter in self._getters:
            value = getter(obs)
            if value is not None:
                fact[key] = value
        fact.update(track.fixed)
        if fact == track.fact:
            return
        if track.fact is not None:
            self._ruleset.retract_fact({"sid": track.sid, "id": track.tn})
        track.holding.clear()
        track.fact = fact
        self._run(self._ruleset.assert_fact, fact)

    def _run(self, method: Callable[[dict[str, Any]], Any], fact: dict[str, Any]) -> None:
        try:
            handle = method(fact)
        except self._not_handled:
            return  # no rule looks at this fact: nothing holds
        self._ruleset.do_actions(handle, self._complete)
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _complete(self, error: BaseException | None, _state: Any) -> None:
        if error is not None:
            self._error = error

    def _action(self, rule_name: str, alias: str) -> Callable[[Any], None]:
        tracks = self._tracks

        def run(c: Any) -> None:
            tracks[getattr(c, alias).tn].holding.add(rule_name)

        return run


class _Host:
    """What durable_rules' ``Ruleset`` asks of a host: actions are always callables here."""

    def get_action(self, action_name: str) -> Any:
        raise KeyError(action_name)
