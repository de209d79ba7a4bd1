"""What the service does on its own, in the app's lifespan: the clock (``advance``
every ``clock_interval`` seconds), the poller (one loop per carrier without push) and
the relay (when ``LOGIX_RELAY_URL`` is set).  A failing round is logged and tried
again; it never stops the service."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator

import anyio

from logix_carriers import CarrierAdapter, ConfigError

from ..store._db import wall_micros
from ._context import ServiceContext
from ._ingest import KEEP_SEEN_DAYS, forget_seen
from ._poller import Poller
from ._relay import Relay

__all__ = ["Background", "poll_targets"]

log = logging.getLogger("logix.service")

_IDLE_POLL = 2.0  # seconds between two claims when nothing was due
_TIDY_EVERY = 3600.0  # seconds between two clean-ups of the webhook event ids


def poll_targets(ctx: ServiceContext) -> list[CarrierAdapter]:
    """The carriers to poll: ``LOGIX_POLL_CARRIERS``, else every adapter without push
    whose credentials are configured."""
    chosen = ctx.settings.poll_carriers
    out = []
    for code, adapter in sorted(ctx.adapters.items()):
        if chosen is not None:
            if code in chosen:
                out.append(adapter)
            continue
        if adapter.capabilities.webhooks:
            continue
        try:
            getattr(adapter, "settings", None)  # loads and checks the credentials
        except ConfigError as exc:
            log.info("%s is not polled: %s", code, exc.variable or "not configured")
            continue
        out.append(adapter)
    return out


class Background:
    """The service's own jobs; ``running()`` is the lifespan's part."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        settings = ctx.settings
        targets = poll_targets(ctx)
        self.poller = Poller(
            targets,
            {a.code: settings.poll_interval(a.code) for a in targets},
            metrics=ctx.metrics,
        )
        self.relay: Relay | None = None
        if settings.relay_url:
            secret = settings.relay_secret
            if secret is None:
                log.warning("LOGIX_RELAY_URL is set without LOGIX_RELAY_SECRET: not relaying")
            else:
                self.relay = Relay(
                    settings.relay_url,
                    secret.get_secret_value(),
                    max_attempts=settings.relay_max_attempts,
                    metrics=ctx.metrics,
                )

    @contextlib.asynccontextmanager
    async def running(self, *, enabled: bool = True) -> AsyncIterator[None]:
        if not enabled:
            yield
            return
        async with anyio.create_task_group() as group:
            group.start_soon(self._clock)
            for carrier in self.poller.adapters:
                group.start_soon(self._poll, carrier)
            if self.relay is not None:
                group.start_soon(self._relay, self.relay)
            try:
                yield
            finally:
                group.cancel_scope.cancel()
        if self.relay is not None:
            self.relay.close()

    async def tick(self) -> int:
        """One clock tick: ``advance`` to now; the number of changes it caused."""
        ctx = self.ctx
        changes = await ctx.run(lambda h: h.engine.advance(to=ctx.now()))
        ctx.metrics.inc("logix_advances_total")
        return len(changes)

    async def tidy(self) -> int:
        """Forget the webhook event ids older than ``KEEP_SEEN_DAYS``; how many."""
        before = wall_micros() - KEEP_SEEN_DAYS * 86_400_000_000
        return await self.ctx.run(lambda h: forget_seen(h, before))

    async def _clock(self) -> None:
        tidied = 0.0
        while True:
            try:
                await self.tick()
                if time.monotonic() - tidied > _TIDY_EVERY:
                    tidied = time.monotonic()
                    await self.tidy()
            except Exception:
                log.exception("clock: advance failed; trying again")
            await anyio.sleep(self.ctx.settings.clock_interval)

    async def _poll(self, carrier: str) -> None:
        poller = self.poller
        while True:
            try:
                report = await self.ctx.run(lambda h: poller.step(h, carrier))
            except Exception:
                log.exception("%s poll failed; trying again", carrier)
                report = None
            await anyio.sleep(0 if report is not None and report.parcels else _IDLE_POLL)

    async def _relay(self, relay: Relay) -> None:
        while True:
            try:
                delay = await self.ctx.run(lambda h: relay.step(h.store))
            except Exception:
                log.exception("relay: a round failed; trying again")
                delay = 5.0
            await anyio.sleep(delay)
