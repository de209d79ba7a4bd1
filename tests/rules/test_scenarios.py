"""Scenario files: the format, the runner, ``logix test``, the pytest plugin, the
default pack's own scenarios (and that they catch a broken copy of the pack), and the
```python and console examples of docs/testing.md."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from logix_rules import load_pack
from logix_rules.cli._main import main
from logix_rules.testing._scenario_files import find_scenario_files, load_scenarios
from logix_rules.testing._scenario_model import ScenarioError
from logix_rules.testing._scenario_runs import run_case, run_scenarios

ROOT = Path(__file__).resolve().parents[2]
PACKS = ROOT / "src" / "logix_rules" / "packs"
DEFAULT_TESTS = PACKS / "default.tests.yaml"
DEFAULT_YAML = (PACKS / "default.yaml").read_text("utf-8")

pytest_plugins = ["pytester"]

PACK = """\
format: 1
name: mini
extends: default
params:
  stall_after: 12h
"""

HEADER = """\
base: 2026-03-02T08:00:00Z
defaults:
  shipment: {tracking_number: T1, carrier: dhl, origin_country: DE, destination_country: DE,
             shipped_at: +0h, promised_at: +10d}
cases:
"""


def write(tmp_path: Path, cases: str, *, name: str = "mini", header: str = HEADER) -> Path:
    (tmp_path / f"{name}.yaml").write_text(PACK, "utf-8")
    path = tmp_path / f"{name}.tests.yaml"
    path.write_text(header + cases, "utf-8")
    return path


STALL_CASE = """\
  - name: stall at 12h
    events:
      - {at: +0h, status: picked_up}
    points:
      - {at: +11h59m, expect: none}
      - at: +12h
        expect: [{kind: tracking_stall, severity: P3, opened_at: +12h}]
"""


# --------------------------------------------------------------------------- the runner


def test_a_passing_file(tmp_path: Path) -> None:
    results = run_scenarios(write(tmp_path, STALL_CASE))
    assert [r.case.name for r in results] == ["stall at 12h"]
    assert all(r.passed for r in results)
    point = results[0].points[1]
    assert [i.kind for i in point.actual] == ["tracking_stall"]


def test_a_failing_point_reports_difference_and_trace(tmp_path: Path) -> None:
    path = write(tmp_path, STALL_CASE)
    (result,) = run_scenarios(path, pack="default")  # 24h stall: the 12h point fails
    assert not result.passed
    (failure,) = result.failures
    assert failure.problems == ("- missing tracking_stall P3",)
    report = result.report()
    assert f"{path}:6: stall at 12h" in report
    assert "at +12h (2026-03-02T20:00Z)" in report
    assert "expected: tracking_stall P3 opened +12h" in report
    assert "actual:   no open incident" in report
    assert "rule trace:" in report
    assert "not due yet: 12h since last_scan < stall_after 24h, due at 2026-03-03T08:00Z" in report


def test_field_differences_are_named(tmp_path: Path) -> None:
    case = """\
  - name: everything differs
    shipment: {freight_cost: 10, currency: EUR, promised_at: +1d}
    events:
      - {at: +0h, status: picked_up}
      - {at: +2h, status: exception, reason: lost}
    at: +2h
    expect:
      - kind: lost
        severity: P2
        remedy: reship_free
        opened_at: +3h
        deadlines: {claim: +3h, documents: +1h}
        amounts: {claim: 1.00, coupon: 2}
        rules: [lost_silence]
