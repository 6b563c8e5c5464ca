"""Sections of a ticket document that hold no journey to claim.

An exchange confirmation prints the cancelled ticket beside the new one
("Votre ancien billet (annulé)" … "Votre nouveau billet"); a refund notice
prints the refunded journey. `void_heading` says whether a line opens such a
section (True), closes it by heading the journeys that stand (False), or
neither (None). The reader drops the legs read inside a void section.
"""

from __future__ import annotations

import re

__all__ = ["void_heading"]

_VOID = re.compile(
    r"(?i)^(?:votre\s+|vos\s+)?(?:ancien(?:ne)?s?\s+(?:billets?|r[ée]servations?|trajets?|voyages?)|"
    r"billets?\s+(?:annul[ée]s?|[ée]chang[ée]s?|rembours[ée]s?)|trajets?\s+annul[ée]s?)\b"
    r"|^(?:old|cancell?ed)\s+(?:ticket|journey)s?\b")
_STANDS = re.compile(
    r"(?i)^(?:votre\s+|vos\s+)?(?:nouveaux?|nouvelles?)\s+(?:billets?|r[ée]servations?|trajets?|voyages?)\b"
    r"|^new\s+(?:ticket|journey)s?\b")


def void_heading(line: str) -> bool | None:
    """True when ``line`` heads a cancelled/replaced ticket, False when it
    heads the new one, None otherwise (prices and totals never head)."""
    text = line.strip()
    if len(text) > 60 or ":" in text:  # "Prix du nouveau billet : 57,00 €" is a price, not a heading
        return None
    if _VOID.search(text):
        return True
    if _STANDS.search(text):
        return False
    return None
