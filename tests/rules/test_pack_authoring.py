"""Writing a custom pack from the docs alone (issue 14): what ``logix check`` says about
an extending pack's params, ``--strict`` warnings and positions in conditions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from logix_rules import (
    Engine,
    ErrorCode,
    Incident,
    PackError,
    evaluate,
    explain_events,
    load_pack,
    loads_pack,
)
from logix_rules.compiler._lint import PackWarning, WarningCode, lint_pack


def _issues(text: str) -> list[str]:
    with pytest.raises(PackError) as caught:
        loads_pack(text, file="mine.yaml")
    return [str(issue) for issue in caught.value.issues]


EXTENDS = "format: 1\nname: mine\nextends: default\n"


# ------------------------------------------------------------- misspelt param overrides


def test_a_misspelt_override_names_the_missing_param_and_the_closest_one() -> None:
    text = EXTENDS + "params:\n  custom_timeout: {values: {BR: 96h}}\n"
    with pytest.raises(PackError) as caught:
        loads_pack(text, file="mine.yaml")
    (issue,) = caught.value.issues
    assert issue.code is ErrorCode.BAD_PARAM
    assert issue.line == 5
    assert "has no param 'custom_timeout'" in issue.msg
    assert "Did you mean 'customs_timeout'?" in issue.msg
    assert "type None" not in issue.msg
    assert "money" not in issue.msg


def test_a_misspelt_shorthand_override_is_reported_the_same_way() -> None:
    (issue,) = _issues(EXTENDS + "params:\n  stall_afte: 36h\n")
    assert "has no param 'stall_afte'" in issue
    assert "Did you mean 'stall_after'?" in issue


def test_a_new_param_without_a_type_in_a_standalone_pack_asks_for_one() -> None:
    text = "format: 1\nname: mine\nparams:\n  wait: {default: 2h}\n"
    assert any("param 'wait' is new here, so it needs a 'type'" in i for i in _issues(text))


# ------------------------------------------------------------------ --strict warnings


def _lint_file(tmp_path: Path, text: str) -> list[PackWarning]:
    path = tmp_path / "mine.yaml"
    path.write_text(text, "utf-8")
    return lint_pack(load_pack(path))


def test_strict_warns_only_about_params_the_users_file_declares(tmp_path: Path) -> None:
    text = (
        EXTENDS
        + "disable: [tracking_stall]\n"
        + "params:\n  my_unused: {type: duration, default: 3h}\n"
    )
    warnings = _lint_file(tmp_path, text)
    unused = [w for w in warnings if w.code is WarningCode.UNUSED_PARAM]
    assert [w.msg for w in unused] == ["param 'my_unused' is not used by any rule"]
    assert all(not w.file.startswith("<builtin>") for w in warnings)


def test_strict_still_warns_about_an_override_nothing_reads(tmp_path: Path) -> None:
    # The user set this figure themselves, and disabled the only rule reading it.
    text = EXTENDS + "disable: [tracking_stall]\nparams:\n  stall_after: 36h\n"
    (warning,) = [w for w in _lint_file(tmp_path, text) if w.code is WarningCode.UNUSED_PARAM]
    assert "'stall_after'" in warning.msg
    assert warning.file == str(tmp_path / "mine.yaml")
    assert warning.line == 6


# ------------------------------------------------------------ money in evidence and text


def _damaged_high_value(declared: str) -> Incident:
    t0 = datetime(2026, 3, 1, 8, tzinfo=UTC)
    events = [
        {
            "tracking_number": "TN1",
            "carrier": "dhl",
            "occurred_at": (t0 + timedelta(hours=hours)).isoformat(),
            "status": status,
            "source": {"system": "dhl"},
            **extra,
        }
        for hours, status, extra in [
            (0, "in_transit", {}),
            (30, "exception", {"reason": "damaged", "attributes": {"damage_ratio": 0.3}}),
        ]
    ]
    shipment = {
        "tracking_number": "TN1",
        "carrier": "dhl",
        "origin_country": "DE",
        "destination_country": "DE",
        "declared_value": declared,
        "currency": "EUR",
    }
    found = evaluate(load_pack("default"), events, at=t0 + timedelta(hours=30), shipment=shipment)
    (damaged,) = [i for i in found if i.kind == "damaged"]
    return damaged


def test_evidence_shows_money_as_the_remedy_does() -> None:
    incident = _damaged_high_value("899")
    assert incident.remedy is not None
    assert str(incident.remedy.items[0].amount) == "899.00"
    assert incident.evidence is not None
    values = incident.evidence.to_dict()["values"]
    assert values["shipment.declared_value"] == "899.00"
    # a money param too, in the shipment's currency: 500 CNY at 7.75 CNY per EUR
    assert values["params.high_value"] == "64.52"
    assert "899.00 EUR" in incident.explanation
    document = json.loads(json.dumps(incident.to_dict()))
    assert document["evidence"]["values"]["shipment.declared_value"] == "899.00"


def test_an_empty_by_is_a_located_problem_not_a_crash() -> None:
    param = "wait: {type: duration, default: 2h, by: [], values: {DE: 1h}}"
    text = f"format: 1\nname: t\nparams:\n  {param}\n"
    assert any("has an empty 'by'" in issue for issue in _issues(text))


# ------------------------------------------------------- widening a param into a by: map

STALL_EVENTS = [
    {
        "tracking_number": "T1",
        "carrier": "ups",
        "status": "in_transit",
        "occurred_at": "2026-03-01T00:00:00Z",
        "source": {"system": "ups"},
    }
]


def _stalled(pack_text: str, origin: str, destination: str, hours: int) -> bool:
    shipment = {
        "tracking_number": "T1",
        "carrier": "ups",
        "origin_country": origin,
        "destination_country": destination,
    }
    at = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=hours)
    found = evaluate(loads_pack(pack_text), STALL_EVENTS, at=at, shipment=shipment)
    return any(i.kind == "tracking_stall" for i in found)


def test_an_override_widens_a_scalar_param_into_a_by_map() -> None:
    text = EXTENDS + "params:\n  stall_after: {by: lane, values: {CN-US: 36h}}\n"
    param = loads_pack(text).params["stall_after"]
    base = load_pack("default").params["stall_after"]
    assert param.by == ("lane",)
    assert param.default == base.default  # the base value is the default
    assert param.display(param.values["CN-US"]) == "1d12h"
    assert not _stalled(text, "CN", "US", 30)
    assert _stalled(text, "CN", "US", 37)
    assert _stalled(text, "DE", "FR", 25)  # other lanes: the base's 24h


def test_a_widened_param_checks_its_keys_and_selectors() -> None:
    bad_key = EXTENDS + "params:\n  stall_after: {by: lane, values: {CNUS: 36h}}\n"
    assert any("'CNUS' is not a lane" in issue for issue in _issues(bad_key))
    bad_by = EXTENDS + "params:\n  stall_after: {by: lanes, values: {CN-US: 36h}}\n"
    assert any("Did you mean 'lane'?" in issue for issue in _issues(bad_by))


def test_re_keying_a_varying_param_is_refused_in_plain_words() -> None:
    text = EXTENDS + "params:\n  customs_timeout: {by: lane, values: {CN-BR: 5d}}\n"
    (issue,) = _issues(text)
    assert "varies by destination_country in the base pack" in issue
    assert "cannot make it vary by lane" in issue
    assert "None" not in issue
    assert "('" not in issue


# ------------------------------------------------------------ explain: conditional after

CONDITIONAL_AFTER = (
    EXTENDS
    + """params:
  cn_us_stall_after: {type: duration, default: 36h}
