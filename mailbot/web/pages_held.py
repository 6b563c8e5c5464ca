"""À traiter: held and quarantined mail, one message shown (headers and text, escaped),
and the three actions: attach the sender to a member then process again, process
again, dismiss. Every action is recorded (who, when, what, result)."""

from __future__ import annotations

import asyncio
import logging
from functools import cached_property
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from mailbot import members
from mailbot.db import session_scope
from mailbot.models import Member, ProcessedMessage
from mailbot.mime.parse import Limits, parse_message
from mailbot.pipeline import Pipeline
from mailbot.pipeline.outcome import Outcome
from mailbot.sources import MailSource
from mailbot.vocab import Status
from mailbot.web import mailstore, reads
from mailbot.web.actions import recent, record
from mailbot.web.context import WebContext, web
from mailbot.web.guard import signed_in
from mailbot.pipeline.replay import replay
from mailbot.web.session import Visitor
from mailbot.web.views import page
from mailbot.worker import Worker

log = logging.getLogger(__name__)
SHOWN_HEADERS = ("From", "Sender", "Reply-To", "To", "Cc", "Date", "Subject", "Message-ID",
                 "Return-Path", "Authentication-Results", "Auto-Submitted", "List-Id")


class PipelineHolder:
    """The pipeline of the web process, built on first use (rules, handlers)."""

    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx

    @cached_property
    def pipeline(self) -> Pipeline:
        return Pipeline(self.ctx.services)


def _pipeline(request: Request) -> Pipeline:
    holder: PipelineHolder = request.app.state.pipeline
    return holder.pipeline


def _list(request: Request) -> dict[str, Any]:
    with session_scope(web(request).engine) as s:
        return {"rows": reads.held(s), "log": recent(s, None, 30)}


@signed_in
async def held(request: Request, visitor: Visitor) -> Response:
    data = await asyncio.to_thread(_list, request)
    return page(request, visitor, "held.html", active="traiter", **data)


def _row(request: Request, row_id: int) -> ProcessedMessage:
    with session_scope(web(request).engine) as s:
        row = s.get(ProcessedMessage, row_id)
    if row is None:
        raise HTTPException(404, "Message inconnu.")
    return row


def _detail(request: Request, row_id: int) -> dict[str, Any]:
    ctx = web(request)
    row = _row(request, row_id)
    found = mailstore.fetch(row, ctx.source_for) if row.status in reads.HELD else None
    headers: list[tuple[str, str]] = []
    text, files = "", []
    if found is not None:
        msg = parse_message(found[1], Limits(max_bytes=ctx.services.settings.bot.max_message_bytes))
        headers = [(name, str(value)) for name in SHOWN_HEADERS
                   for value in msg.headers.get_all(name, [])]
        text = msg.text or msg.html
        files = [(a.filename, a.sniffed_type, a.size) for a in msg.attachments]
    with session_scope(ctx.engine) as s:
        hint = reads.suggestion(s, row.message_id)
        amos = s.exec(select(Member).where(Member.status != "left").order_by(Member.name)).all()
        log_rows = recent(s, str(row_id), 20)
    return {"row": row, "found": found is not None, "headers": headers, "text": text[:20000],
            "files": files, "hint": hint, "members": list(amos), "log": log_rows}


@signed_in
async def message(request: Request, visitor: Visitor) -> Response:
    data = await asyncio.to_thread(_detail, request, request.path_params["row_id"])
    return page(request, visitor, "message.html", active="traiter", **data)


def _act(request: Request, row_id: int, action: str, member_email: str, actor: str) -> str:
    ctx = web(request)
    row = _row(request, row_id)
    if row.status not in reads.HELD:
        return "deja"
    now = ctx.services.now()
    if action == "dismiss":
        m = ProcessedMessage
        with session_scope(ctx.engine) as s:  # only if still held: a concurrent action wins
            done = s.execute(update(m).where(col(m.id) == row_id, col(m.status).in_(reads.HELD))
                             .values(status=Status.DISMISSED))
            if done.rowcount != 1:  # type: ignore[attr-defined]
                return "deja"
            record(s, now, actor, "dismiss", str(row_id), row.subject, "écarté")
        return "ecarte"
    found = mailstore.fetch(row, ctx.source_for)
    source = ctx.source_for(row.role)
    if found is None or source is None:
        with session_scope(ctx.engine) as s:
            record(s, now, actor, action, str(row_id), member_email, "message introuvable")
        return "introuvable"
    before = None
    if action == "attach":
        def before(session: Any) -> None:
            members.add_alias(session, member_email, row.from_email or "")
    try:
        outcome = replay(_pipeline(request), row_id, found[0], found[1], before)
    except ValueError as err:  # the alias belongs to someone else, or no such member
        with session_scope(ctx.engine) as s:
            record(s, now, actor, action, str(row_id), member_email, str(err))
        return "erreur"
    if outcome is not None:
        _apply(source, _pipeline(request), outcome)
    result = "déjà traité" if outcome is None else f"{outcome.category} / {outcome.status}"
    with session_scope(ctx.engine) as s:
        record(s, now, actor, action, str(row_id),
               f"{row.from_email} → {member_email}" if action == "attach" else row.subject, result)
    if outcome is None:
        return "deja"
    return "attache" if action == "attach" else "retraite"


def _apply(source: MailSource, pipeline: Pipeline, outcome: Outcome) -> None:
    """The IMAP effect of the new outcome (keyword, or quarantine), as the worker does."""
    source.open()
    try:
        Worker(source, pipeline).apply([outcome])
    finally:
        source.close()


@signed_in
async def act(request: Request, visitor: Visitor) -> Response:
    assert visitor.email is not None
    form = await request.form()
    action = str(form.get("action", ""))
    member_email = str(form.get("member", ""))
    if action not in ("attach", "replay", "dismiss") or (action == "attach" and not member_email):
        raise HTTPException(400, "Action inconnue.")
    row_id = request.path_params["row_id"]
    code = await asyncio.to_thread(_act, request, row_id, action, member_email, visitor.email)
    web(request).changed()
    await web(request).flush()  # the acknowledgement leaves now
    target = "/a-traiter" if code in ("attache", "retraite", "ecarte") else f"/a-traiter/{row_id}"
    return RedirectResponse(f"{target}?ok={code}", status_code=303)
