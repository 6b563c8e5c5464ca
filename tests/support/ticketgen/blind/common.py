"""Shared pieces of the blind families: trips, spellings, forward chrome.

A `BTrip` is what was booked; each layout prints it with one draw of
spellings and returns the expected legs built from the same values.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from babel.dates import format_date

Expected = list[dict[str, str | None]]

PEOPLE = ("Margaux Petit", "Youssef El Amrani", "Hélène Duval", "Bastien Roux", "Fatou Diallo",
          "Olivier Chevalier", "Camille Nguyen", "Rémi Lambert")
_PNR = string.ascii_uppercase + string.digits


def pnr(rng: random.Random) -> str:
    while True:
        value = "".join(rng.choice(_PNR) for _ in range(6))
        if sum(c.isalpha() for c in value) >= 2:
            return value


def price(rng: random.Random, low: int = 8, high: int = 139) -> Decimal:
    return (Decimal(rng.randint(low, high)) + Decimal(rng.choice((0, 0, 10, 40, 90))) / 100).quantize(Decimal("0.01"))


def euros(rng: random.Random, value: Decimal, form: str | None = None) -> str:
    whole, cents = f"{value:.2f}".split(".")
    form = form or rng.choice(("{w},{c} €", "{w},{c}\u00a0€", "{w},{c} EUR", "{w},{c}€", "{w}.{c} €"))
    return form.format(w=whole, c=cents)


@dataclass
class BLeg:
    day: date
    stops: list[tuple[str, tuple[int, int]]]  # (printed station, time)
    trains: list[str]  # printed train labels, one per segment
    price: Decimal
    carrier: str

    def expected(self, reference: str, amount: bool = True) -> dict[str, str | None]:
        return {"amount_eur": format(self.price, "f") if amount else None, "date": self.day.isoformat(),
                "origin": " ".join(self.stops[0][0].split()), "destination": " ".join(self.stops[-1][0].split()),
                "reference": reference, "carrier": self.carrier}


@dataclass
class BTrip:
    legs: list[BLeg]
    reference: str
    passenger: str
    issued: date
    sent: date
    extras: dict[str, str] = field(default_factory=dict)


def travel_day(rng: random.Random, years: tuple[int, ...] = (2023, 2024, 2025)) -> date:
    return date(rng.choice(years), rng.randint(1, 12), rng.randint(1, 28))


def times(rng: random.Random, n: int) -> list[tuple[int, int]]:
    t = rng.randint(5 * 60, 19 * 60)
    out = []
    for i in range(n):
        out.append((t // 60 % 24, t % 60))
        t += rng.randint(35, 190) if i % 2 == 0 else rng.randint(15, 70)
    return out


def hhmm(t: tuple[int, int], h: bool = False) -> str:
    return f"{t[0]:02d}{'h' if h else ':'}{t[1]:02d}"


def make_leg(rng: random.Random, day: date, a: str, b: str, train: str, carrier: str,
             via: tuple[str, str] | None = None, second_train: str | None = None,
             amount: Decimal | None = None) -> BLeg:
    names = [a, b] if via is None else [a, via[0], via[1], b]
    stops = list(zip(names, times(rng, len(names)), strict=True))
    trains = [train] if via is None else [train, second_train or train]
    return BLeg(day, stops, trains, price(rng) if amount is None else amount, carrier)


def trip_dates(rng: random.Random, first: date) -> tuple[date, date, date]:
    """(return day, issue day, message day): messages come up to 5 weeks later."""
    back = first + timedelta(days=rng.choice((0, 1, 2, 4, 7)))
    issued = first - timedelta(days=rng.randint(1, 45))
    sent = first + timedelta(days=rng.randint(-10, 35))
    return back, issued, sent


def day_text(rng: random.Random, value: date, year: bool = True) -> str:
    forms = ("EEE d MMM y", "EEEE d MMMM y", "d MMMM y", "dd/MM/y", "EEEE dd/MM/y") if year else \
        ("EEE d MMM", "EEEE d MMMM")
    return format_date(value, rng.choice(forms), locale="fr_FR")


def chrome(rng: random.Random, sender: str, subject: str, sent: date) -> list[str]:
    """A forward header as Outlook FR, Outlook 365, Gmail, Apple Mail or Yahoo print it."""
    client = rng.choice(("outlook", "o365", "gmail", "apple", "yahoo"))
    long_fr = format_date(sent, "EEEE d MMMM y", locale="fr_FR")
    if client == "outlook":
        return ["", "De : " + sender, f"Envoyé : {long_fr} 18:47", "À : Marie Leroy <amo@exemple.fr>",
                "Objet : " + subject, ""]
    if client == "o365":
        return ["", "_" * 32, f"From: {sender}", f"Sent: {sent:%A, %B %d, %Y} 7:12 PM", "To: amo@exemple.fr",
                f"Subject: {subject}", ""]
    if client == "gmail":
        return ["", "---------- Forwarded message ---------", f"De : <{sender}>",
                f"Date: {format_date(sent, 'EEE d MMM y', locale='fr_FR')} à 11:04", f"Subject: {subject}",
                "To: <amo@exemple.fr>", ""]
    if client == "apple":
        return ["", "Début du message transféré :", "", f"De: {sender}",
                f"Date: {format_date(sent, 'd MMMM y', locale='fr_FR')} à 08:15:33 UTC+1", f"Objet: {subject}",
                "À: amo@exemple.fr", ""]
    return ["", "----- Message transmis -----", f"De : {sender}", "À : amo@exemple.fr",
            f"Envoyé : {format_date(sent, 'EEEE d MMMM y', locale='fr_FR')} à 09:58:12 UTC+1",
            f"Objet : {subject}", ""]
