"""Core tables: who is who (members), what was read (processed messages, list
posts) and what is to be sent (outbox).

Times are timezone-aware UTC datetimes (SQLModel's UTCDateTime refuses naive
ones); `utcnow()` is the one way to make them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, as the aware UTC datetime every table stores."""
    return datetime.now(UTC)


class Member(SQLModel, table=True):
    """A person on the roster: an AMO (GO), a GT member, a residents' group, the COTECH."""

    __tablename__ = "member"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True)  # the address subscribed to the list
    name: str = ""
    group: str = ""  # GO | GT | HABITANTS | COTECH | "" (not yet known)
    organisation: str = ""
    territory: str = ""
    status: str = "active"  # active | pending | left
    bounce_score: float = 0.0
    last_bounce_on: str | None = None  # ISO date: a member's score rises at most once a day
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class MemberAlias(SQLModel, table=True):
    """Another address of a member (pro and personal), accepted as the member's own."""

    __tablename__ = "member_alias"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    email: str = Field(index=True, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class ProcessedMessage(SQLModel, table=True):
    """One message read from a watched folder: the idempotence key and its outcome.

    `source_key` is (mailbox, UIDVALIDITY, UID) for IMAP, (folder, file key) for
    Maildir. (role, message_id) catches the same message seen under a new key.
    """

    __tablename__ = "processed_message"
    __table_args__ = (UniqueConstraint("source_key", name="uq_processed_source_key"),)
    id: int | None = Field(default=None, primary_key=True)
    source_key: str
    role: str = Field(index=True)  # mailbot.vocab.Role
    mailbox: str
    uidvalidity: int = 0
    uid: int = 0
    message_id: str = Field(index=True)
    category: str = ""  # mailbot.vocab.Category
    tag: str | None = None  # GO | GT | HABITANTS | None
    member_email: str | None = Field(default=None, index=True)
    from_email: str | None = None
    subject: str = ""
    status: str = "done"  # mailbot.vocab.Status
    reason: str = ""  # guard or rule hit, error text, why held
    hits: str = ""  # rule names that matched, comma-separated
    sent_at: datetime | None = None  # the message's Date, UTC
    processed_at: datetime = Field(default_factory=utcnow, index=True)
    effects_done: bool = False  # IMAP keyword/move applied after the commit


class Post(SQLModel, table=True):
    """A list post and its GO/GT tag: the thread index and the digest's source."""

    __tablename__ = "post"
    # the digest counts a period's threads by tag from this index alone (migration 0007)
    __table_args__ = (Index("ix_post_period", "posted_at", "tag", "thread_id"),)
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(index=True, unique=True)
    thread_id: str = Field(index=True)  # the first id in References, else own id
    subject: str = ""
    author_email: str | None = None
    author_name: str = ""
    tag: str | None = None
    tag_reason: str = ""  # subject | thread | roster | keyword
    posted_at: datetime = Field(default_factory=utcnow, index=True)


class OutboxMessage(SQLModel, table=True):
    """A mail to send, queued in the same transaction as its cause; sent once."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, unique=True)  # idempotence: "ack:<message-id>", "digest:2026-W48", ...
    kind: str = ""  # template name
    to_addr: str = Field(index=True)
    subject: str = ""
    message_id: str = Field(default="", index=True)  # ours: replies find what they answer
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # queued | sending | sent | failed | suppressed | deferred | grouped (mail.outbox, proofs.grouped)
    status: str = Field(default="queued", index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    sent_at: datetime | None = None
    cause_message_id: str | None = None
    claimed_by: str = ""  # the daemon sending it (rows in `sending`), see outbox.py
    claimed_at: datetime | None = None
