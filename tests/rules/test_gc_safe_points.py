"""A large in-memory engine's calls are safe points for ``gc.freeze`` (``_gc_settle``).

Freezing at the end of ``ingest`` is only sound if the engine leaves no cyclic
garbage behind (frozen garbage is never collected), and if the collector comes back
exactly as the caller had it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from logix_rules import Engine, InvalidEvents, generate_demo, load_pack
from logix_rules.runtime import _gc_settle

DATA = generate_demo(seed=5, shipments=80)


@pytest.fixture
def collector() -> Iterator[None]:
    """The collector as the test found it, afterwards; nothing left frozen."""
    enabled = gc.isenabled()
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    if enabled:
        gc.enable()
    else:
        gc.disable()


def _scans(prefix: str, count: int) -> list[dict[str, str]]:
    return [
        {
            "tracking_number": f"{prefix}{i:06d}",
            "carrier": "dhl",
            "occurred_at": "2026-03-02T10:00:00Z",
            "status": "picked_up",
        }
        for i in range(count)
    ]


def _armed_engine() -> Engine:
    engine = Engine(load_pack("default"))
    engine.ingest(_scans("ARM", _gc_settle.SETTLE_FROM))  # arms at its end
    assert engine._settler is not None
    assert engine._settler._armed
    return engine


def _run_demo(engine: Engine) -> None:
    for shipment in DATA.shipments:
        engine.upsert_shipment(shipment)
    events = list(DATA.events)
    changes = []
    for start in range(0, len(events), 500):
        changes.extend(engine.ingest(events[start : start + 500]))
    # The dict path, with problems reported one by one and then raised.
    bad = [{"tracking_number": "X1", "status": "picked_up"}]
    problems: list[object] = []
    dicts = [event.model_dump() for event in events[:100]]
    changes.extend(engine.ingest([*dicts, *bad], on_invalid=problems.append))
    assert len(problems) == 1
    with pytest.raises(InvalidEvents):
        engine.ingest(bad)
    changes.extend(engine.advance(to=DATA.at))
    # Half the incidents built on read (lazily), half never read.
    for change in changes[::2]:
        assert change.incident.id
        assert change.id
    incidents = engine.open_incidents()
    assert incidents
    engine.acknowledge(incidents[0].id, by="test")
    engine.resolve(incidents[1].id, by="test")
    assert engine.explain(incidents[2].tracking_number)


@pytest.mark.usefixtures("collector")
def test_ingest_advance_and_their_changes_leave_no_cyclic_garbage() -> None:
    _run_demo(Engine(load_pack("default")))  # warm-up: one-off caches are not garbage
    gc.collect()
    engine = Engine(load_pack("default"))
    gc.disable()
    _run_demo(engine)
    # The changes, their incidents (built or pending) and the inputs are dropped:
    # reference counting freed them all, the collector finds nothing.
    assert gc.collect() == 0
    assert len(engine) == len(DATA.shipments)


@pytest.mark.usefixtures("collector")
def test_an_armed_ingest_freezes_what_it_kept_and_nothing_dead() -> None:
    gc.unfreeze()
    gc.collect()  # not armed yet: nothing frozen, the garbage of earlier tests gone
    engine = _armed_engine()
    frozen = gc.get_freeze_count()
    changes = []
    for call in range(3):
        batch = _scans(f"S{call}", 5_000)
        changes.extend(engine.ingest(batch))
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen  # the new states went out of sight
        frozen = gc.get_freeze_count()
        del batch
    _run_demo(engine)  # armed calls of every kind, changes read and dropped
    del changes
    assert len(engine) == _gc_settle.SETTLE_FROM + 15_000 + len(DATA.shipments)
    # Everything frozen is alive or was freed by reference counting: back in the
    # collector's sight, none of it is garbage.
    gc.unfreeze()
    assert gc.collect() == 0


@pytest.mark.usefixtures("collector")
def test_shipments_upserted_or_loaded_make_the_first_call_quiet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An engine that holds ``SETTLE_FROM`` states before its first ``ingest`` (upserted
    or loaded ones) runs that call with the collector paused, not only the calls after."""
    monkeypatch.setattr(_gc_settle, "SETTLE_FROM", len(DATA.shipments))
    bad = {"tracking_number": "X1", "status": "picked_up"}
    engine = Engine(load_pack("default"))
    for shipment in DATA.shipments[:-1]:
        engine.upsert_shipment(shipment)
    collecting: list[bool] = []
    engine.ingest([bad], on_invalid=lambda _: collecting.append(gc.isenabled()))
    engine.upsert_shipment(DATA.shipments[-1])  # the last one makes it large
    assert engine._settler is not None
    assert not engine._settler._armed
    engine.ingest([*DATA.events[:10], bad], on_invalid=lambda _: collecting.append(gc.isenabled()))
    assert engine._settler._armed
    loaded = Engine.load("default", engine.dump(mask=False))
    loaded.ingest([bad], on_invalid=lambda _: collecting.append(gc.isenabled()))
    assert collecting == [True, False, False]
    assert gc.isenabled()


@pytest.mark.usefixtures("collector")
def test_a_collector_the_caller_disabled_stays_disabled_and_nothing_is_frozen() -> None:
    engine = _armed_engine()
    gc.collect()
    gc.disable()
    frozen = gc.get_freeze_count()
    engine.ingest(_scans("OFF", 5_000))
    assert not gc.isenabled()
    assert gc.get_freeze_count() == frozen


@pytest.mark.usefixtures("collector")
def test_a_call_that_raises_or_keeps_little_freezes_nothing() -> None:
    engine = _armed_engine()
    gc.collect()
    frozen = gc.get_freeze_count()
    bad = [*_scans("BAD", 5_000), {"tracking_number": "X1", "status": "picked_up"}]
    with pytest.raises(InvalidEvents):
        engine.ingest(bad)
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
    engine.ingest(_scans("ONE", 1))
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


@pytest.mark.usefixtures("collector")
def test_an_engine_with_settle_gc_false_makes_no_safe_points() -> None:
    engine = Engine(load_pack("default"), settle_gc=False)
    engine.ingest(_scans("ARM", _gc_settle.SETTLE_FROM))
    gc.collect()
    frozen = gc.get_freeze_count()
    engine.ingest(_scans("Q", 5_000))
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_engines_and_store_units_share_one_raise_of_the_young_thresholds(
    collector: None,
) -> None:
    """A store unit that starts before a large engine arms and ends after it must not
    take the engine's raised thresholds away, nor leave them raised for good."""
    gc.set_threshold(700, 10, 10)
    raised = (*_gc_settle.YOUNG_THRESHOLDS, 10)
    _gc_settle.raise_young()  # a unit starts
    _gc_settle._arm()  # an engine grows large
    _gc_settle.lower_young()  # the unit ends
    assert gc.get_threshold() == raised
    _gc_settle._disarm()  # the engine is gone
    assert gc.get_threshold() == (700, 10, 10)
