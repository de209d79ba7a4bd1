"""The bounds on one expression, checked before it is walked: its length, how many
syntax-tree nodes it has and how deep they nest, its string literals' length and its
numbers' range (``_limits``).

The walk that compiles an expression recurses, and so does Python when it compiles
the generated code; bounding the depth here keeps both far from their limits, and
the node count keeps one expression's share of compile time small.
"""

from __future__ import annotations

import ast
import warnings
from typing import Any

from ..core._errors import ErrorCode
from ._expr_types import ExprError
from ._limits import (
    MAX_EXPR_CHARS,
    MAX_EXPR_DEPTH,
    MAX_EXPR_NODES,
    MAX_STRING_LITERAL,
    NUMBER_HINT,
    number_problem,
)

__all__ = ["char_column", "parse_bounded", "parse_expression"]

_TOO_COMPLEX_HINT = "Split the condition: give a part its own rule, or use a param."
# Parts of the tree that are not values: they do not count as nodes or as depth.
_NOT_VALUES = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)


def parse_bounded(source: str) -> ast.Expression:
    """``ast.parse(source.strip(), mode="eval")`` within the limits.

    Raises ``ExprError``: ``expr_syntax`` for bad syntax, ``expr_too_complex`` past a
    size limit, ``out_of_range`` for a number outside ``MAX_NUMBER``.
    """
    if len(source) > MAX_EXPR_CHARS:
        raise ExprError(
            ErrorCode.EXPR_TOO_COMPLEX,
            f"the expression has {len(source):,} characters; at most {MAX_EXPR_CHARS:,} "
            "are allowed",
            hint=_TOO_COMPLEX_HINT,
            input=source,
        )
    try:
        with warnings.catch_warnings():
            # "invalid escape sequence" and the like: the literal reads as Python reads
            # it, and `logix check` prints problems, not Python's warnings.
            warnings.simplefilter("ignore")
            tree = parse_expression(source)
    except SyntaxError as exc:
        code, msg, hint = ErrorCode.EXPR_SYNTAX, f"invalid expression: {exc.msg}", ""
        if "too many nested" in exc.msg:
            code, hint = ErrorCode.EXPR_TOO_COMPLEX, _TOO_COMPLEX_HINT
        elif "Exceeds the limit" in exc.msg:  # an integer of thousands of digits
            code, msg = ErrorCode.OUT_OF_RANGE, "the number has too many digits"
        raise ExprError(
            code,
            msg,
            line=exc.lineno or 1,
            col=max((exc.offset or 1) - 1, 0),
            hint=hint or "Conditions use Python expression syntax: and/or/not, ==, <, in, calls.",
            input=source,
        ) from None
    except (RecursionError, MemoryError):  # Python's own parser nests too deep
        raise ExprError(
            ErrorCode.EXPR_TOO_COMPLEX,
            f"the expression nests more than {MAX_EXPR_DEPTH} levels deep",
            hint=_TOO_COMPLEX_HINT,
            input=source,
        ) from None
    _check_tree(tree.body, source)
    return tree


def parse_expression(source: str) -> ast.Expression:
    """``ast.parse(source.strip(), mode="eval")``, where the expression may span lines
    (``when: |``) as it may inside brackets; positions stay those of the text.

    Raises ``SyntaxError``, located in the text.
    """
    text = source.strip()
    if "\n" not in text:
        return ast.parse(text, mode="eval")
    rows = text.count("\n") + 1
    try:
        tree = ast.parse("(\n" + text + "\n)", mode="eval")
    except SyntaxError as exc:
        exc.lineno = min(max((exc.lineno or 2) - 1, 1), rows)
        raise
    body = tree.body
    if body.lineno < 2 or (body.end_lineno or 0) > rows + 1:
        # The text closed the bracket put around it ("a) or (b"): unbalanced as written.
        return ast.parse(text, mode="eval")
    ast.increment_lineno(tree, -1)
    return tree


def _check_tree(root: ast.expr, source: str) -> None:
    """Count and measure the tree level by level, without recursion; check every
    literal on the way."""
    level: list[ast.AST] = [root]
    nodes = depth = 0
    while level:
        depth += 1
        nodes += len(level)
        if depth > MAX_EXPR_DEPTH:
            raise _fail(
                level[0],
                ErrorCode.EXPR_TOO_COMPLEX,
                f"the expression nests more than {MAX_EXPR_DEPTH} levels deep",
                _TOO_COMPLEX_HINT,
                source,
                source=source,
            )
        if nodes > MAX_EXPR_NODES:
            raise _fail(
                root,
                ErrorCode.EXPR_TOO_COMPLEX,
                f"the expression has more than {MAX_EXPR_NODES:,} parts",
                _TOO_COMPLEX_HINT,
                source,
                source=source,
            )
        below: list[ast.AST] = []
        for node in level:
            if isinstance(node, ast.Constant):
                _check_literal(node, node.value, source)
                continue
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, list):
                    below.extend(
                        v
                        for v in value
                        if isinstance(v, ast.AST) and not isinstance(v, _NOT_VALUES)
                    )
                elif isinstance(value, ast.AST) and not isinstance(value, _NOT_VALUES):
                    below.append(value)
        level = below


def _check_literal(node: ast.Constant, value: Any, source: str) -> None:
    if isinstance(value, str | bytes) and len(value) > MAX_STRING_LITERAL:
        raise _fail(
            node,
            ErrorCode.EXPR_TOO_COMPLEX,
            f"a string literal of {len(value):,} characters; at most {MAX_STRING_LITERAL:,} "
            "are allowed",
            "Literals name statuses, reasons, codes and attributes: they are short.",
            value,
            source=source,
        )
    problem = number_problem(value)
    if problem is not None:
        raise _fail(
            node,
            ErrorCode.OUT_OF_RANGE,
            problem,
            NUMBER_HINT,
            value,
            source=source,
        )


def _fail(
    node: ast.AST, code: ErrorCode, msg: str, hint: str, value: Any, *, source: str
) -> ExprError:
    line = getattr(node, "lineno", 1)
    return ExprError(
        code,
        msg,
        line=line,
        col=char_column(source.strip(), line, getattr(node, "col_offset", 0)),
        hint=hint,
        input=value,
    )


def char_column(text: str, line: int, byte_col: int) -> int:
    """``ast`` counts columns in UTF-8 bytes; reports count characters."""
    lines = text.split("\n")
    if not 0 < line <= len(lines):
        return byte_col
    return len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "ignore"))
