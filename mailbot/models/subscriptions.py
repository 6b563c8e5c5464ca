"""Tables of the subscriptions domain: confirmation requests, the audit trail,
commands sent to Sympa and its REVIEW replies, the address-refresh campaign,
bounces.

Times are aware UTC datetimes taken from `services.now()` (never the wall
clock directly), so tests can freeze time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from mailbot.models.core import utcnow


class SubscriptionRequest(SQLModel, table=True):
    """A change waiting for the affected address to confirm it (single use, expiring).

    `address` is the address the confirmation was sent to and the only one
    that may confirm: the subscriber for subscribe, the member's address for
    unsubscribe, the NEW address for change_address.
    """

    __tablename__ = "subscription_request"
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(index=True, unique=True)  # XXXX-XXXX
    action: str  # subscribe | unsubscribe | change_address
    address: str = Field(index=True)
    old_address: str | None = None  # change_address: the member's address when asked
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    name: str = ""
    asked_by: str = ""
    asked_message_id: str | None = None
    source: str = "command"  # command | refresh
    refresh_entry_id: int | None = None
    previous_status: str | None = None  # the member's status before a subscribe request
    state: str = Field(default="pending", index=True)
    # pending | confirmed | cancelled | expired | bounced | superseded
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None
    confirmed_by: str | None = None
    confirm_message_id: str | None = None


class SubscriptionAudit(SQLModel, table=True):
    """One line of the audit trail: what changed (or was asked), who asked, who confirmed."""

    __tablename__ = "subscription_audit"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    action: str  # subscribe | unsubscribe | change_address | keep_address | remove | forget ...
    address: str = Field(default="", index=True)
    new_address: str | None = Field(default=None, index=True)
    asked_by: str | None = None
    confirmed_by: str | None = None
    state: str = ""  # requested | confirmed | refused | cancelled | expired | bounced | ...
    reference: str | None = None
    message_id: str | None = Field(default=None, index=True)  # the mail that caused it
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class SympaCommand(SQLModel, table=True):
    """A command we sent to the Sympa robot (or asked the COTECH to do by hand)."""

    __tablename__ = "sympa_command"
    id: int | None = Field(default=None, primary_key=True)
    command: str  # the command line, e.g. "QUIET ADD qpv-hpf x@y Name"
    action: str = Field(index=True)  # ADD | DEL | REVIEW
    address: str | None = Field(default=None, index=True)
    outbox_key: str = Field(unique=True)
    state: str = Field(default="sent", index=True)
    # sent | auth_answered | done | failed | manual
    auth_key: str | None = None
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class SympaReview(SQLModel, table=True):
    """One REVIEW reply from Sympa and its reconciliation with our roster."""

    __tablename__ = "sympa_review"
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(unique=True)
    received_at: datetime = Field(default_factory=utcnow, index=True)
    sympa_count: int = 0
    ours_count: int = 0
    differences: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))


class RefreshCampaign(SQLModel, table=True):
    """The mid-AMI address refresh: one row per campaign."""

    __tablename__ = "refresh_campaign"
    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow, index=True)
    started_by: str = "schedule"  # schedule | cli
    reminder_days: str = "7,14"
    deadline_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    report_sent_at: datetime | None = None
    applied_at: datetime | None = None


class RefreshEntry(SQLModel, table=True):
    """One subscriber in a campaign: pending, kept, changing, changed, bounced, silent
    (and left, when the person unsubscribed meanwhile)."""

    __tablename__ = "refresh_entry"
    __table_args__ = (UniqueConstraint("campaign_id", "member_id", name="uq_refresh_entry_member"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="refresh_campaign.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    address: str = Field(index=True)
    name: str = ""
    reference: str = Field(index=True, unique=True)
    state: str = Field(default="pending", index=True)
    answered_at: datetime | None = None
    answered_by: str | None = None
    new_address: str | None = None
    reminders_sent: int = 0
    removed_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class BounceEvent(SQLModel, table=True):
    """One delivery failure report, and whether it counted against the member."""

    __tablename__ = "bounce_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    address: str = Field(index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    action: str = "failed"  # failed | delayed
    dmarc: bool = False
    counted: bool = False
    reason: str = ""
    message_id: str | None = Field(default=None, index=True)
