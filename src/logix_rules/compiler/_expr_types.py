"""What the condition language is typed with and compiled against: the static types
(``Ty``), the namespace and pack-wide registries (``ExprContext``, ``Tracker``), and what
compiling an expression gives (``CompiledExpr``) or raises (``ExprError``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..core._errors import ErrorCode

__all__ = [
    "ANY",
    "ATTR_TYPES",
    "BOOL",
    "DATETIME",
    "DURATION",
    "LIST",
    "NONE",
    "NUMBER",
    "STR",
    "CompiledExpr",
    "ExprContext",
    "ExprError",
    "Tracker",
    "Ty",
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
