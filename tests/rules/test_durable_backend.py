"""The durable-rules backend: what it compiles, and that it agrees with the core engine.

Compilation needs no durable-rules; running does, and those tests are skipped with
the reason when the ``durable`` extra is not installed.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logix_rules import Engine, InvalidEvents, Pack, generate_demo, load_pack, loads_pack
from logix_rules.backends.durable import (
    MAX_SESSIONS,
    DurableBackend,
    DurableUnavailable,
    UnsupportedRulesError,
    UnsupportedRulesWarning,
    compile_pack,
)

ROOT = Path(__file__).resolve().parents[2]
HAVE_DURABLE = importlib.util.find_spec("durable_rules_engine") is not None
needs_durable = pytest.mark.skipif(
    not HAVE_DURABLE,
    reason="durable-rules is not installed (pip install 'logix[durable]')",
)
BASE = datetime(2026, 3, 1, tzinfo=UTC)


def five_rules() -> Pack:
    text = importlib.resources.files("logix_rules").joinpath("packs", "five_rules.yaml")
    return loads_pack(text.read_text("utf-8"), file="five_rules.yaml")


SEVERITIES = """
severities:
  P1: {respond: 5m, resolve: 2h, escalate_after: 30m}
  P2: {respond: 15m, resolve: 8h, escalate_after: 2h}
  P3: {respond: 30m, resolve: 24h, escalate_after: 48h}
"""

# Every construct the translator handles, each where a missing value matters.
SYNTAX_PACK = loads_pack(
    """
format: 1
name: durable-syntax
params:
  stall: {type: duration, default: 24h, by: destination_country, values: {BR: 36h}}
  big: {type: money, default: 100 EUR}
  ratio_max: {type: percent, default: 5%, by: scope, values: {cross_border: 10%}}
"""
    + SEVERITIES
    + """
rules:
  - id: not_or
    kind: a
    when: not (status == 'delivered' or stage is None)
    severity: P3
  - id: not_equal_not_in
    kind: b
    when: stage != 'last_mile' and status not in ('delivered', 'returned')
    severity: P3
  - id: attr_default
    kind: c
    when: seen(reason='damaged') and attr('damage_ratio', 0.0) <= params.ratio_max
    severity: P2
  - id: attr_missing
    kind: c
    when: seen(reason='damaged') and attr('damage_ratio', None) is None
    severity: P1
  - id: two_fields
    kind: d
    when: last(status='attempt_failed', report=False) > first_scan and not event.report
    severity: P2
  - id: arithmetic
    kind: e
    when: last_scan - first_scan >= duration('2d') and not scans < 2
    severity: P3
  - id: shipment_value
    kind: f
    when: seen(reason='lost') and shipment.declared_value >= params.big
    severity: P1
  - id: ladder
    kind: g
    when: not final and scans > 0
    anchor: last_scan
    after: stall
    severity: P3
    steps:
      - {after: 3d, when: scans > 1, severity: P2}
      - {after: 5d, severity: P1}
  - id: promised
    kind: h
    when: delivered_at is None or delivered_at > shipment.promised_at
    anchor: shipment.promised_at
    severity: P3
  - id: event_fields
    kind: i
    when: event.system == 'customer' or event.country != 'DE'
    severity: P3
  - id: counts
    kind: j
    when: events >= 3 and events_after_delivery == 0 and stage_regressions < 1
    severity: P3
""",
    file="durable-syntax.yaml",
)

UNSUPPORTED_PACK = (
    """
format: 1
name: durable-unsupported
"""
    + SEVERITIES
    + """
rules:
  - id: uses_coalesce
    kind: a
    when: coalesce(delivered_at, last_scan) > first_scan
    severity: P3
  - id: plain_rule
    kind: b
    when: status == 'exception'
    severity: P2
  - id: uses_abs
    kind: c
    when: abs(scans - events) > 1
    severity: P3
  - id: float_on_left
    kind: d
    when: attr('damage_ratio', 0.0) * 2 > 0.5
    severity: P3
