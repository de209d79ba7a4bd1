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
usual.  While armed, the young generations are also collected less often
(``YOUNG_THRESHOLDS``): each of those collections scans everything young that is
alive, such as the caller's batch of input events, and most of what ``ingest``
allocates is freed by reference counting before any collection could see it.

What is given up: a frozen object that later becomes part of an unreachable cycle
is never collected, hence the threshold (a process holding that many states is
mostly them); once no such engine is alive the hook goes idle and the collector's
thresholds are put back.
"""

from __future__ import annotations

import gc
import weakref
from typing import Any, Final

__all__ = ["SETTLE_FROM", "YOUNG_THRESHOLDS", "Settler"]

#: States an engine holds before its process's survivors are frozen.
SETTLE_FROM: Final = 10_000
#: The least first two ``gc`` thresholds while armed (CPython's are 700 and 10).
YOUNG_THRESHOLDS: Final = (10_000, 100)

_armed = 0  # engines alive that hold SETTLE_FROM states or more
_saved: tuple[int, int, int] | None = None  # the thresholds before arming


def _after_collection(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] == 2 and _armed:
        gc.freeze()


def _arm() -> None:
    global _armed, _saved
    _armed += 1
    if _after_collection not in gc.callbacks:
        gc.callbacks.append(_after_collection)
    if _saved is None:
        _saved = gc.get_threshold()
        first, second, third = _saved
        gc.set_threshold(max(first, YOUNG_THRESHOLDS[0]), max(second, YOUNG_THRESHOLDS[1]), third)


def _disarm() -> None:
    global _armed, _saved
    _armed -= 1
    if not _armed and _saved is not None:
        gc.set_threshold(*_saved)
        _saved = None


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
        _arm()
        weakref.finalize(self, _disarm)  # the engine is gone: idle again
