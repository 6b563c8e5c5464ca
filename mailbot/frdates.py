"""Dates written in French with babel, the first of the month as "1er".

babel writes "lundi 1 novembre 2021"; French writes "lundi 1er novembre 2021".
`format_fr` takes a babel pattern (or a babel format name such as "full") and
adds the ordinal to the day-of-month field when the day is the first. Every
date people read goes through here: templates (`date_fr`, `date_short`,
`datetime_fr`), the digest's labels, the command line.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date, format_datetime, get_date_format

LOCALE = "fr_FR"
_NAMED = {name: str(get_date_format(name, locale=LOCALE).pattern)
          for name in ("full", "long", "medium", "short")}
# a lone "d" field (not "dd", not inside a 'quoted literal')
_DAY_FIELD = re.compile(r"'[^']*'|(?<![d])d(?![d])")


@lru_cache(maxsize=64)
def first_of_month(pattern: str) -> str:
    """The pattern with "d" followed by the literal "er" (quoted parts left alone)."""
    pattern = _NAMED.get(pattern, pattern)
    return _DAY_FIELD.sub(lambda m: m.group(0) if m.group(0).startswith("'") else "d'er'",
                          pattern)


def _pattern(pattern: str, day: int) -> str:
    if day == 1:
        return first_of_month(pattern)
    return _NAMED.get(pattern, pattern)


def format_fr(value: date | datetime, pattern: str = "full") -> str:
    """'lundi 1er novembre 2021' for pattern "full"; any babel pattern otherwise."""
    if isinstance(value, datetime):
        return format_datetime(value, _pattern(pattern, value.day), locale=LOCALE)
    return format_date(value, _pattern(pattern, value.day), locale=LOCALE)
