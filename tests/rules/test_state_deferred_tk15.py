"""``Kernel.loads`` of a version-3 state makes its fixed ints and last event only; the
events before the last are read and checked with the history (``_state_v3_read``:
``events3``, and ``last3`` and ``kinds3`` for what they read), which an in-order touch
never reads.  So a crafted body (checksum valid) whose older events are out of order,
out of range or name a kind it does not hold loads, and is refused with a
``StateError`` as soon as anything reads those events; its last event is checked at
once; and a well-formed body whose events share an instant reads back as written."""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest
from test_state_v2 import ENGINE, PACK, STATES, reseal

from logix_rules import Kernel, ShipmentState, StateError
from logix_rules.runtime._state_layout import Structs
from logix_rules.runtime._state_lazy import Unread
from logix_rules.runtime._state_v3 import HEAD3

START = 9 + len(PACK.fingerprint.encode())  # magic, CRC, fingerprint
PAIR = struct.Struct("<2q")


def events_at(data: bytes) -> int:
    """Where the events' (time, kind digest) pairs start in ``data``."""
    _, _, _, n_ids, n_words, n_kind_bytes, _, _ = HEAD3.unpack_from(data, START)
    return START + HEAD3.size + n_ids + n_words + n_kind_bytes + 8 * 21


def with_event(data: bytes, i: int, change: Callable[[int, int], tuple[int, int]]) -> bytes:
    """``data`` with its ``i``-th event's (time, digest) changed, resealed."""
    at = events_at(data) + 16 * i
    pair = PAIR.pack(*change(*PAIR.unpack_from(data, at)))
    return reseal(data, lambda body: body[: at - 8] + pair + body[at - 8 + 16 :])


def a_state() -> ShipmentState:
    return next(s for s in STATES if len(s.history) >= 4 and not s.open)


def the_history_is_refused(data: bytes, match: str) -> None:
    kernel = Kernel(PACK)
    loaded = kernel.loads(data, keep=True)
    held = loaded._history
    assert type(held) is Unread  # loaded without reading the older events
    with pytest.raises(StateError, match=match):
        held.kinds()
    with pytest.raises(StateError, match=match):
        held.last(len(held))
    with pytest.raises(StateError, match=match):
        loaded.history  # noqa: B018
    # Written again as it was read (a touch copies those events' bytes): still refused.
    again = kernel.loads(kernel.dumps(loaded, keep=True))
    with pytest.raises(StateError, match=match):
        again.history  # noqa: B018


def test_older_events_out_of_order_are_refused_when_read() -> None:
    data = ENGINE._kernel.dumps(a_state())
    later = PAIR.unpack_from(data, events_at(data) + 16 * 2)[0]
    crafted = with_event(data, 0, lambda t, d: (later + 1, d))
    the_history_is_refused(crafted, "out of order")


def test_an_older_event_out_of_range_is_refused_when_read() -> None:
    data = ENGINE._kernel.dumps(a_state())
    crafted = with_event(data, 0, lambda t, d: (-(1 << 62), d))
    the_history_is_refused(crafted, "out of range")


def test_an_older_event_of_a_kind_the_body_does_not_hold_is_refused_when_read() -> None:
    data = ENGINE._kernel.dumps(a_state())
    crafted = with_event(data, 1, lambda t, d: (t, d ^ 1))
    the_history_is_refused(crafted, "names a kind")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda t, d: (t, d ^ 1), "names a kind"),
        (lambda t, d: (1 << 62, d), "out of range"),
    ],
)
def test_the_last_event_is_checked_by_the_load(
    change: Callable[[int, int], tuple[int, int]], match: str
) -> None:
    state = a_state()
    data = ENGINE._kernel.dumps(state)
    with pytest.raises(StateError, match=match):
        Kernel(PACK).loads(with_event(data, len(state.history) - 1, change))


def test_events_at_one_instant_read_back_lazily_in_id_order_or_are_refused() -> None:
    state = a_state()
    data = ENGINE._kernel.dumps(state)
    first, second = state.history[:2]
    crafted = with_event(data, 1, lambda t, d: (first[0], d))
    kernel = Kernel(PACK)
    loaded = kernel.loads(crafted, keep=True)
    assert type(loaded._history) is Unread
    if first[1] < second[1]:  # in (time, id) order: read back as the body holds it
        tie = (first[0], second[1], second[2])
        assert loaded._history.last(len(state.history)) == [first, tie, *state.history[2:]]
        assert loaded.history == [first, tie, *state.history[2:]]
    else:
        with pytest.raises(StateError, match="id order"):
            loaded.history  # noqa: B018


def test_the_last_ones_at_one_instant_are_read_with_the_whole_history() -> None:
    """``last3`` reads the whole history when what it reads shares an instant (its order
    there is the ids'), and gives the same records."""
    state = a_state()
    n = len(state.history)
    data = ENGINE._kernel.dumps(state)
    third, fourth = state.history[n - 3], state.history[n - 2]
    crafted = with_event(data, n - 2, lambda t, d: (third[0], d))
    loaded = Kernel(PACK).loads(crafted)
    if third[1] < fourth[1]:
        tie = (third[0], fourth[1], fourth[2])
        assert loaded._history.last(3) == [third, tie, state.history[-1]]
    else:
        with pytest.raises(StateError, match="id order"):
            loaded._history.last(3)


@pytest.mark.parametrize("n_events", [0, 1, 2, 9, 40])
def test_the_fixed_ints_and_last_event_read_as_the_whole_unpack_gives(n_events: int) -> None:
    whole, ends = Structs(21, 2), Structs(21, 2, last_only=True)
    ints = list(range(-21, 0)) + [k * 7 - 50 for k in range(2 * n_events)]
    packed = whole[n_events].pack(*ints)
    assert ends[n_events].size == len(packed)
    expected = ints[:21] + (ints[-2:] if n_events else [])
    assert list(ends[n_events].unpack(packed)) == expected
