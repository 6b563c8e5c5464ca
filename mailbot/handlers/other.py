"""Anything else written to the bot: held for the COTECH, the sender told so.

Our own mail coming back (the loop guard) is only recorded. Calendar
invitations are held without a word: an answer would go to the organiser's
calendar robot.
"""

from __future__ import annotations

from mailbot.job import Job


class Other:
    """Holds the message for a human and tells a real person it was passed on."""

    name = "other"
    description = "Message à traiter par une personne"

    def handle(self, job: Job) -> None:
        if "guard:loop" in job.verdict.hits:
            job.row.reason = job.verdict.reason
            return
        job.hold(job.verdict.reason or "message non reconnu")
        if job.msg.is_invitation:
            return
        sender = job.ctx.sender
        job.reply("forwarded_to_cotech", to_name=sender.name if sender else
                  (job.msg.from_.name if job.msg.from_ else ""))


HANDLER = Other()
