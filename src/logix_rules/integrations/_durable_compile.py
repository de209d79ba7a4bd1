"""A pack compiled into a durable_rules ruleset (``compile_pack``).

A rule is a match on the observation fact; each ladder step of a time rule is also
a join of that fact with the clock fact (see ``_durable_backend``).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ..compiler._load import load_pack
from ..compiler._model import Pack, Rule
from ._durable_conditions import (
    _FALSE,
    _and,
    _Const,
    _exists,
    _Field,
    _Layout,
    _Translator,
    _Unsupported,
)
from ._durable_reports import UnsupportedRule, UnsupportedRulesError, UnsupportedRulesWarning

__all__ = ["DurableProgram", "compile_pack"]

# The two kinds of fact a session holds: one observation per shipment, one clock.
_STATE = {"k": "state"}
_CLOCK = {"k": "clock"}


@attrs.frozen(eq=False)
class DurableProgram:
    """A pack compiled for durable_rules.

    ``definition`` is the ruleset in durable_rules' JSON form (without the actions,
    which the backend attaches); ``targets`` maps each durable rule to the pack rule
    and ladder step it stands for; ``unsupported`` lists the rules left out.
    """

    pack: Pack
    definition: Mapping[str, Any]
    targets: Mapping[str, tuple[int, int]]
    supported: tuple[str, ...]
    unsupported: tuple[UnsupportedRule, ...]
    layout: _Layout = attrs.field(repr=False)

    def to_json(self) -> str:
        return json.dumps(dict(self.definition), indent=2, sort_keys=True)


def compile_pack(pack: Pack | str, *, strict: bool = False) -> DurableProgram:
    """Compile ``pack`` for durable_rules (durable-rules need not be installed).

    Rules it cannot express are reported by name: an ``UnsupportedRulesWarning``, or
    ``UnsupportedRulesError`` with ``strict=True``.
    """
    compiled = load_pack(pack) if isinstance(pack, str) else pack
    layout = _Layout(compiled)
    definition: dict[str, Any] = {}
    targets: dict[str, tuple[int, int]] = {}
    supported: list[str] = []
    unsupported: list[UnsupportedRule] = []
    for rule in compiled.rules:
        # Translate into a scratch layout first so a rule that fails half-way leaves
        # no trace in the fact layout.
        scratch = _Layout(compiled)
        scratch.trackers = list(layout.trackers)
        try:
            parts = _compile_rule(rule, _Translator(compiled, scratch))
        except _Unsupported as exc:
            unsupported.append(UnsupportedRule(rule.id, rule.kind, exc.reason))
            continue
        except SyntaxError as exc:
            unsupported.append(UnsupportedRule(rule.id, rule.kind, f"unparsable: {exc.msg}"))
            continue
        layout.state |= scratch.state
        layout.shipment |= scratch.shipment
        layout.params |= scratch.params
        layout.event |= scratch.event
        layout.attrs |= scratch.attrs
        layout.trackers = scratch.trackers
        for name, body, step in parts:
            definition[name] = body
            targets[name] = (rule.index, step)
        supported.append(rule.id)
    program = DurableProgram(
        compiled,
        MappingProxyType(definition),
        MappingProxyType(targets),
        tuple(supported),
        tuple(unsupported),
        layout,
    )
    if program.unsupported:
        if strict:
            raise UnsupportedRulesError(program.unsupported, compiled.name)
        warnings.warn(UnsupportedRulesWarning(program.unsupported, compiled.name), stacklevel=2)
    return program


def _compile_rule(rule: Rule, tr: _Translator) -> list[tuple[str, dict[str, Any], int]]:
    when = tr.cond(tr.parse(rule.when_source))
    if rule.anchor_source is None:
        if when is _FALSE:
            return []
        return [(rule.id, {"all": [{"m": _and(_STATE, when)}]}, 0)]
    anchor = tr.term(tr.parse(rule.anchor_source))
    if not isinstance(anchor, _Field) or anchor.base != "datetime":
        raise _Unsupported("an anchor that is not a plain time value")
    out: list[tuple[str, dict[str, Any], int]] = []
    for step in rule.steps:
        if step.after_source is None:
            raise _Unsupported("a ladder step without 'after'")
        after = tr.term(tr.parse(step.after_source))
        if isinstance(after, _Const) and isinstance(after.value, int):
            after_m: Any = after.value
            after_st: Any = after.value
        elif isinstance(after, _Field) and not after.optional and after.base == "duration":
            after_m, after_st = {"$m": after.key}, {"st": after.key}
        else:
            raise _Unsupported("an 'after' that is not a duration or a duration parameter")
        cond = when
        if step.when_source is not None:
            cond = _and(cond, tr.cond(tr.parse(step.when_source)))
        if cond is _FALSE:
            continue
        state = _and(_STATE, cond, _exists(anchor))
        due_m = {"$add": {"$l": {"$m": anchor.key}, "$r": after_m}}
        due_st = {"$add": {"$l": {"st": anchor.key}, "$r": after_st}}
        # Evaluated at the shipment's latest event (as the core engine does when an
        # event arrives) and at the clock that advance() moves.
        out.append(
            (
                f"{rule.id}#{step.index}@event",
                {"all": [{"m": _and(state, {"$ex": {"at": 1}}, {"$gte": {"at": due_m}})}]},
                step.index,
            )
        )
        clock = _and(_CLOCK, {"$gte": {"now": due_st}})
        out.append(
            (f"{rule.id}#{step.index}@clock", {"all": [{"st": state}, {"clk": clock}]}, step.index)
        )
        if step.when_source is not None:
            # The due time is an evaluation point even when the step's own test fails:
            # a shipment without events is evaluated only at such points.
            base = _and(_STATE, when, _exists(anchor))
            out.append(
                (f"{rule.id}#{step.index}@mark", {"all": [{"st": base}, {"clk": clock}]}, -1)
            )
    return out
