"""Justificatifs envoyés par un AMO (issue 3): recorded; the full handling lands with its issue."""

from __future__ import annotations

from mailbot.handlers import Job


class Proof:
    """Records the category; held for a human until the full handler lands."""

    name = "proof"
    description = "Justificatifs envoyés par un AMO (issue 3)"

    def handle(self, job: Job) -> None:
        job.hold("Justificatifs envoyés par un AMO (issue 3)")


HANDLER = Proof()
