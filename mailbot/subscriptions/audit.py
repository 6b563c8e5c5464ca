"""The audit trail: one append-only row per subscription event, with who asked,
who confirmed and when (`mailbot members history ADDRESS`).

Actions: subscribe, unsubscribe, change_address, keep_address (refresh),
remove (refresh apply), bounce_flag, sympa (a Sympa outcome), forget.
States: requested, confirmed, refused, cancelled, expired, bounced, held,
synced (Sympa did it), sympa_error, manual (the COTECH must do it by hand),
done.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from mailbot.models.subscriptions import SubscriptionAudit


def record(session: Session, at: datetime, action: str, address: str, state: str, *,
           new_address: str | None = None, asked_by: str | None = None,
           confirmed_by: str | None = None, reference: str | None = None,
           message_id: str | None = None, detail: str = "") -> SubscriptionAudit:
    """Append one row to the trail."""
    row = SubscriptionAudit(at=at, action=action, address=address, state=state,
                            new_address=new_address, asked_by=asked_by,
                            confirmed_by=confirmed_by, reference=reference,
                            message_id=message_id, detail=detail[:2000])
    session.add(row)
    return row


def as_dict(row: SubscriptionAudit) -> dict[str, str | None]:
    return {"at": row.at.isoformat(), "action": row.action, "address": row.address,
            "new_address": row.new_address, "asked_by": row.asked_by,
            "confirmed_by": row.confirmed_by, "state": row.state,
            "reference": row.reference, "detail": row.detail or None}


def history(session: Session, addresses: list[str]) -> list[dict[str, Any]]:
    """Every row about any of these addresses, oldest first."""
    wanted = [a.lower() for a in addresses if a]
    if not wanted:
        return []
    stmt = (select(SubscriptionAudit)
            .where(or_(col(SubscriptionAudit.address).in_(wanted),
                       col(SubscriptionAudit.new_address).in_(wanted),
                       col(SubscriptionAudit.asked_by).in_(wanted)))
            .order_by(col(SubscriptionAudit.at), col(SubscriptionAudit.id)))
    return [as_dict(r) for r in session.exec(stmt).all()]


def between(session: Session, since: datetime, until: datetime) -> list[SubscriptionAudit]:
    stmt = (select(SubscriptionAudit)
            .where(col(SubscriptionAudit.at) >= since, col(SubscriptionAudit.at) < until)
            .order_by(col(SubscriptionAudit.at), col(SubscriptionAudit.id)))
    return list(session.exec(stmt).all())
