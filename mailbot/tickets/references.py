"""Booking references in any ticket text: the carrier's PNR first, a
reseller's order number only as a fallback.

A reference is a labelled token of 6 to 8 capitals and digits with at least
one letter (`mailbot.tickets.text.REF_TOKEN`): SNCF and OUIGO print 6
characters (``TQWZ4H``), Secutix ``PAO``/``REF`` up to 8. Labels are tried
from the most to the least specific. The value may follow the label on the
same line, or stand alone on one of the next lines (PDF text often stacks a
label column above its value column: ``PASSAGER / Référence de dossier /
THOMAS KELLER / HZP2LD``).

Resellers (Trainline) print their own order number *and* the carrier's PNR:
the PNR is the reference; ``order_number`` is kept apart and used only when
no carrier reference is printed.
"""

from __future__ import annotations

import re

from mailbot.tickets.text import REF_TOKEN, is_reference

__all__ = ["booking_reference", "order_number"]

_CARRIER_LABELS = (
    r"r[ée]f[ée]rence\s+(?:de\s+(?:votre\s+|la\s+)?|du\s+)?(?:dossier|r[ée]servation|voyage|billet)"
    r"(?:\s+(?:SNCF|OUIGO|transporteur|voyage))?(?:\s*\(PNR\))?",
    r"dossier\s+voyage",
    r"votre\s+num[ée]ro\s+de\s+r[ée]servation(?:\s+est)?",
    r"num[ée]ro\s+de\s+(?:r[ée]servation|dossier)(?:\s+est)?",
    r"code\s+(?:de\s+)?r[ée]servation",
    r"\bPNR\b",
    r"\bPAO\b",
    r"\bREF\b\.?",
    r"\bR[ée]f\b\.?",
    r"\bR[ée]f[ée]rence\b",
    r"\bDossier\b",
)
_ORDER_LABELS = (
    r"num[ée]ro\s+de\s+commande",
    r"r[ée]f[ée]rence\s+(?:de\s+(?:la\s+)?)?commande",
    r"n°\s*de\s+commande",
    r"commande\s+n°",
    r"\border\s+(?:number|no\.?|n°)",
)
_TAIL = rf"[ \t]*(?:n°)?[ \t]*(?P<colon>:)?[ \t]*(?P<ref>{REF_TOKEN})"
# "Référence SNCF : ABC123", "Code PNR transporteur : ABC123": a reference
# label, up to three words, a colon, the token; never a reseller's or client's.
_WORDY = re.compile(
    rf"(?i:\b(?:r[ée]f[ée]rence|r[ée]f\.?|code|PNR|dossier)(?P<words>(?:[ \t]+[\w()°'’.-]+){{1,3}}?)"
    rf"[ \t]*:[ \t]*)(?P<ref>{REF_TOKEN})")
_CARRIER_WORDS = re.compile(r"(?i)\b(?:SNCF|OUIGO|PNR|transporteur)\b|dossier\s+voyage")
_NOT_CARRIER = re.compile(r"(?i)commande|order|client|trainline|facture|invoice|promo|postal|carte")
_ORDER_TOKEN = r"(?P<ref>[A-Z0-9][A-Z0-9-]{4,20}[A-Z0-9])(?![A-Za-z0-9-])"


def _compile(labels: tuple[str, ...], tail: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(rf"(?i:{label}){tail}") for label in labels)


_SAME_LINE = _compile(_CARRIER_LABELS, _TAIL)
_SPECIFIC = 5  # the first labels name a booking reference unambiguously
_ALONE = tuple(re.compile(rf"^(?i:{label})[ \t]*(?:n°)?[ \t]*:?$") for label in _CARRIER_LABELS)
_ORDER = _compile(_ORDER_LABELS, rf"[ \t]*:?[ \t]*{_ORDER_TOKEN}")

#: A label alone on its line may have its value this many lines below.
STACK_DEPTH = 3


def _same_line(text: str) -> str | None:
    """The best labelled token: the carrier's own words first (``SNCF``,
    ``PNR``), then the specific labels in their order, then generic ones;
    a 6-character token before a longer one; never a reseller's label."""
    found: list[tuple[int, int, int, str]] = []  # (rank, not six, position, token)
    for rank, pattern in enumerate(_SAME_LINE):
        for m in pattern.finditer(text):
            # Without a colon, demand a digit or (for specific labels) the PNR shape:
            # "Référence TRAJET" is no reference.
            loose = rank < _SPECIFIC and len(m["ref"]) == 6
            if m["colon"] or any(c.isdigit() for c in m["ref"]) or loose:
                found.append((_carrier_rank(m[0], rank), len(m["ref"]) != 6, m.start(), m["ref"]))
    for m in _WORDY.finditer(text):
        if not _NOT_CARRIER.search(m["words"]):
            found.append((_carrier_rank(m[0], len(_SAME_LINE)), len(m["ref"]) != 6, m.start(), m["ref"]))
    return min(found)[3] if found else None


def _carrier_rank(label: str, rank: int) -> int:
    if _NOT_CARRIER.search(label.rsplit(":", 1)[0]):
        return 1000
    return -1 if _CARRIER_WORDS.search(label) else rank


def _stacked(lines: list[str]) -> str | None:
    for pattern in _ALONE:
        for index, line in enumerate(lines):
            if not pattern.match(line):
                continue
            for below in lines[index + 1 : index + 1 + STACK_DEPTH]:
                if is_reference(below):
                    return below.strip()
    return None


def booking_reference(text: str) -> str | None:
    """The carrier's booking reference in ``text`` (normalised), or None."""
    found = _same_line(text)
    if found is not None:
        return found
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return _stacked(lines)


def order_number(text: str) -> str | None:
    """A reseller's order number (``Numéro de commande : 113-285-516``), or None."""
    for pattern in _ORDER:
        m = pattern.search(text)
        if m:
            return m["ref"]
    return None