"""
)


def core_results(engine: Engine) -> set[tuple[str, str, str]]:
    return {(i.tracking_number, i.kind, i.severity) for i in engine.open_incidents()}


# -- compiling (no durable-rules needed) -------------------------------------------------------
def test_builtin_packs_compile_completely() -> None:
    for pack in (five_rules(), load_pack("default"), SYNTAX_PACK):
        program = compile_pack(pack, strict=True)
        assert program.unsupported == ()
        assert program.supported == tuple(rule.id for rule in pack.rules)


def test_time_rules_become_a_clock_join_and_an_event_time_test() -> None:
    program = compile_pack(five_rules())
    clock = program.definition["customs_timeout#0@clock"]["all"]
    assert [next(iter(part)) for part in clock] == ["st", "clk"]
    assert "'k': 'clock'" in str(clock[1])
    assert "stage_entered" in str(clock[1])
    event = program.definition["customs_timeout#0@event"]["all"]
    assert "'at'" in str(event)
    assert program.targets["customs_timeout#0@clock"] == (3, 0)
    assert json.loads(program.to_json()).keys() == program.definition.keys()


def test_unsupported_rules_are_reported_by_name() -> None:
    pack = loads_pack(UNSUPPORTED_PACK, file="unsupported.yaml")
    with pytest.warns(UnsupportedRulesWarning) as caught:
        program = compile_pack(pack)
    warning = caught[0].message
    assert isinstance(warning, UnsupportedRulesWarning)
    names = [rule.rule_id for rule in warning.rules]
    assert names == ["uses_coalesce", "uses_abs", "float_on_left"]
    for name in names:
        assert name in str(warning)
    assert "coalesce()" in str(warning)
    assert program.supported == ("plain_rule",)

    with pytest.raises(UnsupportedRulesError) as error:
        compile_pack(pack, strict=True)
    assert [rule.rule_id for rule in error.value.rules] == names
    assert "strict=False" in str(error.value)


@pytest.mark.parametrize("sessions", [0, MAX_SESSIONS + 1])
def test_session_count_is_bounded(sessions: int) -> None:
    with pytest.raises(ValueError, match="1024"):
        DurableBackend(five_rules(), sessions=sessions)


def test_missing_durable_rules_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "durable.engine", None)
    with pytest.raises(DurableUnavailable, match=r"logix\[durable\]"):
        DurableBackend(five_rules())


# -- running -------------------------------------------------------------------------------------
def event(number: str, hour: float, status: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tracking_number": number,
        "carrier": "dhl",
        "occurred_at": (BASE + timedelta(hours=hour)).isoformat(),
        "status": status,
        "source": {"system": extra.pop("system", "dhl")},
    }
    data.update(extra)
    return data


@needs_durable
@pytest.mark.parametrize("pack_name", ["five-rules", "default"])
def test_agrees_with_the_core_on_demo_data(pack_name: str) -> None:
    pack = five_rules() if pack_name == "five-rules" else load_pack("default")
    data = generate_demo(seed=3, shipments=150)
    engine = Engine(pack)
    with DurableBackend(pack, strict=True) as backend:
        for shipment in data.shipments:
            engine.upsert_shipment(shipment)
            backend.upsert_shipment(shipment)
        events = list(data.events)
        for start in range(0, len(events), 200):
            engine.ingest(events[start : start + 200])
            backend.ingest(events[start : start + 200])
        engine.advance(to=data.at)
        backend.advance(to=data.at)
        expected = core_results(engine)
        assert expected, "the demo data should raise incidents"
        assert backend.results() == expected
        rules = {(i.tracking_number, i.kind): i.rules for i in engine.open_incidents()}
        assert {(i.tracking_number, i.kind): i.rules for i in backend.open_incidents()} == rules


@needs_durable
def test_clock_facts_fire_time_rules_at_exactly_their_due_time() -> None:
    with DurableBackend(five_rules()) as backend:
        backend.ingest([event("C1", 0, "customs")])
        backend.advance(to=BASE + timedelta(hours=48) - timedelta(microseconds=1))
        assert backend.results() == set()
        backend.advance(to=BASE + timedelta(hours=48))  # thresholds are inclusive
        assert backend.results() == {("C1", "customs_hold", "P1")}
        backend.ingest([event("C1", 50, "in_transit", stage="last_mile")])
        assert backend.results() == set()


@needs_durable
def test_a_later_event_fires_an_overdue_timer_without_advance() -> None:
    with DurableBackend(five_rules()) as backend:
        backend.ingest([event("C2", 0, "customs"), event("C2", 49, "customs")])
        assert backend.results() == {("C2", "customs_hold", "P1")}


@needs_durable
def test_more_shipments_than_durable_sessions() -> None:
    events = [event(f"S{i:05d}", 0, "exception", reason="customs_hold") for i in range(1500)]
    with DurableBackend(five_rules(), sessions=4) as backend:
        backend.ingest(events)
        assert len(backend.results()) == 1500


@needs_durable
def test_two_backends_of_one_pack_stay_apart() -> None:
    pack = five_rules()
    with DurableBackend(pack) as first, DurableBackend(pack) as second:
        assert first.name != second.name
        first.ingest([event("A1", 0, "exception", reason="customs_hold")])
        assert second.results() == set()
        assert first.results() == {("A1", "customs_hold", "P1")}


@needs_durable
def test_missing_values_keep_the_core_meaning() -> None:
    # Only a report: stage and status are missing, so `stage != 'last_mile'` holds in
    # Python (None != 'last_mile') and must hold on durable_rules too.
    report = event("R1", 0, "exception", reason="wrong_item", system="customer")
    engine = Engine(SYNTAX_PACK)
    engine.ingest([report])
    with DurableBackend(SYNTAX_PACK) as backend:
        backend.ingest([report])
        assert backend.results() == core_results(engine)
        assert ("R1", "b", "P3") in backend.results()


@needs_durable
def test_invalid_events_are_reported_not_applied() -> None:
    good = event("V1", 0, "exception", reason="customs_hold")
    bad = {"tracking_number": "V2", "carrier": "dhl", "status": "exploded"}
    with DurableBackend(five_rules()) as backend:
        with pytest.raises(InvalidEvents) as error:
            backend.ingest([good, bad])
        assert [p.index for p in error.value.problems] == [1]
        assert backend.results() == set()
        seen: list[int] = []
        backend.ingest([good, bad], on_invalid=lambda problem: seen.append(problem.index))
        assert seen == [1]
        assert backend.results() == {("V1", "customs_hold", "P1")}


@needs_durable
def test_a_closed_backend_refuses_work() -> None:
    backend = DurableBackend(five_rules())
    backend.close()
    backend.close()  # closing twice is harmless
    with pytest.raises(ValueError, match="closed"):
        backend.ingest([])


# -- the differential property ------------------------------------------------------------------
NUMBERS = ("T1", "T2", "T3")
SCANS: list[tuple[str, str | None, str | None]] = [
    ("info_received", None, None),
    ("picked_up", None, None),
    ("in_transit", None, None),
    ("in_transit", "line_haul", None),
    ("in_transit", "last_mile", None),
    ("customs", None, None),
    ("exception", None, "customs_hold"),
    ("exception", None, "payment_required"),
    ("out_for_delivery", None, None),
    ("attempt_failed", None, "address_issue"),
    ("attempt_failed", None, "recipient_unavailable"),
    ("delivered", None, None),
    ("exception", None, "lost"),
    ("exception", None, "damaged"),
    ("exception", None, "refused"),
    ("returning", None, "refused"),
    ("unknown", None, None),
]
REPORTS: list[tuple[str, str | None]] = [
    ("exception", "not_received"),
    ("exception", "wrong_item"),
    ("exception", "damaged"),
]
PACKS = {"five-rules": five_rules(), "default": load_pack("default"), "syntax": SYNTAX_PACK}


@st.composite
def timeline(draw: st.DrawFn) -> dict[str, Any]:
    numbers = draw(st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=3, unique=True))
    events: list[dict[str, Any]] = []
    shipments = []
    for number in numbers:
        cross = draw(st.booleans())
        shipments.append(
            {
                "tracking_number": number,
                "carrier": "dhl",
                "origin_country": "CN" if cross else "DE",
                "destination_country": draw(st.sampled_from(["DE", "BR", "IN"])),
                "promised_at": (BASE + timedelta(hours=draw(st.integers(24, 24 * 12)))).isoformat(),
                "shipped_at": BASE.isoformat(),
                "freight_cost": str(draw(st.sampled_from([0, 9.99, 20]))),
                "declared_value": str(draw(st.sampled_from([50, 100, 800]))),
                "currency": "EUR",
            }
        )
        hour = 0
        for _ in range(draw(st.integers(0, 8))):
            hour += draw(st.sampled_from([0, 1, 5, 23, 24, 25, 47, 48, 49, 80, 170]))
            is_report = draw(st.integers(0, 8)) == 0
            stage: str | None
            reason: str | None
            if is_report:
                status, reason = draw(st.sampled_from(REPORTS))
                stage = None
            else:
                status, stage, reason = draw(st.sampled_from(SCANS))
            data = event(
                number,
                hour,
                status,
                reason=reason,
                system="customer" if is_report else "dhl",
                location={"country": draw(st.sampled_from(["DE", "BR"]))},
            )
            if stage is not None:
                data["stage"] = stage
            if reason == "damaged" and draw(st.booleans()):
                ratio = draw(st.sampled_from([0.02, 0.05, 0.08, 0.3, "0.07", True]))
                data["attributes"] = {"damage_ratio": ratio}
            events.append(data)
    return {"events": events, "shipments": shipments}


@st.composite
def arrival(draw: st.DrawFn, case: dict[str, Any]) -> list[tuple[str, Any]]:
    """Shuffled, with duplicates, re-worded re-sends, advance points and upserts."""
    events = list(case["events"])
    dupes = draw(st.lists(st.sampled_from(events), max_size=4)) if events else []
    variants = []
    for original in draw(st.lists(st.sampled_from(events), max_size=2)) if events else []:
        variants.append({**original, "description": draw(st.sampled_from(["A", "b", "zz"]))})
    steps: list[tuple[str, Any]] = []
    for item in draw(st.permutations(events + dupes + variants)):
        if draw(st.integers(0, 3)) == 0:
            steps.append(("advance", BASE + timedelta(hours=draw(st.integers(0, 24 * 20)))))
        steps.append(("event", item))
    for shipment in case["shipments"]:
        if draw(st.booleans()):
            steps.insert(draw(st.integers(0, len(steps))), ("shipment", shipment))
    steps.append(("advance", BASE + timedelta(hours=draw(st.integers(0, 24 * 30)))))
    return steps


@needs_durable
@pytest.mark.slow
@pytest.mark.parametrize("pack_name", sorted(PACKS))
@given(data=st.data())
def test_durable_agrees_with_the_core_engine(pack_name: str, data: st.DataObject) -> None:
    pack = PACKS[pack_name]
    case = data.draw(timeline())
    steps = data.draw(arrival(case))
    engine = Engine(pack)
    with DurableBackend(pack, strict=True, sessions=2) as backend:
        batch: list[Any] = []

        def flush() -> None:
            engine.ingest(batch)
            backend.ingest(batch)
            batch.clear()

        for kind, payload in steps:
            if kind == "event":
                batch.append(payload)
                if data.draw(st.booleans()):
                    flush()
                    assert backend.results() == core_results(engine)
            elif kind == "advance":
                flush()
                engine.advance(to=payload)
                backend.advance(to=payload)
                assert backend.results() == core_results(engine)
            else:
                flush()
                engine.upsert_shipment(payload)
                backend.upsert_shipment(payload)
                assert backend.results() == core_results(engine)
        flush()
        assert backend.results() == core_results(engine)


# -- docs/backends.md ---------------------------------------------------------------------------
@needs_durable
def test_backends_page_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    page = ROOT / "docs" / "backends.md"
    blocks = re.findall(r"^```python\n(.*?)^```", page.read_text("utf-8"), re.S | re.M)
    assert blocks, "docs/backends.md should show the backend in use"
    namespace: dict[str, Any] = {"__name__": "backends_md"}
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"docs/backends.md example {number}", "exec"), namespace)
    out = capsys.readouterr().out.strip().splitlines()
    shown = re.findall(r"^```text\n(.*?)^```", page.read_text("utf-8"), re.S | re.M)
    # The output blocks of the page are what its examples print.
    assert out == [line for block in shown for line in block.strip().splitlines()]
