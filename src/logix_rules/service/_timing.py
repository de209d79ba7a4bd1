"""How long each HTTP request took, by route: ``logix_request_duration_seconds``.

A plain ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``: it wraps
``send`` to see the status and never buffers a body, so streamed answers (the feed's
long poll, the desk's downloads) pass through as they are.

The ``route`` label is the matched route's template (``/api/v1/incidents/{id}``),
never the raw path: a label per tracking number or incident id would grow the series
without bound.  A request no route matched counts under ``route="unmatched"``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from starlette.routing import Mount

from ._metrics import Metrics

__all__ = ["RequestTiming"]

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]

METRIC = "logix_request_duration_seconds"


class RequestTiming:
    """Observe every HTTP request's duration (until the app returns, body included)
    in ``metrics`` under :data:`METRIC`, labelled ``route``, ``method``, ``status``."""

    def __init__(
        self, app: ASGIApp, *, metrics: Metrics, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        root = scope.get("root_path", "")
        status = 500  # what the server answers when the app raises before a response

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        started = self.clock()
        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.observe(
                METRIC,
                self.clock() - started,
                route=route_template(scope, root),
                method=str(scope.get("method", "")),
                status=str(status),
            )


def route_template(scope: Scope, root: str) -> str:
    """The template of the route that answered, mounts included (Starlette leaves the
    innermost matched route in ``scope["route"]`` and each mount's prefix in
    ``root_path``).  A mount that answered itself (static files, or a 404 of its own
    routes) is ``<its prefix>/{path}``."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return "unmatched"
    mounted = str(scope.get("root_path", ""))
    prefix = mounted[len(root) :] if mounted.startswith(root) else ""
    if isinstance(route, Mount):
        return prefix + "/{path}"
    return prefix + path
