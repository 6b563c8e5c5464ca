"""Tableau de bord (what the weekly digest says, live: the last seven days) and Tâches.

The dashboard is the digest's own data (`mailbot.digest.send.build_digest`)
over the last seven days, rendered for the browser.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from mailbot.jobs import scheduler
from mailbot.db import session_scope
from mailbot.digest.model import Digest
from mailbot.digest.send import build_digest
from mailbot.web.context import web
from mailbot.web.guard import signed_in
from mailbot.web.session import Visitor
from mailbot.web.views import page

DAYS = 7


def _digest(request: Request) -> Digest:
    services = web(request).services
    end = services.now()
    with session_scope(services.engine) as s:
        return build_digest(s, services, end - timedelta(days=DAYS), end)


@signed_in
async def dashboard(request: Request, visitor: Visitor) -> Response:
    ctx = web(request)
    digest = await asyncio.to_thread(ctx.snapshot, "digest", lambda: _digest(request))
    return page(request, visitor, "dashboard.html", active="tableau", d=digest)


@signed_in
async def jobs(request: Request, visitor: Visitor) -> Response:
    rows = await asyncio.to_thread(scheduler.describe, web(request).services)
    return page(request, visitor, "jobs.html", active="taches", jobs=rows)
