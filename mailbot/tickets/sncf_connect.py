"""SNCF Connect booking confirmation emails (no PDF).

The HTML marks its summary with ``data-select`` attributes (KItinerary):
``travel-summary-origin``, ``travel-summary-destination``,
``travel-summary-reference``, ``travel-summary-price`` and
``travel-departureDate`` (``12 août 2024 à 17:50``); the booking total is in
``.transaction__total-amount-value``. The n-th origin, destination, date and
price belong to the n-th journey. When fewer prices than journeys are
printed, the legs get none and the total is reported (see
`mailbot.tickets.model`).

When the attributes are gone (a mail client rewrote the HTML of a forward),
the body text is read like a ticket; failing that, JSON-LD is tried.
"""

from __future__ import annotations

import re
from decimal import Decimal

from mailbot.tickets.base import EmailInput, iso, result_from_journeys
from mailbot.tickets.dates import parse_date
from mailbot.tickets.jsonld import train_reservations
from mailbot.tickets.model import Leg, TicketResult, build_result
from mailbot.tickets.money import parse_amount
from mailbot.tickets.text import (
    find_passenger,
    find_reference,
    is_reference,
    lines_of,
    money_summary,
    parse_journeys,
)

__all__ = ["SncfConnectEmail"]

_MARKER = re.compile(r"""data-select\s*=\s*["']?travel-summary""", re.IGNORECASE)
_SENDER = re.compile(r"(?i)@(?:[\w-]+\.)*(?:connect\.sncf|oui\.sncf|sncf-connect\.com)\b")
_FORWARD_CUE = re.compile(r"(?i)connect\.sncf|sncf[- ]connect|oui\.sncf")


def _get(values: dict[str, list[str]], key: str) -> list[str]:
    return [v for v in values.get(key, []) if v]


class SncfConnectEmail:
    """Reader for SNCF Connect emails (layout ``"sncf_connect_email"``)."""

    name = "sncf_connect_email"

    def match(self, mail: EmailInput) -> bool:
        if _MARKER.search(mail.html) or mail.doc.by_data_select.get("travel-summary-origin"):
            return True
        if _SENDER.search(mail.sender):
            return True
        # A forward whose headers and attributes were lost: demand booking data.
        return bool(
            _FORWARD_CUE.search(mail.haystack)
            and find_reference(mail.body)
            and parse_journeys(lines_of(mail.body), message_date=mail.message_date)
        )

    def extract(self, mail: EmailInput) -> TicketResult:
        ds = mail.doc.by_data_select
        lines = lines_of(mail.body)
        if _get(ds, "travel-summary-origin") or _get(ds, "travel-summary-destination"):
            return self._from_attributes(mail, lines)
        journeys = parse_journeys(lines, message_date=mail.message_date)
        reservations = train_reservations(mail.doc.json_ld)
        if not journeys and reservations:
            legs = [
                Leg(None, iso(r.date), r.origin, r.destination, r.reference, r.passenger, "SNCF")
                for r in reservations
            ]
            return build_result(self.name, legs)
        return result_from_journeys(
            self.name,
            journeys,
            lines,
            reference=find_reference(mail.body),
            passenger=find_passenger(mail.body),
            carrier="SNCF",
            carrier_from_train=True,
        )

    def _from_attributes(self, mail: EmailInput, lines: list[str]) -> TicketResult:
        ds = mail.doc.by_data_select
        origins = _get(ds, "travel-summary-origin")
        destinations = _get(ds, "travel-summary-destination")
        references = [r for r in _get(ds, "travel-summary-reference") if is_reference(r)]
        if not references:
            references = [
                m for r in _get(ds, "travel-summary-reference") if (m := find_reference(r) or "")
            ]
        departures = _get(ds, "travel-departureDate") or _get(ds, "travel-summary-departureDate")
        prices = [parse_amount(p) for p in _get(ds, "travel-summary-price")]
        totals = [parse_amount(t) for t in mail.doc.by_class.get("transaction__total-amount-value", [])]
        count = max(len(origins), len(destinations))
        fallback_reference = find_reference(mail.body)
        passenger = find_passenger(mail.body)

        def nth(values: list[str], index: int) -> str | None:
            return values[index] if index < len(values) else None

        def shared(values: list[str], index: int) -> str | None:
            # One reference printed for the whole booking applies to every leg.
            return nth(values, index) or (values[0] if len(values) == 1 else None)

        per_leg = len(prices) == count and all(p is not None for p in prices)
        total: Decimal | None = next((t for t in totals if t is not None), None)
        if total is None and not per_leg and len(prices) == 1:
            total = prices[0]
        fees = money_summary(lines).fees
        if total is not None and 0 < fees < total and not per_leg:
            total -= fees
        legs = []
        for index in range(count):
            when = nth(departures, index)
            price = prices[index] if per_leg else None
            if count == 1 and price is None:
                price = total
            legs.append(
                Leg(
                    amount_eur=None if price is None else format(price, "f"),
                    date=iso(parse_date(when, message_date=mail.message_date)) if when else None,
                    origin=nth(origins, index),
                    destination=nth(destinations, index),
                    reference=shared(references, index) or fallback_reference,
                    passenger=passenger,
                    carrier="SNCF",
                )
            )
        return build_result(self.name, legs, total=total)
