"""``GET /api/v1/changes``: the change feed over HTTP, with long-polling.

``consumer=NAME&after=SEQ&limit=N&wait=S`` answers
``{"changes": [{"id", "seq", "type", "at", "incident": {...}}], "next_after": SEQ}``.
With a ``consumer``, ``after`` also commits that consumer's cursor up to ``after``
(the changes up to it are handled), and an absent ``after`` starts from its committed
seq; without one, ``after`` defaults to 0.  ``wait`` (seconds, at most the settings'
``long_poll_max``) holds the request until a change arrives or the time is up.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core._errors import LogixError
from ..store._feed import ChangeFeed, feed_head, read_feed
from ._context import Handle, ServiceContext

__all__ = ["changes_endpoint", "read_changes"]

MAX_CHANGES = 1000
_POLL_EVERY = 0.2  # seconds between two looks at the feed while a request waits


def _number(request: Request, name: str, default: float, most: float) -> float | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if 0 <= value <= most and value == value else None


def read_changes(
    h: Handle, consumer: str | None, after: int | None, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The changes after ``after`` (committing it for ``consumer``) and the next
    ``after`` to ask with."""
    db = h.store.db
    head = _head(h)
    if after is not None:
        after = min(after, head)  # a seq beyond the head (a store restored?) reads from it
    if consumer is not None:
        feed = ChangeFeed(h.store, consumer)
        if after is None:
            after = feed.committed
        else:
            feed.commit(after)
    start = after or 0
    with db.transaction(write=False):
        changes = read_feed(db, start, limit)
    rows = [change.to_dict(mask=False) for change in changes]
    return rows, changes[-1].seq or start if changes else start


def _head(h: Handle) -> int:
    with h.store.db.transaction(write=False):
        return feed_head(h.store.db)


def _bad(msg: str) -> JSONResponse:
    return JSONResponse({"error": {"code": "bad_parameter", "msg": msg}}, status_code=400)


async def changes_endpoint(request: Request) -> Response:
    ctx: ServiceContext = request.app.state.logix
    consumer = request.query_params.get("consumer") or None
    if consumer is not None and len(consumer) > 200:
        return _bad("consumer names have at most 200 characters")
    limit = _number(request, "limit", 100, MAX_CHANGES)
    wait = _number(request, "wait", 0, ctx.settings.long_poll_max)
    after_raw = request.query_params.get("after")
    if limit is None or limit < 1 or limit != int(limit):
        return _bad(f"limit must be an integer from 1 to {MAX_CHANGES}")
    if wait is None:
        return _bad(f"wait must be a number of seconds from 0 to {ctx.settings.long_poll_max:g}")
    after: int | None = None
    if after_raw not in (None, ""):
        assert after_raw is not None
        if not after_raw.isdigit():
            return _bad("after must be a seq (an integer of 0 or more)")
        after = int(after_raw)
    deadline = time.monotonic() + wait
    while True:
        work = functools.partial(read_changes, consumer=consumer, after=after, limit=int(limit))
        try:
            rows, next_after = await ctx.run(work)
        except (LogixError, ValueError) as exc:
            return _bad(str(exc)[:300])
        if rows or time.monotonic() >= deadline:
            break
        # Committed (or started) once: the next looks only read after the same seq.
        consumer, after = None, next_after
        await anyio.sleep(min(_POLL_EVERY, max(0.0, deadline - time.monotonic())))
    return JSONResponse({"changes": rows, "next_after": next_after})
