"""The compiler's limits: how big a pack and its expressions may be, and the range of the
numbers and durations it may say.

They keep compiling linear and bounded whatever the input, and make the run-time
arithmetic total: a duration of at most 100 years added to an instant in the range
events may have (1970-01-01 to 2200-01-01 UTC) stays a valid datetime, and a number of
at most 1e15 in magnitude is an exact float integer and a valid ``Decimal`` amount.
docs/security.md lists them; each violation is a located ``PackError``.
"""

from __future__ import annotations

import math
from typing import Any

from ..core._durations import MICROS, format_duration, parse_duration
from ..core._errors import clip_input

__all__ = [
    "DURATION_HINT",
    "MAX_DURATION",
    "MAX_EXPR_CHARS",
    "MAX_EXPR_DEPTH",
    "MAX_EXPR_NODES",
    "MAX_EXTENDS_DEPTH",
    "MAX_NUMBER",
    "MAX_PACK_BYTES",
    "MAX_STRING_LITERAL",
    "MAX_YAML_CHARS",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "NUMBER_HINT",
    "DurationOutOfRange",
    "bounded_duration",
    "duration_problem",
    "number_problem",
]

#: A pack file (and each pack it extends), in bytes of UTF-8.
MAX_PACK_BYTES = 524_288
#: How many packs an ``extends`` chain may have above the pack itself.
MAX_EXTENDS_DEPTH = 16
#: How deep YAML collections may nest, counted after aliases are followed.
MAX_YAML_DEPTH = 64
#: Values that aliases and merge keys may add to the document (billion laughs).
MAX_YAML_NODES = 100_000
#: Characters of scalar text that aliases may add (2 MiB).
MAX_YAML_CHARS = 2_097_152
#: One expression: its text, its syntax-tree nodes, how deep they nest.
MAX_EXPR_CHARS = 200_000
MAX_EXPR_NODES = 50_000
MAX_EXPR_DEPTH = 50
#: One string literal inside an expression.
MAX_STRING_LITERAL = 1_000
#: The magnitude of any number a pack states (literals and param values).
MAX_NUMBER = 1e15
#: The magnitude of any duration a pack states: 36500 days (100 years), in microseconds.
MAX_DURATION = 36_500 * 86_400 * MICROS


NUMBER_HINT = "Numbers in a pack stay within ±1e15, so the engine's arithmetic on them is exact."
DURATION_HINT = "Durations in a pack stay within 100 years, so anchor + after is always a date."


def number_problem(value: Any) -> str | None:
    """Why a number the pack states is out of range, or None when it is fine."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} is not a finite number"
    if abs(value) > MAX_NUMBER:
        shown = f"{value:.6g}" if isinstance(value, float) or value.bit_length() < 600 else "it"
        return f"{shown} is larger than {MAX_NUMBER:.0e} in magnitude, the most a pack may state"
    return None


def duration_problem(micros: int, written: str | None = None) -> str | None:
    """Why a duration (``written`` so in the pack) is out of range, or None when fine."""
    if abs(micros) > MAX_DURATION:
        shown = repr(clip_input(written)) if written is not None else format_duration(micros)
        return (
            f"{shown} is longer than {format_duration(MAX_DURATION)} "
            "(100 years), the longest duration a pack may state"
        )
    return None


class DurationOutOfRange(ValueError):
    """A duration written correctly but longer than ``MAX_DURATION``."""


def bounded_duration(text: str) -> int:
    """``parse_duration`` within the limits: ``ValueError`` for a bad spelling,
    ``DurationOutOfRange`` (a ``ValueError`` too) for a duration too long."""
    try:
        micros = parse_duration(text)
    except OverflowError:  # more digits than a float holds
        raise DurationOutOfRange(
            f"{clip_input(text)!r} is longer than {format_duration(MAX_DURATION)} (100 years), "
            "the longest duration a pack may state"
        ) from None
    problem = duration_problem(micros, text.strip())
    if problem:
        raise DurationOutOfRange(problem)
    return micros
