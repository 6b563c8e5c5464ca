"""Choosing among several readings of one document, and merging them.

A document may be read by its layout reader (a refinement, when one
matches), by the layout-agnostic reader (`mailbot.tickets.anytext`) and, for
mails, from structured data (JSON-LD / microdata). `best` keeps the reading
with the most legs fully read (ties go to the earlier candidate, so a layout
reader that reads everything wins); `fill` then completes its unread fields
from another reading of the same legs.

Structured data (`structured`) gives stations, dates and the reservation
number; a price repeated on every reservation is the booking total
(Trainline, per KItinerary), never one leg's price; a reservation number
that is not shaped like a PNR (a reseller's order number) gives way to the
PNR printed in the body.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from mailbot.tickets.base import iso
from mailbot.tickets.jsonld import Reservation, train_reservations
from mailbot.tickets.model import REQUIRED_FIELDS, Leg, TicketResult, build_result
from mailbot.tickets.text import is_reference

__all__ = ["STRUCTURED_LAYOUT", "best", "fill", "named", "score", "structured"]

STRUCTURED_LAYOUT = "structured"


def score(result: TicketResult | None) -> tuple[int, int]:
    """(legs with every required field, fields read); an amount left unread
    on purpose (several legs sharing one printed total) counts as read."""
    if result is None:
        return (-1, -1)
    shared = len(result.legs) > 1 and result.total_eur is not None and all(
        leg.amount_eur is None for leg in result.legs)
    complete = filled = 0
    for leg in result.legs:
        read = [f for f in REQUIRED_FIELDS
                if getattr(leg, f) is not None or (f == "amount_eur" and shared)]
        filled += len(read)
        complete += len(read) == len(REQUIRED_FIELDS)
    return (complete, filled)


def best(*candidates: TicketResult | None) -> TicketResult | None:
    """The candidate with the best `score`, the earliest on ties."""
    chosen: TicketResult | None = None
    for candidate in candidates:
        if candidate is not None and score(candidate) > score(chosen):
            chosen = candidate
    return chosen


def named(chosen: TicketResult | None, layout: TicketResult | None) -> TicketResult | None:
    """``chosen`` under the name of the layout reader that matched the
    document, when one did (the name says which kind of document it is)."""
    if chosen is None or layout is None or layout.layout is None:
        return chosen
    return replace(chosen, layout=layout.layout)


def fill(chosen: TicketResult | None, *others: TicketResult | None) -> TicketResult | None:
    """``chosen`` with its unread leg fields taken from another reading of the
    same number of legs (the carrier too when ``chosen`` names a reseller)."""
    if chosen is None:
        return None
    legs = list(chosen.legs)
    for other in others:
        if other is None or other is chosen or len(other.legs) != len(legs):
            continue
        for index, (mine, theirs) in enumerate(zip(legs, other.legs, strict=True)):
            changes: dict[str, Any] = {
                name: getattr(theirs, name) for name in ("date", "origin", "destination",
                                                         "reference", "passenger", "carrier")
                if getattr(mine, name) is None and getattr(theirs, name) is not None}
            if mine.carrier == "Trainline" and theirs.carrier not in (None, "Trainline"):
                changes["carrier"] = theirs.carrier
            if mine.amount_eur is None and theirs.amount_eur is not None and chosen.total_eur is None:
                changes["amount_eur"] = theirs.amount_eur
            legs[index] = replace(mine, **changes)
    if legs == list(chosen.legs):
        return chosen
    total = Decimal(chosen.total_eur) if chosen.total_eur is not None else None
    kept = tuple(p for p in chosen.problems if "non lu" not in p and "aucun trajet" not in p)
    return build_result(chosen.layout, legs, total=total, problems=kept)


def structured(scripts: list[str], items: list[Any], body: TicketResult | None,
               fees: Decimal = Decimal(0), pnr: str | None = None) -> TicketResult | None:
    """Legs from JSON-LD / microdata reservations, priced and referenced with
    the help of the body's reading (``body``, same legs in the same order);
    ``fees`` (printed in the body) are taken out of a structured total."""
    reservations = train_reservations(scripts, items)
    if not reservations:
        return None
    known = [r.price - fees if 0 < fees < r.price else r.price for r in reservations
             if r.price is not None and r.currency in (None, "EUR")]
    shared = len(reservations) > 1 and len(known) == len(reservations) and len(set(known)) == 1
    same = body is not None and len(body.legs) == len(reservations)
    single = known[0] if len(reservations) == 1 and known else None
    legs = [_leg(r, single, body.legs[i] if same and body is not None else None, pnr)
            for i, r in enumerate(reservations)]
    total = known[0] if shared else None
    if same and body is not None and body.total_eur is not None:
        total = Decimal(body.total_eur)
    if len(legs) == 1 and same and body is not None and body.legs[0].amount_eur is not None:
        legs[0] = replace(legs[0], amount_eur=body.legs[0].amount_eur)
    return build_result(STRUCTURED_LAYOUT, legs, total=total if shared or same else None)


def _leg(r: Reservation, price: Decimal | None, text: Leg | None, pnr: str | None) -> Leg:
    reference = r.reference if r.reference and is_reference(r.reference) and len(r.reference) == 6 else None
    if text is not None and text.reference is not None:
        reference = text.reference if reference is None else reference
    reference = reference or pnr
    amount = format(price, "f") if price is not None else None
    if text is not None and text.amount_eur is not None:
        amount = text.amount_eur
    return Leg(
        amount_eur=amount,
        date=iso(r.date) or (text.date if text else None),
        origin=r.origin or (text.origin if text else None),
        destination=r.destination or (text.destination if text else None),
        reference=reference or r.reference,
        passenger=r.passenger or (text.passenger if text else None),
        carrier=text.carrier if text is not None else None,
    )
