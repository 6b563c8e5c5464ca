"""schema.org ``TrainReservation`` objects from an email's JSON-LD.

Booking emails (Trainline, some SNCF mails) embed
``<script type="application/ld+json">`` blocks for mail clients. Each
``TrainReservation`` gives a reference, a passenger, the stations, the
departure time and a price (``totalPrice`` or ``price``). Per KItinerary,
Trainline's price there is the whole trip's total, repeated on every
reservation; readers treat a price shared by several reservations as a total.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mailbot.tickets.dates import find_dates
from mailbot.tickets.money import parse_amount

__all__ = ["Reservation", "train_reservations"]

_MAX_NODES = 10_000


@dataclass(frozen=True, slots=True)
class Reservation:
    """The fields of one schema.org ``TrainReservation`` that we use."""

    reference: str | None
    passenger: str | None
    origin: str | None
    destination: str | None
    date: date | None
    price: Decimal | None
    currency: str | None


def _walk(node: Any, out: list[dict[str, Any]], budget: list[int], depth: int = 0) -> None:
    budget[0] -= 1
    if budget[0] < 0 or depth > 20:
        return
    if isinstance(node, list):
        for item in node:
            _walk(item, out, budget, depth + 1)
    elif isinstance(node, dict):
        kind = node.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if "TrainReservation" in kinds:
            out.append(node)
            return
        for value in node.values():
            if isinstance(value, list | dict):
                _walk(value, out, budget, depth + 1)


def _text(node: Any, *path: str) -> str | None:
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    if isinstance(node, str | int | float) and not isinstance(node, bool):
        value = str(node).strip()
        return value or None
    return None


def _name(node: Any) -> str | None:
    return _text(node, "name") if isinstance(node, dict) else _text({"v": node}, "v")


def train_reservations(scripts: list[str], items: list[Any] | None = None) -> list[Reservation]:
    """Every ``TrainReservation`` in the given JSON-LD script bodies, then in
    ``items`` (already parsed, e.g. microdata), in order. Invalid JSON is
    skipped; never raises."""
    nodes: list[dict[str, Any]] = []
    budget = [_MAX_NODES]
    for script in scripts:
        try:
            data = json.loads(script)
        except (ValueError, RecursionError):
            continue
        _walk(data, nodes, budget)
    _walk(items or [], nodes, budget)
    found: list[Reservation] = []
    for node in nodes:
        trip = node.get("reservationFor")
        trip = trip if isinstance(trip, dict) else {}
        departure = _text(trip, "departureTime")
        dates = find_dates(departure) if departure else []
        price_text = _text(node, "totalPrice") or _text(node, "price")
        if price_text is None and isinstance(node.get("totalPrice"), dict):
            price_text = _text(node["totalPrice"], "price") or _text(node["totalPrice"], "value")
        found.append(
            Reservation(
                reference=_text(node, "reservationNumber"),
                passenger=_name(node.get("underName")),
                origin=_name(trip.get("departureStation")),
                destination=_name(trip.get("arrivalStation")),
                date=dates[0].value if dates else None,
                price=parse_amount(price_text) if price_text else None,
                currency=_text(node, "priceCurrency"),
            )
        )
    return found
