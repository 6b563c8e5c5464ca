"""Build the digest of a period [start, end) from our tables and the other domains.

Reads: list posts (GO/GT/HABITANTS threads, untagged posts), processed
messages held or quarantined, dossiers (proofs domain), reminders sent
(ours) and held back (the reminder policy as of `end`), and the
subscriptions domain's period report. A section whose domain is missing or
fails is None and noted, so the digest still goes out.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from collections.abc import Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from mailbot.proofs import reminders
from mailbot.settings import Settings
from mailbot.digest import labels
from mailbot.digest.model import (
    DossierLine, HeldLine, PostLine, ReminderLine, Subscriptions, Thread, Totals,
)
from mailbot.proofs.dossiers import Dossier
from mailbot.proofs.labels import kind_short, proofs_summary
from mailbot.subscriptions.report import SubscriptionReport
from mailbot.models import Post, ProcessedMessage
from mailbot.models.jobs import Reminder
from mailbot.mail.render import eur

log = logging.getLogger(__name__)
THREAD_TAGS = ("GO", "GT", "HABITANTS")
_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|tr|réf?|aw|wg)\s*(?:\[\d+\])?\s*:|\[[^\]]{1,40}\])\s*",
                     re.IGNORECASE)
KIND_LABELS = {"invoice": "relance facture", "tickets_now": "billets à facturer sans attendre",
               "missing": "pièces manquantes"}


def clean_subject(subject: str) -> str:
    """'Re: [qpv-hpf] TR : Formulaire' -> 'Formulaire'."""
    text = " ".join(subject.split())
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            return text or "(sans objet)"
        text = stripped


def sort_key(name: str) -> str:
    """Alphabetical order as a French reader expects it: 'Élodie' among the E."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


@dataclass(frozen=True)
class ListActivity:
    """The list's activity in a period: what the digest shows, and what it counts."""

    threads: dict[str, list[Thread]]  # the most active threads per tag, in order of start
    threads_more: dict[str, tuple[int, int]]  # per tag: threads (and posts) not listed
    thread_counts: dict[str, int]  # per tag, all threads of the period
    untagged: list[PostLine]  # the latest unclassified posts
    untagged_total: int
    posts: int


def list_activity(session: Session, start: datetime, end: datetime, max_threads: int,
                  max_untagged: int) -> ListActivity:
    """Threads by tag and unclassified posts of [start, end).

    Threads are counted in SQL (a year is ten thousand posts); subjects and
    participants are read only for the threads listed."""
    period = (col(Post.posted_at) >= start, col(Post.posted_at) < end)
    stmt = (sa_select(col(Post.thread_id), col(Post.tag), func.count())
            .where(*period, col(Post.tag).is_not(None))
            .group_by(col(Post.thread_id), col(Post.tag)))
    per_thread: dict[str, dict[str, int]] = {}
    for thread_id, tag, count in session.execute(stmt).all():
        per_thread.setdefault(thread_id, {})[tag] = count
    by_tag: dict[str, list[tuple[str, int]]] = {}
    for thread_id, tags in per_thread.items():
        if len(tags) == 1:  # nearly every thread: no vote to hold
            [(tag, count)] = tags.items()
        else:
            tag, count = max(tags, key=lambda t: (tags[t], t in THREAD_TAGS)), sum(tags.values())
        by_tag.setdefault(tag, []).append((thread_id, count))
    shown_ids, more = _most_active(by_tag, max_threads)
    untagged_total = session.execute(sa_select(func.count()).select_from(Post).where(
        *period, col(Post.tag).is_(None))).scalar_one()
    tagged_total = sum(n for group in by_tag.values() for _, n in group)
    return ListActivity(
        threads=_threads(session, start, end, shown_ids, by_tag), threads_more=more,
        thread_counts={tag: len(group) for tag, group in by_tag.items()},
        untagged=_untagged(session, period, max_untagged), untagged_total=untagged_total,
        posts=tagged_total + untagged_total)


def _most_active(by_tag: dict[str, list[tuple[str, int]]], limit: int
                 ) -> tuple[set[str], dict[str, tuple[int, int]]]:
    shown: set[str] = set()
    more: dict[str, tuple[int, int]] = {}
    for tag, group in by_tag.items():
        ranked = sorted(group, key=lambda item: -item[1])
        shown.update(thread_id for thread_id, _ in ranked[:limit])
        if len(ranked) > limit:
            more[tag] = (len(ranked) - limit, sum(n for _, n in ranked[limit:]))
    return shown, more


def _threads(session: Session, start: datetime, end: datetime, shown: set[str],
             by_tag: dict[str, list[tuple[str, int]]]) -> dict[str, list[Thread]]:
    """Subject, size and participants of the listed threads, by tag, oldest first."""
    posts: dict[str, list[tuple[str, str, datetime]]] = {}
    ids = sorted(shown)
    for chunk in range(0, len(ids), 500):
        stmt = (sa_select(col(Post.thread_id), col(Post.subject), col(Post.author_name),
                          col(Post.author_email), col(Post.posted_at))
                .where(col(Post.posted_at) >= start, col(Post.posted_at) < end,
                       col(Post.tag).is_not(None), col(Post.thread_id).in_(ids[chunk:chunk + 500]))
                .order_by(col(Post.posted_at), col(Post.id)))
        for thread_id, subject, name, email, posted_at in session.execute(stmt).all():
            posts.setdefault(thread_id, []).append((subject, name or email or "inconnu", posted_at))
    threads: dict[str, list[Thread]] = {}
    for tag in [*THREAD_TAGS, *sorted(set(by_tag) - set(THREAD_TAGS))]:
        listed = [(thread_id, n) for thread_id, n in by_tag.get(tag, []) if thread_id in posts]
        listed.sort(key=lambda item: posts[item[0]][0][2])  # by the thread's first post
        if listed:
            threads[tag] = [_thread(tag, n, posts[thread_id]) for thread_id, n in listed]
    return threads


