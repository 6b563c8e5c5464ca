"""Blind ticket families: layouts written by h12c WITHOUT reading the reader.

These families were written from what French train documents look like
(SNCF Connect 2023-2025 mails, TER regional e-billets of six regional
brands, OUIGO Train Classique, TGV Lyria, Kombo/Omio confirmations,
exchanges, an OCR'd scan, a two-page e-billet with conditions in between and
a connection via Paris), before ``mailbot/tickets`` was opened. They are a
split of their own (``bench.tickets_accuracy --split blind``).

**Labelling conventions, decided before measuring** (same keys and
conventions as ``corpus/public/expected.json`` and h12a's note):

- ``amount_eur``: the fare of that leg as printed, fees excluded. Service
  fees, a discount card bought in the same order ("Carte Avantage … 49,00 €"),
  paid options (baggage, socket) and VAT lines belong to no leg. A leg printed
  at ``0,00 €`` (a MAX/pass reservation) is ``"0.00"``, not ``None``. When a
  return trip prints only one total, each leg's amount is ``None`` (the total
  is not split). A leg whose fare is printed after a discount ("Carte Avantage
  Jeune -30 %") has the printed, discounted fare.
- **Exchanges**: only the new ticket's journeys are legs; the cancelled
  ticket printed beside it is not a journey. The amount is the new ticket's
  fare ("Prix du nouveau billet"), not the exchange balance ("Montant de
  l'échange"). The reference stays the booking's PNR.
- ``date``: ISO date of the leg's departure; the year, when not printed, comes
  from the document (forward header, issue date) or the message date.
- ``origin`` / ``destination``: first and last station of the leg as printed
  (case kept), whitespace collapsed to single spaces (OCR doubles spaces). A
  connection (two trains, even changing stations in Paris) is one leg, from
  the first station to the last.
- ``reference``: the carrier's 6-character PNR, never a reseller's order number.
- ``carrier``: the train's operator: ``SNCF`` (TGV INOUI), ``OUIGO`` (OUIGO and
  OUIGO Train Classique), ``Intercités``, ``TER`` for every regional brand
  (BreizhGo, Fluo, Rémi, liO, Aléop, TER Hauts-de-France), ``TGV Lyria``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

from tests.support.ticketgen import Sample
from tests.support.ticketgen.blind import mails, pdfs

__all__ = ["BLIND_FAMILIES", "build", "generate"]

BLIND_FAMILIES: dict[str, tuple[str, Callable[[random.Random], Any]]] = {
    "ter_regional_pdf": ("pdf", pdfs.ter_regional),
    "lyria_pdf": ("pdf", pdfs.lyria),
    "ocr_scan_pdf": ("pdf", pdfs.ocr_scan),
    "twopage_via_paris_pdf": ("pdf", pdfs.twopage_via_paris),
    "connect_order_mail": ("email", mails.connect_order),
    "reseller_mail": ("email", mails.reseller),
    "exchange_mail": ("email", mails.exchange),
    "ouigo_classique_html": ("email", mails.ouigo_classique),
}


def build(family: str, seed: int) -> Sample:
    kind, make = BLIND_FAMILIES[family]
    rng = random.Random(f"blind:{family}:{seed}")
    name = f"{family}-{seed}"
    if kind == "pdf":
        data, expected, sent = make(rng)
        return Sample(name, family, "pdf", sent, expected, pdf=data)
    sender, subject, text, html, expected, sent = make(rng)
    return Sample(name, family, "email", sent, expected, sender=sender, subject=subject, text=text, html=html)


def generate(per_family: int = 24) -> Iterator[Sample]:
    for family in BLIND_FAMILIES:
        for seed in range(per_family):
            yield build(family, seed)
