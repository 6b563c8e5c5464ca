"""Travel dates as printed on French tickets.

Spellings handled (weekday optional, full or abbreviated, case-insensitive,
accents optional): ``15 juillet 2024``, ``mer. 17 nov. 2021``,
``Mercredi 17 novembre 2021``, ``1er août``, ``17/11/2021``, ``17/11/21``,
``2021-11-17`` (also as the start of an ISO datetime), and year-less
``15/07`` or ``15 juillet``.

Year-less dates take their year from the message date (see `infer_year`):
the trip is assumed to fall between about two months before and ten months
after the message, since tickets are sent either after the trip (proof) or
before it (AMOs short of cash may send them in advance).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "FoundDate",
    "LONG_DATE",
    "MONTHS",
    "PAST_WINDOW",
    "find_dates",
    "infer_year",
    "parse_date",
]

#: How far before the message date a year-less travel date may fall before
#: it is read as next year's.
PAST_WINDOW = timedelta(days=62)

#: Month names and abbreviations (lowercase, no accents) to month numbers.
MONTHS: dict[str, int] = {
    "janvier": 1, "janv": 1, "jan": 1,
    "fevrier": 2, "fevr": 2, "fev": 2,
    "mars": 3,
    "avril": 4, "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7, "juil": 7,
    "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9,
    "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}  # fmt: skip

_ACCENTED = {"fevrier": "f[ée]vrier", "fevr": "f[ée]vr", "fev": "f[ée]v", "aout": "ao[ûu]t",
             "decembre": "d[ée]cembre", "dec": "d[ée]c"}  # fmt: skip
_MONTH_ALT = "|".join(_ACCENTED.get(k, k) for k in sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = r"(?P<weekday>lun|mar|mer|jeu|ven|sam|dim)(?:di|credi|dredi|edi|anche)?\.?"
_WEEKDAYS = {"lun": 0, "mar": 1, "mer": 2, "jeu": 3, "ven": 4, "sam": 5, "dim": 6}

#: A long-form date: optional weekday, day, month name, optional year.
LONG_DATE = re.compile(
    rf"(?i)(?:\b{_WEEKDAY}\s+)?(?<!\d)(?P<day>\d{{1,2}})(?:er)?\s+"
    rf"(?P<month>{_MONTH_ALT})(?![a-zà-ÿ])\.?(?:\s+(?P<year>\d{{4}})(?!\d))?"
)
_ISO = re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)")
_NUMERIC = re.compile(
    r"(?<![\d/])(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4}|\d{2})(?![\d/])"
)
_SHORT = re.compile(r"(?<![\d/])(?P<day>\d{1,2})/(?P<month>\d{1,2})(?![\d/])")


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date found in a text, with its position and whether the year was printed."""

    value: date
    start: int
    end: int
    year_printed: bool


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def infer_year(day: int, month: int, message_date: date | None) -> date | None:
    """The date ``day``/``month`` in the year that puts it in the window
    [message date - `PAST_WINDOW`, message date + one year - `PAST_WINDOW`).

    So a date more than about two months before the message is read as next
    year's, and a December date in a January message as last year's.
    Returns None when there is no message date or the day does not exist.
    """
    if message_date is None:
        return None
    low = message_date - PAST_WINDOW
    for year in (message_date.year - 1, message_date.year, message_date.year + 1):
        candidate = _make(year, month, day)
        if candidate is not None and low <= candidate < low + timedelta(days=365):
            return candidate
    # 29 February outside a leap year window: nothing sensible.
    return None


def by_weekday(day: int, month: int, weekday: int | None, message_date: date | None) -> date | None:
    """`infer_year`, unless a printed weekday (0 = Monday) names the year:
    ``mer. 17 nov.`` is in the year, of the three around the message's,
    where 17 November is a Wednesday (the nearest to the message wins)."""
    guess = infer_year(day, month, message_date)
    if weekday is None or message_date is None or (guess and guess.weekday() == weekday):
        return guess
    years = sorted(range(message_date.year - 1, message_date.year + 2),
                   key=lambda y: abs(y - message_date.year))
    for year in years:
        candidate = _make(year, month, day)
        if candidate is not None and candidate.weekday() == weekday:
            return candidate
    return guess


def _full_year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def find_dates(text: str, *, message_date: date | None = None) -> list[FoundDate]:
    """Every readable date in ``text``, in order of appearance.

    Year-less dates are completed with `infer_year` and dropped when that is
    impossible (no message date).
    """
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], value: date | None, year_printed: bool) -> None:
        if value is None:
            return
        if any(m.start() < end and start < m.end() for start, end in taken):
            return
        taken.append((m.start(), m.end()))
        found.append(FoundDate(value, m.start(), m.end(), year_printed))

    for m in _ISO.finditer(text):
        add(m, _make(int(m["year"]), int(m["month"]), int(m["day"])), True)
    for m in _NUMERIC.finditer(text):
        add(m, _make(_full_year(m["year"]), int(m["month"]), int(m["day"])), True)
    for m in LONG_DATE.finditer(text):
        month = MONTHS.get(_fold(m["month"]))
        if month is None:
            continue
        day = int(m["day"])
        if m["year"]:
            add(m, _make(int(m["year"]), month, day), True)
        elif _make(2000, month, day) is not None:
            weekday = _WEEKDAYS.get((m["weekday"] or "").lower())
            add(m, by_weekday(day, month, weekday, message_date), False)
    for m in _SHORT.finditer(text):
        day, month = int(m["day"]), int(m["month"])
        if 1 <= month <= 12 and _make(2000, month, day) is not None:
            add(m, infer_year(day, month, message_date), False)
    found.sort(key=lambda f: f.start)
    return found


def parse_date(text: str, *, message_date: date | None = None) -> date | None:
    """The first date in ``text`` (see `find_dates`), or None."""
    dates = find_dates(text, message_date=message_date)
    return dates[0].value if dates else None
