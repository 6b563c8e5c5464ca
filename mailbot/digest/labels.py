"""French words for what the subscriptions domain names in code: subscription changes
and bounces (`mailbot.subscriptions.report`), refresh counters, and the short day of the
week. Proof kinds and tickets have theirs in `mailbot.proofs.labels`.

Unknown names are shown as they are, never dropped: a new kind or state
appears in the digest before anyone writes its label.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache

from mailbot.frdates import format_fr
from mailbot.mail.render import number_fr
from mailbot.proofs.labels import date_short

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


def day(value: datetime | None, tz: tzinfo) -> str:
    """A day in the week: 'mar. 24 mars' (local time)."""
    if value is None:
        return ""
    return _day(value.astimezone(tz).date())


@lru_cache(maxsize=1024)
def _day(value: date) -> str:
    return format_fr(value, "EEE d MMM")


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
