"""Condition-language expressions as durable_rules conditions (``_Translator``).

Values the conditions read are properties of the per-shipment observation fact
(``_Field``); ``_Layout`` collects which properties the compiled rules need.  What
durable_rules cannot evaluate with the core engine's (null-safe) meaning raises
``_Unsupported`` with the reason.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from typing import Any

import attrs

from ..compiler._expr_limits import parse_expression
from ..compiler._model import Pack
from ..core._durations import MICROS, parse_duration

__all__: list[str] = []

_SAFE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Unsupported(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_NO_DEFAULT: Any = object()


@attrs.frozen
class _Field:
    """A property of the observation fact.  ``default`` is ``attr()``'s fallback."""

    key: str
    optional: bool
    base: str
    default: Any = _NO_DEFAULT


@attrs.frozen
class _Const:
    value: Any


@attrs.frozen
class _Arith:
    op: str
    left: _Term
    right: _Term
    base: str


_Term = _Field | _Const | _Arith
_Cond = Any  # a durable_rules condition (JSON-ready), or _TRUE / _FALSE


class _Truth:
    def __init__(self, value: bool) -> None:
        self.value = value


_TRUE = _Truth(True)
_FALSE = _Truth(False)

# name -> (fact key, optional, base)
_STATE_NAMES: dict[str, tuple[str, bool, str]] = {
    "status": ("status", True, "str"),
    "stage": ("stage", True, "str"),
    "reason": ("reason", True, "str"),
    "final": ("final", False, "bool"),
    "delivered_at": ("delivered_at", True, "datetime"),
    "first_event": ("first_event", True, "datetime"),
    "last_event": ("last_event", True, "datetime"),
    "first_scan": ("first_scan", True, "datetime"),
    "last_scan": ("last_scan", True, "datetime"),
    "status_entered": ("status_entered", True, "datetime"),
    "stage_entered": ("stage_entered", True, "datetime"),
    "events": ("n_events", False, "number"),
    "scans": ("n_scans", False, "number"),
    "stage_regressions": ("regressions", False, "number"),
    "events_after_delivery": ("after_delivery", False, "number"),
    "estimated_delivery": ("estimated_delivery", True, "datetime"),
}
_SHIPMENT_FIELDS: dict[str, tuple[bool, str]] = {
    "tracking_number": (False, "str"),
    "carrier": (False, "str"),
    "origin_country": (True, "str"),
    "destination_country": (True, "str"),
    "lane": (True, "str"),
    "cross_border": (False, "bool"),
    "service_level": (True, "str"),
    "shipped_at": (True, "datetime"),
    "promised_at": (True, "datetime"),
    "declared_value": (True, "number"),
    "freight_cost": (True, "number"),
    "currency": (True, "str"),
    "insured": (True, "bool"),
    "insured_value": (True, "number"),
    "category": (True, "str"),
    "order_id": (True, "str"),
}
_EVENT_FIELDS: dict[str, tuple[bool, str]] = {
    "status": (True, "str"),
    "stage": (True, "str"),
    "reason": (True, "str"),
    "at": (True, "datetime"),
    "system": (True, "str"),
    "report": (False, "bool"),
    "country": (True, "str"),
    "code": (True, "str"),
}
_PARAM_BASES = {
    "duration": "duration",
    "number": "number",
    "integer": "number",
    "percent": "number",
    "money": "number",
    "string": "str",
    "boolean": "bool",
    "strings": "list",
}
_SCALES = {"hours": 3600, "days": 86400, "minutes": 60}
_CMP = {
    ast.Eq: "$eq",
    ast.NotEq: "$neq",
    ast.Lt: "$lt",
    ast.LtE: "$lte",
    ast.Gt: "$gt",
    ast.GtE: "$gte",
}
_FLIP = {"$eq": "$eq", "$neq": "$neq", "$lt": "$gt", "$lte": "$gte", "$gt": "$lt", "$gte": "$lte"}
_INVERSE = {
    "$eq": "$neq",
    "$neq": "$eq",
    "$lt": "$gte",
    "$lte": "$gt",
    "$gt": "$lte",
    "$gte": "$lt",
}
_PY_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": operator.eq,
    "$neq": operator.ne,
    "$lt": operator.lt,
    "$lte": operator.le,
    "$gt": operator.gt,
    "$gte": operator.ge,
}
_ARITH = {ast.Add: "$add", ast.Sub: "$sub", ast.Mult: "$mul", ast.Div: "$div"}
_INT_BASES = frozenset({"datetime", "duration"})


