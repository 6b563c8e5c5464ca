"""Confirmation requests: ask the affected address, confirm from it, apply.

Rules that make this safe:
- the confirmation goes to the affected address (the subscriber; the member's
  own address for unsubscribe; the NEW address for a change), never only to
  the sender;
- only that address may confirm (for unsubscribe: the member's address or one
  of its aliases); the reference is single use and expires
  (`[subscriptions] token_days`); a replayed or expired reference changes
  nothing and gets a clear answer;
- a change of address updates `Member.email` in place (group, dossier and
  history stay with the person) and keeps the old address as an alias;
- once applied, Sympa is told (QUIET ADD / QUIET DEL), or the COTECH when
  sync is off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from mailbot import members
from mailbot.models import Member, MemberAlias
from mailbot.models.subscriptions import BounceEvent, RefreshEntry, SubscriptionRequest
from mailbot.subscriptions import audit, sympa, tokens
from mailbot.subscriptions.forget import rename_member_email, referenced_elsewhere
from mailbot.mail.mailer import Mailer

KINDS = {"subscribe": "confirm_subscribe", "unsubscribe": "confirm_unsubscribe",
         "change_address": "confirm_change_address"}


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation attempt did: outcome code and the request, if found."""

    outcome: str  # confirmed | used | expired | cancelled | refused | wrong_confirmer | unknown | taken
    request: SubscriptionRequest | None = None


def ask(m: Mailer, action: str, address: str, *, member: Member | None, name: str,
        asked_by: str, old_address: str | None = None, source: str = "command",
        refresh_entry_id: int | None = None, previous_status: str | None = None,
        notify: bool = True) -> SubscriptionRequest:
    """Create (or reuse the pending) request and send its confirmation to `address`
    (`notify=False`: the caller already holds the proof and confirms at once)."""
    s, now = m.session, m.services.now()
    stmt = select(SubscriptionRequest).where(
        SubscriptionRequest.action == action, SubscriptionRequest.address == address,
        SubscriptionRequest.state == "pending", col(SubscriptionRequest.expires_at) > now)
    request = s.exec(stmt.order_by(col(SubscriptionRequest.id).desc())).first()
    if request is None or request.old_address != old_address:
        days = m.services.settings.subscriptions.token_days
        request = SubscriptionRequest(
            reference=tokens.new_reference(s), action=action, address=address,
            old_address=old_address, member_id=member.id if member else None, name=name,
            asked_by=asked_by, asked_message_id=m.cause, source=source,
            refresh_entry_id=refresh_entry_id, created_at=now, expires_at=now + timedelta(days=days),
            previous_status=previous_status)
        s.add(request)
        s.flush()
        audit.record(s, now, action, old_address or address, "requested",
                     new_address=address if action == "change_address" else None,
                     asked_by=asked_by, reference=request.reference, message_id=m.cause)
    if not notify:
        return request
    m.send(KINDS[action], address, key=f"confirm:{request.reference}:{m.cause}", to_name=name,
           in_reply_to=m.cause if address == asked_by else None, thread=f"confirm.{request.reference}", reference=request.reference, action=action,
           address=address, old_address=old_address or "", expires_at=request.expires_at,
           asked_by=asked_by)
    return request


def find(session: Session, references: list[str]) -> SubscriptionRequest | None:
    for reference in references:
        request = session.exec(select(SubscriptionRequest)
                               .where(SubscriptionRequest.reference == reference)).first()
        if request is not None:
            return request
    return None


def confirm(m: Mailer, request: SubscriptionRequest, confirmer: str,
            refused: bool = False) -> Confirmation:
    """Confirm (or, when `refused`, cancel) a request from `confirmer`."""
    s, now = m.session, m.services.now()
    if request.state == "confirmed":
        return Confirmation("used", request)
    if request.state == "pending" and request.expires_at <= now:
        _close(m, request, "expired")
    if request.state != "pending":
        return Confirmation("cancelled" if request.state == "cancelled" else "expired", request)
    if confirmer not in _allowed(s, request):
        audit.record(s, now, request.action, request.address, "refused", asked_by=confirmer,
                     reference=request.reference, message_id=m.cause,
                     detail="confirmation venue d'une autre adresse")
        return Confirmation("wrong_confirmer", request)
    if refused:
        _close(m, request, "cancelled", confirmer)
        return Confirmation("refused", request)
    if request.action == "change_address":
        owner = members.find(s, request.address)
        if owner is not None and owner.id != request.member_id:
            _close(m, request, "cancelled", confirmer)
            return Confirmation("taken", request)
    request.state, request.decided_at, request.confirmed_by = "confirmed", now, confirmer
    request.confirm_message_id = m.cause
    s.add(request)
    APPLY[request.action](m, request)
    audit.record(s, now, request.action, request.old_address or request.address, "confirmed",
                 new_address=request.address if request.action == "change_address" else None,
                 asked_by=request.asked_by, confirmed_by=confirmer, reference=request.reference,
                 message_id=m.cause)
    return Confirmation("confirmed", request)


def _allowed(session: Session, request: SubscriptionRequest) -> set[str]:
    allowed = {request.address}
    if request.action == "unsubscribe" and request.member_id is not None:
        member = session.get(Member, request.member_id)
        if member is not None:
            allowed |= {member.email, *members.aliases(session, member)}
    return allowed


