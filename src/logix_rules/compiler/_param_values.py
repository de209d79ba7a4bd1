"""The object a shipment's parameter values are read from (``p`` in generated code).

The generated scan reads ``p.<name>`` several times per event.  CPython 3.11
specialises an attribute read only on objects whose type manages its dict or has the
attribute as a slot; a ``types.SimpleNamespace`` has neither, so each read took the
generic path (type lookup, then the instance dict): ~3x the cost of a slot.  So the
values sit in slots of a class made for the pack's names, and compare and print as the
namespace they replace did.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

__all__ = ["ParamValues", "param_values"]


class ParamValues:
    """Parameter values by name, as attributes (one subclass per set of names)."""

    __slots__ = ()

    def _items(self) -> list[tuple[str, Any]]:
        names: tuple[str, ...] = type(self).__slots__
        return [(name, getattr(self, name)) for name in names]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParamValues):
            return NotImplemented
        return dict(self._items()) == dict(other._items())

    __hash__ = None  # type: ignore[assignment]  # mutable, like the namespace it replaces

    def __repr__(self) -> str:
        return "params(" + ", ".join(f"{name}={value!r}" for name, value in self._items()) + ")"


def param_values(values: Mapping[str, Any]) -> ParamValues:
    """``values`` as a ``ParamValues`` (the class of its names made once)."""
    out = _type_for(tuple(values))()
    for name, value in values.items():
        setattr(out, name, value)
    return out


@functools.cache
def _type_for(names: tuple[str, ...]) -> type[ParamValues]:
    return type("Params", (ParamValues,), {"__slots__": names})
