"""Fuzzing the compiler (issue 11, section 5): any YAML text is a ``Pack`` or a ``PackError``.

Documents are built from a grammar of pack-like structures (the real keys, with values
drawn from valid figures, expressions and names, and from hostile ones: wrong types,
non-finite and huge numbers, control characters, long texts), written as YAML, then
mutated as text (characters inserted, deleted or duplicated; anchors, aliases, merge
keys, tags, brackets, NUL bytes and byte-order marks spliced in; truncation).

``loads_pack`` must return a ``Pack`` whose generated module is safe, or raise a
``PackError`` whose issues are printable and JSON-ready, and never anything else,
within a deadline.  Marked slow: the ``ci`` profile bounds the example count.
"""

from __future__ import annotations

import ast
import json
from datetime import timedelta
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logix_rules import ErrorCode, Pack, PackError, loads_pack

BOUNDED = settings(deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow])

GOOD_NAMES = ["r", "stall", "held", "r1", "a_b", "final"]
NAMES = [*GOOD_NAMES, "Bad", "1x", "x-y", "r\n", "", "if"]
KINDS = ["k", "tracking_stall", "customs_hold", "K", "k k"]
LEVELS = ["P1", "P2", "P3", "p1", "P1\n"]
DURATIONS = ["0s", "30m", "24h", "7d", "1d12h", "2w", "36500d", "36501d", "99999999999w", "24x"]
EXPRESSIONS = [
    "final",
    "True",
    "status == 'delivered'",
    "status == 'in_transit' and scans > 2",
    "stage == 'customs' or reason == 'customs_hold'",
    "not final",
    "count(status='attempt_failed') >= 2",
    "seen(status='exception')",
    "attr('damage_ratio', 0.0) > 0.5",
    "shipment.freight_cost > 100",
    "shipment.declared_value * 2",
    "last_scan",
    "first_scan",
    "stage_entered",
    "shipment.promised_at",
    "last_scan + hours(2)",
    "(last_scan - first_scan) / 2",
    "duration('24h')",
    "hours(1e15)",
    "params.wait",
    "params.limit * 2",
    "now - last_scan",
    "shipment.freight_cost > 1e309",
    "scans > " + "9" * 30,
    "not " * 60 + "final",
    "(" * 210 + "final" + ")" * 210,
    " and ".join(["final"] * 50),
    "__import__('os').system('true')",
    "().__class__.__bases__",
    "lambda: 1",
    "[x for x in ()]",
    "status ==",
    "'unterminated",
    "shipment.carrier == 'a\\x00b'",
    "shipment.carrier == 'a\x0cb'",
    "shipment.carrier == 'a\u2028b'",
]
PARAM_TYPES = ["duration", "number", "integer", "percent", "money", "string", "boolean", "strings"]
WEIRD_TEXT = ["", " ", "\x00", "\n", "\r", "\t", "\x85", "\u2028", "\ud7ff", "é", "漢字", "'", '"']

leaf_texts = st.one_of(
    st.sampled_from(NAMES + KINDS + LEVELS + DURATIONS + EXPRESSIONS + WEIRD_TEXT),
    st.text(max_size=20),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=10),
)
numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 10**15, 10**15 + 1, 1e15, 1e16, 1e27, 1e300]),
)
scalars = st.one_of(leaf_texts, numbers, st.booleans(), st.none())
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(leaf_texts, inner, max_size=3)
    ),
    max_leaves=6,
)


def maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a value of the grammar, sometimes anything."""
    return st.one_of(value, value, value, junk)


def mapping(
    fields: dict[str, st.SearchStrategy[Any]], required: tuple[str, ...] = ()
) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping with the ``required`` fields and some of the others (now and then an
    unknown key), or now and then lacking one of the required ones."""
    optional = {key: value for key, value in fields.items() if key not in required}
    full = st.fixed_dictionaries(
        {key: fields[key] for key in required}, optional={**optional, "colour": junk}
    )
    return st.one_of(full, full, full, st.fixed_dictionaries({}, optional=fields))


