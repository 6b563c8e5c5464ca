"""Every page and file checks the session; every POST checks the CSRF token.

`signed_in(handler)` wraps a page: no valid session (or its address is no
longer allowed: removed from the COTECH), a redirect to the sign-in page
(GET) or 403 (POST); a POST without the session's CSRF token, 403. The handler gets the request and the `Visitor`. `headers` are the
security headers of every response (set by `SecurityHeaders`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mailbot.db import session_scope
from mailbot.web import signin
from mailbot.web.context import WebContext, web
from mailbot.web.session import Visitor, csrf_ok

Handler = Callable[[Request, Visitor], Awaitable[Response]]
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # a sign-in link never leaks through Referer
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "Cache-Control": "no-store",
}


def refuse(why: str = "Requête refusée.") -> Response:
    return PlainTextResponse(why, status_code=403)


def _still_allowed(ctx: WebContext, email: str) -> bool:
    with session_scope(ctx.engine) as s:
        return signin.allowed(s, email, ctx.web.allow)


def signed_in(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    @wraps(handler)
    async def wrapper(request: Request) -> Response:
        ctx = web(request)
        visitor = ctx.sessions.read(request)
        if visitor.email is not None and not _still_allowed(ctx, visitor.email):
            visitor = ctx.sessions.anonymous()  # left the COTECH since signing in
        if visitor.email is None:
            if request.method != "GET":
                return refuse("Session absente ou expirée.")
            return RedirectResponse("/connexion", status_code=303)
        if request.method == "POST":
            form = await request.form()
            if not csrf_ok(visitor, form.get("csrf")):
                return refuse("Jeton CSRF absent ou invalide.")
        return await handler(request, visitor)
    return wrapper


class SecurityHeaders:
    """ASGI middleware adding HEADERS to every response (files and pages alike)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()
                         if k.lower().encode() not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
