"""French words for what the other domains name in code: proof kinds, tickets
(`mailbot.proofs.dossiers.leg_dict`), subscription changes and bounces
(`mailbot.subscriptions.report`), refresh counters. Shared by the digest and
the reminders.

Unknown names are shown as they are, never dropped: a new kind or state
appears in the digest before anyone writes its label.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from decimal import Decimal, InvalidOperation

from babel.dates import format_date

from mailbot.mail.render import LOCALE, eur, number_fr

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
    "subscribe": "inscription", "unsubscribe": "désinscription", "remove": "désinscription",
    "change_address": "changement d'adresse", "keep_address": "adresse confirmée",
    "bounce_flag": "adresse en échec signalée", "sympa": "Sympa", "forget": "effacement",
}

CHANGE_STATES: dict[str, str] = {
    "requested": "confirmation demandée", "confirmed": "confirmé", "refused": "refusé",
    "expired": "expiré", "flagged": "signalé", "synced": "appliqué sur Sympa",
    "done": "fait", "failed": "échec", "pending": "en attente",
}

REFRESH_COUNTERS: dict[str, str] = {  # in reading order
    "kept": "adresses confirmées", "changed": "adresses changées",
    "changing": "changements en cours", "pending": "sans réponse", "bounced": "en échec",
    "silent": "silencieux", "left": "désinscrits",
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
            parts.append(kind_short(kind) + (f"\u00a0×{count}" if count > 1 else ""))
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
    return _day(value.astimezone(tz).date())


@lru_cache(maxsize=1024)
def _day(value: date) -> str:
    return format_date(value, "EEE d MMM", locale=LOCALE)


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


def _when(value: object, tz: tzinfo = UTC) -> str:
    """An ISO date or date-time (the local day of it) in French."""
    if not value:
        return ""
    text = str(value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return date_short(text)
    if len(text) > 10 and moment.tzinfo is not None:
        return date_short(moment.astimezone(tz).date())
    return date_short(moment.date())


def change_line(change: Mapping[str, str | None], tz: tzinfo = UTC) -> str:
    """A subscription change as one line: 'inscription — a@b.fr — confirmé (12 mars 2026)'."""
    get = change.get
    action = get("action") or ""
    who = get("address") or ""
    if get("new_address"):
        who = f"{who} → {get('new_address')}"
    asked = get("asked_by")
    parts = [CHANGE_ACTIONS.get(action, action), who,
             CHANGE_STATES.get(get("state") or "", get("state") or ""),
             f"demandé par {asked}" if asked and asked not in who else "",
             get("detail") or ""]
    line = " — ".join(p for p in parts if p)
    when = _when(get("at"), tz)
    return f"{line} ({when})" if when else line


def bounce_line(bounce: Mapping[str, object]) -> str:
    """'ml.petit@… — score 2,0 — seuil atteint — dernier retour le 12 mars 2026'."""
    score = bounce.get("score")
    parts = [str(bounce.get("address") or bounce.get("email") or "?"),
             f"score {number_fr(score)}" if isinstance(score, int | float) else "",
             "seuil atteint" if bounce.get("flagged") else "",
             f"dernier retour le {_when(bounce['last_bounce_on'])}"
             if bounce.get("last_bounce_on") else ""]
    return " — ".join(p for p in parts if p)


def refresh_counters(refresh: Mapping[str, int]) -> list[tuple[str, int]]:
    """The campaign's non-zero counters, known ones first in reading order."""
    order = [k for k in REFRESH_COUNTERS if k in refresh] + \
        [k for k in refresh if k not in REFRESH_COUNTERS]
    return [(REFRESH_COUNTERS.get(k, k), int(refresh[k])) for k in order if refresh[k]]
