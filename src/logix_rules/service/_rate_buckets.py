"""Carriers' rate limits kept in the store, so that every service process together
stays within them: one token bucket row per carrier, taken from under its row lock."""

from __future__ import annotations

from logix_carriers import RateLimit

from ..store._db import Database

__all__ = ["take_tokens"]


def take_tokens(db: Database, carrier: str, limit: RateLimit | None, want: int, now_us: int) -> int:
    """Take up to ``want`` request tokens of ``carrier``'s bucket; how many were taken.

    Call it inside a write transaction: the bucket's row stays locked to the commit,
    so two processes never spend the same tokens.  ``limit=None``: no documented limit.
    """
    if limit is None or want <= 0:
        return max(want, 0)
    capacity = float(limit.capacity)
    db.execute(
        "INSERT INTO rate_buckets (carrier, tokens, updated) VALUES (?, ?, ?) "
        "ON CONFLICT (carrier) DO NOTHING",
        (carrier, capacity, now_us),
    )
    rows = db.execute(
        f"SELECT tokens, updated FROM rate_buckets WHERE carrier = ?{db.for_update}", (carrier,)
    )
    tokens, updated = float(rows[0][0]), int(rows[0][1])
    elapsed = max(0, now_us - updated) / 1_000_000
    tokens = min(capacity, tokens + elapsed * limit.per_second)
    taken = min(want, int(tokens))
    db.execute(
        "UPDATE rate_buckets SET tokens = ?, updated = ? WHERE carrier = ?",
        (tokens - taken, max(now_us, updated), carrier),
    )
    return taken


def give_back(db: Database, carrier: str, count: int) -> None:
    """Return ``count`` tokens taken but not spent (in the same transaction)."""
    if count > 0:
        db.execute(
            "UPDATE rate_buckets SET tokens = tokens + ? WHERE carrier = ?", (count, carrier)
        )
