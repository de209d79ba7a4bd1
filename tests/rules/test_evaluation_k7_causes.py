"""``derived_cause`` reads the trail's latest cause-bearing reason at or before an
instant, whether every absorbed event is before it (the common case, with no time
test) or not (a replay's earlier instants), and never an event not absorbed yet."""

from __future__ import annotations

from logix_rules import Engine, generate_demo, load_pack
from logix_rules.core._records import KIND, REASON, T
from logix_rules.runtime._causes import CAUSE_OF_REASON, derived_cause
from logix_rules.runtime._state import ShipmentState


def _reference(s: ShipmentState, t: int) -> str:
    for rec in reversed(s.history[: s.n_events]):
        reason = rec[KIND][REASON]
        if rec[T] <= t and reason is not None and reason in CAUSE_OF_REASON:
            return CAUSE_OF_REASON[reason]
    return "unknown"


def test_the_cause_at_every_instant_of_every_demo_trail() -> None:
    engine = Engine(load_pack("default"))
    data = generate_demo(seed=9, shipments=120)
    engine.ingest(list(data.events))
    states = list(engine._host.states.values())  # type: ignore[attr-defined]
    causes: set[str] = set()
    for s in states:
        times = sorted({rec[T] for rec in s.history})
        for t in [times[0] - 1, *times, *(x + 1 for x in times)]:
            causes.add(derived_cause(s, t))
            assert derived_cause(s, t) == _reference(s, t)
        # as during a replay: only the first events absorbed, the rest in the list
        absorbed = s.n_events
        s.n_events = len(s.history) // 2
        for t in times:
            assert derived_cause(s, t) == _reference(s, t)
        s.n_events = absorbed
    assert {"customer", "carrier", "unknown"} <= causes
