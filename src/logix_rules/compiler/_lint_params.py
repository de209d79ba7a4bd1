"""Params under every context for ``logix check --strict``: the parcels' situations
(country, lane, scope...) under which params take different values, and a rung's
threshold in each."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..core._durations import format_duration, format_span, parse_duration
from ._model import Pack, Param, _check_selector_key

Context = Mapping[str, str]


def _selector_of(param: Param, key: str) -> str | None:
    for by in param.by or ():
        if _check_selector_key(by, key) is None:
            return by
    return None


def _facts(context: Context) -> dict[str, str]:
    facts = dict(context)
    lane = facts.get("lane")
    if lane and "-" in lane:
        origin, destination = lane.split("-", 1)
        facts.setdefault("origin_country", origin)
        facts.setdefault("destination_country", destination)
        facts.setdefault("scope", "cross_border" if origin != destination else "domestic")
    return facts


def _value(param: Param, context: Context) -> Any:
    facts = _facts(context)
    for by in param.by or ():
        chosen = facts.get(by)
        if chosen is not None and chosen in param.values:
            return param.values[chosen]
    return param.default


def _contexts(params: Iterable[Param]) -> list[dict[str, str]]:
    """The parcels' situations under which these params can take different values."""
    pairs: list[tuple[str, str]] = []
    for param in params:
        for key in param.values:
            selector = _selector_of(param, key)
            if selector is not None and (selector, key) not in pairs:
                pairs.append((selector, key))
    out: list[dict[str, str]] = [{}]
    out.extend({selector: key} for selector, key in pairs)
    for (s1, k1), (s2, k2) in itertools.combinations(pairs, 2):
        if s1 != s2 and len(out) < 256:
            out.append({s1: k1, s2: k2})
    return out


def _describe(context: Context) -> str:
    if not context:
        return "by default"
    return "for " + ", ".join(f"{k}={v}" for k, v in context.items())


_PARAM_REF = re.compile(r"params\.([a-z][a-z0-9_]*)")
_DURATION_LIT = re.compile(r"duration\('([^']*)'\)")


def _threshold(pack: Pack, source: str | None, context: Context) -> tuple[int | None, str]:
    """A rung's threshold in microseconds under ``context``, and how to name it."""
    if source is None:
        return 0, "0s"
    text = source.strip()
    literal = _DURATION_LIT.fullmatch(text)
    if literal:
        return parse_duration(literal.group(1)), literal.group(1)
    ref = _PARAM_REF.fullmatch(text)
    if ref and ref.group(1) in pack.params:
        param = pack.params[ref.group(1)]
        value = _value(param, context)
        return (value if isinstance(value, int) else None), param.name
    return None, text


def _params_in(source: str | None) -> list[str]:
    return re.findall(r"\bparams\.([a-z][a-z0-9_]*)", source or "")


def _named(name: str, micros: int) -> str:
    """``stall_after = 24h``, or just ``24h`` for a literal threshold."""
    value = format_span(micros)
    return value if name in (value, format_duration(micros)) else f"{name} = {value}"
