"""Each AMO's dossier, computed from the proofs filed: complete or not, what to invoice.

Nothing here is stored: a dossier is a view over `proof`, `ticket_leg` and
`dossier_flags` (duplicates never count), so it cannot go stale.

* complete: every group of `[proofs] complete_when` has one alternative whose
  kinds are all present (default: a mission form, and an attendance sheet or
  a thank-you mail with a meeting report). `missing` lists the kinds of the
  closest alternative of each open group; `missing_groups` every alternative.
* fee: `[proofs] fee_eur` (600.00), or 0.00 when she said the day is funded
  elsewhere; amount due = fee + the legs read (a leg with no amount read adds
  nothing and is counted in `tickets_unpriced`).
* invoice: the latest invoice proof; its amount as read, compared to the due.
* completed_at: when the proof that made it complete was received.

`compute_dossiers` returns every GO member who has not left (an empty dossier
for those who sent nothing: the reminders need them) plus any other member
with proofs, sorted by name.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from sqlmodel import Session, col, select

from mailbot import members
from mailbot.settings import Settings
from mailbot.models.proofs import DossierFlags, Proof, TicketLeg
from mailbot.proofs import dossier_reads as reads
from mailbot.proofs.labels import KINDS, OTHER, UNUSABLE

ZERO = Decimal("0.00")
Groups = Sequence[Sequence[Sequence[str]]]


@dataclass(frozen=True)
class Dossier:
    """One AMO's dossier as the digest, the reminders, the CLI and the acknowledgement see it."""

    member_email: str
    name: str
    complete: bool
    missing: list[str]  # proof kinds still missing for invoicing
    proofs_by_kind: dict[str, int]
    funded_elsewhere: bool
    short_of_cash: bool
    fee_eur: Decimal
    tickets_total_eur: Decimal
    amount_due_eur: Decimal
    tickets: list[dict[str, str | None]]  # legs as in the CLI JSON
    invoice_received: bool
    invoice_amount_eur: Decimal | None
    invoice_matches: bool | None
    first_proof_at: datetime | None
    last_proof_at: datetime | None
    completed_at: datetime | None  # when the dossier became complete (None if not)
    missing_groups: list[list[list[str]]] = field(default_factory=list)  # open alternatives
    tickets_unpriced: int = 0  # legs whose amount could not be read
    group: str = ""


