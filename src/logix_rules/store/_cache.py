"""A bounded cache of deserialized shipment states, checked against the database.

Each entry remembers the ``version`` of the row it was read from or written as, and
the fingerprint of the pack its state was made under.  A unit of work reads the row's
version (under its lock) before using an entry: another process that wrote the row
since has bumped it, so a stale state is never used, and the cache needs no
invalidation messages between processes.  A new row starts at a random version, so a
parcel deleted and created again elsewhere never matches an old entry.

Where the database can tell that no other connection committed since (SQLite's
``PRAGMA data_version``; ``Database.epoch``), an entry a unit committed is used without
reading its row's version at all: each entry keeps the epoch it was written in, and
the epoch moves on whenever another connection may have written (``trusted``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from ..runtime._state import ShipmentState

__all__ = ["DEFAULT_CACHE_SIZE", "StateCache"]

#: States kept in memory per store object by default (about 40 MB of parcels: each
#: state and, beside it, the bytes it was written as).
DEFAULT_CACHE_SIZE = 10_000


class StateCache:
    """Least-recently-used states by tracking number, at most ``size`` of them."""

    def __init__(self, size: int = DEFAULT_CACHE_SIZE) -> None:
        if size < 0:
            raise ValueError(f"cache_size must be 0 or more, got {size}")
        self.size = size
        # tracking number -> (version, pack, state, extra, epoch)
        self._entries: OrderedDict[str, tuple[int, str, ShipmentState, Any, int | None]] = (
            OrderedDict()
        )
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, tracking_number: object) -> bool:
        """Whether a state of ``tracking_number`` is held (at whatever version)."""
        return tracking_number in self._entries

    def get(self, tracking_number: str, version: int, pack: str) -> ShipmentState | None:
        """The cached state of ``tracking_number`` if it is the row's ``version``,
        made under the pack of fingerprint ``pack``."""
        entry = self.entry(tracking_number, version, pack)
        return None if entry is None else entry[0]

    def entry(
        self, tracking_number: str, version: int, pack: str
    ) -> tuple[ShipmentState, Any] | None:
        """``get``, with what was put beside the state (``put``'s ``extra``)."""
        entry = self._entries.get(tracking_number)
        if entry is None or entry[0] != version or entry[1] != pack:
            self.misses += 1
            return None
        self._entries.move_to_end(tracking_number)
        self.hits += 1
        return entry[2], entry[3]

    def trusted(
        self, tracking_numbers: Iterable[str], pack: str, epoch: int
    ) -> list[tuple[str, ShipmentState, Any]]:
        """The tracking number, state and ``extra`` of each of ``tracking_numbers`` that
        a unit put in ``epoch`` (no other connection can have written its row since: its
        version need not be read), made under the pack of fingerprint ``pack``.  One
        call for a unit's parcels: a stream's unit takes hundreds from here."""
        entries = self._entries
        get, move = entries.get, entries.move_to_end
        out = []
        for tracking_number in tracking_numbers:
            entry = get(tracking_number)
            if entry is not None and entry[4] == epoch and entry[1] == pack:
                move(tracking_number)
                out.append((tracking_number, entry[2], entry[3]))
        self.hits += len(out)
        return out

    def put(
        self,
        tracking_number: str,
        version: int,
        pack: str,
        state: ShipmentState,
        extra: Any = None,
    ) -> None:
        """Keep ``state`` as the row's ``version``; ``extra``: what the caller derived
        from it (valid exactly as long as the state is)."""
        if self.size == 0:
            return
        entries = self._entries
        entries[tracking_number] = (version, pack, state, extra, None)
        entries.move_to_end(tracking_number)
        while len(entries) > self.size:
            entries.popitem(last=False)

    def put_many(
        self,
        pack: str,
        entries: Iterable[tuple[str, int, ShipmentState, Any]],
        epoch: int | None = None,
    ) -> None:
        """``put`` of each ``(tracking_number, version, state, extra)``, in order, as
        written in ``epoch`` (``trusted``; None: the row's version is read before use)."""
        if self.size == 0:
            return
        held = self._entries
        move = held.move_to_end
        for tracking_number, version, state, extra in entries:
            held[tracking_number] = (version, pack, state, extra, epoch)
            move(tracking_number)
        while len(held) > self.size:
            held.popitem(last=False)

    def discard(self, tracking_number: str) -> None:
        self._entries.pop(tracking_number, None)

    def clear(self) -> None:
        self._entries.clear()
