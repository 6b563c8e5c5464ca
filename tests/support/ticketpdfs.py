"""Realistic train-ticket PDFs built with reportlab, for tests.

One builder per PDF layout read by `mailbot.tickets`, each returning the PDF
bytes. Fields are parameters so tests can assert what comes back; prices are
passed as the exact text to print ("35,00 EUR", " 19.00€", "87,00\\u202f€"),
so every spelling can be exercised. Each cell is drawn as its own text
object, as real generators do, which makes pypdf put most cells on their own
line: readers must cope with that.

Also: hostile or useless files (encrypted, empty, HTML named .pdf, truncated,
text-less scan) and `minimal_pdf`, a hand-written PDF writer for streams that
reportlab would not produce (decompression bombs).
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from babel.dates import format_date
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.lib.pdfencrypt import StandardEncryption

__all__ = [
    "LegSpec",
    "empty_pdf",
    "encrypted_pdf",
    "flate",
    "html_as_pdf",
    "inoui_compact_pdf",
    "intercites_pdf",
    "minimal_pdf",
    "multipage_pdf",
    "ouigo_pdf",
    "scanned_pdf",
    "sncf_inoui_pdf",
    "sncf_legacy_pdf",
    "ter_pdf",
    "text_pdf",
    "truncated_pdf",
]

_DEJAVU = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)


def _font() -> str:
    """A font that can draw U+202F (DejaVu when installed), else Helvetica."""
    if "TicketSans" in pdfmetrics.getRegisteredFontNames():
        return "TicketSans"
    for path in _DEJAVU:
        if path.exists():
            pdfmetrics.registerFont(TTFont("TicketSans", str(path)))
            return "TicketSans"
    return "Helvetica"


def _printable(text: str, font: str) -> str:
    # Helvetica (WinAnsi) has no U+202F; a no-break space is the closest.
    return text if font != "Helvetica" else text.replace("\u202f", "\u00a0")


@dataclass(frozen=True)
class LegSpec:
    """One journey to print. ``price`` is the exact text printed for it, or
    None to print no per-leg price."""

    origin: str
    destination: str
    day: date
    depart: str = "17h50"
    arrive: str = "19h58"
    price: str | None = "35,00 EUR"
    train: str = "6857"
    coach: str = "13"
    seat: str = "31"


@dataclass
class _Doc:
    """A page writer: ``cell`` draws one text object; ``row`` moves down."""

    encrypt: StandardEncryption | None = None
    buf: io.BytesIO = field(default_factory=io.BytesIO)
    y: float = 800.0

    def __post_init__(self) -> None:
        self.font = _font()
        self.canvas = canvas.Canvas(self.buf, pagesize=A4, encrypt=self.encrypt)
        self.canvas.setTitle("e-billet")
        self.canvas.setFont(self.font, 10)

    def cell(self, x: float, text: str, size: float = 10) -> None:
        self.canvas.setFont(self.font, size)
        self.canvas.drawString(x, self.y, _printable(text, self.font))

    def row(self, *cells: tuple[float, str], size: float = 10, gap: float = 16) -> None:
        for x, text in cells:
            self.cell(x, text, size)
        self.y -= gap
        if self.y < 60:
            self.new_page()

    def new_page(self) -> None:
        self.canvas.showPage()
        self.canvas.setFont(self.font, 10)
        self.y = 800.0

    def bytes(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buf.getvalue()


def _long_date(day: date, *, weekday: bool = True) -> str:
    pattern = "EEEE d MMMM y" if weekday else "d MMMM y"
    text = format_date(day, pattern, locale="fr_FR")
    return text[0].upper() + text[1:] if weekday else text


# --- SNCF legacy "VOTRE CONFIRMATION E-BILLET" -------------------------------


def sncf_legacy_pdf(
    *,
    legs: Sequence[LegSpec],
    reference: str = "XXX007",
    name: str = "DOE",
    first_name: str | None = None,
    with_year: bool = False,
    fees: str | None = None,
    total: str | None = None,
    price_same_line: bool = False,
) -> bytes:
    """The legacy e-billet: per journey ``ORIGIN / DESTINATION  price``, the
    ``Nom`` / ``DOSSIER VOYAGE`` line and the departure/arrival table with
    ``15/07 à 17h50`` dates (``15/07/2021 à 17h50`` when ``with_year``)."""
    doc = _Doc()
    doc.row((40, "VOTRE CONFIRMATION E-BILLET"), size=14, gap=28)
    for leg in legs:
        when = "%d/%m/%Y" if with_year else "%d/%m"
        day = leg.day.strftime(when)
        header = f"{leg.origin} / {leg.destination}"
        if leg.price is not None and price_same_line:
            doc.row((50, f"{header}        {leg.price}"))
        elif leg.price is not None:
            doc.row((50, header), (420, leg.price))
        else:
            doc.row((50, header))
        name_cells: list[tuple[float, str]] = [(40, "Nom :"), (90, name)]
        if first_name:
            name_cells += [(170, "Prénom :"), (220, first_name)]
        doc.row(*name_cells, (330, f"DOSSIER VOYAGE : {reference}"))
        doc.row((50, "Départ / Arrivée"), (200, "Date / Heure"), (350, f"TRAIN N°{leg.train}"))
        doc.row(
            (50, leg.origin),
            (200, f"{day} à {leg.depart}"),
            (350, f"VOITURE {leg.coach} - PLACE {leg.seat}"),
        )
        doc.row((50, leg.destination), (200, f"{day} à {leg.arrive}"), gap=30)
    if fees is not None:
        doc.row((40, "Frais de service"), (420, fees))
    if total is not None:
        doc.row((40, "TOTAL"), (420, total))
    doc.row((40, "Ce e-billet est nominatif et incessible."), size=7)
    return doc.bytes()


# --- SNCF Connect e-billet (TGV INOUI), the corpus layout --------------------


def sncf_inoui_pdf(
    *,
    legs: Sequence[LegSpec],
    reference: str = "TQWZ4H",
    passenger: str = "KARIM BELKACEM",
    issued: date = date(2021, 11, 5),
    total: str | None = None,
    fees: str | None = None,
    train_label: str = "TGV INOUI",
) -> bytes:
    """The SNCF Connect e-billet: ``PASSAGER``/``Référence de dossier`` in
    two columns, then per journey ``ALLER``/``RETOUR``, the long date, the
    times, the stations, the train and ``Prix : 79,00 €``; then the total."""
    doc = _Doc()
    doc.row((40, "E-BILLET"), size=16, gap=20)
    doc.row((40, "SNCF"), (90, "VOYAGEURS"), gap=20)
    doc.row((40, "Ce billet est nominatif, personnel et incessible."), size=7)
    doc.row((40, "PASSAGER"), (300, "Référence de dossier"), size=8)
    doc.row((40, passenger), (300, reference), size=12, gap=18)
    doc.row((40, "Carte : aucune"), (300, f"Émis le {issued:%d/%m/%Y}"), size=8, gap=24)
    for number, leg in enumerate(legs):
        doc.row((40, "ALLER" if number == 0 else "RETOUR"), size=9)
        doc.row((40, _long_date(leg.day)), size=11)
        doc.row((40, leg.depart), (120, leg.arrive))
        doc.row((40, leg.origin), (300, leg.destination))
        doc.row((40, "Départ"), (300, "Arrivée"), size=7)
        doc.row(
            (40, f"{train_label} N° {leg.train}    Voiture {leg.coach} - Place {leg.seat}"
                 "    2nde classe"),
        )
        doc.row((40, "Tarif : Tarif Normal"), size=8)
        if leg.price is not None:
            doc.row((40, f"Prix : {leg.price}"), gap=24)
    if fees is not None:
        doc.row((40, f"Frais de service : {fees}"))
    if total is not None:
        doc.row((40, f"Prix total : {total}"))
    doc.row((40, "SNCF Voyageurs - Société anonyme - Siège : Saint-Denis (93200)."), size=7)
    return doc.bytes()


def inoui_compact_pdf(
    *,
    legs: Sequence[LegSpec],
    reference: str = "ABC123",
    passenger: str = "Marie Dupont",
    total: str | None = None,
) -> bytes:
    """The inOui left half described by KItinerary: ``15 juillet 2024`` /
    ``17h50 Toulouse Matabiau`` / ``TGV INOUI 6857 - Voiture 13 Haut - Place
    31`` / ``19h58 Montpellier Saint-Roch`` and a ``NN,NN EUR`` price."""
    doc = _Doc()
    doc.row((40, "e-billet"), (300, "TGV INOUI"), size=14, gap=24)
    doc.row((40, f"Passager : {passenger}"), (300, f"Référence dossier : {reference}"))
    doc.y -= 10
    for leg in legs:
        doc.row((40, _long_date(leg.day, weekday=False)), size=12)
        doc.row((40, f"{leg.depart} {leg.origin}"))
        doc.row((60, f"TGV INOUI {leg.train} - Voiture {leg.coach} Haut - Place {leg.seat}"), size=8)
        doc.row((40, f"{leg.arrive} {leg.destination}"))
        if leg.price is not None:
            doc.row((400, leg.price), gap=26)
    if total is not None:
        doc.row((40, "Total :"), (400, total))
    return doc.bytes()


# --- Regional (Secutix): TER and Intercités ----------------------------------


def _regional(
    *,
    brand: str,
    train_prefix: str,
    legs: Sequence[LegSpec],
    reference: str,
    label: str,
    surname: str,
    first_name: str,
    issued: date,
    total: str | None,
    bus_leg: int | None,
) -> bytes:
    doc = _Doc()
    # Right column first, as the issuing system draws it.
    top = doc.y
    doc.row((330, surname), size=11)
    doc.row((330, first_name), size=11)
    doc.row((330, f"{issued:%d/%m/%Y} {label} : {reference}"), size=9)
    doc.y = top
    doc.row((40, brand), size=14, gap=20)
    doc.row((40, "E-BILLET"), size=9, gap=60)
    for number, leg in enumerate(legs):
        train = f"CAR {leg.train}" if bus_leg == number else f"{train_prefix} {leg.train}"
        doc.row((40, _long_date(leg.day, weekday=False)), size=12)
        doc.row((40, leg.depart), (100, leg.origin))
        doc.row((100, train), size=8)
        doc.row((100, f"Voiture {leg.coach} - Place {leg.seat}"), size=8)
        doc.row((100, "Opéré par SNCF Voyageurs"), size=8)
        doc.row((40, leg.arrive), (100, leg.destination))
        doc.row((40, "Tarif : Plein tarif"), size=8)
        if leg.price is not None:
            doc.row((40, f"Prix : {leg.price}"), gap=24)
    if total is not None:
        doc.row((40, f"Montant total : {total}"))
    return doc.bytes()


def ter_pdf(
    *,
    legs: Sequence[LegSpec],
    reference: str = "ABC123",
    label: str = "REF",
    surname: str = "DUPONT",
    first_name: str = "Marie",
    issued: date = date(2024, 10, 12),
    total: str | None = None,
    bus_leg: int | None = None,
    brand: str = "TER Auvergne-Rhône-Alpes",
) -> bytes:
    """A TER ticket: ``NOM``/``Prénom``/``dd/MM/yyyy REF : ABC123`` on the
    right, date-headed journeys with ``TER 886512`` (``CAR …`` for
    ``bus_leg``) on the left. ``label`` may be ``"PAO"``."""
    return _regional(
        brand=brand, train_prefix="TER", legs=legs, reference=reference, label=label,
        surname=surname, first_name=first_name, issued=issued, total=total, bus_leg=bus_leg,
    )  # fmt: skip


def intercites_pdf(
    *,
    legs: Sequence[LegSpec],
    reference: str = "ICX4B7Q2",
    label: str = "PAO",
    surname: str = "MARTIN",
    first_name: str = "Paul",
    issued: date = date(2024, 10, 12),
    total: str | None = None,
) -> bytes:
    """An Intercités ticket, same system as TER, ``INTERCITÉS 3611`` trains."""
    return _regional(
        brand="Intercités", train_prefix="INTERCITÉS", legs=legs, reference=reference,
        label=label, surname=surname, first_name=first_name, issued=issued, total=total,
        bus_leg=None,
    )  # fmt: skip


# --- OUIGO ------------------------------------------------------------------


def ouigo_pdf(
    *,
    legs: Sequence[LegSpec],
    reference: str = "OQK7ZD",
    passenger: str = "Marie DUPONT",
    options: Iterable[tuple[str, str]] = (),
    total: str | None = None,
) -> bytes:
    """A OUIGO ticket: ``Votre numéro de réservation est : ABCDEF``, journeys
    with ``07h52 <gare>``, ``Train N° 7805``, ``Voiture 5 Place 42`` and a
    `` 19.00€`` price; ``options`` are (label, price) extras such as luggage."""
    doc = _Doc()
    doc.row((40, "OUIGO"), size=20, gap=28)
    doc.row((40, f"Bonjour {passenger.split()[0]},"))
    doc.row((40, f"Votre numéro de réservation est : {reference}"))
    doc.row((40, f"Voyageur : {passenger}"), gap=26)
    for number, leg in enumerate(legs):
        doc.row((40, "ALLER" if number == 0 else "RETOUR"), size=9)
        doc.row((40, format_date(leg.day, "EEEE d MMMM y", locale="fr_FR")), size=12)
        doc.row((40, f"{leg.depart} {leg.origin}"))
        doc.row((60, f"Train N° {leg.train}"), (200, f"Voiture {leg.coach} Place {leg.seat}"), size=8)
        doc.row((40, f"{leg.arrive} {leg.destination}"))
        if leg.price is not None:
            doc.row((420, leg.price), gap=24)
    for label, price in options:
        doc.row((40, label), (420, price))
    if total is not None:
        doc.row((40, f"Total payé : {total}"))
    return doc.bytes()


# --- Generic and hostile files ----------------------------------------------


def text_pdf(lines: Sequence[str], *, encrypt: StandardEncryption | None = None) -> bytes:
    """A one-page PDF with these lines of text."""
    doc = _Doc(encrypt=encrypt)
    for line in lines:
        doc.row((40, line))
    return doc.bytes()


def multipage_pdf(pages: int) -> bytes:
    """``pages`` pages, page n reading ``Page n``."""
    doc = _Doc()
    for number in range(1, pages + 1):
        doc.row((40, f"Page {number}"))
        doc.new_page()
    doc.canvas.save()
    return doc.buf.getvalue()


def encrypted_pdf(*, user_password: str = "secret", text: str = "DOSSIER VOYAGE : XXX007") -> bytes:
    """An RC4-128 encrypted PDF; with ``user_password=""`` it opens without
    a password (owner password only)."""
    encryption = StandardEncryption(user_password, ownerPassword="owner-pw", strength=128)
    return text_pdf([text], encrypt=encryption)


def empty_pdf() -> bytes:
    """A 0-byte "PDF" (a failed upload)."""
    return b""


def html_as_pdf() -> bytes:
    """A web page saved with a .pdf name."""
    return (
        b"<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
        b"<title>Mon billet - SNCF Connect</title></head>"
        b"<body><h1>Votre billet</h1><p>R\xc3\xa9f\xc3\xa9rence : TQWZ4H</p></body></html>\n"
    )


def truncated_pdf(data: bytes, keep: float = 0.5) -> bytes:
    """The first ``keep`` fraction of a PDF (an interrupted download)."""
    return data[: max(1, int(len(data) * keep))]


def scanned_pdf() -> bytes:
    """A page with graphics but no text layer (like a scan)."""
    doc = _Doc()
    doc.canvas.rect(50, 400, 300, 200, fill=1)
    doc.canvas.circle(300, 300, 50)
    return doc.bytes()


def minimal_pdf(content: bytes, *, filters: str = "/FlateDecode", length: int | None = None) -> bytes:
    """A one-page PDF written by hand whose page content stream is exactly
    ``content`` (already encoded with ``filters``), with a correct xref."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter %s >>\nstream\n" % (length if length is not None else len(content),
                                                     filters.encode())
        + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))  # fmt: skip
    return out.getvalue()


def flate(data: bytes) -> bytes:
    """zlib-compress ``data`` (helper for `minimal_pdf`)."""
    return zlib.compress(data)
