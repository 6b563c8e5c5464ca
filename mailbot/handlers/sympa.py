"""Courrier du robot Sympa (issue 4): recorded; the full handling lands with its issue."""

from __future__ import annotations

from mailbot.handlers import Job


class Sympa:
    """Records the category; held for a human until the full handler lands."""

    name = "sympa"
    description = "Courrier du robot Sympa (issue 4)"

    def handle(self, job: Job) -> None:
        job.hold("Courrier du robot Sympa (issue 4)")


HANDLER = Sympa()
