"""The durable-rules backend: a rule pack compiled into a ``durable_rules`` ruleset.

``pip install 'logix[durable]'`` brings durable-rules 2.0.28 (its last release).  The
backend answers the question "which incidents are open" exactly like the core
engine, for every rule it can express, so the two can be compared and benchmarked
on the same packs::

    backend = DurableBackend(load_pack("default"))   # warns about rules it cannot run
    backend.ingest(events)
    backend.advance(to=when)
    backend.results()   # {(tracking_number, kind, severity), ...}

How a pack becomes a ruleset, and why:

* durable_rules matches facts; it has no aggregates (counts, first/last over a
  history) and no notion of "the latest scan in event time".  The backend therefore
  keeps, per shipment, the observations the condition language reads (status, stage,
  counts, attribute values, anchor times...) with the core engine's semantics, and
  asserts them as one *observation fact* per shipment.  Every rule condition and
  every time threshold is evaluated by durable_rules.
* A posted event is consumed by at most one rule, so observations are asserted and
  retracted as *facts*, which every matching rule sees.  An observation no rule
  matches raises ``MessageNotHandledException``; that is expected and ignored.
* durable_rules' timers follow the wall clock, so time rules are driven by *clock
  facts*: ``advance(to=T)`` retracts the clock fact of every session and asserts one
  saying ``now = T``; a time rule is a join of an observation and the clock
  (``clock.now >= anchor + after``), plus the same test against the shipment's own
  latest event time, which is when the core engine evaluates it too.
* One ruleset holds at most 1,024 live sessions, so shipments are spread over a
  fixed number of sessions (``sessions=``, 16 by default) by a hash of their
  tracking number, never one session per shipment.
* Ruleset names are global per process: each backend registers a unique name and
  deletes its ruleset on ``close()``.
* The backend drives durable_rules synchronously (no background dispatch thread),
  so ``results()`` is complete as soon as ``ingest``/``advance`` return.

Rules it cannot express are reported by name when the pack is compiled: a
``UnsupportedRulesWarning`` (or, with ``strict=True``, ``UnsupportedRulesError``)
lists each with the reason.  They are never silently dropped.
"""

from __future__ import annotations

import ast
import bisect
import importlib
import itertools
import json
import operator
import re
import uuid
import warnings
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType, ModuleType, SimpleNamespace
from typing import Any, NamedTuple

import attrs
from pydantic import ValidationError

from logix_carriers import (
    FINAL_STATUSES,
    STAGE_ORDER,
    Reason,
    Shipment,
    Stage,
    Status,
    TrackingEvent,
    default_stage,
    implies_stage,
)

from ..compiler._pack import Pack, Rule, load_pack
from ..core._durations import MICROS, parse_duration, to_micros
from ..core._errors import ErrorCode, InputProblem, InvalidEvents, LogixError
from ..runtime._inputs import aware_micros, parse_events, validation_errors
from ..runtime._kernel import _coerce

__all__ = [
    "MAX_SESSIONS",
    "DurableBackend",
    "DurableIncident",
    "DurableProgram",
    "DurableUnavailable",
    "UnsupportedRule",
    "UnsupportedRulesError",
    "UnsupportedRulesWarning",
    "compile_pack",
]

MAX_SESSIONS = 1024
"""durable-rules 2.0.28 keeps at most this many live sessions per ruleset."""

