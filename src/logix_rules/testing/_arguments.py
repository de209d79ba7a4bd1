"""How the strategies take their arguments: each knob a plain value or a strategy.

Arguments are validated when a value is drawn, as in Hypothesis itself: a plain
argument that cannot work raises ``hypothesis.errors.InvalidArgument``; a drawn one
is rejected.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, Final, TypeVar

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

T = TypeVar("T")


# Strategy objects are built once per distinct argument: Hypothesis validates every new
# one, and timelines draw a few dozen values each.
_BOOLS: Final = st.booleans()


@functools.lru_cache(maxsize=1024)
def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@functools.lru_cache(maxsize=1024)
def _choices(options: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(options)


def _choice(options: Iterable[T]) -> st.SearchStrategy[T]:
    return _choices(tuple(options))


def _strategy(value: Any) -> st.SearchStrategy[Any]:
    return value if isinstance(value, st.SearchStrategy) else st.just(value)


def _draw(draw: st.DrawFn, value: Any) -> tuple[Any, bool]:
    """A knob's value, and whether the caller fixed it (True) or a strategy drew it."""
    if isinstance(value, st.SearchStrategy):
        return draw(value), False
    return value, True


def _bad(fixed: bool, message: str) -> Any:
    """A plain argument that cannot work is an error; a drawn one is just rejected."""
    if fixed:
        raise InvalidArgument(message)
    reject()


def _duration(name: str, value: Any, fixed: bool, *, allow_zero: bool = False) -> timedelta | None:
    if value is None:
        return None
    if not isinstance(value, timedelta):
        _bad(True, f"{name}={value!r} must be a timedelta (or a strategy of timedeltas)")
    if value < timedelta(0) or (value == timedelta(0) and not allow_zero):
        _bad(fixed, f"{name}={value!r} must be a positive timedelta")
    return value  # type: ignore[no-any-return]


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True or False (or a strategy of them)")
    return value


def _count(name: str, value: Any, fixed: bool, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{name}={value!r} must be a whole number (or a strategy of them)")
    if not 0 <= value <= limit:
        _bad(fixed, f"{name}={value!r} must be between 0 and {limit}")
    return value
