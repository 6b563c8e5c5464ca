"""Proof messages and proof documents built in tests (issue 3).

`proof_mail` writes a message the way a webmail would: From, our server's
Authentication-Results, a text part, attachments (inline images with a
Content-ID inside multipart/related when asked). Hostile filenames are written
raw into the Content-Disposition, as a hostile client would. The documents are
real PDFs made with reportlab (`tests.support.ticketpdfs.text_pdf`), a DOCX made with
zipfile, and a JPEG-looking photo of any size.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone

from tests.support.ticketpdfs import LegSpec, sncf_inoui_pdf, text_pdf

AUTHSERV = "mx.habitatparticipatif-france.fr"


@dataclass(frozen=True)
class File:
    """One attachment: bytes, name, declared type; inline with a Content-ID when asked."""

    name: str
    data: bytes
    ctype: str = "application/pdf"
    inline: bool = False
    raw_name: str | None = None  # written verbatim into Content-Disposition (hostile names)


def auth_results(domain: str, dmarc: str = "pass", spf: str = "pass", dkim: str = "pass") -> str:
    return (f"{AUTHSERV}; dkim={dkim} header.d={domain}; spf={spf} smtp.mailfrom=x@{domain}; "
            f"dmarc={dmarc} header.from={domain}")


def proof_mail(*, sender: str = "karim.belkacem@orange.fr", name: str = "Karim Belkacem",
               subject: str = "Justificatifs", text: str = "Bonjour,\n\nci-joint mes justificatifs.\n",
               files: tuple[File, ...] | list[File] = (), dmarc: str = "pass",
               extra_ar: list[str] | None = None, message_id: str | None = None,
               when: datetime | None = None, html: str | None = None) -> bytes:
    """A proof message to the bot, as bytes (CRLF)."""
    msg = EmailMessage()
    domain = sender.rpartition("@")[2]
    for header in extra_ar or []:
        msg["Authentication-Results"] = header
    msg["Authentication-Results"] = auth_results(domain, dmarc=dmarc)
    msg["From"] = f"{name} <{sender}>" if name else sender
    msg["To"] = "preuves-qpv@habitatparticipatif-france.fr"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when or datetime(2021, 11, 20, 9, 30, tzinfo=timezone.utc))
    msg["Message-ID"] = message_id or make_msgid(domain=domain)
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    inline = [f for f in files if f.inline]
    if inline:
        html_part = msg.get_body(("html",)) or msg
        if html_part is msg:
            msg.add_alternative(f"<p>{text}</p>" + "".join(
                f'<img src="cid:{f.name}">' for f in inline), subtype="html")
            html_part = msg.get_body(("html",))
        assert html_part is not None
        for f in inline:
            maintype, subtype = f.ctype.split("/")
            html_part.add_related(f.data, maintype=maintype, subtype=subtype, cid=f"<{f.name}>",
                                  filename=f.name, disposition="inline")
    for f in files:
        if f.inline:
            continue
        maintype, subtype = f.ctype.split("/")
        msg.add_attachment(f.data, maintype=maintype, subtype=subtype, filename=f.name)
        if f.raw_name is not None:
            part = list(msg.iter_attachments())[-1]
            part.replace_header("Content-Disposition", f'attachment; filename="{f.raw_name}"')
            part.set_param("name", f.raw_name, header="Content-Type")
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


# --- documents ------------------------------------------------------------------------------


def attendance_pdf(place: str = "Maison des habitants") -> bytes:
    return text_pdf(["FEUILLE D'ÉMARGEMENT", f"Atelier habitat participatif - {place}",
                     "vendredi 26 novembre 2021", "Nom Prénom   Structure   Signature",
                     "Benali Yasmina   Habitante", "Garnier Paul   Habitant"])


def mission_form_pdf(funded: str = "Non") -> bytes:
    return text_pdf(["AMI Habitat participatif en QPV",
                     "Formulaire de mission - action de sensibilisation (AMO)",
                     "À retourner avec les justificatifs (mail de remerciement, compte-rendu, "
                     "feuille d'émargement) et la facture.",
                     "Nom de l'AMO : Karim Belkacem", f"Action financée par ailleurs : {funded}"])


def report_pdf() -> bytes:
    return text_pdf(["Compte-rendu - réunion de sensibilisation", "Date : 22 novembre 2021",
                     "Lieu : centre social", "Échanges", "Présentation de l'habitat participatif."])


def invoice_pdf(amount: str = "751,00 €") -> bytes:
    return text_pdf(["Belkacem AMO (EI)", "13001 Marseille", "FACTURE N° 2021-031",
                     "Date : 30/11/2021", "Désignation   Qté   PU HT   Total HT",
                     "Journée de sensibilisation   1   600,00 €   600,00 €",
                     "Billets de train (débours)   151,00 €", f"Montant HT   {amount}",
                     "TVA non applicable, art. 293 B du CGI", f"Net à payer   {amount}"])


MARSEILLE = LegSpec("MARSEILLE ST CHARLES", "PARIS GARE DE LYON", date(2021, 11, 17),
                    depart="06h52", arrive="10h10", price="79,00 €", train="6102")
PARIS = LegSpec("PARIS GARE DE LYON", "MARSEILLE ST CHARLES", date(2021, 11, 17),
                depart="19h37", arrive="22h53", price="72,00 €", train="6191")


def ticket_pdf(reference: str = "TQWZ4H", issued: date = date(2021, 11, 5)) -> bytes:
    """An SNCF e-billet (inOui layout): Marseille-Paris return, 79 + 72 €."""
    return sncf_inoui_pdf(legs=[MARSEILLE, PARIS], reference=reference, issued=issued,
                          total="151,00 €")


def docx(paragraphs: list[str]) -> bytes:
    """A minimal Word document."""
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
           f'openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"><Override PartName="/word/'
                   'document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", xml)
    return buf.getvalue()


def photo(size: int) -> bytes:
    """JPEG magic, random bytes and the end-of-image marker: sniffed as a complete JPEG,
    never decoded."""
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return head + os.urandom(max(0, size - len(head) - 2)) + b"\xff\xd9"


def logo() -> bytes:
    """A small real PNG (1x1)."""
    return bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