_FINAL = frozenset(s.value for s in FINAL_STATUSES)
_ORDER = {stage.value: rank for stage, rank in STAGE_ORDER.items()}
_RETURN_STATUSES = frozenset({"returning", "returned"})
_STATE = {"k": "state"}
_CLOCK = {"k": "clock"}
_CLOCK_ID = "$clock"
_TIMED = ("@clock", "@mark")
_NAMES = itertools.count(1)
_SAFE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# -- errors and reports ----------------------------------------------------------------
class DurableUnavailable(LogixError, ImportError):
    """durable-rules is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "the durable backend needs durable-rules; install it with "
            "pip install 'logix[durable]' (durable-rules==2.0.28)"
        )


@attrs.frozen
class UnsupportedRule:
    """A pack rule the backend cannot express, and why."""

    rule_id: str
    kind: str
    reason: str

    def __str__(self) -> str:
        return f"{self.rule_id} ({self.kind}): {self.reason}"


def _listing(rules: tuple[UnsupportedRule, ...], pack: str) -> str:
    lines = "\n".join(f"  {rule}" for rule in rules)
    return (
        f"{len(rules)} rule(s) of pack {pack!r} cannot run on durable_rules and are left "
        f"out; incidents of their kinds may differ from the core engine:\n{lines}"
    )


class UnsupportedRulesWarning(UserWarning):
    """Some rules of a pack cannot run on durable_rules; ``rules`` lists them."""

    def __init__(self, rules: tuple[UnsupportedRule, ...], pack: str) -> None:
        self.rules = rules
        super().__init__(_listing(rules, pack))


class UnsupportedRulesError(LogixError, ValueError):
    """``strict=True`` and some rules cannot run on durable_rules; ``rules`` lists them."""

    def __init__(self, rules: tuple[UnsupportedRule, ...], pack: str) -> None:
        self.rules = rules
        super().__init__(
            _listing(rules, pack) + "\nPass strict=False to run the other rules anyway."
        )


@attrs.frozen
class DurableIncident:
    """An open incident as the backend sees it: who, what kind, how severe, which rules."""

    tracking_number: str
    kind: str
    severity: str
    rules: tuple[str, ...]


# -- the compiled form ------------------------------------------------------------------
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
    "insured": (False, "bool"),
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
        return ast.parse(source.strip(), mode="eval").body

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
            if not param.by or not param.values:
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


# -- per-shipment observations -----------------------------------------------------------
class _Rec(NamedTuple):
    t: int
    id: str
    status: str
    stage: str | None  # None: the scan says nothing about where the parcel is
    reason: str | None
    system: str
    report: bool
    country: str | None
    code: str | None
    desc: str
    attrs: tuple[tuple[str, Any], ...]

    def content(self) -> tuple[int, int, bool, str]:
        # Of two different events under one id the core engine keeps the richer (more
        # attribute values, then more text, then a source code), then any fixed order.
        row = [*self[:10], [list(pair) for pair in self.attrs]]
        return (
            sum(value is not None for _, value in self.attrs),
            len(self.desc),
            self.code is not None,
            json.dumps(row, sort_keys=True, default=str),
        )


_CODES: dict[tuple[Status, Reason | None, Stage], tuple[str, str | None, str | None]] = {}


def _codes(
    status: Status, reason: Reason | None, stage: Stage
) -> tuple[str, str | None, str | None]:
    """(status, stage, reason) as strings; a stage that is only the fallback of a status
    that says nothing about position (a weather delay) becomes None."""
    codes = _CODES.get((status, reason, stage))
    if codes is None:
        positional = implies_stage(status, reason) or stage != default_stage(status, reason)
        codes = (status.value, stage.value if positional else None, reason and reason.value)
        _CODES[(status, reason, stage)] = codes
    return codes


def _key(rec: _Rec) -> tuple[int, str]:
    return (rec.t, rec.id)


class _Obs:
    """The observations of one shipment, with the core kernel's definitions."""

    __slots__ = (
        "after_delivery",
        "attr_values",
        "cnt",
        "delivered_at",
        "final",
        "first_event",
        "first_scan",
        "firsts",
        "last_event",
        "last_scan",
        "lasts",
        "latest",
        "n_events",
        "n_scans",
        "reason",
        "regressions",
        "stage",
        "stage_entered",
        "status",
        "status_entered",
    )

    def __init__(self, trackers: int) -> None:
        self.status: str | None = None
        self.stage: str | None = None
        self.reason: str | None = None
        self.final = False
        self.delivered_at: int | None = None
        self.first_event: int | None = None
        self.last_event: int | None = None
        self.first_scan: int | None = None
        self.last_scan: int | None = None
        self.status_entered: int | None = None
        self.stage_entered: int | None = None
        self.n_events = 0
        self.n_scans = 0
        self.regressions = 0
        self.after_delivery = 0
        self.cnt = [0] * trackers
        self.firsts: list[int | None] = [None] * trackers
        self.lasts: list[int | None] = [None] * trackers
        self.attr_values: dict[str, Any] = {}
        self.latest: _Rec | None = None

    def absorb(self, rec: _Rec, trackers: list[tuple[tuple[str, tuple[Any, ...]], ...]]) -> None:
        t = rec.t
        self.n_events += 1
        if self.first_event is None:
            self.first_event = t
        self.last_event = t
        self.latest = rec
        for index, filters in enumerate(trackers):
            if all(getattr(rec, key) in values for key, values in filters):
                self.cnt[index] += 1
                if self.firsts[index] is None:
                    self.firsts[index] = t
                self.lasts[index] = t
        for name, value in rec.attrs:
            if value is not None:
                self.attr_values[name] = value
        if rec.report:
            return  # reports never move status, stage or the scan clock
        self.n_scans += 1
        if self.first_scan is None:
            self.first_scan = t
        self.last_scan = t
        status = rec.status
        if status == "unknown":
            return
        if (
            self.delivered_at is not None
            and status != "delivered"
            and status not in _RETURN_STATUSES
            and rec.stage != "return"
        ):
            self.after_delivery += 1
        if rec.stage is not None:
            previous = _ORDER.get(self.stage or "")
            current = _ORDER.get(rec.stage)
            if previous is not None and current is not None and current < previous:
                self.regressions += 1
            if rec.stage != self.stage:
                self.stage = rec.stage
                self.stage_entered = t
        elif self.stage is None:
            reason = Reason(rec.reason) if rec.reason else None
            self.stage = default_stage(Status(status), reason).value
            self.stage_entered = t
        if status != self.status:
            self.status = status
            self.status_entered = t
        self.reason = rec.reason
        self.final = status in _FINAL
        if status == "delivered" and self.delivered_at is None:
            self.delivered_at = t


