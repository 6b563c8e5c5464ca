"""French words for what the other domains name in code: proof kinds, tickets,
subscription changes, refresh counters. Shared by the digest and the reminders.

Unknown names are shown as they are, never dropped: a new kind appears in
the digest before anyone writes its label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation

from babel.dates import format_date, format_datetime

from mailbot.render import LOCALE, eur

#: kind -> (short label for the digest table, long label for a sentence)
PROOF_KINDS: dict[str, tuple[str, str]] = {
    "thank_you": ("remerciement", "le mail de remerciement"),
    "meeting_report": ("CR", "le compte-rendu"),
    "attendance_sheet": ("émargement", "la feuille d'émargement"),
    "mission_form": ("mission", "le formulaire de mission"),
    "train_ticket": ("billet", "le billet de train"),
    "invoice": ("facture", "la facture"),
    "other": ("autre", "un autre document"),
}

CHANGE_ACTIONS: dict[str, str] = {
    "subscribe": "inscription", "sub": "inscription", "add": "inscription",
    "unsubscribe": "désinscription", "unsub": "désinscription", "del": "désinscription",
    "remove": "désinscription", "change": "changement d'adresse",
    "change_address": "changement d'adresse", "address_change": "changement d'adresse",
}

REFRESH_COUNTERS: dict[str, str] = {
    "total": "abonnés concernés", "sent": "messages envoyés", "reminded": "relances envoyées",
    "confirmed": "adresses confirmées", "kept": "adresses confirmées",
    "changed": "adresses changées", "pending": "sans réponse", "removed": "désinscrits",
    "bounced": "en échec",
}


def _alternatives(name: str, long: bool) -> str:
    for sep, word in (("|", " ou "), ("+", " et ")):
        if sep in name:
            return word.join(_alternatives(part.strip(), long) for part in name.split(sep))
    labels = PROOF_KINDS.get(name)
    if labels is None:
        return name
    return labels[1] if long else labels[0]


def kind_short(name: str) -> str:
    """'attendance_sheet' -> 'émargement'; 'thank_you+meeting_report' -> 'remerciement et CR'."""
    return _alternatives(name, long=False)


def kind_long(name: str) -> str:
    """'attendance_sheet' -> "la feuille d'émargement"."""
    return _alternatives(name, long=True)


def proofs_summary(by_kind: Mapping[str, int]) -> str:
    """{'thank_you': 1, 'train_ticket': 2} -> 'remerciement, billet ×2' (known kinds first)."""
    order = list(PROOF_KINDS) + sorted(k for k in by_kind if k not in PROOF_KINDS)
    parts = []
    for kind in order:
        count = by_kind.get(kind, 0)
        if count > 0:
            parts.append(kind_short(kind) + (f" ×{count}" if count > 1 else ""))
    return ", ".join(parts)


def date_short(value: str | date | None) -> str:
    if not value:
        return ""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return format_date(day, format="d MMMM yyyy", locale=LOCALE)


def day(value: datetime | None, tz: tzinfo) -> str:
    """A day in the week: 'mar. 24 mars' (local time)."""
    if value is None:
        return ""
    return format_datetime(value.astimezone(tz), "EEE d MMM", locale=LOCALE)


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


def fields_line(item: Mapping[str, object], first: Iterable[str]) -> str:
    """A dict from another domain as one line: known keys first, then the rest."""
    keys = [k for k in first if item.get(k) not in (None, "")]
    rest = [k for k in item if k not in keys and item.get(k) not in (None, "")]
    shown = [str(item[k]) for k in keys] + [f"{k}\u00a0: {item[k]}" for k in rest]
    return " — ".join(shown)


def change_line(change: Mapping[str, str | None]) -> str:
    """A subscription change as one line, whatever keys its domain chose."""
    for key in ("summary", "text", "description"):
        if change.get(key):
            return str(change[key])
    item: dict[str, object] = dict(change)
    for key in ("action", "kind", "type"):
        value = change.get(key)
        if value:
            item[key] = CHANGE_ACTIONS.get(value.lower(), value)
    old, new = change.get("old_email") or change.get("old"), change.get("new_email") or change.get("new")
    if old and new:
        item["old_email"] = f"{old} → {new}"
        for key in ("old", "new", "new_email"):
            item.pop(key, None)
    return fields_line(item, ("action", "kind", "type", "email", "old_email", "name", "status"))


def bounce_line(bounce: Mapping[str, object]) -> str:
    for key in ("summary", "text", "description"):
        if bounce.get(key):
            return str(bounce[key])
    item = dict(bounce)
    count = item.get("count")
    if isinstance(count, int):
        item["count"] = f"{count} erreur{'s' if count > 1 else ''}"
    return fields_line(item, ("email", "reason", "diagnostic", "count", "score", "status"))


def refresh_counters(refresh: Mapping[str, int]) -> list[tuple[str, int]]:
    return [(REFRESH_COUNTERS.get(k, k), int(v)) for k, v in refresh.items()]
