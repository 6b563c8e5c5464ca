"""Booking confirmation mails (HTML and text/plain), one function per family.

Each returns ``(sender, subject, text, html, expected legs)``; the HTML
carries the forward chrome of a mail client (Gmail, Outlook, Apple Mail,
Thunderbird) around the seller's markup, since AMOs forward these mails.
"""

from __future__ import annotations

import json
import random
from datetime import date
from html import escape

from babel.dates import format_date

from tests.support.ticketgen import noise
from tests.support.ticketgen.trips import TRAINS, Style, Trip

Mail = tuple[str | None, str, str, str, list[dict[str, str | None]]]


def _chrome(rng: random.Random, sender: str, subject: str, sent: date) -> tuple[str, str]:
    """(HTML, text) of a forward header, in one client's words."""
    when = format_date(sent, "EEE d MMM y", locale="fr_FR")
    client = rng.choice(("gmail", "outlook", "apple", "thunderbird"))
    if client == "gmail":
        lines = ["---------- Forwarded message ---------", f"De : SNCF <{sender}>",
                 f"Date: {when} à 09:31", f"Subject: {subject}", "To: <amo@example.org>"]
    elif client == "outlook":
        lines = [f"De : {sender}", f"Envoyé : {format_date(sent, 'EEEE d MMMM y', locale='fr_FR')} 14:02",
                 "À : amo@example.org", f"Objet : {subject}"]
    elif client == "apple":
        lines = ["Début du message réexpédié :", f"De: {sender}", f"Objet: {subject}",
                 f"Date: {format_date(sent, 'd MMMM y', locale='fr_FR')} à 14:25:08 UTC+1", "À: amo@example.org"]
    else:
        lines = ["-------- Message transféré --------", f"Sujet :\t{subject}",
                 f"Date :\t{sent:%d/%m/%Y} 10:12", f"De :\t{sender}", "Pour :\tamo@example.org"]
    html = "<div class=\"fwd\">" + "<br>".join(escape(x) for x in lines) + "</div><br>"
    return html, "\n".join(lines) + "\n\n"


def _wrap(body: str) -> str:
    return f"<html><head><style>td{{padding:2px}}</style></head><body>{body}</body></html>"


def ouisncf_parts(rng: random.Random, trip: Trip, style: Style) -> tuple[str, str, str]:
    """OUI.sncf confirmation (2021): (subject, html, text/plain flattening)."""
    subject = f"Confirmation de votre commande - {trip.reference}"
    rows: list[str] = []
    text: list[str] = [f"Bonjour {trip.passenger},", "Merci d'avoir réservé sur OUI.sncf.",
                       f"Référence de votre dossier : {trip.reference}", ""]
    per_leg = len(trip.legs) == 1 or not style.extra.get("b")
    for index, leg in enumerate(trip.legs):
        a, b = leg.stops[0], leg.stops[-1]
        label = "Aller" if index == 0 else "Retour"
        day = style.day(leg.day)
        rows.append(f"<tr><td colspan=3><b>{label}</b> - {escape(day)}</td></tr>")
        for stop in leg.stops:
            rows.append(f"<tr><td>{style.time(stop.time)}</td><td>{escape(stop.station[0])}</td>"
                        f"<td>{TRAINS[leg.train][0]} {leg.numbers[0]}</td></tr>")
        extra = noise.inside(rng)
        rows += [f"<tr><td colspan=3>{escape(x)}</td></tr>" for x in extra]
        if per_leg:
            rows.append(f"<tr><td></td><td>Prix</td><td>{escape(style.price(leg.price))}</td></tr>")
        text += [f"{label} : {day}", f"{a.station[0]} -> {b.station[0]}".title(),
                 f"Départ {style.time(a.time)} - Arrivée {style.time(b.time)}",
                 f"{TRAINS[leg.train][0]} {leg.numbers[0]}", *extra]
        if per_leg:
            text.append(f"Prix : {style.price(leg.price)}")
        text.append("")
    if trip.fee:
        rows.append(f"<tr><td></td><td>Frais de service</td><td>{style.price(trip.fee)}</td></tr>")
        text.append(f"Frais de service : {style.price(trip.fee)}")
    rows.append(f"<tr><td></td><td><b>Total payé</b></td><td><b>{escape(style.price(trip.total))}</b></td></tr>")
    text.append(f"Total payé : {style.price(trip.total)}")
    footer = noise.outside(rng)
    text += footer
    rows += [f"<tr><td colspan=3>{escape(x)}</td></tr>" for x in footer]
    html = ("<table width=600><tr><td><img src=cid:logo alt='OUI.sncf'></td></tr>"
            f"<tr><td>Bonjour {escape(trip.passenger)},</td></tr>"
            f"<tr><td>Votre référence de dossier : <b>{trip.reference}</b></td></tr></table>"
            f"<table>{''.join(rows)}</table>")
    return subject, html, "\n".join(text)


