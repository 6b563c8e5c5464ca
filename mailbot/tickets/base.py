"""The two kinds of ticket readers, and what they share.

A reader ("layout") has a ``name``, a cheap ``match`` that says whether the
document is in its layout, and an ``extract`` that reads it. Readers are
listed, in priority order, in `mailbot.tickets.PDF_LAYOUTS` and
`mailbot.tickets.EMAIL_LAYOUTS`; the first whose ``match`` is true wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from mailbot.tickets.htmldoc import MAX_HTML_CHARS, HtmlDoc, parse_html
from mailbot.tickets.model import Leg, TicketResult, build_result
from mailbot.tickets.text import Journey, money_summary, normalize

__all__ = [
    "EmailInput",
    "EmailLayout",
    "PdfLayout",
    "carrier_of",
    "iso",
    "result_from_journeys",
]


class PdfLayout(Protocol):
    """Reads the text of a ticket PDF (already `normalize`d)."""

    @property
    def name(self) -> str: ...

    def match(self, text: str) -> bool:
        """The text is in this layout."""
        ...

    def extract(self, text: str, *, message_date: date | None) -> TicketResult:
        """Read the legs; unread fields are None and named in ``problems``."""
        ...


@dataclass(frozen=True, slots=True)
class EmailInput:
    """A ticket email as the email readers see it.

    Attributes:
        sender: the From address, lowercased ("" when unknown).
        subject: the subject, normalised.
        text: the plain-text body, normalised.
        html: the raw HTML body ("" when none).
        doc: the parsed HTML body.
        message_date: the Date of the message, for year-less dates.
    """

    sender: str
    subject: str
    text: str
    html: str
    doc: HtmlDoc
    message_date: date | None

    @classmethod
    def build(
        cls, *, sender: str | None, subject: str, text: str, html: str, message_date: date | None
    ) -> EmailInput:
        return cls(
            sender=(sender or "").strip().lower(),
            subject=normalize(subject or ""),
            text=normalize(text or ""),
            html=(html or "")[:MAX_HTML_CHARS],
            doc=parse_html(html or ""),
            message_date=message_date,
        )

    @property
    def body(self) -> str:
        """The body to read: the HTML rendering when there is HTML, else the text."""
        return self.doc.text if self.doc.text.strip() else self.text

    @property
    def haystack(self) -> str:
        """Everything a detector may look at, lowercased."""
        return "\n".join((self.sender, self.subject, self.text, self.html[:200_000])).lower()


class EmailLayout(Protocol):
    """Reads a ticket email that carries no PDF."""

    @property
    def name(self) -> str: ...

    def match(self, mail: EmailInput) -> bool:
        """The email is in this layout."""
        ...

    def extract(self, mail: EmailInput) -> TicketResult:
        """Read the legs; unread fields are None and named in ``problems``."""
        ...


def iso(value: date | None) -> str | None:
    """ISO string of a date, or None."""
    return value.isoformat() if value is not None else None


_CARRIER_HINTS = (
    (re.compile(r"(?i)\bOUIGO\b"), "OUIGO"),
    (re.compile(r"(?i)\bINTERCIT[ÉE]S\b"), "Intercités"),
    (re.compile(r"\bTER\b|\bCAR\b"), "TER"),
    (re.compile(r"(?i)\bTGV\b|\bINOUI\b"), "SNCF"),
)


def carrier_of(lines: list[str], default: str) -> str:
    """The carrier named by the train descriptions in ``lines``, else ``default``."""
    for line in lines:
        for pattern, carrier in _CARRIER_HINTS:
            if pattern.search(line):
                return carrier
    return default


def result_from_journeys(
    layout: str | None,
    journeys: list[Journey],
    all_lines: list[str],
    *,
    reference: str | None,
    passenger: str | None,
    carrier: str | None,
    carrier_from_train: bool = False,
    problems: list[str] | None = None,
) -> TicketResult:
    """Turn parsed journeys into a `TicketResult`, applying the amount rules
    of `mailbot.tickets.model` (fees out; a single leg with only a total
    gets the total; several legs with only a total get nothing)."""
    prices, total = leg_prices([j.price for j in journeys], all_lines)
    legs = [
        Leg(
            amount_eur=None if price is None else format(price, "f"),
            date=iso(journey.date),
            origin=journey.origin,
            destination=journey.destination,
            reference=reference,
            passenger=passenger,
            carrier=carrier_of(journey.lines, carrier or "SNCF") if carrier_from_train else carrier,
        )
        for journey, price in zip(journeys, prices, strict=True)
    ]
    return build_result(layout, legs, total=total, problems=problems or [])


def leg_prices(prices: list[Decimal | None],
               lines: list[str]) -> tuple[list[Decimal | None], Decimal | None]:
    """The amount rules of `mailbot.tickets.model` over the legs' printed prices: the
    booking's total without its fees, and a single leg with only a total gets it
    (several legs with only a total get nothing). Returns (prices, total)."""
    all_priced = bool(prices) and all(p is not None for p in prices)
    legs_sum = sum((p for p in prices if p is not None), Decimal(0)) if all_priced else None
    total = money_summary(lines).total_without_fees(legs_sum)
    if len(prices) == 1 and prices[0] is None and total is not None:
        prices = [total]
    return prices, total
