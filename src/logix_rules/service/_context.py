"""``ServiceContext``: what every part of the service shares.

The store, the pack, the settings, the carrier adapters, the clock and the metrics,
and a small pool of store connections: a store object holds one connection and is
used by one thread at a time, so each request (run in a worker thread) borrows a
``Handle`` (a store and an ``Engine`` over it) and gives it back.

>>> ctx = ServiceContext(store, "default")                  # doctest: +SKIP
>>> with ctx.handle() as h:                                 # doctest: +SKIP
...     h.engine.open_incidents(severity="P1")
>>> await ctx.run(lambda h: h.engine.acknowledge(id, by="ana"))   # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TypeVar

import anyio.to_thread
import attrs

from logix_carriers import CarrierAdapter

from ..compiler._load import load_pack
from ..compiler._model import Pack
from ..runtime._engine import Engine
from ..store._store import PostgresStore, SQLiteStore, Store
from ._metrics import Metrics
from ._settings import ServiceSettings
from ._users import verify_user

__all__ = ["Handle", "ServiceContext", "utc_now"]

T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


@attrs.define
class Handle:
    """One borrowed connection: a store and an engine over it (one thread at a time)."""

    store: Store
    engine: Engine


class ServiceContext:
    """The shared parts of one service process (see the module's docstring).

    ``adapters`` maps carrier codes to configured adapters; ``clock`` gives the
    current (aware) instant and is what tests move.
    """

    def __init__(
        self,
        store: Store,
        pack: Pack | str,
        *,
        settings: ServiceSettings | None = None,
        adapters: Mapping[str, CarrierAdapter] | None = None,
        clock: Callable[[], datetime] = utc_now,
        metrics: Metrics | None = None,
    ) -> None:
        self.store = store
        self.pack: Pack = load_pack(pack) if isinstance(pack, str) else pack
        self.settings = settings if settings is not None else ServiceSettings()
        self.adapters: dict[str, CarrierAdapter] = dict(adapters or {})
        self.clock = clock
        self.metrics = metrics if metrics is not None else Metrics()
        self._idle: queue.LifoQueue[Handle] = queue.LifoQueue()
        self._opened: list[Handle] = []
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(self.settings.pool_size)
        self._closed = False
        self._give(Handle(store, Engine(self.pack, store=store)))

    def __repr__(self) -> str:
        return f"<ServiceContext {self.store!r} pack={self.pack.name!r}>"

    # -- the pool ----------------------------------------------------------------------
    def _give(self, handle: Handle) -> None:
        with self._lock:
            self._opened.append(handle)
        self._idle.put(handle)

    def _open_more(self) -> Handle:
        store = self.store
        if isinstance(store, SQLiteStore):
            other: Store = SQLiteStore(store.path)
        elif isinstance(store, PostgresStore):
            other = PostgresStore(store.dsn)
        else:  # a store kind this pool cannot open twice: everyone shares the one
            return self._idle.get()
        handle = Handle(other, Engine(self.pack, store=other))
        with self._lock:
            self._opened.append(handle)
        return handle

    @contextlib.contextmanager
    def handle(self) -> Iterator[Handle]:
        """Borrow a connection for the block (blocks while all ``pool_size`` are out)."""
        with self._slots:
            try:
                handle = self._idle.get_nowait()
            except queue.Empty:
                handle = self._open_more()
            try:
                yield handle
            finally:
                self._idle.put(handle)

    async def run(self, work: Callable[[Handle], T]) -> T:
        """Run ``work(handle)`` in a worker thread with a borrowed connection."""

        def call() -> T:
            with self.handle() as handle:
                return work(handle)

        return await anyio.to_thread.run_sync(call)

    def close(self) -> None:
        """Close the connections the pool opened (not the store it was given)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for handle in opened:
            if handle.store is not self.store:
                handle.store.close()

    # -- shortcuts the desk uses -------------------------------------------------------
    def verify_user(self, name: str, password: str) -> bool:
        """Whether ``name``/``password`` is a desk user (blocking: call it in a thread)."""
        with self.handle() as handle:
            return verify_user(handle.store, name, password)

    def now(self) -> datetime:
        return self.clock()
