"""What a new incident reads of a loaded state's trail (``derived_cause``,
``evidence_events``) comes from the end of its unread history (``Unread.last``,
``Unread.kinds``, ``_state_v3_read``'s ``last3`` and ``kinds3``), and equals what a full
read gives: the same records, kinds, cause and evidence, at instants before, at and
after the events and with anchors far back."""

from __future__ import annotations

from typing import Any

from logix_rules import Kernel, generate_demo, load_pack
from logix_rules.runtime._causes import derived_cause
from logix_rules.runtime._snapshots import evidence_events
from logix_rules.runtime._state_lazy import Unread

PACK = load_pack("default")
DEMO = generate_demo(seed=43, shipments=160)


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


def loaded_states(kernel: Kernel) -> Any:
    """Each parcel's state after each of its events, as bytes, with the next event."""
    for tn, carrier, events in parcels():
        state = kernel.new_state(tn, carrier)
        for at, event in enumerate(events):
            kernel.step(state, kernel.record(event))
            following = events[at + 1] if at + 1 < len(events) else None
            yield kernel.dumps(state), following


def unread(kernel: Kernel, data: bytes) -> Any:
    state = kernel.loads(data, keep=True)
    assert type(state._history) is Unread
    return state


def test_the_last_records_and_kinds_are_those_read() -> None:
    kernel = Kernel(PACK)
    checked = 0
    for data, following in loaded_states(kernel):
        whole = kernel.loads(data).history
        if len(whole) < 2:
            continue
        states = [unread(kernel, data)]
        if following is not None:  # one appended by an in-order step
            stepped = unread(kernel, data)
            kernel.step(stepped, kernel.record(following))
            if type(stepped._history) is Unread:
                states.append(stepped)
        for state in states:
            held = state._history
            history = kernel.loads(kernel.dumps(state)).history
            for k in range(1, len(history) + 1):
                assert held.last(k) == history[-k:]
            assert held.kinds() == [rec[2] for rec in history]
            assert type(state._history) is Unread  # none of it read the history
            checked += 1
    assert checked > 300


def test_cause_and_evidence_of_an_unread_history_are_those_read() -> None:
    kernel = Kernel(PACK)
    checked = 0
    for data, _ in loaded_states(kernel):
        read = kernel.loads(data)
        times = sorted({rec[0] for rec in read.history})
        if len(times) < 2:
            continue
        instants = {times[0] - 1, *times, times[-1] + 1, (times[0] + times[-1]) // 2}
        for t in sorted(instants):
            for anchor in (None, t, times[0], times[len(times) // 2], times[0] - 5):
                state = unread(kernel, data)
                assert evidence_events(state, t, anchor) == evidence_events(read, t, anchor)
                assert type(state._history) is Unread
                assert derived_cause(state, t) == derived_cause(read, t)
                checked += 1
    assert checked > 3000


def test_a_touch_that_opens_an_incident_reads_no_history() -> None:
    kernel = Kernel(PACK)
    reads = [0]
    read = kernel._codec.events3

    def events3(data: bytes, start: int) -> Any:
        reads[0] += 1
        return read(data, start)

    kernel._codec.events3 = events3  # type: ignore[method-assign]
    opening = 0
    for tn, carrier, events in parcels():
        state = kernel.new_state(tn, carrier)
        for event in events:
            if len(state.history) < 2:
                kernel.step(state, kernel.record(event))
                continue
            data = kernel.dumps(state)
            loaded = kernel.loads(data, keep=True)
            open_before = set(loaded.open)
            kernel.step(loaded, kernel.record(event))
            kernel.step(state, kernel.record(event))
            assert kernel.dumps(loaded, keep=True) == kernel.dumps(state)
            if set(loaded.open) - open_before:
                opening += 1
    # Before the reads from the end, every one of them read the history (events3).
    assert opening > 20
    assert reads[0] == 0, (reads[0], opening)
