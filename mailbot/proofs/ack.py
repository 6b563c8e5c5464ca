"""What the acknowledgement says, as template context (templates/fr/proof_ack/).

The wording lives in the templates; this module only shapes the facts: each
file filed and its kind, the ticket legs read, what could not be read,
duplicates with the date they were first filed, what was not taken as a
proof and why, the dossier (missing kinds, amount to invoice), and what was
understood about funding and cash. Amounts stay Decimal and dates stay dates:
the templates format them with the babel filters.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mailbot.proofs.labels import NOT_A_PROOF, UNUSABLE, label, with_article
from mailbot.proofs.dossiers import ZERO, Dossier
from mailbot.proofs.intake import Filed, FlagChange
from mailbot.proofs.kinds import Item
from mailbot.mail.render import eur



def typo(text: str) -> str:
    """French typography for sentences built in code: no-break spaces before : ; ! ?."""
    text = text.replace(" :", "\u00a0:")
    for mark in ";!?":
        text = text.replace(f" {mark}", f"\u202f{mark}")
    return text


def _legs(filed: Filed) -> list[dict[str, Any]]:
    return [{"amount_eur": None if leg.amount_eur is None else Decimal(leg.amount_eur),
             "date": leg.travel_date, "origin": leg.origin or "gare de départ non lue",
             "destination": leg.destination or "gare d'arrivée non lue",
             "reference": leg.reference, "passenger": leg.passenger, "carrier": leg.carrier,
             "duplicate": leg.duplicate_of_id is not None} for leg in filed.legs]


def _file(filed: Filed) -> dict[str, Any]:
    proof = filed.proof
    return {
        "name": proof.filename, "kind": proof.kind, "kind_label": label(proof.kind),
        "forwarded": proof.source == "forward", "legs": _legs(filed),
        "problems": [typo(p) for p in proof.problems.split("\n") if p],
        "amount_eur": None if proof.amount_eur is None else Decimal(proof.amount_eur),
    }


def _duplicate(filed: Filed) -> dict[str, Any]:
    original = filed.original
    assert original is not None
    return {"name": filed.proof.filename, "kind_label": label(filed.proof.kind),
            "first_name": original.filename, "first_at": original.received_at,
            "first_subject": original.subject,
            "same_message": original.message_id == filed.proof.message_id}


def ignored(items: list[Item], empty: list[str]) -> list[dict[str, str]]:
    """Files and forwards not taken as proofs, and why (in French)."""
    why = {
        "not-proof-calendar": "invitation d'agenda",
        "not-proof-vcard": "carte de visite",
        "not-proof-inline-image": "image dans le corps du message (logo, signature)",
        "not-proof-signature-image": "logo ou image de signature",
        "forward-by-sender": "message écrit par vous-même, pas un remerciement",
        "forward-other": "message transféré qui n'est pas un justificatif",
    }
    found = [{"name": i.name, "why": why.get(i.rule, "pas un justificatif")}
             for i in items if i.kind == NOT_A_PROOF]
    found += [{"name": name, "why": "fichier vide (0 octet), à renvoyer"} for name in empty]
    return [{"name": x["name"], "why": typo(x["why"])} for x in found]


def invoice_line(d: Dossier) -> str:
    """"600,00 € HT + 67,00 € de billet de train", or the part that applies."""
    legs = len(d.tickets)
    tickets = f"{eur(d.tickets_total_eur)} de {'billet' if legs == 1 else 'billets'} de train"
    if d.fee_eur > ZERO and d.tickets_total_eur != ZERO:
        return f"{eur(d.fee_eur)} HT + {tickets}"
    if d.fee_eur > ZERO:
        return f"{eur(d.fee_eur)} HT"
    return tickets if d.tickets_total_eur != ZERO else ""


def missing_text(d: Dossier) -> str:
    """"le formulaire de mission et un compte-rendu (ou bien une feuille d'émargement)".

    Each open group gives its closest alternative (fewest kinds still missing),
    the other alternatives in brackets; groups are joined by "et".
    """
    have = set(d.proofs_by_kind)
    parts = []
    for group in d.missing_groups:
        ranked = sorted(group, key=lambda alt: (sum(k not in have for k in alt),
                                                -sum(k in have for k in alt)))
        options = [o for o in ([with_article(k) for k in alt if k not in have]
                               for alt in ranked) if o]
        if not options:
            continue
        text = " et ".join(options[0])
        others = [" et ".join(o) for o in options[1:]]
        if others:
            text += f" (ou bien {', ou '.join(others)})"
        parts.append(text)
    return " et ".join(parts)


def context(filed: list[Filed], items: list[Item], empty: list[str], dossier: Dossier,
            change: FlagChange, now_complete: bool) -> dict[str, Any]:
    """Everything the proof_ack templates use."""
    new = [f for f in filed if not f.duplicate and f.proof.kind != UNUSABLE]
    return {
        "filed": [_file(f) for f in new],
        "duplicates": [_duplicate(f) for f in filed if f.duplicate and f.proof.kind != UNUSABLE],
        "unreadable": [_file(f) for f in new if f.proof.problems],
        "unusable": [_file(f) for f in filed if f.proof.kind == UNUSABLE],
        "ignored": ignored(items, empty),
        "dossier": dossier,
        "received": {label(k, n): n for k, n in dossier.proofs_by_kind.items() if k != UNUSABLE},
        "missing_text": missing_text(dossier),
        "invoice_line": invoice_line(dossier),
        "just_completed": now_complete,
        "funded_change": change.funded,
        "funded_words": change.funded_words,
        "short_of_cash_stated": change.short_of_cash,
    }
