"""Dates as mail clients print them in forwarded headers and attributions.

Owns ``parse_loose_date``: "jeu. 18 nov. 2021 à 14:02", "Thursday, November 18, 2021 2:02 PM",
"18/11/2021 14:02", ISO, with a zone when one is printed and ``default_tz`` otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone, tzinfo

try:
    from zoneinfo import ZoneInfo

    PARIS: tzinfo = ZoneInfo("Europe/Paris")
except Exception:  # no tz database on this host: winter time is the lesser evil
    PARIS = timezone(timedelta(hours=1), "CET")

# --- dates as mail clients print them ------------------------------------------------------------

_MONTHS = {
    "jan": 1, "janv": 1, "janvier": 1, "january": 1,
    "feb": 2, "fev": 2, "fév": 2, "févr": 2, "fevr": 2, "février": 2, "fevrier": 2, "february": 2,
    "mar": 3, "mars": 3, "march": 3,
    "apr": 4, "avr": 4, "avril": 4, "april": 4,
    "may": 5, "mai": 5,
    "jun": 6, "juin": 6, "june": 6,
    "jul": 7, "juil": 7, "juillet": 7, "july": 7,
    "aug": 8, "aoû": 8, "aou": 8, "août": 8, "aout": 8, "august": 8,
    "sep": 9, "sept": 9, "septembre": 9, "september": 9,
    "oct": 10, "octobre": 10, "october": 10,
    "nov": 11, "novembre": 11, "november": 11,
    "dec": 12, "déc": 12, "décembre": 12, "decembre": 12, "december": 12,
}  # fmt: skip
_DMY = re.compile(r"\b(\d{1,2})(?:er)?\.?\s+([^\W\d_]{3,10})\.?,?\s+(\d{4})\b")
_MDY = re.compile(r"\b([^\W\d_]{3,10})\.?\s+(\d{1,2}),?\s+(\d{4})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_TIME = re.compile(r"\b(\d{1,2})\s*[:h]\s*(\d{2})(?:\s*:\s*(\d{2}))?(?:\s*([ap])\.?\s?m\b\.?)?", re.I)
_ZONE = re.compile(r"(?:\b(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?|(?<![\d:])([+-])(\d{2}):?(\d{2})\b)")
_NAMED_ZONES = {"cet": 1, "cest": 2, "gmt": 0, "utc": 0, "bst": 1, "est": -5, "edt": -4, "pst": -8, "pdt": -7}


def _find_day(text: str) -> tuple[int, int, int, int] | None:
    """(year, month, day, end offset) of the first date found in ``text``."""
    for m in _DMY.finditer(text):
        month = _MONTHS.get(m.group(2).lower())
        if month:
            return int(m.group(3)), month, int(m.group(1)), m.end()
    for m in _MDY.finditer(text):
        month = _MONTHS.get(m.group(1).lower())
        if month:
            return int(m.group(3)), month, int(m.group(2)), m.end()
    num = _NUMERIC.search(text)
    if num:  # French order; month first only when the day cannot be a month
        day, month, year = int(num.group(1)), int(num.group(2)), int(num.group(3))
        return (year, month, day, num.end()) if month <= 12 else (year, day, month, num.end())
    iso = _ISO.search(text)
    return (int(iso.group(1)), int(iso.group(2)), int(iso.group(3)), iso.end()) if iso else None


def _find_zone(text: str, default_tz: tzinfo) -> tzinfo:
    m = _ZONE.search(text)
    if m:
        sign, hours, minutes = (m.group(1), m.group(2), m.group(3)) if m.group(1) else m.group(4, 5, 6)
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if offset < timedelta(hours=15):
            return timezone(-offset if sign == "-" else offset)
    for word in re.findall(r"\b[A-Za-z]{3,4}\b", text):
        if word.lower() in _NAMED_ZONES:
            return timezone(timedelta(hours=_NAMED_ZONES[word.lower()]))
    return default_tz


def parse_loose_date(text: str, default_tz: tzinfo = PARIS) -> datetime | None:
    """A date as clients print it in forwards: "mer. 24 nov. 2021 à 17:32", "28/10/2021 12:46",
    "Mon, 22 Nov 2021 19:04:12 +0100", "26 octobre 2021 à 14:25:08 UTC+3"...

    Timezone-aware: the printed zone when there is one, else ``default_tz`` (Paris).
    """
    text = unicodedata.normalize("NFC", text)[:200]
    day = _find_day(text)
    if day is None:
        return None
    year, month, dom, end = day
    hour = minute = second = 0
    rest = text[end:]
    t = _TIME.search(rest)
    if t:
        hour, minute, second = int(t.group(1)), int(t.group(2)), int(t.group(3) or 0)
        if t.group(4) and t.group(4).lower() == "p" and hour < 12:
            hour += 12
        elif t.group(4) and hour == 12:
            hour = 0
        rest = rest[t.end() :]
    try:
        return datetime(year, month, dom, hour, minute, second, tzinfo=_find_zone(rest, default_tz))
    except ValueError:
        return None
