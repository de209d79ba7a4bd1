"""The JSON API's OpenAPI 3.1 schema, served at ``/api/v1/openapi.json``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = ["OPENAPI", "openapi_endpoint"]

_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "msg": {"type": "string"}},
            "required": ["code", "msg"],
        }
    },
}
_INCIDENT = {"type": "object", "description": "Incident.to_dict(): see docs/engine.md"}
_CHANGE = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "seq": {"type": "integer"},
        "type": {"type": "string"},
        "at": {"type": "string", "format": "date-time"},
        "incident": {"$ref": "#/components/schemas/Incident"},
    },
    "required": ["id", "seq", "type", "at", "incident"],
}


def _json(schema: dict[str, Any], text: str = "OK") -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"schema": schema}}}


def _query(name: str, kind: str, text: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": kind},
        "description": text,
    }


_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
_ERRORS = {
    "401": _json({"$ref": "#/components/schemas/Error"}, "no or a wrong bearer token"),
    "404": _json({"$ref": "#/components/schemas/Error"}, "no such incident"),
}


def _follow_up(
    summary: str, fields: dict[str, Any], required: list[str], answer: str = "change"
) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "parameters": [_ID],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "properties": fields, "required": required}
                    }
                },
            },
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            answer: _CHANGE if answer == "change" else {"type": "object"}
                        },
                    }
                ),
                "409": _json({"$ref": "#/components/schemas/Error"}, "refused by the engine"),
                **_ERRORS,
            },
        }
    }


_TEXT = {"type": "string"}
OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "logix service", "version": "1"},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Error": _ERROR, "Incident": _INCIDENT, "Change": _CHANGE},
    },
    "paths": {
        "/incidents": {
            "get": {
                "summary": "Open and acknowledged incidents, most severe first, then oldest",
                "parameters": [
                    _query("severity", "string", "only this severity (P1...)"),
                    _query("kind", "string", "only this kind"),
                    _query("carrier", "string", "only this carrier"),
                    _query("tracking_number", "string", "only this parcel"),
                    _query("limit", "integer", "page size, 1 to 500 (50)"),
                    _query("offset", "integer", "skip this many (0)"),
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "incidents": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Incident"},
                                },
                                "next_offset": {"type": ["integer", "null"]},
                            },
                        }
                    ),
                    "401": _ERRORS["401"],
                },
            }
        },
        "/incidents/{id}": {
            "get": {
                "summary": "One incident (closed ones too) and its follow-up log",
                "parameters": [_ID],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "incident": {"$ref": "#/components/schemas/Incident"},
                                "actions": {"type": "array", "items": {"type": "object"}},
                            },
                        }
                    ),
                    **_ERRORS,
                },
            }
        },
        "/incidents/{id}/acknowledge": _follow_up("Take ownership", {"by": _TEXT}, ["by"]),
        "/incidents/{id}/resolve": _follow_up(
            "Resolve, with a cause and a note",
            {"by": _TEXT, "cause": _TEXT, "note": _TEXT},
            ["by"],
        ),
        "/incidents/{id}/actions": _follow_up(
            "Record a deadline action the pack declares",
            {"by": _TEXT, "action": _TEXT, "note": _TEXT, "cause": _TEXT},
            ["by", "action"],
            "action",
        ),
        "/shipments": {
            "post": {
                "summary": "Add or replace shipments' OMS facts; parcels of polled carriers "
                "are then polled",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "shipments": {
                                        "type": "array",
                                        "items": {"type": "object"},
                                        "maxItems": 1000,
                                    }
                                },
                                "required": ["shipments"],
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json({"type": "object"}),
                    "401": _ERRORS["401"],
                    "422": _json({"$ref": "#/components/schemas/Error"}, "an invalid shipment"),
                },
            }
        },
        "/changes": {
            "get": {
                "summary": "The change feed, after a seq, long-polling up to `wait` seconds",
                "parameters": [
                    _query("consumer", "string", "a durable cursor: after= commits it"),
                    _query("after", "integer", "the seq handled last (0)"),
                    _query("limit", "integer", "1 to 1000 (100)"),
                    _query("wait", "number", "seconds to wait for a change (0)"),
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "changes": {"type": "array", "items": _CHANGE},
                                "next_after": {"type": "integer"},
                            },
                            "required": ["changes", "next_after"],
                        }
                    ),
                    "401": _ERRORS["401"],
                },
            }
        },
        "/dead-letters": {
            "get": {
                "summary": "Changes the outbound relay gave up on",
                "responses": {"200": _json({"type": "object"}), "401": _ERRORS["401"]},
            }
        },
    },
}


async def openapi_endpoint(request: Request) -> Response:
    return JSONResponse(OPENAPI)
