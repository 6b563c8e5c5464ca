"""Ticket PDFs drawn with reportlab, one function per layout family.

Each cell is its own text object (as real generators do); fonts, column
order, line breaks and spellings come from the document's `Style`. Every
function takes a random source and a `Trip` and returns ``(pdf bytes,
expected legs)``.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from babel.dates import format_date
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from tests.support.ticketgen import noise
from tests.support.ticketgen.trips import TRAINS, Style, Trip

Expected = list[dict[str, str | None]]

_TTF = {"DejaVu": "DejaVuSans.ttf", "DejaVuSerif": "DejaVuSerif.ttf"}
_TTF_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _font(name: str) -> str:
    if name not in _TTF:
        return name
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    path = _TTF_DIR / _TTF[name]
    if not path.exists():
        return "Helvetica"
    pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


class Page:
    """Rows of cells at x positions; ``row`` moves down."""

    def __init__(self, style: Style) -> None:
        self.buf = io.BytesIO()
        self.font = _font(style.font)
        self.c = canvas.Canvas(self.buf, pagesize=A4)
        self.y = 800.0

    def row(self, *cells: tuple[float, str], size: float = 10, gap: float = 15) -> None:
        for x, text in cells:
            if self.font in _TTF:
                shown = text
            else:  # the standard fonts have no U+202F
                shown = text.replace("\u202f", "\u00a0").replace("→", "->")
            self.c.setFont(self.font, size)
            self.c.drawString(x, self.y, shown)
        self.y -= gap
        if self.y < 60:
            self.c.showPage()
            self.y = 800.0

    def noise(self, lines: list[str]) -> None:
        for line in lines:
            self.row((40, line), size=7, gap=11)

    def done(self) -> bytes:
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def _train(trip: Trip, index: int, segment: int = 0) -> str:
    leg = trip.legs[index]
    return f"{TRAINS[leg.train][0]} {leg.numbers[segment]}"


def legacy(rng: random.Random, trip: Trip, style: Style) -> tuple[bytes, Expected]:
    """"VOTRE CONFIRMATION E-BILLET": ``A / B  price``, ``15/07 à 17h50``."""
    style.upper = True
    style.date_form = "dd/MM/y" if style.year_printed else "dd/MM"
    page = Page(style)
    page.row((40, "VOTRE CONFIRMATION E-BILLET"), size=14, gap=26)
    last, first = trip.passenger.upper().split(" ", 1)[::-1] if " " in trip.passenger else (trip.passenger, "")
    for index, leg in enumerate(trip.legs):
        a, b = style.station(leg.stops[0].station), style.station(leg.stops[-1].station)
        price = style.price(leg.price)
        if style.pair_on_one_line:
            page.row((50, f"{a} / {b}        {price}"))
        else:
            page.row((50, f"{a} / {b}"), (430, price))
        page.row((40, "Nom :"), (90, last), (330, f"DOSSIER VOYAGE : {trip.reference}"))
        page.row((40, "Prénom :"), (90, first), (330, "Référence client : 0011223344556677889"))
        page.row((50, "Départ / Arrivée"), (220, "Date / Heure"), (360, f"TRAIN N°{leg.numbers[0]}"))
        when = leg.day.strftime("%d/%m/%Y" if style.year_printed else "%d/%m")
        for number, stop in enumerate(leg.stops):
            extra = "VOITURE 13 - PLACE 31" if number == 0 else "1e CLASSE / PLACE ASSISE"
            page.row((50, style.station(stop.station)), (220, f"{when} à {style.time(stop.time)}"),
                     (360, extra))
        page.row((40, "E-Billet valable uniquement sur ce train"), size=8, gap=24)
    if trip.fee:
        page.row((40, "Frais de service"), (430, style.price(trip.fee)))
    page.row((40, "Présence à quai obligatoire 2 mn avant départ."), size=7)
    return page.done(), trip.expected(style, carrier="SNCF")


def connect(rng: random.Random, trip: Trip, style: Style) -> tuple[bytes, Expected]:
    """SNCF Connect e-billet: two-column passenger/reference, then per leg
    ALLER/RETOUR, the date, times and stations (in either column order)."""
    page = Page(style)
    page.row((40, "E-BILLET"), size=16, gap=20)
    page.row((40, "SNCF"), (90, "VOYAGEURS"), gap=20)
    page.row((40, "PASSAGER"), (300, "Référence de dossier"), size=8)
    page.row((40, trip.passenger.upper()), (300, trip.reference), size=12, gap=18)
    page.row((40, "Carte : aucune"), (300, f"Émis le {trip.issued:%d/%m/%Y}"), size=8, gap=22)
    per_leg = len(trip.legs) == 1 or not style.extra.get("b")
    for index, leg in enumerate(trip.legs):
        page.row((40, "ALLER" if index == 0 else "RETOUR"), size=9)
        page.row((40, style.day(leg.day)), size=12, gap=18)
        stops = leg.stops
        if style.swap_columns:
            for stop in stops:
                page.row((40, style.time(stop.time)), (110, style.station(stop.station)))
        elif style.extra.get("d"):  # one text object per row, columns as runs of spaces
            page.row((40, "     ".join(style.time(s.time) for s in stops)))
            page.row((40, "     ".join(style.station(s.station) for s in stops)))
        else:
            page.row(*[(40 + 60 * i, style.time(s.time)) for i, s in enumerate(stops)])
            page.row(*[(40 + 130 * i, style.station(s.station)) for i, s in enumerate(stops)])
        page.row((40, f"{_train(trip, index)}"), (200, "Voiture 16 - Place 105"), (380, "2nde classe"))
        page.noise(noise.inside(rng))
        if per_leg:
            page.row((40, f"Prix : {style.price(leg.price)}"), gap=22)
    if trip.fee:
        page.row((40, "Frais de service"), (300, style.price(trip.fee)))
    page.row((40, f"Prix total : {style.price(trip.total)}"))
    page.noise(noise.outside(rng))
    return page.done(), trip.expected(style, per_leg_prices=per_leg)


def ouigo(rng: random.Random, trip: Trip, style: Style) -> tuple[bytes, Expected]:
    """OUIGO: "Référence de votre réservation", ``06:28 Gare`` lines,
    per-leg price, "Montant total payé"."""
    page = Page(style)
    page.row((40, "OUIGO"), size=18, gap=24)
    label = "Référence de votre réservation :" if style.extra.get("c") else "Votre numéro de réservation est :"
    if style.pair_on_one_line:
        page.row((40, f"{label} {trip.reference}"))
    else:
        page.row((40, label))
        page.row((40, trip.reference), size=14)
    page.row((40, f"Voyageur : {trip.passenger}"), (300, f"Réservé le {trip.issued:%d/%m/%Y}"), gap=20)
    page.noise(noise.outside(rng))
    for index, leg in enumerate(trip.legs):
        page.row((40, "ALLER" if index == 0 else "RETOUR"), size=9)
        page.row((40, style.day(leg.day)), size=12)
        for number, stop in enumerate(leg.stops):
            if style.swap_columns:
                page.row((40, style.station(stop.station)), (260, style.time(stop.time)))
            else:
                page.row((40, f"{style.time(stop.time)} {style.station(stop.station)}"))
            if number % 2 == 0:
                page.row((60, f"Train N° {leg.numbers[number // 2]}"), (200, "Voiture 5 Place 42"), size=8)
        page.row((380, f" {style.price(leg.price)}"), gap=20)
    if trip.fee:
        page.row((40, "Frais de service"), (380, style.price(trip.fee)))
    page.row((40, "Montant total payé :"), (380, style.price(trip.total)))
    page.noise(noise.outside(rng))
    return page.done(), trip.expected(style, carrier="OUIGO")


def secutix(rng: random.Random, trip: Trip, style: Style) -> tuple[bytes, Expected]:
    """TER/Intercités (Secutix): right column NOM / Prénom / issue date and
    ``REF :``; left column ``d MMMM yyyy`` then stops and train."""
    page = Page(style)
    first, _, last = trip.passenger.partition(" ")
    label = "PAO" if style.extra.get("c") else "REF"
    page.row((330, last.upper()), size=11)
    page.row((330, first))
    page.row((330, f"{trip.issued:%d/%m/%Y} {label} : {trip.reference}"), gap=24)
    for index, leg in enumerate(trip.legs):
        page.row((40, style.day(leg.day, "d MMMM y")), size=12, gap=18)
        for number, stop in enumerate(leg.stops):
            page.row((40, f"{style.time(stop.time)} {style.station(stop.station)}"))
            if number % 2 == 0:
                page.row((60, _train(trip, index, number // 2)), size=8)
                page.row((60, "Opéré par SNCF Voyageurs"), size=8)
        page.row((40, f"Prix : {style.price(leg.price)}"), gap=22)
    page.row((40, f"Total : {style.price(trip.total)}"))
    page.noise(noise.outside(rng))
    return page.done(), trip.expected(style)


def intercites_ebillet(rng: random.Random, trip: Trip, style: Style) -> tuple[bytes, Expected]:
    """An Intercités e-billet with labelled fields (``Trajet : A → B``,
    ``Date du voyage``, ``Départ 06h28 - Arrivée 09h10``, ``Tarif``)."""
    page = Page(style)
    page.row((40, "INTERCITÉS"), (300, "E-BILLET"), size=16, gap=22)
    page.row((40, f"Dossier : {trip.reference}") if style.extra.get("c") else
             (40, f"Référence : {trip.reference}"))
    page.row((40, f"Titulaire : {trip.passenger}"), gap=20)
    for index, leg in enumerate(trip.legs):
        a, b = style.station(leg.stops[0].station), style.station(leg.stops[-1].station)
        page.row((40, f"Trajet {index + 1}"), size=9)
        if style.pair_on_one_line:
            page.row((40, f"{a}{style.arrow}{b}"), size=12)
        else:
            page.row((40, f"De : {a}"), size=12)
            page.row((40, f"À : {b}"), size=12)
        page.row((40, f"Date du voyage : {style.day(leg.day)}"))
        times = f"Départ {style.time(leg.stops[0].time)} - Arrivée {style.time(leg.stops[-1].time)}"
        page.row((40, times), (300, f"Train {_train(trip, index)}"))
        page.row((40, "Tarif :"), (300, style.price(leg.price)), gap=22)
        page.noise(noise.inside(rng))
    page.row((40, "Montant total :"), (300, style.price(trip.total)))
    return page.done(), trip.expected(style)


def justificatif(rng: random.Random, trip: Trip, style: Style) -> tuple[bytes, Expected]:
    """SNCF "justificatif de voyage" (for expense claims): ``Réf :``,
    ``Voyageur 1 : NOM - Carte…``, one ``Aller : A - B`` line per journey,
    ``Le 17/11/2021 à 06h28``, the train, the price, a TTC total with VAT."""
    page = Page(style)
    page.row((40, "JUSTIFICATIF DE VOYAGE"), size=14, gap=22)
    page.row((40, f"Réf : {trip.reference}"), (300, f"Émis le {trip.issued:%d/%m/%Y}"))
    page.row((40, f"Voyageur 1 : {trip.passenger.upper()} - Carte Avantage Adulte"), gap=20)
    for index, leg in enumerate(trip.legs):
        a, b = style.station(leg.stops[0].station), style.station(leg.stops[-1].station)
        label = "Aller" if index == 0 else "Retour"
        page.row((40, f"{label} : {a} - {b}"), size=11)
        when = format_date(leg.day, "dd/MM/y", locale="fr_FR") if style.extra.get("c") else style.day(leg.day)
        page.row((40, f"Le {when} à {style.time(leg.stops[0].time)}"))
        page.row((40, f"{_train(trip, index)} - 2nde classe"))
        page.row((40, f"Prix : {style.price(leg.price)}"), gap=20)
    if trip.fee:
        page.row((40, f"Frais de service : {style.price(trip.fee)}"))
    page.row((40, f"Montant total TTC : {style.price(trip.total)}"))
    page.row((40, "dont TVA 10 % : 7,18 €"), size=8)
    page.noise(noise.outside(rng))
    return page.done(), trip.expected(style)
