"""Blind PDF families: TER regional e-billets, TGV Lyria, an OCR'd scan and a
two-page e-billet with conditions between the outward connection via Paris
and the return. Each returns ``(pdf bytes, expected legs, message date)``.
"""

from __future__ import annotations

import random
from datetime import timedelta

from tests.support.ticketgen.blind.common import (PEOPLE, BLeg, Expected, day_text, euros, hhmm, make_leg, pnr,
                                                  price, travel_day, trip_dates)
from tests.support.ticketgen.pdfs import Page
from tests.support.ticketgen.trips import Style

#: brand, printed train label, stations (upper, title)
_BRANDS = (
    ("TER Hauts-de-France", "TER", ("AMIENS", "LILLE FLANDRES", "ARRAS", "BEAUVAIS", "ST QUENTIN", "CALAIS VILLE")),
    ("BreizhGo", "TER BreizhGo", ("RENNES", "BREST", "QUIMPER", "ST BRIEUC", "VANNES", "LORIENT")),
    ("Fluo Grand Est", "TER Fluo", ("STRASBOURG", "METZ VILLE", "NANCY VILLE", "COLMAR", "MULHOUSE VILLE")),
    ("Rémi Centre-Val de Loire", "Rémi", ("ORLEANS", "TOURS", "BLOIS CHAMBORD", "BOURGES", "CHARTRES")),
    ("liO Occitanie", "liO train", ("TOULOUSE MATABIAU", "MONTPELLIER ST ROCH", "NIMES CENTRE", "NARBONNE")),
    ("Aléop en Pays de la Loire", "TER Aléop", ("NANTES", "ANGERS ST LAUD", "LE MANS", "LA ROCHE SUR YON")),
)


def _style(rng: random.Random) -> Style:
    return Style.draw(rng)


def ter_regional(rng: random.Random) -> tuple[bytes, Expected, object]:
    """TER e-billet of a regional brand: ``DE : X  A : Y``, ``Départ 07h12``,
    a fare line with a discount card, ``Réf. dossier``/``PAO``; a return is
    priced per leg or, on an "aller-retour" fare, by one total."""
    brand, label, stations = rng.choice(_BRANDS)
    upper = rng.random() < .6
    a, b = rng.sample(stations, 2)
    if not upper:
        a, b = a.title().replace("St ", "Saint-"), b.title().replace("St ", "Saint-")
    first = travel_day(rng, (2022, 2023, 2024, 2025))
    back, issued, sent = trip_dates(rng, first)
    carte = rng.random() < .4
    legs = [make_leg(rng, first, a, b, f"{label} {rng.randint(830000, 889999)}", "TER", amount=price(rng, 4, 38))]
    if rng.random() < .5:
        legs.append(make_leg(rng, back, b, a, f"{label} {rng.randint(830000, 889999)}", "TER",
                             amount=price(rng, 4, 38)))
    total_only = len(legs) == 2 and rng.random() < .35
    ref, h = pnr(rng), rng.random() < .5
    page = Page(_style(rng))
    page.row((40, brand), (420, "E-BILLET"), size=14, gap=24)
    page.row((40, PEOPLE[rng.randrange(len(PEOPLE))].upper()), (330, f"{issued:%d/%m/%Y} "
             + rng.choice(("REF : ", "PAO : ", "Réf. dossier : ")) + ref), size=9, gap=20)
    page.row((40, "Aller-retour" if len(legs) == 2 else "Aller simple"), size=9)
    for leg in legs:
        page.row((40, f"Voyage du {day_text(rng, leg.day)}"), size=11, gap=17)
        (x, t0), (y, t1) = leg.stops
        if rng.random() < .5:
            page.row((40, f"DE : {x}"), (300, f"A : {y}"))
            page.row((40, f"Départ {hhmm(t0, h)}"), (300, f"Arrivée {hhmm(t1, h)}"))
        else:
            page.row((40, hhmm(t0, h)), (90, x))
            page.row((40, hhmm(t1, h)), (90, y))
        page.row((40, leg.trains[0]), (200, "2de classe"), (330, "Placement libre"), size=9)
        if carte:
            page.row((40, "Tarif : Carte Avantage Jeune (-30 %)"), size=9)
        if not total_only:
            page.row((40, "Prix :"), (120, euros(rng, leg.price)), gap=20)
    if total_only:
        page.row((40, "Prix total aller-retour :"), (200, euros(rng, sum(x.price for x in legs))))
    page.noise(["Billet valable le jour indiqué, à composter n'est pas nécessaire.",
                f"Émis le {issued:%d/%m/%Y} - Vente en ligne {brand}",
                "Échange et remboursement sans frais jusqu'à la veille du départ."])
    return page.done(), [x.expected(ref, not total_only) for x in legs], sent