durations = maybe(st.sampled_from(DURATIONS))
expressions = maybe(st.sampled_from(EXPRESSIONS))
names = maybe(st.one_of(st.sampled_from(GOOD_NAMES), st.sampled_from(NAMES)))
severity = mapping(
    {"respond": durations, "resolve": durations, "escalate_after": durations, "label": leaf_texts},
    required=("respond", "resolve", "escalate_after"),
)
remedy = mapping(
    {
        "code": names,
        "text": leaf_texts,
        "items": maybe(
            st.lists(
                mapping(
                    {
                        "code": names,
                        "amount": maybe(st.one_of(expressions, numbers)),
                        "borne_by": leaf_texts,
                    },
                    required=("code",),
                ),
                max_size=2,
            )
        ),
    },
    required=("code",),
)
name_keys = st.one_of(st.sampled_from(NAMES), leaf_texts)  # mapping keys: hashable
deadlines = maybe(st.dictionaries(name_keys, durations, max_size=2))
step = mapping(
    {
        "after": durations,
        "when": expressions,
        "severity": maybe(st.sampled_from(LEVELS)),
        "remedy": maybe(remedy),
        "deadlines": deadlines,
        "explain": maybe(st.sampled_from(["Silent since {last_scan}", "{{x}} {", "{scans} x"])),
    },
    required=("after",),
)
rule = mapping(
    {
        "id": names,
        "kind": maybe(st.sampled_from(KINDS)),
        "title": leaf_texts,
        "when": expressions,
        "anchor": expressions,
        "after": durations,
        "severity": maybe(st.sampled_from(LEVELS)),
        "steps": maybe(st.lists(step, max_size=3)),
        "deadlines": deadlines,
        "remedy": maybe(remedy),
        "explain": maybe(st.sampled_from(["since {last_scan}", "{now - last_scan}", "{"])),
    },
    required=("id", "kind", "severity"),
)
param = st.one_of(
    mapping(
        {
            "type": maybe(st.sampled_from(PARAM_TYPES)),
            "default": st.one_of(scalars, st.sampled_from(DURATIONS), st.lists(leaf_texts)),
            "by": maybe(st.sampled_from(["destination_country", "lane", "carrier", "nope"])),
            "values": maybe(st.dictionaries(st.sampled_from(["DE", "CN-US", "xx"]), scalars)),
            "doc": leaf_texts,
        }
    ),
    scalars,
)
pack_fields = {
    "format": maybe(st.just(1)),
    "name": maybe(st.just("shop")),
    "description": leaf_texts,
    "extends": st.sampled_from(["default", "nope.yaml", "/etc/passwd", "../x.yaml", "x"]),
    "params": maybe(st.dictionaries(st.sampled_from(["wait", "limit", *NAMES]), param)),
    "severities": maybe(st.dictionaries(st.sampled_from(LEVELS), severity, max_size=3)),
    "rules": maybe(st.lists(rule, max_size=4)),
    "disable": maybe(st.lists(names, max_size=2)),
}
packs = mapping(pack_fields, required=("format", "name", "severities", "rules"))


#: A pack that compiles, using every part of the format; the third test replaces one of
#: its values at a time, so the later stages see documents that are nearly right.
VALID: dict[str, Any] = {
    "format": 1,
    "name": "shop",
    "params": {
        "wait": {
            "type": "duration",
            "default": "24h",
            "by": "destination_country",
            "values": {"DE": "12h"},
        },
        "limit": {"type": "money", "default": "500 EUR"},
        "share": {"type": "percent", "default": "5%"},
        "codes": {"type": "strings", "default": ["A", "B"]},
    },
    "severities": {
        "P1": {"respond": "5m", "resolve": "2h", "escalate_after": "30m", "label": "urgent"},
        "P2": {"respond": "15m", "resolve": "8h", "escalate_after": "2h"},
    },
    "rules": [
        {
            "id": "stall",
            "kind": "tracking_stall",
            "title": "No scan",
            "when": "not final and status == 'in_transit'",
            "anchor": "last_scan",
            "after": "wait",
            "severity": "P2",
            "deadlines": {"claim": "7d"},
            "steps": [
                {
                    "after": "3d",
                    "severity": "P1",
                    "when": "scans > 1",
                    "remedy": {
                        "code": "refund",
                        "text": "Refund",
                        "items": [
                            {
                                "code": "freight",
                                "amount": "shipment.freight_cost",
                                "borne_by": "carrier",
                            }
                        ],
                    },
                    "explain": "Silent since {last_scan}",
                },
            ],
            "explain": "No scan for {now - last_scan}",
        },
        {
            "id": "held",
            "kind": "customs_hold",
            "when": "reason == 'customs_hold' and count(status='exception') >= 1",
            "severity": "P1",
            "remedy": {"code": "call", "items": [{"code": "fee", "amount": "params.limit"}]},
        },
    ],
}


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_paths(item, (*path, index)))
    return out


