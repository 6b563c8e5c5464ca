"""Trainline booking confirmation emails (no PDF).

The JSON-LD ``TrainReservation`` objects are read first (see
`mailbot.tickets.jsonld`). Their price is the trip total repeated on every
reservation (KItinerary): with several legs sharing it, legs get no amount
and the result carries the total; with one leg, the leg gets it minus the
Trainline fees printed in the body ("Frais de réservation"). Per-ticket
prices, when needed, come from the PDFs attached to the same email.

Without JSON-LD the body text is read like a ticket: date headers, then
``17h50 Paris Gare de Lyon`` stops, ``Prix`` lines, a labelled reference.
"""

from __future__ import annotations

import re
from decimal import Decimal

from mailbot.tickets.base import EmailInput, iso, result_from_journeys
from mailbot.tickets.jsonld import Reservation, train_reservations
from mailbot.tickets.model import Leg, TicketResult, build_result
from mailbot.tickets.text import (
    find_passenger,
    find_reference,
    lines_of,
    money_summary,
    parse_journeys,
)

__all__ = ["TrainlineEmail"]

_SENDER = re.compile(r"(?i)@(?:[\w-]+\.)*(?:trainline|thetrainline|captaintrain)\.[a-z]{2,3}\b")
_BRAND = re.compile(r"(?i)\btrainline\b")


class TrainlineEmail:
    """Reader for Trainline emails (layout ``"trainline_email"``)."""

    name = "trainline_email"

    def match(self, mail: EmailInput) -> bool:
        if _SENDER.search(mail.sender):
            return True
        if not _BRAND.search(mail.haystack):
            return False
        # Content alone (forwarded): demand booking data.
        if train_reservations(mail.doc.json_ld):
            return True
        return bool(find_reference(mail.body)) and bool(
            parse_journeys(lines_of(mail.body), message_date=mail.message_date)
        )

    def extract(self, mail: EmailInput) -> TicketResult:
        lines = lines_of(mail.body)
        reservations = train_reservations(mail.doc.json_ld)
        if reservations:
            return self._from_json_ld(reservations, lines, mail)
        return result_from_journeys(
            self.name,
            parse_journeys(lines, message_date=mail.message_date),
            lines,
            reference=find_reference(mail.body),
            passenger=find_passenger(mail.body),
            carrier="Trainline",
        )

    def _from_json_ld(
        self, reservations: list[Reservation], lines: list[str], mail: EmailInput
    ) -> TicketResult:
        problems: list[str] = []
        fees = money_summary(lines).fees
        prices = [r.price if r.currency in (None, "EUR") else None for r in reservations]
        if any(r.currency not in (None, "EUR") for r in reservations):
            problems.append("montant dans une autre devise que l'euro")
        total: Decimal | None = None
        known = [p for p in prices if p is not None]
        if len(reservations) > 1 and known and len(set(known)) == 1:
            total = known[0] - fees if 0 < fees < known[0] else known[0]
            prices = [None] * len(reservations)
        elif len(reservations) == 1 and prices[0] is not None:
            total = prices[0] - fees if 0 < fees < prices[0] else prices[0]
            prices = [total]
        fallback_reference = find_reference(mail.body)
        fallback_passenger = find_passenger(mail.body)
        legs = [
            Leg(
                amount_eur=None if price is None else format(price, "f"),
                date=iso(r.date),
                origin=r.origin,
                destination=r.destination,
                reference=r.reference or fallback_reference,
                passenger=r.passenger or fallback_passenger,
                carrier="Trainline",
            )
            for r, price in zip(reservations, prices, strict=True)
        ]
        return build_result(self.name, legs, total=total, problems=problems)
