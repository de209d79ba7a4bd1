"""Failed desk logins slow an attacker down: after ``LIMIT`` failures for one user
name (``ADDRESS_LIMIT`` from one client address, higher because offices and proxies
share one) within ``WINDOW_S``, logins for it are refused until enough of those failures
have left the window.

The failures are rows of the store (``login_failures``, migration 7), not a process's
memory: every service process over one store counts the same failures, so running
several behind a load balancer does not multiply an attacker's tries, and a restart
forgets nothing.  Two processes checking at the same instant may each let one more try
through before both see it; scrypt's cost bounds how fast any process checks anyway.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

import attrs

from ..store._db import Database

__all__ = ["ADDRESS_LIMIT", "LIMIT", "WINDOW_S", "LoginThrottle"]

LIMIT: Final = 10
ADDRESS_LIMIT: Final = 100
WINDOW_S: Final = 15 * 60.0


@attrs.frozen
class LoginThrottle:
    """The login throttle over a store's ``login_failures`` table.  ``clock`` gives
    wall-clock seconds since the epoch: processes on several machines compare them."""

    name_limit: int = LIMIT
    address_limit: int = ADDRESS_LIMIT
    window_s: float = WINDOW_S
    clock: Callable[[], float] = time.time

    def wait_s(self, db: Database, *, name: str, address: str) -> float:
        """Seconds until a login for ``name`` from ``address`` may be tried (0: now)."""
        now = self._now()
        window = int(self.window_s * 1_000_000)
        waits = [0.0]
        with db.transaction(write=False):
            for key, limit in (
                (f"name:{name}", self.name_limit),
                (f"address:{address}", self.address_limit),
            ):
                # The limit-th latest failure inside the window: once it leaves, one
                # fewer than the limit remain.
                rows = db.execute(
                    "SELECT at FROM login_failures WHERE key = ? AND at > ? "
                    "ORDER BY at DESC LIMIT 1 OFFSET ?",
                    (key, now - window, limit - 1),
                )
                if rows:
                    waits.append((int(rows[0][0]) + window - now) / 1_000_000)
        return max(waits)

    def failed(self, db: Database, *, name: str, address: str) -> None:
        """Count a failed login against ``name`` and ``address``; forget the failures
        that have left the window (of every key: the table stays as small as it)."""
        now = self._now()
        with db.transaction(write=True):
            db.execute(
                "DELETE FROM login_failures WHERE at <= ?",
                (now - int(self.window_s * 1_000_000),),
            )
            for key in (f"name:{name}", f"address:{address}"):
                db.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)", (key, now))

    def succeeded(self, db: Database, *, name: str) -> None:
        """A login for ``name`` succeeded: its failures no longer count (its address's
        still do: one right password must not clear an address's guesses)."""
        with db.transaction(write=True):
            db.execute("DELETE FROM login_failures WHERE key = ?", (f"name:{name}",))

    def _now(self) -> int:
        return int(self.clock() * 1_000_000)
