"""The proof kinds and their French names, written once.

`KINDS` are what a proof can be; `OTHER` a file kept whose kind nobody recognised;
`NOT_A_PROOF` a logo, an invitation, the AMO's own mail; `UNUSABLE` a file that does
not open (`proofs.validity`): kept, never counted. `LABELS` gives each kind's
words for every use: the digest's short column, a sentence's singular and plural,
and with an article. Unknown names are shown as they are, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from mailbot.frdates import format_fr
from mailbot.mail.render import eur

KINDS = ("thank_you", "meeting_report", "attendance_sheet", "mission_form", "invoice",
         "train_ticket")
OTHER = "other"  # a file kept in the dossier whose kind nobody recognised
NOT_A_PROOF = "none"  # a logo, an invitation, the AMO's own mail: not filed
UNUSABLE = "unusable"  # a file that does not open: kept, never counted, a readable copy asked


class Label(NamedTuple):
    short: str  # the digest's table: "émargement"
    one: str  # "feuille d'émargement"
    many: str  # "feuilles d'émargement"
    definite: str  # "la feuille d'émargement"
    indefinite: str  # "une feuille d'émargement" (the mission form and invoice are unique)


#: In reading order (the digest lists known kinds in this order).
LABELS: dict[str, Label] = {
    "thank_you": Label("remerciement", "mail de remerciement", "mails de remerciement",
                       "le mail de remerciement", "un mail de remerciement"),
    "meeting_report": Label("CR", "compte-rendu", "comptes-rendus",
                            "le compte-rendu", "un compte-rendu"),
    "attendance_sheet": Label("émargement", "feuille d'émargement", "feuilles d'émargement",
                              "la feuille d'émargement", "une feuille d'émargement"),
    "mission_form": Label("mission", "formulaire de mission", "formulaires de mission",
                          "le formulaire de mission", "le formulaire de mission"),
    "train_ticket": Label("billet", "billet de train", "billets de train",
                          "le billet de train", "un billet de train"),
    "invoice": Label("facture", "facture", "factures", "la facture", "la facture"),
    "other": Label("autre", "document non identifié", "documents non identifiés",
                   "un autre document", "un document non identifié"),
    "unusable": Label("illisible, à redemander", "fichier illisible", "fichiers illisibles",
                      "le fichier illisible", "un fichier illisible"),
}


def label(kind: str, count: int = 1) -> str:
    """The bare French name of a kind, singular or plural."""
    names = LABELS.get(kind)
    if names is None:
        return kind
    return names.one if count == 1 else names.many


def with_article(kind: str) -> str:
    names = LABELS.get(kind)
    return names.indefinite if names else kind


def _alternatives(name: str, long: bool) -> str:
    for sep, word in (("|", " ou "), ("+", " et ")):
        if sep in name:
            return word.join(_alternatives(part.strip(), long) for part in name.split(sep))
    names = LABELS.get(name)
    if names is None:
        return name
    return names.definite if long else names.short


def kind_short(name: str) -> str:
    """'attendance_sheet' -> 'émargement'; 'thank_you+meeting_report' -> 'remerciement et CR'."""
    return _alternatives(name, long=False)


def kind_long(name: str) -> str:
    """'attendance_sheet' -> "la feuille d'émargement"."""
    return _alternatives(name, long=True)


def proofs_summary(by_kind: Mapping[str, int]) -> str:
    """{'thank_you': 1, 'train_ticket': 2} -> 'remerciement, billet ×2' (known kinds first)."""
    order = list(LABELS) + sorted(k for k in by_kind if k not in LABELS)
    parts = []
    for kind in order:
        count = by_kind.get(kind, 0)
        if count > 0:
            parts.append(kind_short(kind) + (f"\u00a0×{count}" if count > 1 else ""))
    return ", ".join(parts)


def date_short(value: str | date | None) -> str:
    if not value:
        return ""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return format_fr(day, "d MMMM yyyy")


def _amount(value: object) -> str:
    try:
        return eur(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def ticket_line(ticket: Mapping[str, str | None]) -> str:
    """A ticket as one French phrase: 'Lille → Paris, 18 novembre 2021, 67,00 € (réf. QX7K2P)'."""
    get = ticket.get
    route = " → ".join(x for x in (get("origin"), get("destination")) if x)
    when = date_short(get("travel_date") or get("date"))
    amount = get("amount_eur") or get("amount")
    parts = [p for p in (route, when, _amount(amount) if amount else "") if p]
    ref = get("reference")
    text = ", ".join(parts) or "billet"
    return f"{text} (réf. {ref})" if ref else text
