"""The expression language: static types, null-safety at run time, durations, ``in``.

Run-time behaviour is observed the way the engine sees it: a tiny pack is compiled and
its generated functions are called with ``SimpleNamespace`` stand-ins for the
per-shipment state ``s``, the shipment facts ``f`` and the params ``p``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from logix_rules import ErrorCode, Pack, PackError, loads_pack
from logix_rules.compiler._expr import compile_expr
from logix_rules.compiler._expr_functions import FUNCTIONS
from logix_rules.compiler._expr_types import CompiledExpr, ExprError
from logix_rules.compiler._model import PARAM_TYPES, SELECTORS
from logix_rules.compiler._namespace import EVENT_FIELDS, SHIPMENT_FIELDS, STATE_NAMES
from logix_rules.compiler._probe import expression_context

S = 10**6  # microseconds per second: every instant and duration is an int of them
H = 3600 * S
D = 24 * H
T0 = 1_772_323_200 * S  # 2026-03-01T00:00:00Z

PARAMS = """\
params:
  wait: {type: duration, default: 24h}
  limit: {type: integer, default: 3}
  rate: {type: percent, default: 5%}
  carriers: {type: strings, default: [dhl, ups]}
  express: {type: boolean, default: false}
  label: {type: string, default: standard}
"""
HEAD = (
    "format: 1\nname: expr\nseverities:\n  P1: {respond: 5m, resolve: 2h, escalate_after: 30m}\n"
    + PARAMS
)


def _pack(rule_body: str) -> Pack:
    return loads_pack(HEAD + "rules:\n  - id: r\n    kind: k\n    severity: P1\n" + rule_body)


def _block(expr: str, indent: int) -> str:
    return ">-\n" + " " * indent + expr + "\n"


Fn = Callable[[Any, Any, Any, int], Any]


def generated(expr: str, want: str) -> Fn:
    """The generated function of ``expr`` placed where the pack expects a ``want``."""
    if want == "bool":
        return _pack("    when: " + _block(expr, 6)).rules[0].when
    if want == "datetime":
        anchor = _pack("    anchor: " + _block(expr, 6)).rules[0].anchor
        assert anchor is not None
        return anchor
    if want == "duration":
        (deadline,) = (
            _pack("    deadlines:\n      d: " + _block(expr, 8)).rules[0].steps[0].deadlines
        )
        return deadline[1]
    if want == "number":
        remedy = (
            _pack(
                "    remedy:\n      code: c\n      items:\n        - code: i\n          amount: "
                + _block(expr, 12)
            )
            .rules[0]
            .steps[0]
            .remedy
        )
        assert remedy is not None
        assert remedy.items[0].amount is not None
        return remedy.items[0].amount
    raise AssertionError(want)


def state(**fields: Any) -> SimpleNamespace:
    """A shipment state with nothing seen yet, except ``fields``."""
    values: dict[str, Any] = {
        "status": None,
        "stage": None,
        "reason": None,
        "final": False,
        "delivered_at": None,
        "first_event": None,
        "last_event": None,
        "first_scan": None,
        "last_scan": None,
        "status_entered": None,
        "stage_entered": None,
        "n_events": 0,
        "n_scans": 0,
        "regressions": 0,
        "after_delivery": 0,
        "cnt": [0] * 4,
        "firsts": [None] * 4,
        "lasts": [None] * 4,
        "attr_values": {},
        "latest": None,
    }
    values.update(fields)
    return SimpleNamespace(**values)


def facts(**fields: Any) -> SimpleNamespace:
    """Shipment facts with only a tracking number and a carrier known, except ``fields``."""
    values: dict[str, Any] = dict.fromkeys(SHIPMENT_FIELDS)
    values.update(tracking_number="T1", carrier="dhl", cross_border=False, insured=False)
    values.update(fields)
    return SimpleNamespace(**values)


def params(**fields: Any) -> SimpleNamespace:
    values: dict[str, Any] = {
        "wait": 24 * H,
        "limit": 3,
        "rate": 0.05,
        "carriers": ("dhl", "ups"),
        "express": False,
        "label": "standard",
    }
    values.update(fields)
    return SimpleNamespace(**values)


def run(
    expr: str,
    want: str,
    s: SimpleNamespace | None = None,
    f: SimpleNamespace | None = None,
    n: int = T0,
) -> Any:
    return generated(expr, want)(s or state(), f or facts(), params(), n)


_CTX_PACK = loads_pack(HEAD)


def check(source: str, *, allow_now: bool = False) -> CompiledExpr:
    return compile_expr(source, expression_context(_CTX_PACK), allow_now=allow_now)


def refused(source: str) -> ExprError:
    with pytest.raises(ExprError) as caught:
        check(source)
    return caught.value


# -- static types -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("status", "status or None"),
        ("stage", "stage or None"),
        ("reason", "reason or None"),
        ("final", "bool"),
        ("events", "number"),
        ("last_scan", "datetime or None"),
        ("last_scan - first_scan", "duration or None"),
        ("last_scan + params.wait", "datetime or None"),
        ("duration('1h') * 2", "duration"),
        ("2 * hours(1)", "duration"),
        # a quotient may be missing: a zero divisor gives None, not an exception
        ("duration('3h') / duration('1h')", "number or None"),
        ("duration('3h') / 2", "duration or None"),
        ("as_hours(duration('90m'))", "number"),
        ("as_days(delivered_at - shipment.promised_at)", "number or None"),
        ("shipment.declared_value", "number or None"),
        ("shipment.cross_border", "bool"),
        ("shipment.carrier", "str"),
        ("event.report", "bool"),
        ("event.status", "status or None"),
        ("params.wait", "duration"),
        ("params.limit", "number"),
        ("params.rate", "number"),
        ("params.carriers", "list"),
        ("params.express", "bool"),
        ("params.label", "str"),
        ("count(status='attempt_failed')", "number"),
        ("seen(reason='lost')", "bool"),
        ("first(stage='customs')", "datetime or None"),
        ("last(reason='not_received', report=True)", "datetime or None"),
        ("attr('damage_ratio', 0.0)", "number"),
        ("attr('note', '')", "str"),
        ("attr('fragile', False)", "bool"),
        ("attr('whatever', None)", "any or None"),
        ("coalesce(delivered_at, last_scan)", "datetime or None"),
        ("coalesce(shipment.freight_cost, 0)", "number"),
        ("min(1, 2.5)", "number"),
        ("max(last_scan, stage_entered)", "datetime or None"),
        ("abs(last_scan - first_scan)", "duration or None"),
        ("round(shipment.freight_cost * 0.1, 2)", "number or None"),
        ("1 if final else 2", "number"),
        ("('a', 'b')", "list"),
        ("None", "none"),
        ("status == 'delivered' and not final", "bool"),
    ],
)
def test_static_types(source: str, expected: str) -> None:
    assert str(check(source).type) == expected


@pytest.mark.parametrize(
    ("source", "code", "fragment"),
    [
        ("status == 3", ErrorCode.TYPE_MISMATCH, "cannot compare status or None with number"),
        ("last_scan + 1", ErrorCode.TYPE_MISMATCH, "cannot compute datetime or None + number"),
        ("last_scan + last_scan", ErrorCode.TYPE_MISMATCH, "cannot compute"),
        ("duration('1h') > 3", ErrorCode.TYPE_MISMATCH, "cannot order duration and number"),
        ("final > True", ErrorCode.TYPE_MISMATCH, "cannot order"),
        ("not events", ErrorCode.TYPE_MISMATCH, "'not' needs a true/false value"),
        ("events and final", ErrorCode.TYPE_MISMATCH, "need true/false values"),
        ("1 if status else 2", ErrorCode.TYPE_MISMATCH, "'if' needs a true/false test"),
        ("1 if final else 'x'", ErrorCode.TYPE_MISMATCH, "both branches must have one type"),
        ("min(1, 'a')", ErrorCode.TYPE_MISMATCH, "arguments must share one type"),
        ("as_hours(3)", ErrorCode.TYPE_MISMATCH, "as_hours() takes a duration"),
        ("hours('3')", ErrorCode.TYPE_MISMATCH, "hours() takes a number"),
        ("abs('x')", ErrorCode.TYPE_MISMATCH, "abs() takes a number or duration"),
        (
            "status in 'abc'",
            ErrorCode.TYPE_MISMATCH,
            "'in' needs a tuple of values or a list parameter",
        ),
        (
            "attr('x', 0) > 1 and attr('x', '') == ''",
            ErrorCode.TYPE_MISMATCH,
            "used as number elsewhere",
        ),
        ("duration(params.label)", ErrorCode.BAD_ARGUMENTS, "string literal"),
        ("round(1.5, events)", ErrorCode.BAD_ARGUMENTS, "integer literal"),
        ("attr(params.label, 0)", ErrorCode.BAD_ARGUMENTS, "string literal"),
        ("count(report='yes')", ErrorCode.BAD_ARGUMENTS, "True or False"),
        ("count(status=stage)", ErrorCode.BAD_ARGUMENTS, "a literal or a tuple of literals"),
        ("count(carrier='dhl')", ErrorCode.BAD_ARGUMENTS, "got unexpected ['carrier']"),
        ("hours(1, 2)", ErrorCode.BAD_ARGUMENTS, "takes 1 argument(s)"),
        ("min()", ErrorCode.BAD_ARGUMENTS, "needs at least one argument"),
        ("-status", ErrorCode.FORBIDDEN_SYNTAX, "unary minus"),
        ("shipment", ErrorCode.UNKNOWN_NAME, "is an object; name one of its fields"),
        ("event.statuss", ErrorCode.UNKNOWN_FIELD, "Did you mean 'status'?"),
        ("params.wiat", ErrorCode.UNKNOWN_FIELD, "Did you mean 'wait'?"),
        ("hour(1)", ErrorCode.UNKNOWN_FUNCTION, "Did you mean 'hours'?"),
    ],
)
def test_static_errors(source: str, code: ErrorCode, fragment: str) -> None:
    error = refused(source)
    assert error.code is code
    assert fragment in error.msg


def test_a_condition_must_be_true_or_false() -> None:
    with pytest.raises(ExprError) as caught:
        compile_expr("status", expression_context(_CTX_PACK), want="bool")
    assert caught.value.code is ErrorCode.TYPE_MISMATCH
    assert "expected a bool, but 'status' is status or None" in caught.value.msg


def test_errors_point_into_the_expression() -> None:
    error = refused("final and stage == 'custom'")
    assert (error.line, error.col) == (1, len("final and stage == "))
    assert error.input == "custom"
    multi = refused("(final and\n  stauts == 'x')")
    assert (multi.line, multi.col) == (2, 2)


# -- null-safety at run time ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("expr", "s", "f", "expected"),
    [
        # ordering with a missing side is false, whichever way round
        ("shipment.declared_value >= 100", state(), facts(), False),
        ("shipment.declared_value < 100", state(), facts(), False),
        ("100 > shipment.declared_value", state(), facts(), False),
        ("shipment.declared_value >= 100", state(), facts(declared_value=250.0), True),
        ("last(reason='not_received', report=True) > delivered_at", state(), facts(), False),
        (
            "last(reason='not_received', report=True) > delivered_at",
            state(lasts=[T0 + H], delivered_at=T0),
            facts(),
            True,
        ),
        # == and != compare as Python does: a missing value equals only None
        ("shipment.category == 'fragile'", state(), facts(), False),
        ("shipment.category != 'fragile'", state(), facts(), True),
        ("shipment.category == None", state(), facts(), True),
        ("status in ('delivered', 'returned')", state(), facts(), False),
        ("status not in ('delivered', 'returned')", state(), facts(), True),
        # arithmetic with a missing operand is missing, and then compares false
        (
            "delivered_at - shipment.promised_at > params.wait",
            state(delivered_at=T0 + 3 * D),
            facts(),
            False,
        ),
        (
            "delivered_at - shipment.promised_at > params.wait",
            state(delivered_at=T0 + 3 * D),
            facts(promised_at=T0),
            True,
        ),
        ("shipment.freight_cost * params.rate > 0", state(), facts(), False),
        ("-shipment.freight_cost < 0", state(), facts(), False),
        ("abs(last_scan - first_scan) >= duration('0s')", state(), facts(), False),
        # `not` of a comparison with a missing side is true: the documented trap
        ("not (shipment.declared_value > 5)", state(), facts(), True),
        ("shipment.declared_value <= 5", state(), facts(), False),
        # explicit tests for absence
        ("delivered_at is None", state(), facts(), True),
        ("delivered_at is not None", state(delivered_at=T0), facts(), True),
        # the latest event before any event: every field missing, report false
        ("event.status is None and event.at is None and not event.report", state(), facts(), True),
        (
            "event.status == 'exception'",
            state(latest=(0, "e1", ("exception", None, None, "dhl", False, None, None, "", ()))),
            facts(),
            True,
        ),
        # min/max skip missing values; coalesce takes the first present one
        ("max(delivered_at, last_scan) == last_scan", state(last_scan=T0), facts(), True),
        ("min(delivered_at, last_scan) == last_scan", state(last_scan=T0), facts(), True),
        ("max(delivered_at, shipment.promised_at) is None", state(), facts(), True),
        (
            "coalesce(delivered_at, last_scan, first_scan) == first_scan",
            state(first_scan=T0),
            facts(),
            True,
        ),
        # attributes: the default when absent; a value of another type is no match
        ("attr('damage_ratio', 0.0) == 0.0", state(), facts(), True),
        ("attr('damage_ratio', None) > 0.05", state(), facts(), False),
        (
            "attr('damage_ratio', None) > 0.05",
            state(attr_values={"damage_ratio": "high"}),
            facts(),
            False,
        ),
        (
            "attr('damage_ratio', None) > 0.05",
            state(attr_values={"damage_ratio": 0.2}),
            facts(),
            True,
        ),
    ],
)
def test_missing_values_never_raise(
    expr: str, s: SimpleNamespace, f: SimpleNamespace, expected: bool
) -> None:
    assert bool(run(expr, "bool", s, f)) is expected


@pytest.mark.parametrize(
    ("expr", "want"),
    [
        ("shipment.freight_cost * params.rate", "number"),
        ("shipment.freight_cost / 0", "number"),
        ("round(shipment.declared_value, 2)", "number"),
        ("as_days(delivered_at - shipment.promised_at)", "number"),
        ("last_scan - first_scan", "duration"),
        ("hours(shipment.freight_cost)", "duration"),
        ("params.wait * shipment.declared_value", "duration"),
        ("shipment.promised_at + params.wait", "datetime"),
        ("coalesce(delivered_at, shipment.promised_at)", "datetime"),
    ],
)
def test_arithmetic_on_a_missing_value_is_missing(expr: str, want: str) -> None:
    assert run(expr, want) is None


def test_trackers_read_their_own_slot() -> None:
    when = generated(
        "count(status='attempt_failed') >= params.limit and not seen(reason='refused')", "bool"
    )
    # trackers are numbered in order of appearance: attempt_failed is 0, refused is 1
    assert when(state(cnt=[3, 0, 0, 0]), facts(), params(), T0)
    assert not when(state(cnt=[2, 0, 0, 0]), facts(), params(), T0)
    assert not when(state(cnt=[3, 1, 0, 0]), facts(), params(), T0)


# -- durations -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("duration('1d12h')", 36 * H),
        ("duration('1.5h')", 90 * 60 * S),
        ("duration('2w')", 14 * D),
        ("hours(1.5)", 90 * 60 * S),
        ("minutes(90)", 90 * 60 * S),
        ("days(0.5)", 12 * H),
        ("duration('1h') * 1.5", 90 * 60 * S),
        ("duration('1s') / 3", 333_333),
        ("duration('1h') + duration('30m')", 90 * 60 * S),
        ("duration('1d') - hours(1)", 23 * H),
        ("params.wait * 2", 48 * H),
        ("hours(params.limit)", 3 * H),
        ("last_scan - first_scan", 5 * H),
        ("abs(first_scan - last_scan)", 5 * H),
        ("max(params.wait, duration('36h'))", 36 * H),
    ],
)
def test_duration_arithmetic_stays_in_whole_microseconds(expr: str, expected: int) -> None:
    value = run(expr, "duration", state(first_scan=T0, last_scan=T0 + 5 * H))
    assert value == expected
    assert isinstance(value, int)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("as_hours(duration('90m'))", 1.5),
        ("as_days(duration('36h'))", 1.5),
        ("duration('3h') / duration('1h')", 3.0),
        ("as_days(delivered_at - shipment.promised_at)", 2.25),
        ("shipment.freight_cost * min(1.0, as_days(now - shipment.promised_at) * 0.1)", 2.0),
    ],
)
def test_durations_convert_to_numbers(expr: str, expected: float) -> None:
    s = state(delivered_at=T0 + 2 * D + 6 * H)
    f = facts(promised_at=T0, freight_cost=10.0)
    assert run(expr, "number", s, f, n=T0 + 2 * D) == pytest.approx(expected)


def test_datetimes_move_by_durations() -> None:
    s = state(last_scan=T0, stage_entered=T0 + H)
    assert run("last_scan + duration('1d')", "datetime", s) == T0 + D
    assert (
        run("shipment.promised_at - hours(2)", "datetime", s, facts(promised_at=T0)) == T0 - 2 * H
    )
    assert run("max(last_scan, stage_entered)", "datetime", s) == T0 + H


@pytest.mark.parametrize(
    ("source", "micros"),
    [
        ("duration('1d12h')", 36 * H),
        ("duration('30m')", 30 * 60 * S),
        ("hours(1.5)", 90 * 60 * S),
        ("minutes(30)", 30 * 60 * S),
        ("days(2)", 2 * D),
        ("-duration('1h')", -H),
        ("hours(-2)", -2 * H),
    ],
)
def test_duration_literals_are_folded_at_compile_time(source: str, micros: int) -> None:
    compiled = check(source)
    assert compiled.is_constant
    assert compiled.constant == micros
    assert compiled.code == repr(micros)


def test_a_duration_built_from_a_param_is_not_a_constant() -> None:
    compiled = check("hours(params.limit)")
    assert not compiled.is_constant
    assert "p.limit" in compiled.code


def test_a_bare_after_is_a_folded_literal_in_the_generated_code() -> None:
    pack = _pack("    anchor: last_scan\n    after: 1d12h\n")
    assert "    return 129600000000\n" in pack.module_source
    after = pack.rules[0].steps[0].after
    assert after is not None
    assert after(state(), facts(), params(), T0) == 36 * H
    assert pack.rules[0].steps[0].after_source == "duration('1d12h')"


def test_a_bare_param_name_is_a_duration_where_one_is_expected() -> None:
    pack = _pack("    anchor: last_scan\n    after: wait\n    deadlines: {claim: wait}\n")
    step = pack.rules[0].steps[0]
    assert step.after_source == "params.wait"
    assert step.deadlines[0][1](state(), facts(), params(wait=7 * H), T0) == 7 * H


# -- in ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expr", "s", "expected"),
    [
        ("reason in ('customs_hold', 'payment_required')", state(reason="payment_required"), True),
        ("reason in ('customs_hold', 'payment_required')", state(reason="held"), False),
        ("reason not in ('customs_hold', 'payment_required')", state(reason="held"), True),
        ("status in ['returning', 'returned']", state(status="returned"), True),
        ("shipment.carrier in params.carriers", state(), True),
        ("shipment.carrier not in params.carriers", state(), False),
        ("count(status='attempt_failed') in (1, 2)", state(cnt=[2, 0, 0, 0]), True),
        (
            "event.status in ('exception',)",
            state(latest=(0, "e1", ("exception", None, None, "dhl", False, None, None, "", ()))),
            True,
        ),
    ],
)
def test_in_with_tuples_lists_and_list_params(
    expr: str, s: SimpleNamespace, expected: bool
) -> None:
    assert bool(run(expr, "bool", s)) is expected


@pytest.mark.parametrize(
    ("source", "value", "suggestion"),
    [
        ("status in ('delivered', 'custom')", "custom", "Did you mean 'customs'?"),
        ("stage not in ('last_mile', 'custom')", "custom", "Did you mean 'customs'?"),
        ("'custom' == stage", "custom", "Did you mean 'customs'?"),
        ("event.reason in ('refused', 'lots')", "lots", "Did you mean 'lost'?"),
        (
            "seen(reason=('wrong_item', 'missing_itemz'))",
            "missing_itemz",
            "Did you mean 'missing_items'?",
        ),
        ("count(stage='line_hual') > 0", "line_hual", "Did you mean 'line_haul'?"),
        ("status == 'in transit'", "in transit", "Did you mean 'in_transit'?"),
    ],
)
def test_enum_values_are_checked_against_the_taxonomy(
    source: str, value: str, suggestion: str
) -> None:
    error = refused(source)
    assert error.code is ErrorCode.UNKNOWN_VALUE
    assert error.input == value
    assert suggestion in error.msg
    assert "values:" in error.hint


def test_free_strings_are_not_checked_against_a_taxonomy() -> None:
    assert check("shipment.carrier in ('dhl', 'some-new-carrier')").type.base == "bool"
    assert check("seen(system=('customer', 'anything'))").type.base == "bool"


def test_a_tuple_holds_literals_only() -> None:
    assert refused("status in (reason,)").code is ErrorCode.FORBIDDEN_SYNTAX


# -- the reference lists everything the language has -----------------------------------------
def test_the_pack_reference_lists_every_name_field_function_type_and_selector() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "packs.md").read_text("utf-8")
    documented = set(re.findall(r"`([a-z_.]+)(?:\(|`)", page))
    expected = {
        *STATE_NAMES,
        "now",
        *(f"shipment.{name}" for name in SHIPMENT_FIELDS),
        *(f"event.{name}" for name in EVENT_FIELDS),
        *FUNCTIONS,
        *PARAM_TYPES,
        *SELECTORS,
    }
    assert expected - documented == set()


# -- regressions: bugs found while writing these tests, now fixed -----------------------------
def test_division_by_zero_does_not_crash_the_engine() -> None:
    when = generated("count(status='attempt_failed') / scans > 0.5", "bool")
    assert not when(state(n_scans=0), facts(), params(), T0)


def test_unary_minus_accepts_an_attribute_of_open_type() -> None:
    assert str(check("-attr('delta', None)").type) == "any or None"


def test_pack_error_for_an_expression_names_the_rule() -> None:
    with pytest.raises(PackError) as caught:
        _pack("    when: " + _block("stauts == 'x'", 6))
    (issue,) = caught.value.issues
    assert issue.rule_id == "r"
    assert issue.code is ErrorCode.UNKNOWN_NAME
