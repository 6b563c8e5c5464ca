"""French words for the codes the command line shows, and cell truncation.

The tables people read say "message de la liste", "retenu", "en attente";
`--json` keeps the stable English codes. An unknown code is shown as it is,
never dropped. Subscription actions and states reuse the digest's words
(`mailbot.digest.labels`), so the CLI and the digest say the same thing.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
from datetime import date

from mailbot.digest.labels import CHANGE_ACTIONS, CHANGE_STATES
from mailbot.frdates import format_fr

CATEGORIES: dict[str, str] = {
    "list_post": "message de la liste", "proof": "justificatif", "command": "commande",
    "refresh_reply": "réponse à la mise à jour", "bounce": "avis de non-remise",
    "autoreply": "réponse automatique", "sympa": "robot Sympa", "other": "autre",
    "malformed": "illisible", "quarantined": "en quarantaine",
}

STATUSES: dict[str, str] = {
    "done": "traité", "held": "retenu pour un humain", "quarantined": "en quarantaine",
    "duplicate": "doublon", "replayed": "traité à nouveau", "dismissed": "écarté",
    "queued": "en file", "sending": "en cours d'envoi",
    "sent": "envoyé", "failed": "échec", "suppressed": "non envoyé (plafond)",
    "running": "en cours", "baseline": "point de départ",
}

JOB_STATUSES: dict[str, str] = {"running": "en cours", "done": "fait", "failed": "échec",
                                "baseline": "point de départ"}

ERASED: dict[str, str] = {
    "alias": "autres adresses", "requests": "demandes", "bounces": "avis de non-remise",
    "refresh": "réponses à la mise à jour", "audit": "historique", "sympa": "commandes Sympa",
    "outbox": "courriers", "messages": "messages", "posts": "messages de la liste",
}

ROLES: dict[str, str] = {"list": "liste", "inbox": "boîte du robot"}

REFRESH_STATES: dict[str, str] = {
    "pending": "sans réponse", "kept": "adresse confirmée", "changing": "changement en cours",
    "changed": "adresse changée", "bounced": "en échec", "silent": "silencieux",
    "left": "désinscrit",
}

MEMBER_STATUSES: dict[str, str] = {"active": "actif", "pending": "en attente", "left": "parti"}


OS_ERRORS: dict[int, str] = {
    errno.ENOENT: "introuvable", errno.EISDIR: "c'est un dossier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EACCES: "permission refusée", errno.EPERM: "opération interdite",
    errno.ENOSPC: "disque plein", errno.EROFS: "système de fichiers en lecture seule",
    errno.EEXIST: "existe déjà",
}


def os_error(err: OSError, path: bool = True) -> str:
    """'/x.csv : introuvable' for an OSError, in French when it is a usual one."""
    where = f"{err.filename}\u00a0: " if err.filename and path else ""
    return where + OS_ERRORS.get(err.errno or 0, err.strerror or str(err))


def word(table: Mapping[str, str], code: str | None) -> str:
    """The French word for a code; the code itself when it has none yet."""
    if code is None:
        return ""
    return table.get(code, code)


def action(code: str | None) -> str:
    return word(CHANGE_ACTIONS, code)


def change_state(code: str | None) -> str:
    return word(CHANGE_STATES, code)


def cut(text: str | None, width: int) -> str:
    """At most `width` characters, ending with "…" when cut (at a word when one is near)."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return text
    head = text[: width - 1]
    space = head.rfind(" ")
    if space >= width * 2 // 3:
        head = head[:space]
    return head.rstrip(" ,;:-") + "…"


def date_fr(iso: str | None) -> str:
    """'2021-11-01T09:30:00+00:00' -> '1er nov. 2021' (the day as written in the ISO text)."""
    if not iso:
        return ""
    try:
        return format_fr(date.fromisoformat(iso[:10]), "d MMM yyyy")
    except ValueError:
        return iso


def counts(values: Mapping[str, int], table: Mapping[str, str]) -> str:
    """{'list': 7, 'inbox': 15} -> 'liste : 7, boîte du robot : 15'."""
    return ", ".join(f"{word(table, k)}\u00a0: {v}" for k, v in values.items())
