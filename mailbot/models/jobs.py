"""Tables of the jobs domain: what each scheduled job did, digests sent, reminders sent.

`JobRun` is the scheduler's memory (no pickled APScheduler job store): one row
per job and scheduled occurrence (`period_key`, the ISO fire time), unique, so
two processes or a restart can never run the same occurrence twice.
`DigestSent` holds the period each digest covered: the next one starts where
the last one ended. `Reminder` records every reminder (sent or not) so the
policy counts them and the digest lists them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from mailbot.models.core import utcnow


class JobRun(SQLModel, table=True):
    """One occurrence of a scheduled job: claimed, then finished with a result."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job_id", "period_key", name="uq_job_run_period"),)
    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(index=True)  # digest | reminders | refresh_step | sympa_review
    period_key: str  # the scheduled fire time it stands for, ISO 8601 UTC
    status: str = "running"  # running | done | failed | baseline
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    result: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class DigestSent(SQLModel, table=True):
    """A COTECH digest queued for sending, and the period [start, end) it covered."""

    __tablename__ = "digest_sent"
    id: int | None = Field(default=None, primary_key=True)
    period_start: datetime
    period_end: datetime = Field(index=True, unique=True)
    sent_at: datetime = Field(default_factory=utcnow)
    recipients: str = ""  # comma-separated
    trigger: str = "schedule"  # schedule | manual


class Reminder(SQLModel, table=True):
    """One invoice reminder to an AMO: the n-th of its kind, what it asked for."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("member_email", "kind", "n", name="uq_reminder_n"),)
    id: int | None = Field(default=None, primary_key=True)
    member_email: str = Field(index=True)
    kind: str  # invoice | missing | tickets_now
    n: int = 1
    sent_at: datetime = Field(default_factory=utcnow, index=True)
    status: str = "queued"  # queued | suppressed (daily cap)
    outbox_key: str = ""
    summary: str = ""  # what was asked, in French: "600,00 € HT + 67,00 € de billets"
