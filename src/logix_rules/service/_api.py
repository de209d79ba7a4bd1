"""The JSON API under ``/api/v1/``: incidents (list, get, acknowledge, resolve, record
an action) and the change feed, behind bearer tokens."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

import attrs
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..core._errors import InvalidEvents, LogixError, UnknownIncident
from ..runtime._incidents import Change
from ..runtime._inputs import parse_shipment
from ._auth import bearer_required
from ._context import Handle, ServiceContext
from ._feed_out import changes_endpoint
from ._openapi import openapi_endpoint
from ._relay import dead_letters
from ._webhooks_in import BodyTooLarge, read_body

__all__ = ["api_routes"]

MAX_PAGE = 500
_FILTERS = ("severity", "kind", "carrier", "tracking_number")


class BadRequest(Exception):
    def __init__(self, code: str, msg: str, status: int = 400) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.status = status


def error(status: int, code: str, msg: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "msg": msg}}, status_code=status)


def int_param(request: Request, name: str, default: int, least: int, most: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = least - 1
    if not least <= value <= most:
        raise BadRequest("bad_parameter", f"{name} must be an integer from {least} to {most}")
    return value


def _ctx(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.logix
    return ctx


async def list_incidents(request: Request) -> Response:
    """Live incidents, most severe first, then oldest; ``limit``/``offset`` page."""
    limit = int_param(request, "limit", 50, 1, MAX_PAGE)
    offset = int_param(request, "offset", 0, 0, 10**9)
    filters = {name: request.query_params.get(name) or None for name in _FILTERS}
    found = await _ctx(request).run(
        lambda h: h.store.open_incidents(limit=limit + 1, offset=offset, **filters)
    )
    more = len(found) > limit
    return JSONResponse(
        {
            "incidents": [incident.to_dict(mask=False) for incident in found[:limit]],
            "next_offset": offset + limit if more else None,
        }
    )


async def get_incident(request: Request) -> Response:
    incident_id = request.path_params["id"]

    def read(h: Handle) -> dict[str, Any] | None:
        incident = h.store.incident(incident_id)
        if incident is None:
            return None
        return {
            "incident": incident.to_dict(mask=False),
            "actions": [action_dict(a) for a in h.store.actions(incident_id)],
        }

    found = await _ctx(request).run(read)
    if found is None:
        return error(404, "unknown_incident", f"no incident {incident_id[:80]!r}")
    return JSONResponse(found)


def action_dict(action: Any) -> dict[str, Any]:
    """An action of the follow-up log as JSON (its own ``to_dict`` when it has one)."""
    to_dict = getattr(action, "to_dict", None)
    if to_dict is not None:
        out: dict[str, Any] = to_dict(mask=False)
        return out
    return {
        key: value.isoformat().replace("+00:00", "Z") if hasattr(value, "isoformat") else value
        for key, value in attrs.asdict(action, recurse=False).items()
    }


async def _json_body(request: Request, limit: int = 64 * 1024) -> dict[str, Any]:
    try:
        raw = await read_body(request, limit)
    except BodyTooLarge as exc:
        raise BadRequest("too_large", f"the body is over {limit // 1024} KiB", 413) from exc
    try:
        doc = json.loads(raw or b"{}")
    except ValueError as exc:
        raise BadRequest("bad_json", "the body is not JSON") from exc
    if not isinstance(doc, dict):
        raise BadRequest("bad_json", "the body must be a JSON object")
    return doc


MAX_SHIPMENTS = 1000


async def upsert_shipments(request: Request) -> Response:
    """Add or replace the OMS facts of shipments (``{"shipments": [...]}``, at most
    1000): a parcel of a carrier without push is then polled."""
    doc = await _json_body(request, limit=1024 * 1024)
    items = doc.get("shipments")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_SHIPMENTS:
        raise BadRequest("bad_field", f"shipments must be a list of 1 to {MAX_SHIPMENTS}")
    try:
        parsed = [parse_shipment(item) for item in items]
    except InvalidEvents as exc:
        return error(422, "invalid_shipment", str(exc)[:1000])

    def store(h: Handle) -> int:
        return sum(len(h.engine.upsert_shipment(shipment)) for shipment in parsed)

    changes = await _ctx(request).run(store)
    return JSONResponse({"shipments": len(parsed), "changes": changes})


def _text(doc: dict[str, Any], name: str, *, required: bool, most: int = 2000) -> str | None:
    value = doc.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > most:
        raise BadRequest("bad_field", f"{name} must be a text of 1 to {most} characters")
    return value


def _follow_up(
    work: Callable[[ServiceContext, Handle, dict[str, Any], str], dict[str, Any]],
) -> Any:
    """An endpoint that changes one incident and answers what changed."""

    async def endpoint(request: Request) -> Response:
        ctx = _ctx(request)
        doc = await _json_body(request)
        incident_id = request.path_params["id"]
        try:
            answer = await ctx.run(lambda h: work(ctx, h, doc, incident_id))
        except UnknownIncident as exc:
            return error(404, "unknown_incident", str(exc))
        except NotImplementedError as exc:
            return error(501, "not_available", str(exc))
        except LogixError as exc:
            code = getattr(getattr(exc, "code", None), "value", "rejected")
            return error(409, str(code), str(exc)[:500])
        return JSONResponse(answer)

    return endpoint


def _changed(change: Change) -> dict[str, Any]:
    return {"change": change.to_dict(mask=False)}


def _acknowledge(
    ctx: ServiceContext, h: Handle, doc: dict[str, Any], incident_id: str
) -> dict[str, Any]:
    by = _text(doc, "by", required=True, most=200)
    assert by is not None
    return _changed(h.engine.acknowledge(incident_id, by=by, at=ctx.now()))


def _resolve(
    ctx: ServiceContext, h: Handle, doc: dict[str, Any], incident_id: str
) -> dict[str, Any]:
    by = _text(doc, "by", required=True, most=200)
    assert by is not None
    cause = _text(doc, "cause", required=False, most=200)
    note = _text(doc, "note", required=False)
    resolve: Any = h.engine.resolve
    if cause is not None and "cause" in inspect.signature(resolve).parameters:
        return _changed(resolve(incident_id, by=by, at=ctx.now(), note=note, cause=cause))
    if cause is not None:  # an engine without causes on resolve keeps it in the note
        note = f"cause: {cause}" + (f"; {note}" if note else "")
    return _changed(resolve(incident_id, by=by, at=ctx.now(), note=note))


def _record(
    ctx: ServiceContext, h: Handle, doc: dict[str, Any], incident_id: str
) -> dict[str, Any]:
    """A deadline action the pack declares (``Engine.record``), e.g. ``claim_filed``."""
    record: Any = getattr(h.engine, "record", None)
    if record is None:
        raise NotImplementedError("this logix records no deadline actions (Engine.record)")
    by = _text(doc, "by", required=True, most=200)
    action = _text(doc, "action", required=True, most=200)
    note = _text(doc, "note", required=False)
    cause = _text(doc, "cause", required=False, most=200)
    done = record(incident_id, action=action, by=by, at=ctx.now(), note=note, cause=cause)
    return {"action": action_dict(done)}


async def list_dead_letters(request: Request) -> Response:
    limit = int_param(request, "limit", 100, 1, MAX_PAGE)
    found = await _ctx(request).run(lambda h: dead_letters(h.store, limit=limit))
    return JSONResponse({"dead_letters": [d.to_dict() for d in found]})


def _guard(endpoint: Any) -> Any:
    async def guarded(request: Request) -> Response:
        try:
            response: Response = await endpoint(request)
        except BadRequest as exc:
            return error(exc.status, exc.code, exc.msg)
        return response

    return bearer_required(guarded)


def api_routes() -> list[BaseRoute]:
    return [
        Route("/openapi.json", openapi_endpoint, methods=["GET"]),
        Route("/incidents", _guard(list_incidents), methods=["GET"]),
        Route("/incidents/{id}", _guard(get_incident), methods=["GET"]),
        Route("/incidents/{id}/acknowledge", _guard(_follow_up(_acknowledge)), methods=["POST"]),
        Route("/incidents/{id}/resolve", _guard(_follow_up(_resolve)), methods=["POST"]),
        Route("/incidents/{id}/actions", _guard(_follow_up(_record)), methods=["POST"]),
        Route("/shipments", _guard(upsert_shipments), methods=["POST"]),
        Route("/changes", _guard(changes_endpoint), methods=["GET"]),
        Route("/dead-letters", _guard(list_dead_letters), methods=["GET"]),
    ]
