"""The walk over an expression's ``ast``: literals, names, operators and comparisons,
each resolved, type-checked and turned into Python source in one pass (the functions
are in ``_expr_functions``)."""

from __future__ import annotations

import ast
import re
from typing import Any

from ..core._errors import ErrorCode
from ._expr_limits import char_column, parse_bounded
from ._expr_types import (
    _NOCONST,
    BOOL,
    DATETIME,
    LIST,
    NONE,
    NUMBER,
    STR,
    ExprContext,
    ExprError,
    Ty,
    _join,
)
from ._suggest import suggest

_CMP_OPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
_ORDER_HELPER = {ast.Lt: "_lt", ast.LtE: "_le", ast.Gt: "_gt", ast.GtE: "_ge"}
# Lines as Python's tokenizer counts them (only \r\n, \r and \n end one), with their ends.
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|\Z)")
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


class _Walker:
    """Compiles one expression; ``_Compiler`` adds the calls of the documented functions."""

    def __init__(self, ctx: ExprContext, allow_now: bool) -> None:
        self.ctx = ctx
        self.allow_now = allow_now
        self.leaves: dict[str, tuple[str, str]] = {}
        self.source = ""
        self.lines: list[bytes] = []  # the source's lines in UTF-8, as ast offsets count

    # -- helpers -----------------------------------------------------------------
    def fail(
        self, node: ast.AST, code: ErrorCode, msg: str, hint: str = "", value: Any = None
    ) -> ExprError:
        line = getattr(node, "lineno", 1)
        return ExprError(
            code,
            msg,
            line=line,
            col=char_column(self.source, line, getattr(node, "col_offset", 0)),
            hint=hint,
            input=value if value is not None else self.text(node),
        )

    def text(self, node: ast.AST) -> str:
        """The source of ``node`` as written (``ast.get_source_segment`` re-splits the
        whole source on every call, which made compiling long conditions quadratic)."""
        start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        col, end_col = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
        if start is None or end is None or col is None or end_col is None:
            return ast.unparse(node)
        if start == end:
            piece = self.lines[start - 1][col:end_col]
        else:
            piece = b"".join(
                [
                    self.lines[start - 1][col:],
                    *self.lines[start : end - 1],
                    self.lines[end - 1][:end_col],
                ]
            )
        return piece.decode("utf-8", "replace") or ast.unparse(node)

    def leaf(self, node: ast.AST, code: str, ty: Ty) -> None:
        self.leaves.setdefault(self.text(node), (code, ty.base))

    # -- entry -------------------------------------------------------------------
    def run(self, source: str) -> tuple[str, Ty, Any, bool]:
        self.source = source
        tree = parse_bounded(source)
        self.source = source.strip()
        self.lines = [line.encode("utf-8") for line in _LINES.findall(self.source)]
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
