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

Safe points.  Freezing only after full collections leaves every new state to be
scanned by the young collections that run while ``ingest`` builds it, and deferring
those collections would only move them into the caller's code.  So an armed engine
also makes each ``ingest`` and ``advance`` call a safe point (``Settler.quiet``): the
collector is paused for the call (``gc.disable``; a collector the caller disabled
stays disabled and is left alone) and, if the call kept at least a young
collection's worth of new objects, what is alive when it returns is frozen
(``gc.freeze`` moves lists, it scans nothing).  What the call kept is then never
scanned by any collection; the engine makes no reference cycle (tests check the
states, changes and incidents), so nothing the engine drops is left frozen.  A
smaller call only defers the young collection it may have caused to its end, and a
call that raises is no safe point: the collector is restored, nothing is frozen.

What the safe points give up on top: the caller's objects alive at such a return
(its batch of events, say) are frozen too; reference counting still frees them,
but one that is unreachable cyclic garbage then, or becomes part of such a cycle
later, is never collected.  ``settle_gc=False`` is the way out.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import weakref
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, Final

__all__ = ["SETTLE_FROM", "YOUNG_THRESHOLDS", "Settler", "lower_young", "quiet", "raise_young"]

#: States an engine holds before its process's survivors are frozen.
SETTLE_FROM: Final = 10_000
#: The least first two ``gc`` thresholds while armed (CPython's are 700 and 10).
YOUNG_THRESHOLDS: Final = (10_000, 100)

_armed = 0  # engines alive that hold SETTLE_FROM states or more
_lock = threading.Lock()
_holders = 0  # armed engines and running store units that want the young thresholds raised
_saved: tuple[int, int, int] | None = None  # the thresholds before the first holder
_paused = 0  # quiet calls running with the collector paused by this module
_young = 0  # the collector's young count when it was paused


def _after_collection(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] == 2 and _armed:
        gc.freeze()


def _raised(thresholds: tuple[int, int, int]) -> tuple[int, int, int]:
    first, second, third = thresholds
    return max(first, YOUNG_THRESHOLDS[0]), max(second, YOUNG_THRESHOLDS[1]), third


def raise_young() -> None:
    """One more holder of raised young thresholds (an armed engine, a running store
    unit): the first raises the first two thresholds, if lower, until the last lets go."""
    global _holders, _saved
    with _lock:
        _holders += 1
        if _holders == 1:
            _saved = gc.get_threshold()
            wanted = _raised(_saved)
            if wanted != _saved:
                gc.set_threshold(*wanted)


def lower_young() -> None:
    """One holder fewer: the last puts the thresholds back as it found them, unless
    something else changed them meanwhile (then theirs stand)."""
    global _holders, _saved
    with _lock:
        _holders -= 1
        if not _holders and _saved is not None:
            if gc.get_threshold() == _raised(_saved):
                gc.set_threshold(*_saved)
            _saved = None


def _arm() -> None:
    global _armed
    _armed += 1
    if _after_collection not in gc.callbacks:
        gc.callbacks.append(_after_collection)
    raise_young()


def _disarm() -> None:
    global _armed
    _armed -= 1
    lower_young()


def _pause() -> bool:
    """Pause the collector for one call; False if it was off already (not ours)."""
    global _paused, _young
    with _lock:
        if _paused:
            _paused += 1
            return True
        if not gc.isenabled():
            return False
        gc.disable()
        _paused = 1
        _young = gc.get_count()[0]
        return True


def _resume(safe: bool) -> None:
    """End one paused call.  The last one is a safe point if ``safe`` and the calls
    kept at least a young collection's worth of new objects (the collector would
    have scanned them): those are frozen.  A small call changes nothing."""
    global _paused
    with _lock:
        _paused -= 1
        if _paused:
            return
        if safe and gc.get_count()[0] - _young >= gc.get_threshold()[0]:
            gc.freeze()
        gc.enable()


class _Quiet:
    """The context of one armed call (see ``Settler.quiet``)."""

    __slots__ = ("_paused",)

    def __init__(self) -> None:
        self._paused = False

    def __enter__(self) -> None:
        self._paused = _pause()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._paused:
            _resume(kind is None)


_LOUD: Final = contextlib.nullcontext()  # a call that leaves the collector alone


def quiet(settler: Settler | None) -> AbstractContextManager[None]:
    """The context of one ``ingest`` or ``advance`` call: once ``settler`` is armed,
    the collector is paused for the call and its end is a safe point."""
    return _Quiet() if settler is not None and settler._armed else _LOUD


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
