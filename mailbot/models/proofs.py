"""Tables of the proofs domain: the proofs filed per AMO, the train-ticket legs
read from them, the dossier flags an AMO stated in her mail, and the proof
messages held for a human.

Amounts are decimal strings ("79.00"): exact, and the same in SQLite and
PostgreSQL. A proof sent again (same file, or same ticket as another file) is
kept as a row pointing at the first (`duplicate_of_id`) and never counted twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from mailbot.models.core import utcnow


class Proof(SQLModel, table=True):
    """One proof filed in an AMO's dossier: a file, or a forwarded message."""

    __tablename__ = "proof"
    id: int | None = Field(default=None, primary_key=True)
    member_email: str = Field(index=True)  # the roster address it is filed under
    kind: str = Field(index=True)  # thank_you | meeting_report | ... | train_ticket | other
    message_id: str = Field(index=True)  # the message that carried it
    subject: str = ""  # of that message
    filename: str = ""  # display text only (the file is stored under its SHA-256)
    sha256: str = Field(index=True)
    content_type: str = ""  # sniffed from the bytes
    size: int = 0
    source: str = "attachment"  # attachment | forward
    forward_from: str | None = None  # inner sender of a forwarded message: data, not identity
    rule: str = ""  # the proof_kind rule (or ticket reader) that decided the kind
    amount_eur: str | None = None  # an invoice's amount as read
    problems: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    received_at: datetime = Field(default_factory=utcnow, index=True)
    duplicate_of_id: int | None = Field(default=None, foreign_key="proof.id")


class TicketLeg(SQLModel, table=True):
    """One journey read from a train-ticket proof."""

    __tablename__ = "ticket_leg"
    id: int | None = Field(default=None, primary_key=True)
    proof_id: int = Field(foreign_key="proof.id", index=True)
    member_email: str = Field(index=True)
    position: int = 0
    amount_eur: str | None = None
    travel_date: str | None = None  # ISO date
    origin: str | None = None
    destination: str | None = None
    reference: str | None = Field(default=None, index=True)
    passenger: str | None = None
    carrier: str | None = None
    layout: str | None = None  # the reader that read it
    duplicate_of_id: int | None = Field(default=None, foreign_key="ticket_leg.id")


class DossierFlags(SQLModel, table=True):
    """What an AMO said about her dossier: funded elsewhere, short of cash."""

    __tablename__ = "dossier_flags"
    id: int | None = Field(default=None, primary_key=True)
    member_email: str = Field(index=True, unique=True)
    funded_elsewhere: bool = False
    funded_evidence: str = ""  # the words that set or cleared it
    funded_message_id: str | None = None
    short_of_cash: bool = False
    short_of_cash_evidence: str = ""
    short_of_cash_message_id: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class ProofHold(SQLModel, table=True):
    """A proof message held for the COTECH: unknown sender, untrusted, not an AMO."""

    __tablename__ = "proof_hold"
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(index=True)
    from_email: str | None = None
    reason: str = ""  # unknown_sender | untrusted | not_amo
    detail: str = ""
    suggested_member: str | None = None  # a guess for the COTECH (signature), never filed
    created_at: datetime = Field(default_factory=utcnow, index=True)