_LYRIA = ("PARIS GARE DE LYON", "GENEVE", "LAUSANNE", "BALE CFF", "ZURICH HB", "DIJON VILLE", "MARSEILLE ST CHARLES")


def lyria(rng: random.Random) -> tuple[bytes, Expected, object]:
    """TGV Lyria e-billet: Swiss-style dates (12.03.2024), ``Dossier voyage``,
    ``Standard``/``1ère`` classes, ``EUR 79.00``."""
    a = "PARIS GARE DE LYON" if rng.random() < .7 else rng.choice(("DIJON VILLE", "MARSEILLE ST CHARLES"))
    b = rng.choice(_LYRIA[1:5])
    if rng.random() < .5:
        a, b = b, a
    first = travel_day(rng)
    back, issued, sent = trip_dates(rng, first)
    legs = [make_leg(rng, first, a, b, f"TGV Lyria {rng.randint(9200, 9799)}", "TGV Lyria")]
    if rng.random() < .5:
        legs.append(make_leg(rng, back, b, a, f"TGV Lyria {rng.randint(9200, 9799)}", "TGV Lyria"))
    ref = pnr(rng)
    page = Page(_style(rng))
    page.row((40, "TGV Lyria"), (400, "BILLET ÉLECTRONIQUE"), size=14, gap=24)
    page.row((40, "Dossier voyage :"), (140, ref), (330, f"Émis le {issued:%d.%m.%Y}"), gap=20)
    dotted = rng.random() < .6
    for leg in legs:
        (x, t0), (y, t1) = leg.stops
        when = f"{leg.day:%d.%m.%Y}" if dotted else day_text(rng, leg.day)
        page.row((40, "Date du voyage :"), (160, when))
        page.row((40, "Départ"), (100, x), (330, hhmm(t0)))
        page.row((40, "Arrivée"), (100, y), (330, hhmm(t1)))
        page.row((40, leg.trains[0]), (200, rng.choice(("Standard", "Standard 1ère", "Business 1ère"))),
                 (330, f"Voiture {rng.randint(1, 18)} Place {rng.randint(11, 96)}"), size=9)
        page.row((40, "Prix :"), (120, euros(rng, leg.price, rng.choice(("EUR {w}.{c}", "{w},{c} €")))), gap=20)
    page.noise(["Billet non échangeable après le départ.", "CFF SBB FFS - SNCF Voyageurs",
                "Présentez ce billet et une pièce d'identité lors du contrôle."])
    return page.done(), [x.expected(ref) for x in legs], sent


def _ocr(rng: random.Random, text: str) -> str:
    """Spacing as OCR leaves it: doubled spaces, space before punctuation."""
    out = []
    for word in text.split(" "):
        out.append(word)
        out.append(" " * rng.choice((1, 1, 1, 2, 3)))
    line = "".join(out).rstrip()
    return line.replace(" :", rng.choice((" :", ":", "  :"))).replace(",", rng.choice((",", ",", " ,")))


def ocr_scan(rng: random.Random) -> tuple[bytes, Expected, object]:
    """A scanned SNCF e-billet whose text layer came from OCR: each line one
    text run, spacing irregular, a few lines cut in two."""
    first = travel_day(rng, (2022, 2023, 2024))
    a, b = rng.sample(("PARIS MONTPARNASSE", "BORDEAUX ST JEAN", "LA ROCHELLE VILLE", "POITIERS", "TOURS",
                       "ANGOULEME", "NANTES", "RENNES"), 2)
    back, issued, sent = trip_dates(rng, first)
    legs = [make_leg(rng, first, a, b, f"TGV INOUI {rng.randint(8200, 8999)}", "SNCF")]
    if rng.random() < .5:
        legs.append(make_leg(rng, back, b, a, f"TGV INOUI {rng.randint(8200, 8999)}", "SNCF"))
    ref = pnr(rng)
    style = _style(rng)
    style.font = "Courier"
    page = Page(style)
    lines = ["E-BILLET", f"Référence de dossier : {ref}", f"Émis le {issued:%d/%m/%Y}"]
    for index, leg in enumerate(legs):
        (x, t0), (y, t1) = leg.stops
        lines += ["ALLER" if index == 0 else "RETOUR", day_text(rng, leg.day), f"{hhmm(t0, True)} {x}",
                  leg.trains[0] + " Voiture 6 Place 42", f"{hhmm(t1, True)} {y}", f"Prix : {euros(rng, leg.price)}"]
    lines += ["Échangeable sans frais jusqu'à 3 jours avant le départ", "Service client 3635"]
    for line in lines:
        page.row((40 + rng.randint(0, 6), _ocr(rng, line)), gap=14 + rng.randint(0, 4))
    return page.done(), [x.expected(ref) for x in legs], sent


