"""Reading one piece of a carrier answer without letting it sink the rest.

Parsers check the shapes they expect, but an answer can be odd in ways nobody
foresaw: a number where a list belongs, a list nested past Python's recursion
limit, an integer too long to print.  :func:`piece` wraps the reading of one
shipment, tracking or event; whatever it raises (other than a deliberate
:class:`CarrierError`) becomes a problem for that piece, and parsing goes on.
:func:`is_object` and :func:`list_field` are the checks every parser makes
before it reads an event or a list of them, with the same problem when they fail.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeGuard

from ._errors import CarrierError, snippet
from ._track_result import ProblemCode, TrackResultBuilder

__all__ = ["describe_exception", "is_object", "list_field", "piece", "plain_text", "text_of"]


def describe_exception(exc: BaseException) -> str:
    """``Type: message`` of an exception, short, even when its ``str()`` fails."""
    try:
        text = str(exc)
    except Exception:  # a broken __str__ must not hide the real failure
        text = ""
    return f"{type(exc).__name__}: {snippet(text)}" if text else type(exc).__name__


def text_of(value: Any) -> str | None:
    """``str(value)`` stripped, or None when that is blank or the value is None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def plain_text(container: Any, key: str) -> str | None:
    """``container[key]`` when it is a non-blank string; never raises."""
    if not isinstance(container, Mapping):
        return None
    value = container.get(key)
    return value.strip() or None if isinstance(value, str) else None


@contextmanager
def piece(
    out: TrackResultBuilder,
    tracking_number: str | None,
    *,
    raw: Any,
    location: str | None,
    what: str = "event",
    code: ProblemCode = ProblemCode.BAD_EVENT,
) -> Iterator[None]:
    """Turn an unexpected failure inside the block into a problem for this piece."""
    try:
        yield
    except CarrierError:
        raise
    except Exception as exc:
        out.problem(
            tracking_number,
            code,
            f"{what} dropped: its content could not be read ({describe_exception(exc)})",
            raw=raw,
            location=location,
        )


def is_object(
    raw: Any, out: TrackResultBuilder, number: str, where: str, what: str = "event"
) -> TypeGuard[Mapping[str, Any]]:
    """True when ``raw`` is an object; otherwise a ``bad_event`` problem drops it."""
    if isinstance(raw, Mapping):
        return True
    out.problem(
        number,
        ProblemCode.BAD_EVENT,
        f"{what} is {type(raw).__name__}, not an object; dropped",
        raw=raw,
        location=where,
    )
    return False


def list_field(
    out: TrackResultBuilder, number: str, container: Mapping[str, Any], key: str, where: str
) -> list[Any] | None:
    """``container[key]`` as a list (missing or empty: ``[]``); None, with a
    ``bad_payload`` problem at ``where``, when it is something else."""
    value = container.get(key) or []
    if isinstance(value, list):
        return value
    out.problem(
        number, ProblemCode.BAD_PAYLOAD, f"'{key}' is not a list", raw=value, location=where
    )
    return None
