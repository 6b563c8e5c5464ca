"""Membres (the roster by group, one member's history, the refresh campaign) and
La liste (threads by GO/GT/unclassified; re-tag a thread, in the database and as
the IMAP keyword of its messages)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from mailbot.db import session_scope
from mailbot.models import Member, Post, ProcessedMessage
from mailbot.web import reads
from mailbot.web.actions import record
from mailbot.web.context import web
from mailbot.web.guard import signed_in
from mailbot.web.mailstore import envelope_of
from mailbot.web.session import Visitor
from mailbot.web.views import page

TAGS = ("GO", "GT", "HABITANTS")
GROUP_TITLES = {"GO": "Groupe opérationnel (AMO)", "GT": "Groupe de travail",
                "HABITANTS": "Groupes d'habitants", "COTECH": "COTECH"}


def _roster(request: Request) -> dict[str, Any]:
    with session_scope(web(request).engine) as s:
        return {"groups": reads.roster(s), "campaign": reads.campaign(s)}


@signed_in
async def people(request: Request, visitor: Visitor) -> Response:
    data = await asyncio.to_thread(_roster, request)
    return page(request, visitor, "members.html", active="membres", titles=GROUP_TITLES, **data)


def _member(request: Request, member_id: int) -> dict[str, Any]:
    with session_scope(web(request).engine) as s:
        member = s.get(Member, member_id)
        if member is None:
            raise HTTPException(404, "Membre inconnu.")
        return {"member": member, "h": reads.history(s, member)}


@signed_in
async def person(request: Request, visitor: Visitor) -> Response:
    data = await asyncio.to_thread(_member, request, request.path_params["member_id"])
    return page(request, visitor, "member.html", active="membres", **data)


def _threads(request: Request, tab: str) -> dict[str, Any]:
    with session_scope(web(request).engine) as s:
        rows, total = reads.threads(s, reads.TAB_TAGS[tab])
    return {"rows": rows, "total": total, "tab": tab}


@signed_in
async def threads(request: Request, visitor: Visitor) -> Response:
    tab = request.query_params.get("onglet", "GO")
    if tab not in reads.TAB_TAGS:
        raise HTTPException(404, "Onglet inconnu.")
    data = await asyncio.to_thread(_threads, request, tab)
    return page(request, visitor, "threads.html", active="liste", tabs=reads.TAB_TAGS,
                tags=TAGS, **data)


def retag_thread(request: Request, thread_id: str, tag: str, actor: str) -> int:
    """Set the thread's tag on its posts and recorded messages, then the IMAP keyword."""
    ctx = web(request)
    with session_scope(ctx.engine) as s:
        ids = reads.thread_message_ids(s, thread_id)
        if not ids:
            raise HTTPException(404, "Fil inconnu.")
        s.execute(update(Post).where(col(Post.thread_id) == thread_id)
                  .values(tag=tag, tag_reason="cotech"))
        m = ProcessedMessage
        s.execute(update(m).where(col(m.role) == "list", col(m.message_id).in_(ids))
                  .values(tag=tag, effects_done=False))
        rows = s.exec(select(m).where(m.role == "list", col(m.message_id).in_(ids))).all()
        record(s, ctx.services.now(), actor, "retag", thread_id, tag, f"{len(ids)} message(s)")
    source = ctx.source_for("list")
    if source is None or not rows:
        return len(ids)
    envelopes = [e for e in (envelope_of(r, source) for r in rows) if e is not None]
    source.open()
    try:
        if envelopes:
            source.add_keyword(envelopes, tag)
    finally:
        source.close()
    with session_scope(ctx.engine) as s:
        s.execute(update(m).where(col(m.id).in_([r.id for r in rows])).values(effects_done=True))
    return len(ids)


@signed_in
async def retag(request: Request, visitor: Visitor) -> Response:
    assert visitor.email is not None
    form = await request.form()
    tag = str(form.get("tag", ""))
    thread_id = str(form.get("thread", ""))
    if tag not in TAGS or not thread_id:
        raise HTTPException(400, "Étiquette inconnue.")
    await asyncio.to_thread(retag_thread, request, thread_id, tag, visitor.email)
    web(request).changed()
    back = str(form.get("onglet", "GO"))
    back = back if back in reads.TAB_TAGS else "GO"
    return RedirectResponse(f"/liste?onglet={back}&ok=tag", status_code=303)
