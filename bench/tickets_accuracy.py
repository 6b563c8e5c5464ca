"""Per-field accuracy of the ticket readers on generated documents, and the
KItinerary comparison.

    .venv/bin/python -m bench.tickets_accuracy                 # dev and held-out
    .venv/bin/python -m bench.tickets_accuracy --split dev --misses
    .venv/bin/python -m bench.tickets_accuracy --kitinerary

Documents come from `tests.support.ticketgen` (PDFs go through the real
`pdf_text`, mails through `extract_from_email`). A leg is right when every
field (amount, date, origin, destination, reference, carrier) equals the
expected one; a document with too many or too few legs counts its missing
legs as wrong and its extra legs as wrong too.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mailbot.tickets import TicketResult, extract_from_email, extract_from_pdf_text
from mailbot.tickets.anytext import read_any
from mailbot.tickets.text import normalize
from tests.support.ticketgen import FAMILIES, Sample, generate
from mailbot.proofs.pdftext import pdf_text

FIELDS = ("amount_eur", "date", "origin", "destination", "reference", "carrier")
KITINERARY = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "kitinerary"


def read(sample: Sample) -> TicketResult | None:
    if sample.kind == "pdf":
        text = pdf_text(sample.pdf).text
        return extract_from_pdf_text(text, message_date=sample.message_date)
    return extract_from_email(sender=sample.sender, subject=sample.subject, text=sample.text,
                              html=sample.html, message_date=sample.message_date)


def score(split: str, per_family: int, misses: bool) -> dict[str, Counter[str]]:
    by_family: dict[str, Counter[str]] = {}
    for sample in generate(split, per_family):
        result = read(sample)
        got = [leg.to_dict() for leg in result.legs] if result else []
        c = by_family.setdefault(sample.family, Counter())
        c["docs"] += 1
        c["legs"] += max(len(got), len(sample.expected))
        c["docs_right"] += got_right(got, sample.expected) == len(sample.expected) == len(got)
        for index in range(max(len(got), len(sample.expected))):
            want = sample.expected[index] if index < len(sample.expected) else {}
            have = got[index] if index < len(got) else {}
            wrong = [f for f in FIELDS if not want or not have or have.get(f) != want.get(f)]
            c["legs_right"] += not wrong
            for f in FIELDS:
                c[f] += f not in wrong
            if wrong and misses:
                print(f"  miss {sample.name} leg {index + 1}: "
                      + ", ".join(f"{f}={have.get(f)!r} want {want.get(f)!r}" for f in wrong))
    return by_family


def got_right(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> int:
    return sum(1 for g, w in zip(got, want, strict=False) if all(g.get(f) == w.get(f) for f in FIELDS))


def report(split: str, by_family: dict[str, Counter[str]]) -> None:
    total: Counter[str] = Counter()
    print(f"\n== {split} ==")
    print(f"  {'family':24s} {'docs':>5s} {'legs right':>12s}  " + " ".join(f"{f[:6]:>6s}" for f in FIELDS))
    for family, c in by_family.items():
        total.update(c)
        print(f"  {family:24s} {c['docs']:5d} {c['legs_right']:5d}/{c['legs']:<5d} "
              + " ".join(f"{100 * c[f] / c['legs']:6.1f}" for f in FIELDS))
    share = 100 * total["legs_right"] / total["legs"] if total["legs"] else 0.0
    print(f"  {'ALL':24s} {total['docs']:5d} {total['legs_right']:5d}/{total['legs']:<5d} "
          + " ".join(f"{100 * total[f] / total['legs']:6.1f}" for f in FIELDS))
    print(f"  legs with every field right: {share:.1f} %  (documents right: "
          f"{total['docs_right']}/{total['docs']})")


def kitinerary() -> None:
    """Our reader on KItinerary's SNCF inputs, field by field against its JSON."""
    context = (KITINERARY / "context.eml").read_text("utf-8")
    sent = datetime.strptime(context.split("Date: ", 1)[1].strip(), "%a, %d %b %Y %H:%M:%S %z").date()
    print(f"\n== KItinerary SNCF inputs (message date {sent}) ==")
    for path in sorted(KITINERARY.glob("*.txt")):
        theirs = json.loads(path.with_name(path.name + ".json").read_text("utf-8"))
        text = path.read_text("utf-8")
        ours = extract_from_pdf_text(text, message_date=sent)
        alone = read_any(normalize(text), message_date=sent)
        legs = list(ours.legs) if ours else []
        print(f"  {path.name}: reader {ours.layout if ours else None!r}, "
              f"{len(legs)} leg(s) vs {len(theirs)}; layout-agnostic reader alone: "
              f"{[(x.reference, x.date, x.origin, x.destination) for x in alone.legs] if alone else None}")
        for index, res in enumerate(theirs):
            trip = res["reservationFor"]
            day = (trip.get("departureTime") or trip.get("departureDay") or "")[:10]
            want = {"reference": res.get("reservationNumber"), "date": day,
                    "origin": trip["departureStation"]["name"],
                    "destination": trip["arrivalStation"]["name"]}
            have = legs[index].to_dict() if index < len(legs) else {}
            for field, value in want.items():
                mark = "=" if have.get(field) == value else "≠"
                print(f"    leg {index + 1} {field:12s} KItinerary {value!r:24s} {mark} ours {have.get(field)!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "heldout", "both"), default="both")
    parser.add_argument("--per-family", type=int, default=12)
    parser.add_argument("--misses", action="store_true", help="print every wrong leg")
    parser.add_argument("--kitinerary", action="store_true", help="only the KItinerary comparison")
    args = parser.parse_args(argv)
    if args.kitinerary:
        kitinerary()
        return 0
    splits = ("dev", "heldout") if args.split == "both" else (args.split,)
    print(f"families: {', '.join(FAMILIES)}")
    for split in splits:
        report(split, score(split, args.per_family, args.misses))
    kitinerary()
    return 0


if __name__ == "__main__":
    sys.exit(main())
