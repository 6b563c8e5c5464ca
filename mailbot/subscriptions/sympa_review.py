"""Sympa's REVIEW answers: the list as it really is, compared with our roster.

A REVIEW answer comes from the list's `-request` address (not from the robot),
`Auto-Submitted: auto-replied`; the guard reads it as Sympa mail. Reading one:

* records a `SympaReview` (Sympa's count, ours, the differences in French);
* settles the commands in `checking` (Sympa refused or failed them): an ADD whose
  address is on the list, a DEL whose address is not, is done; otherwise failed,
  and the COTECH is told; a command that failed earlier and is now true on the list
  (the COTECH did it by hand) becomes done;
* closes the REVIEW commands we sent.

`status` never reports agreement it has not checked: with no REVIEW answer read,
it says so (`read_at` is None), and a REVIEW asked since the last answer read is
shown as waiting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from mailbot import members
from mailbot.mail.mailer import Mailer
from mailbot.models import Member
from mailbot.models.subscriptions import SympaCommand, SympaReview
from mailbot.subscriptions import sympa_read, sympa_sync


@dataclass(frozen=True)
class ReviewStatus:
    """The last comparison with Sympa, or its absence."""

    read_at: datetime | None  # None: no REVIEW answer read yet, nothing was compared
    sympa_count: int = 0
    ours_count: int = 0
    differences: list[str] = field(default_factory=list)
    asked_at: datetime | None = None  # a REVIEW sent and not answered yet
    unsettled: list[str] = field(default_factory=list)  # "ADD x : en attente de Sympa"


def read(mailer: Mailer, text: str, message_id: str, now: datetime) -> list[str]:
    """Record one REVIEW answer; the notes for the message's row."""
    session, settings = mailer.session, mailer.services.settings
    ignore = {settings.list.address, settings.list.sympa}
    on_sympa = {a for a, _ in sympa_read.review_addresses(text, ignore)}
    differences = reconcile(session, on_sympa)
    announced = sympa_read.review_count(text)
    if announced is not None and announced != len(on_sympa):
        differences.append(f"REVIEW annonce {announced} abonnés, {len(on_sympa)} lus")
    active = session.exec(select(Member).where(Member.status == "active")).all()
    if not session.exec(select(SympaReview).where(SympaReview.message_id == message_id)).first():
        session.add(SympaReview(message_id=message_id, received_at=now,
                                sympa_count=len(on_sympa), ours_count=len(active),
                                differences=json.dumps(differences, ensure_ascii=False)))
    settled = _settle_by_list(mailer, on_sympa, now, message_id)
    for command in sympa_sync.open_commands(session, "REVIEW"):
        command.state, command.updated_at = "done", now
        session.add(command)
    notes = differences or ["la liste Sympa et le robot sont d'accord"]
    return notes + settled


def _settle_by_list(mailer: Mailer, on_sympa: set[str], now: datetime,
                    message_id: str) -> list[str]:
    """The list as it is settles the commands Sympa refused or failed."""
    notes: list[str] = []
    rows = mailer.session.exec(select(SympaCommand).where(
        col(SympaCommand.state).in_(["checking", "failed"]),
        col(SympaCommand.action).in_(["ADD", "DEL"])).order_by(col(SympaCommand.id))).all()
    for command in rows:
        true_now = (command.address in on_sympa) == (command.action == "ADD")
        label = f"{command.action} {command.address}"
        if true_now:
            sympa_sync.settle(mailer, command, "done", f"vérifié par REVIEW ({command.detail})",
                              now, message_id=message_id, checked=True)
            notes.append(f"{label} : fait (vérifié par REVIEW)")
        elif command.state == "checking":
            sympa_sync.settle(mailer, command, "failed", command.detail, now,
                              message_id=message_id, checked=True)
            notes.append(f"{label} : refusé par Sympa (vérifié par REVIEW)")
    return notes


def reconcile(session: Session, on_sympa: set[str]) -> list[str]:
    """The differences between Sympa's subscribers and our active members, in French."""
    active = {m.email: m for m in session.exec(select(Member).where(Member.status == "active"))}
    pending = {c.address for c in sympa_sync.open_commands(session) if c.address}
    differences: list[str] = []
    covered: set[str] = set()
    for address in sorted(on_sympa - set(active)):
        member = members.find(session, address)
        if member is None:
            differences.append(f"sur Sympa mais inconnu du robot : {address}")
        elif member.status == "left":
            differences.append(f"désinscrit chez nous mais encore sur Sympa : {address}")
        elif member.status == "pending":
            differences.append(f"en attente de confirmation chez nous mais déjà sur Sympa : "
                               f"{address}")
        else:
            covered.add(member.email)
            differences.append(f"sur Sympa sous {address}, adresse secondaire de {member.email}")
    for address in sorted(set(active) - on_sympa - covered):
        differences.append(f"inscrit chez nous mais absent de Sympa : {address}")
    return [f"{d} (commande envoyée, pas encore faite)" if d.rpartition(" ")[2] in pending
            else d for d in differences]


def status(session: Session) -> ReviewStatus:
    """The last REVIEW answer read, what is still asked, what Sympa has not settled."""
    last = session.exec(select(SympaReview).order_by(col(SympaReview.received_at).desc())).first()
    asked = session.exec(select(SympaCommand).where(
        SympaCommand.action == "REVIEW", col(SympaCommand.state).in_(sympa_sync.OPEN))
        .order_by(col(SympaCommand.created_at).desc())).first()
    unsettled = [f"{c.action} {c.address} : {sympa_sync.LABELS[c.state]}"
                 for c in session.exec(select(SympaCommand).where(
                     col(SympaCommand.state).in_([*sympa_sync.OPEN, "failed"]),
                     SympaCommand.action != "REVIEW").order_by(col(SympaCommand.id))).all()]
    asked_at = asked.created_at if asked else None
    if last is None:
        return ReviewStatus(None, asked_at=asked_at, unsettled=unsettled)
    return ReviewStatus(last.received_at, last.sympa_count, last.ours_count,
                        list(json.loads(last.differences)), asked_at, unsettled)


def last_differences(session: Session, until: datetime | None = None) -> list[str] | None:
    """The differences of the last REVIEW answer read before `until`; None when no
    answer was ever read (nothing compared: not an agreement)."""
    stmt = select(SympaReview)
    if until is not None:
        stmt = stmt.where(col(SympaReview.received_at) < until)
    row = session.exec(stmt.order_by(col(SympaReview.received_at).desc())).first()
    return list(json.loads(row.differences)) if row else None
