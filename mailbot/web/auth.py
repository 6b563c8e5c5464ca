"""The sign-in pages: ask for a link, open it (GET: one button), use it (POST), sign out.

The answer to "send me a link" is the same page whether or not the address
may sign in, and whether or not a rate limit held the mail back, and it is
sent before the mail is made (a background task): nobody can learn from it,
or from its timing, who is on the COTECH. The mail goes through the outbox
(template `web_signin`), then the outbox is flushed at once.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from mailbot.db import session_scope
from mailbot.mail.mailer import Mailer
from mailbot import members
from mailbot.members import normalise
from mailbot.web import signin
from mailbot.web.actions import record
from mailbot.web.context import web
from mailbot.web.guard import refuse
from mailbot.web.session import csrf_ok
from mailbot.web.views import page

log = logging.getLogger(__name__)


def client_of(request: Request) -> str:
    """The client's address (the proxy's X-Forwarded-For is trusted only via uvicorn's
    --forwarded-allow-ips, which sets request.client)."""
    return request.client.host if request.client else "?"


async def form(request: Request) -> Response:
    visitor = web(request).sessions.read(request)
    if visitor.email is not None:
        return RedirectResponse("/", status_code=303)
    return page(request, visitor, "signin.html", sent=False)


async def ask(request: Request) -> Response:
    ctx = web(request)
    visitor = ctx.sessions.read(request)
    fields = await request.form()
    if not csrf_ok(visitor, fields.get("csrf")):
        return refuse("Jeton CSRF absent ou invalide.")
    raw = fields.get("email")
    address = normalise(raw if isinstance(raw, str) else "")[:254]
    client = client_of(request)
    response = page(request, visitor, "signin.html", sent=True)
    if ctx.per_client.hit(client) and ctx.per_address.hit(address):
        # after the answer is sent: its timing says nothing about the address either
        response.background = BackgroundTask(_send_link, request, address, client)
    else:
        log.warning("web sign-in: rate limit reached (client %s)", client)
    return response


async def _send_link(request: Request, address: str, client: str) -> None:
    if await asyncio.to_thread(_queue_link, request, address, client):
        await web(request).flush()


def _queue_link(request: Request, address: str, client: str) -> bool:
    ctx = web(request)
    services = ctx.services
    with session_scope(ctx.engine) as s:
        if not signin.allowed(s, address, ctx.web.allow):
            log.info("web sign-in: refused for an address not allowed")
            return False
        secret = signin.issue(s, address, services.now(), client)
        url = f"{ctx.web.base_url}/connexion/{secret}"
        member = members.find(s, address)
        Mailer(s, services).send("web_signin", address, key=f"web-signin:{secret[:16]}",
                                 to_name=member.name if member else "", capped=False,
                                 link=url, minutes=signin.LINK_MINUTES)
    return True


async def link(request: Request) -> Response:
    """GET of the mailed link: a page with one button, nothing used yet."""
    ctx = web(request)
    visitor = ctx.sessions.read(request)
    secret = request.path_params["secret"]
    with session_scope(ctx.engine) as s:
        valid = signin.peek(s, secret, ctx.services.now()) is not None
    return page(request, visitor, "link.html", status=200 if valid else 410, valid=valid,
                secret=secret)


async def use(request: Request) -> Response:
    """POST of the button: the link is used (once) and the session begins."""
    ctx = web(request)
    visitor = ctx.sessions.read(request)
    fields = await request.form()
    if not csrf_ok(visitor, fields.get("csrf")):
        return refuse("Jeton CSRF absent ou invalide.")
    secret = request.path_params["secret"]
    with session_scope(ctx.engine) as s:
        email = signin.redeem(s, secret, ctx.services.now())
        if email is not None and not signin.allowed(s, email, ctx.web.allow):
            email = None  # left the COTECH since the link was sent
        if email is not None:
            record(s, ctx.services.now(), email, "signin", "", client_of(request))
    if email is None:
        return page(request, visitor, "link.html", status=410, valid=False, secret="")
    response = RedirectResponse("/", status_code=303)
    ctx.sessions.write(response, ctx.sessions.signed_in(email))
    return response


async def signout(request: Request) -> Response:
    ctx = web(request)
    visitor = ctx.sessions.read(request)
    fields = await request.form()
    if not csrf_ok(visitor, fields.get("csrf")):
        return refuse("Jeton CSRF absent ou invalide.")
    if visitor.email:
        with session_scope(ctx.engine) as s:
            record(s, ctx.services.now(), visitor.email, "signout", "", "")
    response = RedirectResponse("/connexion", status_code=303)
    ctx.sessions.write(response, ctx.sessions.anonymous())
    return response
