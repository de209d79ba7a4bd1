"""Explanations: ``engine.explain``, ``explain_events``, ``logix explain``, and the
```python and console examples of docs/explain.md."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from test_scenarios import ROOT, run_cli, run_doc_page

from logix_rules import Engine, evaluate, load_pack, loads_pack
from logix_rules.runtime._explain import explain_events
from logix_rules.runtime._lifecycle import superseded
from logix_rules.strategies import eventful_timelines

PACK = load_pack("default")
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def ev(hours: float, status: str, reason: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "tracking_number": "1Z999",
        "carrier": "ups",
        "occurred_at": (T0 + timedelta(hours=hours)).isoformat(),
        "status": status,
        "reason": reason,
        **extra,
    }


SHIPMENT = {
    "tracking_number": "1Z999",
    "carrier": "ups",
    "origin_country": "US",
    "destination_country": "US",
    "shipped_at": T0.isoformat(),
    "promised_at": (T0 + timedelta(days=5)).isoformat(),
    "freight_cost": "10",
    "currency": "USD",
}


@pytest.fixture
def engine() -> Engine:
    engine = Engine(PACK)
    engine.ingest([ev(0, "picked_up"), ev(6, "in_transit")])
    return engine


def test_a_failing_comparison_is_named_with_its_value(engine: Engine) -> None:
    trace = engine.explain("1Z999", at=T0 + timedelta(hours=26)).rule("customs_timeout")
    assert trace.status == "fails"
    assert not trace.holds
    (failed,) = trace.failed
    assert failed.text == "stage == 'customs'"
    assert [(o.text, o.value) for o in failed.operands] == [("stage", "line_haul")]
    assert trace.summary == "`stage == 'customs'` is false: stage was 'line_haul'"


def test_a_rule_not_due_yet_says_how_far_it_is(engine: Engine) -> None:
    trace = engine.explain("1Z999", at=T0 + timedelta(hours=26)).rule("tracking_stall")
    assert trace.status == "waiting"
    assert trace.summary == (
        "not due yet: 20h since last_scan < stall_after 24h, due at 2026-03-02T14:00Z"
    )
    assert trace.anchor == "last_scan"
    assert trace.anchor_at == T0 + timedelta(hours=6)
    assert [r.after_value for r in trace.rungs] == ["24h", "72h"]
    assert trace.next_due == T0 + timedelta(hours=30)
    late = engine.explain("1Z999", at=T0 + timedelta(hours=26)).rule("delivery_late")
    assert late.status == "no_anchor"  # no shipment facts: no promise
    assert late.summary == "condition holds, but its anchor `shipment.promised_at` has no value"


def test_a_rule_that_holds_gives_its_rung_and_the_next(engine: Engine) -> None:
    explanation = engine.explain("1Z999", at=T0 + timedelta(hours=40))
    trace = explanation.rule("tracking_stall")
    assert trace.holds
    assert (trace.severity, trace.rung) == ("P3", 0)
    assert trace.summary == (
        "holds: P3 since 2026-03-02T14:00Z (34h since last_scan >= stall_after 24h); "
        "next rung P2 at 2026-03-04T14:00Z"
    )
    assert [(i.kind, i.severity) for i in explanation.incidents] == [("tracking_stall", "P3")]


def test_not_and_or_and_missing_values() -> None:
    engine = Engine(PACK)
    engine.ingest([ev(0, "picked_up"), ev(5, "delivered")])
    explanation = engine.explain("1Z999", at=T0 + timedelta(hours=6))
    stall = explanation.rule("tracking_stall")
    assert stall.failed[0].text == "not final"
    assert str(stall.failed[0]) == "`not final` is false: final was true"
    returned = explanation.rule("returned_to_sender")
    assert [c.text for c in returned.failed] == [
        "status in ('returning', 'returned')",
        "stage == 'return'",
    ]
    false_delivery = explanation.rule("false_delivery")
    values = {o.text: o.value for o in false_delivery.failed[0].operands}
    assert values == {
        "last(reason='not_received', report=True)": None,
        "delivered_at": "2026-03-01T13:00Z",
    }


def test_step_conditions_and_param_values_are_shown() -> None:
    engine = Engine(PACK)
    engine.upsert_shipment(SHIPMENT)
    engine.ingest([ev(0, "picked_up"), ev(6, "out_for_delivery"), ev(5 * 24 + 2, "delivered")])
    # "More than 24 h" late: the SLA rung is due 1 µs after the 24 h.
    trace = engine.explain("1Z999", at=T0 + timedelta(days=6, minutes=1)).rule("delivery_late")
    assert trace.holds
    assert trace.rung == 0  # delivered 2h late: the SLA rung is due but its condition fails
    assert "rung 1 (P3) is due but" in trace.summary
    assert "delivered_at - shipment.promised_at > params.sla_grace" in trace.summary
    rung = trace.rungs[1]
    assert rung.reached
    assert rung.condition is not None
    assert not rung.condition.holds
    detail = trace.render_detail()
    assert "anchor shipment.promised_at = 2026-03-06T08:00Z" in detail
    assert "rung 1 (P3): after [params.sla_grace + duration('0.000001s')]" in detail


def test_count_comparisons_show_both_sides() -> None:
    engine = Engine(PACK)
    engine.ingest([ev(0, "picked_up"), ev(5, "attempt_failed", "recipient_unavailable")])
    trace = engine.explain("1Z999", at=T0 + timedelta(hours=6)).rule("delivery_attempts_exhausted")
    (failed,) = trace.failed
    assert [(o.text, o.value) for o in failed.operands] == [
        ("count(status='attempt_failed', report=False)", 1),
        ("params.max_attempts", 3),
    ]


def test_explain_uses_events_up_to_at_and_leaves_the_engine_alone() -> None:
    engine = Engine(PACK)
    engine.ingest([ev(0, "picked_up"), ev(6, "in_transit"), ev(60, "in_transit")])
    engine.advance(to=T0 + timedelta(hours=61))
    before = (engine.open_incidents(), engine.next_due(), engine.dump(mask=False))
    past = engine.explain("1Z999", at=T0 + timedelta(hours=30))
    assert past.events == 2
    assert [i.kind for i in past.incidents] == ["tracking_stall"]
    assert (engine.open_incidents(), engine.next_due(), engine.dump(mask=False)) == before


def test_default_instant_and_errors(engine: Engine) -> None:
    assert engine.explain("1Z999").at == T0 + timedelta(hours=6)  # the latest event
    engine.advance(to=T0 + timedelta(hours=8))
    assert engine.explain("1Z999").at == T0 + timedelta(hours=8)  # the engine's clock
    with pytest.raises(KeyError, match="1Z998"):
        engine.explain("1Z998")
    with pytest.raises(ValueError, match="time zone"):
        engine.explain("1Z999", at=datetime(2026, 3, 2))
    empty = Engine(PACK)
    empty.upsert_shipment(SHIPMENT)
    with pytest.raises(ValueError, match="pass at="):
        empty.explain("1Z999")


def test_explain_events_and_to_dict() -> None:
    explanation = explain_events(
        PACK, [ev(0, "picked_up")], tracking_number="1Z999", at=T0 + timedelta(days=8)
    )
    data = json.loads(json.dumps(explanation.to_dict()))
    assert data["at"] == "2026-03-09T08:00Z"
    lost = next(r for r in data["rules"] if r["rule"] == "lost_silence")
    assert lost["status"] == "holds"
    assert lost["rungs"][0]["due"] == "2026-03-08T08:00Z"
    # The stall's rule holds too, but the loss supersedes it (issue 13 §1).
    assert {i["kind"] for i in data["incidents"]} == {"lost"}


def test_render_can_focus_on_kinds(engine: Engine) -> None:
    text = engine.explain("1Z999", at=T0 + timedelta(hours=26)).render(kinds=["customs_hold"])
    lines = text.splitlines()
    assert lines[0] == "1Z999 at 2026-03-02T10:00Z, pack 'default' (2 events by then)"
    assert [line.split()[1] for line in lines[3:-1]] == ["customs_hold_event", "customs_timeout"]
    assert lines[-1] == f"  ({len(PACK.rules) - 2} rules of other kinds do not hold)"


def test_a_pack_with_ors_nots_and_arithmetic() -> None:
    pack = loads_pack(
        """
