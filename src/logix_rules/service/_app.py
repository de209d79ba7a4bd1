"""``create_app``: the service as one Starlette app.

Starlette rather than FastAPI: the service is a handful of routes whose bodies are
read raw (webhook signatures are over the exact bytes), a small ASGI app mounts into
any FastAPI or Starlette app as it is, and it keeps the dependencies to Starlette,
uvicorn and itsdangerous.

Routes: the desk at ``/``, the JSON API under ``/api/v1/``, carrier webhooks at
``/webhooks/{carrier}`` (and ``/webhooks/{carrier}/token`` for an OAuth handshake),
``/healthz`` and ``/metrics``.  With ``background=True`` the app's lifespan runs the
clock, the poller and the relay (see ``_background``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from logix_carriers import CarrierAdapter, available_adapters, get_adapter

from ..compiler._model import Pack
from ..store._store import Store
from ._api import api_routes
from ._auth import Auth, token_check
from ._background import Background
from ._context import Handle, ServiceContext, utc_now
from ._gauges import gauges
from ._settings import ServiceSettings
from ._timing import RequestTiming
from ._webhooks_in import token_endpoint, webhook_endpoint

__all__ = ["create_app", "installed_adapters"]

log = logging.getLogger("logix.service")

#: Adapters that read local files, not a carrier: never a webhook or poll target.
_NOT_CARRIERS = frozenset({"file"})


def installed_adapters(environ: Mapping[str, str] | None = None) -> dict[str, CarrierAdapter]:
    """Every installed carrier adapter, configured from ``LOGIX_<CARRIER>_*``."""
    out: dict[str, CarrierAdapter] = {}
    for code in available_adapters():
        if code in _NOT_CARRIERS:
            continue
        out[code] = get_adapter(code) if environ is None else get_adapter(code, environ=environ)
    return out


async def healthz(request: Request) -> Response:
    ctx: ServiceContext = request.app.state.logix

    def check(h: Handle) -> int:
        return h.store.feed_head()

    try:
        head = await ctx.run(check)
    except Exception as exc:
        log.error("healthz: the store does not answer (%s)", type(exc).__name__)
        return JSONResponse({"status": "unavailable", "store": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "feed_head": head, "pack": ctx.pack.name})


async def metrics(request: Request) -> Response:
    ctx: ServiceContext = request.app.state.logix
    found = await ctx.run(lambda h: gauges(h, ctx.now()))
    return PlainTextResponse(
        ctx.metrics.render(found), media_type="text/plain; version=0.0.4; charset=utf-8"
    )


_PLACEHOLDER = """<!doctype html><html lang="en"><meta charset="utf-8">
<title>logix</title><h1>logix</h1><p>The service is running. The JSON API is at
<a href="api/v1/openapi.json">api/v1/</a>.</p></html>"""


async def placeholder(request: Request) -> Response:
    return HTMLResponse(_PLACEHOLDER)


def _desk(ctx: ServiceContext) -> list[BaseRoute]:
    """The desk's routes when the desk is installed, else a page that says the
    service runs."""
    try:
        from ._desk import desk_routes
    except ImportError:
        return [Route("/", placeholder, methods=["GET"])]
    routes: list[BaseRoute] = desk_routes(ctx)
    return routes


def create_app(
    store: Store,
    pack: Pack | str,
    *,
    adapters: Mapping[str, CarrierAdapter] | None = None,
    auth: Auth = None,
    settings: ServiceSettings | None = None,
    clock: Callable[[], datetime] = utc_now,
    background: bool = True,
    environ: Mapping[str, str] | None = None,
) -> Starlette:
    """The service as an ASGI app over ``store``, running ``pack``.

    ``adapters`` maps carrier codes to adapters (default: every installed one,
    configured from the environment); ``auth`` the API's bearer tokens or a check
    (default: ``LOGIX_API_TOKENS``); ``settings`` the rest (default: from the
    environment).  ``background=False`` runs no clock, poller or relay (tests, or a
    process that only answers requests).
    """
    if adapters is None:
        adapters = installed_adapters(environ)
    if settings is None:
        settings = ServiceSettings.from_env(environ, carriers=tuple(adapters))
    ctx = ServiceContext(store, pack, settings=settings, adapters=adapters, clock=clock)
    jobs = Background(ctx)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with jobs.running(enabled=background):
            yield
        ctx.close()

    routes: list[BaseRoute] = [
        Mount("/api/v1", routes=api_routes()),
        Route("/webhooks/{carrier}", webhook_endpoint, methods=["POST"]),
        Route("/webhooks/{carrier}/token", token_endpoint, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        *_desk(ctx),
    ]
    timing = Middleware(RequestTiming, metrics=ctx.metrics)
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[timing])
    app.state.logix = ctx
    app.state.logix_token_check = token_check(auth, ctx)
    app.state.logix_background = jobs
    return app
