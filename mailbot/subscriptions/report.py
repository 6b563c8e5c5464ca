"""The subscriptions part of the weekly digest: changes, bounces, the refresh
campaign, Sympa differences over a period. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from mailbot.settings import BounceSettings
from mailbot.models import Member
from mailbot.models.subscriptions import BounceEvent
from mailbot.subscriptions import audit, refresh, sympa_review


@dataclass(frozen=True)
class SubscriptionReport:
    changes: list[dict[str, str | None]]   # {at, action, address, new_address, asked_by, confirmed_by, state}
    bounces: list[dict[str, object]]       # {address, score, flagged, last_bounce_on}
    refresh: dict[str, int] | None         # counts by state, None when no campaign
    sympa_differences: list[str]           # from the last REVIEW reconciliation


def period_report(session: Session, since: datetime, until: datetime,
                  threshold: float = BounceSettings.threshold) -> SubscriptionReport:
    """What happened between `since` (included) and `until` (excluded)."""
    changes = [{key: value for key, value in audit.as_dict(row).items()
                if key in ("at", "action", "address", "new_address", "asked_by",
                           "confirmed_by", "state")}
               for row in audit.between(session, since, until)]
    bounced_ids = set(session.exec(select(BounceEvent.member_id).where(
        col(BounceEvent.at) >= since, col(BounceEvent.at) < until,
        col(BounceEvent.member_id).is_not(None))).all())
    stmt = select(Member).where(or_(col(Member.id).in_(bounced_ids),
                                    col(Member.bounce_score) >= threshold))
    bounces: list[dict[str, object]] = [
        {"address": m.email, "score": m.bounce_score, "flagged": m.bounce_score >= threshold,
         "last_bounce_on": m.last_bounce_on}
        for m in session.exec(stmt.order_by(col(Member.email))).all()]
    campaign = refresh.latest(session)
    counts = refresh.counts(session, campaign) if campaign is not None else None
    return SubscriptionReport(changes=changes, bounces=bounces, refresh=counts,
                              sympa_differences=sympa_review.last_differences(session, until) or [])