def _and(*parts: _Cond) -> _Cond:
    kept: list[Any] = []
    for part in parts:
        if part is _FALSE:
            return _FALSE
        if part is _TRUE:
            continue
        if isinstance(part, dict) and set(part) == {"$and"}:
            kept.extend(part["$and"])
        else:
            kept.append(part)
    if not kept:
        return _TRUE
    return kept[0] if len(kept) == 1 else {"$and": kept}


def _or(*parts: _Cond) -> _Cond:
    kept: list[Any] = []
    for part in parts:
        if part is _TRUE:
            return _TRUE
        if part is _FALSE:
            continue
        if isinstance(part, dict) and set(part) == {"$or"}:
            kept.extend(part["$or"])
        else:
            kept.append(part)
    if not kept:
        return _FALSE
    return kept[0] if len(kept) == 1 else {"$or": kept}


def _exists(field: _Field) -> _Cond:
    return {"$ex": {field.key: 1}} if field.optional else _TRUE


def _missing(field: _Field) -> _Cond:
    return {"$nex": {field.key: 1}} if field.optional else _FALSE


def _refs(term: _Term) -> list[_Field]:
    if isinstance(term, _Field):
        return [term]
    if isinstance(term, _Arith):
        return _refs(term.left) + _refs(term.right)
    return []


def _json(term: _Term, alias: str) -> Any:
    if isinstance(term, _Const):
        return term.value
    if isinstance(term, _Field):
        return {alias: term.key}
    return {term.op: {"$l": _json(term.left, alias), "$r": _json(term.right, alias)}}


def _base(term: _Term) -> str:
    if isinstance(term, _Const):
        value = term.value
        if value is None:
            return "none"
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, int | float):
            return "number"
        if isinstance(value, tuple):
            return "list"
        return "str"
    return term.base


