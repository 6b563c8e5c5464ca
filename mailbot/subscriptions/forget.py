"""RGPD erasure (`mailbot members forget ADDRESS`): a person's data is erased,
except what accounting must keep.

Accounting keeps the invoicing records of the proofs domain (any table of
another domain whose rows point at the member, by a foreign key to member.id
or by a `member_email` column: proofs, ticket legs, dossier flags) and, for
them to stay linked to a person, the member row's address, name, organisation
and group; that row is otherwise emptied (territory cleared, aliases removed,
status "left"). A member nothing else points at is deleted.

A subscriber still on the list is taken off Sympa (QUIET DEL). Erased
everywhere: aliases, pending and past confirmation requests, bounce
events, the address in the audit trail, refresh entries, Sympa commands and
REVIEW reports; our mail to them, and the sent mail naming them, in the
outbox; their address in processed-message records and the list-post index. The audit trail keeps one
"forget" row without the address, as proof the request was honoured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Column, func, or_, update
from sqlmodel import Session, SQLModel, col, select

from mailbot import members
from mailbot.models import Member, MemberAlias, OutboxMessage, Post, ProcessedMessage
from mailbot.models.subscriptions import (
    BounceEvent,
    RefreshEntry,
    SubscriptionAudit,
    SubscriptionRequest,
    SympaCommand,
    SympaReview,
)
from mailbot.subscriptions import audit, sympa
from mailbot.mail.mailer import Mailer

ERASED = "[effacé]"
OWN_TABLES = {"member", "member_alias", "subscription_request", "refresh_entry", "bounce_event",
              "subscription_audit", "sympa_command", "sympa_review", "refresh_campaign"}
CORE_TABLES = {"processed_message", "post", "outbox"}  # not accounting: erased below


@dataclass
class ForgetReport:
    """What an erasure did."""

    member: str
    kept_for_accounting: list[str] = field(default_factory=list)
    erased: dict[str, int] = field(default_factory=dict)


def member_email_columns() -> list[Column[Any]]:
    """Every `member_email` column of the schema (the proofs domain keys dossiers by it)."""
    return [table.c.member_email for table in SQLModel.metadata.sorted_tables
            if "member_email" in table.c]


def rename_member_email(session: Session, old: str, new: str) -> None:
    """A change of address: every row filed under the old address follows the member."""
    for column in member_email_columns():
        session.execute(update(column.table).where(column == old).values(member_email=new))


def referenced_elsewhere(session: Session, member: Member) -> list[str]:
    """Tables of other domains with rows pointing at the member (e.g. proofs)."""
    found: set[str] = set()
    for table in SQLModel.metadata.sorted_tables:
        if table.name in OWN_TABLES or table.name in CORE_TABLES:
            continue
        tests: list[Any] = [fk.parent == member.id for fk in table.foreign_keys
                            if fk.column.table.name == "member" and fk.column.name == "id"]
        if "member_email" in table.c:
            tests.append(table.c.member_email == member.email)
        for test in tests:
            if session.exec(select(func.count()).select_from(table).where(test)).one():
                found.add(table.name)
    return sorted(found)


def forget(session: Session, address: str, now: datetime, asked_by: str = "cli",
           mailer: Mailer | None = None) -> ForgetReport:
    """Erase the person owning `address` (directly or by alias); ValueError if unknown.
    With a `mailer`, a subscriber still on the list is taken off Sympa (QUIET DEL)."""
    member = members.find(session, address)
    if member is None or member.id is None:
        raise ValueError(f"aucun membre pour l'adresse {address}")
    addresses = {member.email, *members.aliases(session, member), members.normalise(address)}
    report = ForgetReport(member=member.email)
    count = report.erased
    for alias in session.exec(select(MemberAlias).where(MemberAlias.member_id == member.id)).all():
        session.delete(alias)
        count["alias"] = count.get("alias", 0) + 1
    _erase_domain(session, member, addresses, count)
    _erase_core(session, addresses, count)
    if member.status == "active" and mailer is not None:
        sympa.send_owner_command(session, mailer, now, "DEL", member.email, "", "forget")
    kept = referenced_elsewhere(session, member)
    report.kept_for_accounting = kept
    if kept:
        member.territory, member.status, member.updated_at = "", "left", now
        member.bounce_score, member.last_bounce_on = 0.0, None
        session.add(member)
    else:
        session.flush()
        session.delete(member)
    audit.record(session, now, "forget", ERASED, "done", asked_by=asked_by,
                 detail=("conservé pour la comptabilité : " + ", ".join(kept)) if kept else "")
    return report


def _erase_domain(session: Session, member: Member, addresses: set[str],
                  count: dict[str, int]) -> None:
    wanted = list(addresses)
    for request in session.exec(select(SubscriptionRequest).where(or_(
            col(SubscriptionRequest.member_id) == member.id,
            col(SubscriptionRequest.address).in_(wanted)))).all():
        session.delete(request)
        count["requests"] = count.get("requests", 0) + 1
    for event in session.exec(select(BounceEvent).where(or_(
            col(BounceEvent.member_id) == member.id, col(BounceEvent.address).in_(wanted)))).all():
        session.delete(event)
        count["bounces"] = count.get("bounces", 0) + 1
    for entry in session.exec(select(RefreshEntry).where(or_(
            col(RefreshEntry.member_id) == member.id, col(RefreshEntry.address).in_(wanted)))).all():
        entry.member_id, entry.address, entry.name = None, ERASED, ""
        entry.new_address, entry.answered_by = None, None
        session.add(entry)
        count["refresh"] = count.get("refresh", 0) + 1
    for row in session.exec(select(SubscriptionAudit)).all():
        changed = False
        for name in ("address", "new_address", "asked_by", "confirmed_by"):
            if getattr(row, name) in addresses:
                setattr(row, name, ERASED)
                changed = True
        if changed:
            row.detail = _scrub(row.detail, addresses)
            session.add(row)
            count["audit"] = count.get("audit", 0) + 1
    for command in session.exec(select(SympaCommand).where(
            col(SympaCommand.address).in_(wanted))).all():
        command.address, command.command = ERASED, _scrub(command.command, addresses)
        command.command = _scrub(command.command, {member.name} if member.name else set())
        session.add(command)
        count["sympa"] = count.get("sympa", 0) + 1
    for review in session.exec(select(SympaReview)).all():
        differences = [_scrub(d, addresses) for d in json.loads(review.differences)]
        review.differences = json.dumps(differences, ensure_ascii=False)
        session.add(review)


def _erase_core(session: Session, addresses: set[str], count: dict[str, int]) -> None:
    """Our mail: to them, erased (queued mail to them is not sent); mail to others
    that names them (COTECH reports, Sympa commands) is blanked once sent; mail
    still queued for others is left to go (the DEL that takes them off Sympa)."""
    needles = [a.encode() for a in addresses]
    for mail in session.exec(select(OutboxMessage)).all():
        to_them = mail.to_addr in addresses
        names_them = any(n in mail.raw.lower() for n in needles)
        if not (to_them or names_them) or (not to_them and mail.status in ("queued", "sending")):
            continue
        if mail.status in ("queued", "sending"):
            mail.status = "suppressed"
        mail.raw, mail.subject = b"", ""
        if to_them:
            mail.to_addr = ERASED
        session.add(mail)
        count["outbox"] = count.get("outbox", 0) + 1
    wanted = list(addresses)
    for processed in session.exec(select(ProcessedMessage).where(or_(
            col(ProcessedMessage.from_email).in_(wanted),
            col(ProcessedMessage.member_email).in_(wanted)))).all():
        processed.from_email = None
        processed.member_email = None
        session.add(processed)
        count["messages"] = count.get("messages", 0) + 1
    for post in session.exec(select(Post).where(col(Post.author_email).in_(wanted))).all():
        post.author_email, post.author_name = None, ERASED
        session.add(post)
        count["posts"] = count.get("posts", 0) + 1


def _scrub(text: str, secrets: set[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, ERASED)
    return text
