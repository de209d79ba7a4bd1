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

Conditions are analysed symbolically: each is put in disjunctive normal form over
literals such as ``status == 'delivered'`` or ``count(...) >= 3``, and a
conjunction is contradictory when the values it allows for one operand are none.
Anything the analysis does not understand is assumed satisfiable, so a warning
is always backed by a proof.
"""

from __future__ import annotations

import ast
import importlib.resources
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

import attrs

from logix_carriers import FINAL_STATUSES

from ..core._durations import format_duration, parse_duration
from ..core._errors import located
from ._expr import ExprError
from ._pack import ENUMS, STATE_NAMES, Pack, Param, Rule, _check_selector_key, compile_probe
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


# -- literals and normal forms ---------------------------------------------------------------
# A literal constrains one term (the text of an operand, normalized): (term, op, value).
Literal = tuple[str, str, Any]
Conj = tuple[Literal, ...]
_MAX_TERMS = 64
_NEGATE = {"eq": "ne", "ne": "eq", "in": "notin", "notin": "in", "isnone": "notnone"}
_NEGATE.update({v: k for k, v in _NEGATE.items()})
_ORDER_NEG = {"lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}
_FLIP = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}
_CMP = {
    ast.Eq: "eq",
    ast.NotEq: "ne",
    ast.Lt: "lt",
    ast.LtE: "le",
    ast.Gt: "gt",
    ast.GtE: "ge",
    ast.In: "in",
    ast.NotIn: "notin",
}
_FINAL = frozenset(s.value for s in FINAL_STATUSES)
_COUNTS = frozenset(n for n, (ty, _, _) in STATE_NAMES.items() if ty.base == "number")


class _Unknown(Exception):
    """The analysis does not understand a construct (it is then assumed satisfiable)."""


class _Analyzer:
    """Puts a pack's conditions in DNF and decides satisfiability and implication."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.types: dict[str, Any] = {}

    # -- terms -----------------------------------------------------------------------
    def term(self, node: ast.expr) -> str:
        """The normalized text of an operand; ``seen(...)`` becomes ``count(...)``."""
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("seen", "count")
        ):
            keywords = sorted(node.keywords, key=lambda k: k.arg or "")
            call = ast.Call(ast.Name("count", ast.Load()), [], keywords)
            return ast.unparse(call)
        return ast.unparse(node)

    def type_of(self, term: str) -> Any:
        if term not in self.types:
            try:
                self.types[term] = compile_probe(self.pack, term).type
            except ExprError:
                self.types[term] = None
        return self.types[term]

    def constant(self, node: ast.expr) -> tuple[bool, Any]:
        """(True, value) for a literal or a param with one value for every parcel."""
        if isinstance(node, ast.Constant):
            return True, node.value
        if isinstance(node, ast.Tuple | ast.List) and all(
            isinstance(e, ast.Constant) for e in node.elts
        ):
            return True, frozenset(e.value for e in node.elts if isinstance(e, ast.Constant))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            ok, value = self.constant(node.operand)
            if ok and isinstance(value, int | float) and not isinstance(value, bool):
                return True, -value
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "params"
        ):
            param = self.pack.params.get(node.attr)
            if param is not None and not param.values:
                value = param.default
                return True, frozenset(value) if isinstance(value, tuple) else value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            scale = {"hours": 3600, "days": 86400, "minutes": 60}.get(node.func.id)
            if node.func.id == "duration" and len(node.args) == 1:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    return True, parse_duration(arg.value)
            if scale and len(node.args) == 1:
                ok, value = self.constant(node.args[0])
                if ok and isinstance(value, int | float):
                    return True, round(value * scale * 1_000_000)
        return False, None

    # -- normal form -------------------------------------------------------------------
    def dnf(self, source: str) -> list[Conj]:
        """The condition as a list of conjunctions (an empty list: never true)."""
        try:
            return self._dnf(ast.parse(source.strip(), mode="eval").body, True)
        except (_Unknown, SyntaxError):
            return [()]

    def _dnf(self, node: ast.expr, positive: bool) -> list[Conj]:
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self._dnf(node.operand, not positive)
        if isinstance(node, ast.BoolOp):
            conjunctive = isinstance(node.op, ast.And) == positive
            parts = [self._dnf(v, positive) for v in node.values]
            if not conjunctive:
                return [c for part in parts for c in part]
            out: list[Conj] = [()]
            for part in parts:
                out = [a + b for a in out for b in part]
                if len(out) > _MAX_TERMS:
                    raise _Unknown
            return out
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return [()] if node.value == positive else []
        if isinstance(node, ast.Compare):
            return self._compare(node, positive)
        literal: Literal = (self.term(node), "true", True)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "seen"
        ):
            literal = (self.term(node), "gt", 0)  # seen(...) is count(...) > 0
        return [(literal,)] if positive else self.negations(literal)

    def _compare(self, node: ast.Compare, positive: bool) -> list[Conj]:
        literals: list[Literal] = []
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            literals.extend(self._pair(left, op, right))
            left = right
        if positive:
            return [tuple(literals)]
        # not (a and b) == (not a) or (not b); a negated literal may itself be a disjunction
        out: list[Conj] = []
        for literal in literals:
            out.extend(self.negations(literal))
        return out

    def _pair(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> list[Literal]:
        if isinstance(op, ast.Is | ast.IsNot):
            return [(self.term(left), "isnone" if isinstance(op, ast.Is) else "notnone", None)]
        name = _CMP.get(type(op))
        if name is None:
            raise _Unknown
        lconst, lvalue = self.constant(left)
        rconst, rvalue = self.constant(right)
        if rconst and not lconst:
            if rvalue is None and name in ("eq", "ne"):
                return [(self.term(left), "isnone" if name == "eq" else "notnone", None)]
            return [(self.term(left), name, rvalue)]
        if lconst and not rconst and name in _FLIP:
            return [(self.term(right), _FLIP[name], lvalue)]
        # Two operands that both vary: an opaque fact about the pair, and, since order
        # comparisons are null-safe (false when a side is missing), both sides present.
        pair: list[Literal] = [(ast.unparse(ast.Compare(left, [op], [right])), "true", True)]
        if name in ("lt", "le", "gt", "ge"):
            pair += [(self.term(left), "notnone", None), (self.term(right), "notnone", None)]
        return pair

    def negate(self, literal: Literal) -> Literal:
        term, op, value = literal
        if op == "true":
            return (term, "false", True)
        if op == "false":
            return (term, "true", True)
        if op in _NEGATE:
            return (term, _NEGATE[op], value)
        raise _Unknown

    def negations(self, literal: Literal) -> list[Conj]:
        """``not literal`` in DNF: ``not x < 5`` is ``x is None or x >= 5``."""
        term, op, value = literal
        if op in _ORDER_NEG:
            out: list[Conj] = [((term, _ORDER_NEG[op], value),)]
            ty = self.type_of(term)
            if ty is None or ty.optional:
                out.append(((term, "isnone", None),))
            return out
        return [(self.negate(literal),)]

    # -- satisfiability --------------------------------------------------------------------
    def satisfiable(self, conj: Conj) -> bool:
        by_term: dict[str, list[tuple[str, Any]]] = {}
        for term, op, value in self._with_implied(conj):
            by_term.setdefault(term, []).append((op, value))
        return all(self._domain(term, ops).possible() for term, ops in by_term.items())

    def _with_implied(self, conj: Conj) -> Iterator[Literal]:
        """The literals plus what the state model implies from them."""
        for literal in conj:
            yield literal
            term, op, value = literal
            # `final` is true exactly when the status is delivered, returned or cancelled.
            if term == "final" and op == "true":
                yield ("status", "in", _FINAL)
            elif term == "final" and op == "false":
                yield ("status", "notin", _FINAL)
            elif term == "status" and op in ("eq", "in"):
                values = {value} if op == "eq" else set(value)
                if values <= _FINAL:
                    yield ("final", "true", True)
                elif not values & _FINAL:
                    yield ("final", "false", True)
            # Without a carrier scan there is no status, stage or scan clock.
            no_scan = (op == "eq" and value == 0) or (op == "lt" and value == 1)
            if term == "scans" and (no_scan or (op == "le" and value == 0)):
                for name in ("status", "stage", "last_scan", "first_scan"):
                    yield (name, "isnone", None)

    def _domain(self, term: str, ops: list[tuple[str, Any]]) -> _Domain:
        ty = self.type_of(term)
        universe: frozenset[Any] | None = None
        integer = term in _COUNTS or term.startswith("count(")
        optional = True
        if ty is not None:
            optional = ty.optional
            if ty.enum:
                universe = ENUMS[ty.enum]
            elif ty.base == "bool":
                universe = frozenset({True, False})
        domain = _Domain(universe, optional, integer)
        for op, value in ops:
            domain.apply(op, value)
        return domain

    def implies(self, a: list[Conj], b: list[Conj]) -> bool:
        """True when every way ``a`` holds is a way ``b`` holds (sufficient test)."""
        if not a:
            return True
        return all(any(self._conj_implies(x, y) for y in b) for x in a)

    def _conj_implies(self, a: Conj, b: Conj) -> bool:
        if not self.satisfiable(a):
            return True
        for literal in b:
            try:
                negated = self.negations(literal)
            except _Unknown:
                return False
            if any(self.satisfiable(a + extra) for extra in negated):
                return False
        return True

    def overlap(self, a: list[Conj], b: list[Conj]) -> bool:
        return any(self.satisfiable(x + y) for x in a for y in b)


class _Domain:
    """The values one term can still take in a conjunction."""

    def __init__(self, universe: frozenset[Any] | None, optional: bool, integer: bool) -> None:
        self.none = optional
        self.values: set[Any] | None = None if universe is None else set(universe)
        self.excluded: set[Any] = set()
        self.lo: tuple[Any, bool] | None = (0, True) if integer else None
        self.hi: tuple[Any, bool] | None = None
        self.integer = integer
        self.opaque_true = False
        self.opaque_false = False
        self.unordered = False

    def restrict(self, allowed: Iterable[Any]) -> None:
        allowed = set(allowed)
        self.values = allowed if self.values is None else self.values & allowed

    def apply(self, op: str, value: Any) -> None:
        if op == "eq":
            self.none = False
            self.restrict({value})
        elif op == "ne":
            self.excluded.add(value)
        elif op == "in":
            self.none = False
            self.restrict(value if isinstance(value, frozenset) else {value})
        elif op == "notin":
            self.excluded |= set(value) if isinstance(value, frozenset) else {value}
        elif op == "isnone":
            self.values = set()
        elif op == "notnone":
            self.none = False
        elif op == "true":
            self.none = False
            if self.values is not None and self.values <= {True, False}:
                self.restrict({True})
            else:
                self.opaque_true = True
        elif op == "false":
            if self.values is not None and self.values <= {True, False}:
                self.excluded.add(True)
            else:
                self.opaque_false = True
        elif op in ("lt", "le", "gt", "ge"):
            self.none = False
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                self.unordered = True
                return
            inclusive = op in ("le", "ge")
            if op in ("gt", "ge"):
                if self.lo is None or _tighter_lo((value, inclusive), self.lo):
                    self.lo = (value, inclusive)
            elif self.hi is None or _tighter_hi((value, inclusive), self.hi):
                self.hi = (value, inclusive)

    def _in_bounds(self, value: Any) -> bool:
        try:
            if self.lo is not None:
                lo, inc = self.lo
                if value < lo or (value == lo and not inc):
                    return False
            if self.hi is not None:
                hi, inc = self.hi
                if value > hi or (value == hi and not inc):
                    return False
        except TypeError:
            return True
        return True

    def possible(self) -> bool:
        if self.opaque_true and self.opaque_false:
            return False
        return self.none or self._some_value()

    def _some_value(self) -> bool:
        if self.values is not None:
            return any(v not in self.excluded and self._in_bounds(v) for v in self.values)
        if self.unordered or self.lo is None or self.hi is None:
            return True
        (lo, lo_inc), (hi, hi_inc) = self.lo, self.hi
        try:
            if lo > hi or (lo == hi and not (lo_inc and hi_inc)):
                return False
            if lo == hi:
                return lo not in self.excluded
            if self.integer and isinstance(lo, int | float) and isinstance(hi, int | float):
                first = int(lo) if lo_inc and float(lo).is_integer() else int(lo) + 1
                last = int(hi) if hi_inc and float(hi).is_integer() else _ceil(hi) - 1
                return any(n not in self.excluded for n in range(first, min(last, first + 64) + 1))
        except TypeError:
            return True
        return True


def _ceil(value: float) -> int:
    whole = int(value)
    return whole if whole == value else whole + 1


def _tighter_lo(new: tuple[Any, bool], old: tuple[Any, bool]) -> bool:
    try:
        return bool(new[0] > old[0] or (new[0] == old[0] and not new[1]))
    except TypeError:
        return False


def _tighter_hi(new: tuple[Any, bool], old: tuple[Any, bool]) -> bool:
    try:
        return bool(new[0] < old[0] or (new[0] == old[0] and not new[1]))
    except TypeError:
        return False


# -- params under every context --------------------------------------------------------------
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


_PARAM_REF = re.compile(r"^params\.([a-z][a-z0-9_]*)$")
_DURATION_LIT = re.compile(r"^duration\('([^']*)'\)$")


def _threshold(pack: Pack, source: str | None, context: Context) -> tuple[int | None, str]:
    """A rung's threshold in microseconds under ``context``, and how to name it."""
    if source is None:
        return 0, "0s"
    text = source.strip()
    literal = _DURATION_LIT.match(text)
    if literal:
        return parse_duration(literal.group(1)), literal.group(1)
    ref = _PARAM_REF.match(text)
    if ref and ref.group(1) in pack.params:
        param = pack.params[ref.group(1)]
        value = _value(param, context)
        return (value if isinstance(value, int) else None), param.name
    return None, text


def _params_in(source: str | None) -> list[str]:
    return re.findall(r"\bparams\.([a-z][a-z0-9_]*)", source or "")


def _span(micros: int) -> str:
    from ..runtime._explain import format_span

    return format_span(micros)


def _named(name: str, micros: int) -> str:
    """``stall_after = 24h``, or just ``24h`` for a literal threshold."""
    value = _span(micros)
    return value if name in (value, format_duration(micros)) else f"{name} = {value}"


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
        name = file[len("<builtin>/") :]
        return importlib.resources.files("logix_rules").joinpath("packs", name).read_text("utf-8")
    path = Path(file)
    try:
        return path.read_text("utf-8")
    except OSError:
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


_CODE_PARAM = re.compile(r"\bp\.([a-z][a-z0-9_]*)")


def _unused_params(pack: Pack, where: _Locator) -> Iterator[PackWarning]:
    used: set[str] = set()
    for source_line in pack.module_source.splitlines():
        code = source_line.strip()
        if code.startswith("#"):
            continue
        used.update(_CODE_PARAM.findall(code))
    for name in pack.params:
        if name not in used:
            file, line, column = where.param(name)
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
