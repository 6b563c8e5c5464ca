"""Regional tickets (TER, Intercités) issued by the Secutix/DOSIPAS system.

Layout (KItinerary notes)::

    right column                      left column
    DUPONT                            14 novembre 2024
    Marie                             08h12 Lyon Part-Dieu
    12/10/2024 REF : ABC123           TER 886512
                                      Voiture 3 - Place 45      (optional)
                                      Opéré par SNCF Voyageurs
                                      09h05 Grenoble
                                      Prix : 23,10 €

The reference follows ``REF :`` or ``PAO :`` (6-8 characters); the date
before it is the issue date, not the travel date. Journeys start at a
``d MMMM yyyy`` date; a ``CAR …`` line is a replacement bus (still the
regional carrier). The passenger is the ``NOM``/``Prénom`` pair printed just
above the issue-date line, when the text gives it in that order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from mailbot.tickets.base import result_from_journeys
from mailbot.tickets.model import TicketResult
from mailbot.tickets.text import find_passenger, find_reference, lines_of, parse_journeys

__all__ = ["INTERCITES", "Regional", "TER"]

_SECUTIX = re.compile(r"(?i)\b(?:REF|PAO)\s*:\s*[A-Z0-9]{6,8}\b|ter[.-]sncf|\bter\.fr\b")
_ISSUE_LINE = re.compile(r"^\d{2}/\d{2}/\d{4}\s+(?:REF|PAO)\s*:")
_SURNAME = re.compile(r"^[A-ZÀ-Ÿ][A-ZÀ-Ÿ' -]{1,40}$")
_FIRSTNAME = re.compile(r"^[A-ZÀ-Ÿ][a-zà-ÿ]+(?:[ -][A-ZÀ-Ÿ][a-zà-ÿ]+)*$")
_TER = re.compile(r"\bTER\b")
_INTERCITES = re.compile(r"(?i)\bINTERCIT[ÉE]S\b")


def _first_position(pattern: re.Pattern[str], text: str) -> int | None:
    m = pattern.search(text)
    return m.start() if m else None


def _is_intercites(text: str) -> bool:
    ic = _first_position(_INTERCITES, text)
    if ic is None or not _SECUTIX.search(text):
        return False
    ter = _first_position(_TER, text)
    return ter is None or ic < ter


def _is_ter(text: str) -> bool:
    return bool(_TER.search(text) and _SECUTIX.search(text))


@dataclass(frozen=True, slots=True)
class Regional:
    """Reader for Secutix regional tickets; one instance per carrier."""

    name: str
    carrier: str
    intercites: bool

    def match(self, text: str) -> bool:
        return _is_intercites(text) if self.intercites else _is_ter(text)

    def extract(self, text: str, *, message_date: date | None) -> TicketResult:
        lines = lines_of(text)
        journeys = parse_journeys(lines, message_date=message_date)
        return result_from_journeys(
            self.name,
            journeys,
            lines,
            reference=find_reference(text),
            passenger=_passenger(lines) or find_passenger(text),
            carrier=self.carrier,
        )


def _passenger(lines: list[str]) -> str | None:
    for index, line in enumerate(lines):
        if _ISSUE_LINE.match(line) and index >= 2:
            surname, first = lines[index - 2], lines[index - 1]
            if _SURNAME.match(surname) and _FIRSTNAME.match(first):
                return f"{first} {surname}"
    return None


#: The TER reader (layout ``"ter"``).
TER = Regional("ter", "TER", intercites=False)
#: The Intercités reader (layout ``"intercites"``).
INTERCITES = Regional("intercites", "Intercités", intercites=True)
