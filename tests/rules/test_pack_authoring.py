"""Writing a custom pack from the docs alone (issue 14): what ``logix check`` says about
an extending pack's params, ``--strict`` warnings and positions in conditions."""

from __future__ import annotations

import pytest

from logix_rules import ErrorCode, PackError, loads_pack


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
