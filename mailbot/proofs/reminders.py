"""Invoice reminders to the AMOs: the policy (pure) and the daily job that applies it.

Policy ([reminders] after_days N, every_days M, max_count K), per dossier:

* an invoice already received stops everything;
* complete: N days (calendar days, local time) after completion without an invoice, a reminder that says exactly
  what to invoice (fee + tickets; tickets only when funded elsewhere, and
  nothing when that leaves nothing to invoice), again every M days, K at most;
* short of cash with a ticket sent, not complete yet: one reminder, without
  waiting, asking to invoice the tickets now;
* incomplete (pieces missing), N days after the last proof: ONE reminder
  naming the missing pieces;
* at most one reminder per AMO per day (the first that applies, in that order);
* never to an address that bounces, has left, or auto-replied to us in the
  last AUTOREPLY_DAYS days: that reminder is held back (and the digest says so).

Every reminder sent is a `Reminder` row queued with its outbox row in the
job's transaction (key "reminder:<member>:<kind>:<n>"): a restart never
sends one twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, or_

from mailbot.mail.mailer import Mailer
from mailbot.settings import ReminderSettings
from mailbot.proofs.dossiers import Dossier, compute_dossiers
from mailbot.proofs.labels import kind_long, proofs_summary, ticket_line
from mailbot.models import Member, ProcessedMessage
from mailbot.models.jobs import Reminder
from mailbot.mail.render import eur
from mailbot.services import Services

AUTOREPLY_DAYS = 14
TEMPLATES = {"invoice": "reminder_invoice", "tickets_now": "reminder_invoice",
             "missing": "reminder_missing"}
History = Mapping[tuple[str, str], Sequence[datetime]]  # (member, kind) -> sent times


@dataclass(frozen=True)
class Decision:
    """One reminder the policy calls for today; `why` says why it is held back."""

    dossier: Dossier
    kind: str  # invoice | tickets_now | missing
    n: int
    why: str = ""

    @property
    def send(self) -> bool:
        return not self.why

    @property
    def email(self) -> str:
        return self.dossier.member_email.lower()


def fee_due(d: Dossier) -> Decimal:
    return Decimal(0) if d.funded_elsewhere else d.fee_eur


def to_invoice(d: Dossier, kind: str) -> str:
    """What the reminder asks for, in one French line (also listed in the digest)."""
    tickets = f"{eur(d.tickets_total_eur)} de billets de train"
    if kind == "missing":
        return "manque\u00a0: " + ", ".join(kind_long(m) for m in d.missing)
    if kind == "tickets_now":
        return f"{tickets}, sans attendre le reste du dossier"
    if d.funded_elsewhere:
        return f"{tickets} (action financée par ailleurs)"
    if d.tickets_total_eur > 0:
        return f"{eur(d.fee_eur)} HT + {tickets} = {eur(d.fee_eur + d.tickets_total_eur)}"
    return f"{eur(d.fee_eur)} HT"


def days_between(earlier: datetime, later: datetime, tz: tzinfo) -> int:
    """Calendar days from one instant to another, in local time (a daily job at
    09:00 is 7 days after the last one even across a change of clock)."""
    return (later.astimezone(tz).date() - earlier.astimezone(tz).date()).days


def decide(d: Dossier, history: History, policy: ReminderSettings,
           now: datetime, tz: tzinfo = UTC) -> Decision | None:
    """The reminder this dossier calls for now, if any (ignoring the address's state)."""
    if d.invoice_received:
        return None
    email = d.member_email.lower()
    past = history.get((email, "invoice"), [])
    if d.complete:
        if fee_due(d) + d.tickets_total_eur <= 0 or len(past) >= policy.max_count:
            return None
        since = max(past) if past else (d.completed_at or d.last_proof_at or now)
        wait = policy.every_days if past else policy.after_days
        due = days_between(since, now, tz) >= wait
        return Decision(d, "invoice", len(past) + 1) if due else None
    if d.short_of_cash and d.tickets_total_eur > 0 and not history.get((email, "tickets_now")):
        return Decision(d, "tickets_now", 1)
    last = d.last_proof_at or d.first_proof_at
    if (d.missing and last is not None and not history.get((email, "missing"))
            and days_between(last, now, tz) >= policy.after_days):
        return Decision(d, "missing", 1)
    return None


def plan(dossiers: Sequence[Dossier], history: History, blocked: Mapping[str, str],
         policy: ReminderSettings, now: datetime, tz: tzinfo = UTC) -> list[Decision]:
    """Every reminder due now; those to a blocked address carry the reason."""
    decisions = []
    for d in dossiers:
        decision = decide(d, history, policy, now, tz)
        if decision is not None:
            why = blocked.get(decision.email, "")
            decisions.append(replace(decision, why=why) if why else decision)
    return decisions


def load_history(session: Session) -> dict[tuple[str, str], list[datetime]]:
    history: dict[tuple[str, str], list[datetime]] = {}
    stmt = sa_select(col(Reminder.member_email), col(Reminder.kind), col(Reminder.sent_at)
                     ).order_by(col(Reminder.sent_at))
    for email, kind, sent_at in session.execute(stmt).all():
        history.setdefault((email, kind), []).append(sent_at)
    return history


def blocked_addresses(session: Session, emails: Sequence[str], now: datetime) -> dict[str, str]:
    """Address -> why no reminder may go there (bounces, left, recent auto-reply)."""
    wanted = [e.lower() for e in emails]
    blocked: dict[str, str] = {}
    if not wanted:
        return blocked
    roster = sa_select(col(Member.email), col(Member.bounce_score), col(Member.status)
                       ).where(col(Member.email).in_(wanted))
    for address, bounce_score, status in session.execute(roster).all():
        if bounce_score > 0:
            blocked[address] = "adresse en échec (messages revenus en erreur)"
        elif status == "left":
            blocked[address] = "a quitté la liste"
    since = now - timedelta(days=AUTOREPLY_DAYS)
    m = ProcessedMessage
    stmt = sa_select(col(m.member_email), col(m.from_email)).where(
        col(m.category) == "autoreply", col(m.processed_at) >= since,
        or_(col(m.member_email).in_(wanted), col(m.from_email).in_(wanted)))
    for member_email, from_email in session.execute(stmt).all():
        email = member_email if member_email in wanted else (from_email or "")
        blocked.setdefault(email, "réponse automatique reçue (absence\u00a0?)")
    return blocked


def due_now(session: Session, services: Services,
            dossiers: Sequence[Dossier]) -> list[Decision]:
    now = services.now()
    blocked = blocked_addresses(session, [d.member_email for d in dossiers], now)
    settings = services.settings
    return plan(dossiers, load_history(session), blocked, settings.reminders, now, settings.bot.tz)


def run(session: Session, services: Services) -> str:
    """The daily job: queue every reminder due now, in the caller's transaction."""
    dossiers = compute_dossiers(session, services.settings)
    sent = held = 0
    for decision in due_now(session, services, dossiers):
        if decision.send:
            queue_reminder(session, services, decision)
            sent += 1
        else:
            held += 1
    return f"{sent} relance(s) envoyée(s), {held} suspendue(s)"


def queue_reminder(session: Session, services: Services, decision: Decision) -> Reminder:
    d, kind, now = decision.dossier, decision.kind, services.now()
    settings = services.settings
    context: dict[str, Any] = {
        "variant": "tickets_only" if kind == "invoice" and d.funded_elsewhere else kind,
        "n": decision.n, "max_count": settings.reminders.max_count,
        "fee_eur": fee_due(d), "tickets_eur": d.tickets_total_eur,
        "total_eur": fee_due(d) + d.tickets_total_eur,
        "tickets": [ticket_line(t) for t in d.tickets],
        "missing": [kind_long(m) for m in d.missing],
        "received": proofs_summary(d.proofs_by_kind), "completed_at": d.completed_at,
    }
    key = f"reminder:{decision.email}:{kind}:{decision.n}"
    row = Mailer(session, services, cause=key).queue(
        TEMPLATES[kind], d.member_email, key=key, to_name=d.name, **context)
    reminder = Reminder(member_email=decision.email, kind=kind, n=decision.n, sent_at=now,
                        status=row.status if row is not None else "queued", outbox_key=key,
                        summary=to_invoice(d, kind))
    session.add(reminder)
    session.flush()
    return reminder
