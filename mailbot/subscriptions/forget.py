"""RGPD erasure (`mailbot members forget ADDRESS`): a person's data is erased,
except what accounting must keep.

Accounting keeps the invoicing records of the proofs domain (any table whose
rows point at the member, e.g. proofs and invoices) and, for them to stay
meaningful, the member row's name, organisation and group: such a member is
anonymised (address replaced, territory cleared, status "left"). A member
nothing else points at is deleted.

Erased everywhere: aliases, pending and past confirmation requests, bounce
events, the address in the audit trail, refresh entries, Sympa commands and
REVIEW reports; the bodies of our mail to them in the outbox; their address in
processed-message records and the list-post index. The audit trail keeps one
"forget" row without the address, as proof the request was honoured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_
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
from mailbot.subscriptions import audit

ERASED = "[effacé]"
OWN_TABLES = {"member", "member_alias", "subscription_request", "refresh_entry", "bounce_event"}


@dataclass
class ForgetReport:
    """What an erasure did."""

    member: str
    kept_for_accounting: list[str] = field(default_factory=list)
    erased: dict[str, int] = field(default_factory=dict)


def referenced_elsewhere(session: Session, member: Member) -> list[str]:
    """Tables outside this domain with rows pointing at the member (e.g. proofs)."""
    found: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name in OWN_TABLES:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name != "member" or fk.column.name != "id":
                continue
            count = session.execute(select(func.count()).select_from(table)
                                    .where(fk.parent == member.id)).scalar_one()
            if count:
                found.append(table.name)
    return sorted(set(found))


def forget(session: Session, address: str, now: datetime, asked_by: str = "cli") -> ForgetReport:
    """Erase the person owning `address` (directly or by alias); ValueError if unknown."""
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
    kept = referenced_elsewhere(session, member)
    report.kept_for_accounting = kept
    if kept:
        member.email = f"efface-{member.id}@invalid"
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
    wanted = list(addresses)
    for mail in session.exec(select(OutboxMessage).where(
            col(OutboxMessage.to_addr).in_(wanted))).all():
        if mail.status in ("queued", "sending"):
            mail.status = "suppressed"
        mail.to_addr, mail.raw, mail.subject = ERASED, b"", ""
        session.add(mail)
        count["outbox"] = count.get("outbox", 0) + 1
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
