"""The layout-agnostic ticket reader: legs from any document's text.

It reads PDF text, the text rendering of an HTML mail or a text/plain
flattening alike. Each line is classified (`mailbot.tickets.lines`), then a
small state machine groups the lines into legs:

* a new leg starts at a leg marker (``ALLER``, ``Retour``, ``Trajet 2``), at
  a station pair (``A → B``) when the current leg already has its stations,
  and at a travel date when the current leg already has a date and stations;
* stations come from pairs, ``De :``/``À :`` labels, ``06h28 Gare`` lines,
  or times and station names printed on separate lines (either order: a
  time right after an unpaired station belongs to it; otherwise times wait
  for the next station names);
* the first station of a leg is its origin and the last its destination, so
  a connection (``A 06h28, B 08h10, B 08h35, C 10h02``) is one leg A → C;
* a price on a line that is neither a fee nor a total belongs to the current
  leg; fees and totals are read by `mailbot.tickets.text.money_summary` and
  follow the amount rules of `mailbot.tickets.model`.

The reference is the carrier's PNR (`mailbot.tickets.references`), the
carrier is named by the leg's train (``TGV INOUI``, ``OUIGO``,
``INTERCITÉS``, ``TER``) or else by the document. Year-less dates take their
year from the message date, or from the first dated line of the document.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mailbot.tickets.base import iso, leg_prices
from mailbot.tickets.carriers import document_carrier, leg_carrier
from mailbot.tickets.dates import find_dates
from mailbot.tickets.lines import Line, chrome_lines, classify, is_issue_line, station_like
from mailbot.tickets.model import Leg, TicketResult, build_result
from mailbot.tickets.references import booking_reference, order_number
from mailbot.tickets.sections import void_heading
from mailbot.tickets.text import find_passenger, lines_of

__all__ = ["ANY_LAYOUT", "MAX_LINES", "head", "read_any"]

#: The layout name of a result read by this module.
ANY_LAYOUT = "any"

#: Lines beyond this many are not read (a ticket or a booking mail is a page
#: or two; this bounds the time spent on hostile input).
MAX_LINES = 1500
MAX_LINE_CHARS = 500

_QUOTE = re.compile(r"(?m)^(?:[ \t]*>)+[ \t]?")
_INVOICE = re.compile(r"(?i)\bd[ée]bours\b|\bhonoraires\b|^\s*facture\s+n|\bnote\s+de\s+frais\b",
                      re.MULTILINE)


@dataclass(slots=True)
class _Leg:
    day: date | None = None
    stations: list[str] = field(default_factory=list)
    pair: tuple[str, str] | None = None
    price: Decimal | None = None
    lines: list[str] = field(default_factory=list)
    marked: bool = False  # opened by ALLER/Retour/Trajet n: a price may come first
    void: bool = False  # read in a cancelled ticket's section (`mailbot.tickets.sections`)

    @property
    def has_stations(self) -> bool:
        return self.pair is not None or bool(self.stations)

    @property
    def ends(self) -> tuple[str | None, str | None]:
        if self.pair is not None and not _cities_of(self.pair, self.stations):
            return self.pair
        if len(self.stations) < 2:
            return (self.stations[0] if self.stations else None), None
        return self.stations[0], self.stations[-1]


def _cities_of(pair: tuple[str, str], stations: list[str]) -> bool:
    """The pair names the cities of the timed stops (``Paris → Lyon`` over
    ``Paris Gare de Lyon`` … ``Lyon Part-Dieu``): the stops are more precise."""
    if len(stations) < 2:
        return False
    ends = (stations[0].casefold(), stations[-1].casefold())
    return all(end.startswith(city.casefold()) for city, end in zip(pair, ends, strict=True))


@dataclass(slots=True)
class _Scan:
    legs: list[_Leg] = field(default_factory=list)
    times: deque[str] = field(default_factory=deque)
    loose: Line | None = None  # the previous line, when it was an unpaired station name
    boundary: bool = False
    void: bool = False

    @property
    def cur(self) -> _Leg:
        if not self.legs or self.boundary:
            self.legs.append(_Leg(marked=self.boundary, void=self.void))
            self.boundary = False
            self.times.clear()
        return self.legs[-1]

    def split(self) -> None:
        last = self.legs[-1] if self.legs else None
        if last is not None and (last.has_stations or last.day or last.price is not None):
            self.boundary = True

    def section(self, void: bool) -> None:
        """A heading opens (or closes) a cancelled ticket's section."""
        self.split()
        self.void = void
        if self.legs and not self.boundary:
            self.legs[-1].void = void

    def feed(self, line: Line) -> None:
        """Take one classified line: cut a new leg where it opens one, then
        add its date, stations and price to the current leg."""
        loose, self.loose = self.loose, None
        if line.dashed and len(self.times) == 1 and station_like(line.text):
            line.pair, line.bare_station = None, line.text  # "15h32" then "Paris Bercy Bourgogne - Pays d'Auvergne"
        self._boundaries(line)
        leg = self.cur
        leg.lines.append(_without_stations(line))
        if line.day is not None and leg.day is None:
            leg.day = line.day
        self._stations(leg, line, loose)
        if line.price is not None and leg.price is None and (
                leg.has_stations or leg.day is not None or leg.marked):
            leg.price = line.price

    def _boundaries(self, line: Line) -> None:
        last = self.legs[-1] if self.legs else None
        if line.marker and last is not None:
            if last.has_stations or last.price is not None:
                self.split()
            else:
                last.marked = True
        if line.anchor is not None:
            if last is not None and last.day is not None and last.has_stations:
                self.split()
            if self.cur.day is None or not self.cur.has_stations:
                self.cur.day = line.anchor
        if line.pair is not None:
            if last is not None and last.has_stations:
                self.split()
            self.cur.pair = line.pair
        last = self.legs[-1] if self.legs and not self.boundary else None
        if line.day and last and last.day and line.day != last.day and len(last.stations) >= 2:
            self.split()  # "19 nov. 2021 - 17h04 - Marseille" after a whole leg of the 17th

    def _stations(self, leg: _Leg, line: Line, loose: Line | None) -> None:
        if line.from_station:
            leg.stations.insert(0, line.from_station)
        if line.to_station:
            leg.stations.append(line.to_station)
        if line.station:
            leg.stations.append(line.station)
        elif line.times and loose is not None and loose.bare_station and len(line.times) == 1:
            leg.stations.append(loose.bare_station)  # "Gare" then "06:28"
        elif line.times:
            self.times.extend(line.times)
        elif line.bare_station:
            if self.times:  # "06:28" then "Gare"
                for name in _columns(line.bare_station, len(self.times)):
                    self.times.popleft()
                    leg.stations.append(name)
            else:
                self.loose = line


