"""Euro amounts as printed on French tickets.

Spellings handled: ``35,00 EUR``, ``35.00 EUR``, ``19.00€``, `` 19.00 €``,
``87,00\\u202f€``, ``1 234,50 €`` (thousands separated by a space, U+00A0,
U+202F, U+2009 or a dot), ``€ 35,00``, ``35 euros``, ``-35,00 €``.
Values are `Decimal`; `format_amount` gives the canonical ``"35.00"``.

Booking and service fees are recognised by `is_fee_line` so that readers can
keep them out of leg prices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "Amount",
    "find_amounts",
    "format_amount",
    "format_eur_fr",
    "is_fee_line",
    "is_total_line",
    "parse_amount",
]

_CENT = Decimal("0.01")
_SP = " \u00a0\u202f\u2009"  # characters used between thousands groups

# Integer part: grouped thousands ("1 234", "1.234") or plain digits.
_INT = rf"(?P<int>\d{{1,3}}(?:[{_SP}.]\d{{3}})+(?![\d])|\d{{1,7}})"
_DEC = r"(?:(?:[.,]| ,)(?P<dec>\d{1,2})(?!\d))?"  # " ," : OCR spacing ("94 ,40 €")
_SIGN = r"(?P<sign>(?<![\w])[-\u2212])?"
_CUR = r"(?:€|EUR\b|[Ee]uros?\b)"
_SUFFIXED = re.compile(rf"{_SIGN}(?<![\d.,]){_INT}{_DEC}[{_SP}]{{0,3}}{_CUR}")
_PREFIXED = re.compile(rf"{_CUR}[{_SP}]{{0,3}}{_SIGN}(?<![\d.,]){_INT}{_DEC}(?![\d])")
_BARE = re.compile(rf"^\s*{_SIGN}{_INT}{_DEC}\s*{_CUR}?\s*$")

_FEE = re.compile(
    r"(?i)\bfrais\b|\bcommission\b|\bassurance\b|\bbooking fee|\bservice fee"
    r"|\bbagages?\b|\boptions?\b|\bpourboire\b"
)
_TOTAL = re.compile(r"(?i)\btotal\b|\bmontant (?:pay[ée]|r[ée]gl[ée]|global)|\bnet [àa] payer")


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount found in a text, with its position."""

    value: Decimal
    start: int
    end: int


def _to_decimal(sign: str | None, int_part: str, dec: str | None) -> Decimal | None:
    digits = re.sub(rf"[{_SP}.]", "", int_part)
    try:
        value = Decimal(digits)
        if dec:
            value += Decimal(dec.ljust(2, "0")) / 100
    except InvalidOperation:
        return None
    if sign:
        value = -value
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def find_amounts(text: str) -> list[Amount]:
    """Every euro amount (with a currency marker) in ``text``, in order."""
    found: list[Amount] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_SUFFIXED, _PREFIXED):
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            value = _to_decimal(m.group("sign"), m.group("int"), m.group("dec"))
            if value is not None:
                found.append(Amount(value, m.start(), m.end()))
                taken.append((m.start(), m.end()))
    found.sort(key=lambda a: a.start)
    return found


def parse_amount(text: str) -> Decimal | None:
    """Parse a string that holds one amount (currency marker optional).

    ``parse_amount("87,00\\u202f€") == Decimal("87.00")``; a string holding
    more than an amount is searched for its first currency-marked amount.
    """
    m = _BARE.match(text)
    if m:
        return _to_decimal(m.group("sign"), m.group("int"), m.group("dec"))
    amounts = find_amounts(text)
    return amounts[0].value if amounts else None


def format_amount(value: Decimal) -> str:
    """Canonical decimal string with two places: ``Decimal("79") -> "79.00"``."""
    return format(value.quantize(_CENT, rounding=ROUND_HALF_UP), "f")


def format_eur_fr(value: Decimal) -> str:
    """French display for messages to users: ``Decimal("1234.5") -> "1 234,50 €"``."""
    text = f"{value.quantize(_CENT, rounding=ROUND_HALF_UP):,.2f}"
    return text.replace(",", "\u202f").replace(".", ",") + "\u00a0€"


def is_fee_line(line: str) -> bool:
    """The line prices a fee or an extra (service/booking fees, insurance,
    luggage options), not a journey."""
    return bool(_FEE.search(line))


def is_total_line(line: str) -> bool:
    """The line gives a total for the booking rather than a leg price."""
    return bool(_TOTAL.search(line))
