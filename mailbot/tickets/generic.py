"""Fallback for PDFs that look like train tickets in no known layout.

`looks_like_ticket` wants a carrier or ticket word (SNCF, TGV, OUIGO,
e-billet, "billet de train"...) *and* booking data (a labelled reference or
a ``17h50 Station`` stop). `extract` then reads what it can with the shared
helpers; the result has ``layout=None`` and the problem "format de billet
non reconnu", so that a human checks it.
"""

from __future__ import annotations

import re
from datetime import date

from mailbot.tickets.base import iso, result_from_journeys
from mailbot.tickets.dates import find_dates
from mailbot.tickets.model import Leg, TicketResult, build_result
from mailbot.tickets.text import (
    find_passenger,
    find_reference,
    lines_of,
    money_summary,
    parse_journeys,
    stops_of,
)

__all__ = ["UNKNOWN_LAYOUT", "extract", "looks_like_ticket"]

UNKNOWN_LAYOUT = "format de billet non reconnu"

_CUES = re.compile(
    r"(?i)\be-?billet\b|\bbillet\s+de\s+train\b|\bSNCF\b|\bTGV\b|\bINOUI\b|\bOUIGO\b"
    r"|\bINTERCIT[ÉE]S\b|\btrainline\b|\bTER\s+\d{3,6}\b"
)


def looks_like_ticket(text: str) -> bool:
    """Carrier/ticket vocabulary and booking data are both present."""
    if not _CUES.search(text):
        return False
    return bool(find_reference(text)) or len(stops_of(lines_of(text))) >= 2


def extract(text: str, *, message_date: date | None) -> TicketResult:
    """Best-effort reading of an unknown ticket layout (``layout=None``)."""
    lines = lines_of(text)
    reference = find_reference(text)
    passenger = find_passenger(text)
    journeys = parse_journeys(lines, message_date=message_date)
    if journeys:
        return result_from_journeys(
            None,
            journeys,
            lines,
            reference=reference,
            passenger=passenger,
            carrier="SNCF",
            carrier_from_train=True,
            problems=[UNKNOWN_LAYOUT],
        )
    stops = stops_of(lines)
    dates = find_dates(text, message_date=message_date)
    total = money_summary(lines).total_without_fees()
    leg = Leg(
        amount_eur=None if total is None else format(total, "f"),
        date=iso(dates[0].value) if dates else None,
        origin=stops[0].station if stops else None,
        destination=stops[-1].station if len(stops) > 1 else None,
        reference=reference,
        passenger=passenger,
        carrier=None,
    )
    return build_result(None, [leg], total=total, problems=[UNKNOWN_LAYOUT])
