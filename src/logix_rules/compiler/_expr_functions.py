"""The functions a condition may call (``FUNCTIONS``): their arguments, types and code."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from typing import Any

from ..core._durations import MICROS
from ..core._errors import ErrorCode
from ._expr_types import _NOCONST, ANY, BOOL, DATETIME, DURATION, NUMBER, STR, Tracker, Ty, _join
from ._expr_walk import _Walker
from ._limits import DURATION_HINT, DurationOutOfRange, bounded_duration, duration_problem
from ._suggest import suggest

__all__ = ["FUNCTIONS"]

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


class _Compiler(_Walker):
    """The whole language: the walk plus the ``visit_Call`` of the documented functions."""

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
            micros = bounded_duration(arg.value)
        except DurationOutOfRange as exc:
            raise self.fail(
                arg, ErrorCode.OUT_OF_RANGE, str(exc), DURATION_HINT, value=arg.value
            ) from None
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
            micros = round(const * factor)
            problem = duration_problem(micros, self.text(node))
            if problem:
                raise self.fail(node, ErrorCode.OUT_OF_RANGE, problem, DURATION_HINT)
            return repr(micros), DURATION, micros
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
