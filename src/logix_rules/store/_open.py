"""``open_store(url)``: a store from its URL."""

from __future__ import annotations

from ._cache import DEFAULT_CACHE_SIZE
from ._store import PostgresStore, SQLiteStore, Store
from ._urls import parse_store_url

__all__ = ["open_store"]


def open_store(url: str, *, cache_size: int = DEFAULT_CACHE_SIZE) -> Store:
    """Open (and create or migrate, if needed) the store at ``url``.

    ``sqlite:///relative.db``, ``sqlite:////absolute/path.db`` or
    ``postgresql://user:password@host:port/database``.  ``cache_size`` bounds the
    shipment states kept in memory.
    """
    parsed = parse_store_url(url)
    if parsed.backend == "sqlite":
        return SQLiteStore(parsed.target, cache_size=cache_size)
    return PostgresStore(parsed.target, cache_size=cache_size)