def _columns(text: str, times: int) -> list[str]:
    """Station names printed side by side (``STRASBOURG     PARIS EST``) under
    as many times, else the whole text as one name."""
    parts = re.split(r"\s{2,}", text)
    if 1 < len(parts) <= times and all(station_like(p) for p in parts):
        return parts
    return [re.sub(r"\s+", " ", text)]


def _without_stations(line: Line) -> str:
    """The line minus the station names it holds ("Avignon TGV" names no train)."""
    text = line.text
    for name in (line.station, line.bare_station, line.from_station, line.to_station,
                 *(line.pair or ())):
        if name:
            text = text.replace(name, " ")
    return text


def _context_date(lines: list[str], context: set[int], message_date: date | None) -> date | None:
    """The date year-less travel dates are read against: the booking's own
    date when the document prints one with its year (a forward header's
    ``Date:``, ``Émis le 05/11/2021``), else the message date."""
    for index, line in enumerate(lines):
        if index in context or is_issue_line(line):
            found = [d for d in find_dates(line, message_date=None) if d.year_printed]
            if found:
                return found[0].value
    return message_date


def read_any(text: str, *, message_date: date | None, hint: str = "") -> TicketResult | None:
    """Read ``text`` (already `normalize`d) as a ticket of any layout.

    ``hint`` is extra text that may name the seller or carrier (the sender
    and subject of a mail). Returns None unless at least one leg has both
    stations and a date and the document has a booking reference.
    """
    text = _QUOTE.sub("", head(text))  # "> " quoting of Apple Mail, Outlook, Thunderbird
    if _INVOICE.search(text):
        return None
    all_lines = lines_of(text)[:MAX_LINES]
    chrome = chrome_lines(all_lines)
    lines = [line for index, line in enumerate(all_lines) if index not in chrome]
    reference = booking_reference("\n".join(lines)) or order_number("\n".join(lines))
    if reference is None:
        return None
    scan = _Scan()
    context = _context_date(all_lines, chrome, message_date)
    for raw in lines:
        if (heading := void_heading(raw)) is not None:
            scan.section(heading)
        scan.feed(classify(raw, message_date=context))
    legs = [leg for leg in scan.legs if not leg.void and leg.has_stations and None not in leg.ends]
    if not legs or all(leg.day is None for leg in legs):
        return None
    # A route summary ("Paris → Lyon" above the journeys) is no journey:
    # no date, no price, no timed stop.
    legs = [leg for leg in legs if leg.day or leg.price is not None or len(leg.stations) > 1]
    _price_summary(legs, scan.legs)
    legs = _split_round_trips(legs)
    default = document_carrier([*(x for leg in scan.legs for x in leg.lines), hint], None)
    return _result(legs, lines, reference, default, find_passenger(text))


