"""Bearer tokens for the JSON API.

``auth`` given to ``create_app`` is a list of tokens or a function that tells whether a
token is good; by default the tokens of ``LOGIX_API_TOKENS``.  Tokens are compared in
constant time and never logged.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Awaitable, Callable, Iterable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ._context import ServiceContext

__all__ = ["Auth", "TokenCheck", "bearer_required", "token_check"]

TokenCheck = Callable[[str], bool]
#: What ``create_app(auth=...)`` takes: tokens, a check, or None for the settings'.
Auth = Iterable[str] | TokenCheck | None
Endpoint = Callable[[Request], Awaitable[Response]]


def token_check(auth: Auth, ctx: ServiceContext) -> TokenCheck:
    if auth is None:
        return ctx.settings.token_ok
    if callable(auth):
        return auth
    known = tuple(token.encode() for token in auth if token)

    def check(token: str) -> bool:
        given = token.encode()
        found = False
        for one in known:
            found |= hmac.compare_digest(one, given)
        return found

    return check


def _refuse(msg: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": "unauthorized", "msg": msg}},
        status_code=401,
        headers={"www-authenticate": 'Bearer realm="logix"'},
    )


def bearer_required(endpoint: Endpoint) -> Endpoint:
    """``endpoint`` answered only for a request with a good ``Authorization: Bearer``."""

    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        check: TokenCheck = request.app.state.logix_token_check
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _refuse("send Authorization: Bearer <token> (a token of LOGIX_API_TOKENS)")
        if not check(token.strip()):
            return _refuse("the bearer token is not one of this service's API tokens")
        return await endpoint(request)

    return guarded
