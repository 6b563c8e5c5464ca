"""Text helpers shared by the ticket readers.

* `normalize` makes PDF and email text comparable (NFKC, one space, ``\\n`` line ends);
* `find_reference` finds a labelled booking reference;
* `labelled_values` reads two-column "labels then values" blocks;
* `parse_journeys` cuts a ticket into journeys at their long-form date
  headers and reads each one's stops and price;
* `money_summary` reads the total and the fees of a booking.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mailbot.tickets.dates import LONG_DATE, find_dates
from mailbot.tickets.money import find_amounts, is_fee_line, is_total_line

__all__ = [
    "Journey", "MoneySummary", "REF_TOKEN", "Stop", "TIME", "find_passenger", "find_reference",
    "is_reference", "labelled_values", "lines_of", "money_summary", "normalize", "parse_journeys",
    "stops_of",
]  # fmt: skip

#: A booking reference: 6 to 8 uppercase letters/digits, at least one letter.
REF_TOKEN = r"(?<![A-Za-z0-9])(?=[A-Z0-9]{0,7}[A-Z])[A-Z0-9]{6,8}(?![A-Za-z0-9])"
_REF_WHOLE = re.compile(rf"^{REF_TOKEN}$")

_REF_LABELS = (
    r"dossier\s+voyage",
    r"r[ée]f[ée]rence\s+(?:de\s+|du\s+)?(?:dossier|r[ée]servation|voyage|commande)",
    r"num[ée]ro\s+de\s+(?:r[ée]servation|dossier|commande)(?:\s+est)?",
    r"code\s+(?:de\s+)?r[ée]servation",
    r"\bPNR",
    r"\bPAO",
    r"\bREF\b\.?",
    r"\bR[ée]f\b\.?",
    r"\bR[ée]f[ée]rence",
)
_REF_PATTERNS = tuple(
    re.compile(rf"(?i:{label})[ \t]*(?:n°)?[ \t]*(?P<colon>:)?[ \t]*(?P<ref>{REF_TOKEN})")
    for label in _REF_LABELS
)

#: A clock time: ``17h50``, ``17:50``, ``7h52``, ``17 h 50``.
TIME = r"(?<!\d)(?:[01]?\d|2[0-3])\s?[hH:]\s?[0-5]\d(?!\d)"
_TIME_ONLY = re.compile(rf"^(?P<time>{TIME})$")
_TIME_STATION = re.compile(rf"^(?P<time>{TIME})\s*(?:[-–]\s*)?(?P<station>[^\d\s].*)$")
_STATION_TIME = re.compile(rf"^(?P<station>[^\d\s].*?)\s+(?P<time>{TIME})$")

_NOT_STATION = re.compile(
    r"(?i)^(?:TGV|INOUI|TER|INTERCIT|OUIGO|CAR|BUS|AUTOCAR|TRAIN|TRAM|EUROSTAR|LYRIA|N°|No\b|"
    r"Voiture|Place|Op[ée]r[ée]|Classe|\d+(?:re|e|nde|[èe]re)\s+classe|Tarif|Prix|Montant|Total|"
    r"D[ée]part|Arriv[ée]e|Correspondance|ALLER|RETOUR|TRAJET|Dur[ée]e|Voyageur|Passager|Carte|"
    r"R[ée]f|REF|PAO|Conditions|[ÉE]mis|Valable|Bonjour|Merci|Date|Heure|Nom|Pr[ée]nom|Billet|"
    r"E-BILLET|Dossier|Siège|Ce\b|Les\b|Vous\b|Votre\b|Bagage|Option|Frais|Assurance|Direct)\b"
)

_PASSENGER = re.compile(
    r"(?i:\b(?:voyageur|passager|nom du voyageur|titulaire)(?:[ \t]*\d+)?)[ \t]*:[ \t]*"
    r"(?P<rest>[^\n]{1,200})"
)
# Where a passenger name printed after its label stops.
_NAME_END = re.compile(r"\s{2,}|\s+-\s+|:|\s+(?i:r[ée]f[ée]rence|dossier|carte)\b")

_SPACE = re.compile(r"[^\S\n\f]")


def normalize(text: str) -> str:
    """NFKC; every horizontal space character (U+00A0, U+202F, tab...) as
    ``" "`` (runs are kept: a wide gap separates columns); ``\\r\\n`` as
    ``\\n``; lines stripped."""
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(_SPACE.sub(" ", line).strip() for line in text.split("\n"))


def lines_of(text: str) -> list[str]:
    """Non-empty lines of already normalised text (form feeds split too).

    PDF text often puts a price on the line after its label (the two were
    separate text objects); an amount-only line is joined back to a
    preceding label line (ending with ``:``, a fee, a total, or an
    ``A / B`` journey line).
    """
    raw = [line.strip() for line in re.split(r"[\n\f]", text) if line.strip()]
    joined: list[str] = []
    for line in raw:
        if joined and _amount_only(line) and _wants_amount(joined[-1]):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return joined


def _amount_only(line: str) -> bool:
    amounts = find_amounts(line)
    return len(amounts) == 1 and not (line[: amounts[0].start] + line[amounts[0].end :]).strip()


def _wants_amount(line: str) -> bool:
    if find_amounts(line):
        return False
    if line.endswith(":") or " / " in line:
        return True
    # A fee or total label ("Frais de service", "TOTAL"), not a sentence that
    # merely mentions luggage ("Bagages : 2 grands bagages + 1 bagage à main").
    return (is_fee_line(line) or is_total_line(line)) and not re.search(r":\s*\S", line)


def is_reference(token: str) -> bool:
    """``token`` is shaped like a booking reference (see `REF_TOKEN`)."""
    return bool(_REF_WHOLE.match(token.strip()))


def find_reference(text: str) -> str | None:
    """The first labelled booking reference in ``text`` (label and value on
    the same line), trying the most specific labels first.

    Without a colon after the label the value must hold a digit, so that
    "Référence TRAJET" is not read as a reference.
    """
    for pattern in _REF_PATTERNS:
        for m in pattern.finditer(text):
            if m["colon"] or any(c.isdigit() for c in m["ref"]):
                return m["ref"]
    return None


def find_passenger(text: str) -> str | None:
    """A name after ``Voyageur :``/``Passager :`` (up to `` - Carte…``)."""
    m = _PASSENGER.search(text)
    if not m:
        return None
    name = _NAME_END.split(m["rest"], maxsplit=1)[0].strip(" .,;")
    return name if re.search(r"[A-Za-zÀ-ÿ]", name) and len(name) <= 60 else None


def labelled_values(lines: list[str], labels: dict[str, re.Pattern[str]]) -> dict[str, str]:
    """Values of two-column blocks where labels come before their values.

    Text extracted from a PDF often gives ``PASSAGER / Référence de dossier /
    THOMAS KELLER / HZP2LD``: labels stacked, then values in the same order.
    Whole lines matching one of ``labels`` queue their key; the next lines
    that are not labels are assigned to queued keys in order. This also
    reads the simple ``label / value / label / value`` case.
    """
    values: dict[str, str] = {}
    pending: deque[str] = deque()
    for line in lines:
        key = next((k for k, p in labels.items() if p.fullmatch(line)), None)
        if key is not None:
            if key not in values and key not in pending:
                pending.append(key)
            continue
        if pending:
            values[pending.popleft()] = line
    return values


@dataclass(frozen=True, slots=True)
class Stop:
    """A station with its time, in the order printed."""

    time: str
    station: str


def _station_like(line: str) -> bool:
    if len(line) > 60 or ":" in line or _NOT_STATION.match(line):
        return False
    if find_amounts(line) or find_dates(line, message_date=date(2000, 1, 1)):
        return False
    letters = sum(c.isalpha() for c in line)
    return letters >= 2 and letters >= len(line) // 2


def stops_of(lines: list[str]) -> list[Stop]:
    """Stations with times, read from ``17h50 Toulouse Matabiau`` lines, or
    from time-only lines followed (possibly later) by station-only lines."""
    stops: list[Stop] = []
    times: deque[str] = deque()
    for line in lines:
        m = _TIME_ONLY.match(line)
        if m:
            times.append(m["time"])
            continue
        m = _TIME_STATION.match(line) or _STATION_TIME.match(line)
        if m and _station_like(m["station"]):
            stops.append(Stop(m["time"], m["station"].strip()))
            continue
        if times and _station_like(line):
            stops.append(Stop(times.popleft(), line))
    return stops


@dataclass(slots=True)
class Journey:
    """One journey of a ticket: the lines under one date header."""

    date: date | None
    lines: list[str] = field(default_factory=list)
    stops: list[Stop] = field(default_factory=list)
    price: Decimal | None = None

    @property
    def origin(self) -> str | None:
        return self.stops[0].station if self.stops else None

    @property
    def destination(self) -> str | None:
        return self.stops[-1].station if len(self.stops) > 1 else None


def _is_anchor(line: str) -> bool:
    m = LONG_DATE.match(line)
    if m is None:
        return False
    rest = line[m.end() :].strip()
    return len(rest) <= 25 and not _TIME_STATION.match(rest)


def leg_price(lines: list[str]) -> Decimal | None:
    """The first amount in ``lines`` on a line that prices neither fees nor
    a total."""
    for line in lines:
        if is_fee_line(line) or is_total_line(line):
            continue
        amounts = find_amounts(line)
        if amounts:
            return amounts[0].value
    return None


def parse_journeys(lines: list[str], *, message_date: date | None) -> list[Journey]:
    """Cut ``lines`` into journeys at lines starting with a long-form date
    (``Mercredi 17 novembre 2021``, ``15 juillet 2024``), then read each
    journey's stops and price. Journeys without any stop are dropped."""
    journeys: list[Journey] = []
    current: Journey | None = None
    for line in lines:
        if _is_anchor(line):
            found = find_dates(line, message_date=message_date)
            current = Journey(found[0].value if found else None)
            journeys.append(current)
            continue
        if current is not None:
            current.lines.append(line)
    for journey in journeys:
        journey.stops = stops_of(journey.lines)
        journey.price = leg_price(journey.lines)
    return [j for j in journeys if j.stops]


@dataclass(frozen=True, slots=True)
class MoneySummary:
    """The booking total and the fees printed on a ticket."""

    total: Decimal | None
    fees: Decimal

    def total_without_fees(self, legs_sum: Decimal | None = None) -> Decimal | None:
        """The total minus the fees, unless the printed total already equals
        the sum of the leg prices (fees then were not included)."""
        if self.total is None:
            return None
        if not self.fees or (legs_sum is not None and legs_sum == self.total):
            return self.total
        return self.total - self.fees if self.fees < self.total else self.total


def money_summary(lines: list[str]) -> MoneySummary:
    """Read the first total line's amount and the sum of the fee amounts.

    A line like ``Total : 36,00 € dont 1,00 € de frais`` gives both.
    """
    total: Decimal | None = None
    fees = Decimal(0)
    for line in lines:
        amounts = find_amounts(line)
        if not amounts:
            continue
        if is_total_line(line):
            if total is None:
                total = amounts[0].value
            if is_fee_line(line):
                fees += sum((a.value for a in amounts[1:] if a.value > 0), Decimal(0))
        elif is_fee_line(line):
            fees += sum((a.value for a in amounts if a.value > 0), Decimal(0))
    return MoneySummary(total, fees)