format: 1
name: odd
severities: {P1: {respond: 5m, resolve: 1h, escalate_after: 30m}}
rules:
  - id: odd
    kind: odd
    when: not (status == 'delivered' or scans < 2) and hours(scans) > duration('3h')
    severity: P1
"""
    )
    explanation = explain_events(
        pack,
        [ev(0, "picked_up"), ev(1, "in_transit")],
        tracking_number="1Z999",
        at=T0 + timedelta(hours=1),
    )
    trace = explanation.rule("odd")
    assert trace.status == "fails"
    texts = [c.text for c in trace.failed]
    assert texts == ["hours(scans) > duration('3h')"]
    assert [(o.text, o.value) for o in trace.failed[0].operands] == [("hours(scans)", "2h")]
    assert str(trace.parts[0]) == "`not (status == 'delivered' or scans < 2)` holds"


def test_extra_spaces_are_collapsed_in_sub_conditions() -> None:
    pack = loads_pack(
        """
format: 1
name: spaced
severities: {P1: {respond: 5m, resolve: 1h, escalate_after: 30m}}
rules:
  - id: busy
    kind: busy
    severity: P1
    when: "(status == 'exception'   or   status == 'attempt_failed')  and  scans > 5"
"""
    )
    explanation = explain_events(pack, [ev(0, "in_transit")], tracking_number="1Z999", at=T0)
    assert [c.text for c in explanation.rule("busy").parts] == [
        "status == 'exception' or status == 'attempt_failed'",
        "scans > 5",
    ]


def test_a_multi_line_condition() -> None:
    pack = loads_pack(
        """
