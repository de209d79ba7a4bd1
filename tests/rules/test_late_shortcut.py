"""A late event stops replaying once it made no difference but to counts (``_Tail`` in
runtime/_replay.py, compiler/_counter_reads.py).

The oracle is the same pack's kernel with the shortcut off (``_converge``), which
replays every event after the late ones, and the arrival of the whole history in
order: after every late batch, all three hold the same state (and write the same
bytes, show the same incidents) and the two kernels report the same changes.  The
packs read counts by thresholds (``scans >= 3 and scans < 6``, ``events > 12``), in
what incidents keep (an explanation and evidence that print ``events`` and ``scans``)
and by arithmetic (which blocks the shift), so the shortcut is taken, refused and
would be wrong in every way it could be.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logix_carriers import TrackingEvent
from logix_rules import Kernel, Pack, ShipmentState, load_pack, loads_pack
from logix_rules.compiler._counter_reads import counter_reads
from logix_rules.core._records import EventRec, rec_key
from logix_rules.runtime import _replay

BASE = datetime(2026, 3, 1, tzinfo=UTC)
HOUR = 3_600_000_000

COUNTING = loads_pack(
    """
format: 1
name: counting
params:
  quiet_after: {type: duration, default: 30h}
severities:
  P2: {label: urgent, respond: 15m, resolve: 8h, escalate_after: 2h}
  P3: {label: general, respond: 30m, resolve: 24h, escalate_after: 48h}
supersessions:
  few_scans: [underway]
rules:
  - id: a_few_scans
    kind: few_scans
    when: scans >= 3 and scans < 6
    severity: P3
    explain: "Between three and five scans."
  - id: many_events
    kind: many_events
    when: events > 12 and status == 'customs'
    severity: P3
    explain: "More than twelve events, in customs."
  - id: printed
    kind: exception_seen
    when: status == 'exception'
    severity: P2
    explain: "An exception after {events} event(s)."
  - id: underway
    kind: underway
    when: not final
    severity: P3
    explain: "Underway."
  - id: quiet
    kind: quiet
    when: scans > 0 and not final
    anchor: last_scan
    after: quiet_after
    severity: P3
    explain: "Quiet since {last_scan}."
"""
)
ARITHMETIC = loads_pack(
    """
format: 1
name: arithmetic
severities:
  P3: {label: general, respond: 30m, resolve: 24h, escalate_after: 48h}
rules:
  - id: doubled
    kind: doubled
    when: scans * 2 > 9
    severity: P3
    explain: "Five scans or more."
"""
)
PACKS = {"default": load_pack("default"), "counting": COUNTING, "arithmetic": ARITHMETIC}
STATUSES = [
    *[("in_transit", None)] * 6,
    ("customs", None),
    ("exception", "customs_hold"),
    ("exception", "delay_weather"),
    ("out_for_delivery", None),
    ("delivered", None),
    ("unknown", None),
]


def event(k: int, hour: float, status: str, reason: str | None, report: bool) -> Any:
    return TrackingEvent.model_validate(
        {
            "tracking_number": "S1",
            "carrier": "dhl",
            "occurred_at": BASE + timedelta(hours=hour),
            "status": status,
            "reason": reason,
            "source": {"system": "customer" if report else "dhl"},
            "event_id": f"e{k:03d}",
        }
    )


def kernels(pack: Pack, every: int) -> tuple[Kernel, Kernel]:
    """A kernel with the shortcut (checkpointing from ``every`` events, every
    ``every``), and one without it nor checkpoints: it replays all."""
    short, whole = Kernel(pack), Kernel(pack)
    short._checkpoint_from = short._checkpoint_every = every
    whole._checkpoint_from = 1 << 40
    whole._converge = False
    return short, whole


def same(kernel: Kernel, a: ShipmentState, b: ShipmentState) -> None:
    assert a == b  # every field but the checkpoints
    assert kernel.dumps(a) == kernel.dumps(b)
    assert kernel.incidents(a) == kernel.incidents(b)


@st.composite
def long_trail(draw: st.DrawFn, pack: Pack) -> list[EventRec]:
    """10-40 events, mostly scans 1-8 h apart (some at one instant, some reports)."""
    kernel = Kernel(pack)
    recs, hour = [], 0.0
    first = draw(st.sampled_from([("info_received", None), ("picked_up", None)]))
    # Half never delivered: incidents stay open over the whole trail, their rungs rising
    statuses = STATUSES if draw(st.booleans()) else [s for s in STATUSES if s[0] != "delivered"]
    for k in range(draw(st.integers(10, 40))):
        hour += draw(st.sampled_from([0, 1, 2, 5, 8, 8, 26, 31]))
        status, reason = first if k == 0 else draw(st.sampled_from(statuses))
        report = k > 0 and draw(st.integers(0, 7)) == 0
        if report:
            status, reason = "exception", "wismo"
        recs.append(kernel.record(event(k, hour, status, reason, report)))
    return recs


@pytest.mark.slow
@given(st.data())
def test_late_events_into_long_histories_as_if_sorted(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(PACKS)))
    pack = PACKS[name]
    recs = data.draw(long_trail(pack))
    late = data.draw(
        st.lists(st.sampled_from(range(1, len(recs) - 1)), min_size=1, max_size=4, unique=True)
    )
    short, whole = kernels(pack, data.draw(st.sampled_from([1, 2, 3, 8])))
    a, b = short.new_state("S1", "dhl"), whole.new_state("S1", "dhl")
    held = [rec for k, rec in enumerate(recs) if k not in late]
    for rec in held:  # in order, one by one: the checkpoints an engine's state has
        short.step(a, rec)
        whole.step(b, rec)
    if data.draw(st.booleans()):
        at = held[-1][0] + data.draw(st.integers(0, 40)) * HOUR
        assert short.fire(a, at)[1] == whole.fire(b, at)[1]
    rest = [recs[k] for k in late]
    while rest:
        size = data.draw(st.integers(1, 2))
        batch, rest = sorted(rest[:size], key=rec_key), rest[size:]
        assert short.step_many(a, batch) == whole.step_many(b, batch)
        same(short, a, b)
    # ... and as if the whole history had arrived in order
    fresh = short.new_state("S1", "dhl")
    short.step_many(fresh, sorted(a.history, key=rec_key))
    assert a.fired_through is not None
    short.fire(fresh, a.fired_through)
    same(short, a, fresh)


def trail(pack: Pack, n: int, odd: dict[int, tuple[str, str | None]]) -> list[EventRec]:
    kernel = Kernel(pack)
    return [
        kernel.record(event(k, 4 * k, *odd.get(k, ("in_transit", None)), report=False))
        for k in range(n)
    ]


def converged(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records what every ``_Tail.converges`` answers."""
    answers: list[bool] = []
    converges = _replay._Tail.converges

    def recorded(self: Any, kernel: Kernel, state: ShipmentState) -> bool:
        answers.append(converges(self, kernel, state))
        return answers[-1]

    monkeypatch.setattr(_replay._Tail, "converges", recorded)
    return answers


