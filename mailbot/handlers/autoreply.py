"""Auto-replies (out of office, read receipts): recorded, never answered."""

from __future__ import annotations

from mailbot.job import Job


class AutoReply:
    """Records the auto-reply; nothing else, ever."""

    name = "autoreply"
    description = "Réponse automatique"

    def handle(self, job: Job) -> None:
        job.row.reason = job.verdict.reason


HANDLER = AutoReply()
