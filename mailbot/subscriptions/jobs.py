"""Scheduled jobs of the subscriptions domain (registered by the scheduler).

Each is idempotent: its state lives in our tables and the outbox keys, and
its clock is `services.now()`. Each runs in one short transaction.
"""

from __future__ import annotations

import logging

from mailbot.db import session_scope
from mailbot.services import Services
from mailbot.subscriptions import confirm, refresh, sympa
from mailbot.mail.mailer import Mailer

log = logging.getLogger(__name__)


async def refresh_step(services: Services) -> str:
    """Start the campaign on its date, send due reminders, close at the deadline
    (silent ones marked, the COTECH report sent once); also expire stale
    confirmation requests. Returns a one-line summary."""
    with session_scope(services.engine) as session:
        mailer = Mailer(session, services, cause="job:refresh_step")
        expired = confirm.expire_due(mailer)
        summary = refresh.step(mailer)
    if expired:
        summary += f" ; {expired} demande(s) de confirmation expirée(s)"
    log.info("refresh_step: %s", summary)
    return summary


async def sympa_review(services: Services) -> str:
    """Send `REVIEW <list>` to the Sympa robot once per ISO week."""
    if services.settings.list.sync != "sympa":
        return "synchronisation Sympa désactivée"
    now = services.now()
    year, week, _ = now.astimezone(services.settings.bot.tz).isocalendar()
    key = f"sympa-review:{year}-W{week:02d}"
    with session_scope(services.engine) as session:
        sent = sympa.send_review(session, Mailer(session, services, cause="job:sympa_review"),
                                 now, key)
    summary = (f"REVIEW envoyé ({year}-W{week:02d})" if sent
               else f"REVIEW déjà envoyé cette semaine ({year}-W{week:02d})")
    log.info("sympa_review: %s", summary)
    return summary
