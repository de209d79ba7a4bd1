"""The condition language: a safe, typed subset of Python expression syntax.

Packs write conditions such as ``status == 'exception' and reason == 'customs_hold'``
or ``attr('damage_ratio', 0.0) > params.damage_minor_max``.  They are parsed with
``ast`` and walked once (``_expr_walk``, the functions in ``_expr_functions``), which
resolves every name against a fixed namespace, type-checks the tree and emits Python
source for the compile stage.  Anything not explicitly allowed (attribute access
outside the model, calls other than the documented functions, comprehensions,
lambdas, subscripts...) is rejected at load time, so nothing a pack says can reach
Python's object model.

Types are few (``_expr_types``): ``bool``, ``number``, ``str``, ``datetime``,
``duration``, ``list`` (of strings), ``none`` and ``any`` (event attributes of unknown
type).  Each may be optional; comparisons and arithmetic on optional values are
null-safe (a missing value makes a comparison false and arithmetic ``None``), and the
generated code pays for that only where a value can actually be missing.
"""

from __future__ import annotations

from ..core._errors import ErrorCode
from ._expr_functions import _Compiler
from ._expr_types import CompiledExpr, ExprContext, ExprError

__all__ = ["compile_expr"]


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
