"""The byte-level parts of a state body: the separator of its strings
(``V3Writer.encode3``: NUL, unless one of the strings holds a NUL, then another
character none of them holds; either way the body reads back to the same state, and
writing that again gives the same bytes) and its ints (little-endian int64, whichever
format packs them)."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from logix_carriers import TrackingEvent
from logix_rules import Kernel, load_pack
from logix_rules.core._records import EventRec
from logix_rules.runtime._state_layout import FIXED, I64, N_FIXED, NONE, ints_of
from logix_rules.runtime._state_v3 import HEAD3

KERNEL = Kernel(load_pack("default"))
BASE = datetime(2026, 3, 1, tzinfo=UTC)
START = 8 + len(KERNEL.pack.fingerprint.encode()) + 1  # magic, CRC, fingerprint


def record(ident: str, hour: int, status: str, description: str = "") -> EventRec:
    return KERNEL.record(
        TrackingEvent.model_validate(
            {
                "tracking_number": "S1",
                "carrier": "dhl",
                "occurred_at": BASE + timedelta(hours=hour),
                "status": status,
                "source": {"system": "dhl"},
                "description": description,
                "event_id": ident,
            }
        )
    )


def separator_of(data: bytes) -> int:
    return int(HEAD3.unpack_from(data, START)[7])


def state_of(recs: list[EventRec]) -> Any:
    state = KERNEL.new_state("S1", "dhl")
    for rec in recs:
        KERNEL.step(state, rec)
    return state


def test_plain_strings_are_joined_by_nul() -> None:
    data = KERNEL.dumps(state_of([record("e1", 0, "picked_up"), record("e2", 5, "in_transit")]))
    assert separator_of(data) == 0
    assert KERNEL.dumps(KERNEL.loads(data)) == data


@pytest.mark.parametrize(("where", "separator"), [("id", 0x1F), ("kind", 0)])
def test_a_nul_inside_picks_another_separator(where: str, separator: int) -> None:
    first = record("e1", 0, "picked_up")
    t, ident, kind = record("e2", 5, "in_transit")
    if where == "id":
        ident = "e\x002"  # an id with a NUL in it
    else:  # a kind's text is JSON, which writes a NUL as an escape: NUL still serves
        kind = (*kind[:7], "in\x00transit", kind[8])
    state = state_of([first, (t, ident, kind)])
    data = KERNEL.dumps(state)
    assert separator_of(data) == separator
    loaded = KERNEL.loads(data)
    assert loaded.history == state.history
    assert KERNEL.dumps(loaded) == data
    assert KERNEL.dumps(loaded, keep=True) == data


def test_the_ints_are_little_endian_int64_whatever_packs_them() -> None:
    """``I64`` may be the native 'l' (a faster pack): it must write what '<q' writes."""
    values = [NONE, -(2**62), -1, 0, 1, 255, 2**31, 1_772_616_480_000_000, 2**63 - 1]
    packed = struct.pack(f"<{len(values)}q", *values)
    assert struct.Struct(I64.format(len(values))).pack(*values) == packed
    assert ints_of(0).size == FIXED.size == 8 * N_FIXED
    assert list(struct.Struct(I64.format(len(values))).unpack(packed)) == values
    with pytest.raises(struct.error):
        struct.Struct(I64.format(1)).pack(2**63)
