"""The amount an invoice asks for, read from its text.

What is due to an AMO is stated before tax ("600,00 € HT + billets"), so the
total before tax is preferred ("Total HT", "Montant HT"); without one, the
amount to pay ("Net à payer", "Total TTC", "Total"). The amount is on the
label's line, or on one of the next two lines (PDF text often puts table cells
on lines of their own). Pure: text in, Decimal or None out.
"""

from __future__ import annotations

import re
from decimal import Decimal

from mailbot.tickets.money import find_amounts

_BEFORE_TAX = re.compile(r"(?i)\b(total|montant|sous-total)\s+h\.?\s?t\.?(?![a-z])")
_TO_PAY = re.compile(r"(?i)(net\s+[àa]\s+payer|total\s+t\.?t\.?c\.?|montant\s+t\.?t\.?c\.?"
                     r"|total\s+(d[ûu]|due)|amount\s+due|^\s*total\b)")


def _amount_near(lines: list[str], pattern: re.Pattern[str]) -> Decimal | None:
    found: Decimal | None = None
    for n, line in enumerate(lines):
        if not pattern.search(line):
            continue
        for candidate in lines[n:n + 3]:
            amounts = find_amounts(candidate)
            if amounts:
                found = amounts[-1].value  # the last such label wins (totals come last)
                break
    return found


def invoice_amount(text: str) -> Decimal | None:
    """The total before tax, else the amount to pay, else None."""
    lines = [line for line in text.splitlines() if line.strip()]
    return _amount_near(lines, _BEFORE_TAX) or _amount_near(lines, _TO_PAY)
