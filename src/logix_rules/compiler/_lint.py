"""``logix check --strict``: warnings about packs that compile but cannot be right.

The compiler rejects what is wrong in itself (unknown names, bad types).  These
checks look at the pack as a whole, after every param is resolved:

* ``never_fires``: a rule whose condition is contradictory (``status == 'a' and
  status == 'b'``, ``final and status == 'in_transit'``); ``step_unreachable``: a
  rung whose own condition contradicts its rule's;
* ``ladder_order``: a ladder whose rungs do not come later and later, or that
  lowers the severity, under any param value (per country, per lane...);
* ``unused_param``: a param that no expression of the pack reads;
* ``severity_conflict``: two rules raising one kind with different severities
  that can hold at the same time (the incident takes the most severe, so the
  milder rule is silently overridden) -- except when the more severe rule is a
  special case of the milder one, which is how a pack escalates on purpose;
* ``threshold_conflict``: on one clock (the same anchor), a more severe rule
  due before a milder one, e.g. a "lost" silence shorter than a "stall" silence.

The conditions are analysed symbolically (``_lint_conditions``), thresholds under every
value the params take (``_lint_params``); a warning is always backed by a proof.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import attrs

from ..core._errors import located
from ._lint_conditions import Conj, _Analyzer
from ._lint_params import Context, _contexts, _describe, _named, _params_in, _threshold
from ._model import Pack, Rule
from ._pack_files import Unreadable, read_builtin, read_pack_file
from ._yaml import Marks, load_marked

__all__ = ["PackWarning", "WarningCode", "lint_pack"]


class WarningCode(StrEnum):
    """Stable codes of ``logix check --strict`` warnings."""

    NEVER_FIRES = "never_fires"
    STEP_UNREACHABLE = "step_unreachable"
    LADDER_ORDER = "ladder_order"
    UNUSED_PARAM = "unused_param"
    SEVERITY_CONFLICT = "severity_conflict"
    THRESHOLD_CONFLICT = "threshold_conflict"


@attrs.frozen
class PackWarning:
    """A problem ``lint_pack`` proved about a pack that compiles."""

    code: WarningCode
    msg: str
    file: str = "<pack>"
    line: int = 0
    column: int = 0
    rule_id: str | None = None
    hint: str = ""

    def __str__(self) -> str:
        label = f"warning {self.code.value}"
        return located(self.file, self.line, self.column, label, self.msg, self.rule_id, self.hint)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "msg": self.msg,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "rule_id": self.rule_id,
            "hint": self.hint,
        }


# -- locations -------------------------------------------------------------------------------
class _Locator:
    """Finds where a rule or param is written, in the pack or the packs it extends."""

    def __init__(self, pack: Pack) -> None:
        self.docs: list[tuple[str, Any, Marks]] = []
        for file in (pack.file, *reversed(pack.extends)):
            text = _read(file)
            if text is None:
                continue
            data, marks, problems = load_marked(text, file)
            if not problems and isinstance(data, dict):
                self.docs.append((file, data, marks))

    def rule(self, rule: Rule, *path: str | int) -> tuple[str, int, int]:
        for file, data, marks in self.docs:
            rules = data.get("rules")
            if not isinstance(rules, list):
                continue
            for index, raw in enumerate(rules):
                if isinstance(raw, dict) and raw.get("id") == rule.id:
                    return (file, *_mark(marks, ("rules", index, *path)))
        return rule.file, rule.line, 0

    def param(self, name: str, *path: str | int) -> tuple[str, int, int]:
        # The pack itself first: that is where an override sets the figure in force.
        for file, data, marks in self.docs:
            params = data.get("params")
            if isinstance(params, dict) and name in params:
                return (file, *_mark(marks, ("params", name, *path)))
        return self.docs[0][0] if self.docs else "<pack>", 0, 0


def _mark(marks: Marks, path: tuple[str | int, ...]) -> tuple[int, int]:
    while path not in marks and path:
        path = path[:-1]
    return marks.get(path, (0, 0))


def _read(file: str) -> str | None:
    if file.startswith("<builtin>/"):
        return read_builtin(file[len("<builtin>/") : -len(".yaml")])[0]
    try:
        return read_pack_file(Path(file))
    except Unreadable:
        return None


# -- the checks ------------------------------------------------------------------------------
def lint_pack(pack: Pack) -> list[PackWarning]:
    """Every ``--strict`` warning about a compiled pack, in file order."""
    analyzer = _Analyzer(pack)
    where = _Locator(pack)
    warnings: list[PackWarning] = []
    conditions = {rule.id: analyzer.dnf(rule.when_source) for rule in pack.rules}
    warnings.extend(_never_fires(pack, analyzer, where, conditions))
    warnings.extend(_ladders(pack, where))
    warnings.extend(_unused_params(pack, where))
    warnings.extend(_severity_conflicts(pack, analyzer, where, conditions))
    warnings.extend(_threshold_conflicts(pack, analyzer, where, conditions))
    return sorted(warnings, key=lambda w: (w.file, w.line, w.column, w.code.value))


def _never_fires(
    pack: Pack, analyzer: _Analyzer, where: _Locator, conditions: dict[str, list[Conj]]
) -> Iterator[PackWarning]:
    for rule in pack.rules:
        dnf = conditions[rule.id]
        if not any(analyzer.satisfiable(c) for c in dnf):
            file, line, column = where.rule(rule, "when")
            yield PackWarning(
                WarningCode.NEVER_FIRES,
                f"rule {rule.id!r} can never fire: its condition `{rule.when_source}` "
                "contradicts itself",
                file,
                line,
                column,
                rule.id,
                "Check the values it compares: one operand cannot equal two things, and "
                "'final' means status delivered, returned or cancelled.",
            )
            continue
        for step in rule.steps[1:]:
            if step.when_source is None:
                continue
            both = [a + b for a in dnf for b in analyzer.dnf(step.when_source)]
            if not any(analyzer.satisfiable(c) for c in both):
                file, line, column = where.rule(rule, "steps", step.index - 1, "when")
                yield PackWarning(
                    WarningCode.STEP_UNREACHABLE,
                    f"rung {step.index} of rule {rule.id!r} can never be reached: its "
                    f"condition `{step.when_source}` contradicts the rule's "
                    f"`{rule.when_source}`",
                    file,
                    line,
                    column,
                    rule.id,
                )


def _ladders(pack: Pack, where: _Locator) -> Iterator[PackWarning]:
    for rule in pack.rules:
        if len(rule.steps) < 2:
            continue
        names = [p for s in rule.steps for p in _params_in(s.after_source)]
        params = [pack.params[n] for n in dict.fromkeys(names) if n in pack.params]
        reported: set[int] = set()
        for context in _contexts(params):
            previous: tuple[int, str] | None = None
            for step in rule.steps:
                value, name = _threshold(pack, step.after_source, context)
                if value is None:
                    previous = None
                    continue
                if previous is not None and value <= previous[0] and step.index not in reported:
                    reported.add(step.index)
                    file, line, column = where.rule(rule, "steps", step.index - 1, "after")
                    yield PackWarning(
                        WarningCode.LADDER_ORDER,
                        f"rule {rule.id!r}: rung {step.index} ({_named(name, value)}) does "
                        f"not come after rung {step.index - 1} "
                        f"({_named(previous[1], previous[0])}) {_describe(context)}",
                        file,
                        line,
                        column,
                        rule.id,
                        "A ladder climbs: give each rung a later threshold than the one "
                        "before, for every country, lane or scope the params vary by.",
                    )
                previous = (value, name)
        for before, step in itertools.pairwise(rule.steps):
            if step.rank > before.rank:
                file, line, column = where.rule(rule, "steps", step.index - 1, "severity")
                yield PackWarning(
                    WarningCode.LADDER_ORDER,
                    f"rule {rule.id!r}: rung {step.index} lowers the severity from "
                    f"{before.severity} to {step.severity}",
                    file,
                    line,
                    column,
                    rule.id,
                    "Later rungs of a ladder should be as severe or more severe.",
                )


#: Params that logix itself reads, not a rule (the store's retention; the currency
#: conversion of money params).
HOST_PARAMS = frozenset({"retention", "base_currency", "fx_rates"})

_CODE_PARAM = re.compile(r"\bp\.([a-z][a-z0-9_]*)")


def _unused_params(pack: Pack, where: _Locator) -> Iterator[PackWarning]:
    used: set[str] = set()
    for source_line in pack.module_source.splitlines():
        code = source_line.strip()
        if code.startswith("#"):
            continue
        used.update(_CODE_PARAM.findall(code))
    for name in pack.params:
        if name not in used and name not in HOST_PARAMS:
            file, line, column = where.param(name)
            if file in pack.extends:
                # Declared only by a base pack: the user cannot remove it, and a rule
                # they disabled leaving it unread is what they meant.
                continue
            yield PackWarning(
                WarningCode.UNUSED_PARAM,
                f"param {name!r} is not used by any rule",
                file,
                line,
                column,
                None,
                f"Use it as params.{name} (or '{name}' in after:), or remove it.",
            )


def _severity_conflicts(
    pack: Pack, analyzer: _Analyzer, where: _Locator, conditions: dict[str, list[Conj]]
) -> Iterator[PackWarning]:
    for first, second in itertools.combinations(pack.rules, 2):
        if first.kind != second.kind:
            continue
        a, b = first.steps[0], second.steps[0]
        if a.rank == b.rank:
            continue
        ca, cb = conditions[first.id], conditions[second.id]
        if not analyzer.overlap(ca, cb):
            continue
        severe, mild = (first, second) if a.rank < b.rank else (second, first)
        c_severe, c_mild = conditions[severe.id], conditions[mild.id]
        if analyzer.implies(c_severe, c_mild):
            continue  # the severe rule is a special case of the mild one: an escalation
        # Point at the rule this pack wrote, when the other one comes from a base pack.
        spot = severe if severe.file == pack.file and mild.file != pack.file else mild
        file, line, column = where.rule(spot, "severity")
        s_sev, m_sev = severe.steps[0].severity, mild.steps[0].severity
        if analyzer.implies(c_mild, c_severe):
            msg = (
                f"rule {mild.id!r} ({m_sev}) is a special case of rule {severe.id!r} "
                f"({s_sev}), both raising {mild.kind!r}: whenever it holds the incident "
                f"is {s_sev}, so its {m_sev} never shows"
            )
        else:
            msg = (
                f"rules {severe.id!r} ({s_sev}) and {mild.id!r} ({m_sev}) both raise "
                f"{mild.kind!r} and can hold at the same time; the incident then takes "
                f"{s_sev}"
            )
        yield PackWarning(
            WarningCode.SEVERITY_CONFLICT,
            msg,
            file,
            line,
            column,
            spot.id,
            "Make the conditions exclusive, or give the rules one severity.",
        )


def _threshold_conflicts(
    pack: Pack, analyzer: _Analyzer, where: _Locator, conditions: dict[str, list[Conj]]
) -> Iterator[PackWarning]:
    timed = [r for r in pack.rules if r.anchor_source is not None]
    # early rule id -> (context, early rung, later milder rungs of other rules)
    found: dict[str, tuple[Context, _Rung, list[_Rung]]] = {}
    for first, second in itertools.combinations(timed, 2):
        if first.anchor_source != second.anchor_source:
            continue
        if not analyzer.overlap(conditions[first.id], conditions[second.id]):
            continue
        names = [p for r in (first, second) for s in r.steps for p in _params_in(s.after_source)]
        params = [pack.params[n] for n in dict.fromkeys(names) if n in pack.params]
        for context in _contexts(params):
            conflict = _first_conflict(pack, (first, second), context)
            if conflict is None:
                continue
            early, late = conflict
            entry = found.setdefault(early.rule.id, (context, early, []))
            if entry[1] == early and all(r.rule is not late.rule for r in entry[2]):
                entry[2].append(late)
            break
    for where_true, early, lates in found.values():
        rule = early.rule
        if early.name in pack.params:
            file, line, column = where.param(early.name)
        else:
            file, line, column = where.rule(rule, "after")
        late = lates[0]
        others = "".join(f" (and rule {r.rule.id!r})" for r in lates[1:])
        yield PackWarning(
            WarningCode.THRESHOLD_CONFLICT,
            f"thresholds contradict {_describe(where_true)}: rule {rule.id!r} raises "
            f"{rule.kind!r} ({early.severity}) {_named(early.name, early.after)} after "
            f"{rule.anchor_source}, before rule {late.rule.id!r} raises {late.rule.kind!r} "
            f"({late.severity}) at {_named(late.name, late.after)}{others}",
            file,
            line,
            column,
            rule.id,
            "On one clock the more severe exception should come later (a parcel is "
            "stalled before it is presumed lost); check those params.",
        )


@attrs.frozen
class _Rung:
    rule: Rule
    after: int
    rank: int
    severity: str
    name: str


def _first_conflict(
    pack: Pack, rules: tuple[Rule, Rule], context: Context
) -> tuple[_Rung, _Rung] | None:
    """A rung due before a milder rung of the other rule, under ``context``."""
    rungs = []
    for rule in rules:
        for step in rule.steps:
            value, name = _threshold(pack, step.after_source, context)
            if value is not None:
                rungs.append(_Rung(rule, value, step.rank, step.severity, name))
    for early, late in itertools.permutations(rungs, 2):
        if early.rule is not late.rule and early.after < late.after and early.rank < late.rank:
            return early, late
    return None
