"""Issue 12 end to end: each failure class through a real Dovecot (APPEND) and a real SMTP
server, and the acknowledgement each AMO receives: in French, naming the file, saying why.

Classes: an iPhone PDF inline between text parts; files inside a forward attached as a
message; files that are not usable proofs (password, HTML named .pdf, cut short, base64
damaged three ways); the same ticket downloaded again; an invoice listing the ticket as
débours; "funded elsewhere" in words the old rules did not know; fifteen forwards in an
afternoon past the daily cap (grouped, never dropped).
"""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from mailbot.models.core import utcnow
from mailbot.proofs import grouped
from mailbot.proofs.dossiers import dossier_for
from tests.support.clientmail import Doc, Thanks, apple, gmail, outlook
from tests.support.helpers import real_app
from tests.support.proofmail import File, attendance_pdf, proof_mail, report_pdf, ticket_pdf
from tests.support.servers import CapturedMessage, Dovecot, SmtpCapture
from tests.support.ticketpdfs import encrypted_pdf, html_as_pdf, text_pdf, truncated_pdf

pytestmark = pytest.mark.integration
KARIM = "karim.belkacem@orange.fr"
NB = "\u00a0"


def body(m: CapturedMessage) -> str:
    part = m.message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def by_subject(smtp: SmtpCapture) -> dict[str, str]:
    """The acknowledgement text per subject of the message it answers (In-Reply-To)."""
    return {str(m.message["In-Reply-To"]): body(m) for m in smtp.messages}


UNUSABLE = {
    "password": (Doc("billet.pdf", encrypted_pdf(user_password="secret"), "unusable"),
                 "PDF protégé par un mot de passe"),
    "html": (Doc("e-billet.pdf", html_as_pdf(), "unusable"),
             "ce n'est pas un PDF mais une page web (HTML)"),
    "cut": (Doc("CR.pdf", truncated_pdf(report_pdf(), 0.5), "unusable"), "PDF incomplet"),
    "stray": (Doc("emargement.pdf", attendance_pdf(), "unusable", b64="stray"),
              "une ligne de texte étrangère"),
    "b64cut": (Doc("emargement.pdf", attendance_pdf(), "unusable", b64="cut"),
               "pendant l'envoi"),
    "padding": (Doc("emargement.pdf", attendance_pdf(), "unusable", b64="padding"),
                "pendant l'envoi"),
}


def test_each_failure_class_gets_the_right_acknowledgement(tmp_path: Path, dovecot: Dovecot,
                                                           smtp_capture: SmtpCapture) -> None:
    app = real_app(tmp_path, dovecot, smtp_capture)
    raws = {
        "iphone": apple("iphone", [Doc("e-billet.pdf", ticket_pdf(), "train_ticket")]).raw,
        "attached": outlook("attached", [Doc("Feuille de présence.pdf", attendance_pdf(),
                                             "attendance_sheet")],
                            [Thanks("Sophie Marchand", "s.marchand@centresocial-nord.fr",
                                    "Merci", "Merci beaucoup pour votre venue.")],
                            as_attachment=True).raw,
    }
    for name, (doc, _) in UNUSABLE.items():
        raws[name] = gmail(name, [doc]).raw
    dovecot.multiappend("bot", "INBOX", list(raws.values()))
    asyncio.run(app.run_once())
    acks = {re.sub(r"^<|@.*$", "", k): v for k, v in by_subject(smtp_capture).items()}
    assert set(acks) == set(raws), acks.keys()

    assert f"«{NB}e-billet.pdf{NB}»{NB}: billet de train" in acks["iphone"]
    assert f"MARSEILLE ST CHARLES → PARIS GARE DE LYON" in acks["iphone"]
    assert f"«{NB}Feuille de présence.pdf{NB}»{NB}: feuille d'émargement" in acks["attached"]
    assert "s.marchand@centresocial-nord.fr" in acks["attached"]
    for name, (doc, why) in UNUSABLE.items():
        text = acks[name]
        assert f"«{NB}{doc.name}{NB}»{NB}: " in text and why in text, (name, text)
        assert "Ce fichier ne compte pas comme justificatif" in text and "copie lisible" in text
        assert text.startswith("Bonjour Karim,")
    with Session(app.engine) as s:
        d = dossier_for(s, app.settings, KARIM)
        assert d is not None and d.tickets_total_eur == 151
        assert d.proofs_by_kind["unusable"] == len(UNUSABLE)


