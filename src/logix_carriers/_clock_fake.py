"""A clock whose time only moves when slept on or advanced (for tests and the kit)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["FakeClock"]


class FakeClock:
    """A clock whose time only moves when slept on or advanced.

    Pass it as ``clock=`` and its :meth:`sleep` / :meth:`asleep` as ``sleep=`` /
    ``async_sleep=`` to an adapter or ``HttpSession``; ``sleeps`` records every
    requested pause.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("FakeClock start must be timezone-aware")
        self._monotonic = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self._monotonic

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._monotonic += seconds
        self._now += timedelta(seconds=seconds)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
