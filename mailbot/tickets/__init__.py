"""Read train tickets: legs, prices, dates, stations, booking references.

Two entry points, both pure (no I/O) and typed:

* `extract_from_pdf_text` for the text of a PDF ticket (see
  `mailbot.proofs.pdftext.pdf_text`);
* `extract_from_email` for booking emails that carry no PDF (OUIGO,
  Trainline and SNCF Connect confirmations, possibly forwarded).

Each returns a `TicketResult` (which reader matched, the `Leg`s, French
problems for the acknowledgement) or None when the input is not a train
ticket at all.

Readers are tried in the order of `PDF_LAYOUTS` / `EMAIL_LAYOUTS`; the first
whose ``match`` is true wins. To support a new layout, write a module with a
reader class (``name``, ``match``, ``extract``; see
`mailbot.tickets.base`) and insert an instance in the right place: more
specific detectors first.

Amount conventions (fees excluded, return trips, totals) are documented in
`mailbot.tickets.model`; date conventions in `mailbot.tickets.dates`.
"""

from __future__ import annotations

from datetime import date

from mailbot.tickets import generic
from mailbot.tickets.base import EmailInput, EmailLayout, PdfLayout
from mailbot.tickets.model import FIELD_LABELS, REQUIRED_FIELDS, Leg, TicketResult
from mailbot.tickets.ouigo import OuigoEmail, OuigoPdf
from mailbot.tickets.regional import INTERCITES, TER
from mailbot.tickets.sncf_connect import SncfConnectEmail
from mailbot.tickets.sncf_inoui import SncfInoui
from mailbot.tickets.sncf_legacy import SncfLegacy
from mailbot.tickets.text import normalize
from mailbot.tickets.trainline import TrainlineEmail

__all__ = [
    "EMAIL_LAYOUTS",
    "FIELD_LABELS",
    "Leg",
    "PDF_LAYOUTS",
    "REQUIRED_FIELDS",
    "TicketResult",
    "extract_from_email",
    "extract_from_pdf_text",
]

#: PDF readers, most specific first.
PDF_LAYOUTS: tuple[PdfLayout, ...] = (
    SncfLegacy(),  # "VOTRE CONFIRMATION E-BILLET" / "DOSSIER VOYAGE :"
    OuigoPdf(),  # "OUIGO" + "numéro de réservation"
    SncfInoui(),  # "TGV INOUI", or "E-BILLET" + "SNCF" + "Référence de dossier"
    INTERCITES,  # "INTERCITÉS" + "REF :"/"PAO :" (Secutix)
    TER,  # "TER" + "REF :"/"PAO :" (Secutix)
)

#: Email readers, most specific first.
EMAIL_LAYOUTS: tuple[EmailLayout, ...] = (
    SncfConnectEmail(),  # data-select="travel-summary-…", or connect.sncf sender
    OuigoEmail(),  # ouigo.com sender or address, or OUIGO + reference
    TrainlineEmail(),  # trainline sender, or Trainline + JSON-LD/reference
)

#: Text beyond this many characters is not read (a ticket is a page or two).
MAX_TEXT_CHARS = 200_000


def extract_from_pdf_text(text: str, *, message_date: date | None) -> TicketResult | None:
    """Read the legs of a ticket from the text of a PDF.

    Args:
        text: the PDF's text (as given by `mailbot.proofs.pdftext.pdf_text`).
        message_date: the date of the email that carried the PDF, used to
            complete year-less dates such as ``15/07``.

    Returns:
        The first matching reader's result; a ``layout=None`` result with
        the problem "format de billet non reconnu" when the text looks like
        a train ticket in no known layout; None when it is not a ticket.
    """
    clean = normalize(text[:MAX_TEXT_CHARS])
    for layout in PDF_LAYOUTS:
        if layout.match(clean):
            return layout.extract(clean, message_date=message_date)
    if generic.looks_like_ticket(clean):
        return generic.extract(clean, message_date=message_date)
    return None


def extract_from_email(
    *,
    sender: str | None,
    subject: str,
    text: str,
    html: str,
    message_date: date | None,
) -> TicketResult | None:
    """Read the legs of a booking email that carries no PDF ticket.

    Args:
        sender: the From address (of the original mail when known, else of
            the forward); None when unknown.
        subject: the subject.
        text: the plain-text body ("" when none).
        html: the HTML body ("" when none).
        message_date: the date of the message, for year-less dates.

    Returns:
        The first matching email reader's result, or None when the email is
        not a booking confirmation of a supported seller.
    """
    mail = EmailInput.build(
        sender=sender,
        subject=subject,
        text=text[:MAX_TEXT_CHARS],
        html=html,
        message_date=message_date,
    )
    for layout in EMAIL_LAYOUTS:
        if layout.match(mail):
            return layout.extract(mail)
    return None
