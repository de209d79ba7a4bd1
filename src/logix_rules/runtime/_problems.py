"""Any failure of one input item, whatever its Python type, as that item's problem.

Validation reports most bad items, but hostile input also fails in ways pydantic
does not wrap: a JSON line nested 100,000 deep (``RecursionError``), a number of
thousands of digits (``ValueError`` from Python's int-to-str limit), a date at the
end of ``datetime``'s range (``OverflowError``).  Each becomes an ``InputProblem``
of that one item with JSON-ready ``errors`` (``loc``, ``msg``, ``type``, ``input``),
and the rest of the input is read as usual.
"""

from __future__ import annotations

import math
import reprlib
from typing import Any, Final

from pydantic import ValidationError

from ..core._errors import ErrorCode, InputProblem

__all__ = [
    "INPUT_SHOWN",
    "failure_errors",
    "item_problem",
    "shown_input",
    "validation_errors",
]

#: Characters of a bad value kept in a problem (the input of an error, a bad line).
INPUT_SHOWN: Final = 200

#: Numbers shown as they are in a problem; larger ones are described instead.
_PLAIN_NUMBER: Final = 10**15


class _SafeRepr(reprlib.Repr):
    """``reprlib`` that never raises: depth-limited, and big ints described by size."""

    def repr_int(self, x: int, level: int) -> str:
        return _int_text(x)


_REPR = _SafeRepr()
_REPR.maxlevel = 3
_REPR.maxstring = INPUT_SHOWN
_REPR.maxother = INPUT_SHOWN


def _int_text(value: int) -> str:
    if abs(value) < _PLAIN_NUMBER:
        return repr(value)
    return f"<an integer of about {int(value.bit_length() * 0.30103) + 1} digits>"


def _cut(text: str) -> str:
    return text if len(text) <= INPUT_SHOWN else text[: INPUT_SHOWN - 3] + "..."


def shown_input(value: Any) -> Any:
    """``value`` as a problem shows it: JSON-ready, at most ``INPUT_SHOWN`` characters.

    Strings are cut, plain finite numbers, booleans and None stay as they are, and
    anything else (huge or non-finite numbers, containers, objects) becomes a short,
    depth-limited description.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _cut(value)
    if isinstance(value, int):
        return value if abs(value) < _PLAIN_NUMBER else _int_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) and abs(value) < _PLAIN_NUMBER else repr(value)
    try:
        return _cut(_REPR.repr(value))
    except Exception:  # a user object whose __repr__ fails says nothing useful anyway
        return f"<{type(value).__name__}>"


def validation_errors(exc: ValidationError) -> tuple[dict[str, Any], ...]:
    """Pydantic's errors as JSON-ready problem details (no documentation URLs).

    The messages of the model's own validators lose pydantic's ``"Value error, "``
    prefix and the field name the location already gives; a missing ``stage`` next
    to a bad ``status`` is left out, as it only follows from the status.
    """
    raw = exc.errors(include_url=False)
    locs = {tuple(err.get("loc", ())) for err in raw}
    out = []
    for err in raw:
        # Keys come from the input too (an unknown field, an attribute name): cut them.
        loc = tuple(_cut(part) if isinstance(part, str) else part for part in err.get("loc", ()))
        if loc == ("stage",) and err.get("type") == "missing" and ("status",) in locs:
            continue
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        if loc:
            msg = msg.removeprefix(f"{loc[-1]}: ")
        out.append(
            {
                "loc": loc,
                "msg": msg,
                "type": str(err.get("type", "")),
                "input": shown_input(err.get("input")),
            }
        )
    return tuple(out)


def failure_errors(exc: BaseException) -> tuple[dict[str, Any], ...]:
    """The problem details of an item that failed with ``exc`` (any exception type)."""
    if isinstance(exc, ValidationError):
        return validation_errors(exc)
    if isinstance(exc, RecursionError):
        msg, kind = "is nested too deeply to be read", "too_deep"
    elif isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        msg, kind = "holds a number with more than 4300 digits", "number_too_long"
    elif isinstance(exc, OverflowError):
        msg, kind = f"a value is out of range ({_cut(str(exc))})", "out_of_range"
    else:
        msg, kind = f"cannot be read: {type(exc).__name__}: {_cut(str(exc))}", "unreadable"
    return ({"loc": (), "msg": msg, "type": kind, "input": None},)


def item_problem(
    code: ErrorCode, index: int, item: Any, exc: BaseException, source: str | None = None
) -> InputProblem:
    """The problem of the item at ``index`` (or line, with ``source``) that raised ``exc``."""
    return InputProblem(code, index, item, failure_errors(exc), source)