PATHS = _paths(VALID)[1:]


def _replace(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        return {**document, head: _replace(document[head], rest, value)}
    copy = list(document)
    copy[head] = _replace(copy[head], rest, value)
    return copy


nearly_valid = st.builds(
    _replace,
    st.just(VALID),
    st.sampled_from(PATHS),
    st.one_of(scalars, expressions, durations, names, junk, st.sampled_from(EXPRESSIONS)),
)

SPLICES = [
    "&a ",
    "*a",
    "*b",
    "<<: *a\n",
    "<<: [*a, *a]\n",
    "!!binary ",
    "!!set ",
    "!!int ",
    "!!python/name:os.system ",
    "!!timestamp ",
    "0000-01-01",
    "[",
    "]",
    "{",
    "}",
    "- ",
    ": ",
    "? ",
    "\t",
    "\x00",
    "\ufeff",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "\n",
    "  ",
    "'",
    '"',
    "#",
    "|\n",
    ">\n",
    "9" * 400,
    "1.0e+400",
    ".inf",
    ".nan",
    "\\",
    "\x85",
    "\u2028",
    "\ud800",
    '"\\U99999999"',
    '"\\x"',
]


@st.composite
def pack_texts(draw: st.DrawFn) -> str:
    document = draw(st.one_of(packs, nearly_valid))
    try:
        text = yaml.safe_dump(document, allow_unicode=draw(st.booleans()), sort_keys=False)
    except yaml.YAMLError:
        text = repr(document)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        action = draw(st.sampled_from(["splice", "delete", "duplicate", "truncate", "char"]))
        if action == "splice":
            text = text[:at] + draw(st.sampled_from(SPLICES)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=20)) :]
        elif action == "duplicate":
            size = draw(st.integers(min_value=1, max_value=80))
            text = text[:at] + text[at : at + size] * draw(st.integers(2, 4)) + text[at:]
        elif action == "truncate":
            text = text[:at]
        else:
            text = text[:at] + draw(st.characters()) + text[at + 1 :]
    return text


def _check_outcome(text: str) -> Pack | PackError:
    try:
        return loads_pack(text, file="<fuzz>")
    except PackError as error:  # anything else fails the test
        return error


@pytest.mark.slow
@BOUNDED
@given(pack_texts())
def test_any_pack_text_is_a_pack_or_a_pack_error(text: str) -> None:
    outcome = _check_outcome(text)
    if isinstance(outcome, Pack):
        tree = ast.parse(outcome.module_source)
        assert all(isinstance(node, ast.FunctionDef) for node in tree.body)
        assert all(line.isprintable() for line in outcome.module_source.split("\n"))
        return
    assert outcome.issues
    for issue in outcome.issues:
        assert isinstance(issue.code, ErrorCode)
        assert "\n" not in str(issue)
        shown = issue.to_dict()
        json.dumps(shown, allow_nan=False)  # strict JSON, whatever the input was
        if isinstance(shown["input"], str):
            assert len(shown["input"]) <= 200


@pytest.mark.slow
@BOUNDED
@given(packs)
def test_any_pack_document_is_a_pack_or_a_pack_error(document: dict[str, Any]) -> None:
    # The unmutated documents reach the later stages (validate, resolve, typecheck).
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    outcome = _check_outcome(text)
    if isinstance(outcome, PackError):
        assert all(issue.code in set(ErrorCode) for issue in outcome.issues)


@pytest.mark.slow
@BOUNDED
@given(nearly_valid)
def test_a_nearly_valid_pack_is_a_pack_or_a_pack_error(document: dict[str, Any]) -> None:
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    outcome = _check_outcome(text)
    if isinstance(outcome, PackError):
        assert all(issue.line > 0 for issue in outcome.issues), str(outcome)


def test_the_nearly_valid_template_compiles() -> None:
    pack = loads_pack(yaml.safe_dump(VALID, sort_keys=False))
    assert [rule.id for rule in pack.rules] == ["stall", "held"]
