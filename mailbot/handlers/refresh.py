"""Réponse à la mise à jour des adresses (issue 4): recorded; the full handling lands with its issue."""

from __future__ import annotations

from mailbot.handlers import Job


class RefreshReply:
    """Records the category; held for a human until the full handler lands."""

    name = "refresh_reply"
    description = "Réponse à la mise à jour des adresses (issue 4)"

    def handle(self, job: Job) -> None:
        job.hold("Réponse à la mise à jour des adresses (issue 4)")


HANDLER = RefreshReply()
