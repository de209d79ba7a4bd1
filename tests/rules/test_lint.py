"""``logix check --strict``: the warnings of ``lint_pack``, located, and no false alarms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_scenarios import run_cli

from logix_rules import load_pack
from logix_rules.compiler._lint import PackWarning, WarningCode, lint_pack

SEVERITIES = """\
format: 1
name: t
severities:
  P1: {respond: 5m, resolve: 2h, escalate_after: 30m}
  P2: {respond: 15m, resolve: 8h, escalate_after: 2h}
  P3: {respond: 30m, resolve: 24h, escalate_after: 48h}
"""


def lint(tmp_path: Path, body: str, *, head: str = SEVERITIES) -> list[PackWarning]:
    path = tmp_path / "t.yaml"
    path.write_text(head + body, "utf-8")
    return lint_pack(load_pack(path))


def codes(warnings: list[PackWarning]) -> list[str]:
    return [w.code.value for w in warnings]


def rules(*conditions: str, kind: str = "k", severity: str = "P2") -> str:
    out = "rules:\n"
    for n, condition in enumerate(conditions):
        out += f'  - {{id: r{n}, kind: {kind}, severity: {severity}, when: "{condition}"}}\n'
    return out


def test_the_default_pack_is_clean() -> None:
    assert lint_pack(load_pack("default")) == []
    status, out, _ = run_cli(["check", "--strict", "default"])
    assert status == 0
    assert "pack 'default' OK" in out


# ------------------------------------------------------------------------- never fires


@pytest.mark.parametrize(
    "condition",
    [
        "status == 'delivered' and status == 'returned'",
        "status == 'delivered' and status != 'delivered'",
        "final and status == 'in_transit'",
        "not final and status in ('delivered', 'cancelled')",
        "status in ('customs', 'exception') and status not in ('customs', 'exception')",
        "stage is None and stage == 'customs'",
        "scans > 3 and scans < 2",
        "count(status='attempt_failed') >= 1 and not seen(status='attempt_failed')",
        "scans == 0 and status == 'in_transit'",
        "attr('damage_ratio', None) > 0.5 and attr('damage_ratio', None) <= 0.2",
        "(status == 'delivered' or status == 'returned') and status == 'customs'",
        "False",
    ],
)
def test_contradictions_are_found(tmp_path: Path, condition: str) -> None:
    (warning,) = lint(tmp_path, rules(condition))
    assert warning.code is WarningCode.NEVER_FIRES
    assert warning.rule_id == "r0"
    assert warning.line == 8  # the rule's `when`
    assert "can never fire" in warning.msg


@pytest.mark.parametrize(
    "condition",
    [
        "status == 'delivered' or status == 'returned'",
        "not (scans < 5) and scans < 10",
        "attr('damage_ratio', None) is None or attr('damage_ratio', None) > 0.5",
        "stage != 'customs' and stage != 'line_haul'",
        "last(reason='not_received', report=True) > delivered_at",
        "delivered_at is None or delivered_at > shipment.promised_at",
        "not final and scans > 0",
        "seen(reason='lost') and status != 'delivered'",
        "scans >= 1 and scans <= 1",
    ],
)
def test_satisfiable_conditions_are_left_alone(tmp_path: Path, condition: str) -> None:
    assert lint(tmp_path, rules(condition)) == []


def test_an_unreachable_rung(tmp_path: Path) -> None:
    body = """\
rules:
  - id: late
    kind: delivery_delay
    when: delivered_at is None
    anchor: shipment.promised_at
    severity: P3
    steps:
      - after: 24h
        when: delivered_at > shipment.promised_at
"""
    (warning,) = lint(tmp_path, body)
    assert warning.code is WarningCode.STEP_UNREACHABLE
    assert "rung 1 of rule 'late' can never be reached" in warning.msg
    assert warning.line == 15


# ------------------------------------------------------------------------------ ladders


def test_a_ladder_out_of_order_for_one_country(tmp_path: Path) -> None:
    body = """\
params:
  escalate:
    type: duration
    default: 96h
    by: destination_country
    values: {BR: 12h}
rules:
  - id: customs
    kind: customs_hold
    when: stage == 'customs'
    anchor: stage_entered
    after: 24h
    severity: P2
    steps:
      - after: escalate
        severity: P1
"""
    (warning,) = lint(tmp_path, body)
    assert warning.code is WarningCode.LADDER_ORDER
    assert warning.msg == (
        "rule 'customs': rung 1 (escalate = 12h) does not come after rung 0 (24h) "
        "for destination_country=BR"
    )
    assert (warning.line, warning.column) == (21, 16)


def test_a_ladder_that_lowers_the_severity(tmp_path: Path) -> None:
    body = """\
