"""The mid-AMI address refresh: one campaign, one entry per subscriber.

Entry states:

    pending --"OK"--------------------> kept
    pending --new address-------------> changing --confirmed from it--> changed
    changing --refused / bounced------> pending (an expired confirmation stays changing)
    pending --bounce------------------> bounced
    pending/changing --deadline-------> silent (pending only; changing stays)
    any --unsubscribed meanwhile------> left (no longer a subscriber)

A late answer (after the deadline, before `refresh apply`) still counts.
Reminders go to pending entries at `reminder_days` after the start (one mail
per step even if the job was down for several); at the deadline the COTECH
gets one report. Removing the silent ones from Sympa happens only on
`mailbot refresh apply`, never by itself.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from mailbot import members
from mailbot.errors import MailbotError
from mailbot.models import Member
from mailbot.models.subscriptions import RefreshCampaign, RefreshEntry
from mailbot.subscriptions import audit, confirm, sympa, tokens
from mailbot.subscriptions.commands import RefreshAnswer
from mailbot.mail.mailer import Mailer

STATES = ("pending", "kept", "changing", "changed", "bounced", "silent")


class RefreshError(MailbotError):
    """A campaign command that cannot be done now (already open, still open...)."""


def latest(session: Session) -> RefreshCampaign | None:
    stmt = select(RefreshCampaign).order_by(col(RefreshCampaign.started_at).desc(),
                                            col(RefreshCampaign.id).desc())
    return session.exec(stmt).first()


def open_campaign(session: Session) -> RefreshCampaign | None:
    campaign = latest(session)
    return campaign if campaign is not None and campaign.closed_at is None else None


def entries(session: Session, campaign: RefreshCampaign) -> list[RefreshEntry]:
    stmt = (select(RefreshEntry).where(RefreshEntry.campaign_id == campaign.id)
            .order_by(col(RefreshEntry.address)))
    return list(session.exec(stmt).all())


def start(m: Mailer, started_by: str) -> RefreshCampaign:
    """Open a campaign and send every active subscriber a personal request."""
    s, now = m.session, m.services.now()
    if open_campaign(s) is not None:
        raise RefreshError("une campagne de mise à jour est déjà en cours")
    cfg = m.services.settings.refresh
    campaign = RefreshCampaign(started_at=now, started_by=started_by,
                               reminder_days=",".join(str(d) for d in cfg.reminder_days),
                               deadline_at=now + timedelta(days=cfg.deadline_days))
    s.add(campaign)
    s.flush()
    for member in s.exec(select(Member).where(Member.status == "active")
                         .order_by(col(Member.email))).all():
        if member.email == m.services.settings.bot.address:
            continue
        entry = RefreshEntry(campaign_id=campaign.id or 0, member_id=member.id,
                             address=member.email, name=member.name,
                             reference=tokens.new_reference(s), updated_at=now)
        s.add(entry)
        s.flush()
        _mail(m, campaign, entry, "refresh_request", "request")
    return campaign


def _mail(m: Mailer, campaign: RefreshCampaign, entry: RefreshEntry, kind: str, tag: str) -> bool:
    return m.send(kind, entry.address, key=f"refresh:{campaign.id}:{entry.id}:{tag}",
                  to_name=entry.name, thread=f"refresh.{entry.reference}",
                  reference=entry.reference, address=entry.address,
                  deadline=campaign.deadline_at)


def due_to_start(session: Session, start_on: date | None, today: date, deadline_days: int) -> bool:
    """The configured start date has come and no campaign counts as that one yet."""
    if start_on is None or today < start_on:
        return False
    campaign = latest(session)
    if campaign is None:
        return True
    window = start_on - timedelta(days=deadline_days)
    return campaign.started_at.date() < window


def step(m: Mailer) -> str:
    """Start on the configured date, send due reminders, close at the deadline."""
    s, svc = m.session, m.services
    now = svc.now()
    today = now.astimezone(svc.settings.bot.tz).date()
    done: list[str] = []
    if due_to_start(s, svc.settings.refresh.start, today, svc.settings.refresh.deadline_days):
        opened = start(m, "schedule")
        done.append(f"campagne ouverte ({len(entries(s, opened))} abonnés)")
    campaign = latest(s)
    if campaign is None:
        return "; ".join(done) or "aucune campagne"
    if campaign.closed_at is None:
        sent = send_reminders(m, campaign)
        if sent:
            done.append(f"{sent} relance(s)")
        if now >= campaign.deadline_at:
            close(m, campaign)
            done.append("campagne close")
    if campaign.closed_at is not None and campaign.report_sent_at is None:
        send_report(m, campaign)
        done.append("bilan envoyé au COTECH")
    return "; ".join(done) or "rien à faire"


def send_reminders(m: Mailer, campaign: RefreshCampaign) -> int:
    now = m.services.now()
    days = [int(d) for d in campaign.reminder_days.split(",") if d.strip()]
    due = sum(1 for d in days if now >= campaign.started_at + timedelta(days=d))
    sent = 0
    for entry in entries(m.session, campaign):
        if entry.state != "pending" or entry.reminders_sent >= due:
            continue
        sent += _mail(m, campaign, entry, "refresh_reminder", f"reminder{due}")
        entry.reminders_sent, entry.updated_at = due, now
        m.session.add(entry)
    return sent


def close(m: Mailer, campaign: RefreshCampaign) -> None:
    now = m.services.now()
    for entry in entries(m.session, campaign):
        if entry.state == "pending":
            entry.state, entry.updated_at = "silent", now
            m.session.add(entry)
    campaign.closed_at = now
    m.session.add(campaign)


def send_report(m: Mailer, campaign: RefreshCampaign) -> None:
    rows = entries(m.session, campaign)
    groups: dict[str, list[RefreshEntry]] = {state: [] for state in (*STATES, "left")}
    for entry in rows:
        groups.setdefault(entry.state, []).append(entry)
    m.to_cotech("refresh_report", key=f"refresh:{campaign.id}:report", groups=groups,
                counts={k: len(v) for k, v in groups.items()}, total=len(rows),
                started_at=campaign.started_at, deadline=campaign.deadline_at)
    campaign.report_sent_at = m.services.now()
    m.session.add(campaign)


def find_entry(session: Session, references: list[str], sender: str | None
               ) -> RefreshEntry | None:
    """By reference (subject, text, quote, thread), else the sender's entry in the open campaign."""
    for reference in references:
        entry = session.exec(select(RefreshEntry).where(RefreshEntry.reference == reference)).first()
        if entry is not None:
            return entry
    campaign = open_campaign(session)
    member = members.find(session, sender)
    if campaign is None or member is None:
        return None
    return session.exec(select(RefreshEntry).where(RefreshEntry.campaign_id == campaign.id,
                                                   RefreshEntry.member_id == member.id)).first()


