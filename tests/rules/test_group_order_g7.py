"""Kernel.group's records: their times, and their order with ``ordered=True`` (what
Engine.ingest steps, without sorting every parcel's records again)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from logix_carriers import TrackingEvent
from logix_rules import Engine, Kernel, load_pack
from logix_rules.core._durations import EPOCH, ONE_US
from logix_rules.core._records import ID, T

PACK = load_pack("default")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def event(at: datetime, event_id: str, number: str = "N1", **extra: Any) -> TrackingEvent:
    return TrackingEvent.parse(
        {
            "tracking_number": number,
            "carrier": "dhl",
            "occurred_at": at.isoformat(),
            "status": "in_transit",
            "event_id": event_id,
            **extra,
        }
    )


def test_a_record_holds_the_event_time_in_microseconds() -> None:
    kernel = Kernel(PACK)
    times = [
        T0 + timedelta(microseconds=1),
        datetime(1970, 1, 1, tzinfo=UTC),  # the first instant validation admits
        datetime(1970, 1, 1, 0, 0, 0, 999_999, tzinfo=UTC),
        datetime(2026, 3, 2, 10, 0, 0, 123_456, tzinfo=timezone(timedelta(hours=-7))),
        datetime(2199, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),  # and the last
    ]
    for i, at in enumerate(times):
        rec = kernel.record(event(at, f"e{i}"))
        assert rec[T] == (at - EPOCH) // ONE_US


def test_ordered_records_are_in_time_then_id_order_and_ties_keep_input_order() -> None:
    kernel = Kernel(PACK)
    same = T0 + timedelta(hours=2)
    events = [
        event(T0 + timedelta(hours=3), "c"),
        event(T0 + timedelta(hours=1), "z", number="N2"),
        event(same, "b"),
        event(T0, "a", number="N2"),
        event(same, "a"),
        event(same, "b", description="the same id, sent again with more text"),
        event(T0 + timedelta(hours=5), "d"),
    ]
    plain, _ = kernel.group(events)
    ordered, carriers = kernel.group(events, ordered=True)
    assert carriers == {"N1": "dhl", "N2": "dhl"}
    assert [r[ID] for r in plain["N1"]] == ["c", "b", "a", "b", "d"]  # input order
    assert [r[ID] for r in ordered["N1"]] == ["a", "b", "b", "c", "d"]
    # the two records under id "b" at one instant keep the order they came in
    b_first, b_second = (r for r in ordered["N1"] if r[ID] == "b")
    assert b_first == plain["N1"][1]
    assert b_second == plain["N1"][3]
    assert b_first != b_second
    assert [r[ID] for r in ordered["N2"]] == ["a", "z"]
    for number, recs in plain.items():
        assert sorted(recs, key=lambda r: (r[T], r[ID])) == ordered[number]


def test_ingest_of_a_shuffled_batch_is_ingest_of_the_sorted_one() -> None:
    hours = [0, 30, 5, 80, 31, 2, 200, 79]
    statuses = ["in_transit", "exception", "in_transit", "out_for_delivery"]
    events = [
        event(
            T0 + timedelta(hours=h),
            f"e{h}",
            number=f"N{h % 3}",
            status=statuses[h % 4],
            **({"reason": "customs_hold"} if statuses[h % 4] == "exception" else {}),
        )
        for h in hours
    ]
    in_order = sorted(events, key=lambda e: (e.occurred_at, e.event_id))
    one, two = Engine(PACK), Engine(PACK)
    changes = one.ingest(events)
    assert changes == two.ingest(in_order)
    assert changes  # the batch opens incidents: the comparison is not vacuous
    end = T0 + timedelta(days=30)
    assert one.advance(to=end) == two.advance(to=end)
    assert one.dump() == two.dump()
