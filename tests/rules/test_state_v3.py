"""Kernel state version 3 (issue 15, ``_state_v3``): what ``Kernel.dumps`` writes.

The states of version 2 (what a store or Spark kept before) still load, as they are or
rebuilt under another version of the pack, and are written again as version 3; a
version-3 body whose ids' section is not where its head says is refused (a write that
reuses it copies that many bytes); and a version-3 state takes no more room than the
same state in version 2.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest
from test_state_v2 import ENGINE, PACK, STATES, reseal, same, v2_bytes

from logix_carriers import TrackingEvent
from logix_rules import Kernel, StateError
from logix_rules.runtime._state_layout import BARE_TAIL
from logix_rules.runtime._state_v3 import HEAD3

START = 9 + len(PACK.fingerprint.encode())  # magic, CRC, fingerprint


def test_dumps_writes_version_3() -> None:
    for state in STATES[:20]:
        data = ENGINE._kernel.dumps(state)
        assert data[:4] == b"LXS\x03"
        assert HEAD3.unpack_from(data, START)[0] == len(state.history)


def test_version_2_states_load_as_they_are_and_are_written_as_version_3() -> None:
    kernel = Kernel(PACK)
    for state in STATES:
        old = v2_bytes(ENGINE._kernel, state)
        assert old[:4] == b"LXS\x02"
        for keep in (False, True):
            loaded = kernel.loads(old, keep=keep)
            same(loaded, state)
            assert loaded.encoded is None  # nothing of version 2 to append to
            assert kernel.dumps(loaded) == ENGINE._kernel.dumps(state)
            assert kernel.incidents(loaded, include_resolved=True) == kernel.incidents(
                state, include_resolved=True
            )


def test_a_version_2_state_touched_writes_what_a_fresh_write_gives() -> None:
    kernel = Kernel(PACK)
    for state in STATES[:40]:
        loaded = kernel.loads(v2_bytes(ENGINE._kernel, state), keep=True)
        again = kernel.loads(ENGINE._kernel.dumps(state), keep=True)
        rec = kernel.record(
            TrackingEvent.model_validate(
                {
                    "tracking_number": state.tracking_number,
                    "carrier": state.carrier,
                    "occurred_at": "2026-12-01T00:00:00Z",
                    "status": "in_transit",
                    "source": {"system": state.carrier},
                    "event_id": "touch-1",
                }
            )
        )
        kernel.step(loaded, rec)
        kernel.step(again, rec)
        assert again.encoded is not None  # appended to
        assert kernel.dumps(loaded, keep=True) == kernel.dumps(again, keep=True)


def test_a_version_2_state_of_another_pack_version_is_rebuilt() -> None:
    kernel = Kernel(PACK)
    state = next(s for s in STATES if s.open)
    data = v2_bytes(ENGINE._kernel, state)
    size = data[8]
    forged = reseal(data[:9] + b"0" * size + data[9 + size :], lambda body: body)
    loaded = kernel.loads(forged)
    assert kernel.incidents(loaded) == kernel.incidents(state)
    assert kernel.dumps(loaded)[:4] == b"LXS\x03"


def head_of(data: bytes) -> list[int]:
    return list(HEAD3.unpack_from(data, START))


def with_head(data: bytes, head: list[int]) -> bytes:
    return reseal(data[:START] + HEAD3.pack(*head) + data[START + HEAD3.size :], lambda body: body)


@pytest.mark.parametrize("shift", [-1, 1, -3])
def test_an_ids_section_not_where_the_head_says_is_refused(shift: int) -> None:
    """The ids and the strings are read by one split; the head's size of the ids must
    still end at the separator after the last id (else a write that copies it would
    write other ids than the state holds)."""
    state = next(s for s in STATES if len(s.history) >= 3)
    data = ENGINE._kernel.dumps(state)
    head = head_of(data)
    head[3] += shift  # the ids' bytes ...
    head[4] -= shift  # ... and the strings' bytes: the parts still add up
    with pytest.raises(StateError, match="ids"):
        Kernel(PACK).loads(with_head(data, head))


@pytest.mark.parametrize("field", [0, 1, 2])
def test_counts_that_do_not_match_the_sections_are_refused(field: int) -> None:
    state = next(s for s in STATES if len(s.history) >= 3)
    data = ENGINE._kernel.dumps(state)
    head = head_of(data)
    head[field] += 1
    if field == 0:  # one event more: the ints grow by 16 bytes, the tail shrinks
        head[6] -= 16
    kernel = Kernel(PACK)
    kernel._codec._kinds.clear()  # the kinds' texts are read, and counted
    with pytest.raises(StateError):
        kernel.loads(with_head(data, head))


def test_a_crafted_separator_reads_back_or_is_refused() -> None:
    """A body joined by another separator than the one it names is refused; one joined
    by the one it names (not NUL) is read, and written again from scratch."""
    state = next(s for s in STATES if len(s.history) >= 3 and s.shipment is None)
    data = ENGINE._kernel.dumps(state)
    head = head_of(data)
    head[7] = 0x1F
    with pytest.raises(StateError):
        Kernel(PACK).loads(with_head(data, head))
    start = START + HEAD3.size
    end = start + head[3] + head[4] + head[5]
    body = data[:start] + data[start:end].replace(b"\x00", b"\x1f") + data[end:]
    kernel = Kernel(PACK)
    loaded = kernel.loads(with_head(body, head), keep=True)
    assert loaded.history == state.history
    assert kernel.dumps(loaded, keep=True) == ENGINE._kernel.dumps(state)


def test_version_3_takes_no_more_room_than_version_2() -> None:
    new = sum(len(ENGINE._kernel.dumps(s)) for s in STATES)
    old = sum(len(v2_bytes(ENGINE._kernel, s)) for s in STATES)
    events = sum(len(s.history) for s in STATES)
    # 8 bytes less an event (no id refs); a state's head has an eighth number, its
    # kinds a separator after the last, and an id that is also another string of the
    # state is written twice
    assert new < old - 6 * events


def test_the_v2_writer_still_picks_a_separator_none_of_the_strings_hold() -> None:
    state = next(s for s in STATES if len(s.history) >= 2)
    t, _, kind = state.history[0]
    odd = ENGINE._kernel.new_state(state.tracking_number, state.carrier)
    ENGINE._kernel.step(odd, (t, "e\x001", kind))
    body = ENGINE._kernel.state_body(odd)
    assert struct.unpack_from("<7I", body)[6] == 0x1F
    data = b"LXS\x02" + zlib.crc32(ENGINE._kernel._fingerprint + body).to_bytes(4, "little")
    loaded: Any = Kernel(PACK).loads(data + ENGINE._kernel._fingerprint + body)
    assert loaded.history == odd.history


def test_a_bare_parcel_reads_as_the_shared_bare_tail_in_both_versions() -> None:
    # StateReader._state knows a parcel with nothing irregular by the tail's identity
    # (its fast path); a reader that returned a list of its own would send every such
    # parcel down the slow path, unseen but by the benchmarks.
    codec = ENGINE._kernel._codec
    bare = 0
    for state in STATES:
        tail3 = codec._read3(ENGINE._kernel.dumps(state), START)[2]
        tail2 = codec._read(v2_bytes(ENGINE._kernel, state), START)[2]
        assert (tail3 is BARE_TAIL) == (tail2 is BARE_TAIL)
        bare += tail3 is BARE_TAIL
    assert 0 < bare < len(STATES)
