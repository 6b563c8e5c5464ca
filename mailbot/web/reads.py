"""The SQL reads of the pages that the other domains do not already offer:
held mail, threads of the list, a member's history, the refresh campaign.
Each reads only what its page shows (a year is ten thousand posts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from mailbot.digest.collect import clean_subject
from mailbot.models import Member, MemberAlias, Post, ProcessedMessage
from mailbot.models.jobs import Reminder
from mailbot.models.proofs import Proof, ProofHold
from mailbot.models.subscriptions import SubscriptionAudit
from mailbot.models.subscriptions import RefreshCampaign
from mailbot.subscriptions import refresh
from mailbot.vocab import Status

HELD = (Status.HELD, Status.QUARANTINED)
TAB_TAGS = {"GO": "GO", "GT": "GT", "HABITANTS": "HABITANTS", "non-classes": None}


def held(session: Session) -> list[Any]:
    """Held and quarantined messages, newest first: rows with the columns the list shows."""
    m = ProcessedMessage
    stmt = (sa_select(col(m.id), col(m.processed_at), col(m.from_email), col(m.subject),
                      col(m.status), func.substr(col(m.reason), 1, 300).label("reason"))
            .where(col(m.status).in_(HELD))
            .order_by(col(m.processed_at).desc(), col(m.id).desc()))
    return list(session.execute(stmt).all())


def suggestion(session: Session, message_id: str) -> str | None:
    row = session.exec(select(ProofHold).where(ProofHold.message_id == message_id)
                       .order_by(col(ProofHold.id).desc())).first()
    return row.suggested_member if row else None


@dataclass(frozen=True)
class ThreadRow:
    thread_id: str
    tag: str | None
    subject: str
    posts: int
    last_at: datetime
    authors: str


def threads(session: Session, tag: str | None, limit: int = 60) -> tuple[list[ThreadRow], int]:
    """The latest threads whose posts carry `tag` (None: unclassified), and how many in all."""
    cond = col(Post.tag).is_(None) if tag is None else col(Post.tag) == tag
    stmt = (sa_select(col(Post.thread_id), func.count(), func.max(col(Post.posted_at)))
            .where(cond).group_by(col(Post.thread_id)))
    grouped = list(session.execute(stmt).all())
    grouped.sort(key=lambda r: r[2], reverse=True)
    shown = grouped[:limit]
    ids = [r[0] for r in shown]
    first: dict[str, tuple[str, list[str]]] = {}
    if ids:
        rows = session.execute(
            sa_select(col(Post.thread_id), col(Post.subject), col(Post.author_name),
                      col(Post.author_email))
            .where(col(Post.thread_id).in_(ids)).order_by(col(Post.posted_at), col(Post.id))).all()
        for thread_id, subject, name, email in rows:
            entry = first.setdefault(thread_id, (subject, []))
            who = name or email or "inconnu"
            if who not in entry[1]:
                entry[1].append(who)
    out = [ThreadRow(t, tag, clean_subject(first.get(t, ("", []))[0]), n, last,
                     ", ".join(first.get(t, ("", []))[1][:4])) for t, n, last in shown]
    return out, len(grouped)


def thread_message_ids(session: Session, thread_id: str) -> list[str]:
    return list(session.exec(select(Post.message_id).where(Post.thread_id == thread_id)).all())


def roster(session: Session) -> dict[str, list[tuple[Member, list[str]]]]:
    """Members by group (GO, GT, HABITANTS, COTECH, others), each with their aliases."""
    aliases: dict[int, list[str]] = {}
    for a in session.exec(select(MemberAlias).order_by(col(MemberAlias.email))).all():
        aliases.setdefault(a.member_id, []).append(a.email)
    groups: dict[str, list[tuple[Member, list[str]]]] = {}
    for m in session.exec(select(Member).order_by(col(Member.name), col(Member.email))).all():
        groups.setdefault(m.group or "?", []).append((m, aliases.get(m.id or 0, [])))
    return groups


@dataclass(frozen=True)
class History:
    messages: list[ProcessedMessage]
    proofs: int
    reminders: list[Reminder]
    audit: list[SubscriptionAudit]
    aliases: list[str]


def history(session: Session, member: Member, limit: int = 50) -> History:
    mine = [member.email, *session.exec(select(MemberAlias.email)
                                        .where(MemberAlias.member_id == member.id)).all()]
    m = ProcessedMessage
    messages = session.exec(select(m).where(col(m.member_email).in_(mine))
                            .order_by(col(m.processed_at).desc()).limit(limit)).all()
    proofs = session.execute(sa_select(func.count()).select_from(Proof).where(
        col(Proof.member_email) == member.email, col(Proof.duplicate_of_id).is_(None))).scalar_one()
    reminders = session.exec(select(Reminder).where(Reminder.member_email == member.email)
                             .order_by(col(Reminder.sent_at).desc())).all()
    a = SubscriptionAudit
    audit = session.exec(select(a).where(col(a.address).in_(mine) | col(a.new_address).in_(mine))
                         .order_by(col(a.at).desc()).limit(limit)).all()
    return History(list(messages), int(proofs), list(reminders), list(audit), mine[1:])


def campaign(session: Session) -> tuple[RefreshCampaign, dict[str, int]] | None:
    latest = refresh.latest(session)
    if latest is None:
        return None
    return latest, refresh.counts(session, latest)
