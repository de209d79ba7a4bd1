"""Durable state for the engine: SQLite or PostgreSQL, and the change feed.

>>> from logix_rules import Engine
>>> from logix_rules.store import open_store, ChangeFeed
>>> store = open_store("sqlite:///ops.db")            # doctest: +SKIP
>>> engine = Engine("default", store=store)           # doctest: +SKIP

See docs/store.md.  Imports ``core``, ``compiler`` and ``runtime`` only.
"""

from ..runtime._actions import Action
from ._cache import DEFAULT_CACHE_SIZE
from ._errors import StoreError
from ._facts import IncidentRecord, ShipmentFacts
from ._feed import ChangeFeed
from ._open import open_store
from ._schema import SCHEMA_VERSION
from ._store import PostgresStore, SQLiteStore, Store
from ._urls import StoreURL, parse_store_url

__all__ = [
    "DEFAULT_CACHE_SIZE",
    "SCHEMA_VERSION",
    "Action",
    "ChangeFeed",
    "IncidentRecord",
    "PostgresStore",
    "SQLiteStore",
    "ShipmentFacts",
    "Store",
    "StoreError",
    "StoreURL",
    "open_store",
    "parse_store_url",
]
