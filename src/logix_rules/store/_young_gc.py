"""The cyclic collector's young generations, collected less often during a unit.

A unit of work allocates tens of thousands of short-lived objects per thousand events
(rows, state bytes, change JSON, snapshots), nearly all freed by reference counting
as soon as the unit ends; with CPython's thresholds (700, 10) they set off a young
collection every few hundred allocations, each scanning the unit's live work and,
every tenth, the middle generation too, and the middle generation's growth sets off
full collections that scan the store's cache of states.  Measured on a 10,000-parcel
SQLite ingest (``benchmarks/store.py``): collections took ~0.8 s of ~11 s of CPU; with
the young thresholds raised while a unit runs, ~0.25 s.  The in-memory engine's
settler (``runtime/_gc_settle.py``) raises the same thresholds once it is large;
a unit raises them only while it runs and puts the process's own back at its end.
"""

from __future__ import annotations

import gc
import threading

from ..runtime._gc_settle import YOUNG_THRESHOLDS

__all__ = ["quiet_young", "restore_young"]

_lock = threading.Lock()
_depth = 0  # units running in this process (a service runs them in several threads)
_saved: tuple[int, int, int] | None = None


def quiet_young() -> None:
    """A unit starts: raise the first two thresholds (if lower) until the last ends."""
    global _depth, _saved
    with _lock:
        _depth += 1
        if _depth == 1:
            _saved = gc.get_threshold()
            first, second, third = _saved
            wanted = (max(first, YOUNG_THRESHOLDS[0]), max(second, YOUNG_THRESHOLDS[1]), third)
            if wanted != _saved:
                gc.set_threshold(*wanted)


def restore_young() -> None:
    """A unit ended: the last one puts the thresholds back as it found them."""
    global _depth, _saved
    with _lock:
        _depth -= 1
        if _depth == 0 and _saved is not None:
            # Unless something else changed them meanwhile (then theirs stand).
            first, second, third = _saved
            raised = (max(first, YOUNG_THRESHOLDS[0]), max(second, YOUNG_THRESHOLDS[1]), third)
            if gc.get_threshold() == raised:
                gc.set_threshold(*_saved)
            _saved = None