def twopage_via_paris(rng: random.Random) -> tuple[bytes, Expected, object]:
    """Two-page e-billet: outward connection via Paris (two trains, changing
    station in Paris), a page of conditions full of dates and amounts, then
    the return on the last page."""
    a, b, via = rng.choice((("NANTES", "LYON PART DIEU", ("PARIS MONTPARNASSE 1 ET 2", "PARIS GARE DE LYON")),
                            ("LILLE EUROPE", "BORDEAUX ST JEAN", ("PARIS NORD", "PARIS MONTPARNASSE 1 ET 2")),
                            ("STRASBOURG", "RENNES", ("PARIS EST", "PARIS MONTPARNASSE 1 ET 2")),
                            ("METZ VILLE", "TOULOUSE MATABIAU", ("PARIS EST", "PARIS AUSTERLITZ"))))
    first = travel_day(rng)
    back, issued, sent = trip_dates(rng, first)
    ref, h = pnr(rng), rng.random() < .5
    legs = [make_leg(rng, first, a, b, f"TGV INOUI {rng.randint(5200, 8999)}", "SNCF", via=via,
                     second_train=f"TGV INOUI {rng.randint(5200, 8999)}")]
    if rng.random() < .6:
        legs.append(make_leg(rng, back, b, a, f"TGV INOUI {rng.randint(5200, 8999)}", "SNCF",
                             via=(via[1], via[0]), second_train=f"TGV INOUI {rng.randint(5200, 8999)}"))
    page = Page(_style(rng))
    for index, leg in enumerate(legs):
        if index:
            page.c.showPage()
            page.y = 800.0
            _conditions(rng, page, leg.day)
            page.c.showPage()
            page.y = 800.0
        page.row((40, "E-BILLET"), (330, f"Référence : {ref}"), size=13, gap=22)
        page.row((40, "ALLER" if index == 0 else "RETOUR"), (330, day_text(rng, leg.day)), gap=20)
        for seg in range(2):
            (x, t0), (y, t1) = leg.stops[2 * seg], leg.stops[2 * seg + 1]
            page.row((40, hhmm(t0, h)), (90, x), (330, leg.trains[seg]))
            page.row((40, hhmm(t1, h)), (90, y), (330, f"Voiture {rng.randint(1, 20)} - Place {rng.randint(1, 99)}"))
            if seg == 0:
                page.row((60, f"Correspondance à Paris - changement de gare ({rng.randint(50, 90)} min)"), size=8)
        page.row((40, "Prix du trajet :"), (160, euros(rng, leg.price)), gap=22)
    if len(legs) == 1:
        _conditions(rng, page, first)
    return page.done(), [x.expected(ref) for x in legs], sent


def _conditions(rng: random.Random, page: Page, day: object) -> None:
    later = day + timedelta(days=rng.randint(2, 20))  # type: ignore[operator]
    page.row((40, "CONDITIONS DE VOTRE BILLET"), size=11, gap=18)
    page.noise([f"Échangeable et remboursable sans frais jusqu'au {later:%d/%m/%Y}.",
                "Au-delà, une retenue de 19,00 € par passager est appliquée.",
                "Frais de changement de gare à Paris : non compris (métro, RER) - ticket t+ 2,15 €.",
                f"Offre soumise à conditions, valable du {day:%d/%m/%Y} au {later:%d/%m/%Y}.",
                "Garantie Voyage : 12,00 € - non souscrite.",
                "PARIS NORD → PARIS GARE DE LYON : RER D, 9 min.",
                "Carte Avantage Adulte : 49,00 € par an, -30 % sur vos trajets."])
