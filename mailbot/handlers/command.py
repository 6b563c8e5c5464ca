"""Commande d'abonnement (issue 4): recorded; the full handling lands with its issue."""

from __future__ import annotations

from mailbot.handlers import Job


class Command:
    """Records the category; held for a human until the full handler lands."""

    name = "command"
    description = "Commande d'abonnement (issue 4)"

    def handle(self, job: Job) -> None:
        job.hold("Commande d'abonnement (issue 4)")


HANDLER = Command()
