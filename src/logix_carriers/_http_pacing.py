"""When a request may go out: the injected clock, rate limits and the retry policy.

A carrier's documented :class:`RateLimit` becomes a :class:`TokenBucket`;
:class:`RetryPolicy` says how long to back off, and :func:`parse_retry_after` reads
what the carrier asked for.  Time is injected (a :class:`Clock` and ``sleep``
callables), so tests drive all of it with a fake clock and never really sleep.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

__all__ = [
    "AsyncSleep",
    "Clock",
    "RateLimit",
    "RetryPolicy",
    "Sleep",
    "SystemClock",
    "TokenBucket",
    "parse_retry_after",
]


Sleep = Callable[[float], None]
AsyncSleep = Callable[[float], Awaitable[None]]


class Clock(Protocol):
    """Where the HTTP layer reads time: a monotonic counter and the wall clock."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""
        ...

    def now(self) -> datetime:
        """The current time, timezone-aware (used for HTTP dates and webhook freshness)."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class RateLimit:
    """A carrier's documented request limit: ``requests`` per ``period`` seconds.

    ``burst`` is how many requests may go out back to back after a quiet spell;
    it defaults to ``requests`` capped at 10, so a daily quota is not spent in a
    single burst.
    """

    requests: float
    period: float = 1.0
    burst: int | None = None

    def __post_init__(self) -> None:
        if self.requests <= 0 or self.period <= 0:
            raise ValueError("RateLimit needs requests > 0 and period > 0")
        if self.burst is not None and self.burst < 1:
            raise ValueError("RateLimit.burst must be at least 1")

    @property
    def per_second(self) -> float:
        return self.requests / self.period

    @property
    def capacity(self) -> int:
        if self.burst is not None:
            return self.burst
        return max(1, min(10, int(self.requests)))

    def describe(self) -> str:
        """``"3 requests/s"``, ``"1 request/s"``, ``"250 requests/86400s"``."""
        unit = "request" if self.requests == 1 else "requests"
        per = "s" if self.period == 1 else f"{self.period:g}s"
        return f"{self.requests:g} {unit}/{per}"


class TokenBucket:
    """A token bucket: ``rate`` tokens per second, at most ``capacity`` stored.

    :meth:`reserve` takes a token now and returns how long the caller must wait
    before using it; the bucket may go into debt, so concurrent callers queue up
    in order instead of all waking at once.  Thread-safe.
    """

    def __init__(self, rate: float, capacity: float, clock: Clock | None = None) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("TokenBucket needs rate > 0 and capacity >= 1")
        self.rate = rate
        self.capacity = float(capacity)
        self.clock: Clock = clock or SystemClock()
        self._tokens = self.capacity
        self._updated = self.clock.monotonic()
        self._lock = threading.Lock()

    @classmethod
    def for_limit(cls, limit: RateLimit, clock: Clock | None = None) -> TokenBucket:
        return cls(limit.per_second, limit.capacity, clock)

    def reserve(self) -> float:
        """Take one token; the seconds to wait before the request may be sent."""
        with self._lock:
            now = self.clock.monotonic()
            elapsed = max(0.0, now - self._updated)
            self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
            self._updated = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate


@dataclass(frozen=True)
class RetryPolicy:
    """How one call is retried.

    The n-th retry (n from 0) waits a uniformly random time in
    ``[0, min(max_delay, base_delay * 2**n)]`` ("full jitter"), unless the carrier
    sent ``Retry-After``, which is then waited exactly.  A ``Retry-After`` longer
    than ``max_retry_after`` is not waited at all: the error is raised with
    ``retry_after`` set so the caller can reschedule.
    """

    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def backoff(self, retry: int, rng: random.Random) -> float:
        return rng.uniform(0.0, min(self.max_delay, self.base_delay * (2**retry)))

    @staticmethod
    def retryable_status(status: int) -> bool:
        return status == 429 or 500 <= status <= 599


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is not a delay
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # RFC 9110 dates are always GMT
    return max(0.0, (when - now).total_seconds())
