"""Leases in the store: a job only one process may run at a time (the relay) is held
by one holder until a moment, renewed while it runs, taken over once it lapses."""

from __future__ import annotations

from ..store._db import Database, wall_micros

__all__ = ["take_lease"]


def take_lease(db: Database, name: str, holder: str, seconds: float) -> bool:
    """Hold ``name`` for ``seconds`` more if it is free, lapsed or already ours."""
    now = wall_micros()
    until = now + int(seconds * 1_000_000)
    with db.transaction(write=True):
        db.execute(
            "INSERT INTO leases (name, holder, until) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO NOTHING",
            (name, holder, until),
        )
        rows = db.execute(
            f"SELECT holder, until FROM leases WHERE name = ?{db.for_update}", (name,)
        )
        current, current_until = rows[0]
        if current != holder and int(current_until) > now:
            return False
        db.execute("UPDATE leases SET holder = ?, until = ? WHERE name = ?", (holder, until, name))
    return True
