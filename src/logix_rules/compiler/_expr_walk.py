"""The condition language: a safe, typed subset of Python expression syntax.

Packs write conditions such as ``status == 'exception' and reason == 'customs_hold'``
or ``attr('damage_ratio', 0.0) > params.damage_minor_max``.  They are parsed with
``ast`` and walked once here, which resolves every name against a fixed namespace,
type-checks the tree and emits Python source for the compile stage.  Anything not
explicitly allowed (attribute access outside the model, calls other than the
documented functions, comprehensions, lambdas, subscripts...) is rejected at load
time, so nothing a pack says can reach Python's object model.

Types are few: ``bool``, ``number``, ``str``, ``datetime``, ``duration``, ``list``
(of strings), ``none`` and ``any`` (event attributes of unknown type).  Each may be
optional; comparisons and arithmetic on optional values are null-safe (a missing
value makes a comparison false and arithmetic ``None``), and the generated code pays
for that only where a value can actually be missing.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from ..core._durations import MICROS, parse_duration
from ..core._errors import ErrorCode

__all__ = [
    "ATTR_TYPES",
    "CompiledExpr",
    "ExprContext",
    "ExprError",
    "Tracker",
    "Ty",
    "compile_expr",
    "suggest",
]


@attrs.frozen
class Ty:
    """A static type: ``base`` plus whether ``None`` is possible and known literal values."""

    base: str
    optional: bool = False
    enum: str | None = None  # "status" | "stage" | "reason": a str drawn from that taxonomy

    def opt(self, optional: bool = True) -> Ty:
        return attrs.evolve(self, optional=optional)

    def __str__(self) -> str:
        name = self.enum or self.base
        return f"{name} or None" if self.optional and self.base != "none" else name


BOOL = Ty("bool")
NUMBER = Ty("number")
STR = Ty("str")
DATETIME = Ty("datetime")
DURATION = Ty("duration")
LIST = Ty("list")
NONE = Ty("none", optional=True)
ANY = Ty("any", optional=True)

#: The types an event attribute can be declared as (through ``attr(name, default)``).
ATTR_TYPES = {"number": NUMBER, "str": STR, "bool": BOOL}


@attrs.frozen
class ExprError(Exception):
    """A problem inside one expression, with its offset into the expression text."""

    code: ErrorCode
    msg: str
    line: int = 1
    col: int = 0
    hint: str = ""
    input: Any = None


@attrs.frozen
class Tracker:
    """A history aggregate a pack asks for: count/first/last of events matching filters."""

    filters: tuple[tuple[str, tuple[Any, ...]], ...]

    def describe(self) -> str:
        parts = []
        for key, values in self.filters:
            shown = repr(values[0]) if len(values) == 1 else repr(values)
            parts.append(f"{key}={shown}")
        return ", ".join(parts)


@attrs.define
class ExprContext:
    """What names an expression may use, and the pack-wide registries it adds to.

    ``trackers`` and ``attr_types`` are shared by every expression of a pack: the
    kernel keeps one counter per tracker and one latest value per attribute, so
    these lists decide the per-shipment state layout.
    """

    names: Mapping[str, tuple[Ty, str]]
    objects: Mapping[str, Mapping[str, tuple[Ty, str]]]
    enums: Mapping[str, frozenset[str]]
    tracker_fields: Mapping[str, str]  # filter keyword -> enum name ("" = free str, "bool")
    trackers: list[Tracker] = attrs.field(factory=list)
    attr_types: dict[str, Ty] = attrs.field(factory=dict)

    def tracker_index(self, tracker: Tracker) -> int:
        if tracker not in self.trackers:
            self.trackers.append(tracker)
        return self.trackers.index(tracker)


@attrs.frozen
class CompiledExpr:
    source: str
    code: str
    type: Ty
    leaves: tuple[tuple[str, str, str], ...]  # (text as written, python code, type base)
    constant: Any = None
    is_constant: bool = False


def suggest(word: str, options: Iterable[str]) -> str:
    """``" Did you mean 'x'?"`` for the closest option, or ``""``."""
    choices = list(options)
    folded = [c for c in choices if c.casefold() == word.casefold()]
    match = folded or difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" Did you mean {match[0]!r}?" if match else ""


_CMP_OPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
_ORDER_HELPER = {ast.Lt: "_lt", ast.LtE: "_le", ast.Gt: "_gt", ast.GtE: "_ge"}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_ARITH_HELPER = {ast.Add: "_add", ast.Sub: "_sub", ast.Mult: "_mul", ast.Div: "_div"}

# (left base, op, right base) -> result base
_ARITH_RULES: dict[tuple[str, type[ast.operator], str], str] = {
    ("number", ast.Add, "number"): "number",
    ("number", ast.Sub, "number"): "number",
    ("number", ast.Mult, "number"): "number",
    ("number", ast.Div, "number"): "number",
    ("duration", ast.Add, "duration"): "duration",
    ("duration", ast.Sub, "duration"): "duration",
    ("datetime", ast.Add, "duration"): "datetime",
    ("duration", ast.Add, "datetime"): "datetime",
    ("datetime", ast.Sub, "duration"): "datetime",
    ("datetime", ast.Sub, "datetime"): "duration",
    ("duration", ast.Mult, "number"): "duration",
    ("number", ast.Mult, "duration"): "duration",
    ("duration", ast.Div, "number"): "duration",
    ("duration", ast.Div, "duration"): "number",
}
_ORDERED = {"number", "str", "datetime", "duration"}

FUNCTIONS = (
    "abs",
    "as_days",
    "as_hours",
    "attr",
    "coalesce",
    "count",
    "days",
    "duration",
    "first",
    "hours",
    "last",
    "max",
    "min",
    "minutes",
    "round",
    "seen",
)


class _Compiler:
    def __init__(self, ctx: ExprContext, allow_now: bool) -> None:
        self.ctx = ctx
        self.allow_now = allow_now
        self.leaves: dict[str, tuple[str, str]] = {}
        self.source = ""

    # -- helpers -----------------------------------------------------------------
    def fail(
        self, node: ast.AST, code: ErrorCode, msg: str, hint: str = "", value: Any = None
    ) -> ExprError:
        return ExprError(
            code,
            msg,
            line=getattr(node, "lineno", 1),
            col=getattr(node, "col_offset", 0),
            hint=hint,
            input=value if value is not None else self.text(node),
        )

    def text(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or ast.unparse(node)

    def leaf(self, node: ast.AST, code: str, ty: Ty) -> None:
        self.leaves.setdefault(self.text(node), (code, ty.base))

    # -- entry -------------------------------------------------------------------
    def run(self, source: str) -> tuple[str, Ty, Any, bool]:
        self.source = source
        try:
            tree = ast.parse(source.strip(), mode="eval")
        except SyntaxError as exc:
            raise ExprError(
                ErrorCode.EXPR_SYNTAX,
                f"invalid expression: {exc.msg}",
                line=exc.lineno or 1,
                col=max((exc.offset or 1) - 1, 0),
                hint="Conditions use Python expression syntax: and/or/not, ==, <, in, calls.",
                input=source,
            ) from None
        self.source = source.strip()
        code, ty, const = self.visit(tree.body)
        return code, ty, const, const is not _NOCONST

    def visit(self, node: ast.expr) -> tuple[str, Ty, Any]:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise self.fail(
                node,
                ErrorCode.FORBIDDEN_SYNTAX,
                f"{type(node).__name__} is not allowed in a condition",
                "Use comparisons, and/or/not, arithmetic, literals, tuples after 'in', "
                "and the documented functions.",
            )
        result: tuple[str, Ty, Any] = method(node)
        return result

    # -- literals ------------------------------------------------------------------
    def visit_Constant(self, node: ast.Constant) -> tuple[str, Ty, Any]:
        value = node.value
        if value is None:
            return "None", NONE, None
        if isinstance(value, bool):
            return repr(value), BOOL, value
        if isinstance(value, int | float):
            return repr(value), NUMBER, value
        if isinstance(value, str):
            return repr(value), STR, value
        raise self.fail(node, ErrorCode.FORBIDDEN_SYNTAX, f"literal {value!r} is not allowed")

    def visit_Tuple(self, node: ast.Tuple | ast.List) -> tuple[str, Ty, Any]:
        values = []
        for elt in node.elts:
            if not isinstance(elt, ast.Constant) or not isinstance(elt.value, str | int | float):
                raise self.fail(
                    elt,
                    ErrorCode.FORBIDDEN_SYNTAX,
                    "only string or number literals may appear in a tuple",
                )
            values.append(elt.value)
        return repr(tuple(values)), LIST, tuple(values)

    visit_List = visit_Tuple

    # -- names ---------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> tuple[str, Ty, Any]:
        name = node.id
        if name == "now":
            if not self.allow_now:
                raise self.fail(
                    node,
                    ErrorCode.NOW_IN_CONDITION,
                    "'now' cannot appear in a condition",
                    "Time enters a rule only through 'anchor' and 'after', which is what "
                    "lets the engine know exactly when the rule becomes due.",
                )
            self.leaf(node, "n", DATETIME)
            return "n", DATETIME, _NOCONST
        if name in self.ctx.names:
            ty, code = self.ctx.names[name]
            self.leaf(node, code, ty)
            return code, ty, _NOCONST
        if name in self.ctx.objects:
            raise self.fail(
                node,
                ErrorCode.UNKNOWN_NAME,
                f"{name!r} is an object; name one of its fields",
                f"e.g. {name}.{next(iter(self.ctx.objects[name]), 'field')}",
            )
        options = [*self.ctx.names, *self.ctx.objects, *(["now"] if self.allow_now else [])]
        raise self.fail(
            node,
            ErrorCode.UNKNOWN_NAME,
            f"unknown name {name!r}.{suggest(name, options)}",
            "Names: " + ", ".join(sorted(options)) + ".",
        )

    def visit_Attribute(self, node: ast.Attribute) -> tuple[str, Ty, Any]:
        if not isinstance(node.value, ast.Name) or node.value.id not in self.ctx.objects:
            raise self.fail(
                node,
                ErrorCode.FORBIDDEN_SYNTAX,
                "attribute access is only allowed on " + ", ".join(sorted(self.ctx.objects)),
            )
        obj = node.value.id
        fields = self.ctx.objects[obj]
        if node.attr not in fields:
            hint = f"{obj} has: " + ", ".join(sorted(fields)) + "." if fields else ""
            raise self.fail(
                node,
                ErrorCode.UNKNOWN_FIELD,
                f"{obj} has no field {node.attr!r}.{suggest(node.attr, fields)}",
                hint,
            )
        ty, code = fields[node.attr]
        self.leaf(node, code, ty)
        return code, ty, _NOCONST

    # -- operators -------------------------------------------------------------------
    def visit_BoolOp(self, node: ast.BoolOp) -> tuple[str, Ty, Any]:
        parts = []
        for value in node.values:
            code, ty, _ = self.visit(value)
            if ty.base not in ("bool", "none", "any"):
                raise self.fail(
                    value,
                    ErrorCode.TYPE_MISMATCH,
                    f"'{self.text(value)}' is {ty}, but 'and'/'or' need true/false values",
                    "Compare it with something, e.g. 'x > 0' or 'x is not None'.",
                )
            parts.append(f"({code})")
        joiner = " and " if isinstance(node.op, ast.And) else " or "
        return joiner.join(parts), BOOL, _NOCONST

    def visit_UnaryOp(self, node: ast.UnaryOp) -> tuple[str, Ty, Any]:
        code, ty, const = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            if ty.base not in ("bool", "none", "any"):
                raise self.fail(
                    node, ErrorCode.TYPE_MISMATCH, f"'not' needs a true/false value, got {ty}"
                )
            return f"(not ({code}))", BOOL, _NOCONST
        if isinstance(node.op, ast.USub) and ty.base in ("number", "duration", "any"):
            if const is not _NOCONST:
                return repr(-const), ty, -const
            return (f"_neg({code})" if ty.optional else f"(-{code})"), ty, _NOCONST
        raise self.fail(node, ErrorCode.FORBIDDEN_SYNTAX, "only 'not' and unary minus are allowed")

    def visit_BinOp(self, node: ast.BinOp) -> tuple[str, Ty, Any]:
        op = type(node.op)
        if op not in _ARITH:
            raise self.fail(node, ErrorCode.FORBIDDEN_SYNTAX, "only + - * / are allowed")
        lcode, lty, _ = self.visit(node.left)
        rcode, rty, _ = self.visit(node.right)
        lbase = "number" if lty.base == "any" else lty.base
        rbase = "number" if rty.base == "any" else rty.base
        result = _ARITH_RULES.get((lbase, op, rbase))
        if result is None:
            raise self.fail(
                node,
                ErrorCode.TYPE_MISMATCH,
                f"cannot compute {lty} {_ARITH[op]} {rty} in '{self.text(node)}'",
                "Durations combine with durations and datetimes; write durations as "
                "duration('24h') or hours(24).",
            )
        optional = lty.optional or rty.optional
        if op is ast.Div:
            # A zero divisor makes the quotient missing (None), never an exception in
            # the engine; the type says so, so comparisons on it are null-safe.
            optional = True
        if (result == "duration" and op is ast.Mult) or (result == "duration" and op is ast.Div):
            code = (
                f"_dur({_ARITH_HELPER[op]}({lcode}, {rcode}))"
                if optional
                else (f"_dur({lcode} {_ARITH[op]} {rcode})")
            )
        elif optional:
            code = f"{_ARITH_HELPER[op]}({lcode}, {rcode})"
        else:
            code = f"({lcode} {_ARITH[op]} {rcode})"
        return code, Ty(result, optional), _NOCONST

    def visit_IfExp(self, node: ast.IfExp) -> tuple[str, Ty, Any]:
        tcode, tty, _ = self.visit(node.test)
        bcode, bty, _ = self.visit(node.body)
        ecode, ety, _ = self.visit(node.orelse)
        if tty.base not in ("bool", "none", "any"):
            raise self.fail(
                node.test, ErrorCode.TYPE_MISMATCH, f"'if' needs a true/false test, got {tty}"
            )
        base = _join(bty, ety)
        if base is None:
            raise self.fail(
                node,
                ErrorCode.TYPE_MISMATCH,
                f"both branches must have one type, got {bty} and {ety}",
            )
        return f"({bcode} if {tcode} else {ecode})", base, _NOCONST

    def visit_Compare(self, node: ast.Compare) -> tuple[str, Ty, Any]:
        parts = []
        left_node = node.left
        lcode, lty, lconst = self.visit(left_node)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            rcode, rty, rconst = self.visit(right_node)
            parts.append(
                self.compare(
                    node, op, left_node, lcode, lty, lconst, right_node, rcode, rty, rconst
                )
            )
            left_node, lcode, lty, lconst = right_node, rcode, rty, rconst
        return " and ".join(f"({p})" for p in parts), BOOL, _NOCONST

    def compare(
        self,
        node: ast.Compare,
        op: ast.cmpop,
        lnode: ast.expr,
        lcode: str,
        lty: Ty,
        lconst: Any,
        rnode: ast.expr,
        rcode: str,
        rty: Ty,
        rconst: Any,
    ) -> str:
        kind = type(op)
        if kind in (ast.Is, ast.IsNot):
            if rty.base != "none":
                raise self.fail(
                    node,
                    ErrorCode.FORBIDDEN_SYNTAX,
                    "'is' may only compare with None",
                    "Use '==' for values.",
                )
            return f"{lcode} {'is' if kind is ast.Is else 'is not'} None"
        if kind in (ast.In, ast.NotIn):
            if rty.base != "list":
                raise self.fail(
                    rnode,
                    ErrorCode.TYPE_MISMATCH,
                    f"'in' needs a tuple of values or a list parameter, got {rty}",
                )
            if isinstance(rconst, tuple):
                for value in rconst:
                    self.check_enum(lty, value, rnode)
            return f"{lcode} {'in' if kind is ast.In else 'not in'} {rcode}"
        # == != < <= > >=
        if lty.enum and isinstance(rconst, str):
            self.check_enum(lty, rconst, rnode)
        if rty.enum and isinstance(lconst, str):
            self.check_enum(rty, lconst, lnode)
        if kind in (ast.Eq, ast.NotEq):
            if _join(lty, rty) is None:
                raise self.fail(
                    node,
                    ErrorCode.TYPE_MISMATCH,
                    f"cannot compare {lty} with {rty} in '{self.text(node)}'",
                )
            return f"{lcode} {_CMP_OPS[kind]} {rcode}"
        base = _join(lty, rty)
        if base is None or base.base not in _ORDERED | {"any"}:
            raise self.fail(
                node,
                ErrorCode.TYPE_MISMATCH,
                f"cannot order {lty} and {rty} in '{self.text(node)}'",
                "Order comparisons need two numbers, durations, datetimes or strings; "
                "write durations as duration('24h') or use a duration parameter.",
            )
        if lty.optional or rty.optional:
            return f"{_ORDER_HELPER[kind]}({lcode}, {rcode})"
        return f"{lcode} {_CMP_OPS[kind]} {rcode}"

    def check_enum(self, ty: Ty, value: Any, node: ast.AST) -> None:
        if not ty.enum:
            return
        allowed = self.ctx.enums[ty.enum]
        if value not in allowed:
            raise self.fail(
                node,
                ErrorCode.UNKNOWN_VALUE,
                f"{value!r} is not a {ty.enum}.{suggest(str(value), allowed)}",
                f"{ty.enum.capitalize()} values: " + ", ".join(sorted(allowed)) + ".",
                value=value,
            )

    # -- calls -------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> tuple[str, Ty, Any]:
        if not isinstance(node.func, ast.Name):
            raise self.fail(
                node, ErrorCode.FORBIDDEN_SYNTAX, "only the documented functions may be called"
            )
        name = node.func.id
        handler: Callable[[ast.Call], tuple[str, Ty, Any]] | None = getattr(
            self, f"fn_{name}", None
        )
        if handler is None:
            raise self.fail(
                node,
                ErrorCode.UNKNOWN_FUNCTION,
                f"unknown function {name!r}.{suggest(name, FUNCTIONS)}",
                "Functions: " + ", ".join(FUNCTIONS) + ".",
            )
        code, ty, const = handler(node)
        if const is _NOCONST:
            self.leaf(node, code, ty)
        return code, ty, const

    def args(self, node: ast.Call, count: int | None, keywords: Iterable[str] = ()) -> None:
        allowed = set(keywords)
        bad = [k.arg for k in node.keywords if k.arg not in allowed]
        if bad or (count is not None and len(node.args) != count):
            name = _fname(node)
            want = f"{count} argument(s)" if count is not None else "arguments"
            raise self.fail(
                node,
                ErrorCode.BAD_ARGUMENTS,
                f"{name}() takes {want}"
                + (f" and keywords {sorted(allowed)}" if allowed else "")
                + (f"; got unexpected {bad}" if bad else f"; got {len(node.args)}"),
            )

    def fn_duration(self, node: ast.Call) -> tuple[str, Ty, Any]:
        self.args(node, 1)
        arg = node.args[0]
        if not isinstance(arg, ast.Constant) or not isinstance(arg.value, str):
            raise self.fail(
                node, ErrorCode.BAD_ARGUMENTS, "duration() takes a string literal such as '24h'"
            )
        try:
            micros = parse_duration(arg.value)
        except ValueError as exc:
            raise self.fail(arg, ErrorCode.BAD_DURATION, str(exc), value=arg.value) from None
        return repr(micros), DURATION, micros

    def _scaled(self, node: ast.Call, seconds: int) -> tuple[str, Ty, Any]:
        self.args(node, 1)
        code, ty, const = self.visit(node.args[0])
        if ty.base not in ("number", "any"):
            raise self.fail(
                node, ErrorCode.TYPE_MISMATCH, f"{_fname(node)}() takes a number, got {ty}"
            )
        factor = seconds * MICROS
        if const is not _NOCONST:
            return repr(round(const * factor)), DURATION, round(const * factor)
        if ty.optional:
            return f"_dur(_mul({code}, {factor}))", DURATION.opt(), _NOCONST
        return f"_dur({code} * {factor})", DURATION, _NOCONST

    def fn_hours(self, node: ast.Call) -> tuple[str, Ty, Any]:
        return self._scaled(node, 3600)

    def fn_days(self, node: ast.Call) -> tuple[str, Ty, Any]:
        return self._scaled(node, 86400)

    def fn_minutes(self, node: ast.Call) -> tuple[str, Ty, Any]:
        return self._scaled(node, 60)

    def _as(self, node: ast.Call, seconds: int) -> tuple[str, Ty, Any]:
        self.args(node, 1)
        code, ty, _ = self.visit(node.args[0])
        if ty.base != "duration":
            raise self.fail(
                node, ErrorCode.TYPE_MISMATCH, f"{_fname(node)}() takes a duration, got {ty}"
            )
        factor = seconds * MICROS
        if ty.optional:
            return f"_div({code}, {factor})", NUMBER.opt(), _NOCONST
        return f"({code} / {factor})", NUMBER, _NOCONST

    def fn_as_hours(self, node: ast.Call) -> tuple[str, Ty, Any]:
        return self._as(node, 3600)

    def fn_as_days(self, node: ast.Call) -> tuple[str, Ty, Any]:
        return self._as(node, 86400)

    def _many(self, node: ast.Call, helper: str) -> tuple[str, Ty, Any]:
        self.args(node, None)
        if not node.args:
            raise self.fail(
                node, ErrorCode.BAD_ARGUMENTS, f"{_fname(node)}() needs at least one argument"
            )
        codes, tys = [], []
        for arg in node.args:
            code, ty, _ = self.visit(arg)
            codes.append(code)
            tys.append(ty)
        result: Ty | None = tys[0]
        for ty in tys[1:]:
            result = _join(result, ty) if result else None
        if result is None:
            raise self.fail(
                node,
                ErrorCode.TYPE_MISMATCH,
                "arguments must share one type, got " + ", ".join(map(str, tys)),
            )
        if helper == "_coalesce":
            result = result.opt(all(t.optional for t in tys))
        return f"{helper}({', '.join(codes)})", result, _NOCONST

    def fn_min(self, node: ast.Call) -> tuple[str, Ty, Any]:
        return self._many(node, "_min")

    def fn_max(self, node: ast.Call) -> tuple[str, Ty, Any]:
        return self._many(node, "_max")

    def fn_coalesce(self, node: ast.Call) -> tuple[str, Ty, Any]:
        return self._many(node, "_coalesce")

    def fn_abs(self, node: ast.Call) -> tuple[str, Ty, Any]:
        self.args(node, 1)
        code, ty, _ = self.visit(node.args[0])
        if ty.base not in ("number", "duration", "any"):
            raise self.fail(
                node, ErrorCode.TYPE_MISMATCH, f"abs() takes a number or duration, got {ty}"
            )
        return (f"_abs({code})" if ty.optional else f"abs({code})"), ty, _NOCONST

    def fn_round(self, node: ast.Call) -> tuple[str, Ty, Any]:
        self.args(node, 2)
        code, ty, _ = self.visit(node.args[0])
        places = node.args[1]
        if ty.base not in ("number", "any") or not (
            isinstance(places, ast.Constant) and isinstance(places.value, int)
        ):
            raise self.fail(
                node, ErrorCode.BAD_ARGUMENTS, "round() takes a number and an integer literal"
            )
        return f"_round({code}, {places.value!r})", NUMBER.opt(ty.optional), _NOCONST

    def fn_attr(self, node: ast.Call) -> tuple[str, Ty, Any]:
        self.args(node, 2)
        name_node, default_node = node.args
        if not isinstance(name_node, ast.Constant) or not isinstance(name_node.value, str):
            raise self.fail(
                node, ErrorCode.BAD_ARGUMENTS, "attr() takes the attribute name as a string literal"
            )
        if not isinstance(default_node, ast.Constant) or (
            isinstance(default_node.value, str) and False
        ):
            raise self.fail(
                node,
                ErrorCode.BAD_ARGUMENTS,
                "attr()'s default must be a literal: 0, 0.0, '', False or None",
            )
        default = default_node.value
        ty = (
            BOOL
            if isinstance(default, bool)
            else NUMBER
            if isinstance(default, int | float)
            else STR
            if isinstance(default, str)
            else ANY
        )
        name = name_node.value
        known = self.ctx.attr_types.get(name)
        if known is not None and ty is not ANY and known.base != ty.base and known is not ANY:
            raise self.fail(
                node,
                ErrorCode.TYPE_MISMATCH,
                f"attribute {name!r} is used as {known} elsewhere in the pack and as {ty} here",
            )
        if known is None or known is ANY:
            self.ctx.attr_types[name] = ty
        return f"s.attr_values.get({name!r}, {default!r})", ty, _NOCONST

    def _tracker(self, node: ast.Call) -> int:
        self.args(node, 0, self.ctx.tracker_fields)
        if not node.keywords:
            raise self.fail(
                node,
                ErrorCode.BAD_ARGUMENTS,
                f"{_fname(node)}() needs at least one filter, e.g. status='attempt_failed'",
                "Filters: " + ", ".join(self.ctx.tracker_fields) + ".",
            )
        filters = []
        for kw in sorted(node.keywords, key=lambda k: k.arg or ""):
            assert kw.arg is not None
            value = kw.value
            if isinstance(value, ast.Constant):
                values: tuple[Any, ...] = (value.value,)
            elif isinstance(value, ast.Tuple | ast.List) and all(
                isinstance(e, ast.Constant) for e in value.elts
            ):
                values = tuple(e.value for e in value.elts if isinstance(e, ast.Constant))
            else:
                raise self.fail(
                    value,
                    ErrorCode.BAD_ARGUMENTS,
                    f"filter {kw.arg}= takes a literal or a tuple of literals",
                )
            enum = self.ctx.tracker_fields[kw.arg]
            for item in values:
                if enum == "bool":
                    if not isinstance(item, bool):
                        raise self.fail(
                            value, ErrorCode.BAD_ARGUMENTS, f"filter {kw.arg}= takes True or False"
                        )
                elif not isinstance(item, str):
                    raise self.fail(
                        value, ErrorCode.BAD_ARGUMENTS, f"filter {kw.arg}= takes strings"
                    )
                elif enum:
                    self.check_enum(Ty("str", enum=enum), item, value)
            filters.append((kw.arg, values))
        return self.ctx.tracker_index(Tracker(tuple(filters)))

    def fn_count(self, node: ast.Call) -> tuple[str, Ty, Any]:
        return f"s.cnt[{self._tracker(node)}]", NUMBER, _NOCONST

    def fn_seen(self, node: ast.Call) -> tuple[str, Ty, Any]:
        return f"(s.cnt[{self._tracker(node)}] > 0)", BOOL, _NOCONST

    def fn_first(self, node: ast.Call) -> tuple[str, Ty, Any]:
        return f"s.firsts[{self._tracker(node)}]", DATETIME.opt(), _NOCONST

    def fn_last(self, node: ast.Call) -> tuple[str, Ty, Any]:
        return f"s.lasts[{self._tracker(node)}]", DATETIME.opt(), _NOCONST


def _fname(node: ast.Call) -> str:
    return node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)


class _NoConst:
    def __repr__(self) -> str:
        return "<not constant>"


_NOCONST: Any = _NoConst()


def _join(a: Ty | None, b: Ty | None) -> Ty | None:
    """The common type of two operands, or None when they cannot meet."""
    if a is None or b is None:
        return None
    optional = a.optional or b.optional
    if a.base == "none":
        return attrs.evolve(b, optional=True)
    if b.base == "none":
        return attrs.evolve(a, optional=True)
    if a.base == "any":
        return attrs.evolve(b, optional=True)
    if b.base == "any":
        return attrs.evolve(a, optional=True)
    if a.base != b.base:
        return None
    return Ty(a.base, optional, a.enum or b.enum)


def compile_expr(
    source: str,
    ctx: ExprContext,
    *,
    want: str | None = None,
    allow_now: bool = False,
) -> CompiledExpr:
    """Parse, resolve, type-check and generate code for one expression.

    ``want`` is the base type the expression must have (``"bool"``, ``"duration"``,
    ``"datetime"``, ``"number"``...).  Raises ``ExprError`` at the first problem.
    """
    compiler = _Compiler(ctx, allow_now)
    code, ty, const, is_const = compiler.run(source)
    if want is not None and ty.base not in (want, "any", "none"):
        article = "an" if want[0] in "aeiou" else "a"
        hints = {
            "duration": "Write a duration literal such as '24h', a duration parameter, "
            "or duration('24h').",
            "datetime": "Anchors are datetimes: last_scan, stage_entered, shipment.promised_at...",
            "bool": "A condition must be true or false, e.g. 'status == \"delivered\"'.",
        }
        raise ExprError(
            ErrorCode.TYPE_MISMATCH,
            f"expected {article} {want}, but '{source.strip()}' is {ty}",
            hint=hints.get(want, ""),
            input=source,
        )
    return CompiledExpr(
        source=source.strip(),
        code=code,
        type=ty,
        leaves=tuple((text, code, base) for text, (code, base) in compiler.leaves.items()),
        constant=const if is_const else None,
        is_constant=is_const,
    )
