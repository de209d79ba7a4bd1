"""Kernel state versions 2 and 3 (issues 12, 15): ``Kernel.dumps`` holds everything the
kernel keeps, ``loads`` decodes it without a replay, and nothing malformed loads
silently (``Kernel.dumps`` writes version 3 since the eighth session of 2026-12-03;
tests/rules/test_state_v3.py has what is its own)."""

from __future__ import annotations

import json
import random
import struct
import zlib
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logix_rules import Engine, Kernel, ShipmentState, StateError, generate_demo, load_pack
from logix_rules.core._records import rec_to_list
from logix_rules.runtime._state import (
    NOT_INDEXED,
    SCANNED,
    find_event,
    index_events,
    remember_event,
)

PACK = load_pack("default")
DEMO = generate_demo(seed=23, shipments=160)
# checkpoints are derived and never written (runtime/_checkpoints.py), nor is the index
# of the ids (a loaded state makes it when first searched)
FIELDS = [
    f.name
    for f in attrs.fields(ShipmentState)
    if f.name not in ("id_bits", "id_index", "checkpoints", "encoded")
]


def demo_states() -> tuple[Engine, list[ShipmentState]]:
    """States of every kind: with and without facts, incidents open, acknowledged and
    resolved, late events, long histories."""
    engine = Engine(PACK)
    for shipment in DEMO.shipments[::2]:
        engine.upsert_shipment(shipment)
    events = list(DEMO.events)
    engine.ingest(events[: len(events) // 2])
    engine.advance(to=DEMO.at)
    engine.ingest(events[len(events) // 2 :])
    incidents = engine.open_incidents()
    for incident in incidents[::3]:
        engine.acknowledge(incident.id, by="ana")
    for incident in incidents[1::3]:
        engine.resolve(incident.id, by="bo", note="called the carrier")
    engine.advance(to=DEMO.at)
    long = [
        {
            "tracking_number": "LONG1",
            "carrier": "dhl",
            "occurred_at": f"2026-03-{1 + k // 8:02d}T{k % 8 * 3:02d}:00:00Z",
            "status": "in_transit",
            "event_id": f"long-{k}",
        }
        for k in range(40)
    ]
    engine.ingest(long)
    return engine, [engine.shipment_state(tn) for tn in engine._host.states]  # type: ignore[attr-defined]


ENGINE, STATES = demo_states()


def same(a: ShipmentState, b: ShipmentState) -> None:
    for name in FIELDS:
        left, right = getattr(a, name), getattr(b, name)
        if name == "_shipment":
            left, right = a.shipment, b.shipment
        assert left == right, name


def reseal(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """``data`` with its body changed and a valid checksum again (a crafted state)."""
    body = change(data[8:])
    return data[:4] + zlib.crc32(body).to_bytes(4, "little") + body


def test_the_states_cover_what_the_kernel_keeps() -> None:
    assert any(s.shipment is not None for s in STATES)
    assert any(s.open for s in STATES)
    assert any(s.followups for s in STATES)
    assert any(s.id_index is not None for s in STATES)
    assert any(type(s.cnt) is list for s in STATES)
    assert any(s.attr_values for s in STATES)


def test_loads_gives_back_every_field_and_the_same_bytes() -> None:
    kernel = Kernel(PACK)  # another kernel of the pack, as in another process
    for state in STATES:
        data = ENGINE._kernel.dumps(state)
        loaded = kernel.loads(data)
        same(loaded, state)
        assert kernel.dumps(loaded) == data
        assert kernel.incidents(loaded, include_resolved=True) == ENGINE._kernel.incidents(
            state, include_resolved=True
        )


def test_loads_does_not_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    kernel = Kernel(PACK)

    def no_replay(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("loads replayed a history")

    monkeypatch.setattr(kernel, "_replay", no_replay)
    monkeypatch.setattr(kernel, "_take", no_replay)
    for state in STATES:
        kernel.loads(ENGINE._kernel.dumps(state))


def test_a_loaded_state_goes_on_exactly_like_the_original() -> None:
    later = [e.model_copy(update={"event_id": f"again-{e.event_id}"}) for e in DEMO.events[:400]]
    original = Engine.load(PACK, ENGINE.dump(mask=False))
    copy = Engine.load(PACK, ENGINE.dump(mask=False))
    states = copy._host.states  # type: ignore[attr-defined]
    for tn, state in states.items():  # each state of the copy once more through bytes
        states[tn] = copy._kernel.loads(copy._kernel.dumps(state))
    a = [c.to_dict(mask=False) for c in original.ingest(later)]
    b = [c.to_dict(mask=False) for c in copy.ingest(later)]
    assert a
    assert a == b
    end = DEMO.at.replace(year=DEMO.at.year + 1)
    assert [c.id for c in original.advance(to=end)] == [c.id for c in copy.advance(to=end)]


def test_the_id_filter_of_a_loaded_state_is_made_when_searched_a_second_time() -> None:
    short = next(s for s in STATES if 1 < len(s.history) < 16)
    loaded = Kernel(PACK).loads(ENGINE._kernel.dumps(short))
    assert loaded.id_bits == NOT_INDEXED
    kernel = Kernel(PACK)
    again = kernel.step(loaded, short.history[0])[1]  # a duplicate: found, changes nothing
    assert again == []
    assert loaded.id_bits == SCANNED  # the first search scanned the history
    assert kernel.step(loaded, short.history[-1])[1] == []  # found by the scan again
    expected = attrs.evolve(short)
    index_events(expected)
    assert loaded.id_bits == expected.id_bits
    assert find_event(loaded, short.history[1][1]) is loaded.history[1]


def test_a_loaded_state_finds_or_misses_each_id_by_the_scan_and_the_filter() -> None:
    kernel = Kernel(PACK)
    short = next(s for s in STATES if 4 < len(s.history) < 12)
    blob = ENGINE._kernel.dumps(short)
    for rec in short.history:
        for searches in range(1, 4):
            loaded = kernel.loads(blob)
            for _ in range(searches):
                assert find_event(loaded, rec[1]) == rec
                assert find_event(loaded, rec[1] + "-not-held") is None
    # New events taken while not indexed, then found
    loaded = kernel.loads(blob)
    extra = (short.history[-1][0] + 1, "new-one", short.history[-1][2])
    loaded.history.append(extra)
    remember_event(loaded, extra)
    assert loaded.id_bits == NOT_INDEXED
    assert find_event(loaded, "new-one") is extra
    loaded.history.append(extra2 := (extra[0] + 1, "new-two", extra[2]))
    remember_event(loaded, extra2)
    assert loaded.id_bits == SCANNED
    assert find_event(loaded, "new-two") is extra2
    assert find_event(loaded, "new-one") is extra
    assert loaded.id_bits not in (NOT_INDEXED, SCANNED)


def v1_bytes(kernel: Kernel, state: ShipmentState) -> bytes:
    shipment = state.shipment
    return json.dumps(
        {
            "v": 1,
            "pack": kernel.pack.fingerprint,
            "tn": state.tracking_number,
            "carrier": state.carrier,
            "shipment": None if shipment is None else shipment.model_dump(mode="json"),
            "events": [rec_to_list(rec) for rec in state.history],
            "fired_through": state.fired_through,
            "followups": {
                ident: {
                    "ack_at": f.ack_at,
                    "ack_by": f.ack_by,
                    "resolved_at": f.resolved_at,
                    "resolved_by": f.resolved_by,
                    "note": f.note,
                }
                for ident, f in state.followups.items()
            },
        }
    ).encode()


def test_version_1_states_still_load_by_a_replay() -> None:
    kernel = Kernel(PACK)
    for state in STATES:
        loaded = kernel.loads(v1_bytes(kernel, state))
        assert kernel.incidents(loaded, include_resolved=True) == kernel.incidents(
            state, include_resolved=True
        )
        assert loaded.next_due_us == state.next_due_us
        for ident, follow in loaded.followups.items():  # a log derived from what v1 kept
            kept = state.followups[ident]
            assert (follow.ack_by, follow.resolved_by) == (kept.ack_by, kept.resolved_by)
            assert {what for what, *_ in follow.log} <= {"acknowledged", "resolved"}


def test_a_state_of_another_pack_version_is_rebuilt_under_this_one() -> None:
    kernel = Kernel(PACK)
    state = next(s for s in STATES if s.open)
    data = ENGINE._kernel.dumps(state)
    size = data[8]
    # The same state, as if written under another version of the pack: replayed.
    forged = reseal(data[:9] + b"0" * size + data[9 + size :], lambda body: body)
    calls: list[int] = []
    replay = kernel._replay

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return replay(*args, **kwargs)

    kernel._replay = counting  # type: ignore[method-assign]
    loaded = kernel.loads(forged)
    assert calls
    assert kernel.incidents(loaded) == kernel.incidents(state)


@pytest.mark.parametrize("seed", range(3))
def test_every_single_byte_flip_of_a_state_is_refused(seed: int) -> None:
    kernel = Kernel(PACK)
    state = [s for s in STATES if s.open and s.shipment is not None][seed]
    data = kernel.dumps(state)
    rng = random.Random(seed)
    for at in range(len(data)):
        flipped = bytearray(data)
        flipped[at] ^= rng.randrange(1, 256)
        with pytest.raises(StateError):
            kernel.loads(bytes(flipped))


def v2_bytes(kernel: Kernel, state: ShipmentState) -> bytes:
    """What ``Kernel.dumps`` wrote before version 3: the version-2 body, framed."""
    fingerprint = kernel._fingerprint
    body = kernel.state_body(state)
    return b"LXS\x02" + zlib.crc32(fingerprint + body).to_bytes(4, "little") + fingerprint + body


def crafted(change: Callable[[list[Any]], None] | str, version: int = 3) -> bytes:
    """A state whose JSON tail is changed (or replaced by a text), with every length and
    checksum right (version 3: the head has 8 numbers, the tail's size 7th; version 2:
    7 numbers, the tail's 6th)."""
    state = next(s for s in STATES if s.open and s.shipment is not None and s.followups)
    data = ENGINE._kernel.dumps(state) if version == 3 else v2_bytes(ENGINE._kernel, state)
    start = 9 + data[8]
    form, at = ("<8I", 6) if version == 3 else ("<7I", 5)
    head = list(struct.unpack_from(form, data, start))
    body = data[start:]
    tail_at = len(body) - head[at]
    if isinstance(change, str):
        text = change.encode()
    else:
        tail = json.loads(body[tail_at:])
        change(tail)
        text = json.dumps(tail, separators=(",", ":")).encode()
    head[at] = len(text)
    new = struct.pack(form, *head) + body[struct.calcsize(form) : tail_at] + text
    return reseal(data[:start] + new, lambda b: b)


def _set(path: tuple[Any, ...], value: Any) -> Callable[[list[Any]], None]:
    def change(tail: list[Any]) -> None:
        target: Any = tail
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


NESTED = "[null,null,null," + "[" * 100_000 + "]" * 100_000 + ",[],{},null]"
ACTION = [None, None, None, None, None, [["poked", "a", 1, None]]]
MALFORMED: dict[str, Callable[[list[Any]], None] | str] = {
    "facts not a list": _set((0,), "x"),
    "a fact of the wrong type": _set((0, 6), "yesterday"),
    "a fact instant out of range": _set((0, 6), 2**62),
    "a negative fact instant out of range": _set((0, 7), -(2**62)),
    "an amount out of range": _set((0, 12), 2**62),
    "a boolean for an amount": _set((0, 8), True),
    "a number for a text fact": _set((0, 1), 5),
    "a text for a flag fact": _set((0, 4), "yes"),
    "shipment ref out of range": _set((1,), 10**6),
    "shipment ref a string": _set((1,), "x"),
    "trackers of the wrong length": _set((2,), [[1], [None], [None]]),
    "attribute values not scalars": _set((3,), {"a": [1, 2]}),
    "incidents not a list": _set((4,), {"a": 1}),
    "an incident of 12 parts": _set((4, 0), [1] * 12),
    "an unknown severity": _set((4, 0, 3), "P9"),
    "a lead past the rules": _set((4, 0, 7), [10_000, 0]),
    "a huge instant": _set((4, 0, 2), 10**30),
    "a boolean for an instant": _set((4, 0, 2), True),
    "evidence ref out of range": _set((4, 0, 9), -5),
    "deadline not an instant": _set((4, 0, 11), {"x": "soon"}),
    "escalation of the wrong kind": _set((4, 0, 12), [["sleep", 1]]),
    "followups not an object": _set((5,), [1]),
    "a followup of the wrong shape": _set((5,), {"inc_x": [1, 2]}),
    "an unknown action": _set(
        (5,), {"inc_x": [None, None, None, None, None, [["poked", "a", 1, None]]]}
    ),
    "deeply nested": _set((3,), NESTED),
    "extra parts": lambda tail: tail.append(1),
}


@pytest.mark.parametrize("version", [2, 3])
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_states_with_a_valid_checksum_are_state_errors(case: str, version: int) -> None:
    data = crafted(MALFORMED[case], version)
    with pytest.raises(StateError):
        Kernel(PACK).loads(data)


def test_a_malformed_shipment_or_evidence_is_a_state_error_when_first_read() -> None:
    state = next(s for s in STATES if s.open and s.shipment is not None)
    data = ENGINE._kernel.dumps(state)
    target = state.shipment_text()
    assert target is not None
    broken = data.replace(target.encode(), target.replace('"', "'").encode())
    broken = reseal(broken, lambda b: b)
    loaded = Kernel(PACK).loads(broken)  # the text is held as it is, unread
    with pytest.raises(StateError, match="stored shipment"):
        _ = loaded.shipment


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.data())
@pytest.mark.slow
def test_any_resealed_damage_loads_or_is_a_state_error(data: st.DataObject) -> None:
    kernel = Kernel(PACK)
    state = data.draw(st.sampled_from(STATES[:40]))
    blob = bytearray(kernel.dumps(state))
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(8, len(blob) - 1))
        blob[at] = data.draw(st.integers(0, 255))
    try:
        loaded = kernel.loads(reseal(bytes(blob), lambda b: b))
    except StateError:
        return
    kernel.dumps(loaded)  # whatever loaded is a state the kernel can write again
