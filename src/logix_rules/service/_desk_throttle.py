"""Failed desk logins slow an attacker down: after ``LIMIT`` failures for one user
name (``ADDRESS_LIMIT`` from one client address, higher because offices and proxies
share one) within ``WINDOW_S``, logins for it are refused until the oldest failure
leaves the window.  Kept per process (a restart forgets it); scrypt's
cost bounds the rate at which any one process can check passwords anyway."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Final

__all__ = ["ADDRESS_LIMIT", "LIMIT", "WINDOW_S", "LoginThrottle"]

LIMIT: Final = 10
ADDRESS_LIMIT: Final = 100
WINDOW_S: Final = 15 * 60.0
#: How many names and addresses are remembered; the oldest are forgotten beyond it.
_KEYS: Final = 10_000


class LoginThrottle:
    def __init__(
        self,
        *,
        limit: int = LIMIT,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        found = self._failures.get(key)
        if found is None:
            return deque()
        while found and found[0] <= now - self.window_s:
            found.popleft()
        if not found:
            del self._failures[key]
        return found

    def wait_s(self, *keys: str) -> float:
        """Seconds until a login for any of ``keys`` may be tried again (0: now)."""
        now = self._clock()
        with self._lock:
            waits = [
                recent[0] + self.window_s - now
                for key in keys
                if len(recent := self._recent(key, now)) >= self.limit
            ]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)
                self._failures[key] = self._failures.pop(key)  # most recent last
            while len(self._failures) > _KEYS:
                del self._failures[next(iter(self._failures))]

    def succeeded(self, name_key: str) -> None:
        with self._lock:
            self._failures.pop(name_key, None)
