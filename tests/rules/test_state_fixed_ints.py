"""The 21 fixed ints of a version-3 state (issues 12, 15): each is checked when a state
is loaded, so a crafted state (a valid checksum, one int changed) whose int is out of
range is a ``StateError``, and one at the edge of the range loads as written.  The
reader checks them as locals by chained comparisons since the tenth session (min() and
max() cost more than the rest of the checks): these cases fail when a bound is
dropped or off by one."""

from __future__ import annotations

import struct
import zlib

import pytest

from logix_rules import Kernel, ShipmentState, StateError, generate_demo, load_pack

PACK = load_pack("default")
KERNEL = Kernel(PACK)
BOUND = 1 << 62
NONE = -(1 << 63)  # an absent instant
HEAD = struct.Struct("<8I")  # version 3: events, strings, kinds, and the sections' sizes
INSTANTS = {
    2: "fired_through",
    3: "next_due_us",
    4: "timer_eval",
    9: "delivered_at",
    10: "first_event",
    11: "last_event",
    12: "first_scan",
    13: "last_scan",
    14: "status_entered",
    15: "stage_entered",
}
COUNTS = {17: "n_scans", 18: "regressions", 19: "after_delivery"}


def a_state() -> ShipmentState:
    """A parcel's state after its events (no OMS facts: the bare tail)."""
    data = generate_demo(seed=7, shipments=40)
    tn = data.events[0].tracking_number
    state = KERNEL.new_state(tn, data.events[0].carrier, None)
    mine = sorted(
        (e for e in data.events if e.tracking_number == tn),
        key=lambda e: (e.occurred_at, e.event_id),
    )
    for event in {e.event_id: e for e in mine}.values():
        KERNEL.step(state, KERNEL.record(event))
    return state


STATE = a_state()
DATA = KERNEL.dumps(STATE)


def _where(data: bytes) -> tuple[int, tuple[int, ...]]:
    """Where the fixed ints start, and the head."""
    start = 9 + data[8]  # after the magic, the checksum and the pack's fingerprint
    head = HEAD.unpack_from(data, start)
    _, _, _, n_ids, n_words, n_kind_bytes, _, _ = head
    return start + HEAD.size + n_ids + n_words + n_kind_bytes, head


def with_int(index: int, value: int) -> bytes:
    """``DATA`` with its fixed int ``index`` set to ``value``, resealed."""
    at, _ = _where(DATA)
    data = bytearray(DATA)
    struct.pack_into("<q", data, at + 8 * index, value)
    body = bytes(data[8:])
    return DATA[:4] + zlib.crc32(body).to_bytes(4, "little") + body


def test_the_state_is_as_the_cases_assume() -> None:
    at, head = _where(DATA)
    ints = struct.unpack_from("<21q", DATA, at)
    assert ints[16] == len(STATE.history) == head[0] > 1
    assert ints[20] == head[0] - 1  # the latest event is the last
    assert NONE in [ints[i] for i in INSTANTS]  # some instants are absent
    assert STATE.status is not None
    assert KERNEL.dumps(KERNEL.loads(with_int(0, ints[0]))) == DATA


def _refused() -> list[tuple[int, int]]:
    _, head = _where(DATA)
    n_events, n_strings = head[0], head[1]
    cases = [(0, n_strings), (0, -1), (1, n_strings), (1, -1)]
    for index in INSTANTS:
        cases += [(index, BOUND), (index, -BOUND), (index, NONE + 1)]
    cases += [(5, -2), (5, n_strings), (6, -2), (6, n_strings), (7, -2), (7, n_strings)]
    cases += [(8, 2), (8, -1)]
    cases += [(16, n_events + 1), (16, n_events - 1)]
    for index in COUNTS:
        cases += [(index, -1), (index, BOUND)]
    cases += [(20, -3), (20, n_events)]
    return cases


@pytest.mark.parametrize(("index", "value"), _refused())
def test_a_fixed_int_out_of_range_is_a_state_error(index: int, value: int) -> None:
    with pytest.raises(StateError):
        KERNEL.loads(with_int(index, value))


@pytest.mark.parametrize("index", sorted(INSTANTS))
@pytest.mark.parametrize("value", [BOUND - 1, -BOUND + 1, 0, NONE])
def test_an_instant_at_the_edge_of_its_range_loads(index: int, value: int) -> None:
    state = KERNEL.loads(with_int(index, value))
    assert getattr(state, INSTANTS[index]) == (None if value == NONE else value)
    assert KERNEL.dumps(state) == with_int(index, value)


@pytest.mark.parametrize("index", sorted(COUNTS))
@pytest.mark.parametrize("value", [0, BOUND - 1])
def test_a_count_at_the_edge_of_its_range_loads(index: int, value: int) -> None:
    assert getattr(KERNEL.loads(with_int(index, value)), COUNTS[index]) == value


def test_absent_status_stage_and_reason_and_both_finals_load() -> None:
    state = KERNEL.loads(with_int(5, -1))
    assert state.status is None
    assert KERNEL.loads(with_int(8, 1)).final is True
    assert KERNEL.loads(with_int(8, 0)).final is False
    assert KERNEL.loads(with_int(20, -1)).latest is None
