"""Avis de non-remise (issue 4): recorded; the full handling lands with its issue."""

from __future__ import annotations

from mailbot.handlers import Job


class Bounce:
    """Records the category; held for a human until the full handler lands."""

    name = "bounce"
    description = "Avis de non-remise (issue 4)"

    def handle(self, job: Job) -> None:
        job.hold("Avis de non-remise (issue 4)")


HANDLER = Bounce()
