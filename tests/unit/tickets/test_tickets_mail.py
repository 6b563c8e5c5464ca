"""Booking confirmations as AMOs forward them, through the real MIME parsing
and proof items (`mailbot.proofs.kinds.items_of`): the ticket legs come out of
the forwarded mail, whatever part (HTML table or text/plain flattening) the
client kept."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from mailbot.mime.parse import parse_message
from mailbot.proofs.kinds import items_of
from tests.unit.tickets.test_tickets_anytext import OUISNCF_HTML, OUISNCF_TEXT

AMO = "claire.martin@example.org"


def _forward(text: str, html: str) -> bytes:
    m = EmailMessage()
    m["From"] = f"Claire Martin <{AMO}>"
    m["To"] = "preuves@example.org"
    m["Subject"] = "Fwd: Confirmation de votre commande"
    m["Date"] = "Mon, 22 Nov 2021 10:00:00 +0100"
    m["Message-ID"] = "<fwd-1@example.org>"
    m.set_content(text)
    if html:
        m.add_alternative(html, subtype="html")
    return bytes(m)


@pytest.mark.parametrize(("html", "stations"), [
    (OUISNCF_HTML, ("PARIS GARE DE LYON", "MARSEILLE ST CHARLES")),
    ("", ("Paris Gare De Lyon", "Marseille Saint-Charles")),
], ids=["gmail-html-table", "text-plain-flattening"])
def test_forwarded_ouisncf_confirmation_gives_both_legs(html: str, stations: tuple[str, str]) -> None:
    body = "Bonjour, voici mon billet.\n\n" + OUISNCF_TEXT
    html_body = f"<p>Bonjour, voici mon billet.</p>{html}" if html else ""
    items, _ = items_of(parse_message(_forward(body, html_body)), {AMO}, "Claire Martin")
    tickets = [item.ticket for item in items if item.ticket is not None]
    assert len(tickets) == 1
    got = [(leg.amount_eur, leg.date, leg.origin, leg.destination, leg.reference)
           for leg in tickets[0].legs]
    assert got == [("79.00", "2021-11-17", *stations, "QKZ7RT"),
                   ("72.00", "2021-11-19", *reversed(stations), "QKZ7RT")]
