"""Blind mail families: SNCF Connect "Votre commande est confirmée" forwarded
as text/plain, Kombo/Omio confirmations, SNCF Connect exchanges and OUIGO
Train Classique HTML. Each returns ``(sender, subject, text, html, expected
legs, message date)``.
"""

from __future__ import annotations

import random
from decimal import Decimal
from html import escape

from tests.support.ticketgen.blind.common import (PEOPLE, BLeg, chrome, day_text, euros, hhmm, make_leg, pnr,
                                                  price, travel_day, trip_dates)
from tests.support.ticketgen.trips import STATIONS

Mail = tuple[str | None, str, str, str, list[dict[str, str | None]], object]
_TRAINS = (("TGV INOUI", "SNCF", 5000), ("Intercités", "Intercités", 3600), ("OUIGO", "OUIGO", 7600))


def _pair(rng: random.Random) -> tuple[str, str]:
    a, b = rng.sample(STATIONS, 2)
    return a[0], b[0]


def _legs(rng: random.Random, kind: tuple[str, str, int], ret: bool, years: tuple[int, ...] = (2023, 2024, 2025),
          zero: bool = False) -> tuple[list[BLeg], object, object]:
    a, b = _pair(rng)
    first = travel_day(rng, years)
    back, issued, sent = trip_dates(rng, first)
    label, carrier, low = kind
    legs = [make_leg(rng, first, a, b, f"{label} {rng.randint(low, low + 899)}", carrier)]
    if ret:
        legs.append(make_leg(rng, back, b, a, f"{label} {rng.randint(low, low + 899)}", carrier,
                             amount=Decimal("0.00") if zero else None))
    return legs, issued, sent


def _forward(rng: random.Random, sender: str, subject: str, sent: object, body: list[str]) -> str:
    quote = rng.random() < .25
    lines = chrome(rng, sender, subject, sent) + body  # type: ignore[arg-type]
    intro = ["Bonjour,", "Ci-joint mon justificatif de train pour la réunion.", "Bien à vous,", "Marie"]
    return "\n".join(intro + [("> " + x if quote else x) for x in lines])


def connect_order(rng: random.Random) -> Mail:
    """SNCF Connect confirmation (2023-2025) forwarded as text/plain: legs
    with ``·`` separators, fare per leg, maybe a Carte Avantage bought in the
    same order and a 0,00 € MAX leg, ``Total payé``."""
    kind = rng.choice(_TRAINS)
    zero = kind[1] == "SNCF" and rng.random() < .3
    legs, issued, sent = _legs(rng, kind, rng.random() < .6, zero=zero)
    ref, card = pnr(rng), rng.random() < .4
    body = [f"Bonjour {rng.choice(PEOPLE).split()[0]},", "", "Votre commande est confirmée !", "",
            f"Référence de réservation : {ref}", f"N° de commande : {rng.randint(10**9, 10**10 - 1)}", ""]
    for index, leg in enumerate(legs):
        (x, t0), (y, t1) = leg.stops
        body += [f"{'Aller' if index == 0 else 'Retour'} · {day_text(rng, leg.day)}",
                 f"{hhmm(t0)}  {x}", f"{hhmm(t1)}  {y}",
                 f"{leg.trains[0]} · Voiture {rng.randint(1, 19)} · Place {rng.randint(1, 99)} · 2de classe",
                 "1 passager · " + ("MAX JEUNE" if zero and index else "Carte Avantage Adulte" if card else "Tarif Normal"),
                 f"Prix : {euros(rng, leg.price)}", ""]
    total = sum((x.price for x in legs), Decimal(0))
    if card:
        body += [f"Carte Avantage Adulte (valable 1 an) : {euros(rng, Decimal('49.00'))}"]
        total += Decimal("49.00")
    body += [f"Total payé : {euros(rng, total)}", "", "Paiement par carte bancaire", "Bon voyage avec SNCF Connect !"]
    subject = rng.choice(("Votre commande est confirmée", f"Confirmation de votre commande {ref}"))
    text = _forward(rng, "SNCF Connect <confirmation@connect.sncf>", subject, sent, body)
    return "amo@exemple.fr", "TR: " + subject, text, "", [x.expected(ref) for x in legs], sent


def reseller(rng: random.Random) -> Mail:
    """Kombo or Omio confirmation: the reseller's booking number, the
    carrier's code, a service fee; a return may print only its total."""
    kind = rng.choice(_TRAINS)
    legs, issued, sent = _legs(rng, kind, rng.random() < .6, years=(2022, 2023, 2024))
    ref, kombo = pnr(rng), rng.random() < .5
    total_only = len(legs) == 2 and rng.random() < .5
    fee = Decimal(rng.choice(("0.99", "1.49", "2.99")))
    name = "Kombo" if kombo else "Omio"
    body = [f"Votre réservation {name} est confirmée", "",
            (f"Numéro de réservation Kombo : KB{rng.randint(10**7, 10**8 - 1)}" if kombo
             else f"Numéro de réservation Omio : {rng.randint(10**9, 10**10 - 1)}"),
            (f"Référence transporteur (SNCF) : {ref}" if kombo else f"Code de réservation du transporteur : {ref}"), ""]
    for index, leg in enumerate(legs):
        (x, t0), (y, t1) = leg.stops
        body += [f"Trajet {'aller' if index == 0 else 'retour'} : {x} → {y}",
                 f"Le {leg.day:%d/%m/%Y} à {hhmm(t0)} - arrivée {hhmm(t1)}",
                 f"Opéré par {leg.carrier if leg.carrier != 'SNCF' else 'SNCF Voyageurs'} — {leg.trains[0]}"]
        if not total_only:
            body.append(f"Prix : {euros(rng, leg.price)}")
        body.append("")
    total = sum((x.price for x in legs), Decimal(0))
    if total_only:
        body.append(f"Prix total aller-retour (billets) : {euros(rng, total)}")
    body += [f"Frais de service : {euros(rng, fee)}", f"Total : {euros(rng, total + fee)}", "",
             f"L'équipe {name}"]
    subject = f"Confirmation de réservation {name}"
    text = _forward(rng, f"{name} <no-reply@{name.lower()}.com>", subject, sent, body)
    return "amo@exemple.fr", "Fwd: " + subject, text, "", [x.expected(ref, not total_only) for x in legs], sent