class MemberFacts(Protocol):
    """What a dossier reads of a member (a `Member` row, or its columns alone)."""

    @property
    def email(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def group(self) -> str: ...


class ProofFacts(Protocol):
    """What a dossier reads of a proof."""

    @property
    def kind(self) -> str: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def amount_eur(self) -> str | None: ...


class LegFacts(Protocol):
    """What a dossier reads of a ticket leg (the CLI JSON's fields)."""

    @property
    def amount_eur(self) -> str | None: ...
    @property
    def travel_date(self) -> str | None: ...
    @property
    def origin(self) -> str | None: ...
    @property
    def destination(self) -> str | None: ...
    @property
    def reference(self) -> str | None: ...
    @property
    def passenger(self) -> str | None: ...
    @property
    def carrier(self) -> str | None: ...


class FlagFacts(Protocol):
    @property
    def funded_elsewhere(self) -> bool: ...
    @property
    def short_of_cash(self) -> bool: ...


def evaluate(groups: Groups, present: Iterable[str]) -> tuple[bool, list[str], list[list[list[str]]]]:
    """(complete, missing kinds of the closest alternatives, open groups' alternatives)."""
    have = set(present)
    missing: list[str] = []
    open_groups: list[list[list[str]]] = []
    for group in groups:
        gaps = [[k for k in alt if k not in have] for alt in group]
        if any(not gap for gap in gaps):
            continue
        open_groups.append([list(alt) for alt in group])
        # closest: fewest kinds missing, then most already there (she is on that track)
        closest = min(zip(gaps, group), key=lambda g: (len(g[0]), len(g[0]) - len(g[1])))[0]
        missing.extend(k for k in closest if k not in missing)
    return not open_groups, missing, open_groups


def leg_dict(leg: LegFacts) -> dict[str, str | None]:
    return {"amount_eur": leg.amount_eur, "date": leg.travel_date, "origin": leg.origin,
            "destination": leg.destination, "reference": leg.reference,
            "passenger": leg.passenger, "carrier": leg.carrier}


def live_proofs(session: Session, member_email: str | None = None) -> list[Proof]:
    """Proofs that count (not duplicates), oldest first."""
    stmt = select(Proof).where(col(Proof.duplicate_of_id).is_(None))
    if member_email is not None:
        stmt = stmt.where(Proof.member_email == member_email)
    return list(session.exec(stmt.order_by(col(Proof.received_at), col(Proof.id))).all())


def live_legs(session: Session, proof_ids: Sequence[int]) -> list[TicketLeg]:
    if not proof_ids:
        return []
    stmt = (select(TicketLeg).where(col(TicketLeg.proof_id).in_(proof_ids),
                                    col(TicketLeg.duplicate_of_id).is_(None))
            .order_by(col(TicketLeg.proof_id), col(TicketLeg.position)))
    return list(session.exec(stmt).all())


def build(member: MemberFacts, proofs: Sequence[ProofFacts], legs: Sequence[LegFacts],
          flags: FlagFacts | None, settings: Settings) -> Dossier:
    """The dossier of one member from her live proofs and legs (pure)."""
    groups = settings.proofs.complete_when
    counts = Counter(p.kind for p in proofs)
    complete, missing, open_groups = evaluate(groups, counts)
    completed_at = _completed_at(groups, proofs) if complete else None
    funded = bool(flags and flags.funded_elsewhere)
    fee = ZERO if funded else Decimal(settings.proofs.fee_eur)
    priced = [Decimal(leg.amount_eur) for leg in legs if leg.amount_eur is not None]
    tickets_total = sum(priced, ZERO)
    due = fee + tickets_total
    invoices = [p for p in proofs if p.kind == "invoice"]
    invoice_amount = (Decimal(invoices[-1].amount_eur)
                      if invoices and invoices[-1].amount_eur is not None else None)
    return Dossier(
        member_email=member.email, name=member.name, complete=complete, missing=missing,
        proofs_by_kind={k: counts[k] for k in (*KINDS, OTHER, UNUSABLE) if counts[k]},
        funded_elsewhere=funded, short_of_cash=bool(flags and flags.short_of_cash),
        fee_eur=fee, tickets_total_eur=tickets_total, amount_due_eur=due,
        tickets=[leg_dict(leg) for leg in legs],
        invoice_received=bool(invoices), invoice_amount_eur=invoice_amount,
        invoice_matches=None if invoice_amount is None else invoice_amount == due,
        first_proof_at=proofs[0].received_at if proofs else None,
        last_proof_at=proofs[-1].received_at if proofs else None,
        completed_at=completed_at, missing_groups=open_groups,
        tickets_unpriced=sum(1 for leg in legs if leg.amount_eur is None), group=member.group,
    )


def _completed_at(groups: Groups, proofs: Sequence[ProofFacts]) -> datetime | None:
    seen: set[str] = set()
    for proof in proofs:
        if proof.kind in seen:  # nothing new: still as incomplete as before
            continue
        seen.add(proof.kind)
        if evaluate(groups, seen)[0]:
            return proof.received_at
    return None


def dossier_for(session: Session, settings: Settings, member_email: str) -> Dossier | None:
    """The dossier of the member owning this address (roster or alias), or None."""
    member = members.find(session, member_email)
    if member is None:
        return None
    proofs = live_proofs(session, member.email)
    legs = live_legs(session, [p.id for p in proofs if p.id is not None])
    flags = session.exec(select(DossierFlags)
                         .where(DossierFlags.member_email == member.email)).first()
    return build(member, proofs, legs, flags, settings)


def compute_dossiers(session: Session, settings: Settings) -> list[Dossier]:
    """Every GO member who has not left, plus any member with proofs; sorted by name.

    Four column-only reads for all dossiers at once (the same rows as
    `live_proofs`/`live_legs`, without building an ORM object per row)."""
    by_member: dict[str, list[reads.ProofRow]] = defaultdict(list)
    for proof in reads.live_proof_rows(session):
        by_member[proof.member_email].append(proof)
    legs_by_proof: dict[int, list[reads.LegRow]] = defaultdict(list)
    for leg in reads.live_leg_rows(session):
        legs_by_proof[leg.proof_id].append(leg)
    flags = {row.member_email: row for row in reads.flag_rows(session)}
    chosen = [m for m in reads.member_rows(session)
              if (m.group == "GO" and m.status != "left") or m.email in by_member]
    result = []
    for member in sorted(chosen, key=lambda m: (m.name.lower(), m.email)):
        mine = by_member.get(member.email, [])
        legs = [leg for p in mine for leg in legs_by_proof.get(p.id, [])]
        result.append(build(member, mine, legs, flags.get(member.email), settings))
    return result
