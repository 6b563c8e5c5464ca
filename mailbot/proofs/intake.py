"""One proof message into an AMO's dossier: file each proof once, read its tickets.

`record` runs inside the message's transaction (the handler's session): it
stores each proof's file (content-addressed, idempotent: see `storage`), then
adds a `Proof` row and its `TicketLeg`s. A proof already filed for this member
is recorded as a duplicate pointing at the first, never counted twice:

* same file (SHA-256), whatever its name;
* same ticket as another file: every leg has the booking reference, the date
  and the amount of a leg already filed (legs matching one by one are marked
  duplicates, the others count).

`apply_statement` records what she said about funding and cash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from mailbot.models.proofs import DossierFlags, Proof, TicketLeg
from mailbot.proofs.labels import NOT_A_PROOF, OTHER
from mailbot.proofs.funded import MoneyStatement
from mailbot.proofs.invoices import invoice_amount
from mailbot.proofs.kinds import Item
from mailbot.proofs.storage import BlobStore
from mailbot.tickets import Leg

UNKNOWN_KIND = "nature du document non reconnue : à vérifier par le COTECH"


@dataclass
class Filed:
    """What became of one proof item."""

    item: Item
    proof: Proof
    legs: list[TicketLeg] = field(default_factory=list)
    original: Proof | None = None  # set when this proof was already filed

    @property
    def duplicate(self) -> bool:
        return self.original is not None


def record(session: Session, store: BlobStore, member_email: str, message_id: str,
           subject: str, items: list[Item], now: datetime) -> list[Filed]:
    """File every proof item of a message for the member; duplicates point at the first."""
    filed: list[Filed] = []
    for item in items:
        if item.kind == NOT_A_PROOF:
            continue
        sha = store.put(item.data, item.sha256)
        problems = list(item.problems) + ([UNKNOWN_KIND] if item.kind == OTHER else [])
        amount = invoice_amount(item.text) if item.kind == "invoice" else None
        if item.kind == "invoice" and amount is None:
            problems.append("montant de la facture non lu")
        proof = Proof(member_email=member_email, kind=item.kind, message_id=message_id,
                      subject=subject[:500], filename=item.name[:300], sha256=sha,
                      content_type=item.content_type, size=len(item.data), source=item.item,
                      forward_from=item.forward_from, rule=item.rule,
                      amount_eur=None if amount is None else format(amount, "f"),
                      problems="\n".join(dict.fromkeys(problems)), received_at=now)
        original = _same_file(session, member_email, sha)
        session.add(proof)
        session.flush()
        legs = _legs(session, proof, item, member_email)
        if original is None and legs and all(leg.duplicate_of_id is not None for leg in legs):
            original = _proof_of_leg(session, legs[0].duplicate_of_id)
        if original is not None:
            proof.duplicate_of_id = original.id
            for leg in legs:
                if leg.duplicate_of_id is None:  # same file, legs read again: point at its legs
                    leg.duplicate_of_id = _first_leg(session, original.id, leg.position)
            session.add(proof)
        filed.append(Filed(item, proof, legs, original))
    session.flush()
    return filed


def _same_file(session: Session, member_email: str, sha: str) -> Proof | None:
    stmt = (select(Proof).where(Proof.member_email == member_email, Proof.sha256 == sha,
                                col(Proof.duplicate_of_id).is_(None))
            .order_by(col(Proof.id)))
    return session.exec(stmt).first()


def _legs(session: Session, proof: Proof, item: Item, member_email: str) -> list[TicketLeg]:
    if item.ticket is None or proof.id is None or proof.kind != "train_ticket":
        return []
    rows = []
    for position, leg in enumerate(item.ticket.legs):
        row = TicketLeg(proof_id=proof.id, member_email=member_email, position=position,
                        amount_eur=leg.amount_eur, travel_date=leg.date, origin=leg.origin,
                        destination=leg.destination, reference=leg.reference,
                        passenger=leg.passenger, carrier=leg.carrier,
                        layout=item.ticket.layout, duplicate_of_id=_same_leg(session, member_email, leg))
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def _same_leg(session: Session, member_email: str, leg: Leg) -> int | None:
    """A live leg of this member with the same reference, date and amount."""
    if not leg.reference or not leg.date:
        return None
    stmt = (select(TicketLeg).join(Proof, col(Proof.id) == col(TicketLeg.proof_id))
            .where(TicketLeg.member_email == member_email, TicketLeg.reference == leg.reference,
                   TicketLeg.travel_date == leg.date,
                   col(TicketLeg.duplicate_of_id).is_(None),
                   col(Proof.duplicate_of_id).is_(None))
            .order_by(col(TicketLeg.id)))
    for row in session.exec(stmt).all():
        if _same_amount(row.amount_eur, leg.amount_eur):
            return row.id
    return None


def _same_amount(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return Decimal(a) == Decimal(b)


def _proof_of_leg(session: Session, leg_id: int | None) -> Proof | None:
    leg = session.get(TicketLeg, leg_id) if leg_id is not None else None
    return session.get(Proof, leg.proof_id) if leg is not None else None


def _first_leg(session: Session, proof_id: int | None, position: int) -> int | None:
    stmt = select(TicketLeg).where(TicketLeg.proof_id == proof_id, TicketLeg.position == position)
    row = session.exec(stmt).first()
    return row.id if row is not None else None


@dataclass(frozen=True)
class FlagChange:
    """What the statement changed on the dossier, for the acknowledgement."""

    funded: bool | None = None  # set (True), cleared (False), untouched (None)
    funded_words: str = ""
    short_of_cash: bool = False  # newly stated
    short_words: str = ""


def apply_statement(session: Session, member_email: str, message_id: str,
                    statement: MoneyStatement, now: datetime) -> FlagChange:
    """Record "funded elsewhere" (set or cleared) and "short of cash" on the dossier."""
    if statement.funded_elsewhere is None and not statement.short_of_cash:
        return FlagChange()
    flags = session.exec(select(DossierFlags)
                         .where(DossierFlags.member_email == member_email)).first()
    if flags is None:
        flags = DossierFlags(member_email=member_email)
    if statement.funded_elsewhere is not None:
        flags.funded_elsewhere = statement.funded_elsewhere
        flags.funded_evidence = statement.funded_words[:500]
        flags.funded_message_id = message_id
    if statement.short_of_cash:
        flags.short_of_cash = True
        flags.short_of_cash_evidence = statement.short_words[:500]
        flags.short_of_cash_message_id = message_id
    flags.updated_at = now
    session.add(flags)
    session.flush()
    return FlagChange(statement.funded_elsewhere, statement.funded_words,
                      statement.short_of_cash, statement.short_words)
