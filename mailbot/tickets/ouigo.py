"""OUIGO tickets: the PDF and the confirmation email.

PDF (KItinerary notes)::

    OUIGO
    Votre numéro de réservation est : ABCDEF
    Voyageur : Marie DUPONT
    ALLER
    mardi 14 novembre 2023
    07h52 Paris Gare de Lyon
    Train N° 7805
    Voiture 5 Place 42
    11h05 Marseille Saint-Charles
     19.00€
    Total payé : 19.00€

Email (from ``ne-pas-repondre@pasngr.ouigo.com``, often forwarded): the
reference is in the second ``<strong>`` (KItinerary) or after "numéro de
réservation"; journeys under ``TRAJET``/date headers with ``TRAIN N° 7805``.
Luggage and other options are priced apart and never part of a leg.
"""

from __future__ import annotations

import re
from datetime import date

from mailbot.tickets.base import EmailInput, result_from_journeys
from mailbot.tickets.model import TicketResult
from mailbot.tickets.text import (
    find_passenger,
    find_reference,
    is_reference,
    lines_of,
    parse_journeys,
)

__all__ = ["OuigoEmail", "OuigoPdf"]

_OUIGO = re.compile(r"(?i)\bOUIGO\b")
_BOOKING = re.compile(r"(?i)num[ée]ro\s+de\s+r[ée]servation|r[ée]servation|\bTRAIN\s+N°")
_TRAIN_NO = re.compile(r"(?i)\bTRAIN\s+N°\s*\d{3,5}\b")
_SENDER = re.compile(r"(?i)@(?:[\w-]+\.)*ouigo\.com\b")


class OuigoPdf:
    """Reader for OUIGO ticket PDFs (layout ``"ouigo_pdf"``)."""

    name = "ouigo_pdf"

    def match(self, text: str) -> bool:
        if not _OUIGO.search(text):
            return False
        return bool(find_reference(text) or _TRAIN_NO.search(text))

    def extract(self, text: str, *, message_date: date | None) -> TicketResult:
        lines = lines_of(text)
        return result_from_journeys(
            self.name,
            parse_journeys(lines, message_date=message_date),
            lines,
            reference=find_reference(text),
            passenger=find_passenger(text),
            carrier="OUIGO",
        )


class OuigoEmail:
    """Reader for OUIGO confirmation emails (layout ``"ouigo_email"``)."""

    name = "ouigo_email"

    def match(self, mail: EmailInput) -> bool:
        if _SENDER.search(mail.sender):
            return True
        hay = mail.haystack
        if "ouigo.com" in hay:
            return True
        # Content alone (a forward whose headers were lost): demand a reference.
        return bool(
            _OUIGO.search(mail.subject + "\n" + mail.body)
            and _BOOKING.search(mail.body)
            and find_reference(mail.body)
        )

    def extract(self, mail: EmailInput) -> TicketResult:
        body = mail.body
        lines = lines_of(body)
        reference = find_reference(body) or find_reference(mail.text)
        if reference is None:
            strong = [s for s in mail.doc.strong if is_reference(s)]
            second = mail.doc.strong[1] if len(mail.doc.strong) > 1 else ""
            reference = second if is_reference(second) else (strong[0] if strong else None)
        return result_from_journeys(
            self.name,
            parse_journeys(lines, message_date=mail.message_date),
            lines,
            reference=reference,
            passenger=find_passenger(body),
            carrier="OUIGO",
        )
