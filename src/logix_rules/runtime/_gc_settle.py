"""Keeping long-lived shipment states out of the cyclic collector's way.

An engine tracking hundreds of thousands of shipments holds millions of container
objects that live as long as it does.  CPython's collector re-scans every one of them
on each full collection (one whenever the long-lived objects grew by a quarter), so
at 100,000-400,000 shipments collections took a third or more of ``ingest``, finding
nothing: a shipment's state holds no reference cycle (reference counting frees it; a
test checks), so scanning it again is wasted work.

The engine does not collect on its own.  Once an in-memory engine holds
``SETTLE_FROM`` states, a ``gc.callbacks`` hook (installed once, idle otherwise)
moves everything alive to the permanent generation (``gc.freeze``) right after each
of the collector's own full collections: at that moment everything left is alive
(the collection just freed the garbage), and the next full collection scans only
what is new since.  A frozen object freed by reference counting later is freed as
usual.  What is given up: a frozen object that later becomes part of an unreachable
cycle is never collected, hence the threshold (a process holding that many states
is mostly them), and the hook goes idle once no such engine is alive.
"""

from __future__ import annotations

import gc
import weakref
from typing import Any, Final

__all__ = ["SETTLE_FROM", "Settler"]

#: States an engine holds before its process's survivors are frozen.
SETTLE_FROM: Final = 10_000

# The settlers of the engines that hold enough states (weakly: a dropped engine
# disarms the hook).
_LARGE: Final[weakref.WeakSet[Settler]] = weakref.WeakSet()


def _after_collection(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] == 2 and _LARGE:
        gc.freeze()


class Settler:
    """One engine's part: arms the hook once ``count`` reaches ``SETTLE_FROM``."""

    __slots__ = ("__weakref__", "_armed")

    def __init__(self) -> None:
        self._armed = False

    def after(self, count: int) -> None:
        """Call at a safe point with the number of states now held."""
        if self._armed or count < SETTLE_FROM:
            return
        self._armed = True
        _LARGE.add(self)
        if _after_collection not in gc.callbacks:
            gc.callbacks.append(_after_collection)
