"""The SNCF e-billet Aztec payload (``i0CV…``, 132 characters), decoded as text.

Layout (KItinerary, community.kde.org/KDE_PIM/KItinerary/SNCF_Barcodes),
0-based offsets::

    0   i0CV            4   PNR (6)          10  e-ticket number (9)
    19  "1211"          23  birth date (10)  33  origin code (5)
    38  destination (5) 43  train (5)        48  travel day dd/MM (5)
    53  client id (19)  72  family name (19) 91  given name (19)
    110 class (1)       111 tariff (5)       116 2nd leg origin, destination,
                                                 train (5 + 5 + 5), or blanks

Stations are 5-letter codes (``FRXYT``), not names; the year of ``dd/MM``
comes from the message date. Reading the barcode image itself (zxing-cpp on
a pypdfium2 rendering) is not done: the PDF's text already gives reference,
date and stations by name (see the note in docs), so this module only reads
a payload given as text.
"""

from __future__ import annotations

import re
from datetime import date

from mailbot.tickets.dates import infer_year
from mailbot.tickets.model import Leg, TicketResult, build_result

__all__ = ["BARCODE_LAYOUT", "is_payload", "read_payload"]

BARCODE_LAYOUT = "sncf_barcode"
_PAYLOAD = re.compile(r"^i0CV[A-Z0-9]{6}\d{9}")
_CODE = re.compile(r"^[A-Z]{5}$")


def is_payload(text: str) -> bool:
    """``text`` is an SNCF Aztec payload (and nothing much else)."""
    stripped = text.strip()
    return bool(_PAYLOAD.match(stripped)) and len(stripped) <= 200 and len(stripped) >= 116


def _day(text: str, message_date: date | None) -> date | None:
    m = re.fullmatch(r"(\d{2})/(\d{2})", text)
    if m is None:
        return None
    return infer_year(int(m[1]), int(m[2]), message_date)


def read_payload(text: str, *, message_date: date | None) -> TicketResult:
    """The legs of an ``i0CV`` payload (see the module docstring)."""
    raw = text.strip().ljust(132)
    reference = raw[4:10]
    day = _day(raw[48:53], message_date)
    passenger = " ".join(part.strip() for part in (raw[91:110], raw[72:91]) if part.strip()) or None
    legs = [(raw[33:38], raw[38:43])]
    if _CODE.match(raw[116:121]) and _CODE.match(raw[121:126]):
        legs.append((raw[116:121], raw[121:126]))
    out = [
        Leg(amount_eur=None, date=day.isoformat() if day else None, origin=origin,
            destination=destination, reference=reference, passenger=passenger, carrier="SNCF")
        for origin, destination in legs
    ]
    return build_result(BARCODE_LAYOUT, out)
