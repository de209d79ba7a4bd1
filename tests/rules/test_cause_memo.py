"""``derived_cause`` on long histories reads from a memo of its last walk
(``runtime/_causes._from_memo``): it must give what a plain walk gives, whatever was
done to the history in between (events appended, a late event inserted anywhere, the
list replaced by a checkpoint's prefix, a replay's absorbed count moved back)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from logix_rules import Engine, Kernel, load_pack
from logix_rules.core._records import KIND, REASON
from logix_rules.runtime import _causes
from logix_rules.runtime._causes import MEMO_FROM, derived_cause

KERNEL = Kernel(load_pack("default"))
#: Reasons that name a cause, and some that name none (None: a plain scan).
REASONS = ["damaged", "address_issue", "delay_weather", "wrong_item", "customs_hold", None]
#: Mostly plain scans, as in a real trail: the latest cause then lies far back.
SPARSE = st.one_of(st.none(), st.none(), st.none(), st.none(), st.sampled_from(REASONS))


def _rec(t: int, index: int, reason: str | None) -> tuple[int, str, tuple[object, ...]]:
    return (
        t,
        f"e{index}",
        ("in_transit", "line_haul", reason, "dhl", None, None, None, None, None),
    )


def _plain(history: list[tuple[int, str, tuple[object, ...]]], absorbed: int) -> str:
    for rec in reversed(history[:absorbed]):
        cause = _causes._CAUSE_OF(rec[KIND][REASON])
        if cause is not None:
            return cause
    return "unknown"


OPS = st.lists(
    st.tuples(
        st.sampled_from(["append", "insert", "thaw", "rewind", "ask"]),
        st.integers(min_value=0, max_value=10_000),
        SPARSE,
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(
    start=st.lists(SPARSE, min_size=MEMO_FROM, max_size=MEMO_FROM + 40),
    ops=OPS,
)
def test_memo_equals_a_plain_walk(
    start: list[str | None], ops: list[tuple[str, int, str | None]]
) -> None:
    state = KERNEL.new_state("LX000000000CN", "dhl")
    history = [_rec(10 * i, i, reason) for i, reason in enumerate(start)]
    state.history = history
    state.n_events = len(history)
    made = len(history)
    assert derived_cause(state, 10**9) == _plain(history, len(history))
    for op, pick, reason in ops:
        if op == "append":
            history.append(_rec(10 * made, made, reason))
        elif op == "insert":  # a late event: every record after it moves one place
            place = pick % (len(history) + 1)
            history.insert(place, _rec(history[place - 1][0] if place else 0, made, reason))
        elif op == "thaw":  # a checkpoint's prefix, then the rest absorbed again
            history = history[: pick % (len(history) + 1)] + history[pick % (len(history) + 1) :]
            state.history = history
        elif op == "rewind":  # a replay's reset: fewer events absorbed, then more
            state.n_events = max(1, pick % (len(history) + 1))
            assert derived_cause(state, 10**9) == _plain(history, state.n_events)
        made += 1
        state.n_events = len(history)
        assert derived_cause(state, 10**9) == _plain(history, len(history))


def test_the_memo_is_used_and_a_late_insertion_is_seen() -> None:
    state = KERNEL.new_state("LX000000000CN", "dhl")
    history = [_rec(10 * i, i, "damaged" if i == 3 else None) for i in range(MEMO_FROM + 8)]
    state.history = history
    state.n_events = len(history)
    assert derived_cause(state, 10**9) == "carrier"
    end, last, at, cause = state.cause_memo
    assert (end, at, cause) == (len(history), 3, "carrier")
    assert last is history[-1]
    # A late weather delay between the found record and the end: the memo no longer
    # holds (the records after it moved) and the new cause is found.
    history.insert(20, _rec(195, 999, "delay_weather"))
    state.n_events = len(history)
    assert derived_cause(state, 10**9) == "force_majeure"
    # Appended events without a cause: read from the memo.
    history.append(_rec(10**6, 1000, None))
    state.n_events = len(history)
    assert derived_cause(state, 10**9) == "force_majeure"
    assert state.cause_memo[2] == 20


def _event(i: int, reason: str | None = None, description: str = "In transit") -> dict[str, object]:
    event: dict[str, object] = {
        "tracking_number": "LX123456785CN",
        "carrier": "dhl",
        "occurred_at": f"2026-03-{1 + i // 12:02d}T{(i % 12) * 2:02d}:00:00Z",
        "stage": "line_haul",
        "status": "exception" if reason else "in_transit",
        "description": description,
        "event_id": f"ev{i:03d}",
    }
    if reason:
        event["reason"] = reason
    return event


def test_a_replaced_variant_in_a_long_trail_gives_the_batch_cause() -> None:
    # A long trail with a carrier delay early on (an incident opens, so each event's
    # evaluation asks for the cause); then a richer variant of a later scan names the
    # weather: the incremental engine must give the cause the batch does.
    trail = [_event(i, "delay_carrier" if i == 5 else None) for i in range(45)]
    variant = _event(30, "delay_weather", "In transit, held back by a snow storm at the hub")
    stepped = Engine(load_pack("default"))
    stepped.ingest(trail)
    stepped.ingest([variant])
    batch = Engine(load_pack("default"))
    batch.ingest([*trail[:30], variant, *trail[31:]])
    got = {i.kind: i.cause for i in stepped.open_incidents()}
    assert got == {i.kind: i.cause for i in batch.open_incidents()}
    assert "force_majeure" in got.values()


def test_a_variant_that_replaces_the_memo_s_cause_drops_the_memo() -> None:
    # The trail's latest cause (a carrier delay at 30) is where the memo stops.  A
    # richer variant of that scan names another cause; the replay settles at the fork
    # and the next evaluation asks with as many events absorbed as the memo holds, so a
    # memo kept over the replaced record would still answer "carrier" (the mutation
    # this test was written against: ``_replay._insert_all`` without its
    # ``cause_memo = None``).
    reasons = {4: "address_issue", 18: "address_issue", 20: "delay_carrier"}
    reasons |= {22: "address_issue", 23: "customs_hold", 30: "delay_carrier"}
    trail = [_event(i, reasons.get(i)) for i in range(37)]
    assert len(trail) >= MEMO_FROM
    variant = _event(30, "wrong_item", "In transit, the carrier's note names a wrong label")
    stepped = Engine(load_pack("default"))
    stepped.ingest(trail)
    stepped.ingest([variant])
    batch = Engine(load_pack("default"))
    batch.ingest([*trail, variant])
    got = sorted((i.kind, i.cause) for i in stepped.open_incidents())
    assert got == sorted((i.kind, i.cause) for i in batch.open_incidents())
    assert got == [("transit_delay", "internal")]