def _thread(tag: str, count: int, posts: list[tuple[str, str, datetime]]) -> Thread:
    people = list(dict.fromkeys(author for _, author, _ in posts))
    return Thread(tag, clean_subject(posts[0][0]), count, people, posts[0][2], posts[-1][2])


def _untagged(session: Session, period: tuple[Any, ...], limit: int) -> list[PostLine]:
    stmt = (sa_select(col(Post.subject), col(Post.author_name), col(Post.author_email),
                      col(Post.posted_at))
            .where(*period, col(Post.tag).is_(None))
            .order_by(col(Post.posted_at).desc(), col(Post.id).desc()).limit(limit))
    rows = session.execute(stmt).all()
    return [PostLine(at, name or email or "inconnu", clean_subject(subject))
            for subject, name, email, at in reversed(rows)]


def held_messages(session: Session, start: datetime, end: datetime) -> list[HeldLine]:
    m = ProcessedMessage
    stmt = (sa_select(col(m.processed_at), col(m.status), col(m.category), col(m.from_email),
                      col(m.member_email), col(m.subject), col(m.reason))
            .where(col(m.status).in_(("held", "quarantined")),
                   col(m.processed_at) >= start, col(m.processed_at) < end)
            .order_by(col(m.processed_at), col(m.id)))
    return [HeldLine(at, status, category, sender or member or "expéditeur inconnu",
                     clean_subject(subject) if subject else "(sans objet)",
                     " ".join(reason.split())[:300] or "—")
            for at, status, category, sender, member, subject, reason
            in session.execute(stmt).all()]


def _invoice(d: Dossier) -> tuple[str, bool | None]:
    if not d.invoice_received:
        return "non reçue", None
    amount = f" ({eur(d.invoice_amount_eur)})" if d.invoice_amount_eur is not None else ""
    if d.invoice_matches is False:
        return f"reçue{amount}, ne correspond pas au montant dû", False
    return f"reçue{amount}" + (", conforme" if d.invoice_matches else ""), True


def dossier_lines(session: Session, dossiers: Sequence[Dossier]) -> list[DossierLine]:
    counts: dict[str, list[datetime]] = {}
    stmt = sa_select(col(Reminder.member_email), col(Reminder.sent_at)).order_by(
        col(Reminder.sent_at))
    for email, sent_at in session.execute(stmt).all():
        counts.setdefault(email, []).append(sent_at)
    lines = []
    for d in sorted(dossiers, key=lambda x: sort_key(x.name or x.member_email)):
        sent = counts.get(d.member_email.lower(), [])
        invoice, ok = _invoice(d)
        lines.append(DossierLine(
            d.member_email, d.name or d.member_email,
            bool(d.first_proof_at or any(d.proofs_by_kind.values())), d.complete,
            proofs_summary(d.proofs_by_kind) or "aucun",
            ", ".join(kind_short(m) for m in d.missing),
            len(d.tickets), d.tickets_total_eur, d.amount_due_eur, d.funded_elsewhere,
            d.short_of_cash, invoice, ok, len(sent), sent[-1] if sent else None))
    return lines


def reminder_lines(session: Session, start: datetime, end: datetime,
                   names: dict[str, str]) -> list[ReminderLine]:
    stmt = (select(Reminder).where(col(Reminder.sent_at) >= start, col(Reminder.sent_at) < end)
            .order_by(col(Reminder.sent_at), col(Reminder.id)))
    out = []
    for r in session.exec(stmt).all():
        label = KIND_LABELS.get(r.kind, r.kind) + (f" n° {r.n}" if r.kind == "invoice" else "")
        detail = r.summary + (" — non envoyée (plafond quotidien)" if r.status == "suppressed"
                              else "")
        out.append(ReminderLine(r.sent_at, r.member_email, names.get(r.member_email, r.member_email),
                                r.kind, label, detail))
    return out


def held_back(decisions: Sequence[reminders.Decision]) -> list[ReminderLine]:
    return [ReminderLine(None, d.email, d.dossier.name or d.email, d.kind,
                         KIND_LABELS.get(d.kind, d.kind), d.why)
            for d in decisions if not d.send]


def subscriptions(report: SubscriptionReport, tz: tzinfo) -> Subscriptions:
    return Subscriptions(
        changes=[labels.change_line(c, tz) for c in report.changes],
        bounces=[labels.bounce_line(b) for b in report.bounces],
        refresh=labels.refresh_counters(report.refresh) if report.refresh else None,
        sympa_differences=list(report.sympa_differences),
    )


def totals(settings: Settings, activity: ListActivity, held: int,
           dossiers: Sequence[Dossier] | None) -> Totals:
    days = fees = due = pending = invoices = count = None
    if dossiers is not None:
        days = sum(1 for d in dossiers if d.complete and not d.funded_elsewhere)
        fees = Decimal(settings.proofs.fee_eur) * days
        due = sum((d.amount_due_eur for d in dossiers if d.complete), Decimal(0))
        pending = sum((d.tickets_total_eur for d in dossiers if not d.complete), Decimal(0))
        invoices = sum(1 for d in dossiers if d.invoice_received)
        count = len(dossiers)
    counts = activity.thread_counts
    return Totals(activity.posts, counts.get("GO", 0), counts.get("GT", 0),
                  activity.untagged_total, held, days, fees, due, pending, invoices, count)
