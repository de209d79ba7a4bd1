"""The change feed: every change a store recorded, in ``seq`` order, and the durable
cursors of the consumers that read it.

``seq`` is assigned in commit order (see ``_units.record_changes``): a consumer that
has read up to ``n`` can never later find a change below ``n`` that it did not see.
Delivery is at least once (a consumer that crashes before ``commit`` reads the same
changes again); each change's deterministic ``id`` lets it apply them exactly once.
"""

from __future__ import annotations

import json
from typing import Protocol

from ..core._errors import ErrorCode
from ..runtime._incidents import Change, ChangeType
from ._codec import incident_from_dict, moment
from ._db import Database, wall_micros
from ._errors import StoreError

__all__ = ["ChangeFeed", "change_from_row", "feed_head", "read_feed"]

#: The most changes one ``poll`` returns.
MAX_POLL = 10_000


def feed_head(db: Database) -> int:
    """The last seq given out (0 for an empty feed)."""
    rows = db.execute("SELECT value FROM meta WHERE key = 'feed_seq'")
    return int(rows[0][0])


def change_from_row(seq: int, change_id: str, kind: str, at: int, payload: str) -> Change:
    return Change(
        ChangeType(kind),
        incident_from_dict(json.loads(payload)),
        moment(at),
        seq=seq,
        id=change_id,
    )


def read_feed(db: Database, after: int, limit: int) -> list[Change]:
    """Up to ``limit`` changes with a seq above ``after``, in seq order."""
    rows = db.execute(
        "SELECT seq, change_id, type, at, payload FROM feed WHERE seq > ? ORDER BY seq LIMIT ?",
        (after, limit),
    )
    return [
        change_from_row(int(seq), ident, kind, int(at), payload)
        for seq, ident, kind, at, payload in rows
    ]


class HasDatabase(Protocol):
    """What a feed reads: a store's database (any ``Store``)."""

    @property
    def db(self) -> Database: ...


class ChangeFeed:
    """A named, durable cursor over a store's changes.

    >>> feed = ChangeFeed(store, consumer="oms")            # doctest: +SKIP
    >>> for change in feed.poll(limit=500):                 # doctest: +SKIP
    ...     apply(change)  # idempotent by change.id
    >>> feed.commit()                                       # doctest: +SKIP

    ``poll`` never blocks: it returns ``[]`` when nothing is new.  It continues after
    the last change it returned, starting from the consumer's committed seq.
    ``commit(seq)`` records that every change up to ``seq`` is handled (default: up to
    the last one polled); after it, no change at or below ``seq`` reaches this
    consumer again, in this process or any other.
    """

    def __init__(self, store: HasDatabase, consumer: str) -> None:
        if not isinstance(consumer, str) or not consumer.strip() or len(consumer) > 200:
            raise ValueError(f"a consumer needs a name of 1 to 200 characters, got {consumer!r}")
        self.store = store
        self.consumer = consumer
        db = store.db
        with db.transaction(write=True):
            db.execute(
                "INSERT INTO consumers (name, seq, updated) VALUES (?, 0, ?) "
                "ON CONFLICT (name) DO NOTHING",
                (consumer, wall_micros()),
            )
        self._position = self.committed

    def __repr__(self) -> str:
        return f"<ChangeFeed consumer={self.consumer!r} position={self._position}>"

    @property
    def committed(self) -> int:
        """The consumer's committed seq: every change up to it is handled."""
        db = self.store.db
        with db.transaction(write=False):
            rows = db.execute("SELECT seq FROM consumers WHERE name = ?", (self.consumer,))
        return int(rows[0][0]) if rows else 0

    @property
    def position(self) -> int:
        """The seq of the last change this object returned (or the committed one)."""
        return self._position

    def poll(self, limit: int = 500) -> list[Change]:
        """The next changes, at most ``limit``; ``[]`` when nothing is new."""
        if not 1 <= limit <= MAX_POLL:
            raise ValueError(f"limit must be between 1 and {MAX_POLL}, got {limit}")
        db = self.store.db
        with db.transaction(write=False):
            rows = db.execute("SELECT seq FROM consumers WHERE name = ?", (self.consumer,))
            after = max(self._position, int(rows[0][0]) if rows else 0)
            changes = read_feed(db, after, limit)
        self._position = changes[-1].seq if changes and changes[-1].seq else after
        return changes

    def commit(self, seq: int | None = None) -> int:
        """Record that every change up to ``seq`` (default: the last polled) is handled;
        return the committed seq.  Committing never moves the cursor backwards."""
        target = self._position if seq is None else seq
        db = self.store.db
        with db.transaction(write=True):
            head = feed_head(db)
            if not isinstance(target, int) or isinstance(target, bool) or not 0 <= target <= head:
                raise StoreError(
                    ErrorCode.BAD_FEED_COMMIT,
                    "feed.commit",
                    f"cannot commit seq {target!r}: the feed holds seqs 1 to {head}",
                    input=target,
                    hint="commit the seq of a change that poll() returned",
                )
            db.execute(
                "UPDATE consumers SET seq = ?, updated = ? WHERE name = ? AND seq < ?",
                (target, wall_micros(), self.consumer, target),
            )
            rows = db.execute("SELECT seq FROM consumers WHERE name = ?", (self.consumer,))
        committed = int(rows[0][0])
        self._position = max(self._position, committed)
        return committed

    def rewind(self) -> None:
        """Forget what was polled but not committed: the next poll starts after the
        committed seq again (what a restarted consumer sees)."""
        self._position = self.committed

    def lag(self) -> int:
        """How many seqs the feed holds beyond this consumer's committed one."""
        db = self.store.db
        with db.transaction(write=False):
            return feed_head(db) - self.committed