def test_duplicates_invoice_and_funded_words(tmp_path: Path, dovecot: Dovecot,
                                             smtp_capture: SmtpCapture) -> None:
    app = real_app(tmp_path, dovecot, smtp_capture)
    invoice = text_pdf(["Belkacem AMO (EI)", "Facture n° 2021-031 du 30/11/2021",
                        "Journée de sensibilisation 600,00 €",
                        "Débours : billet SNCF MARSEILLE ST CHARLES → PARIS GARE DE LYON",
                        "17/11/2021 dossier TQWZ4H 151,00 €", "Total HT 751,00 €",
                        "Net à payer 751,00 €"])
    dovecot.append("bot", "INBOX", proof_mail(subject="billet", message_id="<dup1@orange.fr>",
                                              files=[File("billet.pdf", ticket_pdf())]))
    asyncio.run(app.run_once())
    dovecot.multiappend("bot", "INBOX", [
        proof_mail(subject="billet encore", message_id="<dup2@orange.fr>",
                   files=[File("billet (1).pdf", ticket_pdf(issued=date(2021, 11, 18)))]),
        proof_mail(subject="facture", message_id="<inv@orange.fr>",
                   text="Bonjour,\n\nla journée est prise en charge par la Région, je ne "
                        "facturerai que les billets.\n",
                   files=[File("HPF-2021-031.pdf", invoice), File("billet.pdf", ticket_pdf())]),
    ])
    asyncio.run(app.run_once())
    acks = by_subject(smtp_capture)
    assert f"sous le nom «{NB}billet.pdf{NB}»" in acks["<dup2@orange.fr>"]
    invoice_ack = acks["<inv@orange.fr>"]
    assert f"«{NB}HPF-2021-031.pdf{NB}»{NB}: facture, montant lu{NB}: 751,00{NB}€" in invoice_ack
    assert "cette journée est financée par ailleurs" in invoice_ack
    assert f"«{NB}billet.pdf{NB}»{NB}: billet de train reçu le" in invoice_ack  # once only
    with Session(app.engine) as s:
        d = dossier_for(s, app.settings, KARIM)
        assert d is not None and d.funded_elsewhere
        assert d.tickets_total_eur == 151 and len(d.tickets) == 2  # the ticket once, never thrice


def test_fifteen_forwards_in_an_afternoon_are_all_acknowledged(
        tmp_path: Path, dovecot: Dovecot, smtp_capture: SmtpCapture) -> None:
    app = real_app(tmp_path, dovecot, smtp_capture)
    raws = [proof_mail(subject=f"TR: merci {n}", message_id=f"<merci{n}@orange.fr>",
                       text=(f"Bonjour,\n\n---------- Forwarded message ---------\n"
                             f"De : Habitante {n} <habitante{n}@gmail.com>\nSubject: Merci\n\n"
                             f"Merci beaucoup pour la réunion {n} !\n")) for n in range(15)]
    for raw in raws:  # one by one, as she forwards them
        dovecot.append("bot", "INBOX", raw)
        asyncio.run(app.run_once())
    cap = app.settings.bot.max_replies_per_address_per_day
    assert len(smtp_capture.wait_for(cap)) == cap
    with Session(app.engine) as s:
        assert grouped.run(s, app.services, utcnow() + grouped.QUIET + timedelta(seconds=1)) \
            .startswith("1")
        s.commit()
    asyncio.run(app.run_once())
    mails = smtp_capture.wait_for(cap + 1)
    [group] = [m for m in mails if m.message["Subject"] == "[QPV] Vos derniers justificatifs sont bien classés"]
    text = body(group)
    assert all(f"habitante{n}@gmail.com" in text for n in range(cap, 15))
    assert group.message["Auto-Submitted"] == "auto-replied" and group.rcpt_tos == [KARIM]
