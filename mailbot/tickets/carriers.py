"""Who runs the train: the carrier named by a leg or by the document.

A leg's carrier is the operator of the first train printed with its number
(``TGV INOUI 6107`` is SNCF, ``TGV Lyria 9763`` is TGV Lyria, ``liO train
876543`` or ``TER Fluo 834217`` is TER: regional brands are TER); failing
that, the first carrier the document names. "Avignon TGV" names no train.
"""

from __future__ import annotations

import re

__all__ = ["document_carrier", "leg_carrier"]

#: Regional TER brands, named with a train number ("liO train 876543", "Rémi 16027").
_REGIONAL = r"BreizhGo|Fluo|R[ée]mi|liO|Al[ée]op|ZOU|Mobigo|Nomad|TER"
_CARRIERS = (
    (re.compile(r"(?i)\bLYRIA\b"), "TGV Lyria"),
    (re.compile(r"(?i)\bOUIGO\b"), "OUIGO"),
    (re.compile(r"(?i)\bINTERCIT[ÉE]S\b"), "Intercités"),
    (re.compile(rf"\bTER\b|\bCAR\b|(?i:\bTER\s+\d{{4,6}}|\b(?:{_REGIONAL})\s+(?:train\s+)?\d{{4,6}})"), "TER"),
    (re.compile(r"(?i)\bTGV\b|\bINOUI\b|\bSNCF\b|\bOUI\.sncf\b"), "SNCF"),
)
#: A train named with its number: the leg's carrier.
_TRAIN = re.compile(
    rf"(?i)\b(?P<kind>TGV(?:\s+INOUI)?|INOUI|OUIGO|INTERCIT\w*|CAR|LYRIA|(?:TER\s+)?(?:{_REGIONAL})(?:\s+train)?)"
    r"\b\s*(?:N°\s*)?\d{2,6}\b")


def document_carrier(lines: list[str], default: str | None = None) -> str | None:
    """The first carrier named anywhere in ``lines`` (most specific first)."""
    for pattern, carrier in _CARRIERS:
        if any(pattern.search(line) for line in lines):
            return carrier
    return default


def leg_carrier(lines: list[str]) -> str | None:
    """The carrier of the first train named with its number in the leg."""
    for line in lines:
        m = _TRAIN.search(line)
        if m:
            return document_carrier([m[0]])
    return None