"""
    (result,) = run_scenarios(write(tmp_path, case))
    problems = result.failures[0].problems
    assert "~ lost: severity expected P2, got P1" in problems
    assert "~ lost: remedy expected reship_free, got reship_or_refund_and_claim" in problems
    assert any("opened_at expected +3h" in p and "got +2h" in p for p in problems)
    assert any("deadline claim expected +3h" in p and "got +26h" in p for p in problems)
    assert any("deadline documents expected +1h" in p and "has claim" in p for p in problems)
    assert any("amount of claim expected 1.0, got None" in p for p in problems)
    assert any("remedy item coupon expected 2" in p for p in problems)
    assert "~ lost: rules expected lost_silence, got lost_declared" in problems


def test_unexpected_incidents_and_exact_false(tmp_path: Path) -> None:
    case = """\
  - name: strict
    events:
      - {at: +0h, status: picked_up}
      - {at: +1h, status: exception, reason: refused}
    at: +3d
    expect: [tracking_stall]
  - name: lenient
    events:
      - {at: +0h, status: picked_up}
      - {at: +1h, status: exception, reason: refused}
    points:
      - {at: +3d, expect: [tracking_stall], exact: false}
"""
    strict, lenient = run_scenarios(write(tmp_path, case))
    (problem,) = strict.failures[0].problems
    assert problem == "+ unexpected refused P2 opened +1h (2026-03-02T09:00Z) (rules refused)"
    assert lenient.passed


def test_unknown_kind_and_severity_are_reported_against_the_pack(tmp_path: Path) -> None:
    case = """\
  - name: typos
    events: [{at: +0h, status: picked_up}]
    at: +1h
    expect: [tracking_stal, {kind: lost, severity: P7}]
"""
    (result,) = run_scenarios(write(tmp_path, case))
    problems = result.failures[0].problems
    assert (
        "! pack 'mini' raises no kind 'tracking_stal'. Did you mean 'tracking_stall'?" in problems
    )
    assert any("has no severity 'P7'" in p for p in problems)


def test_events_in_any_order_with_duplicates_and_reports(tmp_path: Path) -> None:
    case = """\
  - name: noisy
    events:
      - {at: +2h, status: in_transit}
      - {at: +0h, status: picked_up}
      - {at: +2h, status: in_transit}
      - {at: +3h, status: exception, reason: not_received, source: customer}
    at: +14h
    expect: [{kind: tracking_stall, opened_at: +14h}]
"""
    (result,) = run_scenarios(write(tmp_path, case))
    assert result.passed, result.report()
    assert result.case.events[3].is_report


def test_a_case_without_shipment(tmp_path: Path) -> None:
    case = """\
  - name: no facts
    shipment: null
    tracking_number: X9
    events: [{at: +0h, status: info_received}]
    points: [{at: +24h, expect: [pickup_delay P3]}]