rules:
  - id: stall
    kind: tracking_stall
    when: not final
    anchor: last_scan
    after: 24h
    severity: P2
    steps:
      - {after: 48h, severity: P3}
"""
    (warning,) = lint(tmp_path, body)
    assert warning.code is WarningCode.LADDER_ORDER
    assert "lowers the severity from P2 to P3" in warning.msg


# ------------------------------------------------------------------------------ params


def test_an_unused_param(tmp_path: Path) -> None:
    body = """\
params:
  used: {type: duration, default: 24h}
  in_explain: {type: number, default: 3}
  forgotten: {type: duration, default: 5h}
rules:
  - id: r
    kind: k
    when: not final
    anchor: last_scan
    after: used
    severity: P3
    explain: "more than {params.in_explain}"
"""
    (warning,) = lint(tmp_path, body)
    assert warning.code is WarningCode.UNUSED_PARAM
    assert warning.msg == "param 'forgotten' is not used by any rule"
    assert warning.line == 10


# ------------------------------------------------------------------ severity conflicts


def test_overlapping_rules_with_different_severities(tmp_path: Path) -> None:
    body = """\
rules:
  - {id: any_exception, kind: trouble, severity: P2, when: "status == 'exception'"}
  - {id: weather, kind: trouble, severity: P3, when: "reason == 'delay_weather'"}
  - {id: other_kind, kind: other, severity: P1, when: "reason == 'delay_weather'"}
"""
    (warning,) = lint(tmp_path, body)
    assert warning.code is WarningCode.SEVERITY_CONFLICT
    assert warning.rule_id == "weather"
    assert "can hold at the same time; the incident then takes P2" in warning.msg


def test_a_milder_special_case_is_reported_as_such(tmp_path: Path) -> None:
    body = """\
rules:
  - {id: broad, kind: trouble, severity: P2, when: "status == 'exception'"}
  - {id: narrow, kind: trouble, severity: P3, when: "status == 'exception' and reason == 'held'"}
"""
    (warning,) = lint(tmp_path, body)
    assert "rule 'narrow' (P3) is a special case of rule 'broad' (P2)" in warning.msg


def test_escalating_and_exclusive_rules_are_fine(tmp_path: Path) -> None:
    body = """\
rules:
  - {id: one, kind: fail, severity: P2, when: "seen(status='attempt_failed') and not final"}
  - {id: three, kind: fail, severity: P1,
     when: "count(status='attempt_failed') >= 3 and not final"}
  - {id: small, kind: dmg, severity: P3, when: "attr('damage_ratio', None) <= 0.05"}
  - {id: big, kind: dmg, severity: P2, when: "attr('damage_ratio', None) > 0.05"}
"""
    assert lint(tmp_path, body) == []


# ----------------------------------------------------------------- threshold conflicts


def test_a_lost_silence_shorter_than_a_stall(tmp_path: Path) -> None:
    path = tmp_path / "hasty.yaml"
    path.write_text("format: 1\nname: hasty\nextends: default\nparams:\n  lost_after: 20h\n")
    (warning,) = lint_pack(load_pack(path))
    assert warning.code is WarningCode.THRESHOLD_CONFLICT
    assert (warning.file, warning.line) == (str(path), 5)  # the override, not the base pack
    assert warning.msg == (
        "thresholds contradict by default: rule 'lost_silence' raises 'lost' (P1) "
        "lost_after = 20h after last_scan, before rule 'tracking_stall' raises "
        "'tracking_stall' (P3) at stall_after = 24h"
    )


def test_a_threshold_conflict_for_one_scope_only(tmp_path: Path) -> None:
    path = tmp_path / "scoped.yaml"
    path.write_text(
        "format: 1\nname: scoped\nextends: default\nparams:\n"
        "  lost_after: {values: {cross_border: 60h}}\n"
    )
    (warning,) = lint_pack(load_pack(path))
    assert warning.msg.startswith("thresholds contradict for scope=cross_border:")
    assert "raises 'tracking_stall' (P2) at stall_escalate_after = 72h" in warning.msg


# --------------------------------------------------------------------------- the command


def test_check_strict_prints_warnings_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(SEVERITIES + rules("final and status == 'in_transit'"), "utf-8")
    status, out, _ = run_cli(["check", str(path)])
    assert status == 0  # without --strict the pack is fine
    status, out, _ = run_cli(["check", "--strict", str(path)])
    assert status == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{path}:8:")
    assert "warning never_fires: rule 'r0' can never fire" in lines[0]
    assert lines[-1] == f"{path}: compiles, but --strict found 1 warning"
    status, out, _ = run_cli(["check", "--strict", "--format", "json", str(path)])
    (report,) = json.loads(out)
    assert report["ok"] is False
    assert report["warnings"][0]["code"] == "never_fires"
    assert report["warnings"][0]["line"] == 8
