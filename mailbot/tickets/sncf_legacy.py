"""The legacy SNCF "VOTRE CONFIRMATION E-BILLET" PDF (before 2017-2021).

Layout (KItinerary's fixture; one block per journey)::

    VOTRE CONFIRMATION E-BILLET
      TOULOUSE MATABIAU / MONTPELLIER ST-RO         35.00 EUR
    Nom :   DOE                  DOSSIER VOYAGE : XXX007
      Départ / Arrivée      Date / Heure      TRAIN N°6857
      TOULOUSE MATABIAU     15/07 à 17h50   VOITURE 13 - PLACE 31
      MONTPELLIER ST-RO     15/07 à 19h58

Each ``ORIGIN / DESTINATION  price`` line opens a journey (the price may be
extracted on the next line; ``35.00`` and ``35,00`` both occur). The
journey's date is the first date after it; ``15/07`` takes its year from the
message date (see `mailbot.tickets.dates.infer_year`). Fee and total lines
are never journey prices.
"""

from __future__ import annotations

import re
from datetime import date

from mailbot.tickets.base import result_from_journeys
from mailbot.tickets.dates import find_dates
from mailbot.tickets.model import TicketResult
from mailbot.tickets.money import find_amounts, is_fee_line, is_total_line
from mailbot.tickets.text import Journey, Stop, find_reference, labelled_values, lines_of

__all__ = ["SncfLegacy"]

_MATCH = re.compile(r"(?i)CONFIRMATION\s+E-?BILLET|DOSSIER\s+VOYAGE\s*:")
_NAME = re.compile(r"(?i)\bNom\s*:\s*(?P<name>.*?)\s*(?=DOSSIER\s+VOYAGE|\s{2,}|$)")
_FIRST = re.compile(r"(?i)\bPr[ée]nom\s*:\s*(?P<name>[^:]*?)\s*(?=DOSSIER|\s{2,}|$)")
_NAME_LABELS = {
    "name": re.compile(r"(?i)nom\s*:"),
    "first": re.compile(r"(?i)pr[ée]nom\s*:"),
}


def _station(side: str) -> str | None:
    side = side.strip(" -")
    letters = sum(c.isalpha() for c in side)
    if letters < 2 or any(c.islower() for c in side) or ":" in side or len(side) > 50:
        return None
    return side


def _trip(line: str) -> tuple[str, str, str] | None:
    """``(origin, destination, rest)`` of an ``A / B [price]`` line."""
    if line.count(" / ") != 1:
        return None
    left, right = line.split(" / ")
    amounts = find_amounts(right)
    rest = ""
    if amounts:
        rest = right[amounts[0].start :]
        right = right[: amounts[0].start]
    origin, destination = _station(left), _station(right)
    if origin is None or destination is None:
        return None
    return origin, destination, rest


class SncfLegacy:
    """Reader for "VOTRE CONFIRMATION E-BILLET" PDFs (layout ``"sncf_legacy"``)."""

    name = "sncf_legacy"

    def match(self, text: str) -> bool:
        return bool(_MATCH.search(text))

    def extract(self, text: str, *, message_date: date | None) -> TicketResult:
        lines = lines_of(text)
        reference = find_reference(text)
        passenger = self._passenger(lines)
        starts = [(i, trip) for i, line in enumerate(lines) if (trip := _trip(line))]
        journeys: list[Journey] = []
        for number, (index, (origin, destination, rest)) in enumerate(starts):
            end = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
            block = lines[index + 1 : end]
            price_text = rest
            if not price_text and block and _is_amount_only(block[0]):
                price_text = block[0]
            amounts = find_amounts(price_text)
            dates = [d for line in block for d in find_dates(line, message_date=message_date)]
            journeys.append(
                Journey(
                    date=dates[0].value if dates else None,
                    lines=block,
                    stops=[Stop("", origin), Stop("", destination)],
                    price=amounts[0].value if amounts else None,
                )
            )
        problems: list[str] = []
        if journeys and message_date is None and any(j.date is None for j in journeys):
            problems.append("année du trajet inconnue")
        return result_from_journeys(
            self.name,
            journeys,
            lines,
            reference=reference,
            passenger=passenger,
            carrier="SNCF",
            problems=problems,
        )

    @staticmethod
    def _passenger(lines: list[str]) -> str | None:
        """``Nom :`` (and ``Prénom :``), value on the same line or, when the
        cells were extracted apart, on the next one."""
        inline: dict[str, str] = {}
        for line in lines:
            for key, pattern in (("name", _NAME), ("first", _FIRST)):
                m = pattern.search(line)
                if m and m["name"] and key not in inline:
                    inline[key] = m["name"]
        stacked = labelled_values(lines, _NAME_LABELS)
        parts = []
        for key in ("first", "name"):
            value = inline.get(key) or stacked.get(key, "")
            if value and ":" not in value and any(c.isalpha() for c in value):
                parts.append(value.strip())
        return " ".join(parts) or None


def _is_amount_only(line: str) -> bool:
    amounts = find_amounts(line)
    return (
        len(amounts) == 1
        and not is_fee_line(line)
        and not is_total_line(line)
        and not line[: amounts[0].start].strip()
    )