"""
    (result,) = run_scenarios(write(tmp_path, case))
    assert result.passed, result.report()
    assert result.case.shipment is None
    assert result.case.events[0].tracking_number == "X9"


# ---------------------------------------------------------------- format errors, located


@pytest.mark.parametrize(
    ("cases", "message"),
    [
        ("  - name: a\n    evnets: []\n    at: +1h\n    expect: none\n", "unknown key 'evnets'"),
        ("  - name: a\n    at: +1h\n", "a point needs 'expect'"),
        ("  - name: a\n    events: []\n", "has no evaluation point"),
        ("  - name: a\n    at: tomorrow\n    expect: none\n", "'tomorrow' is not a time"),
        ("  - name: a\n    at: +1x\n    expect: none\n", "is not a duration"),
        ("  - name: a\n    at: 2026-03-02T08:00:00\n    expect: none\n", "has no UTC offset"),
        (
            "  - name: a\n    events: [{at: +0h, status: teleported}]\n    at: +1h\n"
            "    expect: none\n",
            "event status",
        ),
        (
            "  - name: a\n    events: [{status: picked_up}]\n    at: +1h\n    expect: none\n",
            "needs 'at'",
        ),
        ("  - name: a\n    at: +1h\n    expect: [{severity: P1}]\n", "needs its 'kind'"),
        (
            "  - name: a\n    at: +1h\n    expect: none\n"
            "  - name: a\n    at: +2h\n    expect: none\n",
            "already used",
        ),
    ],
)
def test_mistakes_are_reported_with_their_line(tmp_path: Path, cases: str, message: str) -> None:
    path = write(tmp_path, cases)
    with pytest.raises(ScenarioError) as info:
        load_scenarios(path)
    issue = next(i for i in info.value.issues if message in i.msg)
    assert issue.file == str(path)
    assert issue.line >= 6, issue  # inside the cases, not the header
    assert "Traceback" not in str(info.value)


def test_relative_times_need_a_base(tmp_path: Path) -> None:
    path = write(tmp_path, "  - name: a\n    at: +1h\n    expect: none\n", header="cases:\n")
    with pytest.raises(ScenarioError) as info:
        load_scenarios(path)
    (issue,) = info.value.issues
    assert "relative time '+1h' needs a base time" in issue.msg
    assert "base:" in issue.hint


def test_every_problem_of_a_file_at_once(tmp_path: Path) -> None:
    cases = (
        "  - name: a\n    at: +1x\n    expect: none\n"
        "  - name: b\n    events: [{at: +0h, status: teleported}]\n    at: +1h\n    expect: none\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenarios(write(tmp_path, cases))
    assert len(info.value.issues) == 2


def test_yaml_syntax_errors_and_empty_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tests.yaml"
    bad.write_text("cases: [\n", "utf-8")
    with pytest.raises(ScenarioError, match=r"bad\.tests\.yaml:\d+:\d+"):
        load_scenarios(bad)
    empty = tmp_path / "empty.tests.yaml"
    empty.write_text("", "utf-8")
    with pytest.raises(ScenarioError, match="empty"):
        load_scenarios(empty)


# ------------------------------------------------------------------------ pack resolution


def test_pack_beside_the_file_by_name_or_by_key(tmp_path: Path) -> None:
    path = write(tmp_path, STALL_CASE)
    assert load_scenarios(path).resolve_pack() == str(tmp_path / "mini.yaml")
    keyed = tmp_path / "other.tests.yaml"
    keyed.write_text("pack: mini.yaml\n" + HEADER + STALL_CASE, "utf-8")
    assert load_scenarios(keyed).resolve_pack() == str(tmp_path / "mini.yaml")
    builtin = tmp_path / "builtin.tests.yaml"
    builtin.write_text("pack: default\n" + HEADER + STALL_CASE, "utf-8")
    assert load_scenarios(builtin).resolve_pack() == "default"
    orphan = tmp_path / "orphan.tests.yaml"
    orphan.write_text(HEADER + STALL_CASE, "utf-8")
    with pytest.raises(ScenarioError, match="no pack to test"):
        load_scenarios(orphan).resolve_pack()


def test_find_scenario_files(tmp_path: Path) -> None:
    path = write(tmp_path, STALL_CASE)
    assert find_scenario_files([str(tmp_path)]) == [path]
    assert find_scenario_files([str(tmp_path / "mini.yaml")]) == [path]
    assert find_scenario_files(["default"])[0].name == "default.tests.yaml"
    with pytest.raises(FileNotFoundError, match="defualt"):
        find_scenario_files(["defualt"])


# ------------------------------------------------------------ the default pack's scenarios


@pytest.fixture(scope="module")
def default_results() -> list[Any]:
    return run_scenarios(DEFAULT_TESTS)


def test_the_default_scenarios_pass(default_results: list[Any]) -> None:
    failed = [r.report() for r in default_results if not r.passed]
    assert not failed, "\n\n".join(failed)
    assert len(default_results) >= 40


def test_the_default_scenarios_cover_every_rule(default_results: list[Any]) -> None:
    fired = {
        rule
        for result in default_results
        for point in result.points
        for incident in point.actual
        if incident.kind in {e.kind for e in point.point.expect}
        for rule in incident.rules
    }
    assert fired == {rule.id for rule in load_pack("default").rules}


def test_every_time_rule_is_checked_at_its_boundary(default_results: list[Any]) -> None:
    """Exactly at the threshold the rule holds; one minute before it does not."""
    pack = load_pack("default")
    minute = timedelta(minutes=1)
    for rule in (r for r in pack.rules if r.timed):
        covered = False
        for result in default_results:
            by_time = {p.point.at: p for p in result.points}
            for point in result.points:
                opening = [
                    i for i in point.actual if rule.id in i.rules and i.opened_at == point.point.at
                ]
                before = by_time.get(point.point.at - minute)
                if opening and before is not None:
                    covered |= all(rule.id not in i.rules for i in before.actual)
        assert covered, f"no boundary case for time rule {rule.id}"


def _broken(old: str, new: str) -> str:
    assert DEFAULT_YAML.count(old) == 1, old
    return DEFAULT_YAML.replace(old, new)


STALL_24H = "stall_after:\n    type: duration\n    default: 24h"
GRACE_24H = "sla_grace:\n    type: duration\n    default: 24h"
HOLD_P1 = "reason in ('customs_hold', 'payment_required')\n    severity: P1"
ATTEMPT_P2 = "seen(status='attempt_failed', report=False) and not final\n    severity: P2"
BREAKS = {
    "stall threshold an hour late": (STALL_24H, STALL_24H.replace("24h", "25h")),
    "stall threshold an hour early": (STALL_24H, STALL_24H.replace("24h", "23h")),
    "cross-border lost an hour late": ("{cross_border: 10d}", "{cross_border: 10d1h}"),
    "customs in Brazil an hour early": ("{BR: 96h, IN: 72h}", "{BR: 95h, IN: 72h}"),
    "customs hold only P2": (HOLD_P1, HOLD_P1.replace("P1", "P2")),
    "failed attempt only P3": (ATTEMPT_P2, ATTEMPT_P2.replace("P2", "P3")),
    "SLA grace an hour late": (GRACE_24H, GRACE_24H.replace("24h", "25h")),
}


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_the_default_scenarios_catch_a_broken_copy(tmp_path: Path, name: str) -> None:
    old, new = BREAKS[name]
    (tmp_path / "broken.yaml").write_text(_broken(old, new), "utf-8")
    tests = tmp_path / "broken.tests.yaml"
    tests.write_text(DEFAULT_TESTS.read_text("utf-8"), "utf-8")
    results = run_scenarios(tests)
    assert any(not r.passed for r in results), f"the scenarios did not notice: {name}"


# ------------------------------------------------------------------------------ logix test


def run_cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(args)
    return status, out.getvalue(), err.getvalue()


def test_logix_test_default_passes() -> None:
    status, out, _ = run_cli(["test", "default"])
    assert status == 0
    assert re.search(r"default\.tests\.yaml: \d+ cases against pack 'default', all passed", out)


def test_logix_test_prints_failures_and_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, STALL_CASE)
    status, out, _ = run_cli(["test", str(path), "--pack", "default", "-v"])
    assert status == 1
    assert out.startswith("FAIL ")
    assert "- missing tracking_stall P3" in out
    assert "waiting   tracking_stall  not due yet" in out
    assert "0 of 1 case passed" in out


def test_logix_test_selects_and_lists_cases(tmp_path: Path) -> None:
    path = write(tmp_path, STALL_CASE + STALL_CASE.replace("stall at 12h", "another"))
    status, out, _ = run_cli(["test", str(tmp_path), "-v", "-k", "another"])
    assert status == 0
    assert "PASS" in out
    assert "another" in out
    assert "stall at 12h" not in out
    assert "1 of 1 case passed" in out
    status, out, _ = run_cli(["test", str(path.with_name("mini.yaml"))])
    assert status == 0
    assert "2 of 2 cases passed" in out


def test_logix_test_reports_bad_files_and_paths(tmp_path: Path) -> None:
    path = write(tmp_path, "  - name: a\n    at: +1x\n    expect: none\n")
    status, out, _ = run_cli(["test", str(path)])
    assert status == 1
    assert "ERROR" in out
    assert "the scenario file cannot be used" in out
    assert re.search(r"mini\.tests\.yaml:7:9: .*is not a duration", out)
    status, _, err = run_cli(["test", str(tmp_path / "nothing.tests.yaml")])
    assert status == 2
    assert "no scenario file" in err
    assert "Traceback" not in err
    (tmp_path / "mini.yaml").write_text("format: 1\nname: mini\nrules: [\n", "utf-8")
    write_only = tmp_path / "mini.tests.yaml"
    write_only.write_text(HEADER + STALL_CASE, "utf-8")
    status, out, _ = run_cli(["test", str(write_only)])
    assert status == 1
    assert "its pack does not compile" in out


# ----------------------------------------------------------------------------- the plugin


def test_the_pytest_plugin_collects_and_runs_cases(pytester: pytest.Pytester) -> None:
    (pytester.path / "mini.yaml").write_text(PACK, "utf-8")
    good = STALL_CASE
    bad = STALL_CASE.replace("stall at 12h", "wrong on purpose").replace(
        "severity: P3, opened_at: +12h", "severity: P1, opened_at: +12h"
    )
    (pytester.path / "mini.tests.yaml").write_text(HEADER + good + bad, "utf-8")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*wrong on purpose*", "*~ tracking_stall: severity expected P1, got P3*", "*rule trace:*"]
    )
    assert "Traceback" not in result.stdout.str()


def test_the_pytest_plugin_reports_a_broken_file(pytester: pytest.Pytester) -> None:
    (pytester.path / "mini.yaml").write_text(PACK, "utf-8")
    (pytester.path / "mini.tests.yaml").write_text(HEADER + "  - name: a\n    at: +1x\n", "utf-8")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*is not a duration*"])
    assert result.ret != 0


def test_the_plugin_can_be_turned_off(pytester: pytest.Pytester) -> None:
    (pytester.path / "mini.yaml").write_text(PACK, "utf-8")
    (pytester.path / "mini.tests.yaml").write_text(HEADER + STALL_CASE, "utf-8")
    result = pytester.runpytest("-p", "no:logix", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


# ------------------------------------------------------------------------ the docs page

FILE_BLOCK = re.compile(r"<!-- file: (\S+) -->\n```yaml\n(.*?)^```", re.DOTALL | re.MULTILINE)
BLOCK = re.compile(r"^```(python|console)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def run_doc_page(
    page: Path, workdir: Path, *, before: Callable[[dict[str, Any]], None] | None = None
) -> None:
    """Run a docs page like a reader: write its files, then run its ```python blocks
    and ``$ logix ...`` console commands in order, in ``workdir``; a console block's
    other lines must appear in the command's output."""
    text = page.read_text("utf-8")
    for match in FILE_BLOCK.finditer(text):
        (workdir / match.group(1)).write_text(match.group(2), "utf-8")
    namespace: dict[str, Any] = {"__name__": f"docs_{page.stem}"}
    if before is not None:
        before(namespace)
    for number, match in enumerate(BLOCK.finditer(text), 1):
        kind, body = match.groups()
        if kind == "python":
            with contextlib.chdir(workdir):
                exec(compile(body, f"{page.name} block {number}", "exec"), namespace)
            continue
        lines = body.splitlines()
        command = lines[0]
        assert command.startswith("$ logix "), command
        with contextlib.chdir(workdir):
            _, out, err = run_cli(shlex.split(command)[2:])
        produced = (out + err).splitlines()
        for expected in lines[1:]:
            if expected.strip():
                assert expected.rstrip() in produced, (
                    f"{page.name} block {number}: {expected!r} not in the output of "
                    f"{command!r}:\n{out}{err}"
                )


@pytest.mark.slow
def test_docs_testing_page_runs(tmp_path: Path) -> None:
    run_doc_page(ROOT / "docs" / "testing.md", tmp_path)


def test_run_case_can_skip_the_trace(tmp_path: Path) -> None:
    scenarios = load_scenarios(write(tmp_path, STALL_CASE))
    result = run_case(scenarios.cases[0], load_pack("default"), trace=False)
    assert not result.passed
    assert result.failures[0].explanation is None
