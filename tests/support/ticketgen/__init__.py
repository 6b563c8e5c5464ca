"""A generator of varied ticket documents whose fields are known by construction.

`generate` draws, per layout family, documents that vary fonts, column order,
line breaks, one-way / return / connection, dates with and without the year,
time and price spellings, station case and arrows, and (for mails) the forward
chrome of four mail clients. Each `Sample` carries the legs a reader must
return (`Sample.expected`, same keys as the corpus' ``expected.json``).

**The split.** ``"dev"`` is seeds 0..`DEV_SEEDS`-1 of the dev families; the
readers were written looking at those only. ``"heldout"`` is seeds from
`HELDOUT_SEED_BASE` of every family, plus every seed of the `HELDOUT_FAMILIES`
(whole layouts never looked at while writing the readers).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tests.support.ticketgen import mails, pdfs
from tests.support.ticketgen.trips import Style, Trip, make_trip

__all__ = ["FAMILIES", "HELDOUT_FAMILIES", "Sample", "generate"]

DEV_SEEDS = 12
HELDOUT_SEED_BASE = 1000
#: Whole layout families kept out of development.
HELDOUT_FAMILIES = frozenset({"intercites_ebillet_pdf", "ouisncf_text", "connect_text", "justificatif_pdf",
                              "trainline_text"})


@dataclass
class Sample:
    name: str
    family: str
    kind: str  # "pdf" | "email"
    message_date: date
    expected: list[dict[str, str | None]]
    pdf: bytes = b""
    sender: str | None = None
    subject: str = ""
    text: str = ""
    html: str = ""


@dataclass(frozen=True)
class Family:
    kind: str
    build: Callable[..., Any]
    trains: tuple[str, ...]
    fee: bool = False
    dated: bool = True  # the document prints a dated line besides the journeys (issue date, forward header)


FAMILIES: dict[str, Family] = {
    "legacy_pdf": Family("pdf", pdfs.legacy, ("inoui",), dated=False),
    "connect_pdf": Family("pdf", pdfs.connect, ("inoui", "inoui", "intercites")),
    "ouigo_pdf": Family("pdf", pdfs.ouigo, ("ouigo",)),
    "secutix_pdf": Family("pdf", pdfs.secutix, ("ter", "intercites")),
    "intercites_ebillet_pdf": Family("pdf", pdfs.intercites_ebillet, ("intercites",), dated=False),
    "justificatif_pdf": Family("pdf", pdfs.justificatif, ("inoui", "inoui", "ouigo", "intercites")),
    "ouisncf_html": Family("email", mails.ouisncf_html, ("inoui",)),
    "ouisncf_text": Family("email", mails.ouisncf_text, ("inoui",)),
    "trainline_html": Family("email", mails.trainline, ("inoui", "ouigo"), fee=True),
    "trainline_text": Family("email", mails.trainline_text, ("inoui", "ouigo", "intercites"), fee=True),
    "connect_html": Family("email", mails.connect_html, ("inoui",)),
    "connect_text": Family("email", mails.connect_text, ("inoui", "intercites")),
    "ouigo_mail": Family("email", mails.ouigo_mail, ("ouigo",)),
}

_SHAPES = ("oneway", "return", "return", "connection")


def build(family: str, seed: int) -> Sample:
    """One document of ``family``, fully determined by ``seed``."""
    spec = FAMILIES[family]
    rng = random.Random(f"{family}:{seed}")
    trip = make_trip(rng, shape=rng.choice(_SHAPES), train=rng.choice(spec.trains),
                     fee=spec.fee or rng.random() < .3)
    style = Style.draw(rng)
    name = f"{family}-{seed}"
    if spec.kind == "pdf":
        data, expected = spec.build(rng, trip, style)
        return Sample(name, family, "pdf", _message_date(spec, trip, style), expected, pdf=data)
    sender, subject, text, html, expected = spec.build(rng, trip, style)
    return Sample(name, family, "email", _message_date(spec, trip, style), expected,
                  sender=sender, subject=subject, text=text, html=html)


def _message_date(spec: Family, trip: Trip, style: Style) -> date:
    """A late message tells nothing of a year-less date's year: when the
    document dates nothing else (no issue date, no weekday), keep it near."""
    if spec.dated or style.year_printed or "EEE" in style.date_form:
        return trip.message_date
    return trip.legs[0].day + (trip.message_date - trip.legs[0].day) % timedelta(days=30)


def generate(split: str, per_family: int = DEV_SEEDS) -> Iterator[Sample]:
    """The samples of ``split`` (``"dev"`` or ``"heldout"``), ``per_family`` each."""
    for family in FAMILIES:
        if split == "dev":
            if family in HELDOUT_FAMILIES:
                continue
            seeds = range(per_family)
        elif split == "heldout":
            start = 0 if family in HELDOUT_FAMILIES else HELDOUT_SEED_BASE
            seeds = range(start, start + per_family)
        else:
            raise ValueError(split)
        for seed in seeds:
            yield build(family, seed)
