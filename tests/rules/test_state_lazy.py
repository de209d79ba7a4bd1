"""A loaded state's history is read from its body when first asked for
(``runtime/_state_lazy.py``): a touch (``loads``, an in-order step, ``dumps``) reads
none of it, and whatever reads it gets the history a full read gives."""

from __future__ import annotations

import pickle
from typing import Any

from logix_rules import Kernel, generate_demo, load_pack
from logix_rules.runtime._state_lazy import Unread

PACK = load_pack("default")
DEMO = generate_demo(seed=37, shipments=120)


def parcels() -> list[tuple[str, str, list[Any]]]:
    events: dict[str, list[Any]] = {}
    for event in DEMO.events:
        events.setdefault(event.tracking_number, []).append(event)
    out = []
    for tn, found in events.items():
        ordered = sorted(found, key=lambda e: (e.occurred_at, e.event_id))
        if len({e.event_id for e in ordered}) == len(ordered) >= 3:
            out.append((tn, ordered[0].carrier, ordered))
    return out


def counting(kernel: Kernel) -> list[int]:
    """Counts the reads of a body's history (the codec's events3) from now on."""
    reads = [0]
    read = kernel._codec.events3

    def events3(data: bytes, start: int) -> Any:
        reads[0] += 1
        return read(data, start)

    kernel._codec.events3 = events3  # type: ignore[method-assign]
    return reads


def test_an_in_order_touch_reads_no_history() -> None:
    kernel = Kernel(PACK)
    touched = 0
    for tn, carrier, events in parcels():
        state = kernel.new_state(tn, carrier)
        for event in events[:-1]:
            kernel.step(state, kernel.record(event))
        data = kernel.dumps(state)
        reads = counting(kernel)
        loaded = kernel.loads(data, keep=True)
        assert type(loaded._history) is Unread
        kernel.step(loaded, kernel.record(events[-1]))
        # the last event again: a duplicate, found without reading the history
        kernel.step(loaded, kernel.record(events[-1]))
        after = kernel.dumps(loaded, keep=True)
        kernel.step(state, kernel.record(events[-1]))
        assert after == kernel.dumps(state)
        if not state.open:  # (a new incident's evidence reads the events)
            assert reads[0] == 0, tn
            assert type(loaded._history) is Unread
            touched += 1
        assert loaded.history == state.history
    assert touched > 20


def quiet() -> tuple[str, str, list[Any]]:
    """A parcel that opens no incident."""
    kernel = Kernel(PACK)
    for tn, carrier, events in parcels():
        state = kernel.new_state(tn, carrier)
        for event in events:
            kernel.step(state, kernel.record(event))
        if not state.open:
            return tn, carrier, events
    raise AssertionError("no quiet parcel")


def test_an_old_event_again_reads_the_history_once() -> None:
    kernel = Kernel(PACK)
    tn, carrier, events = quiet()
    state = kernel.new_state(tn, carrier)
    for event in events:
        kernel.step(state, kernel.record(event))
    reads = counting(kernel)
    loaded = kernel.loads(kernel.dumps(state), keep=True)
    for event in events[:-1]:  # each in the body: the history is read, once
        assert kernel.step(loaded, kernel.record(event))[1] == []
    assert reads[0] == 1
    assert kernel.dumps(loaded, keep=True) == kernel.dumps(state)


def test_what_reads_the_history_reads_all_of_it() -> None:
    kernel = Kernel(PACK)
    tn, carrier, events = quiet()
    state = kernel.new_state(tn, carrier)
    for event in events[:-1]:
        kernel.step(state, kernel.record(event))
    reads = counting(kernel)
    loaded = kernel.loads(kernel.dumps(state), keep=True)
    kernel.step(loaded, kernel.record(events[-1]))
    kernel.step(state, kernel.record(events[-1]))
    held = loaded._history
    assert type(held) is Unread
    assert len(held) == len(state.history)
    assert held == state.history  # compared as the history it reads
    assert loaded == state  # so are the states
    assert pickle.loads(pickle.dumps(held)) == state.history
    reads[0] = 0
    assert loaded.history == state.history
    assert type(loaded._history) is list
    assert loaded.history[-1] is loaded.latest  # the record the step saw, not a copy
    assert reads[0] == 1
    # what the state remembers of its body now names the records read
    assert kernel.dumps(loaded, keep=True) == kernel.dumps(state)


def test_a_late_event_reads_the_history_and_replays() -> None:
    kernel = Kernel(PACK)
    tn, carrier, events = parcels()[1]
    state = kernel.new_state(tn, carrier)
    for event in events[:-2] + events[-1:]:
        kernel.step(state, kernel.record(event))
    reads = counting(kernel)
    loaded = kernel.loads(kernel.dumps(state), keep=True)
    late = kernel.record(events[-2])
    _, changes = kernel.step(loaded, late)
    assert reads[0] == 1
    _, expected = kernel.step(state, late)
    assert [c.to_dict() for c in changes] == [c.to_dict() for c in expected]
    assert kernel.dumps(loaded, keep=True) == kernel.dumps(state)