class _Layout:
    """What the observation fact must carry for the compiled rules, and how to fill it."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        self.state: set[str] = set()  # fact keys, named like the _Obs attributes
        self.shipment: set[str] = set()
        self.params: set[str] = set()
        self.event: set[str] = set()
        self.trackers: list[tuple[tuple[str, tuple[Any, ...]], ...]] = []
        self.attrs: set[str] = set()

    def tracker(self, filters: tuple[tuple[str, tuple[Any, ...]], ...]) -> int:
        if filters not in self.trackers:
            self.trackers.append(filters)
        return self.trackers.index(filters)


class _Translator:
    """Condition-language expressions -> durable_rules conditions, or ``_Unsupported``.

    The pack compiler already proved every expression well-typed; this only decides
    whether durable_rules can evaluate it with the same (null-safe) meaning.
    """

    def __init__(self, pack: Pack, layout: _Layout) -> None:
        self.pack = pack
        self.layout = layout

    @staticmethod
    def parse(source: str) -> ast.expr:
        return parse_expression(source).body

    # -- terms ----------------------------------------------------------------------
    def term(self, node: ast.expr) -> _Term:
        if isinstance(node, ast.Constant):
            return _Const(node.value)
        if isinstance(node, ast.Tuple | ast.List):
            return _Const(tuple(e.value for e in node.elts if isinstance(e, ast.Constant)))
        if isinstance(node, ast.Name):
            if node.id not in _STATE_NAMES:
                raise _Unsupported(f"the name {node.id!r} is not known to the backend")
            key, optional, base = _STATE_NAMES[node.id]
            self.layout.state.add(key)
            return _Field(key, optional, base)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return self.attribute(node.value.id, node.attr)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node.func.id, node)
        if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
            return self.arith(_ARITH[type(node.op)], self.term(node.left), self.term(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.term(node.operand)
            if isinstance(inner, _Const):
                return _Const(-inner.value)
            raise _Unsupported("a negated value that is not a literal")
        raise _Unsupported(f"{type(node).__name__} expressions")

    def attribute(self, obj: str, name: str) -> _Term:
        if obj == "shipment" and name in _SHIPMENT_FIELDS:
            optional, base = _SHIPMENT_FIELDS[name]
            self.layout.shipment.add(name)
            return _Field(f"sh_{name}", optional, base)
        if obj == "event" and name in _EVENT_FIELDS:
            optional, base = _EVENT_FIELDS[name]
            self.layout.event.add(name)
            return _Field(f"ev_{name}", optional, base)
        if obj == "params" and name in self.pack.params:
            param = self.pack.params[name]
            base = _PARAM_BASES[param.type]
            # Money is converted into each shipment's currency: it varies like a by: map.
            if (not param.by or not param.values) and param.type != "money":
                return _Const(param.default)
            if base == "list":
                raise _Unsupported(f"the list parameter {name!r} varies per shipment")
            self.layout.params.add(name)
            return _Field(f"p_{name}", False, base)
        raise _Unsupported(f"{obj}.{name} is not known to the backend")

    def call(self, name: str, node: ast.Call) -> _Term:
        args = node.args
        if name == "duration" and args and isinstance(args[0], ast.Constant):
            return _Const(parse_duration(str(args[0].value)))
        if (
            name in _SCALES
            and args
            and isinstance(args[0], ast.Constant)
            and isinstance(args[0].value, int | float)
        ):
            return _Const(round(args[0].value * _SCALES[name] * MICROS))
        if name in ("count", "first", "last"):
            index = self.tracker(node)
            if name == "count":
                return _Field(f"t{index}_n", False, "number")
            return _Field(f"t{index}_{name}", True, "datetime")
        if name == "attr" and len(args) == 2 and isinstance(args[0], ast.Constant):
            attr_name = str(args[0].value)
            if not _SAFE_KEY.match(attr_name):
                raise _Unsupported(f"the attribute name {attr_name!r} is not a plain identifier")
            default = args[1].value if isinstance(args[1], ast.Constant) else None
            base = self.pack.attr_types.get(attr_name, "any")
            self.layout.attrs.add(attr_name)
            return _Field(f"a_{attr_name}", True, base, _NO_DEFAULT if default is None else default)
        raise _Unsupported(f"the function {name}() has no durable_rules equivalent")

    def tracker(self, node: ast.Call) -> int:
        filters = []
        for kw in sorted(node.keywords, key=lambda k: k.arg or ""):
            value = kw.value
            if isinstance(value, ast.Constant):
                values: tuple[Any, ...] = (value.value,)
            elif isinstance(value, ast.Tuple | ast.List):
                values = tuple(e.value for e in value.elts if isinstance(e, ast.Constant))
            else:
                raise _Unsupported("a history filter that is not a literal")
            filters.append((str(kw.arg), values))
        return self.layout.tracker(tuple(filters))

    def arith(self, op: str, left: _Term, right: _Term) -> _Term:
        lbase, rbase = _base(left), _base(right)
        if isinstance(left, _Const) and isinstance(right, _Const):
            if op == "$add":
                return _Const(left.value + right.value)
            if op == "$sub":
                return _Const(left.value - right.value)
        if op in ("$add", "$sub"):
            if lbase == "datetime" and rbase == "datetime":
                return _Arith(op, left, right, "duration")
            if "datetime" in (lbase, rbase):
                return _Arith(op, left, right, "datetime")
            if lbase == "duration" or rbase == "duration":
                return _Arith(op, left, right, "duration")
            return _Arith(op, left, right, "number")
        if lbase in ("number", "any") and rbase in ("number", "any"):
            if op == "$mul":
                return _Arith(op, left, right, "number")
            if isinstance(right, _Const) and right.value:
                return _Arith(op, left, right, "number")
        raise _Unsupported(
            "multiplication or division that durable_rules cannot reproduce exactly "
            "(durations, or a divisor that may be zero)"
        )

    # -- conditions -----------------------------------------------------------------
    def cond(self, node: ast.expr, negate: bool = False) -> _Cond:
        if isinstance(node, ast.BoolOp):
            parts = [self.cond(value, negate) for value in node.values]
            conj = isinstance(node.op, ast.And) != negate  # De Morgan
            return _and(*parts) if conj else _or(*parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self.cond(node.operand, not negate)
        if isinstance(node, ast.Constant) and isinstance(node.value, bool | None):
            return _TRUE if bool(node.value) != negate else _FALSE
        if isinstance(node, ast.Compare):
            left = self.term(node.left)
            pairs = []
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = self.term(right_node)
                pairs.append(self.compare(left, op, right, negate))
                left = right
            return _or(*pairs) if negate else _and(*pairs)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "seen"
        ):
            count = _Field(f"t{self.tracker(node)}_n", False, "number")
            return self.compare(count, ast.Gt(), _Const(0), negate)
        term = self.term(node)
        if _base(term) != "bool":
            raise _Unsupported("a value used as true/false that is not a boolean")
        return self.compare(term, ast.Eq(), _Const(True), negate)

    def compare(self, left: _Term, op: ast.cmpop, right: _Term, negate: bool) -> _Cond:
        for side in (left, right):
            for ref in _refs(side):
                if ref.default is not _NO_DEFAULT:
                    # attr(name, default): split on whether the attribute was ever seen.
                    plain = attrs.evolve(ref, default=_NO_DEFAULT)
                    fallback = _Const(ref.default)
                    return _or(
                        _and(
                            _exists(plain),
                            self.compare(
                                _swap(left, ref, plain), op, _swap(right, ref, plain), negate
                            ),
                        ),
                        _and(
                            _missing(plain),
                            self.compare(
                                _swap(left, ref, fallback),
                                op,
                                _swap(right, ref, fallback),
                                negate,
                            ),
                        ),
                    )
        if isinstance(op, ast.Is | ast.IsNot) or (
            isinstance(op, ast.Eq | ast.NotEq) and _Const(None) in (left, right)
        ):
            subject = right if left == _Const(None) else left
            positive = isinstance(op, ast.Is | ast.Eq) != negate
            if isinstance(subject, _Const):
                return _TRUE if (subject.value is None) == positive else _FALSE
            if not isinstance(subject, _Field):
                raise _Unsupported("'is None' on a computed value")
            return _missing(subject) if positive else _exists(subject)
        if isinstance(op, ast.In | ast.NotIn):
            return self.membership(left, right, isinstance(op, ast.In) != negate)
        code = _CMP[type(op)]
        if isinstance(left, _Const) and isinstance(right, _Const):
            return self.static(code, left.value, right.value, negate)
        if not isinstance(left, _Field) and isinstance(right, _Field | _Arith):
            left, right, code = right, left, _FLIP[code]
        if isinstance(left, _Arith):
            left, right = self.isolate(left, right)
        if not isinstance(left, _Field):
            raise _Unsupported("a comparison without a plain value on either side")
        return self.relation(left, code, right, negate)

    def static(self, code: str, a: Any, b: Any, negate: bool) -> _Cond:
        if code in ("$eq", "$neq"):
            holds = _PY_CMP[code](a, b)
        else:
            try:
                holds = a is not None and b is not None and _PY_CMP[code](a, b)
            except TypeError:
                holds = False
        return _TRUE if holds != negate else _FALSE

    def isolate(self, left: _Arith, right: _Term) -> tuple[_Term, _Term]:
        """``a - b > c`` -> ``a > c + b``: durable_rules computes only on the right."""
        if left.op not in ("$add", "$sub") or not isinstance(left.left, _Field):
            raise _Unsupported("arithmetic on both sides of a comparison")
        if not all(_exact(term) for term in (left.left, left.right, right)):
            # Moving a float across the comparison could change a boundary case.
            raise _Unsupported("arithmetic on numbers on the left of a comparison")
        inverse = "$sub" if left.op == "$add" else "$add"
        return left.left, _Arith(inverse, right, left.right, _base(left.left))

    def relation(self, left: _Field, code: str, right: _Term, negate: bool) -> _Cond:
        if left.base == "any":
            left, right = _view(left, _base(right)), _plain_bool(right)
        right = _views(right, left.base)
        refs = _refs(right)
        optional_refs = [ref for ref in refs if ref.optional]
        # A missing property never matches a comparison with a literal; against other
        # properties durable_rules needs every operand present (it would otherwise
        # compare with a default or fail), so those get explicit existence tests.
        present = _TRUE if isinstance(right, _Const) else _exists(left)
        if code in ("$eq", "$neq"):
            if optional_refs and left.optional:
                raise _Unsupported("'==' or '!=' between two values that may both be missing")
            if negate:
                code = _INVERSE[code]
            test = {left.key: _json(right, "$m")} if code == "$eq" else _cmp(code, left, right)
            guards = _and(*(_exists(ref) for ref in optional_refs))
            if code == "$eq":
                return _and(present, guards, test)
            # Python: None != x is True; so is a missing operand on the right.
            return _or(_missing(left), *(_missing(ref) for ref in optional_refs), test)
        # Ordering comparisons are null-safe: a missing operand makes them false.
        if not negate:
            return _and(present, *(_exists(ref) for ref in optional_refs), _cmp(code, left, right))
        return _or(
            _missing(left),
            *(_missing(ref) for ref in optional_refs),
            _and(
                present,
                *(_exists(ref) for ref in optional_refs),
                _cmp(_INVERSE[code], left, right),
            ),
        )

    def membership(self, left: _Term, right: _Term, positive: bool) -> _Cond:
        if not isinstance(right, _Const) or not isinstance(right.value, tuple):
            raise _Unsupported("'in' over something other than a list of literals")
        values = right.value
        if isinstance(left, _Const):
            return _TRUE if (left.value in values) == positive else _FALSE
        if not isinstance(left, _Field):
            raise _Unsupported("'in' on a computed value")
        tests = [(_view(left, _base(_Const(v))), _plain_bool(_Const(v))) for v in values]
        if positive:
            return _or(*({field.key: _json(value, "$m")} for field, value in tests))
        if left.base == "any":
            return _and(*(self.relation(field, "$neq", value, False) for field, value in tests))
        return _or(_missing(left), _and(*(_cmp("$neq", left, _Const(v)) for v in values)))


def _view(field: _Field, other: str) -> _Field:
    """An attribute of undeclared type, as seen by a comparison with a value of base
    ``other``: Python compares numbers (and bools) with numbers and strings with
    strings, and a mismatch is simply not a match, so each gets its own property
    that holds the value only when it has that type."""
    if field.base != "any":
        return field
    if other in ("number", "bool", "datetime", "duration"):
        return _Field(f"{field.key}_n", True, "number")
    if other == "str":
        return _Field(f"{field.key}_s", True, "str")
    raise _Unsupported("a comparison between two values of undeclared type")


def _views(term: _Term, other: str) -> _Term:
    if isinstance(term, _Field):
        return _view(term, other)
    if isinstance(term, _Arith):
        return attrs.evolve(
            term, left=_views(term.left, term.base), right=_views(term.right, term.base)
        )
    return term


def _plain_bool(term: _Term) -> _Term:
    # True == 1 in Python; the numeric view holds bools as 0/1 to match.
    if isinstance(term, _Const) and isinstance(term.value, bool):
        return _Const(int(term.value))
    return term


def _exact(term: _Term) -> bool:
    """Integer-valued (times, durations, int literals), so moving it is exact."""
    if isinstance(term, _Const):
        return isinstance(term.value, int) and not isinstance(term.value, bool)
    return term.base in _INT_BASES


def _cmp(code: str, left: _Field, right: _Term) -> dict[str, Any]:
    return {code: {left.key: _json(right, "$m")}}


def _swap(term: _Term, old: _Field, new: _Term) -> _Term:
    if term == old:
        return new
    if isinstance(term, _Arith):
        return attrs.evolve(
            term, left=_swap(term.left, old, new), right=_swap(term.right, old, new)
        )
    return term
