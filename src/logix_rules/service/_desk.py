"""The exception desk: server-rendered pages over the store (Jinja2, a few lines of
script for the countdowns, nothing fetched from elsewhere).

``desk_routes(ctx)`` gives Starlette routes that ``create_app`` mounts at ``/``: the
login, the queue, the incident page with its follow-up forms, the message preview,
the claim package and the relay's dead letters.  Every page but the login needs a
session; every POST needs the session's CSRF token.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from html import escape
from importlib import resources
from typing import Any, Final
from urllib.parse import parse_qs, quote, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..core._errors import LogixError
from ..intake import ClaimError, claim_package_from_engine
from ..runtime._causes import CAUSES
from ..runtime._incidents import Incident
from ._context import Handle, ServiceContext
from ._desk_queue import QueueFilters, filter_choices, read_queue
from ._desk_render import desk_environment
from ._desk_report import report_available, report_until, weekly_brief
from ._desk_session import Session, SessionSigner
from ._desk_throttle import LoginThrottle
from ._desk_views import incident_view, next_deadline
from ._relay import dead_letters
from ._users import list_users, verify_user

__all__ = ["MAX_FORM_BYTES", "desk_routes"]

#: A desk form is a few fields; anything longer is refused before it is parsed.
MAX_FORM_BYTES: Final = 64 * 1024
_NOTE_MAX: Final = 2000
_SECURITY_HEADERS: Final = {
    # The desk loads nothing from elsewhere: the policy says so to the browser.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_STATIC: Final = {
    "desk.css": "text/css",
    "desk.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
}

Endpoint = Callable[[Request], Awaitable[Response]]


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Desk:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        secret = ctx.settings.session_secret
        # Without a configured secret (``serve --dev`` on loopback only) a random one
        # signs this process's cookies: sessions end when it stops.

        self.signer = SessionSigner(
            secret.get_secret_value() if secret is not None else secrets.token_urlsafe(32)
        )
        self.env = desk_environment()
        self.top_severity = next(iter(ctx.pack.severities), "P1")
        self.actions = _record_actions(ctx)
        self.has_report = report_available()
        self.throttle = LoginThrottle()  # counted in the store, shared by its processes

    # -- plumbing ------------------------------------------------------------------------
    def page(
        self, request: Request, session: Session, template: str, status: int = 200, **data: Any
    ) -> HTMLResponse:
        body = self.env.get_template(f"desk/{template}").render(
            user=session.user,
            csrf=session.csrf,
            path=request.url.path,
            root=_root(request),
            has_dead_letters=self.ctx.settings.relay_url is not None,
            has_report=self.has_report,
            **data,
        )
        response = HTMLResponse(body, status_code=status, headers=_SECURITY_HEADERS)
        self.signer.write(response, session, secure=request.url.scheme == "https")
        return response

    def guarded(self, handler: Callable[[Request, Session], Awaitable[Response]]) -> Endpoint:
        """``handler`` for a logged-in user; a POST also needs the session's token."""

        async def endpoint(request: Request) -> Response:
            session = self.signer.read(request)
            user = session.user
            # The cookie is signed, not stored: a user deleted since it was issued is
            # logged out here.
            if user is not None and not await self.ctx.run(lambda h: user in list_users(h.store)):
                session = self.signer.anonymous()
            if session.user is None:
                if request.method != "GET":
                    return self.refuse(request, session, 403, "Log in first.")
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                login = f"{_root(request)}/login?next={quote(target)}"
                return RedirectResponse(login, status_code=303)
            try:
                if request.method == "POST":
                    form = await self.form(request)
                    if not session.token_ok(form.get("csrf")):
                        raise _Refused(403, "This form has expired: reload the page and retry.")
                    request.state.form = form
                return await handler(request, session)
            except _Refused as refused:
                return self.refuse(request, session, refused.status, refused.message)

        return endpoint

    async def form(self, request: Request) -> dict[str, str]:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_FORM_BYTES:
            raise _Refused(413, "This form is too large.")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                raise _Refused(413, "This form is too large.")
        parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        return {name: values[0] for name, values in parsed.items()}

    def refuse(self, request: Request, session: Session, status: int, message: str) -> Response:
        return self.page(request, session, "error.html", status, message=message)

    # -- login ---------------------------------------------------------------------------
    async def login_form(self, request: Request) -> Response:
        session = self.signer.read(request)
        return self.page(
            request,
            session,
            "login.html",
            next=_safe_next(request, request.query_params.get("next")),
        )

    async def login(self, request: Request) -> Response:
        session = self.signer.read(request)
        try:
            form = await self.form(request)
        except _Refused as refused:
            return self.refuse(request, session, refused.status, refused.message)
        target = _safe_next(request, form.get("next"))
        if not session.token_ok(form.get("csrf")):
            return self.page(
                request,
                self.signer.anonymous(),
                "login.html",
                403,
                next=target,
                error="This form has expired: please log in again.",
            )
        name = form.get("username", "").strip()[:64]
        password = form.get("password", "")[:1024]
        address = request.client.host if request.client else "-"
        throttle = self.throttle
        wait = await self.ctx.run(lambda h: throttle.wait_s(h.store.db, name=name, address=address))
        if wait > 0:
            return self.page(
                request,
                session,
                "login.html",
                429,
                next=target,
                error=f"Too many failed logins: try again in {int(wait // 60) + 1} min.",
                username=name,
            )
        ok = bool(name) and await self.ctx.run(lambda h: verify_user(h.store, name, password))
        if not ok:
            await self.ctx.run(lambda h: throttle.failed(h.store.db, name=name, address=address))
            return self.page(
                request,
                session,
                "login.html",
                401,
                next=target,
                error="Unknown user or wrong password.",
                username=name,
            )
        await self.ctx.run(lambda h: throttle.succeeded(h.store.db, name=name))
        response = RedirectResponse(target, status_code=303)
        self.signer.write(response, self.signer.login(name), secure=request.url.scheme == "https")
        return response

    async def logout(self, request: Request, session: Session) -> Response:
        response = RedirectResponse(f"{_root(request)}/login", status_code=303)
        self.signer.write(response, self.signer.anonymous(), secure=request.url.scheme == "https")
        return response

    # -- the queue -----------------------------------------------------------------------
    async def queue(self, request: Request, session: Session) -> Response:
        filters = QueueFilters.from_query(request.query_params)
        now = self.ctx.now()

        def read(handle: Handle) -> tuple[Any, dict[str, list[str]]]:
            return read_queue(handle.store, filters, now), filter_choices(handle.store)

        page, choices = await self.ctx.run(read)
        return self.page(
            request,
            session,
            "queue.html",
            queue=page,
            filters=filters,
            choices=choices,
            severities=list(self.ctx.pack.severities),
            top_severity=self.top_severity,
            now=now,
            refresh=self.ctx.settings.desk_refresh,
            query=lambda **changes: urlencode(filters.query(**changes)),
        )

    # -- one incident --------------------------------------------------------------------
    async def incident(self, request: Request, session: Session) -> Response:
        incident_id = request.path_params["incident_id"]
        now = self.ctx.now()

        def read(handle: Handle) -> Any:
            found = _find(handle, incident_id)
            return None if found is None else incident_view(handle.engine, found, now)

        view = await self.ctx.run(read)
        if view is None:
            raise _Refused(404, f"No incident {incident_id}.")
        countdown = next_deadline(view.incident)
        return self.page(
            request,
            session,
            "incident.html",
            view=view,
            incident=view.incident,
            due=countdown,
            now=now,
            causes=CAUSES,
            record_actions=self.actions,
            suggested=_suggested_action(self.ctx, view.incident),
            top_severity=self.top_severity,
            done=request.query_params.get("done"),
            customer_lang=_customer_language(view.destination),
            can_preview=_messages_available(),
        )

    async def acknowledge(self, request: Request, session: Session) -> Response:
        incident_id = request.path_params["incident_id"]
        user = session.user or ""
        at = self.ctx.now()
        await self._follow_up(
            incident_id, lambda h: h.engine.acknowledge(incident_id, by=user, at=at)
        )
        return _back(request, incident_id, "acknowledged")

    async def resolve(self, request: Request, session: Session) -> Response:
        incident_id = request.path_params["incident_id"]
        form: dict[str, str] = request.state.form
        cause = form.get("cause", "")
        if cause not in CAUSES:
            raise _Refused(400, "Choose a cause from the list.")
        note = form.get("note", "").strip()[:_NOTE_MAX] or None
        user = session.user or ""
        at = self.ctx.now()

        def work(handle: Handle) -> None:
            handle.engine.resolve(incident_id, by=user, at=at, note=note, cause=cause)

        await self._follow_up(incident_id, work)
        return _back(request, incident_id, "resolved")

    async def record(self, request: Request, session: Session) -> Response:
        incident_id = request.path_params["incident_id"]
        form: dict[str, str] = request.state.form
        action = form.get("action", "")
        if not self.actions:
            raise _Refused(404, "The pack declares no follow-up actions to record.")
        if action not in self.actions:
            raise _Refused(400, "Choose an action from the list.")
        note = form.get("note", "").strip()[:_NOTE_MAX] or None
        user = session.user or ""
        at = self.ctx.now()

        def work(handle: Handle) -> None:
            handle.engine.record(incident_id, action=action, by=user, at=at, note=note)

        await self._follow_up(incident_id, work)
        return _back(request, incident_id, "recorded")

    async def _follow_up(self, incident_id: str, work: Callable[[Handle], object]) -> None:
        try:
            await self.ctx.run(work)
        except KeyError as missing:  # UnknownIncident: closed or never known
            raise _Refused(409, f"Incident {incident_id} is not open any more.") from missing
        except LogixError as error:
            raise _Refused(409, str(error)) from error

    # -- what goes out -------------------------------------------------------------------
    async def message(self, request: Request, session: Session) -> Response:
        incident_id = request.path_params["incident_id"]
        if not _messages_available():
            raise _Refused(404, "Install logix[messages] for message previews.")
        from ..messages import MessageError, render

        lang = request.query_params.get("lang", "en")[:35]
        audience = request.query_params.get("audience", "customer")
        channel = request.query_params.get("channel", "email")

        def work(handle: Handle) -> Any:
            found = _find(handle, incident_id)
            if found is None:
                return None
            try:
                shipment = handle.engine.shipment_state(found.tracking_number).shipment
            except KeyError:
                shipment = None
            # The desk is not the customer: the preview is written from the masked
            # incident, so no personal data reaches this screen.
            return render(
                found.masked(), audience=audience, lang=lang, channel=channel, shipment=shipment
            )

        try:
            message = await self.ctx.run(work)
        except MessageError as error:
            raise _Refused(400, error.msg) from error
        if message is None:
            raise _Refused(404, f"No incident {incident_id}.")
        return self.page(
            request,
            session,
            "message.html",
            message=message,
            incident_id=incident_id,
            lang=lang,
            audience=audience,
            channel=channel,
        )

    async def claim(self, request: Request, session: Session) -> Response:
        incident_id = request.path_params["incident_id"]
        as_json = request.url.path.endswith(".json")

        def work(handle: Handle) -> Any:
            return claim_package_from_engine(handle.engine, incident_id)

        try:
            package = await self.ctx.run(work)
        except ClaimError as error:
            raise _Refused(409, str(error)) from error
        except KeyError as missing:
            raise _Refused(404, f"No open incident {incident_id}.") from missing
        if as_json:
            return JSONResponse(package.to_dict(), headers={"Cache-Control": "no-store"})
        return HTMLResponse(
            package.to_html(),
            headers={
                **_SECURITY_HEADERS,
                "Content-Security-Policy": (
                    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
                ),
            },
        )

    async def report(self, request: Request, session: Session) -> Response:
        if not self.has_report:
            raise _Refused(404, "The weekly brief needs the review room (logix_rules.review).")
        try:
            until = report_until(request.query_params.get("until"), self.ctx.now())
        except ValueError as bad:
            raise _Refused(400, "Give the end of the week as a date, e.g. 2026-03-09.") from bad
        form, text = await self.ctx.run(lambda h: weekly_brief(h.store, until))
        if form == "html":  # the review's own page: inline style and SVG charts
            policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            policy += "frame-ancestors 'none'"
            back = f'<main><p><a href="{escape(_root(request))}/">← Back to the queue</a></p>'
            return HTMLResponse(
                text.replace("<main>", back, 1),
                headers={**_SECURITY_HEADERS, "Content-Security-Policy": policy},
            )
        return self.page(request, session, "report.html", markdown=text, until=until)

    async def dead_letters(self, request: Request, session: Session) -> Response:
        letters = await self.ctx.run(lambda handle: dead_letters(handle.store, limit=200))
        return self.page(
            request,
            session,
            "dead_letters.html",
            letters=letters,
            relay=self.ctx.settings.relay_url is not None,
        )

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _STATIC:
            return Response("not found", status_code=404)
        text = resources.files("logix_rules.service").joinpath("static", name).read_text("utf-8")
        return Response(
            text,
            media_type=_STATIC[name],
            headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
        )


