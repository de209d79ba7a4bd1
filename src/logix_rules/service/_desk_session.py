"""The desk's session: a cookie signed with ``LOGIX_SESSION_SECRET``, and its CSRF token.

The cookie holds only the user's name, the CSRF token and when it was issued; it is
signed (itsdangerous, HMAC-SHA1 over a derived key) and carries a timestamp, so it
cannot be forged and expires.  Every form the desk renders carries the token, and
every POST is refused unless its token matches the cookie's (the synchronizer-token
pattern; ``SameSite=Lax`` keeps other sites' POSTs from carrying the cookie at all).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any, Final

import attrs
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["COOKIE", "MAX_AGE_S", "Session", "SessionSigner"]

COOKIE: Final = "logix_desk"
#: A desk session lasts a working day; then the user logs in again.
MAX_AGE_S: Final = 12 * 3600


@attrs.frozen
class Session:
    """Who is logged in (``user`` None before login) and the token their forms carry."""

    user: str | None
    csrf: str

    def token_ok(self, sent: str | None) -> bool:
        return sent is not None and hmac.compare_digest(sent.encode(), self.csrf.encode())


def _fresh(user: str | None = None) -> Session:
    return Session(user=user, csrf=secrets.token_urlsafe(32))


class SessionSigner:
    """Reads and writes the signed session cookie."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="logix.desk.session")

    def read(self, request: Request) -> Session:
        """The request's session, or a fresh anonymous one when the cookie is absent,
        tampered with or expired."""
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data: Any = self._serializer.loads(raw, max_age=MAX_AGE_S)
            except BadSignature:
                data = None
            if isinstance(data, dict) and isinstance(data.get("csrf"), str):
                user = data.get("user")
                return Session(user=user if isinstance(user, str) else None, csrf=data["csrf"])
        return _fresh()

    def write(self, response: Response, session: Session, *, secure: bool) -> None:
        value = self._serializer.dumps({"user": session.user, "csrf": session.csrf})
        response.set_cookie(
            COOKIE,
            value,
            max_age=MAX_AGE_S,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
        )

    @staticmethod
    def login(user: str) -> Session:
        """A new session for ``user``: a new token, so a token seen before login is
        worth nothing after it."""
        return _fresh(user)

    @staticmethod
    def anonymous() -> Session:
        return _fresh()
