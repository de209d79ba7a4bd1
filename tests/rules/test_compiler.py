"""The rule-pack compiler: every problem reported at once, located, coded and explained.

Problems are asserted by where they point: ``at="stauts"`` means the issue's line and
column are those of the first ``stauts`` in the pack text, so a wrong column fails the
test without anybody counting characters.
"""

from __future__ import annotations

import linecache
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from logix_rules import ErrorCode, PackError, PackIssue, evaluate, load_pack, loads_pack
from logix_rules.compiler._load import STAGES

LEVELS = """\
format: 1
name: shop
severities:
  P1: {respond: 5m, resolve: 2h, escalate_after: 30m}
  P2: {respond: 15m, resolve: 8h, escalate_after: 2h}
  P3: {respond: 30m, resolve: 24h, escalate_after: 48h}
"""

#: Codes of problems with the input data or the engine, not with a pack.
RUNTIME_CODES = {
    ErrorCode.INVALID_EVENT,
    ErrorCode.INVALID_SHIPMENT,
    ErrorCode.UNKNOWN_INCIDENT,
    ErrorCode.BAD_STATE,
    ErrorCode.UNKNOWN_ACTION,  # Engine.record: tests/rules/test_policy_deadlines.py
    ErrorCode.BAD_CAUSE,
}
#: Codes of files other rooms read (not packs), tested where they are raised.
OTHER_FILE_CODES = {ErrorCode.BAD_LEXICON}  # tests/intake/test_intake_lexicon_files.py
#: Codes of other rooms, tested where they are raised (tests/store, tests/messages).
OTHER_ROOM_CODES = {
    ErrorCode.BAD_STORE_URL,
    ErrorCode.STORE_UNAVAILABLE,
    ErrorCode.SCHEMA_TOO_NEW,
    ErrorCode.PURGE_TOO_RECENT,
    ErrorCode.BAD_FEED_COMMIT,
    ErrorCode.BAD_MESSAGE_OPTION,
    ErrorCode.NO_TEMPLATE,
    ErrorCode.BAD_TEMPLATE,
    ErrorCode.NOT_CLAIMABLE,  # tests/intake/test_claims.py
    ErrorCode.BAD_REVIEW_PERIOD,  # tests/review
    ErrorCode.REVIEW_EXTRA_MISSING,
    ErrorCode.BAD_SERVICE_SETTING,  # tests/service
    ErrorCode.UNSAFE_SERVICE,
    ErrorCode.BAD_USER,
}
COMPILER_CODES = set(ErrorCode) - RUNTIME_CODES - OTHER_FILE_CODES - OTHER_ROOM_CODES


def rule(when: str = "True", **extra: str) -> str:
    """A pack with one rule ``r``; ``extra`` lines are added to the rule verbatim."""
    lines = [LEVELS, "rules:\n", "  - id: r\n", "    kind: k\n", f'    when: "{when}"\n']
    lines.append(f"    severity: {extra.pop('severity', 'P1')}\n")
    lines.extend(f"    {key}: {value}\n" for key, value in extra.items())
    return "".join(lines)


def problems(text: str, file: str = "pack.yaml") -> list[PackIssue]:
    with pytest.raises(PackError) as caught:
        loads_pack(text, file=file)
    return caught.value.issues