def _find(handle: Handle, incident_id: str) -> Incident | None:
    """The live incident (amounts as of now), else its last snapshot if it closed."""
    try:
        return handle.engine.incident(incident_id)
    except KeyError:
        return handle.store.incident(incident_id)


def _root(request: Request) -> str:
    """Where the app is mounted (``root_path``), so links work under a prefix too."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def _back(request: Request, incident_id: str, done: str) -> Response:
    target = f"{_root(request)}/incidents/{quote(incident_id)}?done={done}"
    return RedirectResponse(target, status_code=303)


def _safe_next(request: Request, target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return f"{_root(request)}/"
    return target


_LANGUAGES: Final = {
    "BR": "pt-BR", "PT": "pt-BR",
    "ES": "es", "MX": "es", "AR": "es", "CO": "es", "CL": "es", "PE": "es",
    "DE": "de", "AT": "de", "CH": "de",
    "FR": "fr", "BE": "fr", "LU": "fr",
    "CN": "zh", "TW": "zh", "HK": "zh", "SG": "zh",
}  # fmt: skip


def _customer_language(country: str | None) -> str:
    """The language of the customer's messages: the destination country's, among
    those with customer templates, else English."""
    return _LANGUAGES.get((country or "").upper(), "en")


def _messages_available() -> bool:
    try:
        import babel  # noqa: F401
    except ImportError:
        return False
    return True


def _record_actions(ctx: ServiceContext) -> tuple[str, ...]:
    """The follow-up actions ``Engine.record`` accepts: the pack declares them."""
    return tuple(sorted(ctx.pack.actions))


def _suggested_action(ctx: ServiceContext, incident: Incident) -> str | None:
    """The action that meets the incident's own next deadline (``documents`` →
    ``documents_supplied``), to preselect."""
    meets = ctx.pack.deadline_actions
    ahead = sorted((at, name) for name, at in incident.deadlines.items() if name in meets)
    return str(meets[ahead[0][1]]) if ahead else None


def desk_routes(ctx: ServiceContext) -> list[BaseRoute]:
    """The desk's routes, for ``create_app`` to mount at ``/``."""
    desk = _Desk(ctx)
    guarded = desk.guarded
    return [
        Route("/", guarded(desk.queue), methods=["GET"], name="desk_queue"),
        Route("/login", desk.login_form, methods=["GET"], name="desk_login"),
        Route("/login", desk.login, methods=["POST"]),
        Route("/logout", guarded(desk.logout), methods=["POST"], name="desk_logout"),
        Route("/incidents/{incident_id}", guarded(desk.incident), methods=["GET"]),
        Route("/incidents/{incident_id}/acknowledge", guarded(desk.acknowledge), methods=["POST"]),
        Route("/incidents/{incident_id}/resolve", guarded(desk.resolve), methods=["POST"]),
        Route("/incidents/{incident_id}/record", guarded(desk.record), methods=["POST"]),
        Route("/incidents/{incident_id}/message", guarded(desk.message), methods=["GET"]),
        Route("/incidents/{incident_id}/claim", guarded(desk.claim), methods=["GET"]),
        Route("/incidents/{incident_id}/claim.json", guarded(desk.claim), methods=["GET"]),
        Route("/dead-letters", guarded(desk.dead_letters), methods=["GET"]),
        Route("/report", guarded(desk.report), methods=["GET"]),
        Route("/desk/static/{name}", desk.static, methods=["GET"]),
    ]
