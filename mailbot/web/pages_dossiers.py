"""Dossiers: the list (one line per AMO, as in the digest), one AMO's dossier with its
proofs and files, ticket legs, amount due, invoice and reminders, the file itself and
the treasurer's ZIP export (`mailbot.proofs.export`)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from mailbot.db import session_scope
from mailbot.digest import collect
from mailbot.errors import StorageError
from mailbot.models import Member
from mailbot.models.jobs import Reminder
from mailbot.models.proofs import Proof
from mailbot.proofs.dossiers import compute_dossiers, dossier_for, live_legs, live_proofs
from mailbot.proofs.export import export_dossier
from mailbot.proofs.storage import BlobStore
from mailbot.web.actions import record
from mailbot.web.context import web
from mailbot.web.files import disposition, file_response
from mailbot.web.guard import signed_in
from mailbot.web.session import Visitor
from mailbot.web.views import page


def _member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise HTTPException(404, "Dossier inconnu.")
    return member


def _list(request: Request) -> list[tuple[int, Any]]:
    ctx = web(request)
    with session_scope(ctx.engine) as s:
        dossiers = compute_dossiers(s, ctx.services.settings)
        ids = dict(s.exec(select(Member.email, Member.id)).all())
        lines = collect.dossier_lines(s, dossiers)
    return [(ids.get(line.member_email) or 0, line) for line in lines]


@signed_in
async def dossiers(request: Request, visitor: Visitor) -> Response:
    rows = await asyncio.to_thread(web(request).snapshot, "dossiers", lambda: _list(request))
    return page(request, visitor, "dossiers.html", active="dossiers", rows=rows)


def _one(request: Request, member_id: int) -> dict[str, Any]:
    ctx = web(request)
    with session_scope(ctx.engine) as s:
        member = _member(s, member_id)
        dossier = dossier_for(s, ctx.services.settings, member.email)
        proofs = live_proofs(s, member.email)
        legs = live_legs(s, [p.id for p in proofs if p.id is not None])
        sent = s.exec(select(Reminder).where(Reminder.member_email == member.email)
                      .order_by(col(Reminder.sent_at).desc())).all()
        store = BlobStore(ctx.services.settings.files_dir)
        present = {p.sha256 for p in proofs if store.has(p.sha256)}
    return {"member": member, "dossier": dossier, "proofs": proofs, "legs": legs,
            "reminders": list(sent), "present": present}


@signed_in
async def dossier(request: Request, visitor: Visitor) -> Response:
    data = await asyncio.to_thread(_one, request, request.path_params["member_id"])
    return page(request, visitor, "dossier.html", active="dossiers", **data)


def _file(request: Request, member_id: int, proof_id: int) -> tuple[Proof, bytes]:
    ctx = web(request)
    with session_scope(ctx.engine) as s:
        member = _member(s, member_id)
        proof = s.get(Proof, proof_id)
        if proof is None or proof.member_email != member.email:  # another dossier's proof
            raise HTTPException(404, "Justificatif inconnu dans ce dossier.")
    try:
        return proof, BlobStore(ctx.services.settings.files_dir).get(proof.sha256)
    except (StorageError, ValueError) as err:
        raise HTTPException(404, "Fichier absent du stockage.") from err


@signed_in
async def proof_file(request: Request, visitor: Visitor) -> Response:
    p = request.path_params
    proof, data = await asyncio.to_thread(_file, request, p["member_id"], p["proof_id"])
    view = request.query_params.get("voir") == "1"
    return file_response(data, proof.filename, proof.source == "forward", view)


def _export(request: Request, member_id: int, actor: str) -> tuple[str, bytes]:
    ctx = web(request)
    with tempfile.TemporaryDirectory(prefix="mailbot-web-") as tmp:
        target = Path(tmp) / "dossier.zip"
        with session_scope(ctx.engine) as s:
            member = _member(s, member_id)
            report = export_dossier(s, ctx.services.settings, member.email, target)
            record(s, ctx.services.now(), actor, "export", member.email,
                   f"{report.files} fichier(s)", ", ".join(report.missing_files))
        slug = member.email.split("@")[0]
        return f"dossier-{slug}.zip", target.read_bytes()


@signed_in
async def export(request: Request, visitor: Visitor) -> Response:
    assert visitor.email is not None
    name, data = await asyncio.to_thread(_export, request, request.path_params["member_id"],
                                         visitor.email)
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": disposition("attachment", name)})
