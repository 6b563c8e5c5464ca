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
from collections.abc import Sequence
from datetime import datetime, tzinfo
from decimal import Decimal

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from mailbot import reminders
from mailbot.config import Settings
from mailbot.digest import labels, sources
from mailbot.digest.model import (
    DossierLine, HeldLine, PostLine, ReminderLine, Subscriptions, Thread, Totals,
)
from mailbot.digest.sources import DossierLike
from mailbot.models import Post, ProcessedMessage
from mailbot.models.jobs import Reminder
from mailbot.render import eur

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


def threads_and_posts(session: Session, start: datetime, end: datetime
                      ) -> tuple[dict[str, list[Thread]], list[PostLine], int]:
    """Threads by tag, untagged posts, and the number of posts in the period."""
    stmt = (sa_select(col(Post.thread_id), col(Post.subject), col(Post.author_name),
                      col(Post.author_email), col(Post.tag), col(Post.posted_at))
            .where(col(Post.posted_at) >= start, col(Post.posted_at) < end)
            .order_by(col(Post.posted_at), col(Post.id)))
    rows = session.execute(stmt).all()  # plain rows: a year of posts without ORM objects
    grouped: dict[str, list[tuple[str, str, str | None, datetime]]] = {}
    untagged: list[PostLine] = []
    for thread_id, subject, name, email, tag, posted_at in rows:
        author = name or email or "inconnu"
        if tag is None:
            untagged.append(PostLine(posted_at, author, clean_subject(subject)))
        else:
            grouped.setdefault(thread_id, []).append((subject, author, tag, posted_at))
    threads: dict[str, list[Thread]] = {}
    for group in grouped.values():
        tags = [tag for _, _, tag, _ in group if tag]
        tag = max(THREAD_TAGS, key=tags.count) if any(t in THREAD_TAGS for t in tags) else tags[0]
        people = list(dict.fromkeys(author for _, author, _, _ in group))
        threads.setdefault(tag, []).append(Thread(
            tag, clean_subject(group[0][0]), len(group), people, group[0][3], group[-1][3]))
    ordered = {t: sorted(threads[t], key=lambda x: x.first_at) for t in THREAD_TAGS if t in threads}
    ordered.update({t: v for t, v in threads.items() if t not in ordered})
    return ordered, untagged, len(rows)


def held_messages(session: Session, start: datetime, end: datetime) -> list[HeldLine]:
    stmt = (select(ProcessedMessage)
            .where(col(ProcessedMessage.status).in_(("held", "quarantined")),
                   col(ProcessedMessage.processed_at) >= start,
                   col(ProcessedMessage.processed_at) < end)
            .order_by(col(ProcessedMessage.processed_at), col(ProcessedMessage.id)))
    return [HeldLine(r.processed_at, r.status, r.category,
                     r.from_email or r.member_email or "expéditeur inconnu",
                     clean_subject(r.subject) if r.subject else "(sans objet)",
                     " ".join(r.reason.split())[:300] or "—")
            for r in session.exec(stmt).all()]


def _invoice(d: DossierLike) -> tuple[str, bool | None]:
    if not d.invoice_received:
        return "non reçue", None
    amount = f" ({eur(d.invoice_amount_eur)})" if d.invoice_amount_eur is not None else ""
    if d.invoice_matches is False:
        return f"reçue{amount}, ne correspond pas au montant dû", False
    return f"reçue{amount}" + (", conforme" if d.invoice_matches else ""), True


def dossier_lines(session: Session, dossiers: Sequence[DossierLike]) -> list[DossierLine]:
    counts: dict[str, list[datetime]] = {}
    for row in session.exec(select(Reminder).order_by(col(Reminder.sent_at))).all():
        counts.setdefault(row.member_email, []).append(row.sent_at)
    lines = []
    for d in sorted(dossiers, key=lambda x: sort_key(x.name or x.member_email)):
        sent = counts.get(d.member_email.lower(), [])
        invoice, ok = _invoice(d)
        lines.append(DossierLine(
            d.member_email, d.name or d.member_email,
            bool(d.first_proof_at or any(d.proofs_by_kind.values())), d.complete,
            labels.proofs_summary(d.proofs_by_kind) or "aucun",
            ", ".join(labels.kind_short(m) for m in d.missing),
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


def subscriptions(report: sources.ReportLike, tz: tzinfo) -> Subscriptions:
    return Subscriptions(
        changes=[labels.change_line(c, tz) for c in report.changes],
        bounces=[labels.bounce_line(b) for b in report.bounces],
        refresh=labels.refresh_counters(report.refresh) if report.refresh else None,
        sympa_differences=list(report.sympa_differences),
    )


def totals(settings: Settings, threads: dict[str, list[Thread]], posts: int,
           untagged: int, held: int, dossiers: Sequence[DossierLike] | None) -> Totals:
    days = fees = due = pending = invoices = count = None
    if dossiers is not None:
        days = sum(1 for d in dossiers if d.complete and not d.funded_elsewhere)
        fees = Decimal(settings.proofs.fee_eur) * days
        due = sum((d.amount_due_eur for d in dossiers if d.complete), Decimal(0))
        pending = sum((d.tickets_total_eur for d in dossiers if not d.complete), Decimal(0))
        invoices = sum(1 for d in dossiers if d.invoice_received)
        count = len(dossiers)
    return Totals(posts, len(threads.get("GO", [])), len(threads.get("GT", [])), untagged, held,
                  days, fees, due, pending, invoices, count)
