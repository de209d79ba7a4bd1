"""``compact_json``: the state codec's JSON writer made once must write exactly what
``json.JSONEncoder`` writes with the same options (the bytes of a state depend on it)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from logix_rules.runtime._state_parts import compact_json

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=5).map(tuple),
        st.dictionaries(st.text(max_size=5), inner, max_size=5),
    ),
    max_leaves=30,
)


def reference(value: Any, ensure_ascii: bool) -> str:
    return json.JSONEncoder(
        separators=(",", ":"), ensure_ascii=ensure_ascii, check_circular=False
    ).encode(value)


@given(VALUES, st.booleans())
def test_writes_what_the_json_encoder_writes(value: Any, ensure_ascii: bool) -> None:
    assert compact_json(ensure_ascii)(value) == reference(value, ensure_ascii)


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_non_ascii_text_floats_and_a_bare_string(ensure_ascii: bool) -> None:
    encode = compact_json(ensure_ascii)
    values = ["Zürich \u2028 \ud800", [83.13, 1e300, -0.0, math.inf, math.nan], {"é": (1, "ß")}]
    for value in values:
        assert encode(value) == reference(value, ensure_ascii)
    assert compact_json(True)("é") == '"\\u00e9"'
    assert compact_json(False)("é") == '"é"'


def test_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        compact_json(True)([object()])