def answer(m: Mailer, entry: RefreshEntry, reply: RefreshAnswer, sender: str) -> str:
    """Apply one answer; the outcome code for the reply to the sender."""
    s, now = m.session, m.services.now()
    member = s.get(Member, entry.member_id) if entry.member_id else None
    if entry.removed_at is not None or member is None:
        return "removed"
    if entry.state == "left" or member.status == "left":
        return "left"
    own = {member.email, *members.aliases(s, member)}
    if reply.kind == "change" and reply.new_address and reply.new_address not in own:
        return _change(m, entry, member, reply.new_address, sender)
    if reply.kind == "stop":
        if sender in own:
            request = confirm.ask(m, "unsubscribe", member.email, member=member,
                                  name=member.name, asked_by=sender, source="refresh",
                                  refresh_entry_id=entry.id, notify=False)
            result = confirm.confirm(m, request, sender)
            return "stopped" if result.outcome == "confirmed" else "unclear"
        confirm.ask(m, "unsubscribe", member.email, member=member, name=member.name,
                    asked_by=sender, source="refresh", refresh_entry_id=entry.id)
        return "stop_sent"
    if reply.kind == "unclear":
        return "unclear"
    if entry.state == "changed":
        return "already_changed"
    if entry.state == "changing":
        for request in confirm.pending_for(s, entry.new_address or ""):
            request.state, request.decided_at = "superseded", now
            s.add(request)
    entry.state, entry.answered_at, entry.answered_by = "kept", now, sender
    entry.new_address, entry.updated_at = None, now
    member.bounce_score, member.last_bounce_on = 0.0, None
    s.add_all([entry, member])
    audit.record(s, now, "keep_address", entry.address, "confirmed", asked_by=sender,
                 confirmed_by=sender, reference=entry.reference, message_id=m.cause)
    return "kept"


def _change(m: Mailer, entry: RefreshEntry, member: Member, new: str, sender: str) -> str:
    s, now = m.session, m.services.now()
    owner = members.find(s, new)
    if owner is not None and owner.id != member.id:
        return "taken"
    entry.state, entry.answered_at, entry.answered_by = "changing", now, sender
    entry.new_address, entry.updated_at = new, now
    s.add(entry)
    s.flush()
    confirm.ask(m, "change_address", new, member=member, name=member.name, asked_by=sender,
                old_address=member.email, source="refresh", refresh_entry_id=entry.id)
    return "change_sent"


def mark_bounced(session: Session, entry: RefreshEntry, now: datetime) -> bool:
    if entry.state != "pending" or entry.removed_at is not None:
        return False
    entry.state, entry.updated_at = "bounced", now
    session.add(entry)
    return True


def apply(m: Mailer, dry_run: bool = False) -> list[str]:
    """Remove the silent subscribers of the closed campaign (Sympa DEL); their addresses."""
    s, now = m.session, m.services.now()
    campaign = latest(s)
    if campaign is None:
        raise RefreshError("aucune campagne de mise à jour")
    if campaign.closed_at is None:
        raise RefreshError(f"la campagne est encore ouverte (échéance {campaign.deadline_at:%Y-%m-%d})")
    removed: list[str] = []
    for entry in entries(s, campaign):
        member = s.get(Member, entry.member_id) if entry.member_id else None
        if entry.state != "silent" or entry.removed_at is not None or member is None:
            continue
        removed.append(member.email)
        if dry_run:
            continue
        member.status, member.updated_at = "left", now
        entry.removed_at, entry.updated_at = now, now
        s.add_all([member, entry])
        sympa.send_owner_command(s, m, now, "DEL", member.email, member.name,
                                 f"refresh{campaign.id}")
        audit.record(s, now, "remove", member.email, "confirmed", asked_by="mailbot refresh apply",
                     reference=entry.reference, detail="sans réponse à la mise à jour des adresses")
    if not dry_run:
        campaign.applied_at = now
        s.add(campaign)
    return removed


def status_rows(session: Session, campaign: RefreshCampaign) -> list[dict[str, Any]]:
    """`refresh status`: one row per subscriber (people who left are no longer listed)."""
    return [{"address": e.address, "state": e.state, "reference": e.reference,
             "answered_at": e.answered_at.isoformat() if e.answered_at else None,
             "new_address": e.new_address}
            for e in entries(session, campaign) if e.state in STATES]


def counts(session: Session, campaign: RefreshCampaign) -> dict[str, int]:
    counter = Counter(e.state for e in entries(session, campaign))
    return {state: counter.get(state, 0) for state in (*STATES, "left")}
