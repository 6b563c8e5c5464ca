"""Random trips and the printed spellings of their fields.

A `Trip` is what was booked (legs, stops, prices, fees, references); the
layouts in `tests.support.ticketgen.pdfs` and `.mails` print it, and
`Trip.expected` gives the fields a reader must find, known by construction.

`Style` holds the spelling choices of one document (date form, time form,
price form, station case, arrow): one random draw per document, so that a
layout is exercised in all its printed variants.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from babel.dates import format_date

#: (title-case spelling, SNCF upper-case spelling) of real French stations.
STATIONS: tuple[tuple[str, str], ...] = (
    ("Paris Gare de Lyon", "PARIS GARE DE LYON"),
    ("Marseille Saint-Charles", "MARSEILLE ST CHARLES"),
    ("Lyon Part-Dieu", "LYON PART DIEU"),
    ("Bordeaux Saint-Jean", "BORDEAUX ST JEAN"),
    ("Lille Europe", "LILLE EUROPE"),
    ("Nantes", "NANTES"),
    ("Rennes", "RENNES"),
    ("Strasbourg", "STRASBOURG"),
    ("Toulouse Matabiau", "TOULOUSE MATABIAU"),
    ("Montpellier Saint-Roch", "MONTPELLIER ST ROCH"),
    ("Paris Montparnasse 1 et 2", "PARIS MONTPARNASSE 1 ET 2"),
    ("Paris Est", "PARIS EST"),
    ("Paris Nord", "PARIS NORD"),
    ("Grenoble", "GRENOBLE"),
    ("Dijon Ville", "DIJON VILLE"),
    ("Tours", "TOURS"),
    ("Poitiers", "POITIERS"),
    ("Avignon TGV", "AVIGNON TGV"),
    ("Aix-en-Provence TGV", "AIX EN PROVENCE TGV"),
    ("Nice Ville", "NICE VILLE"),
    ("Clermont-Ferrand", "CLERMONT FERRAND"),
    ("Limoges Bénédictins", "LIMOGES BENEDICTINS"),
    ("Brive-la-Gaillarde", "BRIVE LA GAILLARDE"),
    ("Orléans", "ORLEANS"),
    ("Le Mans", "LE MANS"),
    ("Angers Saint-Laud", "ANGERS ST LAUD"),
    ("Metz Ville", "METZ VILLE"),
    ("Nancy Ville", "NANCY VILLE"),
    ("Marne-la-Vallée Chessy", "MARNE LA VALLEE CHESSY"),
    ("Paris Austerlitz", "PARIS AUSTERLITZ"),
    ("Caen", "CAEN"),
    ("Rouen Rive Droite", "ROUEN RIVE DROITE"),
    ("Amiens", "AMIENS"),
    ("Besançon Viotte", "BESANCON VIOTTE"),
    ("Valence TGV", "VALENCE TGV"),
    ("Saint-Étienne Châteaucreux", "ST ETIENNE CHATEAUCREUX"),
    ("La Rochelle Ville", "LA ROCHELLE VILLE"),
    ("Perpignan", "PERPIGNAN"),
)

NAMES = ("Claire Martin", "Karim Belkacem", "Sophie Lefèvre", "Jean-Marc Dubois", "Aïcha Benali",
         "Thomas Keller", "Léa Moreau", "Nadia Haddad", "Pierre Garnier", "Inès Fontaine")

#: Train kinds: (label printed, carrier expected, number range).
TRAINS = {
    "inoui": ("TGV INOUI", "SNCF", (5000, 9999)),
    "ouigo": ("OUIGO", "OUIGO", (7600, 7899)),
    "intercites": ("INTERCITÉS", "Intercités", (3600, 4499)),
    "ter": ("TER", "TER", (860000, 889999)),
}

_PNR_CHARS = string.ascii_uppercase + string.digits


@dataclass
class Stop:
    time: tuple[int, int]
    station: tuple[str, str]  # (title, upper)


@dataclass
class Leg:
    """One priced journey: two stops, or more with connections."""

    day: date
    stops: list[Stop]
    train: str  # key of TRAINS
    numbers: list[int]  # one train number per segment
    price: Decimal


@dataclass
class Trip:
    legs: list[Leg]
    reference: str
    order_number: str
    passenger: str
    fee: Decimal  # service fee, belongs to no leg (0 when none)
    issued: date
    message_date: date

    @property
    def total(self) -> Decimal:
        return sum((leg.price for leg in self.legs), Decimal(0)) + self.fee

    def expected(self, style: Style, *, per_leg_prices: bool = True,
                 carrier: str | None = None) -> list[dict[str, str | None]]:
        """The fields a reader must return, by construction."""
        out: list[dict[str, str | None]] = []
        for leg in self.legs:
            if per_leg_prices or len(self.legs) == 1:
                amount: str | None = format(leg.price, "f")
            else:
                amount = None
            out.append({
                "amount_eur": amount,
                "date": leg.day.isoformat(),
                "origin": style.station(leg.stops[0].station),
                "destination": style.station(leg.stops[-1].station),
                "reference": self.reference,
                "carrier": carrier or TRAINS[leg.train][1],
            })
        return out


def pnr(rng: random.Random, length: int = 6) -> str:
    """A booking reference: ``length`` letters and digits, at least one letter."""
    while True:
        value = "".join(rng.choice(_PNR_CHARS) for _ in range(length))
        if any(c.isalpha() for c in value):
            return value


def _price(rng: random.Random) -> Decimal:
    cents = rng.choice((0, 0, 0, 50, 90, 20))
    return (Decimal(rng.randint(9, 149)) + Decimal(cents) / 100).quantize(Decimal("0.01"))


def make_leg(rng: random.Random, day: date, origin: tuple[str, str], destination: tuple[str, str],
             train: str, connection: bool) -> Leg:
    hour, minute = rng.randint(5, 18), rng.choice((2, 7, 16, 28, 34, 41, 52, 58))
    stations = [origin, destination]
    if connection:
        middle = rng.choice([s for s in STATIONS if s not in (origin, destination)])
        stations = [origin, middle, middle, destination]
    stops: list[Stop] = []
    t = hour * 60 + minute
    for index, station in enumerate(stations):
        stops.append(Stop((t // 60 % 24, t % 60), station))
        t += rng.randint(40, 170) if index % 2 == 0 else rng.randint(12, 45)
    low, high = TRAINS[train][2]
    numbers = [rng.randint(low, high) for _ in range(len(stations) // 2)]
    return Leg(day, stops, train, numbers, _price(rng))


def make_trip(rng: random.Random, *, shape: str, train: str, fee: bool = False) -> Trip:
    """``shape``: "oneway", "return" (two legs, one reference) or "connection"."""
    year = rng.choice((2021, 2021, 2022, 2023, 2024))
    month = rng.choice((1, 3, 5, 6, 9, 10, 11, 11, 12))
    travel = date(year, month, rng.randint(1, 28))
    origin, destination = rng.sample(STATIONS, 2)
    legs = [make_leg(rng, travel, origin, destination, train, shape == "connection")]
    if shape == "return":
        back = travel + timedelta(days=rng.choice((0, 0, 1, 2, 3)))
        legs.append(make_leg(rng, back, destination, origin, train, False))
    issued = travel - timedelta(days=rng.randint(2, 40))
    message = travel + timedelta(days=rng.randint(-20, 30))
    if rng.random() < .25:  # proofs sent late: the message says nothing of the year
        message = travel + timedelta(days=rng.randint(70, 160))
    return Trip(legs, pnr(rng), f"{rng.randint(100, 999)}-{rng.randint(100, 999)}-{rng.randint(100, 999)}",
                rng.choice(NAMES), Decimal(rng.choice(("1.00", "2.00", "3.49", "0.99"))) if fee else Decimal(0),
                issued, message)


DATE_FORMS = ("EEE d MMM y", "EEE d MMM", "EEEE d MMMM y", "d MMMM y", "dd/MM/y", "d MMM y",
              "EEEE d MMMM", "dd/MM")
PRICE_FORMS = ("{c},{d} €", "{c}.{d} EUR", "{c},{d} EUR", "{c},{d}\u202f€", "{c},{d}\u00a0€",
               "EUR {c},{d}", "{c}.{d}€", "{c},{d}€")
ARROWS = (" → ", " -> ", " > ", " / ", " – ")


@dataclass
class Style:
    """One document's spelling choices."""

    date_form: str = "EEEE d MMMM y"
    time_h: bool = True  # 06h28 (True) or 06:28
    price_form: str = "{c},{d} €"
    upper: bool = True
    arrow: str = " → "
    font: str = "Helvetica"
    swap_columns: bool = False
    pair_on_one_line: bool = True
    extra: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def draw(cls, rng: random.Random, **fixed: object) -> Style:
        style = cls(
            date_form=rng.choice(DATE_FORMS), time_h=rng.random() < .5,
            price_form=rng.choice(PRICE_FORMS), upper=rng.random() < .5, arrow=rng.choice(ARROWS),
            font=rng.choice(("Helvetica", "Times-Roman", "Courier", "DejaVu", "DejaVuSerif")),
            swap_columns=rng.random() < .5, pair_on_one_line=rng.random() < .6,
            extra={k: rng.random() < .5 for k in ("a", "b", "c", "d")},
        )
        for key, value in fixed.items():
            setattr(style, key, value)
        return style

    @property
    def year_printed(self) -> bool:
        return "y" in self.date_form

    def day(self, value: date, form: str | None = None) -> str:
        text = format_date(value, form or self.date_form, locale="fr_FR")
        return text[0].upper() + text[1:] if self.extra.get("a") else text

    def time(self, value: tuple[int, int]) -> str:
        return f"{value[0]:02d}{'h' if self.time_h else ':'}{value[1]:02d}"

    def price(self, value: Decimal) -> str:
        whole, cents = f"{value:.2f}".split(".")
        return self.price_form.format(c=whole, d=cents)

    def station(self, station: tuple[str, str]) -> str:
        return station[1] if self.upper else station[0]