@pytest.mark.parametrize(
    ("name", "back", "taken"),
    [
        ("default", 30, True),  # scans > 0 and == 0: both sides past them
        ("counting", 20, True),  # events > 12, scans < 6: past them, nothing open
        ("counting", 38, False),  # scans from 2 to 3: a_few_scans opens
        ("counting", 37, False),  # scans 4 and 5: underway would open again one scan early
        ("arithmetic", 30, False),  # scans * 2 > 9: arithmetic, blocked
    ],
)
def test_the_shortcut_is_taken_only_past_every_threshold(
    monkeypatch: pytest.MonkeyPatch, name: str, back: int, taken: bool
) -> None:
    pack = PACKS[name]
    recs = trail(pack, 41, {})
    late = recs.pop(len(recs) - 1 - back)
    short, whole = kernels(pack, 8)
    a, b = short.new_state("S1", "dhl"), whole.new_state("S1", "dhl")
    for rec in recs:
        short.step(a, rec)
        whole.step(b, rec)
    answers = converged(monkeypatch)
    assert short.step(a, late)[1] == whole.step(b, late)[1]
    assert answers == [taken]
    same(short, a, b)


@pytest.mark.parametrize("odd", [("exception", "customs_hold"), ("customs", None)])
def test_an_incident_that_keeps_a_count_stops_the_shortcut(
    monkeypatch: pytest.MonkeyPatch, odd: tuple[str, str | None]
) -> None:
    # An exception at the end: its explanation printed the events before it; or customs:
    # the evidence of many_events keeps them.  Both past every threshold, 20 back.
    recs = trail(COUNTING, 41, {40: odd})
    late = recs.pop(20)
    short, whole = kernels(COUNTING, 8)
    a, b = short.new_state("S1", "dhl"), whole.new_state("S1", "dhl")
    for rec in recs:
        short.step(a, rec)
        whole.step(b, rec)
    answers = converged(monkeypatch)
    assert short.step(a, late)[1] == whole.step(b, late)[1]
    assert answers == [False]
    same(short, a, b)
    shown = {i.kind: i for i in short.incidents(a)}
    if "exception_seen" in shown:
        assert "after 41 event(s)" in shown["exception_seen"].explanation
    else:
        assert shown["many_events"].evidence.values["events"] == 41


def test_counter_reads_of_the_packs() -> None:
    reads = counter_reads(COUNTING.module_source, [r.id for r in COUNTING.rules])
    assert reads.bound["n_scans"] == 6
    assert reads.bound["n_events"] == 12
    # an explanation prints it; the evidence of a rule whose condition reads it keeps it
    assert reads.captured_by["n_events"] == {"printed"}
    assert reads.kept_by["n_events"] == {"many_events": "events"}
    assert reads.kept_by["n_scans"] == {"a_few_scans": "scans", "quiet": "scans"}
    assert not reads.blocked
    assert reads.plain_anchors
    assert reads.shiftable("n_scans", 7)
    assert not reads.shiftable("n_scans", 6)
    odd = counter_reads(ARITHMETIC.module_source, [r.id for r in ARITHMETIC.rules])
    assert odd.blocked == {"n_scans"}
    default = counter_reads(PACKS["default"].module_source, [r.id for r in PACKS["default"].rules])
    assert default.bound["n_scans"] == 0
    assert default.kept_by["n_scans"] == {"pickup_no_events": "scans", "lost_silence": "scans"}
    assert default.captured_by["regressions"] == {"tracking_anomaly"}


def test_evidence_taken_before_the_late_event_keeps_the_shortcut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # In customs from the 16th event on: many_events opened there (its evidence keeps
    # 16 events), underway opened again at the 6th scan.
    recs = trail(COUNTING, 41, dict.fromkeys(range(15, 41), ("customs", None)))
    late = recs.pop(25)
    short, whole = kernels(COUNTING, 8)
    a, b = short.new_state("S1", "dhl"), whole.new_state("S1", "dhl")
    for rec in recs:
        short.step(a, rec)
        whole.step(b, rec)
    answers = converged(monkeypatch)
    assert short.step(a, late)[1] == whole.step(b, late)[1]
    assert answers == [True]
    same(short, a, b)
    shown = {i.kind: i for i in short.incidents(a)}
    assert shown["many_events"].evidence.values["events"] == 16
    assert shown["underway"].opened_at == BASE + timedelta(hours=4 * 5)
