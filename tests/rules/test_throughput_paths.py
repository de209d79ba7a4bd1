"""The throughput paths of issue 15 give the answers of the plain ones.

* ``evaluate_chunks`` (what ``logix run`` uses: events read a chunk at a time and
  kept as kernel records) reports exactly what ``evaluate`` reports, whatever the
  chunk size, with or without ``at`` and OMS facts.
* A shipment's state holds no reference cycle, so reference counting frees it and
  the engine may move settled states out of the collector's sight (``_gc_settle``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from logix_carriers import TrackingEvent
from logix_rules import Engine, evaluate, generate_demo, load_pack
from logix_rules.runtime import _gc_settle
from logix_rules.runtime._stream_evaluate import evaluate_chunks

DATA = generate_demo(seed=11, shipments=60)


def chunked(events: Sequence[TrackingEvent], size: int) -> Iterator[list[TrackingEvent]]:
    for start in range(0, len(events), size):
        yield list(events[start : start + size])


def shown(incidents: Sequence[object]) -> list[dict[str, object]]:
    return [i.to_dict() for i in incidents]  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", [1, 7, 250, 100_000])
@pytest.mark.parametrize("with_facts", [False, True])
def test_chunks_give_what_evaluate_gives(size: int, with_facts: bool) -> None:
    pack = load_pack("default")
    facts = DATA.shipments if with_facts else ()
    expected = evaluate(pack, DATA.events, at=DATA.at, shipments=facts)
    seen: list[int] = []
    result = evaluate_chunks(
        pack,
        chunked(DATA.events, size),
        at=DATA.at,
        shipments=lambda: facts,
        each=lambda chunk: seen.append(len(chunk)),
    )
    assert shown(result.incidents) == shown(expected)
    assert result.events == len(DATA.events) == sum(seen)
    assert result.at == DATA.at


def test_without_at_the_latest_event_is_the_time() -> None:
    pack = load_pack("default")
    latest = max(e.occurred_at for e in DATA.events)
    result = evaluate_chunks(pack, chunked(DATA.events, 100))
    assert result.at == latest
    assert result.later == 0
    assert shown(result.incidents) == shown(evaluate(pack, DATA.events, at=latest))


def test_events_after_at_are_counted_and_ignored() -> None:
    pack = load_pack("default")
    at = DATA.at - timedelta(days=6)
    later = sum(1 for e in DATA.events if e.occurred_at > at)
    assert later > 0
    result = evaluate_chunks(pack, chunked(DATA.events, 33), at=at)
    assert result.later == later
    assert shown(result.incidents) == shown(evaluate(pack, DATA.events, at=at))


def test_nothing_read_and_no_at_evaluates_nothing() -> None:
    result = evaluate_chunks(load_pack("default"), iter(()))
    assert (result.incidents, result.at, result.events, result.later) == ([], None, 0, 0)


def test_a_shipment_state_holds_no_reference_cycle() -> None:
    engine = Engine(load_pack("default"))
    for shipment in DATA.shipments:
        engine.upsert_shipment(shipment)
    engine.ingest(DATA.events)
    engine.advance(to=DATA.at)
    incidents = engine.open_incidents()
    assert incidents
    engine.acknowledge(incidents[0].id, by="test")
    engine.resolve(incidents[1].id, by="test")
    host = engine._host
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        states = host.states  # type: ignore[attr-defined]
        assert len(states) == len(DATA.shipments)
        states.clear()
        host.where.clear()  # type: ignore[attr-defined]
        host.held.clear()  # type: ignore[attr-defined]
        host.heap.clear()  # type: ignore[attr-defined]
        del incidents
        # Freed by reference counting alone: nothing left for the collector to find.
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()


def test_a_large_engine_freezes_what_survives_a_full_collection() -> None:
    thresholds = gc.get_threshold()
    settler = _gc_settle.Settler()
    settler.after(_gc_settle.SETTLE_FROM - 1)
    assert gc.get_threshold() == thresholds
    try:
        gc.collect()
        gc.unfreeze()
        gc.collect()
        assert gc.get_freeze_count() == 0  # not armed: collections as usual
        settler.after(_gc_settle.SETTLE_FROM)
        assert _gc_settle._after_collection in gc.callbacks
        assert gc.get_threshold()[:2] >= _gc_settle.YOUNG_THRESHOLDS
        gc.collect()
        assert gc.get_freeze_count() > 0
        gc.unfreeze()
        del settler  # the engine is gone: the hook goes idle, the thresholds come back
        assert gc.get_threshold() == thresholds
        gc.collect()
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def _one_scan_each(count: int) -> list[dict[str, str]]:
    return [
        {
            "tracking_number": f"GC{i:06d}",
            "carrier": "dhl",
            "occurred_at": "2026-03-02T10:00:00Z",
            "status": "picked_up",
        }
        for i in range(count)
    ]


def test_an_engine_with_settle_gc_false_leaves_the_collector_alone() -> None:
    thresholds = gc.get_threshold()
    events = _one_scan_each(_gc_settle.SETTLE_FROM)
    quiet = Engine("default", settle_gc=False)
    quiet.ingest(events)
    assert len(quiet) == _gc_settle.SETTLE_FROM
    assert gc.get_threshold() == thresholds
    tuned = Engine("default")
    try:
        tuned.ingest(events)
        assert gc.get_threshold()[:2] >= _gc_settle.YOUNG_THRESHOLDS
    finally:
        del tuned
        gc.collect()
        gc.unfreeze()
    assert gc.get_threshold() == thresholds


def test_unreported_changes_leave_the_same_engine() -> None:
    """``logix run``'s engine drops its changes (``report=False``): the states and
    incidents are those of an engine that reports them."""
    pack = load_pack("default")
    engines = {report: Engine(pack) for report in (True, False)}
    for report, engine in engines.items():
        groups, carriers = engine._kernel.group(DATA.events)
        applied = engine._apply(groups, carriers, report=report)
        advanced = engine._advance(DATA.at, report=report)
        assert bool(applied) is report
        assert bool(advanced) is report
    reported, dropped = engines[True], engines[False]
    assert shown(dropped.open_incidents()) == shown(reported.open_incidents())
    assert dropped.dump() == reported.dump()


def test_only_an_in_memory_engine_drops_its_changes(tmp_path: Path) -> None:
    from logix_rules.store import open_store

    with open_store(f"sqlite:///{tmp_path / 'ops.db'}") as store:
        engine = Engine(load_pack("default"), store=store)
        groups, carriers = engine._kernel.group(DATA.events[:5])
        with pytest.raises(ValueError, match="in-memory"):
            engine._apply(groups, carriers, report=False)
        with pytest.raises(ValueError, match="in-memory"):
            engine._advance(DATA.at, report=False)