def _close(m: Mailer, request: SubscriptionRequest, state: str, by: str | None = None) -> None:
    s, now = m.session, m.services.now()
    request.state, request.decided_at = state, now
    s.add(request)
    member = s.get(Member, request.member_id) if request.member_id else None
    if request.action == "subscribe" and member is not None and member.status == "pending":
        if request.previous_status:
            member.status = request.previous_status
            s.add(member)
        else:
            _drop_unconfirmed(s, member)
    if request.refresh_entry_id is not None and state in ("cancelled", "bounced"):
        entry = s.get(RefreshEntry, request.refresh_entry_id)  # the new address was wrong:
        if entry is not None and entry.state == "changing":  # ask again (reminders)
            entry.state, entry.new_address, entry.updated_at = "pending", None, now
            s.add(entry)
    audit.record(s, now, request.action, request.old_address or request.address, state,
                 new_address=request.address if request.action == "change_address" else None,
                 asked_by=request.asked_by, confirmed_by=by, reference=request.reference,
                 message_id=m.cause)


def _drop_unconfirmed(session: Session, member: Member) -> None:
    """A person who asked to join and never confirmed leaves no roster row."""
    if referenced_elsewhere(session, member):
        member.status = "left"
        session.add(member)
        return
    for request in session.exec(select(SubscriptionRequest)
                                .where(SubscriptionRequest.member_id == member.id)).all():
        request.member_id = None
        session.add(request)
    for event in session.exec(select(BounceEvent).where(BounceEvent.member_id == member.id)).all():
        event.member_id = None
        session.add(event)
    session.flush()
    session.delete(member)


def _apply_subscribe(m: Mailer, request: SubscriptionRequest) -> None:
    s, now = m.session, m.services.now()
    member = s.get(Member, request.member_id) if request.member_id else None
    member = member or members.find(s, request.address)
    if member is None:
        member = Member(email=request.address, name=request.name, created_at=now)
    member.status, member.updated_at = "active", now
    member.bounce_score, member.last_bounce_on = 0.0, None
    s.add(member)
    s.flush()
    request.member_id = member.id
    sympa.send_owner_command(s, m, now, "ADD", member.email, member.name, request.reference)


def _apply_unsubscribe(m: Mailer, request: SubscriptionRequest) -> None:
    s, now = m.session, m.services.now()
    member = s.get(Member, request.member_id) if request.member_id else None
    if member is None:
        return
    member.status, member.updated_at = "left", now
    s.add(member)
    sympa.send_owner_command(s, m, now, "DEL", member.email, member.name, request.reference)
    for entry in s.exec(select(RefreshEntry).where(
            RefreshEntry.member_id == member.id,
            col(RefreshEntry.removed_at).is_(None))).all():
        entry.state, entry.updated_at = "left", now
        s.add(entry)


def _apply_change(m: Mailer, request: SubscriptionRequest) -> None:
    s, now = m.session, m.services.now()
    member = s.get(Member, request.member_id) if request.member_id else None
    if member is None:
        return
    old, new = member.email, request.address
    for alias in s.exec(select(MemberAlias).where(MemberAlias.email == new)).all():
        s.delete(alias)
    s.flush()
    member.email, member.updated_at = new, now
    member.bounce_score, member.last_bounce_on = 0.0, None
    s.add(member)
    s.flush()
    if member.id is not None and old != new:
        s.add(MemberAlias(member_id=member.id, email=old, created_at=now))
        rename_member_email(s, old, new)
    if member.status == "active":
        sympa.send_owner_command(s, m, now, "ADD", new, member.name, request.reference)
        sympa.send_owner_command(s, m, now, "DEL", old, member.name, request.reference)
    for entry in s.exec(select(RefreshEntry).where(  # asked in the campaign or not
            RefreshEntry.member_id == member.id, col(RefreshEntry.removed_at).is_(None),
            col(RefreshEntry.state).in_(["pending", "changing", "silent", "bounced", "kept"]))):
        entry.state, entry.new_address, entry.updated_at = "changed", new, now
        s.add(entry)


APPLY = {"subscribe": _apply_subscribe, "unsubscribe": _apply_unsubscribe,
         "change_address": _apply_change}


def expire_due(m: Mailer) -> int:
    """Close every pending request past its expiry; how many were closed."""
    now = m.services.now()
    rows = m.session.exec(select(SubscriptionRequest).where(
        SubscriptionRequest.state == "pending", col(SubscriptionRequest.expires_at) <= now)).all()
    for request in rows:
        _close(m, request, "expired")
    return len(rows)


def pending_for(session: Session, address: str) -> list[SubscriptionRequest]:
    return list(session.exec(select(SubscriptionRequest).where(
        SubscriptionRequest.address == address, SubscriptionRequest.state == "pending")).all())


def mark_bounced(m: Mailer, address: str) -> list[SubscriptionRequest]:
    """Pending confirmations whose address bounced: closed, the asker told."""
    closed = pending_for(m.session, address)
    for request in closed:
        _close(m, request, "bounced")
        if request.asked_by and request.asked_by != address:
            m.send("confirm_result", request.asked_by, key=f"bounced:{request.reference}",
                   outcome="bounced", reference=request.reference, action=request.action,
                   address=address)
    return closed

