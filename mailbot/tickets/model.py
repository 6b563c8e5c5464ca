"""What ticket readers return: `Leg` and `TicketResult`.

A *leg* is one priced journey from one station to another on one day (a
journey with a connection is one leg: first station to last station). A
return trip is two legs.

Conventions for amounts (documented here because every reader follows them):

* ``Leg.amount_eur`` is the price of that journey, never including booking,
  service or insurance fees nor luggage options;
* when each leg's price is printed, each leg gets its own;
* when a single leg is printed with only a total, the leg gets the total
  minus the fees printed separately;
* when several legs share one printed total, nothing is split: every leg's
  ``amount_eur`` stays None, ``TicketResult.total_eur`` carries the total
  (fees excluded) and a problem "montant par trajet non lu (total …)" is
  added, so that a human decides.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from mailbot.tickets.money import format_eur_fr

__all__ = ["FIELD_LABELS", "Leg", "MAX_LEGS", "REQUIRED_FIELDS", "TicketResult", "build_result"]

#: At most this many legs are kept per ticket (a booking rarely has more
#: than four; more means the reader went astray or the input is hostile).
MAX_LEGS = 12

#: Fields that must be read for a leg to be refundable without a human.
REQUIRED_FIELDS: tuple[str, ...] = ("amount_eur", "date", "origin", "destination", "reference")

#: French wording of each leg field, for messages to users.
FIELD_LABELS: dict[str, str] = {
    "amount_eur": "montant",
    "date": "date",
    "origin": "gare de départ",
    "destination": "gare d'arrivée",
    "reference": "référence de dossier",
    "passenger": "voyageur",
    "carrier": "transporteur",
}

_NOT_READ = {
    "amount_eur": "montant non lu",
    "date": "date non lue",
    "origin": "gare de départ non lue",
    "destination": "gare d'arrivée non lue",
    "reference": "référence de dossier non lue",
}


@dataclass(frozen=True, slots=True)
class Leg:
    """One journey read from a ticket.

    Attributes:
        amount_eur: price of this journey, decimal string ``"79.00"``
            (negative for a refund), fees excluded.
        date: travel date, ISO ``"2021-11-17"``.
        origin: departure station as printed (``"MARSEILLE ST CHARLES"``).
        destination: arrival station as printed.
        reference: the carrier's booking reference (``"TQWZ4H"``).
        passenger: traveller's name as printed.
        carrier: ``"SNCF"``, ``"OUIGO"``, ``"TER"``, ``"Intercités"`` or
            ``"Trainline"``.
    """

    amount_eur: str | None = None
    date: str | None = None
    origin: str | None = None
    destination: str | None = None
    reference: str | None = None
    passenger: str | None = None
    carrier: str | None = None

    def missing(self) -> list[str]:
        """Names of the fields that could not be read (value None), in
        declaration order."""
        return [f.name for f in fields(self) if getattr(self, f.name) is None]

    def to_dict(self) -> dict[str, str | None]:
        """The leg as a plain dict (same keys as the corpus' expected.json)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class TicketResult:
    """Everything one reader got from one ticket (a PDF or an email).

    Attributes:
        layout: the reader that matched (``"sncf_legacy"``, ``"sncf_inoui"``,
            ``"ter"``, ``"intercites"``, ``"ouigo_pdf"``, ``"ouigo_email"``,
            ``"trainline_email"``, ``"sncf_connect_email"``), or None when the
            document looks like a train ticket in no known layout.
        legs: the journeys, in the order printed.
        problems: short French sentences for the acknowledgement
            (``"montant non lu"``, ``"trajet 2 : date non lue"``...).
        total_eur: the booking total printed on the ticket, fees excluded,
            when one is printed (see the module notes on amounts).
    """

    layout: str | None
    legs: tuple[Leg, ...]
    problems: tuple[str, ...] = ()
    total_eur: str | None = None


def build_result(
    layout: str | None,
    legs: list[Leg],
    *,
    total: Decimal | None = None,
    problems: tuple[str, ...] | list[str] = (),
) -> TicketResult:
    """Assemble a `TicketResult`, deriving the problems from unread fields.

    ``total`` is the booking total with fees already removed. Identical legs
    are kept once and at most `MAX_LEGS` are kept.
    """
    found: list[str] = list(problems)
    # A page that repeats the journeys (some tickets print them again with
    # the barcode) must not double them: identical legs are kept once.
    legs = list(dict.fromkeys(legs))
    if len(legs) > MAX_LEGS:
        found.append(f"plus de {MAX_LEGS} trajets : seuls les {MAX_LEGS} premiers sont lus")
        legs = legs[:MAX_LEGS]
    shared_total = (
        len(legs) > 1 and total is not None and all(leg.amount_eur is None for leg in legs)
    )
    if shared_total and total is not None:
        found.append(f"montant par trajet non lu (total {format_eur_fr(total)})")
    if not legs:
        found.append("aucun trajet lu")
    for number, leg in enumerate(legs, start=1):
        for name in REQUIRED_FIELDS:
            if getattr(leg, name) is not None or (shared_total and name == "amount_eur"):
                continue
            text = _NOT_READ[name]
            found.append(f"trajet {number} : {text}" if len(legs) > 1 else text)
    unique = tuple(dict.fromkeys(found))
    total_text = None if total is None else format(total.quantize(Decimal("0.01")), "f")
    return TicketResult(layout, tuple(legs), unique, total_text)