rules:
  - id: tracking_stall
    kind: tracking_stall
    when: not final and status == 'in_transit'
    anchor: last_scan
    after: "params.cn_us_stall_after if shipment.lane == 'CN-US' else params.stall_after"
    severity: P3
"""
)


def test_explain_brackets_a_conditional_after_and_keeps_its_params_prefix() -> None:
    pack = loads_pack(CONDITIONAL_AFTER)
    shipment = {
        "tracking_number": "T1",
        "carrier": "ups",
        "origin_country": "CN",
        "destination_country": "US",
    }
    expression = "params.cn_us_stall_after if shipment.lane == 'CN-US' else params.stall_after"
    for at, verb in (
        (datetime(2026, 3, 1, 12, tzinfo=UTC), "<"),
        (datetime(2026, 3, 2, 16, tzinfo=UTC), ">="),
    ):
        explanation = explain_events(
            pack, STALL_EVENTS, tracking_number="T1", at=at, shipment=shipment
        )
        (summary,) = [r.summary for r in explanation.rules if expression in r.summary]
        assert f"since last_scan {verb} [{expression}] 36h" in summary
    # A plain param keeps its short name.
    plain = explain_events(
        "default", STALL_EVENTS, tracking_number="T1", at=datetime(2026, 3, 1, 12, tzinfo=UTC)
    )
    assert any("< stall_after 24h" in r.summary for r in plain.rules)


# --------------------------------------------------- positions inside multi-line conditions

RULE_HEAD = "  - id: r\n    kind: tracking_stall\n    severity: P3\n"
# (the `when:` as written, the line and column of the misspelt name in the file)
STYLES = {
    "folded": ("    when: >-\n      not final and\n      statsu == 'in_transit'\n", (10, 7)),
    "literal": ("    when: |\n      not final\n      and statsu == 'in_transit'\n", (10, 11)),
    "literal_keep": ("    when: |+\n      not final and\n        statsu == 'x'\n\n", (10, 9)),
    "double": ("    when: \"not final and\n      statsu == 'in_transit'\"\n", (9, 7)),
    "double_escaped": ('    when: "status == \\"in_transit\\" and\n      statsu == 1"\n', (9, 7)),
    "single": ("    when: 'not final and\n      statsu == ''in_transit'''\n", (9, 7)),
    "plain": ("    when: not final and\n      statsu == 'in_transit'\n", (9, 7)),
    "one_line": ("    when:   \"final and  statsu == 'x'\"\n", (8, 25)),
    "non_ascii": ("    when: \"'é€' == shipment.carrier and\n      statsu == 1\"\n", (9, 7)),
}


@pytest.mark.parametrize("style", list(STYLES))
def test_check_points_at_the_exact_spot_in_every_scalar_style(style: str) -> None:
    when, (line, column) = STYLES[style]
    text = EXTENDS + "rules:\n" + RULE_HEAD + when
    with pytest.raises(PackError) as caught:
        loads_pack(text, file="mine.yaml")
    (issue,) = caught.value.issues
    assert issue.code is ErrorCode.UNKNOWN_NAME
    assert (issue.line, issue.column) == (line, column), text
    assert text.splitlines()[line - 1][column - 1 :].startswith("statsu")


def test_a_syntax_error_on_a_later_line_of_a_literal_block_is_located() -> None:
    when = "    when: |\n      not final\n      and status === 'x'\n"
    with pytest.raises(PackError) as caught:
        loads_pack(EXTENDS + "rules:\n" + RULE_HEAD + when, file="mine.yaml")
    (issue,) = caught.value.issues
    assert issue.code is ErrorCode.EXPR_SYNTAX
    assert issue.line == 10  # the line of 'and status === ...'


def test_newlines_in_a_condition_work_and_explain_reads_them() -> None:
    text = (
        EXTENDS
        + "rules:\n"
        + "  - id: tracking_stall\n    kind: tracking_stall\n    severity: P3\n"
        + "    anchor: last_scan\n    after: stall_after\n"
        + "    when: |\n      not final\n      and status == 'in_transit'\n"
    )
    pack = loads_pack(text)
    assert pack.rule("tracking_stall").when_source == "not final\nand status == 'in_transit'"
    at = datetime(2026, 3, 2, 12, tzinfo=UTC)
    assert [i.kind for i in evaluate(pack, STALL_EVENTS, at=at)] == ["tracking_stall"]
    explanation = explain_events(pack, STALL_EVENTS, tracking_number="T1", at=at)
    assert any("holds" in r.summary and "last_scan" in r.summary for r in explanation.rules)


def test_a_condition_cannot_close_the_bracket_it_is_parsed_in() -> None:
    when = "    when: |\n      final) or (final\n"
    with pytest.raises(PackError) as caught:
        loads_pack(EXTENDS + "rules:\n" + RULE_HEAD + when)
    assert [i.code for i in caught.value.issues] == [ErrorCode.EXPR_SYNTAX]


# --------------------------------------------------------------- Engine.load's warning


def test_loading_a_dump_names_the_pack_it_was_made_with() -> None:
    mine = loads_pack("format: 1\nname: my-shop\nextends: default\nparams:\n  stall_after: 36h\n")
    engine = Engine(mine)
    engine.advance(to=datetime(2026, 3, 2, tzinfo=UTC))
    data = engine.dump()
    with pytest.warns(UserWarning, match="the dump was made with") as caught:
        Engine.load("default", data)
    (warning,) = caught
    text = str(warning.message)
    assert "made with pack 'my-shop', not 'default'" in text
    assert "different version of pack 'default'" not in text
