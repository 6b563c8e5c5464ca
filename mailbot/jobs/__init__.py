"""The scheduled jobs, defined in code with stable ids: an explicit registry.

Two shapes of work:

* in a transaction (`tx`): the digest and the reminders. The scheduler
  claims the occurrence, runs the work and records the result in ONE database
  transaction with the outbox rows it queues: a crash anywhere rolls it all
  back and the occurrence runs again; a commit means sent-once.
* asynchronous (`run`): the refresh campaign step and the Sympa review of the
  subscriptions domain, which manage their own transactions.

Outbox retries are not a job here: the daemon's send loop retries every
OUTBOX_RETRY_SECONDS (see app.py); `mailbot jobs` shows them for completeness.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlmodel import Session

from mailbot.digest.send import scheduled_digest
from mailbot.proofs import grouped, reminders
from mailbot.services import Services
from mailbot.subscriptions import jobs as subscription_jobs

log = logging.getLogger(__name__)

TxWork = Callable[[Session, Services], str]
AsyncWork = Callable[[Services], Awaitable[str]]

REMINDERS_CRON = "0 9 * * *"  # every day at 09:00, office hours for the AMOs
REFRESH_CRON = "0 10 * * *"  # every day at 10:00
SYMPA_REVIEW_CRON = "0 7 * * mon"  # Mondays 07:00, an hour before the default digest
PROOF_ACKS_CRON = "*/10 * * * *"  # grouped acknowledgements: within minutes of her last mail


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: stable id, French description, crontab, and its work."""

    id: str
    description: str
    cron: str
    tx: TxWork | None = None
    run: AsyncWork | None = None


def registry(services: Services) -> list[JobSpec]:
    """Every scheduled job, in display order."""
    return [
        JobSpec("digest", "Synthèse hebdomadaire au COTECH",
                services.settings.cotech.digest_cron, tx=scheduled_digest),
        JobSpec("reminders", "Relances de facturation des AMO", REMINDERS_CRON, tx=reminders.run),
        JobSpec("proof_acks", "Accusés de réception groupés (au-delà du plafond quotidien)",
                PROOF_ACKS_CRON, tx=grouped.run),
        JobSpec("refresh_step", "Étape de la campagne de mise à jour des adresses",
                REFRESH_CRON, run=subscription_jobs.refresh_step),
        JobSpec("sympa_review", "Rapprochement avec Sympa (REVIEW)", SYMPA_REVIEW_CRON,
                run=subscription_jobs.sympa_review),
    ]
