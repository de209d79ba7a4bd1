"""Keeping long-lived shipment states out of the cyclic collector's way.

An engine tracking hundreds of thousands of shipments holds millions of container
objects that live as long as it does.  CPython's collector re-scans every one of them
on each full collection (one whenever the long-lived objects grew by a quarter), so
at 400,000 shipments collections took 37-45 % of ``ingest``, finding nothing: a
shipment's state holds no reference cycle (reference counting frees it; a test
checks), so scanning it is wasted work.

At a safe point (after a unit of work, once the states grew by a quarter) the
engine collects once, which scans only the objects made since the last time, then
moves everything alive to the permanent generation (``gc.freeze``).  Nothing that is
garbage at that moment is frozen; a frozen object freed by reference counting later
is freed as usual.  What is given up: a frozen object that later becomes part of an
unreachable cycle is never collected, so the engine only settles when its own states
grew (a process holding that many states is mostly them).
"""

from __future__ import annotations

import gc
from typing import Final

__all__ = ["SETTLE_EVERY", "Settler"]

#: The fewest new states between two settles: a settle (one collection of what is
#: young, then a freeze) is cheap, but not free.
SETTLE_EVERY: Final = 4_096


class Settler:
    """Settles the process's objects whenever ``count`` grew by a quarter (and at
    least ``SETTLE_EVERY``) since the last time."""

    __slots__ = ("_next",)

    def __init__(self) -> None:
        self._next = SETTLE_EVERY

    def after(self, count: int) -> None:
        """Call at a safe point with the number of states now held."""
        if count < self._next:
            return
        # Geometric steps: each settle scans what is new since the last one, so all
        # of them together scan each object about once.
        self._next = max(count + SETTLE_EVERY, count * 5 // 4)
        if gc.isenabled():  # a caller that turned the collector off has its reasons
            gc.collect()
            gc.freeze()