def position(text: str, snippet: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the n-th occurrence of ``snippet`` in ``text``."""
    index = -1
    for _ in range(occurrence):
        index = text.index(snippet, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def only(issues: list[PackIssue]) -> PackIssue:
    assert len(issues) == 1, "\n".join(map(str, issues))
    return issues[0]


# -- all at once --------------------------------------------------------------------------
THREE_MISTAKES = """\
format: 1
name: shop
params:
  stall_after:
    type: duration
    default: 24x
severities:
  P1: {respond: 5m, resolve: 2h, escalate_after: 30m}
rules:
  - id: stall
    kind: tracking_stall
    when: stauts == 'in_transit'
    anchor: last_scan
    after: stall_after
    severity: P1
  - id: held
    kind: customs_hold
    when: status == 'exception'
    severity: P1
    colour: red
"""


def test_three_mistakes_are_reported_together_sorted_and_located() -> None:
    with pytest.raises(PackError) as caught:
        loads_pack(THREE_MISTAKES, file="shop.yaml")
    error = caught.value
    duration, name, key = error.issues
    assert [i.code for i in error.issues] == [
        ErrorCode.BAD_DURATION,
        ErrorCode.UNKNOWN_NAME,
        ErrorCode.UNKNOWN_KEY,
    ]
    assert {i.file for i in error.issues} == {"shop.yaml"}

    assert (duration.line, duration.column) == position(THREE_MISTAKES, "24x")
    assert duration.rule_id is None
    assert duration.loc == ("params", "stall_after", "default")
    assert duration.input == "24x"
    assert "'24h'" in duration.msg  # says how to write one

    assert (name.line, name.column) == position(THREE_MISTAKES, "stauts")
    assert name.rule_id == "stall"
    assert name.loc == ("rules", 0, "when")
    assert name.input == "stauts"
    assert name.msg == "unknown name 'stauts'. Did you mean 'status'?"
    assert "last_scan" in name.hint  # lists the names

    # An unknown key is pointed at where the key itself is written.
    assert (key.line, key.column) == position(THREE_MISTAKES, "colour")
    assert key.rule_id == "held"
    assert key.loc == ("rules", 1, "colour")
    assert "unknown key 'colour' in a rule" in key.msg
    assert "when" in key.hint

    assert [(i.line, i.column) for i in error.issues] == sorted(
        (i.line, i.column) for i in error.issues
    )
    assert str(error).splitlines()[0] == "3 problems in rule pack"
    assert str(error).splitlines()[2] == f"  {name}"


def test_issues_are_sorted_by_file_line_column_whatever_stage_found_them(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(
        LEVELS + "params:\n  wait: {type: duration, default: 24x}\n"
    )
    child = tmp_path / "child.yaml"
    child.write_text(
        "format: 1\nname: child\nextends: base.yaml\nrules:\n"
        "  - id: r\n    kind: k\n    when: stauts == 'x'\n    severity: P9\n"
    )
    with pytest.raises(PackError) as caught:
        load_pack(child)
    keys = [issue.sort_key() for issue in caught.value.issues]
    assert keys == sorted(keys)
    assert [Path(i.file).name for i in caught.value.issues] == [
        "base.yaml",
        "child.yaml",
        "child.yaml",
    ]


def test_str_of_an_issue_is_the_check_line() -> None:
    issue = PackIssue(
        ErrorCode.UNKNOWN_NAME,
        "unknown name 'stauts'. Did you mean 'status'?",
        file="shop.yaml",
        line=12,
        column=11,
        rule_id="stall",
        hint="Names: status, stage.",
    )
    assert str(issue) == (
        "shop.yaml:12:11: unknown_name: unknown name 'stauts'. Did you mean 'status'? "
        "(rule stall) Names: status, stage."
    )
    bare = PackIssue(ErrorCode.UNKNOWN_PACK, "no pack file 'x'.", file="x")
    assert str(bare) == "x: unknown_pack: no pack file 'x'."
    assert issue.to_dict()["code"] == "unknown_name"
    assert issue.to_dict()["line"] == 12


def test_the_stages_run_in_the_documented_order() -> None:
    assert [name for name, _ in STAGES] == ["parse", "validate", "resolve", "typecheck", "compile"]


def test_the_default_pack_compiles() -> None:
    pack = load_pack("default")
    assert pack is load_pack("default")  # compiled once per process
    assert len(pack.rules) >= 13


# -- every compiler code, from pack text ----------------------------------------------------
# (code, pack text, where the issue points, the rule id, a fragment of the message)
TEXT_CASES: list[tuple[ErrorCode, str, str, str | None, str]] = [
    (
        ErrorCode.YAML_SYNTAX,
        LEVELS + "rules:\n  - id: r\n    kind: k\n    when: [status\n    severity: P1\n",
        ": P1\n",
        None,
        "expected ',' or ']'",
    ),
    (
        ErrorCode.UNKNOWN_KEY,
        LEVELS.replace("name: shop", "name: shop\nnmae: shop2"),
        "nmae",
        None,
        "unknown key 'nmae' in a pack. Did you mean 'name'?",
    ),
    (
        ErrorCode.MISSING_KEY,
        LEVELS.replace("name: shop\n", ""),
        "format",
        None,
        "a pack needs a 'name'",
    ),
    (
        ErrorCode.MISSING_KEY,
        LEVELS + 'rules:\n  - id: r\n    kind: k\n    when: "True"\n',
        "id: r",
        "r",
        "rule without 'severity'",
    ),
    (
        ErrorCode.MISSING_KEY,
        rule(after="24h"),
        "24h\n",
        "r",
        "'after' needs an 'anchor'",
    ),
    (
        ErrorCode.WRONG_TYPE,
        LEVELS + "rules:\n  r: {kind: k}\n",
        "r: {",
        None,
        "'rules' must be a list",
    ),
    (
        ErrorCode.BAD_DURATION,
        rule(anchor="last_scan", after="24"),
        "24\n",
        "r",
        "durations need a unit",
    ),
    (
        ErrorCode.WRONG_TYPE,
        rule(anchor="last_scan", after="[24h]"),
        "[24h]",
        "r",
        "expected an expression string",
    ),
    (
        ErrorCode.BAD_IDENTIFIER,
        LEVELS + "rules:\n  - id: Stall-1\n    kind: k\n    severity: P1\n",
        "Stall-1",
        "Stall-1",
        "must be snake_case",
    ),
    (ErrorCode.UNSUPPORTED_FORMAT, LEVELS.replace("format: 1", "format: 2"), "2", None, "format 2"),
    (
        ErrorCode.DUPLICATE_RULE,
        LEVELS + "rules:\n  - {id: a, kind: k, severity: P1}\n  - {id: a, kind: j, severity: P1}\n",
        "a, kind: j",
        "a",
        "already used by rules[0]",
    ),
    (
        ErrorCode.BAD_PARAM,
        LEVELS + "params:\n  wait: {type: durashun, default: 24h}\n",
        "durashun",
        None,
        "Did you mean 'duration'?",
    ),
    (
        ErrorCode.BAD_PARAM,
        LEVELS
        + "params:\n  wait: {type: duration, default: 1d, by: destination_country,\n"
        + "         values: {BRA: 2d}}\n",
        "2d",
        None,
        "'BRA' is not an ISO-3166 alpha-2 country code",
    ),
    (
        ErrorCode.BAD_PARAM,
        LEVELS + "params:\n  rate: {type: percent, default: 5 percent}\n",
        "5 percent",
        None,
        "not a percentage",
    ),
    (
        ErrorCode.MONEY_WITHOUT_CURRENCY,
        LEVELS + "params:\n  big: {type: money, default: 500}\n",
        "{type: money",
        None,
        "has no currency",
    ),
    (
        ErrorCode.UNKNOWN_CURRENCY,
        LEVELS + "params:\n  big: {type: money, default: 500 RMB}\n",
        "{type: money",
        None,
        "'RMB' is not an ISO 4217 currency code",
    ),
    (
        ErrorCode.MISSING_FX_RATE,
        LEVELS
        + "params:\n  base_currency: {type: string, default: CNY}\n"
        + "  big: {type: money, default: 70 USD}\n",
        "{type: money",
        None,
        "fx_rates has no rate for USD",
    ),
    (
        ErrorCode.BAD_REMEDY,
        rule(remedy="{code: c, items: [{code: x, bearer: courier}]}"),
        "courier",
        "r",
        "bearer 'courier' is not one of merchant, carrier, insurer",
    ),
    (
        ErrorCode.BAD_DURATION,
        LEVELS + "params:\n  wait: {type: duration, default: 24x}\n",
        "24x",
        None,
        "'24x' is not a duration",
    ),
    (
        ErrorCode.BAD_DURATION,
        LEVELS.replace("respond: 5m", "respond: 5 mins"),
        "5 mins",
        None,
        "'5 mins' is not a duration",
    ),
    (
        ErrorCode.BAD_DURATION,
        rule("duration('3x') > duration('1h')"),
        "'3x'",
        "r",
        "'3x' is not a duration",
    ),
    (ErrorCode.UNKNOWN_SEVERITY, rule(severity="P4"), "P4", "r", "unknown severity 'P4'"),
    (
        ErrorCode.UNKNOWN_RULE,
        "format: 1\nname: shop\nextends: default\ndisable: [tracking_stal]\n",
        "tracking_stal",
        None,
        "Did you mean 'tracking_stall'?",
    ),
    (
        ErrorCode.STEP_ORDER,
        rule(anchor="last_scan", after="72h", steps="[{after: 24h, severity: P2}]"),
        "24h, severity: P2",
        "r",
        "step 1 comes at 1d, not after the previous rung at 3d",
    ),
    (ErrorCode.EXPR_SYNTAX, rule("status =="), "status", "r", "invalid expression"),
    (
        ErrorCode.FORBIDDEN_SYNTAX,
        rule("status.__class__ == 'x'"),
        "status.",
        "r",
        "attribute access is only allowed on event, params, shipment",
    ),
    (
        ErrorCode.UNKNOWN_NAME,
        rule("stauts == 'delivered'"),
        "stauts",
        "r",
        "Did you mean 'status'?",
    ),
    (
        ErrorCode.UNKNOWN_FIELD,
        rule("shipment.promise_at is None"),
        "shipment.",
        "r",
        "Did you mean 'promised_at'?",
    ),
    (ErrorCode.UNKNOWN_FUNCTION, rule("open('x') is None"), "open", "r", "unknown function 'open'"),
    (ErrorCode.BAD_ARGUMENTS, rule("count() > 1"), "count", "r", "needs at least one filter"),
    (
        ErrorCode.UNKNOWN_VALUE,
        rule("stage == 'custom'"),
        "'custom'",
        "r",
        "Did you mean 'customs'?",
    ),
    (
        ErrorCode.TYPE_MISMATCH,
        rule("status == 3"),
        "status ==",
        "r",
        "cannot compare status or None with number",
    ),
    (
        ErrorCode.NOW_IN_CONDITION,
        rule("now > last_scan"),
        "now",
        "r",
        "'now' cannot appear in a condition",
    ),
    (
        ErrorCode.YAML_TOO_COMPLEX,
        LEVELS + "rules: &rules\n  - *rules\n",
        "*rules\n",
        None,
        "an alias refers to a collection that contains it",
    ),
    (
        ErrorCode.EXPR_TOO_COMPLEX,
        rule("not " * 60 + "final"),
        "not " * 10 + "final",  # the 51st level
        "r",
        "nests more than 50 levels deep",
    ),
    (
        ErrorCode.OUT_OF_RANGE,
        rule("shipment.freight_cost > 1e309"),
        "1e309",
        "r",
        "inf is not a finite number",
    ),
    (
        ErrorCode.UNKNOWN_KIND,
        rule(supersedes="[kk]"),
        "kk",
        "r",
        "no rule of the pack raises the kind 'kk'. Did you mean 'k'?",
    ),
    (
        ErrorCode.SUPERSESSION_CYCLE,
        rule() + "supersessions:\n  k: [k]\n",
        "[k]",
        None,
        "kinds supersede each other in a circle: k -> k",
    ),
    (
        ErrorCode.ACTION_CONFLICT,
        LEVELS
        + "rules:\n  - id: r\n    kind: k\n    severity: P1\n"
        + "    deadlines: {claim: {within: 1h, action: claim_filed}}\n"
        + "  - id: s\n    kind: j\n    severity: P1\n"
        + "    deadlines: {claim: {within: 2h, action: filed}}\n",
        "{within: 2h",
        "s",
        "deadline 'claim' is met by 'filed' here and by 'claim_filed' in rule 'r'",
    ),
]


@pytest.mark.parametrize(
    ("code", "text", "at", "rule_id", "fragment"),
    TEXT_CASES,
    ids=[f"{case[0].value}-{n}" for n, case in enumerate(TEXT_CASES)],
)
def test_each_mistake_gives_its_code_location_and_message(
    code: ErrorCode, text: str, at: str, rule_id: str | None, fragment: str
) -> None:
    issue = only(problems(text))
    assert issue.code is code, str(issue)
    assert issue.file == "pack.yaml"
    assert (issue.line, issue.column) == position(text, at), str(issue)
    assert issue.rule_id == rule_id
    assert fragment in issue.msg


#: Codes that need pack files (a base pack, a cycle, a missing file): tests below.
FILE_CODES = {
    ErrorCode.FILE_NOT_FOUND,
    ErrorCode.UNKNOWN_PACK,
    ErrorCode.EXTENDS_CYCLE,
    ErrorCode.PARAM_TYPE_CHANGED,
    # the limits on files and what extends may read: tests/rules/test_hardening_compiler.py
    ErrorCode.NOT_A_PACK,
    ErrorCode.PACK_TOO_LARGE,
}


def test_every_compiler_code_is_produced_by_a_test() -> None:
    assert {case[0] for case in TEXT_CASES} | FILE_CODES == COMPILER_CODES


def test_a_key_twice_in_one_mapping_is_a_yaml_error() -> None:
    text = rule("status == 'delivered'") + "    when: stage == 'customs'\n"
    issue = only(problems(text))
    assert issue.code is ErrorCode.YAML_SYNTAX
    assert (issue.line, issue.column) == position(text, "when", 2)
    assert "'when' appears twice" in issue.msg


def test_an_empty_pack_is_reported() -> None:
    issue = only(problems("", file="empty.yaml"))
    assert issue.code is ErrorCode.MISSING_KEY
    assert issue.file == "empty.yaml"
    assert issue.msg == "the pack is empty"
    assert "format: 1" in issue.hint
    listed = only(problems("- a\n- b\n", file="list.yaml"))
    assert listed.code is ErrorCode.WRONG_TYPE
    assert "must be a mapping" in listed.msg


# -- forbidden syntax -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("when", "code"),
    [
        ("status.__class__ == 'str'", ErrorCode.FORBIDDEN_SYNTAX),
        ("shipment.__class__ is None", ErrorCode.UNKNOWN_FIELD),
        ("params.__dict__ is None", ErrorCode.UNKNOWN_FIELD),
        ("(lambda: True)()", ErrorCode.FORBIDDEN_SYNTAX),
        ("lambda: True", ErrorCode.FORBIDDEN_SYNTAX),
        ("status[0] == 'd'", ErrorCode.FORBIDDEN_SYNTAX),
        ("[s for s in ('a', 'b')] == 1", ErrorCode.FORBIDDEN_SYNTAX),
        ("any(s for s in ('a',))", ErrorCode.UNKNOWN_FUNCTION),
        ("{'a': 1} == 1", ErrorCode.FORBIDDEN_SYNTAX),
        ("f'{status}' == 'x'", ErrorCode.FORBIDDEN_SYNTAX),
        ("2 ** 3 > 1", ErrorCode.FORBIDDEN_SYNTAX),
        ("(x := 1) > 0", ErrorCode.FORBIDDEN_SYNTAX),
        ("open('x') is None", ErrorCode.UNKNOWN_FUNCTION),
        ("__import__('os') is None", ErrorCode.UNKNOWN_FUNCTION),
        ("eval('1') == 1", ErrorCode.UNKNOWN_FUNCTION),
        ("shipment.carrier.upper() == 'DHL'", ErrorCode.FORBIDDEN_SYNTAX),
        ("status is 'delivered'", ErrorCode.FORBIDDEN_SYNTAX),
        ("status in (reason, 'x')", ErrorCode.FORBIDDEN_SYNTAX),
    ],
)
def test_anything_outside_the_language_is_refused(when: str, code: ErrorCode) -> None:
    issue = only(problems(rule(when.replace('"', "'"))))
    assert issue.code is code, str(issue)
    assert issue.rule_id == "r"


def test_import_is_not_an_expression() -> None:
    issue = only(problems(rule("import os")))
    assert issue.code is ErrorCode.EXPR_SYNTAX


# -- now ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "extra",
    [
        {"anchor": "now"},
        {"anchor": "last_scan", "after": "now - last_scan"},
        {"deadlines": "{claim: now - last_scan}"},
    ],
)
def test_now_is_refused_wherever_it_would_move_a_due_time(extra: dict[str, str]) -> None:
    issue = only(problems(rule(**extra)))
    assert issue.code is ErrorCode.NOW_IN_CONDITION


def test_now_is_allowed_in_amounts_and_explanations() -> None:
    text = rule(
        "delivered_at is None",
        anchor="shipment.promised_at",
        remedy="{code: c, items: [{code: late, amount: 'as_days(now - shipment.promised_at)'}]}",
        explain='"Late by {now - shipment.promised_at}."',
    )
    pack = loads_pack(text)
    shipment = {
        "tracking_number": "T1",
        "carrier": "dhl",
        "promised_at": "2026-03-01T00:00:00Z",
        "currency": "EUR",
    }
    event = {
        "tracking_number": "T1",
        "carrier": "dhl",
        "status": "in_transit",
        "occurred_at": "2026-02-28T00:00:00Z",
    }
    (incident,) = evaluate(pack, [event], at=datetime(2026, 3, 2, tzinfo=UTC), shipment=shipment)
    # The incident opened at the promise; `now` is when it is reported (here `at`).
    assert incident.opened_at == datetime(2026, 3, 1, tzinfo=UTC)
    assert incident.explanation == "Late by 1d."
    assert incident.remedy is not None
    assert str(incident.remedy.items[0].amount) == "1.00"


# -- pack files and extends ------------------------------------------------------------------
def test_a_missing_pack_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    issue = only(_load_problems(missing))
    assert issue.code is ErrorCode.FILE_NOT_FOUND
    assert issue.file == str(missing)


def test_an_unknown_pack_name_suggests_the_builtin_one() -> None:
    issue = only(_load_problems("defualt"))
    assert issue.code is ErrorCode.UNKNOWN_PACK
    assert "Did you mean 'default'?" in issue.msg


def test_a_missing_base_pack_is_located_at_extends(tmp_path: Path) -> None:
    text = "format: 1\nname: shop\nextends: base.yaml\n"
    (tmp_path / "shop.yaml").write_text(text)
    issue = only(_load_problems(tmp_path / "shop.yaml"))
    assert issue.code is ErrorCode.FILE_NOT_FOUND
    assert (issue.line, issue.column) == position(text, "base.yaml")
    assert issue.input == "base.yaml"


def test_packs_extending_each_other_in_a_cycle(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("format: 1\nname: a\nextends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("format: 1\nname: b\nextends: a.yaml\n")
    issue = only(_load_problems(tmp_path / "a.yaml"))
    assert issue.code is ErrorCode.EXTENDS_CYCLE
    assert Path(issue.file).name == "b.yaml"
    assert issue.line == 3
    assert "a.yaml -> " in issue.msg


def test_a_pack_extending_itself(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("format: 1\nname: a\nextends: a.yaml\n")
    assert only(_load_problems(tmp_path / "a.yaml")).code is ErrorCode.EXTENDS_CYCLE


def _load_problems(ref: str | Path) -> list[PackIssue]:
    with pytest.raises(PackError) as caught:
        load_pack(ref)
    return caught.value.issues


BASE = (
    LEVELS
    + """\
params:
  hold_limit:
    type: duration
    default: 48h
    by: destination_country
    values: {BR: 96h, IN: 72h}
    doc: Longest expected customs clearance.
  stall_after: {type: duration, default: 24h}
rules:
  - id: held
    kind: customs_hold
    when: stage == 'customs'
    anchor: stage_entered
    after: hold_limit
    severity: P1
  - id: stall
    kind: tracking_stall
    when: not final
    anchor: last_scan
    after: stall_after
    severity: P3
  - id: refused
    kind: refused
    when: seen(reason='refused')
    severity: P2
"""
)


def _customs_incidents(pack: Any, destination: str, hours: int) -> list[str]:
    """Kinds open after ``hours`` in customs on a DE -> ``destination`` parcel."""
    event = {
        "tracking_number": "P1",
        "carrier": "dhl",
        "status": "customs",
        "occurred_at": "2026-03-01T00:00:00Z",
    }
    shipment = {
        "tracking_number": "P1",
        "carrier": "dhl",
        "origin_country": "DE",
        "destination_country": destination,
    }
    at = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=hours)
    return [
        i.kind
        for i in evaluate(pack, [event], at=at, shipment=shipment)
        if i.kind == "customs_hold"
    ]


def test_a_child_pack_overrides_a_per_country_param(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    child = tmp_path / "child.yaml"
    child.write_text(
        "format: 1\nname: child\nextends: base.yaml\nparams:\n"
        "  hold_limit:\n    values: {BR: 120h, MX: 24h}\n"
    )
    pack = load_pack(child)
    param = pack.params["hold_limit"]
    # values are merged: BR changed, IN kept, MX added; default, type, by, doc kept
    assert {k: param.display(v) for k, v in param.values.items()} == {
        "BR": "5d",
        "IN": "3d",
        "MX": "1d",
    }
    assert param.display(param.default) == "2d"
    assert param.by == ("destination_country",)
    assert param.doc == "Longest expected customs clearance."
    assert pack.extends == (str(tmp_path / "base.yaml"),)
    assert pack.name == "child"
    # and the rules of the base pack use the new figures
    assert _customs_incidents(pack, "BR", 100) == []
    assert _customs_incidents(pack, "BR", 120) == ["customs_hold"]
    assert _customs_incidents(pack, "MX", 24) == ["customs_hold"]
    assert _customs_incidents(pack, "IN", 71) == []
    assert _customs_incidents(pack, "FR", 48) == ["customs_hold"]


def test_a_bare_value_overrides_the_default_and_keeps_the_values(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    child = tmp_path / "child.yaml"
    child.write_text("format: 1\nname: child\nextends: base.yaml\nparams:\n  hold_limit: 36h\n")
    param = load_pack(child).params["hold_limit"]
    assert param.display(param.default) == "1d12h"
    assert set(param.values) == {"BR", "IN"}


def test_a_child_cannot_change_the_selector_of_a_param(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    text = (
        "format: 1\nname: child\nextends: base.yaml\n"
        "params:\n  hold_limit:\n    by: origin_country\n"
    )
    (tmp_path / "child.yaml").write_text(text)
    issues = [i for i in _load_problems(tmp_path / "child.yaml") if i.file.endswith("child.yaml")]
    issue = only(issues)
    assert issue.code is ErrorCode.PARAM_TYPE_CHANGED
    assert (issue.line, issue.column) == position(text, "origin_country")


def test_a_refused_override_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    text = "format: 1\nname: child\nextends: base.yaml\nparams:\n  hold_limit: {type: number}\n"
    (tmp_path / "child.yaml").write_text(text)
    issue = only(_load_problems(tmp_path / "child.yaml"))
    assert issue.code is ErrorCode.PARAM_TYPE_CHANGED


def test_a_new_param_in_a_child_needs_a_type(tmp_path: Path) -> None:
    issue = only(problems("format: 1\nname: child\nextends: default\nparams:\n  hold: 3\n"))
    assert issue.code is ErrorCode.BAD_PARAM
    assert "needs a 'type' and a 'default'" in issue.msg


def test_disable_drops_base_rules() -> None:
    base = load_pack("default")
    pack = loads_pack(
        "format: 1\nname: quiet\nextends: default\ndisable: [tracking_anomaly, refused]\n"
    )
    assert [r.id for r in pack.rules] == [
        r.id for r in base.rules if r.id not in ("tracking_anomaly", "refused")
    ]
    assert "tracking_anomaly" not in pack.kinds
    assert "refused" not in pack.kinds
    assert "tracking_anomaly" in base.kinds  # the cached built-in pack is untouched


def test_disable_names_only_rules_of_base_packs() -> None:
    text = LEVELS + "rules:\n  - {id: a, kind: k, severity: P1}\ndisable: [a]\n"
    issue = only(problems(text))
    assert issue.code is ErrorCode.UNKNOWN_RULE
    assert (issue.line, issue.column) == position(text, "a]")


def test_a_rule_with_a_base_rule_id_replaces_it_in_place(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    child = tmp_path / "child.yaml"
    child.write_text(
        "format: 1\nname: child\nextends: base.yaml\nrules:\n"
        "  - id: stall\n    kind: tracking_stall\n    when: not final\n"
        "    anchor: last_scan\n    after: 6h\n    severity: P2\n"
        "  - id: extra\n    kind: lost\n    when: seen(reason='lost')\n    severity: P1\n"
    )
    pack = load_pack(child)
    assert [r.id for r in pack.rules] == ["held", "stall", "refused", "extra"]
    stall = pack.rule("stall")
    assert stall.file == str(child)
    assert stall.line == 5
    assert stall.steps[0].severity == "P2"
    event = {
        "tracking_number": "P2",
        "carrier": "dhl",
        "status": "in_transit",
        "occurred_at": "2026-03-01T00:00:00Z",
    }
    (incident,) = evaluate(pack, [event], at=datetime(2026, 3, 1, 6, tzinfo=UTC))
    assert (incident.kind, incident.severity, incident.opened_at.hour) == (
        "tracking_stall",
        "P2",
        6,
    )


def test_a_child_adds_and_redefines_severity_levels(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE)
    child = tmp_path / "child.yaml"
    child.write_text(
        "format: 1\nname: child\nextends: base.yaml\nseverities:\n"
        "  P3: {respond: 1h, resolve: 2d, escalate_after: 3d}\n"
        "  P4: {respond: 1d, resolve: 7d, escalate_after: 7d}\n"
    )
    levels = load_pack(child).severities
    assert list(levels) == ["P1", "P2", "P3", "P4"]
    assert [level.rank for level in levels.values()] == [0, 1, 2, 3]
    assert levels["P3"].respond == 3600 * 10**6


def test_a_relative_extends_is_read_next_to_the_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "base.yaml").write_text(BASE)
    (tmp_path / "packs" / "child.yaml").write_text("format: 1\nname: child\nextends: base.yaml\n")
    monkeypatch.chdir(tmp_path)
    assert [r.id for r in load_pack("packs/child.yaml").rules] == ["held", "stall", "refused"]


# -- generated code -----------------------------------------------------------------------
def test_generated_code_is_registered_in_linecache() -> None:
    pack = loads_pack(rule("status == 'delivered' and scans > 2"))
    when = pack.rules[0].when
    filename = when.__code__.co_filename
    assert filename.startswith("<logix-pack shop-")
    first = when.__code__.co_firstlineno
    assert linecache.getline(filename, first).startswith("def r__when(s, f, p, n):")
    lines = "".join(linecache.getline(filename, first + k) for k in range(1, 3))
    assert "# when: status == 'delivered' and scans > 2" in lines
    assert pack.module_source.splitlines()[first - 1] == linecache.getline(filename, first).rstrip(
        "\n"
    )


def test_a_traceback_through_generated_code_shows_the_generated_line() -> None:
    pack = loads_pack(rule("scans > 2"))
    broken_state = SimpleNamespace()  # lacks every field the rule reads
    with pytest.raises(AttributeError) as caught:
        pack.rules[0].when(broken_state, None, None, 0)
    rendered = "".join(traceback.format_exception(caught.value))
    assert "<logix-pack shop-" in rendered
    assert "return (s.n_scans > 2)" in rendered


def test_the_same_pack_text_compiles_to_the_same_fingerprint() -> None:
    assert loads_pack(rule("scans > 2")).fingerprint == loads_pack(rule("scans > 2")).fingerprint
    assert loads_pack(rule("scans > 2")).fingerprint != loads_pack(rule("scans > 3")).fingerprint


# -- regressions: bugs found while writing these tests, now fixed -----------------------------
@pytest.mark.parametrize(
    "name",
    ['"claim window"', '"x(s, f, p, n): return 0\\n_INJECTED = 1\\ndef y"'],
    ids=["space", "injection"],
)
def test_a_deadline_name_that_is_not_an_identifier_is_a_pack_error(name: str) -> None:
    issue = only(problems(rule(deadlines=f"{{{name}: 24h}}")))
    assert issue.code is ErrorCode.BAD_IDENTIFIER


def test_a_step_before_a_param_after_is_out_of_order() -> None:
    text = (
        LEVELS
        + "params:\n  wait: {type: duration, default: 24h}\n"
        + rule(anchor="last_scan", after="wait", steps="[{after: 12h}]").removeprefix(LEVELS)
    )
    assert only(problems(text)).code is ErrorCode.STEP_ORDER


def test_an_unknown_key_does_not_hide_the_rules_expression_errors() -> None:
    codes = {i.code for i in problems(rule("stauts == 'x'", colour="red"))}
    assert codes == {ErrorCode.UNKNOWN_KEY, ErrorCode.UNKNOWN_NAME}


def test_an_error_in_an_explanation_points_at_the_field() -> None:
    text = rule(explain='"Silent since {last_scn}."')
    issue = only(problems(text))
    assert issue.code is ErrorCode.UNKNOWN_NAME
    assert (issue.line, issue.column) == position(text, "last_scn")


def test_yaml_merge_keys_may_be_overridden() -> None:
    text = (
        LEVELS.replace(
            "  P2: {respond: 15m, resolve: 8h, escalate_after: 2h}", "  P2: {<<: *p1, respond: 15m}"
        ).replace("  P1: {", "  P1: &p1 {")
        + "rules: []\n"
    )
    assert loads_pack(text).severities["P2"].respond == 15 * 60 * 10**6
