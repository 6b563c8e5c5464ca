"""Bounce scoring: a failed delivery adds one to the member's score, at most once
a day; a delayed notice does not count; a bounce caused by the SENDER's DMARC
policy (the receiving server refused mail it could not authenticate) does not
count against the member. Past `[bounces] threshold` the member is flagged
in the digest; nobody is ever removed automatically. A confirmed answer from
the member (refresh "OK", a confirmation) resets the score.

A bounce also marks the member's refresh entry "bounced", and closes a
pending confirmation sent to that address (the asker is told).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from mailbot import members
from mailbot.mime.incoming import Incoming
from mailbot.models import Member
from mailbot.models.subscriptions import BounceEvent, RefreshEntry
from mailbot.subscriptions import audit, confirm, refresh, tokens
from mailbot.mail.mailer import Mailer

DMARC_CAUSE = re.compile(
    r"(\bdmarc\b|5\.7\.26|5\.7\.509|policy reasons|unauthenticated (e-?mail|sender)|"
    r"does not pass dmarc|not pass dmarc verification)", re.I)
DIAGNOSTIC = re.compile(r"(?im)^diagnostic-code:.*(?:\n[ \t].*)*")


@dataclass(frozen=True)
class BounceOutcome:
    """What one bounce did."""

    address: str
    member: str | None
    counted: bool
    flagged: bool
    reason: str


def dmarc_caused(msg: Incoming) -> bool:
    """The failure text or the DSN's Diagnostic-Code blames DMARC (not any header)."""
    raw = msg.raw.decode("latin-1", "replace") if msg.raw else ""
    diagnostics = "\n".join(DIAGNOSTIC.findall(raw))
    return bool(DMARC_CAUSE.search(msg.text) or DMARC_CAUSE.search(diagnostics))


def record(m: Mailer, msg: Incoming, details: dict[str, str]) -> BounceOutcome:
    """Record one bounce (guard details: action, address) and score it."""
    s, svc = m.session, m.services
    now = svc.now()
    address = (details.get("address") or "").lower()
    action = details.get("action") or "failed"
    dmarc = dmarc_caused(msg)
    entry = _refresh_entry(s, msg)
    member = members.find(s, address) if address else None
    if member is None and entry is not None and entry.member_id is not None:
        member = s.get(Member, entry.member_id)
    event = BounceEvent(at=now, address=address or (member.email if member else ""),
                        member_id=member.id if member else None, action=action, dmarc=dmarc,
                        message_id=msg.message_id)
    counted = flagged = False
    if action != "failed":
        event.reason = "avis de retard : ne compte pas"
    elif dmarc:
        event.reason = "refus dû à la politique DMARC de l'expéditeur : ne compte pas"
    elif member is None:
        event.reason = "adresse inconnue du registre"
    elif member.status == "pending":
        event.reason = "inscription pas encore confirmée : ne compte pas"
    else:
        counted, flagged = _score(s, member, event, m)
    s.add(event)
    s.flush()
    if action == "failed" and not dmarc:
        if entry is not None:
            refresh.mark_bounced(s, entry, now)
        if address:
            confirm.mark_bounced(m, address)
    return BounceOutcome(event.address, member.email if member else None, counted, flagged,
                         event.reason)


def _score(s: Session, member: Member, event: BounceEvent, m: Mailer) -> tuple[bool, bool]:
    svc = m.services
    now = svc.now()
    today = now.astimezone(svc.settings.bot.tz).date().isoformat()
    threshold = svc.settings.bounces.threshold
    was_flagged = member.bounce_score >= threshold
    if member.last_bounce_on == today:
        event.reason = "déjà compté aujourd'hui"
        return False, was_flagged
    member.bounce_score += 1.0
    member.last_bounce_on = today
    member.updated_at = now
    s.add(member)
    event.counted = True
    flagged = member.bounce_score >= threshold
    event.reason = f"score {member.bounce_score:g}/{threshold:g}" + (" : signalé" if flagged else "")
    if flagged and not was_flagged:
        audit.record(s, now, "bounce_flag", member.email, "flagged", message_id=m.cause,
                     detail=f"score {member.bounce_score:g} (seuil {threshold:g})")
    return True, flagged


def _refresh_entry(session: Session, msg: Incoming) -> RefreshEntry | None:
    """The refresh entry whose mail came back (its reference is in the returned copy)."""
    refs = tokens.in_text(msg.quoted, msg.text, *(f.text for f in msg.forwards),
                          *(a.data.decode("utf-8", "replace") for a in msg.attachments
                            if a.content_type.startswith(("message/", "text/"))))
    if not refs and msg.raw:
        refs = tokens.in_text(msg.raw.decode("utf-8", "replace"))
    if not refs:
        return None
    return session.exec(select(RefreshEntry).where(col(RefreshEntry.reference).in_(refs))).first()


def flagged_members(session: Session, threshold: float) -> list[Member]:
    return list(session.exec(select(Member).where(col(Member.bounce_score) >= threshold)
                             .order_by(col(Member.email))).all())
