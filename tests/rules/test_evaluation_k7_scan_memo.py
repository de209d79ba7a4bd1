"""A timer reuses the rules' last scan while nothing moved the state and no rule
became due (``ShipmentState.scan_memo``, see ``Evaluation._evaluate``): whenever it
does, a fresh scan must say the same, and the changes must be those of an engine that
scans at every timer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from logix_rules import Engine, generate_demo, load_pack
from logix_rules.runtime._state import ShipmentState


def _run(mode: str) -> tuple[list[dict[str, Any]], int, int]:
    """A demo stream with late and repeated scans, OMS facts replaced midway,
    acknowledgements, resolves and recorded actions; ``mode`` ``check`` compares every
    reused scan with a fresh one, ``fresh`` clears the memo before every evaluation.
    Returns what every change reads, how many evaluations reused a scan and how many
    scanned at a timer."""
    data = generate_demo(seed=3, shipments=160)
    events = list(data.events)
    engine = Engine(load_pack("default"))
    kernel = engine._kernel
    evaluate, scan = kernel._evaluate, kernel._scan
    counts = {"reused": 0, "scanned": 0}

    def counted_scan(*args: Any) -> Any:
        counts["scanned"] += 1
        return scan(*args)

    def checked(s: ShipmentState, t: int, scanned: Any = None, **kw: Any) -> Any:
        memo = getattr(s, "scan_memo", None)  # unset until an event is absorbed
        if mode == "fresh":
            s.scan_memo = None
        elif (
            scanned is None
            and memo is not None
            and memo[0] <= t < memo[1]
            and (memo[2], memo[3], memo[4]) == (s.latest, s.n_events, s.facts)
        ):
            counts["reused"] += 1
            assert scan(s, s.facts, s.params, t) == (memo[6], memo[7])
        return evaluate(s, t, scanned, **kw)

    kernel._evaluate = checked  # type: ignore[method-assign]
    kernel._scan = counted_scan  # type: ignore[method-assign]
    for shipment in data.shipments[::2]:
        engine.upsert_shipment(shipment)
    out = []
    for start in range(0, len(events), 97):
        out += engine.ingest(events[start : start + 97])
        if start % 5 == 0:
            for number, incident in enumerate(engine.open_incidents()[:4]):
                at = incident.opened_at + timedelta(hours=1 + number)
                if number == 0:
                    out.append(engine.acknowledge(incident.id, by="ann", at=at))
                elif number == 1:
                    out.append(engine.resolve(incident.id, by="bob", at=at, note="ok"))
                else:
                    engine.record(incident.id, action="documents_supplied", by="cy", at=at)
        if start % 3 == 0:
            for shipment in data.shipments[1::7][:6]:
                out += engine.upsert_shipment(shipment)
    out += engine.advance(to=data.at)
    out += engine.advance(to=data.at + timedelta(days=12))
    read = [change.to_dict(mask=False) for change in out]
    read += [incident.to_dict(mask=False) for incident in engine.open_incidents()]
    return read, counts["reused"], counts["scanned"]


def test_a_reused_scan_is_the_fresh_scan_and_changes_nothing() -> None:
    checked, reused, scanned = _run("check")
    fresh, none, more = _run("fresh")
    assert none == 0
    assert reused > 100  # the memo is used: follow-up deadlines are most timers
    assert more > scanned
    assert len(checked) > 300
    assert checked == fresh


def test_an_absorbed_event_clears_the_memo() -> None:
    engine = Engine(load_pack("default"))
    data = generate_demo(seed=3, shipments=40)
    engine.ingest(list(data.events))
    engine.advance(to=data.at)
    kernel = engine._kernel
    state = kernel.new_state("T1", "dhl")
    state.scan_memo = ("stale",)
    rec = kernel.record(data.events[0])
    kernel.step(state, rec)
    # cleared, or the scan the event's own evaluation took at its instant
    assert state.scan_memo is None or state.scan_memo[0] == rec[0]


def test_a_state_made_or_loaded_has_no_memo_and_scans() -> None:
    engine = Engine(load_pack("default"))
    data = generate_demo(seed=3, shipments=40)
    engine.ingest(list(data.events))
    kernel = engine._kernel
    states = engine._host.states.values()  # type: ignore[attr-defined]
    fired = 0
    for state in [s for s in states if s.open][:10]:
        loaded = kernel.loads(kernel.dumps(state))
        assert not hasattr(loaded, "scan_memo")
        _, changes = kernel.fire(loaded, 2**52)  # evaluates: must not need the memo
        twin = kernel.loads(kernel.dumps(state))
        twin.scan_memo = None
        assert kernel.fire(twin, 2**52)[1] == changes
        fired += len(changes)
    assert fired > 0