def ouisncf_html(rng: random.Random, trip: Trip, style: Style) -> Mail:
    style.upper = False
    subject, html, text = ouisncf_parts(rng, trip, style)
    chrome_html, chrome_text = _chrome(rng, "confirmation@oui.sncf", subject, trip.issued)
    per_leg = len(trip.legs) == 1 or not style.extra.get("b")
    return (None, subject, chrome_text + text, _wrap(chrome_html + html),
            trip.expected(style, per_leg_prices=per_leg))


def ouisncf_text(rng: random.Random, trip: Trip, style: Style) -> Mail:
    """The text/plain flattening alone (title case, ``->``)."""
    subject, _, text = ouisncf_parts(rng, trip, style)
    _, chrome_text = _chrome(rng, "confirmation@oui.sncf", subject, trip.issued)
    if style.extra.get("c"):  # Apple Mail and Outlook quote the forwarded text
        text = "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))
    per_leg = len(trip.legs) == 1 or not style.extra.get("b")
    expected = trip.expected(style, per_leg_prices=per_leg)
    for leg, plan in zip(expected, trip.legs, strict=True):
        leg["origin"] = plan.stops[0].station[0].title()
        leg["destination"] = plan.stops[-1].station[0].title()
    return (None, subject, chrome_text + text, "", expected)


def trainline(rng: random.Random, trip: Trip, style: Style) -> Mail:
    """Trainline: its order number and the carrier's PNR, a service fee,
    per-leg prices (or only the total), optional JSON-LD with the total."""
    subject = "Votre e-billet Trainline - confirmation de commande"
    per_leg = len(trip.legs) == 1 or not style.extra.get("b")
    parts = [f"<p>Bonjour {escape(trip.passenger.split()[0])},</p>",
             f"<p>Numéro de commande : <b>{trip.order_number}</b></p>",
             f"<p>Référence de réservation SNCF : <b>{trip.reference}</b></p>"]
    for index, leg in enumerate(trip.legs):
        a, b = style.station(leg.stops[0].station), style.station(leg.stops[-1].station)
        cell = f"{escape(a)}{escape(style.arrow)}{escape(b)}"
        if not style.pair_on_one_line:
            cell = f"{escape(a)}<br>{escape(b)}"
        parts.append(f"<h3>{'Aller' if index == 0 else 'Retour'}</h3><div>{escape(style.day(leg.day))}</div>"
                     f"<div>{style.time(leg.stops[0].time)} - {style.time(leg.stops[-1].time)}</div>"
                     f"<div>{cell}</div><div>{TRAINS[leg.train][0]} {leg.numbers[0]}</div>")
        parts += [f"<div>{escape(x)}</div>" for x in noise.inside(rng)]
        if per_leg:
            parts.append(f"<div>Billet : {escape(style.price(leg.price))}</div>")
    parts.append(f"<p>Frais de service : {escape(style.price(trip.fee))}</p>")
    parts.append(f"<p><b>Total : {escape(style.price(trip.total))}</b></p>")
    parts += [f"<p>{escape(x)}</p>" for x in noise.outside(rng)]
    if style.extra.get("d"):
        parts.insert(0, _jsonld(trip, style, trip.total))
    chrome_html, chrome_text = _chrome(rng, "confirmation@info.thetrainline.com", subject, trip.issued)
    html = _wrap(chrome_html + "".join(parts))
    return (None, subject, "", html, trip.expected(style, per_leg_prices=per_leg))


