"""Column-only reads of what every dossier is made of (`compute_dossiers`' input).

The same rows as `dossiers.live_proofs` / `live_legs` and the roster and
flags tables, read as plain tuples: a dossier reads a few columns of each
row, and building an ORM object per proof, leg and member was most of the
cost of the digest's dossiers and of the web page's dossier list.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from mailbot.models import Member
from mailbot.models.proofs import DossierFlags, Proof, TicketLeg


class ProofRow(NamedTuple):
    id: int
    member_email: str
    kind: str
    received_at: datetime
    amount_eur: str | None


class LegRow(NamedTuple):
    proof_id: int
    amount_eur: str | None
    travel_date: str | None
    origin: str | None
    destination: str | None
    reference: str | None
    passenger: str | None
    carrier: str | None


class MemberRow(NamedTuple):
    email: str
    name: str
    group: str
    status: str


class FlagRow(NamedTuple):
    member_email: str
    funded_elsewhere: bool
    short_of_cash: bool


def live_proof_rows(session: Session) -> list[ProofRow]:
    """The columns a dossier reads of every live proof, oldest first (no ORM objects)."""
    p = Proof
    stmt = (sa_select(col(p.id), col(p.member_email), col(p.kind), col(p.received_at),
                      col(p.amount_eur))
            .where(col(p.duplicate_of_id).is_(None))
            .order_by(col(p.received_at), col(p.id)))
    return [ProofRow(*row) for row in session.execute(stmt).all()]


def live_leg_rows(session: Session) -> list[LegRow]:
    """Live legs of live proofs (a join, not a list of every proof id), by proof and position."""
    t = TicketLeg
    stmt = (sa_select(col(t.proof_id), col(t.amount_eur), col(t.travel_date), col(t.origin),
                      col(t.destination), col(t.reference), col(t.passenger), col(t.carrier))
            .join(Proof, col(Proof.id) == col(t.proof_id))
            .where(col(Proof.duplicate_of_id).is_(None), col(t.duplicate_of_id).is_(None))
            .order_by(col(t.proof_id), col(t.position), col(t.id)))
    return [LegRow(*row) for row in session.execute(stmt).all()]


def flag_rows(session: Session) -> list[FlagRow]:
    f = DossierFlags
    stmt = sa_select(col(f.member_email), col(f.funded_elsewhere), col(f.short_of_cash))
    return [FlagRow(*row) for row in session.execute(stmt).all()]


def member_rows(session: Session) -> list[MemberRow]:
    m = Member
    stmt = sa_select(col(m.email), col(m.name), col(m.group), col(m.status))
    return [MemberRow(*row) for row in session.execute(stmt).all()]