def exchange(rng: random.Random) -> Mail:
    """SNCF Connect exchange: the cancelled ticket and the new one, the new
    fare and the exchange balance."""
    kind = rng.choice(_TRAINS[:2])
    legs, issued, sent = _legs(rng, kind, False)
    new = legs[0]
    (x, t0), (y, t1) = new.stops
    old_day = travel_day(rng, (new.day.year,))
    old_price = price(rng, 5, max(6, int(new.price) - 1))
    ref = pnr(rng)
    old = ["Votre ancien billet (annulé)", f"Aller · {day_text(rng, old_day)}", f"{x} → {y}",
           f"Prix : {euros(rng, old_price)}", ""]
    fresh = ["Votre nouveau billet", f"Aller · {day_text(rng, new.day)}", f"{hhmm(t0)}  {x}", f"{hhmm(t1)}  {y}",
             f"{new.trains[0]} · Voiture {rng.randint(1, 19)} · Place {rng.randint(1, 99)}",
             f"Prix du nouveau billet : {euros(rng, new.price)}", ""]
    body = ["Votre échange est confirmé", "", f"Référence de réservation : {ref}", ""]
    body += old + fresh if rng.random() < .6 else fresh + old
    body += [f"Montant de l'échange : {euros(rng, new.price - old_price)}", "Frais d'échange : 0,00 €", "",
             "Votre nouveau billet est disponible dans l'application SNCF Connect."]
    subject = "Votre échange est confirmé"
    text = _forward(rng, "SNCF Connect <confirmation@connect.sncf>", subject, sent, body)
    return "amo@exemple.fr", "TR: " + subject, text, "", [new.expected(ref)], sent


_CLASSIQUE = (("Paris Austerlitz", "Nantes"), ("Paris Austerlitz", "Bordeaux Saint-Jean"),
              ("Paris Bercy Bourgogne - Pays d'Auvergne", "Lyon Perrache"), ("Paris Austerlitz", "Rennes"))


def ouigo_classique(rng: random.Random) -> Mail:
    """OUIGO Train Classique confirmation (HTML, tutoiement): table rows,
    ``Numéro de réservation``, options that are not fares, ``Total payé``."""
    a, b = rng.choice(_CLASSIQUE)
    if rng.random() < .5:
        a, b = b, a
    first = travel_day(rng, (2022, 2023, 2024, 2025))
    back, issued, sent = trip_dates(rng, first)
    legs = [make_leg(rng, first, a, b, f"OUIGO Train Classique {rng.randint(4000, 4999)}", "OUIGO",
                     amount=price(rng, 10, 39))]
    if rng.random() < .5:
        legs.append(make_leg(rng, back, b, a, f"OUIGO Train Classique {rng.randint(4000, 4999)}", "OUIGO",
                             amount=price(rng, 10, 39)))
    ref = pnr(rng)
    rows = [f"<p>Bonjour {escape(rng.choice(PEOPLE).split()[0])},</p><p>Ta réservation est confirmée&nbsp;!</p>",
            f"<p>Numéro de réservation&nbsp;: <strong>{ref}</strong></p><table>"]
    options = Decimal(0)
    for index, leg in enumerate(legs):
        (x, t0), (y, t1) = leg.stops
        rows.append(f"<tr><td colspan=2><b>{'TRAJET ALLER' if index == 0 else 'TRAJET RETOUR'}</b></td></tr>"
                    f"<tr><td colspan=2>{escape(day_text(rng, leg.day))}</td></tr>"
                    f"<tr><td>{hhmm(t0, True)}</td><td>{escape(x)}</td></tr>"
                    f"<tr><td>{hhmm(t1, True)}</td><td>{escape(y)}</td></tr>"
                    f"<tr><td>TRAIN N° {leg.trains[0].split()[-1]}</td><td>OUIGO Train Classique</td></tr>"
                    f"<tr><td>Billet</td><td>{escape(euros(rng, leg.price))}</td></tr>")
        if rng.random() < .5:
            extra = Decimal(rng.choice(("5.00", "2.00")))
            options += extra
            label = "Bagage supplémentaire" if extra == 5 else "Prise électrique"
            rows.append(f"<tr><td>{label}</td><td>{escape(euros(rng, extra))}</td></tr>")
    total = sum((x.price for x in legs), Decimal(0)) + options
    rows.append(f"</table><p>Total payé&nbsp;: <b>{escape(euros(rng, total))}</b></p>"
                "<p>À bientôt à bord&nbsp;! L'équipe OUIGO</p>")
    subject = "Ta réservation OUIGO est confirmée"
    head = chrome(rng, "OUIGO <ne-pas-repondre@pasngr.ouigo.com>", subject, sent)
    html = ("<html><body><div>Bonjour, voici mon billet.</div><div>" + "<br>".join(escape(x) for x in head)
            + "</div><blockquote>" + "".join(rows) + "</blockquote></body></html>")
    return "amo@exemple.fr", "Fwd: " + subject, "", html, [x.expected(ref) for x in legs], sent