def _jsonld(trip: Trip, style: Style, total: object) -> str:
    items = [{
        "@context": "http://schema.org", "@type": "TrainReservation",
        "reservationNumber": trip.order_number,
        "underName": {"@type": "Person", "name": trip.passenger},
        "reservationFor": {"@type": "TrainTrip",
                           "departureStation": {"@type": "TrainStation", "name": style.station(leg.stops[0].station)},
                           "arrivalStation": {"@type": "TrainStation", "name": style.station(leg.stops[-1].station)},
                           "departureTime": f"{leg.day.isoformat()}T{leg.stops[0].time[0]:02d}:{leg.stops[0].time[1]:02d}:00"},
        "totalPrice": str(total), "priceCurrency": "EUR"} for leg in trip.legs]
    return f'<script type="application/ld+json">{json.dumps(items)}</script>'


def connect_html(rng: random.Random, trip: Trip, style: Style) -> Mail:
    """SNCF Connect confirmation with ``data-select`` summary attributes."""
    subject = "Confirmation de votre réservation"
    parts = [f"<p>Bonjour {escape(trip.passenger)}</p>"]
    for leg in trip.legs:
        a, b = style.station(leg.stops[0].station), style.station(leg.stops[-1].station)
        when = f"{format_date(leg.day, 'd MMMM y', locale='fr_FR')} à {leg.stops[0].time[0]:02d}:{leg.stops[0].time[1]:02d}"
        parts.append(f'<div data-select="travel-summary"><span data-select="travel-summary-origin">{escape(a)}</span>'
                     f'<span data-select="travel-summary-destination">{escape(b)}</span>'
                     f'<span data-select="travel-departureDate">{when}</span>'
                     f'<span data-select="travel-summary-reference">{trip.reference}</span>'
                     f'<span data-select="travel-summary-price">{escape(style.price(leg.price))}</span></div>')
    parts.append(f'<div class="transaction__total-amount-value">{escape(style.price(trip.total))}</div>')
    return ("noreply@connect.sncf", subject, "", _wrap("".join(parts)), trip.expected(style))


def ouigo_mail(rng: random.Random, trip: Trip, style: Style) -> Mail:
    """OUIGO confirmation mail: reference in a ``<strong>``, TRAJET blocks."""
    subject = "OUIGO : confirmation de votre réservation"
    parts = ["<p><strong>OUIGO</strong></p>",
             f"<p>Référence de votre réservation : <strong>{trip.reference}</strong></p>"]
    for index, leg in enumerate(trip.legs):
        parts.append(f"<h2>TRAJET {'ALLER' if index == 0 else 'RETOUR'}</h2><p>{escape(style.day(leg.day))}</p>")
        for number, stop in enumerate(leg.stops):
            train = f"TRAIN N° {leg.numbers[number // 2]}"
            if style.extra.get("a") and number % 2 == 0:  # one row per stop, train in the same row
                sep = " - " if style.extra.get("b") else " "
                parts.append(f"<p>{style.time(stop.time)} {escape(style.station(stop.station))}{sep}{train}</p>")
                continue
            parts.append(f"<p>{style.time(stop.time)} {escape(style.station(stop.station))}</p>")
            if number % 2 == 0:
                parts.append(f"<p>{train}</p>")
        parts += [f"<p>{escape(x)}</p>" for x in noise.inside(rng)]
        parts.append(f"<p>Prix du trajet : {escape(style.price(leg.price))}</p>")
    if trip.fee:
        parts.append(f"<p>Option bagage : {escape(style.price(trip.fee))}</p>")
    parts.append(f"<p>Montant total payé : {escape(style.price(trip.total))}</p>")
    parts += [f"<p>{escape(x)}</p>" for x in noise.outside(rng)]
    chrome_html, _ = _chrome(rng, "ne-pas-repondre@pasngr.ouigo.com", subject, trip.issued)
    return (None, subject, "", _wrap(chrome_html + "".join(parts)), trip.expected(style, carrier="OUIGO"))


