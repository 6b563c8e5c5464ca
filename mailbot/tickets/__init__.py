"""Read train tickets: legs, prices, dates, stations, booking references.

Two entry points, both pure (no I/O) and typed:

* `extract_from_pdf_text` for the text of a PDF ticket (see
  `mailbot.proofs.pdftext.pdf_text`);
* `extract_from_email` for booking emails that carry no PDF (OUI.sncf,
  SNCF Connect, OUIGO, Trainline confirmations, possibly forwarded).

Each returns a `TicketResult` (which reader matched, the `Leg`s, French
problems for the acknowledgement) or None when the input is not a train
ticket at all.

How a document is read:

1. structured data first, for mails (JSON-LD, microdata: `combine.structured`);
2. the layout-agnostic reader (`mailbot.tickets.anytext`) over the PDF text,
   the HTML rendering and the text/plain part;
3. the per-layout readers of `PDF_LAYOUTS` / `EMAIL_LAYOUTS` (the first whose
   ``match`` is true), kept as refinements;
4. the reading with the most legs fully read wins (earlier on ties), its
   unread fields completed from the others (`mailbot.tickets.combine`); it
   carries the name of the layout that matched, else ``"any"``.

An SNCF Aztec payload given as text (``i0CV…``) is read by
`mailbot.tickets.barcode`. Amount conventions (fees excluded, return trips,
totals) are documented in `mailbot.tickets.model`; date conventions in
`mailbot.tickets.dates`; the carrier is the train's operator (``SNCF``,
``OUIGO``, ``Intercités``, ``TER``), a reseller (``Trainline``) only when no
train is named.
"""

from __future__ import annotations

from datetime import date

from mailbot.tickets import barcode, combine, generic
from mailbot.tickets.anytext import head, read_any
from mailbot.tickets.base import EmailInput, EmailLayout, PdfLayout
from mailbot.tickets.microdata import microdata_items
from mailbot.tickets.references import booking_reference
from mailbot.tickets.model import FIELD_LABELS, REQUIRED_FIELDS, Leg, TicketResult
from mailbot.tickets.ouigo import OuigoEmail, OuigoPdf
from mailbot.tickets.regional import INTERCITES, TER
from mailbot.tickets.sncf_connect import SncfConnectEmail
from mailbot.tickets.sncf_inoui import SncfInoui
from mailbot.tickets.sncf_legacy import SncfLegacy
from mailbot.tickets.text import lines_of, money_summary, normalize
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
        The best reading (see `mailbot.tickets.combine`) of the layout
        reader that matches, if any, and of the layout-agnostic reader; a
        ``layout=None`` result with the problem "format de billet non
        reconnu" when the text looks like a train ticket that neither could
        read; None when it is not a ticket.
    """
    clean = head(normalize(text[:MAX_TEXT_CHARS]))
    if barcode.is_payload(clean):
        return barcode.read_payload(clean, message_date=message_date)
    layout = next((lay.extract(clean, message_date=message_date)
                   for lay in PDF_LAYOUTS if lay.match(clean)), None)
    agnostic = read_any(clean, message_date=message_date)
    chosen = combine.fill(combine.best(agnostic, layout), agnostic, layout)
    if chosen is not None:
        return combine.named(chosen, layout)
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

    Structured data (JSON-LD, microdata) comes first, completed by the body;
    then the layout reader that matches, the layout-agnostic reader over the
    HTML rendering and over the text/plain part; the best reading wins (see
    `mailbot.tickets.combine`).

    ``sender`` is the From address (of the original mail when known, else of
    the forward, None when unknown); ``text`` and ``html`` are the bodies (""
    when absent); ``message_date`` anchors year-less dates. Returns the best
    reading, or None when the email is not a booking confirmation.
    """
    mail = EmailInput.build(
        sender=sender,
        subject=subject,
        text=text[:MAX_TEXT_CHARS],
        html=html,
        message_date=message_date,
    )
    hint = f"{mail.sender}\n{mail.subject}"
    layout = next((lay.extract(mail) for lay in EMAIL_LAYOUTS if lay.match(mail)), None)
    from_html = read_any(mail.doc.text, message_date=message_date, hint=hint) if mail.doc.text else None
    from_text = read_any(mail.text, message_date=message_date, hint=hint) if mail.text else None
    body = combine.best(from_html, from_text)
    items = microdata_items(mail.html)
    fees = money_summary(lines_of(head(mail.body))).fees
    pnr = booking_reference(head(mail.body))
    data = combine.structured(mail.doc.json_ld, items, body, fees, pnr)
    chosen = combine.best(data, from_html, from_text, layout)
    return combine.named(combine.fill(chosen, data, from_html, from_text, layout), layout)