class _Track:
    __slots__ = ("carrier", "fact", "fixed", "history", "holding", "obs", "records", "sid", "tn")

    def __init__(self, tn: str, carrier: str, sid: str, trackers: int) -> None:
        self.tn = tn
        self.carrier = carrier
        self.sid = sid
        self.records: dict[str, _Rec] = {}
        self.history: list[_Rec] = []
        self.obs = _Obs(trackers)
        self.fixed: dict[str, Any] = {}  # shipment fields and per-shipment params
        self.fact: dict[str, Any] | None = None
        self.holding: set[str] = set()


def _plain_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_micros(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _durable() -> tuple[ModuleType, ModuleType]:
    try:
        return (
            importlib.import_module("durable.engine"),
            importlib.import_module("durable_rules_engine"),
        )
    except ImportError:
        raise DurableUnavailable() from None


# -- the backend ---------------------------------------------------------------------------
class DurableBackend:
    """A pack running on durable_rules: ``upsert_shipment``, ``ingest``, ``advance``,
    then ``results()`` or ``open_incidents()``.

    Use it as a context manager (or call ``close()``) to free the durable_rules
    ruleset.  ``sessions`` spreads shipments over that many durable_rules sessions
    (at most 1,024, durable-rules' limit per ruleset).
    """

    def __init__(
        self,
        pack: Pack | str | DurableProgram,
        *,
        strict: bool = False,
        sessions: int = 16,
        assume_tz: str | None = None,
    ) -> None:
        if not 1 <= sessions <= MAX_SESSIONS:
            raise ValueError(
                f"sessions={sessions}: durable-rules holds 1 to {MAX_SESSIONS} live "
                "sessions per ruleset; shipments are spread over them by tracking number"
            )
        engine, native = _durable()
        program = pack if isinstance(pack, DurableProgram) else compile_pack(pack, strict=strict)
        if isinstance(pack, DurableProgram) and strict and program.unsupported:
            raise UnsupportedRulesError(program.unsupported, program.pack.name)
        self.program = program
        self.pack = program.pack
        self.sessions = sessions
        self._assume_tz = assume_tz
        self._engine = engine
        self._native = native
        self._not_handled = (engine.MessageNotHandledException, engine.MessageObservedException)
        self._tracks: dict[str, _Track] = {}
        self._clock: int | None = None
        self._error: BaseException | None = None
        self._rules = self.pack.rules
        layout = program.layout
        self._trackers = layout.trackers
        self._wanted_attrs = {
            name: kind for name, kind in self.pack.attr_types.items() if name in layout.attrs
        }
        self._getters = _getters(layout)
        self.name = f"logix-{self.pack.name}-{next(_NAMES)}-{uuid.uuid4().hex[:8]}"
        definition: dict[str, Any] = {}
        for rule_name, body in program.definition.items():
            alias = "st" if "st" in body["all"][0] else "m"
            definition[rule_name] = {**body, "run": self._action(rule_name, alias)}
        self._ruleset: Any = engine.Ruleset(self.name, _Host(), definition)
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"<DurableBackend pack={self.pack.name!r} rules={len(self.program.supported)} "
            f"shipments={len(self._tracks)}>"
        )

    def __enter__(self) -> DurableBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Delete the durable_rules ruleset (its facts live outside Python's heap)."""
        if not self._closed:
            self._closed = True
            self._native.delete_ruleset(self._ruleset._handle)

    # -- input ---------------------------------------------------------------------------
    def upsert_shipment(self, shipment: Shipment | dict[str, Any]) -> None:
        """Add or replace the OMS facts of a shipment."""
        self._check_open()
        try:
            parsed = Shipment.parse(shipment, assume_tz=self._assume_tz)
        except ValidationError as exc:
            problem = InputProblem(ErrorCode.INVALID_SHIPMENT, 0, shipment, validation_errors(exc))
            raise InvalidEvents([problem]) from exc
        track = self._track(parsed.tracking_number, parsed.carrier)
        self._fix(track, parsed)
        self._assert(track)

    def ingest(
        self,
        events: Iterable[TrackingEvent | dict[str, Any]],
        *,
        on_invalid: Callable[[InputProblem], None] | None = None,
    ) -> None:
        """Apply events (``TrackingEvent`` objects or plain dicts), as ``Engine.ingest``."""
        self._check_open()
        records = [
            (self._record(event), event.tracking_number, event.carrier)
            for event in parse_events(events, assume_tz=self._assume_tz, on_invalid=on_invalid)
        ]
        # Time order keeps most shipments on the append-only path, as in the engine.
        records.sort(key=lambda item: _key(item[0]))
        for rec, tn, carrier in records:
            track = self._track(tn, carrier)
            # Every event is evaluated, as the core engine does to report changes:
            # durable_rules sees each intermediate state, not only the batch's last.
            if self._absorb(track, rec):
                self._assert(track)

    def advance(self, *, to: datetime) -> None:
        """Move every session's clock fact to ``to``; due time rules fire."""
        self._check_open()
        now = aware_micros(to, "to")
        if self._clock is not None and now <= self._clock:
            return
        self._clock = now
        for shard in range(self.sessions):
            sid = str(shard)
            self._ruleset.retract_fact({"sid": sid, "id": _CLOCK_ID})
            self._run(
                self._ruleset.assert_fact, {"sid": sid, "id": _CLOCK_ID, **_CLOCK, "now": now}
            )

    # -- output --------------------------------------------------------------------------
    def open_incidents(self) -> list[DurableIncident]:
        """One incident per shipment and kind, at the most severe rule that holds."""
        self._check_open()
        rules = self._rules
        out: list[DurableIncident] = []
        targets = self.program.targets
        for tn, track in self._tracks.items():
            if not track.holding:
                continue
            if not track.history and not any(name.endswith(_TIMED) for name in track.holding):
                # No event and no due time reached yet: the core engine has not
                # evaluated this shipment at all, so nothing can be open.
                continue
            active: dict[int, int] = {}
            for name in track.holding:
                rule_index, step = targets[name]
                if step > active.get(rule_index, -1):
                    active[rule_index] = step
            by_kind: dict[str, list[tuple[int, int]]] = {}
            for rule_index in sorted(active):
                by_kind.setdefault(rules[rule_index].kind, []).append(
                    (rule_index, active[rule_index])
                )
            for kind, hits in by_kind.items():
                lead, step = min(hits, key=lambda hit: (rules[hit[0]].steps[hit[1]].rank, hit[0]))
                out.append(
                    DurableIncident(
                        tn,
                        kind,
                        rules[lead].steps[step].severity,
                        tuple(rules[index].id for index, _ in hits),
                    )
                )
        out.sort(key=lambda inc: (inc.tracking_number, inc.kind))
        return out

    def results(self) -> set[tuple[str, str, str]]:
        """``{(tracking number, kind, severity)}`` of the open incidents."""
        return {(i.tracking_number, i.kind, i.severity) for i in self.open_incidents()}

    # -- internals -----------------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("this DurableBackend is closed")

    def _track(self, tn: str, carrier: str) -> _Track:
        track = self._tracks.get(tn)
        if track is None:
            sid = str(zlib.crc32(tn.encode()) % self.sessions)
            track = self._tracks[tn] = _Track(tn, carrier, sid, len(self._trackers))
            self._fix(track, None)
        return track

    def _fix(self, track: _Track, shipment: Shipment | None) -> None:
        layout = self.program.layout
        facts: Any = shipment
        if facts is None:
            facts = SimpleNamespace(
                tracking_number=track.tn,
                carrier=track.carrier,
                origin_country=None,
                destination_country=None,
                lane=None,
                cross_border=False,
                service_level=None,
                category=None,
            )
        fixed: dict[str, Any] = {}
        for name in layout.shipment:
            value = _plain_value(getattr(facts, name, None))
            if value is not None:
                fixed[f"sh_{name}"] = value
        if layout.params:
            params = self.pack.params_for(facts)
            for name in layout.params:
                fixed[f"p_{name}"] = getattr(params, name)
        track.fixed = fixed

    def _record(self, event: TrackingEvent) -> _Rec:
        kept: list[tuple[str, Any]] = []
        wanted = self._wanted_attrs
        if wanted and event.attributes:
            for name, value in event.attributes.items():
                if name in wanted:
                    kept.append((name, _coerce(wanted[name], value)))
        loc = event.location
        source = event.source
        status, stage, reason = _codes(event.status, event.reason, event.stage)
        return _Rec(
            to_micros(event.occurred_at),
            event.event_id,
            status,
            stage,
            reason,
            source.system,
            event.is_report,
            None if loc is None else loc.country,
            source.code or source.status,
            event.description,
            tuple(kept),
        )

    def _absorb(self, track: _Track, rec: _Rec) -> bool:
        seen = track.records.get(rec.id)
        history = track.history
        if seen is not None:
            if seen == rec or seen.content() >= rec.content():
                return False
            history.remove(seen)
            track.records[rec.id] = rec
            bisect.insort(history, rec, key=_key)
            self._rebuild(track)
            return True
        track.records[rec.id] = rec
        if not history or _key(rec) > _key(history[-1]):
            history.append(rec)
            track.obs.absorb(rec, self._trackers)
        else:
            bisect.insort(history, rec, key=_key)
            self._rebuild(track)
        return True

    def _rebuild(self, track: _Track) -> None:
        obs = track.obs = _Obs(len(self._trackers))
        for rec in track.history:
            obs.absorb(rec, self._trackers)

    def _assert(self, track: _Track) -> None:
        fact: dict[str, Any] = {"sid": track.sid, "id": track.tn, **_STATE, "tn": track.tn}
        if track.history:
            fact["at"] = track.history[-1].t
        obs = track.obs
        for key, getter in self._getters:
            value = getter(obs)
            if value is not None:
                fact[key] = value
        fact.update(track.fixed)
        if fact == track.fact:
            return
        if track.fact is not None:
            self._ruleset.retract_fact({"sid": track.sid, "id": track.tn})
        track.holding.clear()
        track.fact = fact
        self._run(self._ruleset.assert_fact, fact)

    def _run(self, method: Callable[[dict[str, Any]], Any], fact: dict[str, Any]) -> None:
        try:
            handle = method(fact)
        except self._not_handled:
            return  # no rule looks at this fact: nothing holds
        self._ruleset.do_actions(handle, self._complete)
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _complete(self, error: BaseException | None, _state: Any) -> None:
        if error is not None:
            self._error = error

    def _action(self, rule_name: str, alias: str) -> Callable[[Any], None]:
        tracks = self._tracks

        def run(c: Any) -> None:
            tracks[getattr(c, alias).tn].holding.add(rule_name)

        return run


class _Host:
    """What durable_rules' ``Ruleset`` asks of a host: actions are always callables here."""

    def get_action(self, action_name: str) -> Any:
        raise KeyError(action_name)


def _getters(layout: _Layout) -> list[tuple[str, Callable[[_Obs], Any]]]:
    getters: list[tuple[str, Callable[[_Obs], Any]]] = []
    for key in sorted(layout.state):
        getters.append((key, operator.attrgetter(key)))
    for index in range(len(layout.trackers)):
        getters.append((f"t{index}_n", _item("cnt", index)))
        getters.append((f"t{index}_first", _item("firsts", index)))
        getters.append((f"t{index}_last", _item("lasts", index)))
    for name in sorted(layout.attrs):
        if layout.pack.attr_types.get(name, "any") == "any":
            getters.append((f"a_{name}", _attr_present(name)))
            getters.append((f"a_{name}_n", _attr_number(name)))
            getters.append((f"a_{name}_s", _attr_text(name)))
        else:
            getters.append((f"a_{name}", _attr_value(name)))
    for name in sorted(layout.event):
        getters.append((f"ev_{name}", _event_field(name)))
    return getters


def _item(attr: str, index: int) -> Callable[[_Obs], Any]:
    def get(obs: _Obs) -> Any:
        return getattr(obs, attr)[index]

    return get


def _attr_value(name: str) -> Callable[[_Obs], Any]:
    def get(obs: _Obs) -> Any:
        return obs.attr_values.get(name)

    return get


def _attr_present(name: str) -> Callable[[_Obs], Any]:
    def get(obs: _Obs) -> Any:
        return 1 if name in obs.attr_values else None

    return get


def _attr_number(name: str) -> Callable[[_Obs], Any]:
    def get(obs: _Obs) -> Any:
        value = obs.attr_values.get(name)
        if isinstance(value, bool):
            return int(value)
        return value if isinstance(value, int | float) else None

    return get


def _attr_text(name: str) -> Callable[[_Obs], Any]:
    def get(obs: _Obs) -> Any:
        value = obs.attr_values.get(name)
        return value if isinstance(value, str) else None

    return get


_EVENT_ATTR = {"at": "t"}


def _event_field(name: str) -> Callable[[_Obs], Any]:
    attr = _EVENT_ATTR.get(name, name)

    def get(obs: _Obs) -> Any:
        latest = obs.latest
        if latest is None:
            return False if name == "report" else None
        return getattr(latest, attr)

    return get
