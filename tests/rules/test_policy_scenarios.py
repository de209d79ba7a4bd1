"""Scenario files check escalations (issue 13 §2): what passed, when, and to whom."""

from __future__ import annotations

from pathlib import Path

from logix_rules.testing._scenario_files import load_scenarios
from logix_rules.testing._scenario_runs import run_scenarios

HEAD = """\
pack: default
base: 2026-03-02T08:00:00Z
cases:
  - name: a customs hold
    events:
      - {at: +0h, status: exception, reason: customs_hold}
    points:
"""


def _problems(tmp_path: Path, point: str) -> list[str]:
    path = tmp_path / "hold.tests.yaml"
    path.write_text(HEAD + point, "utf-8")
    (result,) = run_scenarios(load_scenarios(path))
    return [p for failure in result.failures for p in failure.problems]


def test_escalations_that_match_pass(tmp_path: Path) -> None:
    point = (
        "      - at: +1h\n"
        "        expect: [{kind: customs_hold, escalations: "
        "[respond, {what: escalate, at: +30m, target: management}]}]\n"
    )
    assert _problems(tmp_path, point) == []


def test_a_wrong_name_time_or_target_is_named(tmp_path: Path) -> None:
    names = "      - {at: +1h, expect: [{kind: customs_hold, escalations: [respond]}]}\n"
    assert _problems(tmp_path, names) == [
        "~ customs_hold: escalations expected respond, got respond, escalate"
    ]
    when = (
        "      - at: +1h\n"
        "        expect: [{kind: customs_hold, escalations: "
        "[respond, {what: escalate, at: +31m, target: department_head}]}]\n"
    )
    assert _problems(tmp_path, when) == [
        "~ customs_hold: escalation escalate expected at +31m (2026-03-02T08:31Z), "
        "got +30m (2026-03-02T08:30Z)",
        "~ customs_hold: escalation escalate expected to department_head, got management",
    ]