def _price_summary(legs: list[_Leg], scanned: list[_Leg]) -> None:
    """Prices printed after the journeys, one per marker (``Aller 45,00 €`` /
    ``Retour 52,50 €``), go to unpriced legs in order, when they are as many."""
    last = max(i for i, leg in enumerate(scanned) if leg is legs[-1])
    summary = [leg.price for leg in scanned[last + 1 :]
               if leg.marked and not leg.has_stations and leg.price is not None]
    if len(summary) == len(legs) and all(leg.price is None for leg in legs):
        for leg, price in zip(legs, summary, strict=True):
            leg.price = price


def head(text: str) -> str:
    """The first `MAX_LINES` lines of ``text``, each cut at `MAX_LINE_CHARS`
    (a ticket's lines are short; a 200,000-character line is hostile)."""
    return "\n".join(line[:MAX_LINE_CHARS] for line in text.split("\n", MAX_LINES)[:MAX_LINES])


def _split_round_trips(legs: list[_Leg]) -> list[_Leg]:
    """A leg whose stops go A … B, B … A (no marker between) is two legs."""
    out: list[_Leg] = []
    for leg in legs:
        stops = leg.stations
        if leg.pair is None and len(stops) >= 4 and stops[0] == stops[-1] and len(stops) % 2 == 0:
            half = len(stops) // 2
            out.append(_Leg(leg.day, stops[:half], None, leg.price, leg.lines))
            out.append(_Leg(leg.day, stops[half:], None, None, leg.lines))
        else:
            out.append(leg)
    return out


def _result(legs: list[_Leg], lines: list[str], reference: str, default: str | None,
            passenger: str | None) -> TicketResult:
    prices, total = leg_prices([leg.price for leg in legs], lines)
    out = [
        Leg(
            amount_eur=None if price is None else format(price, "f"),
            date=iso(leg.day),
            origin=leg.ends[0],
            destination=leg.ends[1],
            reference=reference,
            passenger=passenger,
            carrier=leg_carrier(leg.lines) or default or "SNCF",
        )
        for leg, price in zip(legs, prices, strict=True)
    ]
    return build_result(ANY_LAYOUT, out, total=total)