def connect_text(rng: random.Random, trip: Trip, style: Style) -> Mail:
    """SNCF Connect confirmation as text/plain (no attributes): a city
    summary line, ``Aller le …`` headings, ``Départ 07:04 Gare (Hall 1)``
    and ``Arrivée`` lines, the price alone on its line, the reference at
    the top or the bottom."""
    style.upper = False
    first, last = trip.legs[0].stops[0].station[0], trip.legs[0].stops[-1].station[0]
    city = (first.split()[0], last.split()[0])
    lines = ["Votre réservation est confirmée", f"{city[0]} {style.arrow.strip()} {city[1]}"]
    reference = f"Référence de réservation : {trip.reference}"
    if style.extra.get("a"):
        lines.append(reference)
    per_leg = len(trip.legs) == 1 or not style.extra.get("b")
    for index, leg in enumerate(trip.legs):
        label = "Aller" if index == 0 else "Retour"
        lines.append(f"{label} le {style.day(leg.day)}")
        for number, stop in enumerate(leg.stops):
            word = "Départ" if number % 2 == 0 else "Arrivée"
            hall = " (Hall 1)" if number == 0 and style.extra.get("c") else ""
            lines.append(f"{word} {style.time(stop.time)} {stop.station[0]}{hall}")
            if number % 2 == 0:
                lines.append(f"{TRAINS[leg.train][0]} n°{leg.numbers[number // 2]} · Voiture 4 · Place 63")
        lines += ["1 passager · 2nde classe", *noise.inside(rng)]
        if per_leg:
            lines.append(style.price(leg.price))
    if trip.fee:
        lines.append(f"Frais de service {style.price(trip.fee)}")
    lines.append(f"Prix total {style.price(trip.total)}")
    if not style.extra.get("a"):
        lines.append(reference)
    lines += noise.outside(rng)
    _, chrome_text = _chrome(rng, "noreply@connect.sncf", "Confirmation de votre réservation", trip.issued)
    expected = trip.expected(style, per_leg_prices=per_leg)
    return (None, "Confirmation de votre réservation", chrome_text + "\n".join(lines), "", expected)


def trainline_text(rng: random.Random, trip: Trip, style: Style) -> Mail:
    """Trainline's text/plain part: order number in a sentence, the carrier's
    code under one of several labels, ``ALLER  mer. 17 nov. 2021`` headings,
    times and stations in two columns, dashed separators, service fee."""
    label = rng.choice(("Code de réservation SNCF", "Référence transporteur", "PNR",
                        "Référence de réservation"))
    lines = ["Trainline", f"Bonjour {trip.passenger.split()[0]},",
             f"Votre commande n° {trip.order_number.replace('-', '')} est confirmée.",
             f"{label} : {trip.reference}"]
    per_leg = len(trip.legs) == 1 or not style.extra.get("b")
    for index, leg in enumerate(trip.legs):
        lines += ["-" * 32, f"{'ALLER' if index == 0 else 'RETOUR'}  {style.day(leg.day)}"]
        for number, stop in enumerate(leg.stops):
            lines.append(f"{style.time(stop.time)}  {style.station(stop.station)}")
            if number % 2 == 0 and number + 1 < len(leg.stops) and number:
                lines.append("Correspondance")
        lines.append(f"{TRAINS[leg.train][0]} {leg.numbers[0]} · 2e classe · Voiture 12, place 45")
        lines += noise.inside(rng)
        if per_leg:
            lines.append(f"Prix : {style.price(leg.price)}")
    lines += ["-" * 32, f"Frais de service : {style.price(trip.fee)}",
              f"Total payé : {style.price(trip.total)}", *noise.outside(rng)]
    _, chrome_text = _chrome(rng, "confirmation@info.thetrainline.com", "Votre e-billet", trip.issued)
    return (None, "Votre e-billet Trainline", chrome_text + "\n".join(lines), "",
            trip.expected(style, per_leg_prices=per_leg))
