"""The symbolic analysis behind ``logix check --strict``: satisfiability and implication
of a pack's conditions.

Conditions are analysed symbolically: each is put in disjunctive normal form over
literals such as ``status == 'delivered'`` or ``count(...) >= 3``, and a
conjunction is contradictory when the values it allows for one operand are none.
Anything the analysis does not understand is assumed satisfiable, so a warning
is always backed by a proof.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from typing import Any

from logix_carriers import FINAL_STATUSES

from ..core._durations import parse_duration
from ._expr_limits import parse_expression
from ._expr_types import ExprError
from ._model import Pack
from ._namespace import ENUMS, STATE_NAMES
from ._probe import compile_probe

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
            return self._dnf(parse_expression(source).body, True)
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
