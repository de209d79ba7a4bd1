"""The kernel's compact per-shipment state: shared event kinds, the id index, the
aggregates a pack keeps, and the shared empty containers of a fresh state.

Each is a memory saving (see benchmarks/memory.py) that must not change a result.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from test_engine import PACK, T0, H, scan  # the same events as the engine's tests

from logix_carriers import TrackingEvent
from logix_rules import Engine, Kernel, evaluate, loads_pack
from logix_rules.compiler._expr_types import ExprError
from logix_rules.compiler._probe import compile_probe
from logix_rules.core._durations import EPOCH, from_micros, to_micros
from logix_rules.core._records import ID, KIND, T, rec_from_list, rec_to_list
from logix_rules.runtime._state import ID_BITS, INDEX_FROM


def picture(engine: Engine) -> list[dict[str, Any]]:
    return [incident.to_dict() for incident in engine.open_incidents()]


def test_events_that_say_the_same_share_one_kind() -> None:
    kernel = Kernel(PACK)
    one, two, other = (
        kernel.record(TrackingEvent.parse(scan(hours, number=number)))
        for hours, number in ((0, "N1"), (5, "N2"), (6, "N3"))
    )
    assert one[KIND] is two[KIND]
    assert (one[T], one[ID]) != (two[T], two[ID])
    assert (
        kernel.record(TrackingEvent.parse(scan(6, "exception", reason="damaged")))[KIND]
        is not other[KIND]
    )
    assert type(one) is tuple  # a plain tuple, which the garbage collector stops tracking
    # the flat, versioned serial form is unchanged by the sharing
    assert rec_from_list(rec_to_list(one)) == one


def test_the_shared_kinds_table_is_bounded_and_forgetting_changes_nothing() -> None:
    events = [scan(k, description=f"free text {k}") for k in range(40)]
    bounded = Engine(PACK)
    bounded._kernel._said_limit = 4  # forget the table every few distinct kinds
    bounded.ingest(events)
    assert len(bounded._kernel._said) <= 4
    unbounded = Engine(PACK)
    unbounded.ingest(events)
    assert picture(bounded) == picture(unbounded)


@pytest.mark.parametrize("count", [INDEX_FROM - 1, INDEX_FROM, 3 * INDEX_FROM])
def test_duplicates_and_richer_variants_on_short_and_long_histories(count: int) -> None:
    trail = [scan(k, "in_transit", event_id=f"e{k}") for k in range(count)]
    damaged = scan(count, "exception", reason="damaged", event_id="dmg")
    # the same id again later, with more detail and another time: the richer variant wins
    richer = scan(
        count + 0.5, "exception", reason="damaged", event_id="dmg", attributes={"damage_ratio": 0.5}
    )
    arrivals = [*trail, damaged, *trail[::3], richer, damaged]
    engine = Engine(PACK)
    for event in arrivals:
        engine.ingest([event])
    state = engine.shipment_state("N1")
    assert len(state.history) == count + 1
    assert (state.id_index is not None) == (len(state.history) >= INDEX_FROM)
    expected = evaluate(PACK, [*trail, richer], at=T0 + (count + 1) * H)
    engine.advance(to=T0 + (count + 1) * H)
    assert picture(engine) == [i.to_dict() for i in expected]
    assert engine.open_incidents()[0].rules == ("damaged_major",)


def test_an_id_whose_filter_bit_is_taken_is_still_new() -> None:
    engine = Engine(PACK)
    engine.ingest([scan(0, "picked_up", event_id="first")])
    state = engine.shipment_state("N1")
    taken = hash("first") % ID_BITS
    twin = next(f"x{k}" for k in range(100_000) if hash(f"x{k}") % ID_BITS == taken)
    engine.ingest([scan(1, event_id=twin)])
    assert [rec[ID] for rec in state.history] == ["first", twin]


def test_aggregates_no_rule_reads_are_not_kept() -> None:
    lean = loads_pack(
        """
format: 1
name: lean
severities:
  P2: {respond: 4h, escalate_after: 8h, resolve: 2d}
rules:
  - id: held
    kind: customs_hold
    severity: P2
    when: status == 'exception' and reason == 'customs_hold'
""",
        file="lean.yaml",
    )
    assert lean.aggregates == frozenset()
    assert {"first_scan", "regressions"} <= PACK.aggregates
    for pack, kept in ((lean, False), (PACK, True)):
        engine = Engine(pack)
        engine.ingest([scan(0, "picked_up"), scan(2)])
        state = engine.shipment_state("N1")
        assert (state.first_scan is not None) is kept
        assert (state.status, state.n_events) == ("in_transit", 2)  # always kept
    with pytest.raises(ExprError, match="first_scan, which no rule of pack 'lean' reads"):
        compile_probe(lean, "first_scan")


def test_fresh_states_share_empty_containers_that_nobody_writes_into() -> None:
    engine = Engine(PACK)
    engine.ingest([scan(0, "exception", reason="customs_hold"), scan(0, number="N2")])
    incident = engine.open_incidents()[0]
    engine.acknowledge(incident.id, by="ops", at=T0 + H)
    held, quiet = engine.shipment_state("N1"), engine.shipment_state("N2")
    assert (len(held.followups), len(held.open)) == (1, 1)
    assert (len(quiet.followups), len(quiet.open), len(quiet.attr_values)) == (0, 0, 0)
    assert Engine(PACK).ingest([scan(0, number="N3")]) == []
    assert not Kernel(PACK).new_state("N4", "dhl").followups


@pytest.mark.parametrize("micros", [0, 1, -1, 1_773_230_400_123_456, -86_400_000_001, 2**52 + 7])
def test_instants_round_trip(micros: int) -> None:
    moment = from_micros(micros)
    assert moment == EPOCH + timedelta(microseconds=micros)
    assert to_micros(moment) == micros
