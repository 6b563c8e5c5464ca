"""Blind ticket families (h12c): a few seeded documents of each, read right.

The families in `tests.support.ticketgen.blind` were written without reading
the reader; their labelling conventions are in that package's docstring.
Each failure class found on them (regional TER brands, TGV Lyria and dotted
dates, seat words taken for stations, a carrier PNR behind a long label, the
cancelled ticket of an exchange, OCR spacing, a station name holding " - ")
is kept here by seeded documents.
"""

from __future__ import annotations

import pytest

from mailbot.proofs.pdftext import pdf_text
from mailbot.tickets import extract_from_email, extract_from_pdf_text
from tests.support.ticketgen.blind import BLIND_FAMILIES, build

FIELDS = ("amount_eur", "date", "origin", "destination", "reference", "carrier")
CASES = [(family, seed) for family in BLIND_FAMILIES for seed in (0, 3, 11)]
#: Seeds that exercise a specific failure class found on the blind split.
CASES += [("ouigo_classique_html", 11), ("ocr_scan_pdf", 4), ("exchange_mail", 1), ("ter_regional_pdf", 2)]


@pytest.mark.parametrize(("family", "seed"), CASES)
def test_blind_document_is_read_field_by_field(family: str, seed: int) -> None:
    sample = build(family, seed)
    if sample.kind == "pdf":
        result = extract_from_pdf_text(pdf_text(sample.pdf).text, message_date=sample.message_date)
    else:
        result = extract_from_email(sender=sample.sender, subject=sample.subject, text=sample.text,
                                    html=sample.html, message_date=sample.message_date)
    assert result is not None
    got = [{f: leg.to_dict().get(f) for f in FIELDS} for leg in result.legs]
    assert got == sample.expected


def test_exchange_counts_only_the_new_ticket() -> None:
    text = ("Votre échange est confirmé\nRéférence de réservation : AB12CD\n"
            "Votre ancien billet (annulé)\nAller · 24 mai 2025\nNantes → Rennes\nPrix : 10,10 €\n"
            "Votre nouveau billet\nAller · lundi 01/09/2025\n16:42  Nantes\n17:32  Rennes\n"
            "TGV INOUI 8842 · Voiture 12\nPrix du nouveau billet : 39,40 €\nMontant de l'échange : 29,30 €\n")
    result = extract_from_email(sender=None, subject="", text=text, html="", message_date=None)
    assert result is not None
    assert [(x.date, x.amount_eur, x.origin) for x in result.legs] == [("2025-09-01", "39.40", "Nantes")]