format: 1
name: multi
severities: {P1: {respond: 5m, resolve: 1h, escalate_after: 30m}}
rules:
  - id: busy
    kind: busy
    severity: P1
    when: |
      ((status == 'exception' or
        status == 'attempt_failed')
       and scans > 5)
"""
    )
    explanation = explain_events(pack, [ev(0, "in_transit")], tracking_number="1Z999", at=T0)
    trace = explanation.rule("busy")
    assert [c.text for c in trace.parts] == [
        "status == 'exception' or status == 'attempt_failed'",
        "scans > 5",
    ]
    assert [str(c) for c in trace.failed][-1] == "`scans > 5` is false: scans was 1"


NEG = """
format: 1
name: neg
severities: {P1: {respond: 5m, resolve: 1h, escalate_after: 30m}}
rules:
  - {id: neg, kind: neg, severity: P1, when: "not (status == 'delivered' or scans < 2)"}
"""


def test_not_of_an_or_is_negated_as_a_whole() -> None:
    pack = loads_pack(NEG)
    events = [ev(0, "in_transit")]  # one scan: `scans < 2` holds, so the rule must not
    assert evaluate(pack, events, at=T0 + timedelta(hours=1)) == []
    trace = explain_events(pack, events, tracking_number="1Z999", at=T0 + timedelta(hours=1))
    assert trace.rule("neg").failed[0].text == "not (status == 'delivered' or scans < 2)"


# ------------------------------------------------------------------------- logix explain


@pytest.fixture
def events_file(tmp_path: Path) -> Path:
    path = tmp_path / "events.jsonl"
    lines = [
        ev(0, "picked_up"),
        ev(6, "in_transit"),
        {**ev(1, "picked_up"), "tracking_number": "X"},
    ]
    path.write_text("\n".join(json.dumps(e) for e in lines) + "\n", "utf-8")
    return path


def test_cli_names_the_failing_sub_condition(events_file: Path) -> None:
    status, out, _ = run_cli(
        ["explain", "--pack", "default", "--events", str(events_file),
         "--tracking-number", "1Z999", "--at", "2026-03-02T10:00Z"]
    )  # fmt: skip
    assert status == 0
    assert "fails     customs_timeout              `stage == 'customs'` is false: " in out
    assert "stage was 'line_haul'" in out
    assert "not due yet: 20h since last_scan < stall_after 24h, due at 2026-03-02T14:00Z" in out


def test_cli_rule_detail_json_and_default_time(events_file: Path, tmp_path: Path) -> None:
    base = ["explain", "--pack", "default", "--events", str(events_file)]
    status, out, _ = run_cli([*base, "--tracking-number", "1Z999", "--rule", "tracking_stall"])
    assert status == 0
    assert "1Z999 at 2026-03-01T14:00Z" in out  # the parcel's latest event
    assert "    holds not final  (final = false)" in out
    shipments = tmp_path / "shipments.jsonl"
    shipments.write_text(json.dumps(SHIPMENT) + "\n", "utf-8")
    status, out, _ = run_cli(
        [*base, "--tracking-number", "1Z999", "--shipments", str(shipments),
         "--at", "2026-03-07T10:00Z", "--format", "json"]
    )  # fmt: skip
    data = json.loads(out)
    late = next(r for r in data["rules"] if r["rule"] == "delivery_late")
    assert late["status"] == "holds"


def test_cli_mistakes_exit_2_without_traceback(events_file: Path, tmp_path: Path) -> None:
    base = ["explain", "--pack", "default", "--events", str(events_file)]
    status, _, err = run_cli([*base, "--tracking-number", "1Z998"])
    assert status == 2
    assert "no events or shipment for tracking number '1Z998'. Did you mean '1Z999'?" in err
    status, _, err = run_cli([*base, "--tracking-number", "1Z999", "--rule", "tracking_stal"])
    assert status == 2
    assert "Did you mean 'tracking_stall'?" in err
    status, _, err = run_cli([*base, "--tracking-number", "1Z999", "--at", "2026-03-02T10:00"])
    assert status == 2
    assert "no UTC offset" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\nname: bad\nrules: [\n", "utf-8")
    status, _, err = run_cli(
        ["explain", "--pack", str(bad), "--events", str(events_file), "--tracking-number", "X"]
    )
    assert status == 2
    assert "does not compile" in err
    for text in (err,):
        assert "Traceback" not in text


# -------------------------------------------------------------- consistency with evaluate


@pytest.mark.slow
@given(eventful_timelines())
def test_a_kind_is_open_exactly_when_one_of_its_rules_holds(timeline: Any) -> None:
    """The trace agrees with the engine: the open kinds are those with a holding rule."""
    at = timeline.end
    explanation = explain_events(
        PACK, timeline.events, tracking_number=timeline.tracking_number, at=at,
        shipment=timeline.shipment,
    )  # fmt: skip
    holding = {t.kind for t in explanation.rules if t.holds}
    holding -= set(superseded(PACK.supersedes, holding))  # a later stage closes them
    incidents = evaluate(PACK, timeline.events, at=at, shipment=timeline.shipment)
    assert {i.kind for i in incidents} == holding
    assert {i.kind for i in explanation.incidents} == holding
    for incident in incidents:
        assert set(incident.rules) == {
            t.rule for t in explanation.rules if t.holds and t.kind == incident.kind
        }


@pytest.mark.slow
def test_docs_explain_page_runs(tmp_path: Path) -> None:
    run_doc_page(ROOT / "docs" / "explain.md", tmp_path)
