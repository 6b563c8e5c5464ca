"""SNCF e-billets of the TGV INOUI era (SNCF Connect PDFs).

Two text shapes are read, both cut into journeys at their long-form date:

* the SNCF Connect e-billet (the corpus' tickets)::

      E-BILLET / SNCF / VOYAGEURS
      PASSAGER / Référence de dossier / THOMAS KELLER / HZP2LD
      ALLER
      Mercredi 17 novembre 2021
      06h16 / 08h02 / STRASBOURG / PARIS EST / Départ / Arrivée
      TGV INOUI N° 2402    Voiture 16 - Place 105    2nde classe
      Prix : 89,00 €
      Prix total : 89,00 €

* the inOui left half described by KItinerary::

      15 juillet 2024
      17h50 Toulouse Matabiau
      TGV INOUI 6857 - Voiture 13 Haut - Place 31
      19h58 Montpellier Saint-Roch
      35,00 EUR

The reference comes from a "Référence de dossier" label (same line or the
two-column block), the passenger from "PASSAGER"/"Voyageur". The carrier is
"SNCF" unless a journey's train line names OUIGO, Intercités or TER.
"""

from __future__ import annotations

import re
from datetime import date

from mailbot.tickets.base import result_from_journeys
from mailbot.tickets.model import TicketResult
from mailbot.tickets.text import (
    find_passenger,
    find_reference,
    is_reference,
    labelled_values,
    lines_of,
    parse_journeys,
)

__all__ = ["SncfInoui"]

_INOUI = re.compile(r"(?i)\bINOUI\b")
_EBILLET = re.compile(r"(?im)^\s*E-?BILLET\b")
_SNCF = re.compile(r"(?i)\bSNCF\b")
_REF_LABEL = re.compile(r"(?i)r[ée]f[ée]rence")

_LABELS = {
    "passenger": re.compile(r"(?i)passager|voyageur|nom du voyageur"),
    "reference": re.compile(r"(?i)r[ée]f[ée]rence(?:\s+de)?\s+(?:dossier|r[ée]servation)|r[ée]f[ée]rence"),
}
_NAME = re.compile(r"^[A-Za-zÀ-ÿ' .-]{2,60}$")


class SncfInoui:
    """Reader for SNCF/TGV INOUI e-billet PDFs (layout ``"sncf_inoui"``)."""

    name = "sncf_inoui"

    def match(self, text: str) -> bool:
        if _INOUI.search(text) and (_EBILLET.search(text) or find_reference(text)):
            return True
        return bool(_EBILLET.search(text) and _SNCF.search(text) and _REF_LABEL.search(text))

    def extract(self, text: str, *, message_date: date | None) -> TicketResult:
        lines = lines_of(text)
        labelled = labelled_values(lines, _LABELS)
        reference = labelled.get("reference")
        if reference is None or not is_reference(reference):
            reference = find_reference(text)
        passenger = labelled.get("passenger")
        if passenger is None or not _NAME.match(passenger):
            passenger = find_passenger(text)
        journeys = parse_journeys(lines, message_date=message_date)
        return result_from_journeys(
            self.name,
            journeys,
            lines,
            reference=reference,
            passenger=passenger,
            carrier="SNCF",
            carrier_from_train=True,
        )
