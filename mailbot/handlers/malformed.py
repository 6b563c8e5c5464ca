"""Malformed messages: quarantined with the reason; a known sender whose file
arrived empty is told so (nobody else is answered)."""

from __future__ import annotations

from mailbot.job import Job


class Malformed:
    """Quarantines the message; tells the sender about an empty attachment."""

    name = "malformed"
    description = "Message inexploitable"

    def handle(self, job: Job) -> None:
        job.quarantine(job.verdict.reason)
        empty = job.verdict.values.get("empty")
        if empty and job.msg.from_ is not None:
            sender = job.ctx.sender
            name = sender.name if sender else job.msg.from_.name
            job.reply("empty_attachment", to_name=name, files=str(empty))


HANDLER = Malformed()
